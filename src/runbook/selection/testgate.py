"""The tests gate: pytest with coverage, run whole or only on the tests a change can affect.

``python -m runbook.selection.testgate --cov-fail-under=N [PYTEST ARGS]`` runs in the tests
environment.
pytest always runs with pytest-cov's dynamic contexts (``--cov-context=test``: which test ran
each line), and this program, not pytest-cov, computes the total and checks it against the
floor, so a selective run is checked against the total of the merged data, never of the part
that ran.

* Full run (the default; ``release``, ``patch``, ``runbook --full``, ``nox -s tests``): the whole
  suite; when it ran to the end without extra pytest arguments, its data replaces the stored
  selection data (``.runbook/selection/``) atomically.
* Selective run (the soft runbook sets ``RUNBOOK_TEST_SELECTION=select``): ``impact.plan``
  compares the tree with the stored data; pytest collects only the test modules holding a test
  to run (none: pytest does not start), the unaffected tests are deselected, and the coverage
  total is computed from this run's data plus the stored data of the tests that were left out and
  of import time (moved to where the edit moved their lines). A selective run never writes the
  stored data.

Missing, corrupt or foreign selection data, and changes the selection cannot see through, make
the whole suite run, with a notice the runner shows under the gate table.

The gate hands its result to the runner as data: ``.runbook/machine/tests/result.json``
(``runbook.records.handover``: exit code, pytest's counts, the coverage total, the selection
line, the notices). What it prints is for a person; nothing parses it back.

pytest runs on every core (pytest-xdist ``-n``, ``[tool.runbook] workers``; ``0``: in one
process; a selective run of one test file, or of tests that took under ``[tool.runbook]
serial_below`` seconds, runs in one process) with whole test files to a worker, the longest
first (by ``tests/durations.json``: a long file started last is the run's tail); pytest-cov
combines the workers' data, per-test contexts included, and the plugin gathers the workers'
observations. A worker that crashed fails the run (pytest-xdist names the
test it was running) and the stored data is dropped: the next run is a full one.

* Shard (``--shard K/N``, CI's matrix): the K-th of N parts of the whole suite
  (``runbook.gates.shards``); its coverage data and what it ran are kept in the gate's machine
  output for CI's collect job, which checks the floor on the combined data of all parts.
* ``--store-durations``: a whole run that records each test's seconds in ``tests/durations.json``,
  from which the shards are split.

This module launches pytest and decides the run; its parts are one module each: the stored data
(``store``), reading coverage data (``coverdata``), merging (``merge``), the reports and the floor
(``verdict``), the ``.pth`` that follows child processes (``childpth``) and the project's
bytecode, ``src/``'s and the tests', written before pytest starts (``bytecode``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO, cast

from coverage import CoverageData
from coverage.exceptions import CoverageException

from runbook.gates import settings, shards
from runbook.gates.settings import SELECT_ENV
from runbook.gates.shards import Shard, ShardError
from runbook.gates.tools import output_dir
from runbook.gates.tools import pytest as pytest_tool
from runbook.gates.wrapper import tee
from runbook.records import atomic, handover
from runbook.records.handover import Coverage, GateReport
from runbook.running import cache, gitutil
from runbook.selection import bytecode, childwatch, impact
from runbook.selection.childpth import install_childwatch
from runbook.selection.handoff import (
    ENTRY_POINT_PLUGINS,
    OBSERVE_ENV,
    ORDER_ENV,
    PLUGINS,
    SHARD_ENV,
    SKIP_ENV,
    TOGETHER_ENV,
)
from runbook.selection.impact import Plan
from runbook.selection.merge import MergeError, merge
from runbook.selection.store import (
    Observed,
    SelectionStore,
    build_stored,
    current_files,
    read_text,
    tests_gate,
)
from runbook.selection.stored import SelectionDataError, Stored
from runbook.selection.verdict import verdict

PYTEST_ARGS = (
    "-q",
    *(arg for plugin in PLUGINS for arg in ("-p", plugin)),
    "--cov",
    "--cov-context=test",
    "--cov-report=",
)


SHARD_RECORD = "shard.json"
"""In the gate's machine output: which part ran, at which commit, which tests it collected and
ran (CI's collect job checks that the parts ran every test exactly once)."""
SHARD_DATA = "shard.coverage"
"""In the gate's machine output: the part's coverage data, for ``coverage combine``."""


@dataclass(frozen=True)
class Launch:
    """How pytest is started: on how many workers, and which part of the suite it keeps."""

    workers: str = "0"
    shard: Shard | None = None
    durations: dict[str, float] = field(default_factory=dict[str, float])
    serial_below: float = 0.0
    """``[tool.runbook] serial_below``: see ``alone``."""
    together: tuple[tuple[str, ...], ...] = ()
    """``[tool.runbook] together``: test files that go to one worker as one unit."""

    def alone(self, plan: Plan, stored: Iterable[str]) -> Launch:
        """How a selective run of ``plan`` starts: in one process when it collects one test
        file (one file goes to one worker: the workers would only add their start), or when
        the stored tests it runs took fewer than ``serial_below`` seconds together in
        ``tests/durations.json`` (a test not in it, new or not yet recorded, counts 0): two
        workers start, import and collect the selected files twice, which costs more than
        they save on so little. Which tests run, and the data they give, is the same either
        way (tests/test_testgate_workers.py); only the wall time differs."""
        if self.workers == "0":
            return self
        seconds = sum(
            self.durations.get(name, 0.0) for name in stored if name not in plan.unaffected
        )
        if len(plan.collect) < 2 or seconds < self.serial_below:
            return replace(self, workers="0")
        return self


def launch_for(root: Path, shard: str | None) -> Launch:
    """The workers (``[tool.runbook] workers``, ``serial_below``) and the shard; a
    SettingsError or ShardError when they cannot be had."""
    configured = settings.load(root)
    launch = Launch(
        workers=configured.workers,
        serial_below=configured.serial_below,
        together=configured.together,
    )
    if launch.workers != "0" and importlib.util.find_spec("xdist") is None:
        raise settings.SettingsError(
            f"workers = {launch.workers!r} needs pytest-xdist in the tests environment "
            "(add it to the tests dependency group, or set [tool.runbook] workers = 0)"
        )
    if shard is None and launch.workers == "0":
        return launch
    # The shards are split by the recorded durations, and workers take the longest modules first.
    durations = shards.load_durations(root / shards.DURATIONS)
    return replace(launch, shard=None if shard is None else Shard.parse(shard), durations=durations)


@dataclass
class Facts:
    """What this run hands over to the runner (``result.json``), gathered as it goes; a person
    reading the log sees the same as text."""

    out: TextIO
    notices: list[str] = field(default_factory=list[str])
    selection: str = ""
    coverage: Coverage | None = None
    pytest_tail: str = ""
    """The end of what pytest printed: its counts line."""

    def notice(self, text: str) -> None:
        self.notices.append(text)
        self.out.write(f"notice: {text}\n")

    def report(self, code: int) -> GateReport:
        gate = tests_gate()
        parts = [pytest_tool.summarize(self.pytest_tail)]
        if self.coverage is not None and not self.coverage.reached:
            parts.append(f"coverage {self.coverage.total:g}% < {self.coverage.floor:g}%")
        return GateReport(
            gate=gate.name,
            status=gate.status_for(code),
            exit_code=code,
            summary="; ".join(part for part in parts if part),
            counts=handover.counts_of(pytest_tool.counts(self.pytest_tail)),
            coverage=self.coverage,
            selection=self.selection,
            notices=tuple(self.notices),
        )


def run_pytest(
    root: Path,
    work: Path,
    skip: frozenset[str],
    extra: Sequence[str],
    *,
    launch: Launch,
    facts: Facts,
) -> int:
    """pytest with pytest-cov measuring per-test contexts; it reports nothing and checks no
    floor (this program does both, on the data that counts). Its output passes through; the
    end of it is kept for its counts line."""
    skip_file = work / "skip.json"
    skip_file.write_text(json.dumps(sorted(skip)), "utf-8")
    env = {
        **os.environ,
        "COVERAGE_FILE": str(work / "coverage.db"),
        SKIP_ENV: str(skip_file),
        OBSERVE_ENV: str(work / "observed.json"),
        childwatch.SRC_ENV: str(root / "src"),
        childwatch.WATCH_ENV: str(Path(childwatch.__file__).resolve()),
    }
    if launch.shard is not None:
        shard_file = work / "shard.json"
        part = {"index": launch.shard.index, "count": launch.shard.count}
        shard_file.write_text(json.dumps({**part, "durations": launch.durations}), "utf-8")
        env[SHARD_ENV] = str(shard_file)
    # Whole test files to a worker: a module's shared set-up (a module-scoped baseline) is
    # built once, not once per worker. No replacement for a crashed worker: the run fails
    # anyway, and pytest-xdist 3.8's file scheduler can hang handing a replacement the work
    # of the crashed one (pytest-xdist issues #784, #1323, #1378).
    # Longest files first (tests/durations.json; pytest-xdist's own reorder, by the number of
    # tests, is off): a long file started last would be the run's tail on one worker.
    distribute = [
        f"--numprocesses={launch.workers}",
        "--dist=loadfile",
        "--no-loadscope-reorder",
        "--max-worker-restart=0",
    ]
    # Files that import the same heavy library go to one worker as one unit ([tool.runbook]
    # together): each worker that ran one of them would import it (MLflow: ~3.5 CPU-s).
    workers: list[str] = []
    env.pop(ORDER_ENV, None)  # the gate's own, never an outer gate's
    env.pop(TOGETHER_ENV, None)
    if launch.workers != "0":
        workers = distribute
        order_file = work / "order.json"
        order_file.write_text(json.dumps(launch.durations), "utf-8")
        env[ORDER_ENV] = str(order_file)
        env[TOGETHER_ENV] = json.dumps([list(group) for group in launch.together])
    argv = [sys.executable, "-m", "pytest", *PYTEST_ARGS, "--cov-fail-under=0", *workers, *extra]
    facts.out.flush()
    code, facts.pytest_tail = tee(argv, sys.stdout.buffer, cwd=root, env=env)
    return code


def choose(root: Path, store: SelectionStore, environment: str) -> tuple[Plan, Stored | None]:
    """The plan for a selective run; a full plan (with the reason) when selection cannot work."""
    try:
        stored = store.load(environment)
        return impact.plan(stored, current_files(root), read_text(root)), stored
    except SelectionDataError as exc:
        return Plan(full_reason=f"selection data unusable: {exc}"), None
    except (OSError, cache.CacheUnavailableError) as exc:
        return Plan(full_reason=f"cannot read the tree: {exc}"), None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gate and write its ``result.json``: the exit code, counts, coverage total,
    selection line and notices (``runbook.records.handover``)."""
    facts = Facts(sys.stdout)
    code = run(argv, facts)
    out_dir = output_dir(Path.cwd().resolve(), tests_gate().name)
    handover.write(handover.path_in(out_dir), facts.report(code))
    return code


def run(argv: Sequence[str] | None, facts: Facts) -> int:
    out = facts.out
    parser = argparse.ArgumentParser(
        prog="python -m runbook.selection.testgate", description=__doc__
    )
    parser.add_argument("--cov-fail-under", type=float, required=True)
    # Output options (the runner's machine output) do not change which tests run.
    parser.add_argument("--cov-report", action="append", default=[])
    parser.add_argument("--junitxml")
    parser.add_argument("-o", "--override-ini", action="append", default=[])
    parser.add_argument("--shard", help="run the K-th of N parts of the suite (K/N)")
    parser.add_argument(
        "--store-durations",
        action="store_true",
        help=f"a whole run that records each test's seconds in {shards.DURATIONS}",
    )
    args, extra = parser.parse_known_args(argv)
    threshold = cast(float, args.cov_fail_under)
    reports = cast(list[str], args.cov_report) or ["term"]
    output = [f"--override-ini={o}" for o in cast(list[str], args.override_ini)]
    if args.junitxml:
        output.append(f"--junitxml={args.junitxml}")
    root = Path.cwd().resolve()
    try:
        launch = launch_for(root, cast(str | None, args.shard))
    except (settings.SettingsError, ShardError) as exc:
        out.write(f"runbook.selection.testgate: error: {exc}\n")
        return 4
    for folder in ("src", "tests"):  # the tests' helpers (support.py): plain imports
        _, unwritable = bytecode.compile_stale(root / folder)
        if unwritable:
            facts.notice(
                f"tests: cannot write the bytecode of {len(unwritable)} modules under {folder}/ "
                f"({unwritable[0]}, ...): every process compiles them"
            )
    _, unwritable = bytecode.rewrite_stale(root / "tests")
    if unwritable:
        facts.notice(
            f"tests: cannot write pytest's bytecode of {len(unwritable)} test modules "
            f"({unwritable[0]}, ...): every process rewrites them"
        )
    # The plugins' pycs too; one that cannot be written (a read-only environment) is rewritten
    # in each process, as pytest always did: nothing to act on.
    bytecode.rewrite_sources(bytecode.plugin_sources([*PLUGINS, *ENTRY_POINT_PLUGINS]))
    if launch.shard is not None or args.store_durations:
        return apart(
            root,
            launch,
            pytest_args=[*output, *extra],
            reports=reports,
            facts=facts,
            threshold=threshold,
            store_durations=bool(args.store_durations),
        )
    store = SelectionStore(root)
    environment = cache.environment_digest(root, tests_gate())
    selecting = os.environ.get(SELECT_ENV) == "select" and not extra
    plan, stored = choose(root, store, environment) if selecting else (Plan(), None)
    problem = install_childwatch()
    if problem:
        facts.notice(problem)
    with tempfile.TemporaryDirectory(prefix="runbook-tests-") as tmp:
        work = Path(tmp)
        kept: Path | None = None
        if stored is not None and plan.unaffected and not plan.full_reason:
            try:
                kept = merge(
                    None,
                    store.db_path(stored),
                    kept=plan.unaffected,
                    moved=plan.moved,
                    root=root,
                    out=work / "kept.db",
                )
            except (MergeError, CoverageException, sqlite3.Error) as exc:
                plan = Plan(full_reason=f"the stored coverage data does not fit the edit: {exc}")
        if selecting and plan.full_reason:
            facts.notice(f"tests: the whole suite ran: {plan.full_reason}")
        out.flush()
        if kept is not None and not plan.full_reason:
            return selective(
                root,
                work,
                launch=launch.alone(plan, stored.tests if stored is not None else ()),
                store=store,
                plan=plan,
                kept=kept,
                output=output,
                threshold=threshold,
                reports=reports,
                facts=facts,
            )
        return whole(
            root,
            work,
            launch=launch,
            store=store,
            environment=environment,
            pytest_args=[*output, *extra],
            record_data=not extra,
            threshold=threshold,
            reports=reports,
            facts=facts,
        )


NO_SESSION = 4
"""The gate's exit when pytest ended without a session and still said 0 (the selection plugin
turned off with ``-p no:...``): pytest's own code for a usage error."""


