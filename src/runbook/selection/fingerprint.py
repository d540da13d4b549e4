"""What a module under ``src/`` is made of, for the selection (``fingerprint``): its skeleton
(what importing it runs), each function's body, signature, decorators and line range, and
``line_map``, which places the lines of the old version in an edited one so the kept coverage
data stays true.

Stdlib only: ``ast`` and the compiled code's line table, no import of the module itself.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import Any, cast

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


def digest(text: str) -> str:
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
    annotations = "strings" if future else digest(repr([ast.dump(a) for a in evaluated]))[:16]
    return f"defaults {digest(repr(defaults))[:16]} annotations {annotations} lines {lines}"


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
        return digest("\n".join(lines[first - 1 : last]))

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
                    body=digest(ast.dump(ast.Module(body=rest, type_ignores=[]))),
                    first=body[0].lineno,
                    last=last,
                    plain=all(
                        decorator_name(d, imported) in SAFE_DECORATORS
                        for d in statement.decorator_list
                    ),
                    head=head,
                    text=text(head, last),
                    head_text=text(head, body[0].lineno - 1),
                    signature=digest(
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
    skeleton = digest(ast.dump(tree, include_attributes=False))
    for statement in module_level:
        statement.args = ast.arguments(
            posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
        )
        statement.returns = None
    frame = digest(ast.dump(tree, include_attributes=False))
    inside = {n for f in functions.values() for n in range(f.head, f.last + 1)}
    outside = [line for n, line in enumerate(lines, start=1) if n not in inside]
    return SourcePrint(
        skeleton=skeleton,
        functions=functions,
        layout=digest("\n".join(outside)),
        length=len(lines),
        frame=frame,
    )


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


EMPTY_BODY = digest(ast.dump(ast.Module(body=[], type_ignores=[])))
"""The body digest of a function that has only a docstring."""


def runs_at_import(function: FunctionPrint, import_lines: frozenset[int]) -> bool:
    """A body line ran at import. A call of a function that has only a docstring runs no body
    line: coverage.py records it as ``(-head, def line)``, so its entry ``-head`` counts (also
    the module's own entry when the function is on line 1: conservative)."""
    if function.body == EMPTY_BODY and -function.head in import_lines:
        return True
    return any(function.first <= line <= function.last for line in import_lines)


def source_prints(paths: Iterable[str], read: Callable[[str], str]) -> dict[str, SourcePrint]:
    """Fingerprints of the modules that parse (one that does not is a full run when changed)."""
    prints: dict[str, SourcePrint] = {}
    for path in paths:
        try:
            prints[path] = fingerprint(read(path))
        except (SyntaxError, ValueError):
            continue
    return prints
