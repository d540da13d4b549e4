"""transformers and huggingface_hub are imported from their defining modules, never the root.

Both package roots are lazy-import tables whose ``TYPE_CHECKING`` branch imports every module of
the package, so one ``from transformers import X`` makes pyright parse and bind about 3,000 files
(~12 s of a ~20 s types gate). Importing from the defining module gives the same object at run
time (checked here) and keeps the strict types gate fast, with nothing left unchecked.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Packages whose root module must not be imported by the files pyright checks.
HEAVY_ROOTS = frozenset({"transformers", "huggingface_hub"})
# (public module, name, defining module) for each name the project imports from a submodule.
DEFINED_IN = [
    ("transformers", "AutoTokenizer", "transformers.models.auto.tokenization_auto"),
    ("transformers", "PreTrainedTokenizerFast", "transformers.tokenization_utils_tokenizers"),
    ("huggingface_hub", "try_to_load_from_cache", "huggingface_hub.file_download"),
]


def root_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for each import of a heavy package's root module in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in HEAVY_ROOTS:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            # `import transformers.x` binds the name `transformers`: the root is resolved too.
            found.extend(
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.split(".")[0] in HEAVY_ROOTS
            )
    return found


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
        ("from transformers import AutoTokenizer\n", [(1, "transformers")]),
        ("def f():\n    from huggingface_hub import x\n", [(2, "huggingface_hub")]),
        ("import transformers.models.auto\n", [(1, "transformers.models.auto")]),
        ("import os, huggingface_hub as hub\n", [(1, "huggingface_hub")]),
        ("from transformers.models.auto.tokenization_auto import AutoTokenizer\n", []),
        ("from huggingface_hub.file_download import x\nimport transformersx\n", []),
        ("from . import transformers\n", []),
    ],
)
def test_root_imports_finds_each_form(source: str, expected: list[tuple[int, str]]) -> None:
    assert root_imports(source) == expected


def test_no_checked_file_imports_a_heavy_package_root() -> None:
    files = checked_files()
    assert ROOT / "src" / "codex_ml" / "interfaces" / "tokenizer.py" in files
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in root_imports(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        "import these names from their defining modules (see DEFINED_IN in "
        "tests/test_import_boundaries.py), not the package root: " + "; ".join(offenders)
    )


@pytest.mark.parametrize(("public", "name", "defining"), DEFINED_IN)
def test_defining_module_gives_the_public_object(public: str, name: str, defining: str) -> None:
    exported: object = getattr(importlib.import_module(public), name)
    assert exported is getattr(importlib.import_module(defining), name)
