"""pytest plugin of the tests gate (``-p runbook.testselect``): leave out the tests the runner
found unaffected, and observe what a later selection needs to know about each test.

``runbook.testgate`` sets the environment variables; without them the plugin does nothing.
This file is omitted from coverage measurement (``[tool.coverage.run] omit``): it runs different
code in a full and in a selective run, and measuring it would make the total depend on the mode.
Stdlib and pytest only.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SKIP_ENV = "RUNBOOK_TESTSELECT_SKIP"
"""Path of a JSON list of node ids to deselect (the unaffected tests)."""
OBSERVE_ENV = "RUNBOOK_TESTSELECT_OBSERVE"
"""Path the observations are written to at the end of the session."""
SRC_ENV = "RUNBOOK_TESTSELECT_SRC"
"""The project's source directory: modules under it are project modules."""

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
UNMEASURED_OK = frozenset({"git"})
"""Programs that cannot run project code: starting them does not make a test always run."""


def _program(event: str, args: tuple[Any, ...]) -> str:
    """The name of the program an audited spawn event starts ("" when unknown)."""
    argv: Any = None
    if event == "subprocess.Popen":
        argv = args[0] or args[1]
    elif event == "os.system":
        argv = str(args[0]).split()[:1]
    elif event in {"os.posix_spawn", "os.exec"}:
        argv = args[0]
    elif event == "os.spawn":
        argv = args[1]
    if isinstance(argv, list | tuple) and argv:
        argv = argv[0]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(argv, str | bytes | os.PathLike):
        text = os.fsdecode(argv)  # pyright: ignore[reportUnknownArgumentType]
        return Path(text.split()[0] if " " in text and event != "os.exec" else text).name
    return ""


@dataclass
class SeenTest:
    ok: bool = True
    spawns: bool = False
    lazy_imports: bool = False
    programs: list[str] = field(default_factory=list[str])
    fixtures: list[str] = field(default_factory=list[str])


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class Observer:
    """Per test: outcome, processes started, project modules imported, fixtures used."""

    src: Path
    root: Path
    skip: frozenset[str]
    out: Path
    current: str | None = None
    collected: list[str] = field(default_factory=list[str])
    tests: dict[str, SeenTest] = field(default_factory=dict[str, SeenTest])
    setups: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    """Fixture name (module or session scope) -> the tests during whose setup it was created."""

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if event in SPAWN_EVENTS and self.current is not None:
            program = _program(event, args)
            if program not in UNMEASURED_OK:
                seen = self.tests[self.current]
                seen.spawns = True
                if program not in seen.programs:
                    seen.programs.append(program)

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
        self.current = item.nodeid
        try:
            return (yield)
        finally:
            self.current = None
            new = set(sys.modules) - before
            seen.lazy_imports = any(self._is_project(name) for name in new)

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
                    "spawns": seen.spawns,
                    "lazy_imports": seen.lazy_imports,
                    "programs": seen.programs,
                    "fixtures": seen.fixtures,
                }
                for nodeid, seen in self.tests.items()
            },
        }
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        tmp.replace(self.out)


_ACTIVE: list[Observer] = []
"""The observer of the running session; the audit hook (which cannot be removed) reads it."""
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _ACTIVE and event in SPAWN_EVENTS:
        _ACTIVE[-1].audit(event, args)


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
