"""What importing a test module executes (``test_import_print``).

pytest imports every test module it collects, before any test runs: that part of a test module
(an assignment that patches a library, a call at top level, a function that code at top level
calls) is import-time code, as in ``src/``, and a change to it can reach every later test. The
rest (the tests, fixtures and helpers that import only defines) reaches only the module's own
tests.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from runbook.selection.files import is_test_module
from runbook.selection.fingerprint import digest

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


def called_at_import(tree: ast.Module) -> set[int]:
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
    called = called_at_import(tree)

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

    return digest(ast.dump(ast.Module(body=cut(tree.body), type_ignores=[])))


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
