"""pytest plugin of the tests gate (``-p runbook.selection.isolation``): state that outlives a
test is reset before the next one starts, in full and selective runs alike.

Test selection (``runbook.selection.impact``) knows what each test executed; it is sound only if
a test's outcome, and the code it executes, do not depend on which tests ran before it. State a
test leaves behind breaks that: a ``functools.cache`` filled by an earlier test (the later test
executes none of the cached function's lines, so an edit of them does not select it), an
environment variable, the working directory or a module attribute set and never restored. So,
around every test (set-up to tear-down, outside any coverage context):

* the ``functools.cache``/``lru_cache`` caches of the project's own modules (found once per
  loaded module: module-level functions, and methods, static and class methods, properties of
  the classes a module defines) are cleared when the test module changes, and within one test
  module a test that used an entry an earlier test computed (a hit, read from ``cache_info``)
  counts that test, and the tests it counts, as its donors: what the donors executed is what its
  value came from, so an edit of it reruns the test (``impact.plan`` checks donors' functions).
  Clearing before every test would give each test its own lines at the cost of computing every
  cached value again per test (measured: +60 % CPU on the ingestion tests); per test module it
  costs one computation per module;
* ``os.environ``, the working directory and ``sys.path`` are put back as they were;
* the attributes of the project's modules (``src/``, ``tests/``: every file under the root but
  environments) and of the modules they bind in their globals (``json`` for ``import json``), are
  put back: a rebound or deleted name gets its old value, a new name goes (a submodule imported
  meanwhile stays bound to its package).

What a test changes inside an object (a list it appends to, a registry) is not reset: that stays
the test's own business (``monkeypatch``). pytest's, pluggy's, coverage's, pytest-xdist's and this
gate's own modules are not reset (they run the session). ``--runbook-isolation`` lists what was
reset after which test, and what the resets cost.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest

from runbook.selection.testselect import OBSERVER, Observer, resolved

RUNNER_MODULES = ("_pytest", "pytest", "pluggy", "coverage", "pytest_cov", "xdist", "execnet")
"""Packages that run the session: their state is the session's, never a test's."""
GATE_MODULES = frozenset(
    {
        "runbook.selection.isolation",
        "runbook.selection.testselect",
        "runbook.selection.childwatch",
    }
)
"""The gate's own plugins: their state (the observer, the audit hook) lasts the session."""
OUTSIDE = (".nox", ".tools", ".venv")
"""Folders under the root that hold environments, not the project's code."""
ALWAYS = ("builtins", "os", "sys")
"""Library modules watched even when no project module binds them by name."""
PYTEST_VARIABLES = frozenset({"PYTEST_CURRENT_TEST"})
"""pytest's own: it sets and removes it around each test phase."""
_MISSING = object()


def _is_runner(name: str) -> bool:
    return name in GATE_MODULES or name.split(".", 1)[0] in RUNNER_MODULES


def _cached(value: object) -> Callable[[], object] | None:
    """The ``cache_clear`` of a ``functools.cache``/``lru_cache`` wrapper (None for others)."""
    clear = getattr(value, "cache_clear", None)
    info = getattr(value, "cache_info", None)
    if callable(clear) and callable(info) and hasattr(value, "__wrapped__"):
        return clear
    return None


def _inner(value: object) -> list[object]:
    """What a class attribute wraps: a static/class method's function, a property's accessors,
    and the ``__wrapped__`` chain of each (``functools.wraps``)."""
    found: list[object] = [value]
    for name in ("__func__", "fget", "fset", "fdel"):
        inner = getattr(value, name, None)
        if inner is not None:
            found.append(inner)
    chained: list[object] = []
    for start in found:
        item: object = start
        for _ in range(8):  # a wrapper of a wrapper: bounded, a cycle is not followed forever
            chained.append(item)
            item = getattr(item, "__wrapped__", None)
            if item is None:
                break
    return chained


@dataclass(frozen=True)
class Cache:
    """A ``functools`` cache: its ``cache_info`` (hits, misses) and ``cache_clear``."""

    name: str
    info: Callable[[], Any]
    clear: Callable[[], object]

    def counts(self) -> tuple[int, int]:
        info = self.info()
        return int(info.hits), int(info.misses)


def caches_of(module: ModuleType) -> list[Cache]:
    """Every cache a module defines: its functions', and the methods', static and class
    methods' and properties' of its classes."""
    name = module.__name__
    caches: list[Cache] = []
    values: list[object] = []
    for value in list(vars(module).values()):
        if getattr(value, "__module__", None) != name:
            continue  # imported from elsewhere: found with its own module
        values.append(value)
        if isinstance(value, type):
            values.extend(vars(value).values())
    for value in values:
        for item in _inner(value):
            clear = _cached(item)
            if clear is not None and all(c.clear != clear for c in caches):
                label = f"{name}.{getattr(item, '__qualname__', '?')}"
                caches.append(Cache(label, getattr(item, "cache_info"), clear))  # noqa: B009
    return caches


