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
"""

from __future__ import annotations

import importlib.util
import py_compile
from pathlib import Path

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


def compile_stale(folder: Path) -> tuple[list[str], list[str]]:
    """Write a checked-hash pyc for each module under ``folder`` whose pyc is missing, not
    checked-hash or stale. Returns the modules compiled, and those whose pyc could not be
    written (each process then compiles them, as before); a module that does not compile is
    left to the import that reports it."""
    compiled: list[str] = []
    unwritable: list[str] = []
    for source in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
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
