"""The tests gate in shards: ``--shard K/N`` runs the K-th of N parts of the suite.

CI runs the N parts as jobs of one matrix (``[tool.runbook] shards``, .github/workflows/gates.yml)
and its collect job combines their coverage data. Every part collects the whole suite and keeps
its own tests, chosen by ``partition`` from the durations recorded in ``tests/durations.json``
(``nox -s tests -- --store-durations``): whole test modules (a module's shared set-up runs once),
longest first, each to the part with the least time so far. The choice depends only on the
collected tests and that file, both the same in every job of one commit, so the parts run every
test exactly once whatever the machine; stale or missing durations only balance the parts worse.
Stdlib only: CI's list and collect jobs import it without the tests environment.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from runbook.records import atomic

DURATIONS = Path("tests") / "durations.json"
"""Seconds per test node id, relative to the project root (committed: CI splits by it)."""
DEFAULT_SECONDS = 1.0
"""A test's weight when no duration is recorded at all."""
_SPEC = re.compile(r"^(\d+)/(\d+)$")


class ShardError(ValueError):
    """A shard spec or a durations file the gate cannot use; the message says why."""


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based."""
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SPEC.match(text.strip())
        if match is None:
            raise ShardError(f"--shard {text!r}: give K/N, e.g. 2/3")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= index <= count:
            raise ShardError(f"--shard {text!r}: K must be from 1 to N")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def name(self) -> str:
        """The part's name in file and artifact names (no ``/``)."""
        return f"shard-{self.index}-of-{self.count}"


def load_durations(path: Path) -> dict[str, float]:
    """The recorded seconds per test; {} when the file does not exist (an even split by count),
    a ShardError naming the file when it cannot be read as such."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ShardError(f"cannot read {path}: {exc}") from exc
    try:
        data: object = json.loads(text)
    except ValueError as exc:
        raise ShardError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ShardError(f"{path}: expected an object of node id -> seconds")
    durations: dict[str, float] = {}
    for nodeid, seconds in cast(dict[str, Any], data).items():
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ShardError(f"{path}: {nodeid}: {seconds!r} is not a number of seconds")
        if not 0 <= seconds < math.inf:
            raise ShardError(f"{path}: {nodeid}: {seconds!r} is not a number of seconds")
        durations[nodeid] = float(seconds)
    return durations


def partition(
    nodeids: Sequence[str], durations: Mapping[str, float], count: int
) -> list[list[str]]:
    """``count`` parts of ``nodeids`` (each in collection order), whole modules at a time:
    longest module first to the part with the least time so far (ties: the lower part, then the
    module's name), a test without a recorded duration weighing the median of those recorded."""
    modules, weight = module_weights(nodeids, durations)
    loads = [0.0] * count
    chosen: list[set[str]] = [set() for _ in range(count)]
    for module in sorted(modules, key=lambda m: (-weight[m], m)):
        least = min(range(count), key=lambda i: (loads[i], i))
        loads[least] += weight[module]
        chosen[least].add(module)
    return [[n for n in nodeids if n.split("::", 1)[0] in part] for part in chosen]


def module_weights(
    nodeids: Sequence[str], durations: Mapping[str, float]
) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Each module's tests (in collection order) and its recorded seconds, a test without a
    recorded duration weighing the median of those recorded."""
    modules: dict[str, list[str]] = {}
    for nodeid in nodeids:
        modules.setdefault(nodeid.split("::", 1)[0], []).append(nodeid)
    known = sorted(durations[n] for n in nodeids if n in durations)
    default = known[len(known) // 2] if known else DEFAULT_SECONDS
    weight = {m: sum(durations.get(n, default) for n in tests) for m, tests in modules.items()}
    return modules, weight


def units(together: Sequence[Sequence[str]]) -> dict[str, str]:
    """The unit of each module of a ``together`` group (``[tool.runbook] together``): its
    group's first module. A module in no group is a unit of its own."""
    return {module: group[0] for group in together for module in group}


def longest_first(
    nodeids: Sequence[str],
    durations: Mapping[str, float],
    together: Sequence[Sequence[str]] = (),
) -> list[str]:
    """``nodeids`` whole units at a time, the longest unit first (ties: collection order), each
    unit's modules the longest first and each module's tests in collection order. A unit is a
    module, or the modules of one ``together`` group, which go to one worker (their seconds
    add up).

    pytest-xdist's ``--dist loadfile`` hands out whole modules in collection order, so on
    workers the longest module starting last is the run's tail: in this order the short
    modules fill in the end of the run instead (the same tests, only started in another order).
    """
    modules, weight = module_weights(nodeids, durations)
    unit = units(together)
    grouped: dict[str, list[str]] = {}
    for _, module in sorted(enumerate(modules), key=lambda pair: (-weight[pair[1]], pair[0])):
        grouped.setdefault(unit.get(module, module), []).append(module)
    total = {key: sum(weight[m] for m in members) for key, members in grouped.items()}
    ranked = sorted(enumerate(grouped), key=lambda pair: (-total[pair[1]], pair[0]))
    return [n for _, key in ranked for module in grouped[key] for n in modules[module]]


def write_durations(path: Path, seconds: Mapping[str, float]) -> None:
    """Record the seconds per test (sorted, rounded: a stable, reviewable file), atomically."""
    text = json.dumps({n: round(s, 3) for n, s in sorted(seconds.items())}, indent=1) + "\n"
    atomic.write_text(path, text)


def matrix(gates: Sequence[str], shards: int) -> list[dict[str, str]]:
    """CI's gate jobs: one per gate, the tests gate as ``shards`` jobs."""
    jobs: list[dict[str, str]] = []
    for gate in gates:
        if gate != "tests":
            jobs.append({"gate": gate, "shard": "", "name": gate})
            continue
        for index in range(1, shards + 1):
            shard = Shard(index, shards)
            jobs.append({"gate": gate, "shard": str(shard), "name": f"{gate}-{shard.name}"})
    return jobs
