"""Snapshot the paths a patch will touch, and put them back exactly.

Restoring from a snapshot rather than ``git apply -R`` does not depend on the reverse diff still
applying (a gate or a half-written apply may have touched a file). ``shielded`` holds Ctrl-C and
SIGTERM around the steps that must not stop half-way.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType


@dataclass(frozen=True)
class Saved:
    """One path as it was: absent, a symlink (its target) or a file (bytes and mode)."""

    path: str
    data: bytes | None = None
    mode: int = 0
    link: str | None = None


@dataclass(frozen=True)
class Snapshot:
    files: tuple[Saved, ...]
    new_dirs: tuple[str, ...]
    """Directories that did not exist (deepest first): removed again if left empty."""


def snapshot(root: Path, paths: Sequence[str]) -> Snapshot:
    saved: list[Saved] = []
    new_dirs: set[str] = set()
    for path in paths:
        full = root / path
        if full.is_symlink():
            saved.append(Saved(path, link=str(full.readlink())))
        elif full.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a directory in the work tree", path)
        elif full.exists():
            saved.append(Saved(path, data=full.read_bytes(), mode=full.stat().st_mode & 0o7777))
        else:
            saved.append(Saved(path))
        parent = full.parent
        while parent != root and not parent.exists():
            new_dirs.add(str(parent.relative_to(root)))
            parent = parent.parent
    deepest_first = sorted(new_dirs, key=lambda d: d.count("/"), reverse=True)
    return Snapshot(tuple(saved), tuple(deepest_first))


def restore(root: Path, snap: Snapshot) -> None:
    """Put every snapshotted path back exactly; remove files and directories the diff made."""
    for item in snap.files:
        full = root / item.path
        if full.is_symlink() or (full.exists() and not full.is_dir()):
            if item.data is not None and not full.is_symlink():
                full.write_bytes(item.data)
                full.chmod(item.mode)
                continue
            full.unlink()
        if item.link is not None:
            full.parent.mkdir(parents=True, exist_ok=True)
            full.symlink_to(item.link)
        elif item.data is not None:
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_bytes(item.data)
            full.chmod(item.mode)
    for directory in snap.new_dirs:
        with contextlib.suppress(FileNotFoundError, OSError):
            (root / directory).rmdir()  # only if empty: never remove what others put there


@contextlib.contextmanager
def shielded() -> Generator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, then raise KeyboardInterrupt.

    Used around the steps that must not stop half-way: applying, committing, restoring.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_interrupts() -> Generator[None]:
    """Treat SIGTERM (a killed ``nox``, a CI cancel) like Ctrl-C, so ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
