"""What the tests gate puts back between tests and which caches it finds and counts
(runbook.selection.isolation), in process; the gate end to end is in test_selection_state.py."""

from __future__ import annotations

import functools
import os
import sys
import types
from pathlib import Path

import pytest

from runbook.selection.isolation import Cache, Isolation, Snapshot, caches_of


def module(name: str, **values: object) -> types.ModuleType:
    made = types.ModuleType(name)
    vars(made).update(values)
    return made


def test_everything_a_test_changed_is_put_back_and_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ISOLATION_KEPT", "1")
    monkeypatch.setenv("ISOLATION_GONE", "1")
    monkeypatch.delenv("ISOLATION_NEW", raising=False)
    monkeypatch.setattr(sys, "path", [*sys.path])
    subpackage = module("pkg.sub")
    first, second = object(), object()
    pkg = module("pkg", rebound=first, deleted=second)
    cwd = Path.cwd()
    saved = Snapshot.take([pkg])
    os.environ["ISOLATION_KEPT"] = "2"
    del os.environ["ISOLATION_GONE"]
    os.environ["ISOLATION_NEW"] = "3"
    os.chdir(tmp_path)
    sys.path.insert(0, "elsewhere")
    names = vars(pkg)
    names["rebound"] = object()
    del names["deleted"]
    names["added"] = 1
    names["sub"] = subpackage  # what importing pkg.sub binds: it stays
    reset = saved.restore()
    assert reset == [
        "env ISOLATION_NEW",
        "env ISOLATION_KEPT",
        "env ISOLATION_GONE",
        "cwd",
        "sys.path",
        "attr pkg.added",
        "attr pkg.rebound",
        "attr pkg.deleted",
    ]
    assert os.environ["ISOLATION_KEPT"] == "1"
    assert os.environ["ISOLATION_GONE"] == "1"
    assert "ISOLATION_NEW" not in os.environ
    assert Path.cwd() == cwd
    assert "elsewhere" not in sys.path
    assert (pkg.rebound, pkg.deleted, pkg.sub) == (first, second, subpackage)
    assert not hasattr(pkg, "added")
    assert Snapshot.take([pkg]).restore() == []  # nothing changed: nothing named


class Awkward:
    """A value whose ``==`` fails (an array's does): the module is compared name by name."""

    def __eq__(self, other: object) -> bool:
        raise ValueError("ambiguous")

    __hash__ = object.__hash__


def test_a_value_that_cannot_be_compared_is_compared_by_identity() -> None:
    value = Awkward()
    pkg = module("pkg", value=value)
    saved = Snapshot.take([pkg])
    assert saved.restore() == []
    vars(pkg)["value"] = Awkward()
    assert saved.restore() == ["attr pkg.value"]
    assert pkg.value is value


@functools.cache
def cached() -> int:
    return 1


class Box:
    @functools.lru_cache(maxsize=2)  # noqa: B019 (the point of the test)
    def method(self) -> int:
        return 1

    @staticmethod
    @functools.cache
    def static() -> int:
        return 2

    @property
    @functools.cache  # noqa: B019
    def area(self) -> int:
        return 3


@functools.wraps(cached)
def wrapper() -> int:
    return cached()


imported = functools.cache(os.path.join)  # posixpath's: found with that module, not this one


def test_the_caches_a_module_defines_are_found_through_their_wrappers() -> None:
    names = sorted(cache.name for cache in caches_of(sys.modules[__name__]))
    assert names == [
        f"{__name__}.{name}" for name in ("Box.area", "Box.method", "Box.static", "cached")
    ]


def counter(name: str) -> tuple[Cache, list[int]]:
    """A stand-in cache whose hits and misses the test sets."""
    counts = [0, 0]
    info = lambda: types.SimpleNamespace(hits=counts[0], misses=counts[1])  # noqa: E731
    return Cache(name, info, lambda: counts.__setitem__(slice(None), [0, 0])), counts


def test_a_test_that_hit_a_cache_counts_its_fillers_and_theirs() -> None:
    gate = Isolation(root=Path("/r"))
    first, first_counts = counter("first")
    second, second_counts = counter("second")
    gate.caches = [first, second]

    def run(nodeid: str, hits: tuple[int, int], misses: tuple[int, int]) -> set[str]:
        before = [cache.counts() for cache in gate.caches]
        for counts, hit, miss in (
            (first_counts, hits[0], misses[0]),
            (second_counts, hits[1], misses[1]),
        ):
            counts[0] += hit
            counts[1] += miss
        return gate.count_donors(nodeid, before)

    assert run("t::fills_first", (0, 0), (1, 0)) == set()
    assert run("t::uses_first_fills_second", (1, 0), (0, 1)) == {"t::fills_first"}
    assert run("t::uses_second", (0, 1), (0, 0)) == {"t::uses_first_fills_second", "t::fills_first"}
    assert run("t::uses_nothing", (0, 0), (0, 0)) == set()
    first_counts[:] = [0, 0]  # cleared by the test itself, then one hit
    assert run("t::clears_and_hits", (1, 0), (0, 0)) == {"t::fills_first"}


def test_a_scan_finds_each_module_loaded_since_the_last_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gate = Isolation(root=tmp_path)
    gate.scan()
    assert gate.scanned >= sys.modules.keys()
    gate.scan()  # nothing loaded since: nothing new looked at
    assert gate.project == set()
    (tmp_path / "isolation_late.py").write_text("VALUE = 1\n")
    late = module("isolation_late", __file__=str(tmp_path / "isolation_late.py"))
    monkeypatch.setitem(sys.modules, "isolation_late", late)
    gate.scan()
    assert gate.project == {"isolation_late"}
    assert gate.watched[id(late)] is late


def test_modules_left_alone_or_changed_are_told_apart_all_at_once() -> None:
    kept, changed = module("kept", a=1), module("changed", a=1)
    saved = Snapshot.take([kept, changed])
    assert saved.restore() == []
    vars(changed)["a"] = 2
    assert saved.restore() == ["attr changed.a"]
    vars(kept)["b"] = Awkward()  # a new name whose == fails: still found and removed
    assert saved.restore() == ["attr kept.b"]
    assert kept.a == 1
    assert "b" not in vars(kept)
