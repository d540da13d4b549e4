"""Which tests a change can affect: the decision, from the data of the last full test run.

The last full run of the tests gate stored (``runbook.selection.store``): every file's content
digest,
a fingerprint of every Python module under ``src/`` (its skeleton, the digest of each function
body, and where each function's lines are), the files each test executed and, in each, the
functions whose lines it executed (coverage.py's dynamic contexts), the lines each module ran at
import time (the empty context), and what the ``runbook.selection.testselect`` plugin saw of each
test.

A change is understood only when it is confined to function bodies under ``src/``, to what test
modules run during their tests (a test module's top-level code is import-time code, as ``src/``'s
is), or to data files (``data_file_change``: neither Python nor configuration); anything else
makes ``plan`` return a reason to run the whole suite. A body change reruns the tests that
executed that function (or the whole file, for a file a test's child process ran or a test read
as text); a data file's change reruns the tests that opened it, in their own process or in a
followed child, or whose ``child_reads`` marker declares it (package data: also the tests that
ran its package's code). Stdlib only: the decision is pure data in, data out, and is tested
without running pytest.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from types import CodeType
from typing import Any, cast

SCHEMA = 4
MACHINERY = frozenset(
    {
        "src/runbook/selection/impact.py",
        "src/runbook/selection/testgate.py",
        "src/runbook/selection/store.py",
        "src/runbook/selection/coverdata.py",
        "src/runbook/selection/merge.py",
        "src/runbook/selection/verdict.py",
        "src/runbook/selection/childpth.py",
        "src/runbook/selection/testselect.py",
        "src/runbook/selection/handoff.py",
        "src/runbook/selection/childwatch.py",
        "src/runbook/selection/isolation.py",
    }
)
"""The selection itself: a change to it is checked by a full run."""

SAFE_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "builtins.property",
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "functools.wraps",
        "functools.cache",
        "functools.lru_cache",
    }
)
"""Decorators (by the name they are imported as) that run the function's body on every call, or
cache its results in a ``functools`` cache, which the tests gate clears between test modules and
whose users count the tests that filled it (``runbook.selection.isolation``): a body edit reruns
the tests that executed the function or used a result of it. Any other decorator may keep a
result across tests or run the body at import time, so a change to the body of a function it
decorates runs the whole suite. A property's ``.setter``, ``.getter`` and ``.deleter`` count as
``property``."""
ACCESSORS = frozenset({"setter", "getter", "deleter"})

CONFIGURATION = frozenset(
    {
        # pytest's and coverage.py's configuration (pytest looks for its ini file in the
        # directories of the paths it is given too, so the name counts anywhere in the tree)
        "pyproject.toml",
        "pytest.ini",
        ".pytest.ini",
        "tox.ini",
        "setup.cfg",
        ".coveragerc",
        "conftest.py",
        # the environments and how the gate is started: nox, uv, pip, make
        "noxfile.py",
        "uv.lock",
        "uv.toml",
        ".python-version",
        "Makefile",
        "GNUmakefile",
        "makefile",
        # git: which files are the gate's inputs, and what the tests' git commands see
        ".gitignore",
        ".gitattributes",
        ".gitmodules",
        # the other gates' configuration, part of every gate's cache key
        # (runbook.running.cache.ALWAYS_READ)
        "ruff.toml",
        ".ruff.toml",
        "pyrightconfig.json",
    }
)
"""File names (anywhere in the tree) that configure how the tests run, read by pytest,
coverage.py, nox, uv, make or git themselves, outside any test: no test's record shows them, so
a change runs the whole suite. ``requirements*.txt`` and ``constraints*.txt`` count too."""
CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyw", ".pyc", ".pth", ".pyx", ".pxd", ".so", ".pyd", ".pyz", ".egg", ".whl"}
)
"""Python code, and what Python imports: outside ``src/`` and the test modules, the import
system reads it (unseen: its reads are not a test's) and coverage.py does not measure it, so a
change runs the whole suite (``tests/support.py``, ``benchmarks/``, ``scripts/``)."""


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
    head: int
    """Its first line (the first decorator's, else the ``def``): coverage.py records a call's entry
    as an arc from ``-head`` (the code object's first line), and a call of a function whose body
    is only a docstring as the ``def`` line alone, so ``head..last`` is the function's range."""
    text: str
    """Digest of the exact text of lines ``head..last``."""
    head_text: str
    """Digest of the exact text of lines ``head..first-1`` (decorators and signature)."""
    signature: str = ""
    """Digest of the ``def``'s parameters and return annotation (what ``frame`` leaves out)."""
    defining: str = ""
    """What defining the function evaluates at import beyond literal defaults (and beyond
    annotations, under ``from __future__ import annotations``), and the lines that run then
    (``_defining``); "" when a change to its signature is import-time code whatever it is: a
    method, an ``async def`` or a generator (calling it runs none of its lines), a function
    not defined at module level."""


@dataclass(frozen=True)
class SourcePrint:
    skeleton: str
    """Digest of the module with every function body cut out: what importing it executes."""
    functions: dict[str, FunctionPrint]
    layout: str
    """Digest of the exact text of the lines outside every function's range, in order."""
    length: int
    """Number of lines."""
    frame: str = ""
    """The skeleton's digest with the parameters and return annotation of every module-level
    function also cut out: equal frames and unequal skeletons are a signature change."""

    def function_at(self) -> dict[int, str]:
        """Line -> the function whose range holds it (lines outside every range are absent)."""
        return {
            line: name for name, f in self.functions.items() for line in range(f.head, f.last + 1)
        }


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> the qualified name it was imported as (``import functools as ft``:
    ``ft`` -> ``functools``; ``from functools import cache``: ``cache`` -> ``functools.cache``)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def decorator_name(node: ast.expr, imported: Mapping[str, str]) -> str:
    """The qualified name of a decorator (``functools.cache``, ``builtins.property``), from the
    module's imports; "" when it is not a dotted name (a call's result, a subscript)."""
    if isinstance(node, ast.Call):
        node = node.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    if parts and parts[-1] in ACCESSORS:
        return "builtins.property"  # @area.setter: the property's other accessors
    root = imported.get(node.id, f"builtins.{node.id}" if not parts else node.id)
    return ".".join([root, *parts])


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


def source_lines(source: str) -> list[str]:
    """The lines of a module as the parser numbers them (line n is ``lines[n - 1]``)."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _literal(node: ast.expr) -> bool:
    """A default whose evaluation runs no code and reads no name: a constant (``None``,
    ``True``, ``"x"``, ``2``), a signed number (``-1``), or a tuple, list or set of literals."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant) and isinstance(
            node.operand.value, int | float | complex
        )
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_literal(e) for e in node.elts)
    return False


def _future_annotations(tree: ast.Module) -> bool:
    """The module has ``from __future__ import annotations``: annotations are kept as strings,
    never evaluated."""
    return any(
        isinstance(s, ast.ImportFrom)
        and s.module == "__future__"
        and any(a.name == "annotations" for a in s.names)
        for s in tree.body
    )


def _line_runs(code: CodeType) -> list[int]:
    """The lines of a code object's instructions, in order, repeats in a row merged: the line
    events a tracer sees when straight-line code runs (coverage.py's lines and arcs)."""
    runs: list[int] = []
    for _, _, line in code.co_lines():
        if line is not None and (not runs or runs[-1] != line):
            runs.append(line)
    return runs


def _defining(
    function: ast.FunctionDef | ast.AsyncFunctionDef, future: bool, runs: list[int]
) -> str:
    """``FunctionPrint.defining`` of a module-level function (``runs``: the module's line runs).

    Defining it evaluates its decorators (they are in the frame), its defaults and, without
    ``from __future__ import annotations``, its annotations; the lines those instructions
    carry are what import-time coverage records inside the signature. Literal defaults run no
    code, so only the others are named, in the order they run."""
    first = function.body[0].lineno
    if (
        isinstance(function, ast.AsyncFunctionDef)
        or _is_generator(function)
        or (
            first == function.lineno  # a one-line def: its signature shares its body's line
        )
    ):
        return ""
    arguments = function.args
    defaults = [
        ast.dump(d)
        for d in (*arguments.defaults, *arguments.kw_defaults)
        if d is not None and not _literal(d)
    ]
    annotated = (
        *arguments.posonlyargs,
        *arguments.args,
        *([arguments.vararg] if arguments.vararg else []),
        *arguments.kwonlyargs,
        *([arguments.kwarg] if arguments.kwarg else []),
    )
    evaluated = [] if future else [a.annotation for a in annotated if a.annotation]
    if function.returns is not None and not future:
        evaluated.append(function.returns)
    head = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    lines = ",".join(str(line - head) for line in runs if head <= line < first)
    annotations = "strings" if future else _digest(repr([ast.dump(a) for a in evaluated]))[:16]
    return f"defaults {_digest(repr(defaults))[:16]} annotations {annotations} lines {lines}"


def fingerprint(source: str) -> SourcePrint:
    """The skeleton and function bodies of a module; raises SyntaxError for invalid code.

    Functions are those defined at module level or in class bodies (also inside module-level
    ``if``/``try``/``with``); functions nested in a function are part of its body.
    """
    tree = ast.parse(source)
    lines = source_lines(source)
    functions: dict[str, FunctionPrint] = {}
    imported = _imported_names(tree)
    # What import runs inside each signature: compiled as the import system compiles the file.
    runs = _line_runs(compile(tree, "<fingerprint>", "exec", dont_inherit=True))
    future = _future_annotations(tree)
    module_level: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def text(first: int, last: int) -> str:
        return _digest("\n".join(lines[first - 1 : last]))

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
                head = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
                last = statement.end_lineno or body[-1].lineno
                functions[name] = FunctionPrint(
                    body=_digest(ast.dump(ast.Module(body=rest, type_ignores=[]))),
                    first=body[0].lineno,
                    last=last,
                    plain=all(
                        decorator_name(d, imported) in SAFE_DECORATORS
                        for d in statement.decorator_list
                    ),
                    head=head,
                    text=text(head, last),
                    head_text=text(head, body[0].lineno - 1),
                    signature=_digest(
                        ast.dump(statement.args)
                        + (ast.dump(statement.returns) if statement.returns else "")
                    ),
                    defining=_defining(statement, future, runs) if not prefix else "",
                )
                kind = "generator" if _is_generator(statement) else "function"
                statement.body = [*docstring, ast.Expr(ast.Constant(kind))]
                if not prefix:
                    module_level.append(statement)
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
    for statement in module_level:
        statement.args = ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
        )
        statement.returns = None
    frame = _digest(ast.dump(tree, include_attributes=False))
    inside = {n for f in functions.values() for n in range(f.head, f.last + 1)}
    outside = [line for n, line in enumerate(lines, start=1) if n not in inside]
    return SourcePrint(
        skeleton=skeleton,
        functions=functions,
        layout=_digest("\n".join(outside)),
        length=len(lines),
        frame=frame,
    )


