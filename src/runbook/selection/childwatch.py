"""Follow a test's Python child processes: which project files they run, what they start.

``runbook.selection.testgate`` installs a one-line ``.pth`` file into the tests environment's
site-packages (as coverage.py's ``patch = subprocess`` does), which runs this file at the
start-up of every Python process of that environment, and does nothing there unless
``RUNBOOK_TESTSELECT_CHILD`` names logs. ``runbook.selection.testselect`` sets that variable for
the whole
session, so a child started with the tests' environment (inherited, or copied from
``os.environ`` at any time, even at import) appends to the logs it names: ``start PID PPID``,
every file under the log's project root it runs (``run PATH``, written before the code runs, so a
killed child has logged all it ran), every file under that root it opens, once (``read PATH``:
the data it reads; a change to one reruns the test) and every process it starts (``spawn JSON``,
judged by the plugin). The variable is a JSON list of ``[root, log]`` pairs: a test that runs
the tests gate on another project (a nested plugin) adds its pair and keeps the outer one, so
both follow. Stdlib only, and run without importing the project: the child imports what it
would have imported. Measured like the project's code: its functions by the tests that call
them, its child side (``install``, the audit hook) by tests in the test process, the module's
lines by a test that runs the file (the gate's pytest imports it before coverage starts).
"""

from __future__ import annotations

import json
import os
import sys

# Every Python child of the tests environment runs this file at start-up (a suite starts ~270):
# typing (5 ms) and collections (1 ms) are imported only for the type checker, and the ``.pth``
# line compiles the file itself rather than through runpy (which imports pkgutil and typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, cast
else:

    def cast(_type: object, value: object) -> object:
        """``typing.cast`` without importing typing: the value itself."""
        return value


CHILD_ENV = "RUNBOOK_TESTSELECT_CHILD"
SRC_ENV = "RUNBOOK_TESTSELECT_SRC"
WATCH_ENV = "RUNBOOK_TESTSELECT_WATCH"
"""Path of this file, for the ``.pth`` line."""
PTH_NAME = "runbook_childwatch.pth"
PTH_LINE = (
    "import os, sys; exec(\"p = os.environ['" + WATCH_ENV + "']\\n"
    "c = sys.modules['_frozen_importlib_external'].SourceFileLoader("
    "'runbook_childwatch', p).get_code('runbook_childwatch')\\n"
    "exec(c, {'__name__': 'runbook_childwatch', '__file__': p})\") "
    "if os.environ.get('" + CHILD_ENV + "') and os.environ.get('" + WATCH_ENV + "') else None\n"
)
"""Runs this file as ``runbook_childwatch`` (not through runpy.run_path, which would import
pkgutil and typing into every child). Its code comes as the import system's loader gets a
module's: from its bytecode when that matches the text (the tests gate writes ``src/``'s before
pytest starts), else compiled from the text. Compiling it cost each child 1.4 ms of CPU, the
bytecode 0.06 ms."""
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


def chain(value: str | None) -> list[tuple[str, str]]:
    """The ``[root, log]`` pairs of a ``RUNBOOK_TESTSELECT_CHILD`` value (none if malformed)."""
    if not value:
        return []
    try:
        pairs: object = json.loads(value)
    except ValueError:
        return []
    if not isinstance(pairs, list):
        return []
    found: list[tuple[str, str]] = []
    for pair in cast(list[object], pairs):
        if isinstance(pair, list) and len(cast(list[object], pair)) == 2:
            root, log = cast(list[object], pair)
            if isinstance(root, str) and isinstance(log, str):
                found.append((root, log))
    return found


def with_pair(value: str | None, root: str, log: str) -> str:
    """``value`` with the pair ``[root, log]`` added (once)."""
    pairs = [pair for pair in chain(value) if pair != (root, log)]
    return json.dumps([*map(list, pairs), [root, log]])


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


def _environment(env: object) -> dict[str, str]:
    """The child's environment: the given mapping, or this process's (inherited)."""
    from collections.abc import Mapping  # noqa: PLC0415 (only when a child starts one: see top)

    if not isinstance(env, Mapping):
        return dict(os.environ)
    pairs = cast(list[tuple[object, object]], list(env.items()))  # pyright: ignore[reportUnknownArgumentType]
    return {_text(key): _text(value) for key, value in pairs}


