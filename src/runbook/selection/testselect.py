"""pytest plugin of the tests gate (``-p runbook.selection.testselect``): leave out the tests the
runner
found unaffected, and observe what a later selection needs to know about each test.

``runbook.selection.testgate`` sets the environment variables; without them the plugin does nothing.

Under pytest-xdist (``-n N``) each worker observes the tests it runs and hands its observations
to the controller as data (``workeroutput``); the controller merges them and writes the one
file, as a single process does. A worker that crashed or ended without its observations makes
the file say so (``incomplete``): its tests' data is lost, and the gate stores none of the run.

Child processes: for the session the plugin names a log in ``RUNBOOK_TESTSELECT_CHILD`` (rotated
per test), so a Python child of the tests environment started with the tests' environment logs
the project files it runs and opens and the processes it starts
(``runbook.selection.childwatch``); what it opens counts as read by the test. A test
whose
children could not all be followed (a program other than that Python or git, an environment
without the variable, ``-S``, a fork, a child that did not report) always runs, unless its
``child_reads`` marker declares the project files its children may run or read: then it depends
on those and on what was measured, and a followed child that ran an undeclared project file
fails the test. ``--runbook-children`` lists the unfollowed children and why.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.records import atomic
from runbook.selection.childwatch import (
    CHILD_ENV,
    OPEN_EVENTS,
    SPAWN_EVENTS,
    SRC_ENV,
    chain,
    spawn_facts,
    with_pair,
)
from runbook.selection.handoff import OBSERVE_ENV, ORDER_ENV, SHARD_ENV, SKIP_ENV, TOGETHER_ENV

WORKER_OUTPUT = "runbook_observed"
"""The key of a worker's observations in pytest-xdist's ``workeroutput``."""
MARKER = "child_reads"
"""``@pytest.mark.child_reads("src/runbook/*.py", ...)``: the project files (globs relative to
the root) that the test's child processes may run or read. A test whose children cannot all be
followed depends on them (and on what was measured) instead of always running."""
UNFOLLOWED_OK = frozenset({"git", "uname"})
"""Programs that cannot run project code: starting them never makes a test always run. ``uname``
starts nothing and runs no Python: every pytest-xdist worker starts it (``platform.platform()``
asks it for the processor), so without it every test that runs a nested gate on workers would
always run."""
_PYTHON = re.compile(r"python(\d+(\.\d+)*)?$")
_NO_SITE = frozenset("S")
"""The interpreter flag that skips site-packages' ``.pth`` files, hence the child's log."""


@dataclass(frozen=True)
class Watch:
    """What a followed child must have: this session's ``[root, log]`` pair in its environment,
    and this environment's interpreter (the only one with the ``.pth`` line)."""

    root: str
    log: str
    bin: str = field(default_factory=lambda: os.path.dirname(os.path.abspath(sys.executable)))  # noqa: PTH100, PTH120
    pid: int = field(default_factory=os.getpid)
    """The test process: what a fork of it runs is not measured (coverage stops at the fork)."""


def _runs_this_python(found: str, bin_dir: str) -> bool:
    """``found`` is this environment's interpreter, or a script of its ``bin`` that it runs."""
    if os.path.dirname(found) != bin_dir:  # noqa: PTH120
        return False
    if _PYTHON.match(Path(found).name):
        return True
    try:
        with Path(found).open("rb") as script:
            head = script.read(512).decode("utf-8", "replace").splitlines()[:2]
    except OSError:
        return False
    # A console script's shebang, or uv's /bin/sh trampoline for long paths on its second line.
    interpreter = bin_dir + os.sep + "python"
    return bool(head) and head[0].startswith("#!") and any(interpreter in h for h in head)


def judge(facts: dict[str, Any], watch: Watch) -> tuple[str, tuple[str, int] | None]:
    """Why a started process cannot be followed ("" when it can, or cannot run project code),
    and for a followed Python child the ``start`` line it must log: ``("pid", N)`` for an exec
    of process N, ``("ppid", N)`` for a child of process N."""
    event = str(facts["event"])
    if event in {"os.fork", "os.forkpty"}:
        # A fork of a followed child keeps its audit hook: it logs each module it goes on to
        # run, and the modules it inherited were logged when the parent ran them.
        if int(facts["by"]) != watch.pid:
            return "", None
        return "fork: the child runs this process's code unmeasured", None
    path = str(facts["path"])
    found = str(facts.get("found", path))
    program = Path(found or path).name
    if program in UNFOLLOWED_OK or not found:
        return "", None  # git runs no project code; no such program: nothing starts
    if not _runs_this_python(found, watch.bin):
        return f"{program} ({found}): not a Python of the tests environment", None
    why = _unwatched(program, facts, watch)
    return (why, None) if why else ("", ("pid" if event == "os.exec" else "ppid", int(facts["by"])))


