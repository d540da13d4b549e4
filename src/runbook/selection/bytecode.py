"""The project's own bytecode, written once before the tests gate starts pytest.

Every process of a test run (pytest, its workers, the children the tests start, the gates the
tests run) imports the project's modules; where ``PYTHONDONTWRITEBYTECODE`` is set (shared
machines) none of them writes the bytecode it compiles, so each compiles the same sources again
(the environment's packages are compiled as they install: the noxfile's ``COMPILED``). So the
gate compiles what changed under ``src/`` first, as *checked-hash* pycs (PEP 552): Python
compares the source's hash with the one recorded before it uses one, so an edit is never met by
stale bytecode, whatever the file's size and modification time (timestamp pycs, Python's
default, can miss an edit that keeps both). A file whose pyc is already checked-hash and
current is only read and hashed.

The test modules pytest imports through its assertion rewriting (``rewrite_stale``) have pycs of
pytest's own, which pytest reads whatever the variable but writes only without it: each process
rewrote and compiled every test module again (2.1 of the 4.2 CPU-s a collection took under the
tests gate's coverage, paid by every pytest-xdist worker). pytest checks its pycs by the source's
size and modification time only, so the gate writes them itself and keeps, beside them, the hash
of the source each was made from and the pyc's own size and time: one that does not match them
(an edit that kept size and time, a pyc another pytest wrote) is made again before pytest starts.
pytest rewrites its plugins' modules too (the gate's own ``-p`` plugins, and every module of
pytest-cov and pytest-xdist, which it loads through their entry points): in every pytest process
the gate and its tests start, ~0.06 CPU-s each and ~0.1 in pytest-xdist's controller, so the gate
writes their pycs the same way (``plugin_sources``).
"""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import hashlib
import importlib.util
import json
import marshal
import os
import py_compile
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from types import CodeType

from runbook.records import atomic

CHECKED_HASH = 0b11
"""A pyc's flags word (bytes 4-8) for a hash-based pyc whose source is checked (PEP 552)."""


def current(source: Path, data: bytes) -> bool:
    """Whether ``source``'s pyc is checked-hash and recorded ``data``'s hash."""
    try:
        with Path(importlib.util.cache_from_source(str(source))).open("rb") as pyc:
            header = pyc.read(16)
    except OSError:
        return False
    return (
        header[:4] == importlib.util.MAGIC_NUMBER
        and int.from_bytes(header[4:8], "little") == CHECKED_HASH
        and header[8:16] == importlib.util.source_hash(data)
    )


REWRITTEN = ("test_*.py", "*_test.py", "conftest.py")
"""What pytest imports through its assertion rewriting: its default ``python_files`` (the
project sets none) and conftest files. Their plain pycs would go unused."""
RECORD = "runbook-rewritten.json"
"""In each ``__pycache__`` holding pytest's pycs: ``{pyc name: [source sha256, pyc mtime_ns,
pyc size]}`` for those this module wrote."""


def _rewritten(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in REWRITTEN)


