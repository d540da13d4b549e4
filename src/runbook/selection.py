"""Which tests a change can affect: the decision, from the data of the last full test run.

The last full run of the tests gate stored (``runbook.testgate``): every file's content digest,
a fingerprint of every Python module under ``src/`` (its skeleton and the digest of each function
body), the files each test executed (coverage.py's dynamic contexts), the lines each module ran
at import time (the empty context), and what the ``runbook.testselect`` plugin saw of each test.

A change is understood only when it is confined to function bodies under ``src/`` or to test
modules; anything else makes ``plan`` return a reason to run the whole suite. Stdlib only: the
decision is pure data in, data out, and is tested without running pytest.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, cast

SCHEMA = 1
MACHINERY = frozenset(
    {
        "src/runbook/selection.py",
        "src/runbook/testgate.py",
        "src/runbook/testselect.py",
        "src/runbook/childwatch.py",
    }
)
"""The selection itself: a change to it is checked by a full run."""

SAFE_DECORATORS = frozenset(
    {
        "staticmethod",
        "classmethod",
        "property",
        "setter",
        "getter",
        "deleter",
        "abstractmethod",
        "override",
        "contextmanager",
        "asynccontextmanager",
        "wraps",
    }
)
"""Decorators that run the function's body on every call. Any other decorator may keep a result
across tests (``functools.cache``) or run the body at import time, so a change to the body of a
function it decorates runs the whole suite."""


class SelectionDataError(Exception):
    """The stored selection data is missing, unreadable, or from another environment."""


@dataclass(frozen=True)
class FunctionPrint:
    body: str
    """Digest of the body (the docstring belongs to the skeleton: it is visible without a call)."""
    first: int
    last: int
    """The body's line range in the version the print was taken from."""
    plain: bool
    """Every decorator is one of ``SAFE_DECORATORS``."""


@dataclass(frozen=True)
class SourcePrint:
    skeleton: str
    """Digest of the module with every function body cut out: what importing it executes."""
    functions: dict[str, FunctionPrint]


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _is_generator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether calling the function returns a generator (its own ``yield``, not a nested one)."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def fingerprint(source: str) -> SourcePrint:
    """The skeleton and function bodies of a module; raises SyntaxError for invalid code.

    Functions are those defined at module level or in class bodies (also inside module-level
    ``if``/``try``/``with``); functions nested in a function are part of its body.
    """
    tree = ast.parse(source)
    functions: dict[str, FunctionPrint] = {}

    def visit(statements: list[ast.stmt], prefix: str) -> None:
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + statement.name
                while name in functions:  # conditional redefinitions
                    name += "'"
                body = statement.body
                docstring = (
                    body[:1]
                    if isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)
                    else []
                )
                rest = body[len(docstring) :]
                functions[name] = FunctionPrint(
                    body=_digest(ast.dump(ast.Module(body=rest, type_ignores=[]))),
                    first=body[0].lineno,
                    last=statement.end_lineno or body[-1].lineno,
                    plain=all(
                        _decorator_name(d) in SAFE_DECORATORS for d in statement.decorator_list
                    ),
                )
                kind = "generator" if _is_generator(statement) else "function"
                statement.body = [*docstring, ast.Expr(ast.Constant(kind))]
            elif isinstance(statement, ast.ClassDef):
                visit(statement.body, f"{prefix}{statement.name}.")
            else:  # module-level if/try/with/for: functions defined in their blocks
                for name in ("body", "orelse", "finalbody"):
                    block = getattr(statement, name, None)
                    if isinstance(block, list):
                        nested = cast(list[Any], block)
                        visit([s for s in nested if isinstance(s, ast.stmt)], prefix)
                for handler in getattr(statement, "handlers", []):
                    if isinstance(handler, ast.ExceptHandler):
                        visit(handler.body, prefix)

    visit(tree.body, "")
    skeleton = _digest(ast.dump(tree, include_attributes=False))
    return SourcePrint(skeleton=skeleton, functions=functions)


