"""The types gate's import graph and the reverse closure of a change
(runbook.typeselect.imports): pure functions, checked case by case."""

from __future__ import annotations

import pytest

from runbook.typeselect.imports import (
    FileIndex,
    ImportRef,
    dependencies,
    import_refs,
    reverse_closure,
    search_roots,
    targets,
)

ROOTS = ("", "src", "tests")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"import a\n", [ImportRef("a")]),
        (b"import a.b.c as x, d\n", [ImportRef("a.b.c"), ImportRef("d")]),
        (b"from a.b import c, d as e\n", [ImportRef("a.b", 0, ("c", "d"))]),
        (b"from . import x\n", [ImportRef("", 1, ("x",))]),
        (b"from ..p.q import r\n", [ImportRef("p.q", 2, ("r",))]),
        (b"from a import *\n", [ImportRef("a", 0, ("*",))]),
        # Anywhere in the tree: under TYPE_CHECKING, in functions, classes, try blocks.
        (
            b"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import T\n",
            [ImportRef("a", 0, ("T",)), ImportRef("typing", 0, ("TYPE_CHECKING",))],
        ),
        (b"def f():\n    import a.b\n", [ImportRef("a.b")]),
        (b"class C:\n    def m(self):\n        from .x import y\n", [ImportRef("x", 1, ("y",))]),
        (b"try:\n    import a\nexcept ImportError:\n    a = None\n", [ImportRef("a")]),
        (b"import a\nimport a\n", [ImportRef("a")]),
        (b"x = __import__('a')\n", []),  # pyright does not follow it either
    ],
)
def test_import_refs_finds_every_form(source: bytes, expected: list[ImportRef]) -> None:
    assert list(import_refs(source)) == expected


def test_a_file_that_does_not_parse_raises() -> None:
    with pytest.raises(SyntaxError):
        import_refs(b"import (\n")


@pytest.mark.parametrize("bad", [None, [], ["a", 0], ["a", -1, []], ["a", True, []], [1, 0, []]])
def test_a_stored_import_of_another_shape_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="not \\[module, level, names\\]"):
        ImportRef.from_json(bad)


def test_a_stored_import_reads_back() -> None:
    ref = ImportRef("a.b", 2, ("c", "*"))
    assert ImportRef.from_json(ref.to_json()) == ref


FILES = FileIndex(
    [
        "src/pkg/__init__.py",
        "src/pkg/a.py",
        "src/pkg/a.pyi",
        "src/pkg/sub/__init__.py",
        "src/pkg/sub/deep.py",
        "src/pkg/sub/other.py",
        "src/pkg/ns/mod.py",  # a namespace package: no __init__
        "src/lonely-stubs/__init__.pyi",
        "tests/helper.py",
        "tests/test_x.py",
        "noxfile.py",
        "scripts/tool.py",
        "scripts/sibling.py",
    ]
)


