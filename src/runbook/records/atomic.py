"""Files written whole or not at all: another process reads the old content or the new, never a mix.

Every file that carries a result between processes (a gate's ``result.json``, the selection data,
the types baseline, the cache, the findings, SARIF, the durations) is written here: into a new
temporary file beside the target (same directory, so the same file system and ``os.replace`` is
atomic), then moved over the target. The temporary name holds the process id and a random part,
so two writers (pytest-xdist workers, two gates, two runs) never share one; on any failure it is
removed and the target is left as it was, and the error goes on to the caller.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def _temporary(target: Path) -> Path:
    # os.urandom is what secrets.token_hex reads; importing secrets (hmac, hashlib) cost ~5 ms of
    # every gate process, the tests' 109 stand-in gates included (issue 21: suite CPU).
    return target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


@contextmanager
def writing(target: Path, encoding: str = "utf-8") -> Generator[TextIO, None, None]:
    """A text handle whose content replaces ``target`` when the block ends without an error."""
    tmp = _temporary(target)
    try:
        with tmp.open("x", encoding=encoding) as handle:
            yield handle
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Replace ``target``'s content with ``text``, atomically."""
    with writing(target, encoding) as handle:
        handle.write(text)


def write_bytes(target: Path, data: bytes) -> None:
    """Replace ``target``'s content with ``data``, atomically."""
    tmp = _temporary(target)
    try:
        with tmp.open("xb") as handle:
            handle.write(data)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def copy_file(source: Path, target: Path) -> None:
    """Replace ``target`` with a copy of ``source``, atomically."""
    tmp = _temporary(target)
    try:
        import shutil  # noqa: PLC0415 (a gate's process writes its result, never copies: ~3 ms)

        shutil.copyfile(source, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