def observations(work: Path, facts: Facts) -> Observed | None:
    """What the selection plugin saw, or None when pytest ended before its session started (an
    option or plugin it could not load: its own error is printed above), said as a notice;
    nothing is reported or stored from such a run."""
    try:
        return Observed.load(work / "observed.json")
    except FileNotFoundError:
        facts.notice(
            "pytest ended before its session started (its error is above): "
            "no test ran and nothing was stored"
        )
        return None


def lost(observed: Observed, store: SelectionStore, facts: Facts) -> bool:
    """A worker crashed: drop the stored data (the next run is a full one) and say which test
    it was running; whether that happened."""
    if not observed.incomplete:
        return False
    store.drop()
    what = "; ".join(observed.incomplete)
    facts.notice(f"tests: {what}: selection data dropped, the next run is a full one")
    return True


def selective(
    root: Path,
    work: Path,
    *,
    launch: Launch,
    store: SelectionStore,
    plan: Plan,
    kept: Path,
    output: Sequence[str],
    threshold: float,
    reports: Sequence[str],
    facts: Facts,
) -> int:
    """Run the tests of ``plan.collect`` that are not unaffected, and check the total of their
    data merged with ``kept`` (the stored data of the unaffected tests and of import time)."""
    collected: frozenset[str] = frozenset()
    code = 0
    if plan.collect:
        extra = [*output, *sorted(plan.collect)]
        code = run_pytest(root, work, plan.unaffected, extra, launch=launch, facts=facts)
        if code not in {0, 1, 5}:
            return code  # interrupted, internal or usage error: nothing to report
        observed = observations(work, facts)
        if observed is None:
            return code or NO_SESSION
        lost(observed, store, facts)
        collected = frozenset(observed.collected)
        if code == 5:
            code = 0  # every collected test was left out on purpose, or none is left to run
        merged = CoverageData(str(kept))
        merged.read()
        fresh = CoverageData(str(work / "coverage.db"))
        fresh.read()
        merged.update(fresh)
        merged.write()
    else:
        facts.out.write("no test needs to run: pytest was not started\n")
    ran = len(collected - plan.unaffected)
    total = len(collected | plan.unaffected)
    unaffected = total - ran
    facts.selection = f"{ran} of {total} run, {unaffected} unaffected"
    facts.out.write(f"tests: {facts.selection}\n")
    code, facts.coverage = verdict(
        code, root, kept, threshold=threshold, reports=reports, out=facts.out
    )
    return code


