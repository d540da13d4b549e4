"""The project's bytecode written before the tests gate starts pytest
(runbook.selection.bytecode): checked-hash pycs, and pytest's pycs of the test modules checked
by their source's hash, written once, never stale."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runbook.selection import bytecode
from support import UNUSED_PLUGINS


def pyc(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def test_stale_modules_are_compiled_once_as_checked_hash_pycs(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    first, second = tmp_path / "pkg" / "__init__.py", tmp_path / "pkg" / "mod.py"
    first.write_text("")
    second.write_text("VALUE = 1\n")
    compiled, unwritable = bytecode.compile_stale(tmp_path)
    assert (compiled, unwritable) == ([str(first), str(second)], [])
    flags = int.from_bytes(pyc(second).read_bytes()[4:8], "little")
    assert flags == bytecode.CHECKED_HASH
    assert bytecode.compile_stale(tmp_path) == ([], [])  # current: only read and hashed
    assert bytecode.compile_stale(tmp_path / "missing") == ([], [])


def test_an_edit_that_keeps_size_and_time_is_never_met_by_stale_bytecode(tmp_path: Path) -> None:
    """What a timestamp pyc (Python's default) would miss: the import sees the edit, and the
    next compile replaces the pyc."""
    module = tmp_path / "mod.py"
    module.write_text("VALUE = 1\n")
    bytecode.compile_stale(tmp_path)
    stat = module.stat()
    module.write_text("VALUE = 2\n")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not bytecode.current(module, module.read_bytes())
    code = "import mod; print(mod.VALUE)"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "2"
    assert bytecode.compile_stale(tmp_path) == ([str(module)], [])
    assert bytecode.current(module, module.read_bytes())


def test_a_module_that_does_not_compile_is_left_and_an_unwritable_pyc_is_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "__pycache__").write_text("not a folder")  # the pyc cannot be written
    (tmp_path / "sub" / "mod.py").write_text("VALUE = 1\n")
    assert bytecode.compile_stale(tmp_path) == ([], [str(tmp_path / "sub" / "mod.py")])
    assert not pyc(tmp_path / "broken.py").exists()


TEST_MODULE = "VALUE = 1\n\n\ndef test_value() -> None:\n    assert VALUE == 1\n"


def pytest_pyc(source: Path) -> Path:
    from _pytest.assertion.rewrite import PYC_TAIL  # noqa: PLC0415

    return source.parent / "__pycache__" / (source.name[:-3] + PYC_TAIL)


def run_pytest(
    project: Path, *, write: bool, plugins: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    plugged = [arg for name in plugins for arg in ("-p", name)]
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNUSED_PLUGINS]
    argv += [*plugged, "tests"]
    return subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=False)


def code_of(pyc: Path) -> tuple[bytes, object]:
    data = pyc.read_bytes()
    return data[:16], marshal.loads(data[16:])  # noqa: S302 (the pyc this test made)


def test_pytests_pycs_of_the_test_modules_are_those_pytest_writes_and_pytest_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With this project's pytest settings: the header and code pytest itself writes, and
    pytest's own check takes them; the tests' helpers get checked-hash pycs, test modules none.
    The same for a ``-p`` plugin module, found as the import system finds it."""
    from _pytest.assertion.rewrite import _read_pyc  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage]

    shutil.copyfile(Path(__file__).parents[1] / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tests").mkdir()
    module = tmp_path / "tests" / "test_one.py"
    module.write_text(TEST_MODULE)
    (tmp_path / "tests" / "helper.py").write_text("HELP = 1\n")
    (tmp_path / "rewrittenplug").mkdir()
    (tmp_path / "rewrittenplug" / "__init__.py").write_text("")
    plugin = tmp_path / "rewrittenplug" / "hooks.py"
    plugin.write_text("def pytest_configure(config):\n    assert config is not None\n")
    done = run_pytest(tmp_path, write=True, plugins=("rewrittenplug.hooks",))
    assert done.returncode == 0, done.stdout + done.stderr
    by_pytest = code_of(pytest_pyc(module))
    plugin_by_pytest = pytest_pyc(plugin).read_bytes()
    shutil.rmtree(tmp_path / "tests" / "__pycache__")
    shutil.rmtree(tmp_path / "rewrittenplug" / "__pycache__")

    assert bytecode.rewrite_stale(tmp_path / "tests") == ([str(module)], [])
    assert code_of(pytest_pyc(module)) == by_pytest
    assert _read_pyc(module, pytest_pyc(module)) is not None
    assert bytecode.rewrite_stale(tmp_path / "tests") == ([], [])  # current: only hashed
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])  # pytest's: from its cwd
    assert bytecode.plugin_sources(["rewrittenplug.hooks", "no_such_plugin"]) == [plugin]
    assert bytecode.rewrite_sources([plugin]) == ([str(plugin)], [])
    assert pytest_pyc(plugin).read_bytes() == plugin_by_pytest  # byte for byte: its path too
    assert _read_pyc(plugin, pytest_pyc(plugin)) is not None
    assert bytecode.plugin_sources(["rewrittenplug"]) == [
        tmp_path / "rewrittenplug" / "__init__.py",
        plugin,
    ]
    assert bytecode.compile_stale(tmp_path / "tests") == (
        [str(tmp_path / "tests" / "helper.py")],
        [],
    )
    assert not pyc(module).exists()