_ROOTS_OF_INERT_CALLS = frozenset({"pytest"})
"""A decorator or default may call these (``pytest.mark.parametrize(...)``, ``pytest.param``):
they record, they run no project code."""


def _inert(node: ast.expr | None) -> bool:  # noqa: PLR0911 (one return per kind of node)
    """Evaluating the expression runs no code of the project's (literals, names, attributes,
    ``pytest.mark``/``pytest.fixture``/``pytest.param`` calls with inert arguments)."""
    if node is None or isinstance(node, ast.Constant | ast.Name):
        return True
    if isinstance(node, ast.Attribute | ast.Starred):
        return _inert(node.value)
    if isinstance(node, ast.UnaryOp):
        return _inert(node.operand)
    if isinstance(node, ast.BinOp):
        return _inert(node.left) and _inert(node.right)
    if isinstance(node, ast.Subscript):
        return _inert(node.value) and _inert(node.slice)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_inert(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_inert(k) for k in node.keys) and all(_inert(v) for v in node.values)
    if isinstance(node, ast.Call):
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        return (
            isinstance(root, ast.Name)
            and root.id in _ROOTS_OF_INERT_CALLS
            and all(_inert(a) for a in node.args)
            and all(_inert(k.value) for k in node.keywords)
        )
    return False