def is_test_module(path: str) -> bool:
    """A module pytest collects tests from (``tests/**/test_*.py``)."""
    pure = PurePosixPath(path)
    return pure.parts[:1] == ("tests",) and pure.name.startswith("test_") and pure.suffix == ".py"


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def nodeid_of(context: str) -> str:
    """The test of a pytest-cov context (``nodeid|setup``, ``|run``, ``|teardown``)."""
    return context.rpartition("|")[0] or context


@dataclass(frozen=True)
class RecordedTest:
    ok: bool
    """Passed (or skipped, xfailed) in every phase: only such a test may be left out."""
    spawns: bool
    """Started a process (other than git): code it ran there is not measured, so it always runs."""
    lazy_imports: bool
    """Imported a project module during the test: import-time code ran under its context."""
    donors: tuple[str, ...]
    """Tests whose setup created a module- or session-scoped fixture this test uses."""
    touched: tuple[str, ...]
    """Project files the test executed (any line, any phase)."""


@dataclass(frozen=True)
class Stored:
    """The selection data of the last full run."""

    environment: str
    root: str
    files: dict[str, str]
    prints: dict[str, SourcePrint]
    import_lines: dict[str, frozenset[int]]
    """Lines each module ran outside any test (collection, import time: the empty context)."""
    tests: dict[str, RecordedTest]
    coverage_db: str
    """File name (in the selection directory) of the full run's coverage data with contexts."""

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "environment": self.environment,
            "root": self.root,
            "coverage_db": self.coverage_db,
            "files": self.files,
            "prints": {
                path: {
                    "skeleton": p.skeleton,
                    "functions": {
                        name: [f.body, f.first, f.last, f.plain] for name, f in p.functions.items()
                    },
                }
                for path, p in self.prints.items()
            },
            "import_lines": {path: sorted(lines) for path, lines in self.import_lines.items()},
            "tests": {
                nodeid: {
                    "ok": t.ok,
                    "spawns": t.spawns,
                    "lazy_imports": t.lazy_imports,
                    "donors": list(t.donors),
                    "touched": list(t.touched),
                }
                for nodeid, t in self.tests.items()
            },
        }

    @classmethod
    def from_json(cls, data: object) -> Stored:
        """Parse stored data; any shape other than what ``to_json`` writes is an error."""
        try:
            raw = cast(dict[str, Any], data)
            if raw["schema"] != SCHEMA:
                raise SelectionDataError(f"schema {raw['schema']!r}, expected {SCHEMA}")
            prints = {
                str(path): SourcePrint(
                    skeleton=str(p["skeleton"]),
                    functions={
                        str(name): FunctionPrint(str(f[0]), int(f[1]), int(f[2]), bool(f[3]))
                        for name, f in cast(dict[str, list[Any]], p["functions"]).items()
                    },
                )
                for path, p in cast(dict[str, dict[str, Any]], raw["prints"]).items()
            }
            tests = {
                str(nodeid): RecordedTest(
                    ok=bool(t["ok"]),
                    spawns=bool(t["spawns"]),
                    lazy_imports=bool(t["lazy_imports"]),
                    donors=tuple(str(d) for d in t["donors"]),
                    touched=tuple(str(f) for f in t["touched"]),
                )
                for nodeid, t in cast(dict[str, dict[str, Any]], raw["tests"]).items()
            }
            return cls(
                environment=str(raw["environment"]),
                root=str(raw["root"]),
                files={str(k): str(v) for k, v in cast(dict[str, Any], raw["files"]).items()},
                prints=prints,
                import_lines={
                    str(k): frozenset(int(n) for n in v)
                    for k, v in cast(dict[str, list[Any]], raw["import_lines"]).items()
                },
                tests=tests,
                coverage_db=str(raw["coverage_db"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise SelectionDataError(f"malformed selection data ({exc!r})") from exc

    @classmethod
    def loads(cls, text: str) -> Stored:
        try:
            data: object = json.loads(text)
        except ValueError as exc:
            raise SelectionDataError(f"unreadable selection data ({exc})") from exc
        return cls.from_json(data)


@dataclass(frozen=True)
class Plan:
    full_reason: str = ""
    """Why the whole suite runs; empty when the plan selects."""
    unaffected: frozenset[str] = field(default_factory=frozenset[str])
    """Tests of the last full run whose outcome the change cannot alter: they are left out and
    their coverage data is kept."""


def _full(reason: str) -> Plan:
    return Plan(full_reason=reason)


def _source_change(path: str, old: SourcePrint | None, source: str, stored: Stored) -> str:
    """Why a change to a module under src/ needs the whole suite, or "" when it does not."""
    if old is None:
        return f"{path} changed and has no fingerprint in the selection data"
    try:
        new = fingerprint(source)
    except SyntaxError as exc:
        return f"{path} changed and does not parse ({exc.msg}, line {exc.lineno})"
    if new.skeleton != old.skeleton:
        return f"{path} changed outside function bodies (import-time code)"
    import_lines = stored.import_lines.get(path, frozenset[int]())
    for name, function in old.functions.items():
        if new.functions[name].body == function.body:
            continue
        if not function.plain:
            return f"{path}: the body of decorated function {name} changed"
        if any(function.first <= line <= function.last for line in import_lines):
            return f"{path}: {name} changed and runs at import time"
    return ""


def _imported_modules(source: str) -> set[str]:
    """Top-level names a test module imports (to find test modules importing a changed one)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _classify(
    stored: Stored, current: Mapping[str, str], read: Callable[[str], str]
) -> tuple[str, set[str], set[str]]:
    """(full-run reason or "", changed modules under src/, changed test modules)."""
    added = sorted(set(current) - set(stored.files))
    if added:
        return f"new file {added[0]}", set(), set()
    deleted = sorted(set(stored.files) - set(current))
    if deleted:
        return f"deleted file {deleted[0]}", set(), set()
    sources: set[str] = set()
    tests: set[str] = set()
    for path in sorted(p for p, digest in current.items() if stored.files[p] != digest):
        if path in MACHINERY:
            return f"{path} changed (the test selection itself)", set(), set()
        if is_test_module(path):
            tests.add(path)
        elif path.startswith("src/") and path.endswith(".py"):
            reason = _source_change(path, stored.prints.get(path), read(path), stored)
            if reason:
                return reason, set(), set()
            sources.add(path)
        else:
            return f"{path} changed (not a module under src/ or a test module)", set(), set()
    return "", sources, tests


def _importers(
    changed: set[str], current: Mapping[str, str], read: Callable[[str], str]
) -> set[str]:
    """The changed test modules and the test modules that import one of them."""
    names = {PurePosixPath(path).stem for path in changed}
    modules = set(changed)
    for path in sorted(p for p in current if is_test_module(p) and p not in changed):
        try:
            if _imported_modules(read(path)) & names:
                modules.add(path)
        except SyntaxError:
            continue  # unchanged since the full run, which collected it
    return modules


def plan(
    stored: Stored,
    current: Mapping[str, str],
    read: Callable[[str], str],
) -> Plan:
    """Which stored tests a change from ``stored.files`` to ``current`` cannot affect.

    ``current`` maps every file the gate reads to its content digest; ``read`` returns a
    file's text. Returns a full-run reason for any change the selection cannot see through.
    """
    reason, changed_sources, changed_tests = _classify(stored, current, read)
    if reason:
        return _full(reason)
    rerun_modules = _importers(changed_tests, current, read) if changed_tests else set[str]()
    unaffected: set[str] = set()
    for nodeid, record in stored.tests.items():
        if not record.ok or record.spawns or module_of(nodeid) in rerun_modules:
            continue
        touched = set(record.touched)
        for donor in record.donors:
            donor_record = stored.tests.get(donor)
            touched.update(donor_record.touched if donor_record else changed_sources)
        hit = sorted(touched & changed_sources)
        if hit and record.lazy_imports:
            return _full(f"{nodeid} imports project modules during the test and {hit[0]} changed")
        if not hit:
            unaffected.add(nodeid)
    return Plan(unaffected=frozenset(unaffected))


def source_prints(paths: Iterable[str], read: Callable[[str], str]) -> dict[str, SourcePrint]:
    """Fingerprints of the modules that parse (one that does not is a full run when changed)."""
    prints: dict[str, SourcePrint] = {}
    for path in paths:
        try:
            prints[path] = fingerprint(read(path))
        except (SyntaxError, ValueError):
            continue
    return prints
