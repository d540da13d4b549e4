"""transformers and huggingface_hub are imported from their defining modules, never the root.

Both package roots are lazy-import tables whose ``TYPE_CHECKING`` branch imports every module of
the package, so one ``from transformers import X`` makes pyright parse and bind about 3,000 files
(~12 s of a ~20 s types gate). Importing from the defining module gives the same object at run
time (checked here) and keeps the strict types gate fast, with nothing left unchecked.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from support import followed

ROOT = Path(__file__).resolve().parents[1]
# Packages whose root module must not be imported by the files pyright checks.
HEAVY_ROOTS = frozenset({"transformers", "huggingface_hub"})
# (public module, name, defining module) for each name the project imports from a submodule.
DEFINED_IN = [
    ("transformers", "AutoTokenizer", "transformers.models.auto.tokenization_auto"),
    ("transformers", "PreTrainedTokenizerFast", "transformers.tokenization_utils_tokenizers"),
    ("huggingface_hub", "try_to_load_from_cache", "huggingface_hub.file_download"),
]


BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
"""The fields that hold statements: of a module, a definition, a compound statement, an
``except`` clause (``handlers``) and a ``case`` (``cases``)."""


def statements(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement in ``nodes`` and in the statements they hold, at any depth (with the
    ``except`` clauses and ``case`` blocks that hold some), and no expression: an import is a
    statement. ``ast.walk`` visits every expression node too, most of a module's nodes: under
    the tests gate's coverage tracing it was 0.47 of the 0.78 CPU-s this check took, paid by
    every selective run (any edit of a checked file selects it)."""
    for node in nodes:
        yield node
        for field in BODIES:
            inner: object = getattr(node, field, None)
            if isinstance(inner, list):
                yield from statements(cast(list[ast.stmt], inner))


def root_imports(source: bytes) -> list[tuple[int, str]]:
    """(line, module) for each import of a heavy package's root module in ``source``, in line
    order.

    ``source`` is the file's bytes, decoded as Python does (UTF-8 unless a coding line says
    otherwise); bytes that do not decode raise ``SyntaxError``, which the caller reports.
    """
    found: list[tuple[int, str]] = []
    for node in statements(ast.parse(source).body):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in HEAVY_ROOTS:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            # `import transformers.x` binds the name `transformers`: the root is resolved too.
            found.extend(
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.split(".")[0] in HEAVY_ROOTS
            )
    return sorted(found)


def heavy_root_offenders(files: list[Path], root: Path) -> list[str]:
    """``path:line: module`` per root import in ``files``, and ``path: cannot be read as
    Python: ...`` per file that does not parse (a Latin-1 byte in a UTF-8 file): reported, never
    a crash that hides the other files' results."""
    offenders: list[str] = []
    for path in files:
        where = path.relative_to(root)
        try:
            found = root_imports(path.read_bytes())
        except SyntaxError as exc:
            offenders.append(f"{where}: cannot be read as Python: {exc}")
            continue
        offenders.extend(f"{where}:{line}: {module}" for line, module in found)
    return offenders