def _unwatched(program: str, facts: dict[str, Any], watch: Watch) -> str:
    """Why a Python child of the tests environment will not log (or "" when it will)."""
    env = cast(dict[str, Any], facts["env"])
    if [watch.root, watch.log] not in [list(p) for p in chain(str(env.get("child", "")))]:
        return f"{program}: an environment without the gate's {CHILD_ENV}"
    if not env.get("watch"):
        return f"{program}: an environment without the gate's variables"
    for arg in cast(list[str], facts["argv"])[1:]:
        if arg in {"-c", "-m"} or not arg.startswith("-") or arg.startswith("--"):
            break
        if _NO_SITE & set(arg[1:]):
            return f"{program} {arg}: skips site-packages, hence the log"
    return ""


def unfollowed(facts: dict[str, Any], watch: Watch) -> str:
    """Why a started process cannot be followed ("" when it can, or cannot run project code)."""
    return judge(facts, watch)[0]


@dataclass
class SeenTest:
    ok: bool = True
    unfollowed: list[str] = field(default_factory=list[str])
    """Processes started whose code could not be followed: the test always runs (undeclared)."""
    child_files: list[str] = field(default_factory=list[str])
    """Project files the test's child processes ran, and those its marker declares."""
    declared: list[str] | None = None
    """The globs of the test's ``child_reads`` marker (None: no marker)."""
    lazy_imports: bool = False
    fixtures: list[str] = field(default_factory=list[str])
    seconds: float = 0.0
    """Set-up, call and tear-down (what ``--store-durations`` records for the shards)."""
    read: list[str] = field(default_factory=list[str])
    """Files under the root that project code opened during the test (not imports), and those
    its followed children opened (any file but bytecode)."""
    cache_donors: list[str] = field(default_factory=list[str])
    """Tests that computed cache entries this test used (``runbook.selection.isolation``)."""


_FOLDERS: dict[str, Path] = {}
"""Folder (absolute, as a module's ``__file__`` names it) -> the folder resolved."""


def resolved(path: str) -> Path:
    """``Path(path).resolve()``, resolving each folder once: the plugins look at the file of
    every module loaded (thousands, in a few hundred folders), and a resolve walks every
    component with a system call each. A file that is itself a symbolic link, or a relative
    path (relative to a working directory that tests change), is resolved whole."""
    folder, name = os.path.split(path)
    if not os.path.isabs(path) or name in {"", ".", ".."} or os.path.islink(path):  # noqa: PTH114, PTH117
        return Path(path).resolve()
    known = _FOLDERS.get(folder)
    if known is None:
        known = _FOLDERS[folder] = Path(folder).resolve()
    return known / name