def _pytest_rooted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in _ROOTS_OF_INERT_CALLS


def _inert_decorator(node: ast.expr, assigned: set[str]) -> bool:
    """Applying the decorator runs no project code: ``pytest.mark.*``/``pytest.fixture`` (with
    inert arguments), or a name the module assigns (its value is import-time code, compared)."""
    if isinstance(node, ast.Call):
        return _pytest_rooted(node.func) and _inert(node)
    if isinstance(node, ast.Name):
        return node.id in assigned
    return _pytest_rooted(node)


def _head_is_inert(function: ast.FunctionDef | ast.AsyncFunctionDef, assigned: set[str]) -> bool:
    """Defining the function runs no project code: inert decorators, defaults, annotations."""
    arguments = function.args
    annotations = [
        a.annotation
        for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        if a.annotation is not None
    ]
    extra = [a.annotation for a in (arguments.vararg, arguments.kwarg) if a and a.annotation]
    evaluated = (
        *arguments.defaults,
        *(d for d in arguments.kw_defaults if d is not None),
        *annotations,
        *extra,
        function.returns,
    )
    return all(_inert_decorator(d, assigned) for d in function.decorator_list) and all(
        _inert(node) for node in evaluated
    )


def _loaded_names(nodes: Iterable[ast.AST]) -> set[str]:
    return {
        n.id
        for node in nodes
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def _called_at_import(tree: ast.Module) -> set[int]:
    """Ids of the function definitions of a test module that importing it may call: those whose
    name code outside function bodies mentions, directly or through such a function."""
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.setdefault(node.name, []).append(node)

    def outside(statements: list[ast.stmt]) -> list[ast.AST]:
        """The parts of these statements that run at import (function bodies cut)."""
        parts: list[ast.AST] = []
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = statement.args
                parts.extend([*statement.decorator_list, *arguments.defaults])
                parts.extend(d for d in arguments.kw_defaults if d is not None)
            elif isinstance(statement, ast.ClassDef):
                parts.extend([*statement.decorator_list, *statement.bases])
                parts.extend(k.value for k in statement.keywords)
                parts.extend(outside(statement.body))
            else:
                parts.append(statement)
        return parts

    called: set[int] = set()
    pending = _loaded_names(outside(tree.body))
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        seen.add(name)
        for function in functions.get(name, []):
            called.add(id(function))
            pending |= _loaded_names(function.body) - seen
    return called


def test_import_print(source: str) -> str:
    """Digest of what importing a test module executes; raises SyntaxError for invalid code.

    pytest imports every test module it collects, and what runs then (an assignment that
    patches a library, a call, a class statement) can change any later test: a change to it is
    import-time code, as in ``src/``. Not part of it: the body of a function import does not
    call, and a function whose definition runs nothing but ``pytest.mark``/``pytest.fixture``
    (a test, a fixture, a helper: adding, removing or renaming one changes no other test). A
    function whose name import-time code mentions, directly or through such a function, counts
    whole: import may call it.
    """
    tree = ast.parse(source)
    defined = {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assigned = {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    called = _called_at_import(tree)

    def cut(statements: list[ast.stmt]) -> list[ast.stmt]:
        kept: list[ast.stmt] = []
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                if id(statement) in called or id(statement) not in defined:
                    kept.append(statement)
                elif not _head_is_inert(statement, assigned):
                    statement.body = [ast.Expr(ast.Constant(...))]
                    kept.append(statement)
            elif isinstance(statement, ast.ClassDef):
                statement.body = cut(statement.body) or [ast.Pass()]
                kept.append(statement)
            else:
                kept.append(statement)
        return kept

    return _digest(ast.dump(ast.Module(body=cut(tree.body), type_ignores=[])))


def line_map(
    old: SourcePrint, new: SourcePrint, signed: frozenset[str] = frozenset()
) -> dict[int, int] | None:
    """Where each line of the old version that code outside changed bodies can run is now.

    Both versions have the same skeleton, or the same frame and the functions of ``signed``
    changed their signatures. Defined for the lines outside every function, the lines of each
    unchanged function and the decorators and signature of each changed one (their text must be
    the same: then the mapping is exact); the body lines of a changed function have no place. A
    function of ``signed`` keeps its head's lines by their distance from its first line: the
    lines that run when it is defined are the same distances from it (``defining``), and no
    kept test data lies in its range (every test that ran a line of it runs again). None when
    other text changed too (a comment, blank lines or formatting outside the changed bodies):
    the stored coverage cannot be placed.
    """
    if old.layout != new.layout:
        return None
    mapping: dict[int, int] = {}
    for name, before in old.functions.items():
        after = new.functions[name]
        if before.body == after.body and before.text == after.text:
            end = before.last
        elif before.body != after.body and before.head_text == after.head_text:
            end = before.first - 1
        elif name in signed:
            end = before.head + min(before.first - before.head, after.first - after.head) - 1
        else:
            return None
        for line in range(before.head, end + 1):
            mapping[line] = line - before.head + after.head
    old_inside = {n for f in old.functions.values() for n in range(f.head, f.last + 1)}
    new_inside = {n for f in new.functions.values() for n in range(f.head, f.last + 1)}
    old_outside = [n for n in range(1, old.length + 1) if n not in old_inside]
    new_outside = [n for n in range(1, new.length + 1) if n not in new_inside]
    mapping.update(zip(old_outside, new_outside, strict=True))
    return mapping


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
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict[str, tuple[str, ...]])
    """For the files of ``touched`` that only the gate's own process ran (measured by coverage):
    the functions whose lines the test executed. A file of ``touched`` not in here (its child
    processes ran it) counts whole: any change to it runs the test."""
    read: tuple[str, ...] = ()
    """Gate input files the test opened (read as data, not imported): any change runs it."""


@dataclass(frozen=True)
class Stored:
    """The selection data of the last full run."""

    environment: str
    root: str
    files: dict[str, str]
    prints: dict[str, SourcePrint]
    import_lines: dict[str, frozenset[int]]
    """Lines each module ran outside any test (collection, import time: the empty context); a
    negative ``-n``: the code object whose first line is ``n`` was entered (a call)."""
    tests: dict[str, RecordedTest]
    coverage_db: str
    """File name (in the selection directory) of the full run's coverage data with contexts."""
    collection_reads: tuple[str, ...] = ()
    """Gate input files opened as data outside any test (collection): a change runs everything."""
    test_imports: dict[str, str] = field(default_factory=dict[str, str])
    """Test module -> ``test_import_print`` of it (what importing it executes)."""

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
                        name: [
                            f.body,
                            f.first,
                            f.last,
                            f.plain,
                            f.head,
                            f.text,
                            f.head_text,
                            f.signature,
                            f.defining,
                        ]
                        for name, f in p.functions.items()
                    },
                    "layout": p.layout,
                    "length": p.length,
                    "frame": p.frame,
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
                    "functions": {path: list(names) for path, names in t.functions.items()},
                    "read": list(t.read),
                }
                for nodeid, t in self.tests.items()
            },
            "collection_reads": list(self.collection_reads),
            "test_imports": self.test_imports,
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
                        str(name): FunctionPrint(
                            body=str(f[0]),
                            first=int(f[1]),
                            last=int(f[2]),
                            plain=bool(f[3]),
                            head=int(f[4]),
                            text=str(f[5]),
                            head_text=str(f[6]),
                            signature=str(f[7]),
                            defining=str(f[8]),
                        )
                        for name, f in cast(dict[str, list[Any]], p["functions"]).items()
                    },
                    layout=str(p["layout"]),
                    length=int(p["length"]),
                    frame=str(p["frame"]),
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
                    functions={
                        str(path): tuple(str(n) for n in names)
                        for path, names in cast(dict[str, list[Any]], t["functions"]).items()
                    },
                    read=tuple(str(f) for f in t["read"]),
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
                collection_reads=tuple(str(f) for f in raw["collection_reads"]),
                test_imports={
                    str(k): str(v) for k, v in cast(dict[str, Any], raw["test_imports"]).items()
                },
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
    collect: frozenset[str] = field(default_factory=frozenset[str])
    """Test modules holding a test to run (the stored tests that are not unaffected, and every
    test of a changed test module): the only ones pytest needs to collect."""
    moved: dict[str, dict[int, int]] = field(default_factory=dict[str, dict[int, int]])
    """For each changed module under src/: where the lines the kept coverage data can hold
    (``line_map``) are now."""


