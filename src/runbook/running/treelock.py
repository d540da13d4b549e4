"""One runbook at a time per tree: an exclusive lock on ``.runbook/lock`` held for a whole run.

Two runbooks (two agents, or a person and an agent) in one checkout would both write
``.runbook/`` (reports, cache, history, logs), ``Codex_Questions.md`` and the tests gate's
``.coverage``, and a patch would change files under a running gate. The second run therefore
waits for the first, saying so; Ctrl-C while it waits changes nothing.

``flock`` rather than a pid file: the kernel drops the lock when its holder dies, however it
dies, so a crashed run never leaves a stale lock behind. The holder's pid is written into the
file only to name it in the waiting message. The lock is re-entrant within one thread, so
``nox -s patch`` can hold it from its first check to its commit around the gate run it makes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
from collections.abc import Callable, Generator
from pathlib import Path

LOCK_FILE = Path(".runbook") / "lock"
_PID_WIDTH = 12
"""The pid is written at a fixed width, in one write, so a reader never sees half of it."""

_held: dict[tuple[str, int], int] = {}
"""(lock path, thread id) -> how deeply that thread holds it."""
_held_guard = threading.Lock()


class LockError(OSError):
    """The lock file cannot be created or opened (a read-only tree, say): nothing ran."""


class WaitInterruptedError(KeyboardInterrupt):
    """Ctrl-C (or a stop signal) while waiting for the other run: nothing was changed."""


def _say_waiting(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def holder(path: Path) -> int | None:
    """The pid the current holder wrote, or None (not written yet, or not a pid)."""
    try:
        text = path.read_text("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def hold(root: Path, notify: Callable[[str], None] = _say_waiting) -> Generator[None]:
    """Hold the tree's lock for the block, waiting (and ``notify``-ing once) while another
    process holds it. Raises ``WaitInterruptedError`` on Ctrl-C while waiting, ``LockError``
    when the lock file cannot be opened."""
    path = (root / LOCK_FILE).resolve()
    key = (str(path), threading.get_ident())
    with _held_guard:
        depth = _held.get(key, 0)
        if depth:
            _held[key] = depth + 1
    if depth:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        _acquire(fd, path, notify)
        os.pwrite(fd, f"{os.getpid():>{_PID_WIDTH}}\n".encode(), 0)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _acquire(fd: int, path: Path, notify: Callable[[str], None]) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = holder(path)
        who = f"pid {pid}" if pid is not None else "pid unknown"
        try:  # from the message on: Ctrl-C right after it is still "while waiting"
            notify(f"runbook: waiting for another runbook in this tree ({who})…")
            fcntl.flock(fd, fcntl.LOCK_EX)  # Ctrl-C interrupts the wait (PEP 475)
        except KeyboardInterrupt:
            raise WaitInterruptedError from None