@dataclass
class Snapshot:
    """The state a test may leave behind, as it was before the test."""

    environ: dict[Any, Any]
    """``os.environ`` as the OS keeps it (``_raw_environ``): compared raw, decoded only when a
    test changed it."""
    cwd: str
    path: list[str]
    modules: list[tuple[ModuleType, dict[str, Any]]]

    @classmethod
    def take(cls, modules: list[ModuleType]) -> Snapshot:
        return cls(
            environ=_raw_environ(),
            cwd=os.getcwd(),  # noqa: PTH109 (a string, compared as one)
            path=list(sys.path),
            modules=[(module, dict(vars(module))) for module in modules],
        )

    def restore(self) -> list[str]:
        """Put everything back; what was changed (``"env X"``, ``"cwd"``, ``"attr m.x"``)."""
        reset: list[str] = []
        if _raw_environ() != self.environ:
            saved = _decoded(self.environ)
            for key in sorted(set(_environ()) - set(saved)):
                del os.environ[key]
                reset.append(f"env {key}")
            for key, value in saved.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value
                    reset.append(f"env {key}")
        if os.getcwd() != self.cwd:  # noqa: PTH109
            os.chdir(self.cwd)  # an error here is an error of the session: never hidden
            reset.append("cwd")
        if sys.path != self.path:
            sys.path[:] = self.path
            reset.append("sys.path")
        if not _all_unchanged(self.modules):
            for module, before in self.modules:
                reset.extend(_restore_module(module, before))
        return reset


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in PYTEST_VARIABLES}


_ENVIRON_DATA = cast(dict[Any, Any], getattr(os.environ, "_data"))  # noqa: B009 (not in typeshed)
"""CPython's ``os.environ`` keeps the environment in this dict, encoded as the OS holds it
(bytes on POSIX); its items are these decoded one by one."""
_RAW_PYTEST_VARIABLES = tuple(os.environ.encodekey(name) for name in PYTEST_VARIABLES)


def _raw_environ() -> dict[Any, Any]:
    """The environment less pytest's variables, undecoded: a dict copy in C. Taken before
    and after every test, where decoding each of the ~100 variables (``_environ``) cost
    ~0.3 CPU-s of a full run (issue 21); equal copies are equal environments."""
    raw = _ENVIRON_DATA.copy()
    for key in _RAW_PYTEST_VARIABLES:
        raw.pop(key, None)
    return raw


def _decoded(raw: dict[Any, Any]) -> dict[str, str]:
    """A ``_raw_environ`` copy as ``os.environ`` gives it: what ``_environ`` was then."""
    environ = os.environ
    return {environ.decodekey(key): environ.decodevalue(value) for key, value in raw.items()}


def _unchanged(now: dict[str, Any], before: dict[str, Any]) -> bool:
    """Same names bound to the same objects (``==`` on dicts checks identity first, in C)."""
    try:
        return now == before
    except Exception:  # noqa: BLE001 (a value's own __eq__ failed: compare by identity below)
        return False


def _all_unchanged(modules: list[tuple[ModuleType, dict[str, Any]]]) -> bool:
    """Every module's names bound to what they were (``_unchanged`` of each), compared in one
    C loop: after most tests nothing changed, and a Python call per watched module per test
    costs more than the comparison (under coverage's tracer most of all). False when any
    differs, or a value's own ``__eq__`` failed: each module is then looked at alone."""
    try:
        return [vars(module) for module, _ in modules] == [before for _, before in modules]
    except Exception:  # noqa: BLE001 (a value's own __eq__ failed: see _unchanged)
        return False


def _restore_module(module: ModuleType, before: dict[str, Any]) -> list[str]:
    names = vars(module)
    if _unchanged(names, before):
        return []
    reset: list[str] = []
    for key in list(names):
        if key not in before:
            value = names[key]
            if isinstance(value, ModuleType) and value.__name__ == f"{module.__name__}.{key}":
                continue  # a submodule imported since: its package keeps it bound
            del names[key]
            reset.append(f"attr {module.__name__}.{key}")
    for key, value in before.items():
        if names.get(key, _MISSING) is not value:
            names[key] = value
            reset.append(f"attr {module.__name__}.{key}")
    return reset