def _full(reason: str) -> Plan:
    return Plan(full_reason=reason)


@dataclass(frozen=True)
class _Changes:
    """What changed since the full run, when the selection can see through it."""

    functions: dict[str, frozenset[str]]
    """Changed module under src/ -> the functions whose body (or signature) changed."""
    moved: dict[str, dict[int, int]]
    tests: frozenset[str]
    """Changed test modules."""
    data: frozenset[str] = frozenset()
    """Changed data files (``data_file_change``): they count whole for the tests that read them."""
    signed: dict[str, frozenset[str]] = field(default_factory=dict[str, frozenset[str]])
    """Changed module under src/ -> the functions whose signature changed."""
    callers: dict[str, frozenset[str]] = field(default_factory=dict[str, frozenset[str]])
    """Module under src/ -> its functions that call a function whose signature changed."""
    calling: frozenset[str] = frozenset()
    """Test modules that call a function whose signature changed."""

    def reached(self, path: str) -> frozenset[str] | None:
        """The functions of ``path`` a test that ran one of them must run again for (None: the
        file did not change and calls no changed signature)."""
        names = self.functions.get(path)
        callers = self.callers.get(path)
        if names is None:
            return callers
        return names | (callers or frozenset())

    @property
    def files(self) -> frozenset[str]:
        return frozenset(self.functions) | self.tests | self.data