def whole(
    root: Path,
    work: Path,
    *,
    launch: Launch,
    store: SelectionStore,
    environment: str,
    pytest_args: Sequence[str],
    record_data: bool,
    threshold: float,
    reports: Sequence[str],
    facts: Facts,
) -> int:
    """Run the whole suite; store its selection data when it ran to the end unchanged."""
    try:
        before = current_files(root) if record_data else None
    except (OSError, cache.CacheUnavailableError):
        before = None
    code = run_pytest(root, work, frozenset(), pytest_args, launch=launch, facts=facts)
    if code not in {0, 1, 5}:
        return code  # interrupted, internal or usage error: nothing to report or store
    observed = observations(work, facts)
    if observed is None:
        return code or NO_SESSION
    data = work / "coverage.db"
    code, facts.coverage = verdict(
        code, root, data, threshold=threshold, reports=reports, out=facts.out
    )
    if not lost(observed, store, facts) and before is not None and code in {0, 1}:
        record(
            root,
            store=store,
            before=before,
            data=data,
            observed=observed,
            environment=environment,
            facts=facts,
        )
    return code


def record(
    root: Path,
    *,
    store: SelectionStore,
    before: dict[str, str],
    data: Path,
    observed: Observed,
    environment: str,
    facts: Facts,
) -> None:
    """Store a full run's data for later selections, unless the tree changed during the run."""
    try:
        if current_files(root) != before:
            facts.notice("tests: files changed during the run; selection data not stored")
            return
        stored = build_stored(root, before, data, observed, environment, earlier=store.earlier())
        store.save(stored, data)
    except (OSError, CoverageException, sqlite3.Error, cache.CacheUnavailableError) as exc:
        facts.notice(f"tests: could not store the selection data: {exc}")


