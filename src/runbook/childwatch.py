"""Follow a test's Python child processes: which project files they run, what they start.

``runbook.testgate`` installs a one-line ``.pth`` file into the tests environment's
site-packages (as coverage.py's ``patch = subprocess`` does), which runs this file at the
start-up of every Python process of that environment, and does nothing there unless
``RUNBOOK_TESTSELECT_CHILD`` names a log. ``runbook.testselect`` sets that variable for the
duration of each test, so a child started with the test's environment appends to the log:
``start PID``, every project file it runs (``run PATH``, written before the code runs, so a
killed child has logged all it ran) and every process it starts (``spawn JSON``, judged by the
plugin). Stdlib only, and run without importing the project: the child imports what it would
have imported. Omitted from coverage: it is the gate's instrument, not the project's code.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any, cast

CHILD_ENV = "RUNBOOK_TESTSELECT_CHILD"
SRC_ENV = "RUNBOOK_TESTSELECT_SRC"
WATCH_ENV = "RUNBOOK_TESTSELECT_WATCH"
"""Path of this file, for the ``.pth`` line."""
PTH_NAME = "runbook_childwatch.pth"
PTH_LINE = (
    "import os; exec(\"import runpy; runpy.run_path(os.environ['" + WATCH_ENV + "'], "
    "run_name='runbook_childwatch')\") if os.environ.get('" + CHILD_ENV + "') and "
    "os.environ.get('" + WATCH_ENV + "') else None\n"
)
SPAWN_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.posix_spawn",
        "os.exec",
        "os.spawn",
        "os.fork",
        "os.forkpty",
    }
)


def _text(value: object) -> str:
    if isinstance(value, str | bytes | os.PathLike):
        return os.fsdecode(value)  # pyright: ignore[reportUnknownArgumentType]
    return ""


def _items(values: object) -> list[str]:
    if isinstance(values, str | bytes | os.PathLike):
        return [_text(values)]  # pyright: ignore[reportUnknownArgumentType]
    if isinstance(values, list | tuple):
        items = cast(list[object], list(values))  # pyright: ignore[reportUnknownArgumentType]
        return [_text(v) for v in items]
    return []


def _env_facts(env: object) -> dict[str, str] | None:
    """What matters of a child's environment: None when it inherits this process's."""
    if not isinstance(env, Mapping):
        return None
    pairs = cast(list[tuple[object, object]], list(env.items()))  # pyright: ignore[reportUnknownArgumentType]
    text = {_text(key): _text(value) for key, value in pairs}
    return {"child": text.get(CHILD_ENV, "")}


def spawn_facts(event: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """An audited process start as plain data: event, program path, argv, environment."""
    argv: list[str] = []
    path = ""
    env: object = None
    if event == "subprocess.Popen":
        argv = _items(args[1])
        path, env = _text(args[0]) or (argv[0] if argv else ""), args[3]
    elif event == "os.system":
        argv, path = ["/bin/sh", "-c", _text(args[0])], "/bin/sh"
    elif event in {"os.posix_spawn", "os.exec"}:
        path, argv, env = _text(args[0]), _items(args[1]), args[2]
    elif event == "os.spawn":
        path, argv, env = _text(args[1]), _items(args[2]), args[3]
    return {"event": event, "path": path, "argv": argv[:8], "env": _env_facts(env)}


_LOG_PATH = os.environ.get(CHILD_ENV, "")
_SRC = os.environ.get(SRC_ENV, "")


def _log(line: str) -> None:
    """Append one line; an audit hook must never raise (it would fail the audited call)."""
    try:
        with open(_LOG_PATH, "a", encoding="utf-8") as log:  # noqa: PTH123 (no pathlib here)
            log.write(line + "\n")
    except OSError:
        return


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "exec":
        filename = getattr(args[0], "co_filename", "")
        if isinstance(filename, str) and filename.startswith(_SRC + os.sep):
            _log("run " + filename)
    elif event == "cpython.run_file":
        _log("run " + os.path.abspath(_text(args[0])))  # noqa: PTH100
    elif event in SPAWN_EVENTS:
        _log("spawn " + json.dumps(spawn_facts(event, args)))


_INSTALLED = "_runbook_childwatch"
"""Set on ``sys`` once per process: site-packages can be on sys.path twice (lib and lib64)."""

if __name__ == "runbook_childwatch" and _LOG_PATH and _SRC and not hasattr(sys, _INSTALLED):
    setattr(sys, _INSTALLED, True)
    _log(f"start {os.getpid()}")
    sys.addaudithook(_audit)