EMPTY_BODY = _digest(ast.dump(ast.Module(body=[], type_ignores=[])))
"""The body digest of a function that has only a docstring."""


def _runs_at_import(function: FunctionPrint, import_lines: frozenset[int]) -> bool:
    """A body line ran at import. A call of a function that has only a docstring runs no body
    line: coverage.py records it as ``(-head, def line)``, so its entry ``-head`` counts (also
    the module's own entry when the function is on line 1: conservative)."""
    if function.body == EMPTY_BODY and -function.head in import_lines:
        return True
    return any(function.first <= line <= function.last for line in import_lines)


def _edited_print(path: str, old: SourcePrint, source: str) -> SourcePrint | str:
    """The new fingerprint, or why it cannot be compared with the old one."""
    try:
        new = fingerprint(source)
    except SyntaxError as exc:
        return f"{path} changed and does not parse ({exc.msg}, line {exc.lineno})"
    if new.frame != old.frame:
        return f"{path} changed outside function bodies (import-time code)"
    return new  # the same skeleton, or the same but for module-level functions' signatures


def _signature_change(path: str, name: str, old: FunctionPrint, new: FunctionPrint) -> str:
    """Why a changed signature is import-time code ("" when only calls of the function see it:
    ``defining`` equal, so defining it runs the same code on the same lines as before)."""
    if "'" in name or name.startswith(("__", "pytest_")):
        return (
            f"{path}: the signature of {name} changed (a conditional redefinition, or a name "
            "Python or pytest calls by itself)"
        )
    if not old.plain:
        return f"{path}: the signature of decorated function {name} changed"
    if not old.defining or not new.defining:
        return (
            f"{path}: the signature of {name} changed (an async def or a generator: a call may "
            "run none of its lines; or a one-line def: its body shares the signature's line)"
        )
    before, after = old.defining.split(" "), new.defining.split(" ")
    for part, why in (
        ("defaults", "a default that is not a literal (evaluated at import)"),
        (
            "annotations",
            "an annotation, evaluated at import (no `from __future__ import annotations`)",
        ),
        (
            "lines",
            "the lines that run when it is defined (the kept coverage data cannot be placed)",
        ),
    ):
        at = before.index(part) + 1
        if before[at] != after[at]:
            return f"{path}: the signature of {name} changed {why}"
    return ""


def _source_change(
    path: str, old: SourcePrint | None, source: str, stored: Stored
) -> tuple[str, frozenset[str], dict[int, int], frozenset[str]]:
    """(why the change needs the whole suite or "", changed functions, line map, the functions
    among them whose signature changed)."""
    nothing: tuple[frozenset[str], dict[int, int], frozenset[str]] = (frozenset(), {}, frozenset())
    if old is None:
        return f"{path} changed and has no fingerprint in the selection data", *nothing
    new = _edited_print(path, old, source)
    if isinstance(new, str):
        return new, *nothing
    import_lines = stored.import_lines.get(path, frozenset[int]())
    signed = {n for n, f in old.functions.items() if new.functions[n].signature != f.signature}
    changed = {n for n, f in old.functions.items() if new.functions[n].body != f.body} | signed
    reasons = [
        *(_signature_change(path, n, old.functions[n], new.functions[n]) for n in sorted(signed)),
        *(_body_change(path, n, old.functions[n], import_lines) for n in sorted(changed)),
    ]
    reason = next((r for r in reasons if r), "")
    moved = None if reason else line_map(old, new, frozenset(signed))
    if moved is None:
        return reason or (
            f"{path}: lines outside the changed function bodies changed too (comments, blank "
            "lines, layout): the kept coverage data cannot be placed"
        ), *nothing
    return "", frozenset(changed), moved, frozenset(signed)