def _find(program: str, env: Mapping[str, str]) -> str:
    """The absolute path of the program a start would run, or "" when there is none."""
    if os.sep in program:
        path = os.path.abspath(program)  # noqa: PTH100 (no pathlib here)
        return path if os.access(path, os.X_OK) and not os.path.isdir(path) else ""  # noqa: PTH112
    for directory in os.get_exec_path(dict(env)):
        path = os.path.join(os.path.abspath(directory), program)  # noqa: PTH100, PTH118
        if os.access(path, os.X_OK) and not os.path.isdir(path):  # noqa: PTH112
            return path
    return ""


def spawn_facts(event: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """An audited process start as plain data: event, program (as given and as found), argv,
    the variables of the child's environment that matter, and the starting process."""
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
    environment = _environment(env)
    return {
        "event": event,
        "path": path,
        "found": _find(path, environment) if path else "",
        "argv": argv[:8],
        "env": {
            "child": environment.get(CHILD_ENV, ""),
            "watch": bool(environment.get(WATCH_ENV)),
        },
        "by": os.getpid(),
    }


_PAIRS = chain(os.environ.get(CHILD_ENV))
_SKIP = tuple({sys.prefix + os.sep, sys.base_prefix + os.sep, sys.exec_prefix + os.sep})
"""Files of the interpreter and its environment: not the project's."""
_SELF = os.path.abspath(os.environ.get(WATCH_ENV, __file__))  # noqa: PTH100
"""This file, run again when site-packages is on sys.path twice: the gate's, not the test's."""


def _log(log: str, line: str) -> None:
    """Append one line; an audit hook must never raise (it would fail the audited call)."""
    try:
        with open(log, "a", encoding="utf-8") as handle:  # noqa: PTH123 (no pathlib here)
            handle.write(line + "\n")
    except OSError:
        return


def _ran(filename: str) -> None:
    if not filename.startswith(("<", os.sep)):
        filename = os.path.abspath(filename)  # noqa: PTH100
    if filename.startswith(_SKIP) or filename == _SELF:
        return
    for root, log in _PAIRS:
        if filename.startswith(root + os.sep):
            _log(log, "run " + filename)


_BYTECODE = os.sep + "__pycache__" + os.sep
"""Where the import system reads and writes bytecode (a write goes through ``NAME.pyc.ID``)."""
_OPENED: set[str] = set()
"""The files this process opened that were considered for a ``read`` line (each once)."""
OPEN_EVENTS = frozenset({"open", "sqlite3.connect"})
"""Audit events that open a file by name (``open``: ``open``, ``io.open_code``, ``os.open``,
``FileIO``; an ``mmap`` maps a file already opened). Their first argument is the path, or a file
descriptor (already open: not a name)."""


def _opened(target: object) -> None:
    """A file opened by name: logged once as ``read`` when it is under a pair's root (bytecode
    and the environment's own files are not the project's data)."""
    name = _text(target)
    if not name or name.endswith(".pyc") or _BYTECODE in name:
        return
    path = name if name.startswith(os.sep) else os.path.abspath(name)  # noqa: PTH100
    if path in _OPENED or path.startswith(_SKIP):
        return
    _OPENED.add(path)
    if any(path == log for _, log in _PAIRS):
        return  # appending to a log (its own open comes through here) is not reading data
    for root, log in _PAIRS:
        if path.startswith(root + os.sep):
            _log(log, "read " + path)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in OPEN_EVENTS:
        _opened(args[0])
    elif event == "exec":
        filename = getattr(args[0], "co_filename", "")
        if isinstance(filename, str):
            _ran(filename)
    elif event == "cpython.run_file":
        _ran(_text(args[0]))
    elif event in SPAWN_EVENTS:
        line = "spawn " + json.dumps(spawn_facts(event, args))
        for _, log in _PAIRS:
            _log(log, line)


_INSTALLED = "_runbook_childwatch"
"""Set on ``sys`` once per process: site-packages can be on sys.path twice (lib and lib64)."""


def install(
    pairs: list[tuple[str, str]],
    add_hook: Callable[[Callable[[str, tuple[Any, ...]], None]], None] = sys.addaudithook,
    process: object = sys,
) -> bool:
    """Log this process's start to each pair's log and follow it with the audit hook, once per
    process (``process``: where that is marked); whether it did."""
    if not pairs or hasattr(process, _INSTALLED):
        return False
    setattr(process, _INSTALLED, True)
    for _, log in pairs:
        _log(log, f"start {os.getpid()} {os.getppid()}")
    add_hook(_audit)
    return True


if __name__ == "runbook_childwatch":  # run by the .pth line, in a child of the tests
    install(_PAIRS)