def test_a_test_module_edit_that_keeps_size_and_time_is_never_met_by_pytests_stale_pyc(
    tmp_path: Path,
) -> None:
    """pytest's own check (size, whole seconds) would take the old pyc; the record's hash does
    not. A pyc another pytest wrote is made again, and one of a module that no longer parses
    is removed (pytest reports the module)."""
    from _pytest.assertion.rewrite import _read_pyc  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage]

    (tmp_path / "tests").mkdir()
    module = tmp_path / "tests" / "test_one.py"
    module.write_text(TEST_MODULE)
    bytecode.rewrite_stale(tmp_path / "tests")
    stat = module.stat()
    module.write_text(TEST_MODULE.replace("VALUE = 1", "VALUE = 2"))
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _read_pyc(module, pytest_pyc(module)) is not None  # pytest alone would run VALUE = 1
    assert bytecode.rewrite_stale(tmp_path / "tests") == ([str(module)], [])
    done = run_pytest(tmp_path, write=False)
    assert done.returncode == 1
    assert "assert 2 == 1" in done.stdout

    os.utime(pytest_pyc(module), ns=(1, 1))  # as if another pytest wrote it
    assert bytecode.rewrite_stale(tmp_path / "tests") == ([str(module)], [])
    module.write_text("def test_broken(:\n")
    assert bytecode.rewrite_stale(tmp_path / "tests") == ([], [])
    assert not pytest_pyc(module).exists()


def test_pytests_pycs_that_cannot_be_made_are_named_and_a_bad_record_is_made_again(
    tmp_path: Path,
) -> None:
    """A test module that cannot be read (a dangling link) or whose pyc cannot be written is
    named (each process then rewrites it, as before); a record that is not one is replaced."""
    assert bytecode.rewrite_stale(tmp_path / "missing") == ([], [])
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "__pycache__").write_text("not a folder")
    unwritable = tmp_path / "sub" / "test_one.py"
    unwritable.write_text(TEST_MODULE)
    (tmp_path / "test_gone.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "ok").mkdir()
    module = tmp_path / "ok" / "test_ok.py"
    module.write_text(TEST_MODULE)
    (tmp_path / "ok" / "__pycache__").mkdir()
    record = tmp_path / "ok" / "__pycache__" / bytecode.RECORD
    record.write_text("[]")
    written, named = bytecode.rewrite_stale(tmp_path)
    assert (written, named) == ([str(module)], [str(unwritable), str(tmp_path / "test_gone.py")])
    assert list(json.loads(record.read_text())) == [pytest_pyc(module).name]


def test_a_read_that_moves_the_access_time_is_no_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a module may move its access time (``relatime``, when the clock ticked since it
    was written): the module is still written and recorded, not taken for one edited while read."""
    module = tmp_path / "test_read.py"
    module.write_text(TEST_MODULE)
    read_bytes = Path.read_bytes

    def read_and_touch(path: Path) -> bytes:
        data = read_bytes(path)
        seen = path.stat()
        os.utime(path, ns=(seen.st_atime_ns + 1_000_000_000, seen.st_mtime_ns))
        return data

    monkeypatch.setattr(Path, "read_bytes", read_and_touch)
    assert bytecode.rewrite_stale(tmp_path) == ([str(module)], [])
    monkeypatch.undo()
    assert bytecode.rewrite_stale(tmp_path) == ([], [])  # recorded: current
