"""What a changed function signature can reach.

``signature_change`` says whether defining the function runs other code at import than before
(then the change is import-time code); ``signature_reach`` finds every call of the function in
the project's Python files, so the tests that ran a calling function (or a calling test module)
run again, or says why some test could see the signature without a call (a reference, a string
naming it, code that introspects signatures): then the whole suite runs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import cast

from runbook.selection.files import MACHINERY, is_test_module
from runbook.selection.fingerprint import FunctionPrint, fingerprint, runs_at_import
from runbook.selection.importprint import called_at_import
from runbook.selection.stored import Stored


def signature_change(path: str, name: str, old: FunctionPrint, new: FunctionPrint) -> str:
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
        if before is None or runs_at_import(before, import_lines):
            return f"its caller {path}:{caller} runs at import time", set()
        found.add(caller)
    return "", found


def signature_reach(
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
            collected = called_at_import(tree)
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
