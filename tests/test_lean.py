"""The tests gate's plugin that leaves out work its pytest processes do not need
(runbook.selection.lean): the garbage collections at the end stop at the first that finds
nothing and still report every finalizer that raised; a conftest or another plugin of the
project keeps pytest-xdist's controller measured. (What it stops measuring:
tests/test_testgate_workers.py compares the data of a run on workers with that of one process,
arc for arc.)"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from runbook.selection import lean
from runbook.selection.handoff import PLUGINS
from support import UNUSED_PLUGINS, followed

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.mark.parametrize(
    ("found", "collections"), [((3, 1, 0, 5), 3), ((0,), 1), ((1, 1, 1, 1, 1, 1), 5)]
)
def test_the_collections_stop_after_the_first_that_finds_nothing(
    monkeypatch: pytest.MonkeyPatch, found: tuple[int, ...], collections: int
) -> None:
    results = iter(found)
    made: list[int] = []

    def collect() -> int:
        made.append(1)
        return next(results)

    monkeypatch.setattr(gc, "collect", collect)
    lean.collect_until_nothing(5)
    assert len(made) == collections


GARBAGE = """\
    import gc


    class Second:
        def __init__(self):
            self.me = self

        def __del__(self):
            raise RuntimeError("second round")


    class First:
        def __init__(self):
            self.me = self

        def __del__(self):
            Second()  # garbage only the next collection finds
            raise RuntimeError("first round")


    def test_leaves_cyclic_garbage():
        gc.disable()  # only the collections at the session's end find it
        First()
    """


def test_a_finalizer_that_raises_at_the_end_still_fails_the_run(tmp_path: Path) -> None:
    """Garbage that takes two collections to find (a finalizer leaves more): pytest reports
    both finalizers and fails the run, as with its five collections (after one collection only,
    the second would raise at the interpreter's exit, printed but not reported)."""
    (tmp_path / "test_garbage.py").write_text(textwrap.dedent(GARBAGE))
    env = followed({**os.environ, "PYTHONPATH": str(SRC)})
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNUSED_PLUGINS]
    argv += ["-p", lean.__name__]
    warnings = "error::pytest.PytestUnraisableExceptionWarning"
    proc = subprocess.run(
        [*argv, "-W", warnings, "test_garbage.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "multiple unraisable exception warnings" in output
    for finalizer in ("First", "Second"):
        warning = f"PytestUnraisableExceptionWarning: Exception ignored in: <function {finalizer}"
        assert warning in output


def _module(name: str, file: Path | None) -> types.ModuleType:
    module = types.ModuleType(name)
    if file is not None:
        module.__file__ = str(file)
    return module


def test_a_conftest_or_a_project_plugin_keeps_the_controller_measured(tmp_path: Path) -> None:
    root = tmp_path / "project"
    installed = root / ".nox/tests/lib/python3.11/site-packages"
    gates_own = [_module(name, root / f"src/{name.replace('.', '/')}.py") for name in PLUGINS]
    others = [
        object(),  # a plugin object, made by a module listed on its own
        _module("builtin", None),
        _module("xdist.plugin", installed / "xdist/plugin.py"),
        _module("elsewhere", tmp_path / "elsewhere.py"),
    ]
    assert not lean.runs_project_code([*gates_own, *others], root)
    for keeps in (
        _module("conftest", root / "tests/conftest.py"),
        _module("conftest", tmp_path / "conftest.py"),  # a conftest anywhere
        _module("calc.plugin", root / "src/calc/plugin.py"),  # -p calc.plugin
    ):
        assert lean.runs_project_code([*gates_own, *others, keeps], root), keeps