def declared_files(root: Path, globs: Sequence[object]) -> tuple[set[str], str]:
    """The files (relative, POSIX) a ``child_reads`` marker declares, or the reason it is wrong."""
    files: set[str] = set()
    for pattern in globs:
        if not isinstance(pattern, str) or not pattern or Path(pattern).is_absolute():
            return set(), f"{MARKER}({pattern!r}): give globs relative to the project root"
        try:
            matched = {p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file()}
        except (ValueError, NotImplementedError) as exc:
            return set(), f"{MARKER}({pattern!r}): {exc}"
        if not matched:
            return set(), f"{MARKER}({pattern!r}) matches no file: a typo declares nothing"
        files |= matched
    return files, ""


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class Observer:
    """Per test: outcome, processes started, project modules imported, fixtures used."""

    src: Path
    root: Path
    skip: frozenset[str]
    out: Path
    worker: str = ""
    """pytest-xdist's worker id (``gw0``...), "" in a single process: each has its own log."""
    shard: dict[str, Any] | None = None
    """``SHARD_ENV``'s object: this session runs one part of the collected tests."""
    order: dict[str, float] | None = None
    """``ORDER_ENV``'s durations: the tests run whole modules at a time, longest first."""
    together: list[list[str]] = field(default_factory=list[list[str]])
    """``TOGETHER_ENV``'s groups of modules, each ordered as one unit."""
    current: str | None = None
    spawned: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    collected: list[str] = field(default_factory=list[str])
    tests: dict[str, SeenTest] = field(default_factory=dict[str, SeenTest])
    setups: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    """Fixture name (module or session scope) -> the tests during whose setup it was created."""

    collection_reads: list[str] = field(default_factory=list[str])
    """Files under the root that project code opened outside any test."""

    @functools.cached_property
    def watch(self) -> Watch:
        """The session's pair: one log path for the whole session (an environment copied from
        ``os.environ`` at import time still names it), rotated at the start and end of each test.
        Made once: it is read three times per test, and its fields do not change."""
        children = self.out.parent / "children" / self.worker
        return Watch(root=str(self.root), log=str(children / "current.log"))

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self.current is not None:
            self.spawned.append(spawn_facts(event, args))

    def opened(self, target: object) -> None:
        """A file opened: kept when it is under the root and project code (not the import
        system, pytest or coverage) opened it, directly or through a library."""
        if not isinstance(target, str | bytes | os.PathLike):
            return
        name = os.fsdecode(target)  # pyright: ignore[reportUnknownArgumentType]
        path = os.path.abspath(name)  # noqa: PTH100 (cheap: every open)
        if not path.startswith(self._prefix) or path.endswith(".pyc"):
            return
        importing = path.endswith(_CODE)
        frame = sys._getframe(2)  # pyright: ignore[reportPrivateUsage] (above the audit hook)
        while frame is not None:
            name = frame.f_code.co_filename
            if name == __file__ or f"{os.sep}_pytest{os.sep}" in name:
                return
            if importing and name.startswith(_IMPORT_SYSTEM):
                return
            if name.startswith(self._prefix) and not name.startswith(self._outside):
                break
            frame = frame.f_back
        else:
            return
        reads = self.tests[self.current].read if self.current else self.collection_reads
        if path not in reads:
            reads.append(path)

    @functools.cached_property
    def _prefix(self) -> str:
        """The root as a prefix of paths under it. Made once, as ``_outside``: ``opened`` reads
        both for every file opened."""
        return str(self.root) + os.sep

    @functools.cached_property
    def _outside(self) -> tuple[str, ...]:
        """Under the root but not project code: environments, tools. Made once: ``opened``
        reads it for each frame it walks, on every file a test opens (three paths joined each
        time were ~1.5 % of a full tests gate's samples, issue 21)."""
        return tuple(str(self.root / name) + os.sep for name in (".nox", ".tools", ".venv"))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        self.collected = [item.nodeid for item in items]
        left_out = self.skip | self.elsewhere()
        dropped = [item for item in items if item.nodeid in left_out]
        items[:] = [item for item in items if item.nodeid not in left_out]
        config.hook.pytest_deselected(items=dropped)
        if self.order is not None:
            self.longest_first(items, self.order, self.together)

    @staticmethod
    def longest_first(
        items: list[pytest.Item], durations: dict[str, float], together: list[list[str]]
    ) -> None:
        """Sort ``items`` whole modules at a time, longest first (a ``together`` group's
        modules as one, next to each other); a module's tests keep their order (a stable sort
        by the module's rank)."""
        from runbook.gates.shards import longest_first  # noqa: PLC0415 (measured: see elsewhere)

        ranked = longest_first([item.nodeid for item in items], durations, together)
        rank: dict[str, int] = {}
        for nodeid in ranked:
            rank.setdefault(_module(nodeid), len(rank))
        items.sort(key=lambda item: rank[_module(item.nodeid)])

    def elsewhere(self) -> frozenset[str]:
        """The collected tests that other shards run (none without a shard)."""
        # Imported here, not at the top: this module is imported before coverage starts, and
        # runbook.gates.shards is measured (its module's lines would be missed).
        from runbook.gates.shards import partition  # noqa: PLC0415

        shard = self.shard or {"index": 1, "count": 1, "durations": {}}
        index, count = int(shard["index"]), int(shard["count"])
        parts = partition(self.collected, cast(dict[str, float], shard["durations"]), count)
        return frozenset(self.collected) - frozenset(parts[index - 1])

    def _rotate(self) -> list[str]:
        """The lines logged since the last rotation (the log starts again empty)."""
        current = Path(self.watch.log)
        taken = current.with_name(f"{len(self.tests)}.log")
        try:
            current.replace(taken)
        except FileNotFoundError:
            return []
        return taken.read_text("utf-8", "replace").splitlines()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        seen = self.tests.setdefault(item.nodeid, SeenTest())
        seen.fixtures = list(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker(MARKER)
        seen.declared = None if marker is None else [str(a) for a in marker.args]
        before = sys.modules.copy()  # a dict copy (C): cheaper than a set of its names
        self._rotate()  # what children of earlier tests logged after those ended
        self.spawned = []
        self.current = item.nodeid
        try:
            return (yield)
        finally:
            self.current = None
            # Most tests import nothing new: that is checked without building a set.
            new = set[str]() if sys.modules.keys() <= before.keys() else sys.modules.keys() - before
            seen.lazy_imports = any(self._is_project(name) for name in new)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "teardown" and self.current == item.nodeid:
            problem = self.check_children(self.tests[item.nodeid])
            if problem:
                report.outcome = "failed"
                report.longrepr = f"{item.nodeid}: {problem}"
        return report

    def _read_log(self, seen: SeenTest) -> tuple[Counter[tuple[str, int]], list[dict[str, Any]]]:
        """The starts logged (by pid and by parent pid) and every process started, in the test
        and in its children; the files its children ran go to ``seen.child_files``."""
        spawned = list(self.spawned)
        starts: Counter[tuple[str, int]] = Counter()
        for line in self._rotate():
            kind, _, rest = line.partition(" ")
            if kind == "start":
                pid, _, ppid = rest.partition(" ")
                with contextlib.suppress(ValueError):  # unreadable: a start missing, not hidden
                    starts.update([("pid", int(pid)), ("ppid", int(ppid))])
            elif kind == "run" and rest not in seen.child_files:
                seen.child_files.append(rest)
            elif kind == "read" and rest not in seen.read:
                seen.read.append(rest)  # a followed child opened it: the test read it
            elif kind == "spawn":
                try:
                    spawned.append(cast(dict[str, Any], json.loads(rest)))
                except ValueError:
                    spawned.append({})  # cut short (a killed child): judged unfollowable
        return starts, spawned

    def check_children(self, seen: SeenTest) -> str:
        """Read the test's child log: files its children ran, processes none could follow;
        check them against the test's ``child_reads`` marker (a problem, or "")."""
        starts, spawned = self._read_log(seen)
        expected: Counter[tuple[str, int]] = Counter()
        watch = self.watch
        for facts in spawned:
            try:
                why, start = judge(facts, watch)
            except (KeyError, TypeError, ValueError, AttributeError):
                why, start = "a child's spawn record is unreadable", None
            if why and why not in seen.unfollowed:
                seen.unfollowed.append(why)
            elif start is not None:
                expected[start] += 1
        missing = sum((expected - starts).values())
        if missing:
            seen.unfollowed.append(
                f"{missing} Python child(ren) of the tests environment did not report "
                "(stopped before start-up ended, or could not write the log)"
            )
        if seen.declared is None:
            return ""
        declared, problem = declared_files(self.root, seen.declared)
        if problem:
            return problem
        ran = {self._relative(name) for name in seen.child_files} - {""}
        undeclared = sorted(ran - declared)
        if undeclared:
            return (
                f"its child processes ran {', '.join(undeclared[:5])}, which its "
                f"{MARKER} marker does not declare: add them to the marker"
            )
        named = {self._relative(name) for name in seen.child_files}
        seen.child_files.extend(str(self.root / name) for name in sorted(declared - named))
        return ""

    def _relative(self, name: str) -> str:
        try:
            return Path(name).resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return ""

    def _is_project(self, name: str) -> bool:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        return isinstance(path, str) and resolved(path).is_relative_to(self.src)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, object, object]:
        if fixturedef.scope != "function" and self.current is not None and self._ours(fixturedef):
            self.setups.setdefault(fixturedef.argname, []).append(self.current)
        return (yield)

    def _ours(self, fixturedef: pytest.FixtureDef[Any]) -> bool:
        """Defined in the project (pytest's and plugins' own fixtures never run its code)."""
        code = getattr(fixturedef.func, "__code__", None)
        filename = getattr(code, "co_filename", "")
        if not isinstance(filename, str):
            return True  # unknown: assume it may
        path = resolved(filename)
        return path.is_relative_to(self.root) and "site-packages" not in path.parts

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seen = self.tests.get(report.nodeid)
        if seen is not None:
            seen.seconds += report.duration
            seen.ok = seen.ok and not report.failed

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Hand the observations on: to the controller from a worker, else to this process's
        gathering (registered with the observer), which writes them."""
        output = cast(dict[str, Any] | None, getattr(session.config, "workeroutput", None))
        if output is not None:
            output[WORKER_OUTPUT] = self.observations()
            return
        gathering = session.config.pluginmanager.get_plugin(GATHERING)
        if isinstance(gathering, Gathering):
            gathering.parts.append(self.observations())

    def observations(self) -> dict[str, Any]:
        """What this process saw, as plain data."""
        return {
            "collected": self.collected,
            "setups": self.setups,
            "tests": {
                nodeid: {
                    "ok": seen.ok,
                    "spawns": bool(seen.unfollowed) and seen.declared is None,
                    "unfollowed": seen.unfollowed,
                    "declared": seen.declared,
                    "child_files": seen.child_files,
                    "lazy_imports": seen.lazy_imports,
                    "fixtures": seen.fixtures,
                    "seconds": seen.seconds,
                    "read": seen.read,
                    "cache_donors": seen.cache_donors,
                }
                for nodeid, seen in self.tests.items()
            },
            "collection_reads": self.collection_reads,
        }


def merged(parts: Sequence[dict[str, Any]], incomplete: Sequence[str]) -> dict[str, Any]:
    """The observations of one session from those of its processes (one, or one per worker):
    every worker collects the same tests and runs its share of them; a fixture of module or
    session scope is created once per worker, so each creation is kept."""
    collected: dict[str, None] = {}  # ordered sets
    setups: dict[str, list[str]] = {}
    tests: dict[str, Any] = {}
    reads: dict[str, None] = {}
    for part in parts:
        collected.update(dict.fromkeys(cast(list[str], part["collected"])))
        for name, donors in cast(dict[str, list[str]], part["setups"]).items():
            setups.setdefault(name, []).extend(donors)
        tests.update(cast(dict[str, Any], part["tests"]))
        reads.update(dict.fromkeys(cast(list[str], part["collection_reads"])))
    return {
        "collected": list(collected),
        "setups": setups,
        "tests": tests,
        "collection_reads": list(reads),
        "incomplete": list(incomplete),
    }


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class Gathering:
    """Writes the session's observations: those of this process (no pytest-xdist), or the
    workers' (in pytest-xdist's controller), with what was lost when a worker crashed."""

    out: Path
    parts: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    lost: list[str] = field(default_factory=list[str])
    """A worker that went down without handing over its observations, and why."""
    crashed: list[str] = field(default_factory=list[str])
    """The tests that were running when their worker crashed."""

    def result(self) -> dict[str, Any]:
        incomplete = [f"a worker crashed while running {nodeid}" for nodeid in self.crashed]
        if not incomplete:
            incomplete = list(self.lost)
        return merged(self.parts, incomplete)

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self) -> Generator[None, object, object]:
        try:
            return (yield)  # the observer (in one process) hands over its part first
        finally:
            atomic.write_text(self.out, json.dumps(self.result()))


_ACTIVE: list[Observer] = []
"""The observers of the running sessions; the audit hook (which cannot be removed) reads it."""
_HOOKED: list[bool] = []
_SAVED_ENV: list[str | None] = []
"""``RUNBOOK_TESTSELECT_CHILD`` as it was before the session (a nested gate's pytest)."""


_IMPORT_SYSTEM = "<frozen importlib"
_CODE = (".py", ".pyc", ".pyi", ".pth", ".so")
"""What the import system opens to import (its frames' opens of these are not the project's).
It opens data too, for ``pkgutil.get_data`` (a loader's ``get_data``): that counts."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in SPAWN_EVENTS:
        for observer in _ACTIVE:  # a nested session (pytester) does not hide the outer one
            observer.audit(event, args)
    elif event in OPEN_EVENTS:
        for observer in _ACTIVE:
            observer.opened(args[0])


@dataclass(eq=False)
class Controller:
    """pytest-xdist's hooks in its controller: each worker's observations into the gathering.
    (A plugin of its own: without pytest-xdist these hooks do not exist.)"""

    gathering: Gathering
    together: list[list[str]] = field(default_factory=list[list[str]])
    """``TOGETHER_ENV``'s groups: each group's modules are one unit of work, on one worker."""

    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        """pytest-xdist's file scheduler (``--dist loadfile``), with each ``together`` group's
        modules one unit: handed to one worker, which imports their heavy library once. None
        (pytest-xdist's own choice) without groups or for another ``--dist``."""
        if not self.together or config.getoption("dist") != "loadfile":
            return None
        from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415 (only on workers)

        # A group's first module names its unit (runbook.gates.shards.units, not imported here:
        # it is measured, and this process may be too).
        unit = {module: group[0] for group in self.together for module in group}

        class Together(LoadFileScheduling):
            def _split_scope(self, nodeid: str) -> str:
                module = _module(nodeid)
                return unit.get(module, module)

        return Together(config, log)

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        """A worker is down, with its observations or (crashed) without."""
        output = cast(dict[str, Any], getattr(node, "workeroutput", None) or {})
        part = output.get(WORKER_OUTPUT)
        if isinstance(part, dict):
            self.gathering.parts.append(cast(dict[str, Any], part))
            return
        name = str(getattr(getattr(node, "gateway", None), "id", "?"))
        self.gathering.lost.append(f"worker {name} ended without its observations ({error})")

    def pytest_handlecrashitem(self, crashitem: str) -> None:
        """The test a worker was running when it crashed."""
        self.gathering.crashed.append(crashitem)


OBSERVER = "runbook-testselect-observer"
GATHERING = "runbook-testselect-gathering"


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _distributing(config: pytest.Config) -> bool:
    """This is pytest-xdist's controller: it runs no test, its workers do."""
    if hasattr(config, "workerinput") or config.getoption("collectonly"):
        return False
    return str(getattr(config.option, "dist", "no")) != "no"


def pytest_configure(config: pytest.Config) -> None:
    out = os.environ.get(OBSERVE_ENV)
    if not out:
        return
    workerinput = cast(dict[str, Any] | None, getattr(config, "workerinput", None))
    together = cast(list[list[str]], json.loads(os.environ.get(TOGETHER_ENV) or "[]"))
    if workerinput is None:
        gathering = Gathering(out=Path(out))
        config.pluginmanager.register(gathering, GATHERING)
        if _distributing(config):
            controller = Controller(gathering, together)
            config.pluginmanager.register(controller, "runbook-testselect-controller")
            return  # the workers observe; the controller starts no test and no child
    skip_file = os.environ.get(SKIP_ENV)
    skip: frozenset[str] = frozenset()
    if skip_file:
        skip = frozenset(str(n) for n in json.loads(Path(skip_file).read_text("utf-8")))
    src = Path(os.environ.get(SRC_ENV, "src")).resolve()
    worker = str(workerinput["workerid"]) if workerinput is not None else ""
    shard_file = os.environ.get(SHARD_ENV)
    shard = json.loads(Path(shard_file).read_text("utf-8")) if shard_file else None
    order_file = os.environ.get(ORDER_ENV)
    order = json.loads(Path(order_file).read_text("utf-8")) if order_file else None
    root = config.rootpath.resolve()
    observer = Observer(
        src=src,
        root=root,
        skip=skip,
        out=Path(out),
        worker=worker,
        shard=shard,
        order=order,
        together=together,
    )
    watch = observer.watch
    Path(watch.log).parent.mkdir(parents=True, exist_ok=True)
    _SAVED_ENV.append(os.environ.get(CHILD_ENV))
    os.environ[CHILD_ENV] = with_pair(os.environ.get(CHILD_ENV), watch.root, watch.log)
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    _ACTIVE.append(observer)
    config.pluginmanager.register(observer, OBSERVER)


def pytest_unconfigure(config: pytest.Config) -> None:
    observer = config.pluginmanager.get_plugin(OBSERVER)
    if observer is not None and observer in _ACTIVE:
        _ACTIVE.remove(observer)
        saved = _SAVED_ENV.pop()
        if saved is None:
            os.environ.pop(CHILD_ENV, None)
        else:
            os.environ[CHILD_ENV] = saved


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runbook-children",
        action="store_true",
        help="list each test whose child processes the tests gate cannot follow, and why",
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    gathering = config.pluginmanager.get_plugin(GATHERING)
    if not isinstance(gathering, Gathering) or not config.getoption("--runbook-children"):
        return
    terminalreporter.section("child processes the tests gate cannot follow")
    tests = cast(dict[str, dict[str, Any]], gathering.result()["tests"])
    for nodeid, seen in tests.items():
        if seen["unfollowed"]:
            declared = seen["declared"]
            verdict = "always runs" if declared is None else f"declares {declared}"
            terminalreporter.write_line(f"{nodeid} ({verdict}): {'; '.join(seen['unfollowed'])}")