def compile_stale(folder: Path) -> tuple[list[str], list[str]]:
    """Write a checked-hash pyc for each module under ``folder`` whose pyc is missing, not
    checked-hash or stale. Returns the modules compiled, and those whose pyc could not be
    written (each process then compiles them, as before); a module that does not compile is
    left to the import that reports it."""
    compiled: list[str] = []
    unwritable: list[str] = []
    for source in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
        if _rewritten(source) or "__pycache__" in source.parts:
            continue  # pytest's own pycs: rewrite_stale
        try:
            if current(source, source.read_bytes()):
                continue
            py_compile.compile(
                str(source),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
        except py_compile.PyCompileError:
            continue  # a syntax error: pytest reports it where the module is imported
        except OSError:
            unwritable.append(str(source))
        else:
            compiled.append(str(source))
    return compiled, unwritable


def _pytest_tail() -> str:
    """pytest's name ending for its pycs (``_pytest.assertion.rewrite.PYC_TAIL``), without
    importing pytest's rewriting (a third of a second) when nothing is stale."""
    from _pytest._version import version  # noqa: PLC0415 (only where the tests run)

    return f".{sys.implementation.cache_tag}-pytest-{version}.pyc"


def _pytest_pyc(code: CodeType, mtime: float, size: int) -> bytes:
    """A pyc as pytest writes one (``_pytest.assertion.rewrite._write_pyc_fp``): a timestamp
    header of the source's whole seconds and size."""
    header = struct.pack("<LL", int(mtime) & 0xFFFFFFFF, size & 0xFFFFFFFF)
    return importlib.util.MAGIC_NUMBER + b"\x00\x00\x00\x00" + header + marshal.dumps(code)


def rewrite_stale(folder: Path) -> tuple[list[str], list[str]]:
    """Write pytest's pyc of each test module under ``folder`` (``REWRITTEN``) whose pyc is
    missing or does not match the record (``RECORD``): its source's hash, the pyc's own size and
    time. Returns the modules rewritten and those whose pyc could not be written (pytest then
    rewrites them in each process, as before); a module that does not parse is left to pytest,
    which reports it, and its pyc is removed."""
    sources = sorted(p for p in folder.rglob("*.py") if _rewritten(p)) if folder.is_dir() else []
    return rewrite_sources(sources)


def plugin_sources(names: Sequence[str]) -> list[Path]:
    """The files of the plugin modules and packages ``names`` (not imported: found as the
    import system would find them here), which pytest imports through its assertion rewriting
    too: a ``-p`` plugin module, and every module of a distribution with a pytest plugin entry
    point. A name not installed has none."""
    found: list[Path] = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.origin is None:
            continue
        if spec.submodule_search_locations:  # a package: every module of it
            for location in spec.submodule_search_locations:
                found.extend(sorted(Path(location).rglob("*.py")))
        elif spec.origin.endswith(".py"):
            found.append(Path(spec.origin))
    return found


def rewrite_sources(sources: Sequence[Path]) -> tuple[list[str], list[str]]:
    """``rewrite_stale`` for the given modules: each ``__pycache__`` holding one of them is this
    call's (its record keeps only these)."""
    if not sources:
        return [], []
    tail = _pytest_tail()
    written: list[str] = []
    unwritable: list[str] = []
    for cache, group in _by_cache(list(sources)).items():
        record = _load_record(cache / RECORD)
        kept: dict[str, list[object]] = {}
        for source in group:
            pyc = cache / (source.name[:-3] + tail)
            try:
                before = source.stat()
                data = source.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                found = pyc.stat() if pyc.exists() else None
            except OSError:
                unwritable.append(str(source))
                continue
            entry: list[object] | None = None
            if found is not None:
                entry = [digest, found.st_mtime_ns, found.st_size]
            if entry is not None and record.get(pyc.name) == entry:
                kept[pyc.name] = entry
                continue
            with contextlib.suppress(OSError):
                pyc.unlink()  # stale or unknown: never left for pytest to trust
            code = _rewrite(source, data)
            if code is None or _edited(before, source.stat()):
                continue  # does not parse, or changed while read: pytest rewrites it
            try:
                cache.mkdir(exist_ok=True)
                atomic.write_bytes(pyc, _pytest_pyc(code, before.st_mtime, before.st_size))
                made = pyc.stat()
            except OSError:
                unwritable.append(str(source))
                continue
            kept[pyc.name] = [digest, made.st_mtime_ns, made.st_size]
            written.append(str(source))
        if kept != record:
            _save_record(cache / RECORD, kept)
    return written, unwritable


def _edited(before: os.stat_result, after: os.stat_result) -> bool:
    """Whether the file was replaced or written between two looks: its inode, size or time
    moved. Not its access time, which the read itself may move (``relatime``): comparing
    whole stats made a module read while the clock ticked look edited, at random."""
    return (before.st_ino, before.st_size, before.st_mtime_ns) != (
        after.st_ino,
        after.st_size,
        after.st_mtime_ns,
    )


def _by_cache(sources: list[Path]) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for source in sources:
        groups.setdefault(source.parent / "__pycache__", []).append(source)
    return groups


def _load_record(path: Path) -> dict[str, list[object]]:
    try:
        loaded: object = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # none or unreadable: every pyc is made again
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if isinstance(v, list)}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _save_record(path: Path, record: dict[str, list[object]]) -> None:
    with contextlib.suppress(OSError):  # unsaved: the next run makes these pycs again
        atomic.write_text(path, json.dumps(record, sort_keys=True))


def _rewrite(source: Path, data: bytes) -> CodeType | None:
    """The module's code as pytest's import hook makes it (``_rewrite_test``: the project does
    not set ``enable_assertion_pass_hook``, the only setting it reads), or None."""
    from _pytest.assertion.rewrite import rewrite_asserts  # noqa: PLC0415 (only when stale)

    try:
        tree = ast.parse(data, filename=str(source))
        rewrite_asserts(tree, data, str(source), None)
        return compile(tree, str(source), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