@dataclass(eq=False)  # registered as a plugin: hashed by identity
class Isolation:
    """Resets state around each test (see the module's docstring)."""

    root: Path
    scanned: set[str] = field(default_factory=set[str])
    """Names in ``sys.modules`` already looked at."""
    project: set[str] = field(default_factory=set[str])
    watched: dict[int, ModuleType] = field(default_factory=dict[int, ModuleType])
    """The modules whose attributes are put back (by id: modules are not hashable by value)."""
    caches: list[Cache] = field(default_factory=list[Cache])
    fillers: dict[str, set[str]] = field(default_factory=dict[str, set[str]])
    """Cache -> the tests that computed an entry since it was last cleared, and their donors."""
    donors: dict[str, set[str]] = field(default_factory=dict[str, set[str]])
    """Test -> the tests whose cache entries it used (and their donors, transitively)."""
    module: str = ""
    """The test module of the last test: the caches are cleared when it changes."""
    resets: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    """Test -> what had to be put back after it."""
    seconds: float = 0.0
    """CPU time spent finding, clearing, saving and restoring."""

    def is_project(self, module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or _is_runner(module.__name__):
            return False
        found = resolved(path)
        if not found.is_relative_to(self.root):
            return False
        parts = found.relative_to(self.root).parts
        return bool(parts) and parts[0] not in OUTSIDE and "site-packages" not in parts

    def scan(self) -> None:
        """Look at the modules loaded since the last scan (most tests load none: that is
        checked without building a set of the names)."""
        if sys.modules.keys() <= self.scanned:
            return
        for name in list(sys.modules.keys() - self.scanned):
            self.scanned.add(name)
            module = sys.modules.get(name)
            if not isinstance(module, ModuleType):
                continue
            if name in ALWAYS:
                self.watched[id(module)] = module
            if not self.is_project(module):
                continue
            self.project.add(name)
            self.watched[id(module)] = module
            for cache in caches_of(module):
                cache.clear()  # loaded during the last test: what it holds has no known filler
                self.caches.append(cache)
            for value in list(vars(module).values()):
                if isinstance(value, ModuleType) and not _is_runner(value.__name__):
                    self.watched[id(value)] = value

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        started = time.process_time()
        self.scan()
        module = item.nodeid.split("::", 1)[0]
        if module != self.module:
            for cache in self.caches:
                cache.clear()
            self.fillers.clear()
            self.module = module
        counts = [cache.counts() for cache in self.caches]
        saved = Snapshot.take(list(self.watched.values()))
        self.seconds += time.process_time() - started
        try:
            return (yield)
        finally:
            started = time.process_time()
            donors = self.count_donors(item.nodeid, counts)
            if donors:
                observer = item.config.pluginmanager.get_plugin(OBSERVER)
                if isinstance(observer, Observer) and item.nodeid in observer.tests:
                    observer.tests[item.nodeid].cache_donors = sorted(donors)
            reset = saved.restore()
            if reset:
                self.resets[item.nodeid] = reset
            self.seconds += time.process_time() - started

    def count_donors(self, nodeid: str, before: list[tuple[int, int]]) -> set[str]:
        """Which earlier tests' entries the test used (hits), and which caches it filled."""
        donors: set[str] = set()
        filled: list[str] = []
        if [cache.counts() for cache in self.caches[: len(before)]] == before:
            return donors  # no entry used or computed (most tests): none counted, none filled
        for cache, counted in zip(self.caches, before, strict=False):
            hits, misses = cache.counts()
            cleared = hits < counted[0] or misses < counted[1]  # by the test itself
            if hits > (0 if cleared else counted[0]):
                donors |= self.fillers.get(cache.name, set())
            if misses > (0 if cleared else counted[1]):
                filled.append(cache.name)
        donors.discard(nodeid)
        if donors:
            self.donors[nodeid] = donors
        for name in filled:
            self.fillers.setdefault(name, set()).update({nodeid, *donors})
        return donors


PLUGIN = "runbook-isolation"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runbook-isolation",
        action="store_true",
        help="list the state each test left behind that the tests gate put back, and the cost",
    )


def pytest_configure(config: pytest.Config) -> None:
    controller = getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")
    if not controller:  # pytest-xdist's controller runs no test: its workers reset
        config.pluginmanager.register(Isolation(root=config.rootpath.resolve()), PLUGIN)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    isolation = config.pluginmanager.get_plugin(PLUGIN)
    if not isinstance(isolation, Isolation) or not config.getoption("--runbook-isolation"):
        return
    terminalreporter.section("state put back between tests")
    for nodeid, reset in isolation.resets.items():
        terminalreporter.write_line(f"{nodeid}: {', '.join(reset)}")
    terminalreporter.write_line(
        f"{len(isolation.caches)} caches, {len(isolation.watched)} modules watched; "
        f"{isolation.seconds:.2f} s of CPU to clear, save and restore"
    )
