"""pytest plugin of the tests gate (``-p runbook.testselect``): leave out the tests the runner
found unaffected, and observe what a later selection needs to know about each test.

``runbook.testgate`` sets the environment variables; without them the plugin does nothing.
This file is omitted from coverage measurement (``[tool.coverage.run] omit``): it runs different
code in a full and in a selective run, and measuring it would make the total depend on the mode.

Child processes: during each test the plugin names a log in ``RUNBOOK_TESTSELECT_CHILD``, so a
Python child of the tests environment started with the test's environment logs the project
files it runs and the processes it starts (``runbook.childwatch``). A test whose children could
not all be followed (a program other than that Python or git, an environment without the
variable, ``-S``, a fork, a child that did not report) is marked as one that always runs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.childwatch import CHILD_ENV, SPAWN_EVENTS, SRC_ENV, spawn_facts

SKIP_ENV = "RUNBOOK_TESTSELECT_SKIP"
"""Path of a JSON list of node ids to deselect (the unaffected tests)."""
OBSERVE_ENV = "RUNBOOK_TESTSELECT_OBSERVE"
"""Path the observations are written to at the end of the session."""
UNFOLLOWED_OK = frozenset({"git"})
"""Programs that cannot run project code: starting them never makes a test always run."""
_PYTHON = re.compile(r"python(\d+(\.\d+)*)?$")
_NO_SITE = frozenset("S")
"""The interpreter flag that skips site-packages' ``.pth`` files, hence the child's log."""


def unfollowed(facts: dict[str, Any], child_log: str) -> str:
    """Why a started process cannot be followed ("" when it can, or cannot run project code)."""
    if facts["event"] in {"os.fork", "os.forkpty"}:
        return "fork"
    path = str(facts["path"])
    program = Path(path).name
    if program in UNFOLLOWED_OK:
        return ""
    if not (_PYTHON.match(program) or Path(path).resolve() == Path(sys.executable).resolve()):
        return program or "unknown program"
    env = cast(dict[str, str] | None, facts["env"])
    if env is not None and env["child"] != child_log:
        return f"{program} (environment without the gate's variable)"
    for arg in cast(list[str], facts["argv"])[1:]:
        if arg in {"-c", "-m"} or not arg.startswith("-") or arg.startswith("--"):
            break
        if _NO_SITE & set(arg[1:]):
            return f"{program} {arg}"
    return ""


@dataclass
class SeenTest:
    ok: bool = True
    unfollowed: list[str] = field(default_factory=list[str])
    """Processes started whose code could not be followed: the test always runs."""
    child_files: list[str] = field(default_factory=list[str])
    """Project files the test's child processes ran."""
    lazy_imports: bool = False
    fixtures: list[str] = field(default_factory=list[str])
    read: list[str] = field(default_factory=list[str])
    """Files under the root that project code opened during the test (not imports)."""


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class Observer:
    """Per test: outcome, processes started, project modules imported, fixtures used."""

    src: Path
    root: Path
    skip: frozenset[str]
    out: Path
    current: str | None = None
    child_log: str = ""
    spawned: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    collected: list[str] = field(default_factory=list[str])
    tests: dict[str, SeenTest] = field(default_factory=dict[str, SeenTest])
    setups: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    """Fixture name (module or session scope) -> the tests during whose setup it was created."""

    collection_reads: list[str] = field(default_factory=list[str])
    """Files under the root that project code opened outside any test."""

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
        frame = sys._getframe(2)  # pyright: ignore[reportPrivateUsage] (above the audit hook)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(_NOT_PROJECT) or f"{os.sep}_pytest{os.sep}" in name:
                return
            if name.startswith(self._prefix) and not name.startswith(self._outside):
                break
            frame = frame.f_back
        else:
            return
        reads = self.tests[self.current].read if self.current else self.collection_reads
        if path not in reads:
            reads.append(path)

    @property
    def _prefix(self) -> str:
        return str(self.root) + os.sep

    @property
    def _outside(self) -> tuple[str, ...]:
        """Under the root but not project code: environments, tools."""
        return tuple(str(self.root / name) + os.sep for name in (".nox", ".tools", ".venv"))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        self.collected = [item.nodeid for item in items]
        if not self.skip:
            return
        kept = [item for item in items if item.nodeid not in self.skip]
        dropped = [item for item in items if item.nodeid in self.skip]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        seen = self.tests.setdefault(item.nodeid, SeenTest())
        seen.fixtures = list(getattr(item, "fixturenames", ()))
        before = set(sys.modules)
        self.child_log = str(self.out.parent / "children" / f"{len(self.tests)}.log")
        Path(self.child_log).parent.mkdir(parents=True, exist_ok=True)
        saved = os.environ.get(CHILD_ENV)
        os.environ[CHILD_ENV] = self.child_log
        self.spawned = []
        self.current = item.nodeid
        try:
            return (yield)
        finally:
            self.current = None
            if saved is None:
                os.environ.pop(CHILD_ENV, None)
            else:
                os.environ[CHILD_ENV] = saved
            self._children(seen)
            new = set(sys.modules) - before
            seen.lazy_imports = any(self._is_project(name) for name in new)

    def _children(self, seen: SeenTest) -> None:
        """Read the test's child log: files its children ran, processes none could follow."""
        spawned = list(self.spawned)
        starts = 0
        try:
            lines = Path(self.child_log).read_text("utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            kind, _, rest = line.partition(" ")
            if kind == "start":
                starts += 1
            elif kind == "run" and rest not in seen.child_files:
                seen.child_files.append(rest)
            elif kind == "spawn":
                spawned.append(json.loads(rest))
        followed = 0
        for facts in spawned:
            why = unfollowed(facts, self.child_log)
            if why and why not in seen.unfollowed:
                seen.unfollowed.append(why)
            elif not why and Path(str(facts["path"])).name not in UNFOLLOWED_OK:
                followed += 1
        if starts < followed:
            seen.unfollowed.append(f"{followed - starts} Python child(ren) did not report")

    def _is_project(self, name: str) -> bool:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        return isinstance(path, str) and Path(path).resolve().is_relative_to(self.src)

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
        path = Path(filename).resolve()
        return path.is_relative_to(self.root) and "site-packages" not in path.parts

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and report.nodeid in self.tests:
            self.tests[report.nodeid].ok = False

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        data = {
            "collected": self.collected,
            "setups": self.setups,
            "tests": {
                nodeid: {
                    "ok": seen.ok,
                    "spawns": bool(seen.unfollowed),
                    "unfollowed": seen.unfollowed,
                    "child_files": seen.child_files,
                    "lazy_imports": seen.lazy_imports,
                    "fixtures": seen.fixtures,
                    "read": seen.read,
                }
                for nodeid, seen in self.tests.items()
            },
            "collection_reads": self.collection_reads,
        }
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        tmp.replace(self.out)


_ACTIVE: list[Observer] = []
"""The observer of the running session; the audit hook (which cannot be removed) reads it."""
_HOOKED: list[bool] = []


_NOT_PROJECT = ("<frozen importlib", __file__)
"""Frames whose opens are not the project's: the import system's, this plugin's."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _ACTIVE and event in SPAWN_EVENTS:
        _ACTIVE[-1].audit(event, args)
    elif _ACTIVE and event == "open":
        _ACTIVE[-1].opened(args[0])


def pytest_configure(config: pytest.Config) -> None:
    out = os.environ.get(OBSERVE_ENV)
    if not out:
        return
    skip_file = os.environ.get(SKIP_ENV)
    skip: frozenset[str] = frozenset()
    if skip_file:
        skip = frozenset(str(n) for n in json.loads(Path(skip_file).read_text("utf-8")))
    src = Path(os.environ.get(SRC_ENV, "src")).resolve()
    observer = Observer(src=src, root=config.rootpath.resolve(), skip=skip, out=Path(out))
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    _ACTIVE.append(observer)
    config.pluginmanager.register(observer, "runbook-testselect-observer")


def pytest_unconfigure(config: pytest.Config) -> None:
    observer = config.pluginmanager.get_plugin("runbook-testselect-observer")
    if observer is not None and observer in _ACTIVE:
        _ACTIVE.remove(observer)
