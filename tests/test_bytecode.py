"""The project's bytecode written before the tests gate starts pytest
(runbook.selection.bytecode): checked-hash pycs, written once, never stale."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from runbook.selection import bytecode


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