def apart(
    root: Path,
    launch: Launch,
    *,
    pytest_args: Sequence[str],
    threshold: float,
    reports: Sequence[str],
    store_durations: bool,
    facts: Facts,
) -> int:
    """A shard (its data kept for CI's collect job), or a whole run recording durations;
    neither stores selection data (a shard is not a full run; durations change nothing)."""
    machine = output_dir(root, tests_gate().name)
    with tempfile.TemporaryDirectory(prefix="runbook-tests-") as tmp:
        work = Path(tmp)
        code = run_pytest(root, work, frozenset(), pytest_args, launch=launch, facts=facts)
        if code not in {0, 1, 5}:
            return code
        observed = observations(work, facts)
        if observed is None:
            return code or NO_SESSION
        data = work / "coverage.db"
        if launch.shard is None:
            code, facts.coverage = verdict(
                code, root, data, threshold=threshold, reports=reports, out=facts.out
            )
            if code == 0 and not observed.incomplete:
                seconds = {n: float(t.get("seconds", 0.0)) for n, t in observed.tests.items()}
                shards.write_durations(root / shards.DURATIONS, seconds)
                facts.notice(
                    f"tests: durations of {len(seconds)} tests recorded in "
                    f"{shards.DURATIONS}: commit it, CI's shards are split by it"
                )
            return code
        code, facts.coverage = verdict(
            code, root, data, threshold=0, reports=reports, out=facts.out
        )
        machine.mkdir(parents=True, exist_ok=True)
        atomic.copy_file(data, machine / SHARD_DATA)
        record = {
            "shard": str(launch.shard),
            "commit": gitutil.head_commit(root),
            "collected": observed.collected,
            "ran": sorted(observed.tests),
            "incomplete": observed.incomplete,
        }
        atomic.write_text(machine / SHARD_RECORD, json.dumps(record))
        facts.notice(
            f"tests: shard {launch.shard} ran {len(observed.tests)} of "
            f"{len(observed.collected)} tests; the floor ({threshold:g}%) is checked on the "
            "combined coverage data of all shards"
        )
        return code


if __name__ == "__main__":
    sys.exit(main())