def _body_change(path: str, name: str, old: FunctionPrint, import_lines: frozenset[int]) -> str:
    """Why a change of this function (its body or signature) is import-time code, or ""."""
    if not old.plain:
        return f"{path}: the body of decorated function {name} changed"
    if _runs_at_import(old, import_lines):
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


_INTROSPECTION = frozenset(
    {
        "get_type_hints",
        "get_annotations",
        "getfullargspec",
        "getargspec",
        "getcallargs",
        "__annotations__",
        "__defaults__",
        "__kwdefaults__",
        "__code__",
        "__signature__",
        "__text_signature__",
        "create_autospec",
        "singledispatch",
        "singledispatchmethod",
    }
)
"""Names whose use reads a function's signature without calling it (``typing``'s hints, a
function's attributes, ``unittest.mock``'s autospec, ``functools``' dispatch on annotations)."""
_INTROSPECTING_MODULES = frozenset({"inspect", "annotationlib"})
"""Modules that read signatures (``inspect.signature``, ``getmembers``): importing one counts."""
_SPEC_KEYWORDS = frozenset({"autospec", "spec", "spec_set"})
"""``unittest.mock`` arguments that make a mock check calls against the signature it copies."""
_INTROSPECTION_WORDS = re.compile(
    r"\b(?:" + "|".join(sorted(_INTROSPECTION | _INTROSPECTING_MODULES | _SPEC_KEYWORDS)) + r")\b"
)


def _introspection(tree: ast.Module) -> tuple[int, str] | None:
    """(line, name) of the first code that may read a function's signature without calling it."""
    for node in ast.walk(tree):
        found = ""
        if isinstance(node, ast.Import):
            found = next(
                (a.name for a in node.names if a.name.split(".")[0] in _INTROSPECTING_MODULES), ""
            )
        elif isinstance(node, ast.ImportFrom):
            root = (node.module or "").split(".")[0]
            found = next(
                (
                    a.name
                    for a in node.names
                    if root in _INTROSPECTING_MODULES or a.name in _INTROSPECTION
                ),
                "",
            )
        elif isinstance(node, ast.Name) and node.id in _INTROSPECTION:
            found = node.id
        elif isinstance(node, ast.Attribute) and node.attr in _INTROSPECTION:
            found = node.attr
        elif isinstance(node, ast.keyword) and node.arg in _SPEC_KEYWORDS:
            found = f"{node.arg}="
        if found:
            return getattr(node, "lineno", 0), found
    return None


Defs = tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]


def _calls_of(tree: ast.Module, names: frozenset[str]) -> tuple[str, list[tuple[int, Defs]]]:
    """Where a module calls one of ``names``: each call's line and the ``def``s whose bodies
    hold it, outermost first (empty: code outside every function body, run at import). The
    first use that is not a call instead (a reference, a decorator, a string naming it, an
    import under another name), as "line: what": such a use may hand the function to code that
    reads its signature."""
    calls: list[tuple[int, Defs]] = []
    word = "|".join(re.escape(n) for n in sorted(names))
    reference = re.compile(rf"[\w.:]*\b(?:{word})")  # "pkg.mod.name", "pkg.mod:name", "name"
    problems: list[str] = []

    def check(node: ast.AST, parent: ast.AST | None, within: Defs) -> None:
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in names:
                if isinstance(parent, ast.Call) and parent.func is node:
                    calls.append((node.lineno, within))
                else:
                    problems.append(f"{node.lineno}: {name} is used other than called")
        elif (
            isinstance(node, ast.alias)
            and node.name in names
            and node.asname
            not in (
                None,
                node.name,
            )
        ):
            problems.append(f"{node.lineno}: {node.name} is imported as {node.asname}")
        elif isinstance(node, ast.Global | ast.Nonlocal) and names.intersection(node.names):
            problems.append(f"{node.lineno}: a global or nonlocal statement names it")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and not isinstance(parent, ast.Expr)  # a docstring
            and reference.fullmatch(node.value)
        ):
            problems.append(f"{node.lineno}: the string {node.value!r} names it")

    def walk(node: ast.AST, parent: ast.AST | None, within: Defs) -> None:
        check(node, parent, within)
        for field_name, value in ast.iter_fields(node):
            inner = within
            if field_name == "body" and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = (*within, node)
            children = cast(list[object], value) if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.AST):
                    walk(child, node, inner)

    walk(tree, None, ())
    return (problems[0] if problems else ""), calls


def _callers(
    path: str, text: str, calls: list[tuple[int, Defs]], stored: Stored
) -> tuple[str, set[str]]:
    """The functions of a module (a module under src/ with a fingerprint) that hold ``calls``,
    or why a call there can change what runs at import ("path:line ...")."""
    old = stored.prints.get(path)
    if not (path.startswith("src/") and old):
        return (
            f"{path}:{calls[0][0]} calls it (only calls in a module under src/ with a fingerprint "
            "or in a test module can be followed)",
            set(),
        )
    new = fingerprint(text)
    import_lines = stored.import_lines.get(path, frozenset[int]())
    found: set[str] = set()
    for line, within in calls:
        caller = next((n for n, f in new.functions.items() if f.first <= line <= f.last), "")
        if not within or not caller:
            return f"{path}:{line} calls it outside a function body", set()
        before = old.functions.get(caller)
        if before is None or _runs_at_import(before, import_lines):
            return f"its caller {path}:{caller} runs at import time", set()
        found.add(caller)
    return "", found


