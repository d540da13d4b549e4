"""When is a killed process group gone? Waiting for it, so "killed" is true when it is written.

SIGKILL is delivered at once but a process takes time to die, more so on a busy machine. A
killed gate's children are reparented to init (or a subreaper) when the gate's leader dies,
and may stay zombies there until it reaps them: a zombie has released its memory and files
and runs no code, so it counts as gone. Linux's ``/proc`` tells zombies apart; elsewhere a
group is gone only when ``killpg(pgid, 0)`` says it no longer exists.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")
_DEAD_STATES = frozenset({"Z", "X", "x"})  # zombie, dead


def _stat_fields(pid_dir: Path) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name: state, ppid, pgrp, ..."""
    try:
        text = (pid_dir / "stat").read_text("ascii", errors="replace")
    except OSError:  # the process ended while we looked
        return None
    _, _, rest = text.rpartition(")")  # the command name may itself hold ")" or spaces
    return rest.split()


def live_members(pgid: int) -> list[int]:
    """Pids of the group's processes that are neither gone nor zombies (sorted)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return []
    except PermissionError:
        pass  # some member is not ours to signal: it exists; /proc says whether it runs
    if not PROC.is_dir():
        return [pgid]  # no /proc: the group exists, and we cannot tell zombies apart
    members: list[int] = []
    for pid_dir in PROC.iterdir():
        if not pid_dir.name.isdigit():
            continue
        fields = _stat_fields(pid_dir)
        if fields is None or len(fields) < 3:
            continue
        state, pgrp = fields[0], fields[2]
        if pgrp == str(pgid) and state not in _DEAD_STATES:
            members.append(int(pid_dir.name))
    return sorted(members)


def wait_gone(pgid: int, deadline: float) -> list[int]:
    """Poll until the group has no live member or ``deadline`` (monotonic) passes; returns the
    pids still alive then (empty: the whole group is gone)."""
    pause = 0.005
    while True:
        survivors = live_members(pgid)
        if not survivors or time.monotonic() >= deadline:
            return survivors
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.1)


def describe(survivors: list[int]) -> str:
    """The report's words for processes a SIGKILL did not end in time."""
    pids = ", ".join(str(pid) for pid in survivors)
    noun = "process" if len(survivors) == 1 else "processes"
    return f"{noun} {pids} still alive after SIGKILL"
