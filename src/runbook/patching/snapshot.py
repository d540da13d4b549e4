"""Snapshot the paths a patch will touch, and put them back exactly.

Restoring from a snapshot rather than ``git apply -R`` does not depend on the reverse diff still
applying (a gate or a half-written apply may have touched a file).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


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