def _signature_reach(
    signed: Mapping[str, frozenset[str]],
    stored: Stored,
    current: Mapping[str, str],
    read: Callable[[str], str],
) -> tuple[str, dict[str, frozenset[str]], frozenset[str]]:
    """What a change to the signatures of ``signed`` can reach besides the tests that ran the
    functions: (why it can reach any test or "", src/ module -> its functions calling one of
    them, the test modules calling one of them).

    A call that no longer binds (or binds now and did not) fails before the function runs a
    line, so the tests that ran the *calling* function run again too (the whole module, for a
    call in a test module). Everything else that could see a signature runs the whole suite:
    a use other than a call anywhere in the project's Python files (the function handed to
    code that could read it), a call outside function bodies (import time), a call from a
    Python file that is neither under src/ nor a test module, a caller that ran at import, and
    any project code that reads signatures (``_introspection``; the selection's own modules,
    which read caches and fixtures only, excepted)."""
    names = frozenset(n for group in signed.values() for n in group)
    named = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    callers: dict[str, set[str]] = {}
    calling: set[str] = set()
    nothing: tuple[dict[str, frozenset[str]], frozenset[str]] = ({}, frozenset())
    changed = f"the signature of {', '.join(sorted(names))} changed"
    for path in sorted(p for p in current if p.endswith(".py")):
        text = read(path)
        reads = path not in MACHINERY and _INTROSPECTION_WORDS.search(text) is not None
        if not reads and named.search(text) is None:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return f"{changed} and {path} does not parse (no telling how it uses it)", *nothing
        found = _introspection(tree) if reads else None
        if found:
            return (
                f"{changed} and {path}:{found[0]} may read signatures without a call ({found[1]})",
                *nothing,
            )
        problem, calls = _calls_of(tree, names)
        if problem:
            return f"{changed} and {path}:{problem}", *nothing
        if not calls:
            continue
        if is_test_module(path):
            collected = _called_at_import(tree)
            line = next((n for n, d in calls if not d or any(id(f) in collected for f in d)), 0)
            if line:
                return f"{changed} and {path}:{line} calls it at collection", *nothing
            calling.add(path)
            continue
        problem, found_callers = _callers(path, text, calls, stored)
        if problem:
            return f"{changed} and {problem}", *nothing
        callers.setdefault(path, set()).update(found_callers)
    return "", {p: frozenset(c) for p, c in callers.items()}, frozenset(calling)


def _classify(
    stored: Stored, current: Mapping[str, str], read: Callable[[str], str]
) -> tuple[str, _Changes]:
    """(full-run reason or "", what changed)."""
    none = _Changes(functions={}, moved={}, tests=frozenset())
    added = sorted(set(current) - set(stored.files))
    if added:
        return f"new file {added[0]}", none
    deleted = sorted(set(stored.files) - set(current))
    if deleted:
        return f"deleted file {deleted[0]}", none
    functions: dict[str, frozenset[str]] = {}
    moved: dict[str, dict[int, int]] = {}
    signed: dict[str, frozenset[str]] = {}
    tests: set[str] = set()
    data: set[str] = set()
    for path in sorted(p for p, digest in current.items() if stored.files[p] != digest):
        unseen = _unseen(path, stored)
        if unseen:
            return unseen, none
        if is_test_module(path):
            reason = _test_module_change(path, stored.test_imports.get(path), read(path))
            tests.add(path)
        elif is_source(path):
            reason, names, lines, signatures = _source_change(
                path, stored.prints.get(path), read(path), stored
            )
            functions[path] = names
            moved[path] = lines
            if signatures:
                signed[path] = signatures
        else:
            reason = data_file_change(path, read(path), stored)
            data.add(path)
        if reason:
            return reason, none
    changes = _Changes(
        functions=functions,
        moved=moved,
        tests=frozenset(tests),
        data=frozenset(data),
        signed=signed,
    )
    return "", changes


def _test_module_change(path: str, old: str | None, source: str) -> str:
    """Why a test module's change needs the whole suite ("" when only its tests can see it)."""
    if old is None:
        return f"{path} changed and has no import print in the selection data"
    try:
        new = test_import_print(source)
    except SyntaxError:
        return ""  # nothing of it runs: collecting it fails, in a full run as here
    if new != old:
        return (
            f"{path} changed outside its tests' bodies (a test module's top-level code is "
            "import-time code: it runs at collection, before every test)"
        )
    return ""


def _unseen(path: str, stored: Stored) -> str:
    """Why the selection cannot see through a change to this file ("" when it can)."""
    if path in MACHINERY:
        return f"{path} changed (the test selection itself)"
    if path in stored.collection_reads:
        return f"{path} changed and was read as data while pytest collected"
    return ""