@pytest.mark.parametrize(
    ("ref", "importer", "expected"),
    [
        # import a.b.c: every package on the way, and the module
        (
            ImportRef("pkg.sub.deep"),
            "tests/test_x.py",
            {"src/pkg/__init__.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"},
        ),
        # a module and its stub both count
        (
            ImportRef("pkg.a"),
            "noxfile.py",
            {"src/pkg/__init__.py", "src/pkg/a.py", "src/pkg/a.pyi"},
        ),
        # from pkg import name: the package, and name as a submodule when it is one
        (
            ImportRef("pkg.sub", 0, ("deep", "NAME")),
            "noxfile.py",
            {"src/pkg/__init__.py", "src/pkg/sub/__init__.py", "src/pkg/sub/deep.py"},
        ),
        # from pkg import *: every module directly inside
        (
            ImportRef("pkg.sub", 0, ("*",)),
            "noxfile.py",
            {
                "src/pkg/__init__.py",
                "src/pkg/sub/__init__.py",
                "src/pkg/sub/deep.py",
                "src/pkg/sub/other.py",
            },
        ),
        # a namespace package's module
        (ImportRef("pkg.ns.mod"), "noxfile.py", {"src/pkg/__init__.py", "src/pkg/ns/mod.py"}),
        # relative imports from the importer's folder, up as many folders as dots minus one
        (
            ImportRef("", 1, ("other",)),
            "src/pkg/sub/deep.py",
            {"src/pkg/sub/__init__.py", "src/pkg/sub/other.py"},
        ),
        (
            ImportRef("a", 2, ("thing",)),
            "src/pkg/sub/deep.py",
            {"src/pkg/__init__.py", "src/pkg/a.py", "src/pkg/a.pyi"},
        ),
        (ImportRef("x", 9, ("y",)), "src/pkg/a.py", set[str]()),  # above the project root
        # extraPaths (tests) as a root: benchmarks import the corpus from tests/
        (ImportRef("helper"), "noxfile.py", {"tests/helper.py"}),
        # the importer's own folder (pyright's last resort for an absolute import)
        (ImportRef("sibling"), "scripts/tool.py", {"scripts/sibling.py"}),
        # a stub-only package
        (ImportRef("lonely"), "noxfile.py", {"src/lonely-stubs/__init__.pyi"}),
        # a third-party or standard module: no project file
        (ImportRef("json"), "src/pkg/a.py", set[str]()),
        # a file does not depend on itself
        (ImportRef("", 1, ("a",)), "src/pkg/a.py", {"src/pkg/__init__.py", "src/pkg/a.pyi"}),
    ],
)
def test_targets_are_every_file_an_import_may_resolve_to(
    ref: ImportRef, importer: str, expected: set[str]
) -> None:
    assert targets(ref, importer, ROOTS, FILES) == expected


def test_the_search_roots_end_with_the_importers_folders() -> None:
    assert search_roots("src/pkg/sub/deep.py", ROOTS) == [
        "",
        "src",
        "tests",
        "src/pkg/sub",
        "src/pkg",
    ]


def test_a_module_and_its_stub_depend_on_each_other() -> None:
    edges = dependencies({"src/pkg/a.py": (), "src/pkg/a.pyi": ()}, ROOTS, FILES)
    assert edges == {"src/pkg/a.py": {"src/pkg/a.pyi"}, "src/pkg/a.pyi": {"src/pkg/a.py"}}


EDGES = {
    "a.py": set[str](),
    "b.py": {"a.py"},
    "c.py": {"b.py"},
    "d.py": {"c.py", "x.py"},
    "x.py": set[str](),
    "y.py": {"x.py"},
    "cycle1.py": {"cycle2.py", "a.py"},
    "cycle2.py": {"cycle1.py"},
}


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["a.py"], {"a.py", "b.py", "c.py", "d.py", "cycle1.py", "cycle2.py"}),
        (["c.py"], {"c.py", "d.py"}),
        (["x.py"], {"x.py", "d.py", "y.py"}),
        (["d.py"], {"d.py"}),  # nothing imports it
        (["cycle2.py"], {"cycle1.py", "cycle2.py"}),
        (["b.py", "y.py"], {"b.py", "c.py", "d.py", "y.py"}),
        ([], set[str]()),
    ],
)
def test_the_reverse_closure_is_every_importer_at_any_depth(
    changed: list[str], expected: set[str]
) -> None:
    assert reverse_closure(changed, EDGES) == expected


def test_the_closure_of_a_real_layout() -> None:
    """From sources to the closure: a test importing a module through a package that
    re-exports it is reached; an unrelated module is not."""
    sources = {
        "src/lib/__init__.py": b"from lib.core import run\n",
        "src/lib/core.py": b"from lib import util\n",
        "src/lib/util.py": b"X = 1\n",
        "src/lib/alone.py": b"import json\n",
        "tests/test_lib.py": b"import lib\n",
        "tests/test_alone.py": b"def f():\n    from lib.alone import json\n",
    }
    index = FileIndex(sources)
    refs = {name: import_refs(text) for name, text in sources.items()}
    edges = dependencies(refs, ROOTS, index)
    assert reverse_closure(["src/lib/util.py"], edges) == {
        "src/lib/util.py",
        "src/lib/core.py",
        "src/lib/__init__.py",
        "tests/test_lib.py",
        "tests/test_alone.py",  # importing lib.alone runs lib/__init__
    }
    assert reverse_closure(["src/lib/alone.py"], edges) == {
        "src/lib/alone.py",
        "tests/test_alone.py",
    }