def checked_files() -> list[Path]:
    """The Python files the types gate checks: ``[tool.pyright] include`` in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    files: list[Path] = []
    for entry in config["tool"]["pyright"]["include"]:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"from transformers import AutoTokenizer\n", [(1, "transformers")]),
        (b"def f():\n    from huggingface_hub import x\n", [(2, "huggingface_hub")]),
        (b"import transformers.models.auto\n", [(1, "transformers.models.auto")]),
        (b"import os, huggingface_hub as hub\n", [(1, "huggingface_hub")]),
        (b"from transformers.models.auto.tokenization_auto import AutoTokenizer\n", []),
        (b"from huggingface_hub.file_download import x\nimport transformersx\n", []),
        (b"from . import transformers\n", []),
        (b"# -*- coding: latin-1 -*-\nimport transformers  # caf\xe9\n", [(2, "transformers")]),
        # Every place a statement can be, at any depth: found as ast.walk finds them.
        (
            b"class C:\n    import transformers\n    def m(self):\n"
            b"        if x:\n            pass\n        else:\n            import huggingface_hub\n",
            [(2, "transformers"), (7, "huggingface_hub")],
        ),
        (
            b"try:\n    import transformers\nexcept ImportError:\n    import huggingface_hub\n"
            b"else:\n    import transformers.a\nfinally:\n    import transformers.b\n",
            [
                (2, "transformers"),
                (4, "huggingface_hub"),
                (6, "transformers.a"),
                (8, "transformers.b"),
            ],
        ),
        (
            b"while x:\n    with y:\n        pass\nelse:\n    for i in z:\n        pass\n"
            b"    else:\n        import transformers\n"
            b"match v:\n    case 1:\n        async def f():\n            import huggingface_hub\n",
            [(8, "transformers"), (12, "huggingface_hub")],
        ),
        (
            b"try:\n    pass\nexcept* ValueError:\n    import transformers\n"
            b"with a:\n    async with b:\n        import huggingface_hub\n",
            [(4, "transformers"), (7, "huggingface_hub")],
        ),
    ],
)
def test_root_imports_finds_each_form(source: bytes, expected: list[tuple[int, str]]) -> None:
    assert root_imports(source) == expected
    assert_statements_hold_every_import(source)


def assert_statements_hold_every_import(source: bytes) -> None:
    """The statements alone give the imports a walk over every node gives."""
    walked = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import | ast.ImportFrom)]
    found = [
        n for n in statements(ast.parse(source).body) if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    assert sorted(n.lineno for n in found) == sorted(n.lineno for n in walked)


def test_a_latin_1_source_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    """Issue 20: a Latin-1 byte in a file without a coding line stopped the whole check with
    ``UnicodeDecodeError``; now that file is one problem in the list, the others still checked."""
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"name = 'caf\xe9'\n")
    heavy = tmp_path / "heavy.py"
    heavy.write_bytes(b"from transformers import AutoTokenizer\n")
    problem, offender = heavy_root_offenders([latin, heavy], tmp_path)
    assert problem.startswith("latin.py: cannot be read as Python: ")
    assert "utf-8" in problem.lower()
    assert offender == "heavy.py:1: transformers"


def test_no_checked_file_imports_a_heavy_package_root() -> None:
    files = checked_files()
    assert ROOT / "src" / "codex_ml" / "interfaces" / "tokenizer.py" in files
    offenders = heavy_root_offenders(files, ROOT)
    assert not offenders, (
        "import these names from their defining modules (see DEFINED_IN in "
        "tests/test_import_boundaries.py), not the package root: " + "; ".join(offenders)
    )


@pytest.mark.parametrize(("public", "name", "defining"), DEFINED_IN)
def test_defining_module_gives_the_public_object(public: str, name: str, defining: str) -> None:
    exported: object = getattr(importlib.import_module(public), name)
    assert exported is getattr(importlib.import_module(defining), name)


# --- The runner's parts (src/runbook/__init__.py, LAYERS): every import points down. ---

RUNBOOK = ROOT / "src" / "runbook"


def runbook_layers() -> tuple[frozenset[str], ...]:
    """``LAYERS`` of ``src/runbook/__init__.py`` (the package root holds nothing else)."""
    import runbook  # noqa: PLC0415

    return runbook.LAYERS


def unit_of(module: str) -> str:
    """The part (folder) or top-level module of ``runbook.X.Y``: ``X``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def runbook_imports(source: bytes, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for each import of the runner in ``source`` (of ``module``).

    ``from runbook.x import y`` gives ``runbook.x.y`` when ``y`` may be a module, so that
    ``from runbook.gates import table`` counts as importing the ``gates`` part. A relative import is
    resolved against ``module``. Raises ``SyntaxError`` for a file that does not parse (including
    bytes that are not valid in the file's declared encoding).
    """
    package = module.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in statements(ast.parse(source).body):  # imports are statements (see above)
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "runbook" or base.startswith("runbook."):
                found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name == "runbook" or alias.name.startswith("runbook.")
            )
    return found


def layer_violations(
    module: str, imports: list[tuple[int, str]], layers: tuple[frozenset[str], ...]
) -> list[str]:
    """Each import of ``module`` that points sideways or up in ``layers``."""
    rank = {unit: depth for depth, units in enumerate(layers) for unit in units}
    own = unit_of(module)
    bad: list[str] = []
    for line, target in imports:
        other = unit_of(target)
        if other in {"", own} or other == "LAYERS":
            continue
        if other not in rank:
            bad.append(f"{line}: {target} is in no layer")
        elif rank[other] >= rank[own]:
            bad.append(f"{line}: {own} may not import {other}")
    return bad


def runner_modules() -> dict[str, Path]:
    """``runbook.x.y`` -> file, for every module of the runner."""
    modules: dict[str, Path] = {}
    for path in sorted(RUNBOOK.rglob("*.py")):
        relative = path.relative_to(ROOT / "src").with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("runbook.reports.sarif", b"from runbook.gates.tools import Tool\n", []),
        ("runbook.reports.sarif", b"from runbook.records import findings\n", []),
        ("runbook.reports.sarif", b"from runbook.reports.report import x\n", []),
        ("runbook.reports.sarif", b"from runbook import run\n", ["1: reports may not import run"]),
        (
            "runbook.gates.table",
            b"import runbook.running.execute\n",
            ["1: gates may not import running"],
        ),
        (
            "runbook.reports.x",
            b"def f():\n    from runbook.selection import impact\n",
            ["2: reports may not import selection"],
        ),
        (
            "runbook.running.cache",
            b"from ..reports import console\n",
            ["1: running may not import reports"],
        ),
        ("runbook.running.cache", b"from . import gitutil\n", []),
        (
            "runbook.records.result",
            b"from runbook.nowhere import x\n",
            ["1: runbook.nowhere.x is in no layer"],
        ),
        ("runbook.cli", b"import runbook.tracking.track, os\n", []),
    ],
)
def test_layer_violations_finds_each_form(module: str, source: bytes, expected: list[str]) -> None:
    imports = runbook_imports(source, module)
    assert layer_violations(module, imports, runbook_layers()) == expected
    assert_statements_hold_every_import(source)


def test_a_source_that_does_not_decode_is_reported_not_crashed_on() -> None:
    with pytest.raises(SyntaxError):
        runbook_imports(b"# -*- coding: utf-8 -*-\nx = '\xe9'\n", "runbook.run")


def test_every_runner_module_sits_in_a_layer_and_imports_only_below() -> None:
    layers = runbook_layers()
    placed = {unit for units in layers for unit in units}
    problems: list[str] = []
    for module, path in runner_modules().items():
        where = path.relative_to(ROOT)
        if module == "runbook":
            continue
        if unit_of(module) not in placed:
            problems.append(f"{where}: its part {unit_of(module)!r} is in no layer (LAYERS)")
            continue
        try:
            imports = runbook_imports(path.read_bytes(), module)
        except SyntaxError as exc:
            problems.append(f"{where}: cannot be read as Python: {exc}")
            continue
        problems.extend(f"{where}:{bad}" for bad in layer_violations(module, imports, layers))
    assert not problems, "imports must point down (src/runbook/__init__.py): " + "; ".join(problems)


def test_each_part_says_what_it_may_import() -> None:
    """The ``May import:`` line of each part's ``__init__.py`` names exactly the parts below it."""
    layers = runbook_layers()
    folders = {path.parent.name for path in RUNBOOK.glob("*/__init__.py")} - {"tools"}
    assert folders == {unit for units in layers for unit in units if (RUNBOOK / unit).is_dir()}
    for depth, units in enumerate(layers):
        below = [unit for earlier in layers[:depth] for unit in sorted(earlier)]
        for unit in units & folders:
            doc = ast.get_docstring(ast.parse((RUNBOOK / unit / "__init__.py").read_bytes())) or ""
            said = [line for line in doc.splitlines() if line.startswith("May import:")]
            expected = (
                "May import: " + (", ".join(below) if below else "nothing of the runner") + "."
            )
            assert said == [expected], f"src/runbook/{unit}/__init__.py: {said} != {expected!r}"


# --- The runner does not import the library (issue 18) ---------------------------------------

LIBRARY = frozenset({"codex_ml", "ingestion"})
ADAPTERS = {"runbook.tracking.track": frozenset({"codex_ml"})}
"""The one runner module that uses the library: MLflow tracking, through ``codex_ml.tracking``.
It runs only in the ``track`` nox session's own process, never in the runner's."""


def library_imports(source: bytes) -> list[tuple[int, str]]:
    """(line, module) for each import of ``codex_ml`` or ``ingestion`` in ``source``."""
    found: list[tuple[int, str]] = []
    for node in statements(ast.parse(source).body):  # imports are statements (see above)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.extend((node.lineno, name) for name in names if name.split(".")[0] in LIBRARY)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"from codex_ml.tracking import MlflowConfig\n", [(1, "codex_ml.tracking")]),
        (b"import os, ingestion.io_text\n", [(1, "ingestion.io_text")]),
        (b"def f():\n    import codex_ml\n", [(2, "codex_ml")]),
        (b"from runbook.gates import table\nimport codex_mlx\n", []),
    ],
)
def test_library_imports_finds_each_form(source: bytes, expected: list[tuple[int, str]]) -> None:
    assert library_imports(source) == expected
    assert_statements_hold_every_import(source)


def test_no_runner_module_imports_the_library() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for module, path in runner_modules().items()
        for line, name in library_imports(path.read_bytes())
        if name.split(".")[0] not in ADAPTERS.get(module, frozenset())
    ]
    assert not problems, "the runner may not import the library: " + "; ".join(problems)


RUNNER_PROCESS = (
    "runbook.cli",
    "runbook.reports.console",
    "runbook.patching.patch",
    "runbook.patching.canonicalize",
    "runbook.tracking.dashboard",
    "runbook.gates.wrapper",
)
"""What the noxfile and ``nox -s runbook`` import (``cli`` imports the console when it runs),
and the wrapper every tool's gate session runs."""


def test_the_runners_own_process_loads_no_library_module() -> None:
    """The runner's modules, imported in a fresh interpreter as the noxfile and ``nox -s
    runbook`` import them: no library module loads, not even through another module."""
    modules = [*RUNNER_PROCESS]
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(LIBRARY)!r}))\n"
    )
    # A clean environment, still followed by the tests gate (only the runner's files run in it:
    # the test depends on those, not on every change).
    env = followed({"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "src")})
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