def is_source(path: str) -> bool:
    """A module under ``src/``: fingerprinted, measured by coverage.py."""
    return path.startswith("src/") and path.endswith(".py")


def package_of(path: str) -> str:
    """For package data (a data file under ``src/PACKAGE/``), ``src/PACKAGE/``: a test that
    executed any of the package's code depends on it too, read or not, since what the package
    derives from it can be kept in module state (a dict of costs, filled by an earlier test)
    that a later test uses without reading the file; "" elsewhere."""
    parts = PurePosixPath(path).parts
    return f"src/{parts[1]}/" if len(parts) > 2 and parts[0] == "src" else ""


def data_file_change(path: str, text: str, stored: Stored) -> str:
    """Why a change to a file that is neither a module under ``src/`` nor a test module needs
    the whole suite ("" for a data file: only the tests that read it can see it).

    A test sees a data file only by reading it, and every read the gate can see is in its
    record: opened in the test's process (``open``, ``os.open``, ``io.open_code``, sqlite3's
    ``connect``; an ``mmap`` maps a file already opened), opened by a followed Python child, or
    declared by a ``child_reads`` marker (a child the gate cannot follow and no marker: the
    test always runs). Not data: configuration (``CONFIGURATION``, requirements and
    constraints files), which pytest, coverage.py, nox, uv, make or git read outside any test;
    Python code (``CODE_SUFFIXES``, or a ``#!`` line naming python), which the import system
    reads unseen and coverage.py does not measure; a file pytest itself collected tests from
    (a ``test*.txt`` doctest), which it reads unseen.
    """
    name = PurePosixPath(path).name
    if name in CONFIGURATION or name.startswith(("requirements", "constraints")):
        return f"{path} changed (configuration read by pytest, coverage.py, nox, uv, make or git)"
    first = text[:200].partition("\n")[0]
    if PurePosixPath(path).suffix in CODE_SUFFIXES or (
        first.startswith("#!") and "python" in first
    ):
        return f"{path} changed (Python code outside src/ and the test modules)"
    if any(module_of(nodeid) == path for nodeid in stored.tests):
        return f"{path} changed and pytest collected tests from it"
    return ""


def _importers(
    changed: frozenset[str], current: Mapping[str, str], read: Callable[[str], str]
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


def _hits(record: RecordedTest, changes: _Changes) -> list[str]:
    """The changed files whose change reaches code the test ran or a file it read."""
    hits = {path for path in record.read if path in changes.files}
    hits.update(path for path in record.touched if path in changes.data)  # run or declared
    for path in changes.data:
        package = package_of(path)
        if package and any(touched.startswith(package) for touched in record.touched):
            hits.add(path)
    for path in record.touched:
        names = changes.reached(path)
        if names is None:
            continue
        ran = record.functions.get(path)
        if ran is None or names.intersection(ran):
            hits.add(path)
    return sorted(hits)


def plan(
    stored: Stored,
    current: Mapping[str, str],
    read: Callable[[str], str],
) -> Plan:
    """Which stored tests a change from ``stored.files`` to ``current`` cannot affect.

    ``current`` maps every file the gate reads to its content digest; ``read`` returns a
    file's text. Returns a full-run reason for any change the selection cannot see through.
    """
    reason, changes = _classify(stored, current, read)
    if not reason and changes.signed:
        reason, callers, calling = _signature_reach(changes.signed, stored, current, read)
        changes = replace(changes, callers=callers, calling=calling)
    if reason:
        return _full(reason)
    edited = changes.tests | changes.calling
    rerun_modules = _importers(edited, current, read) if edited else set[str]()
    unaffected: set[str] = set()
    for nodeid, record in stored.tests.items():
        if not record.ok or record.spawns or module_of(nodeid) in rerun_modules:
            continue
        hit = _hits(record, changes)
        for donor in record.donors:
            donor_record = stored.tests.get(donor)
            unknown = sorted(changes.functions.keys() | changes.data)
            hit += _hits(donor_record, changes) if donor_record else unknown
        if hit and record.lazy_imports:
            return _full(f"{nodeid} imports project modules during the test and {hit[0]} changed")
        if not hit:
            unaffected.add(nodeid)
    collect = {module_of(nodeid) for nodeid in stored.tests if nodeid not in unaffected}
    return Plan(
        unaffected=frozenset(unaffected),
        collect=frozenset(collect | rerun_modules),
        moved=changes.moved,
    )


def test_import_prints(paths: Iterable[str], read: Callable[[str], str]) -> dict[str, str]:
    """``test_import_print`` of the test modules that parse (one that does not: no print, so a
    change to it runs everything)."""
    prints: dict[str, str] = {}
    for path in paths:
        if is_test_module(path):
            try:
                prints[path] = test_import_print(read(path))
            except (SyntaxError, ValueError):
                continue
    return prints


def source_prints(paths: Iterable[str], read: Callable[[str], str]) -> dict[str, SourcePrint]:
    """Fingerprints of the modules that parse (one that does not is a full run when changed)."""
    prints: dict[str, SourcePrint] = {}
    for path in paths:
        try:
            prints[path] = fingerprint(read(path))
        except (SyntaxError, ValueError):
            continue
    return prints
