"""Run the gates: soft (runbook: all of them, in parallel, keep going) or strict (release and
patch: all of them in parallel too, but the first failure cancels the others; release's
packaging runs only once every other gate passed).

Data flows one way: gate table → execution → results → reports, error capture and history.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from runbook.gates.reasons import last_line
from runbook.gates.settings import COV_ENV, SELECT_ENV, Settings
from runbook.gates.table import GATES, Gate
from runbook.records import findings_file
from runbook.records.redact import read_log, redact
from runbook.records.result import GateResult, Status
from runbook.reports import capture, history, sarif, trend
from runbook.reports.report import RunReport, append_step_summary, write_reports
from runbook.running import cache, gitutil, treelock
from runbook.running.execute import Launcher, ProcessRegistry, run_gate
from runbook.running.signals import stop_signals_interrupt

Mode = Literal["runbook", "release", "patch"]
"""runbook: soft, all gates at once. release: strict, then the release-only gates. patch: strict
without the release-only gates (the gate run of ``nox -s patch``)."""
STRICT_MODES: frozenset[str] = frozenset({"release", "patch"})
STATE_DIR = ".runbook"
QUESTIONS_ARTIFACT = "questions.md"
"""This run's Codex_Questions.md entries, for the MLflow run's artifacts."""
TRACK_TIMEOUT = 600.0
TRACK_ENV = "CODEX_MLFLOW"
"""Set (to anything): the ``track`` session runs after the gates, reads the MLflow settings
(codex_ml.tracking checks them there, not here) and logs the run unless this says false."""
TRACK_FORCE = "--force"
"""The ``track`` session's option for ``--mlflow``: log whatever ``CODEX_MLFLOW`` says."""


def nox_command(session: str) -> list[str]:
    """``nox -s session`` with the nox this process runs under (the tools environment's)."""
    return [sys.executable, "-m", "nox", "--non-interactive", "-s", session]


def nox_launcher(gate: Gate) -> list[str]:
    """The production launcher: the gate's own nox session, in its own environment."""
    return nox_command(gate.name)


FAILED_FIRST: dict[Status, str] = {
    Status.FAIL: "failed",
    Status.TIMEOUT: "timed out",
    Status.ERROR: "could not run",
}
"""How a cancelled gate's reason names what the first failed gate did."""
TURNED_OFF = "turned off in [tool.runbook] skip"
SIGNAL_CHECK_SECONDS = 0.1
"""How often the thread that waits for the gates wakes to take a pending Ctrl-C, SIGTERM or
SIGHUP. The kernel hands a signal sent to the process to any of its threads; Python runs the
handler in the main thread, but a main thread blocked on a lock wakes only if the signal
reached it (measured: 3 of 40 Ctrl-Cs during a parallel release under load went to a gate's
thread, and the release went on until a gate ended, 60 s later)."""


@dataclass
class Run:
    """Everything one run needs; tests swap the launcher and the gate table."""

    root: Path
    settings: Settings
    mode: Mode = "runbook"
    gates: tuple[Gate, ...] = GATES
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    launcher: Launcher = nox_launcher
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    on_start: Callable[[Gate], None] = lambda _gate: None
    """Called as each gate starts (in its worker thread), for live progress."""
    on_result: Callable[[GateResult], None] = lambda _result: None
    """Called as each gate finishes, for live progress."""
    registry: ProcessRegistry = field(default_factory=ProcessRegistry)
    track: bool = False
    """Run the ``track`` session afterwards (``--mlflow``, or ``CODEX_MLFLOW`` set)."""
    track_forced: bool = False
    """``--mlflow``: the session logs the run even when ``CODEX_MLFLOW`` says false."""
    tracker: Callable[[Run], str | None] | None = None
    """Does the logging (default: the ``track`` nox session); returns a warning on failure."""
    use_cache: bool = True
    """Reuse a gate's cached pass while its inputs are unchanged (never in strict modes)."""
    full: bool = False
    """No shortcuts (``--full``): no cached passes, and the whole test suite runs."""
    warnings: list[str] = field(default_factory=list[str])
    """Problems of the runner itself (cache, capture, tracking): shown under the table."""
    digests: dict[str, bytes] = field(default_factory=dict[str, bytes])
    """Content digests of input files, computed once per run and shared by the gates."""
    cancelled_by: str = ""
    """Set when a failure cancelled the other gates (strict modes): their reason, naming the
    gate that failed first."""

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def log_path(self, gate: Gate) -> Path:
        return self.state_dir / "logs" / f"{gate.name}.log"

    def planned(self) -> list[tuple[int, Gate]]:
        """(step, gate) pairs this mode runs, step being the 1-based table position."""
        return [
            (step, gate)
            for step, gate in enumerate(self.gates, start=1)
            if self.mode == "release" or not gate.release_only
        ]

    def child_env(self) -> dict[str, str]:
        env = dict(self.env)
        env[COV_ENV] = f"{self.settings.cov_fail_under:g}"
        # Only the soft runbook runs just the tests a change can affect
        # (runbook.selection.testgate).
        env[SELECT_ENV] = "select" if self.mode == "runbook" and not self.full else "full"
        return env

    def placeholder(self, step: int, gate: Gate, status: Status, reason: str) -> GateResult:
        return GateResult(
            name=gate.name,
            projector=gate.projector,
            status=status,
            reason=reason,
            command=self.command(gate),
            log="",
            required=gate.required,
            step=step,
        )

    def command(self, gate: Gate) -> str:
        """The gate's command as reports show it (redacted: it may carry a setting's value)."""
        return redact(" ".join(gate.argv(self.settings.cov_fail_under)), self.env)

    def stopped(self, step: int, gate: Gate) -> GateResult:
        """The row of a gate the run stopped, or never started: cancelled after another gate
        failed, otherwise interrupted (Ctrl-C, SIGTERM, SIGHUP). A gate turned off stays
        skipped: it would not have run anyway."""
        if gate.name in self.settings.skip:
            return self.placeholder(step, gate, Status.SKIPPED, TURNED_OFF)
        if self.cancelled_by:
            return self.placeholder(step, gate, Status.CANCELLED, self.cancelled_by)
        return self.placeholder(step, gate, Status.NOT_RUN, "interrupted")

    def cancel(self, failed: GateResult) -> None:
        """Stop every other gate because ``failed`` failed: their process groups, as a timeout
        stops a gate's (SIGTERM, a grace period, SIGKILL, until each group is gone), so that
        none is left running when the table is written."""
        self.cancelled_by = f"cancelled: {failed.name} {FAILED_FIRST[failed.status]} first"
        self.registry.stop_all()

    @property
    def reads_cache(self) -> bool:
        return self.use_cache and not self.full and self.mode not in STRICT_MODES

    def execute(self, step: int, gate: Gate) -> GateResult:
        """One gate's result; never raises (a fault in the runner itself is an error row)."""
        with contextlib.suppress(OSError):  # progress to a closed pipe must not lose the run
            self.on_start(gate)
        try:
            result = self._execute(step, gate)
        except Exception as exc:  # noqa: BLE001 (reported as the gate's error, never lost)
            result = self.placeholder(step, gate, Status.ERROR, f"runbook internal error: {exc!r}")
        with contextlib.suppress(OSError):  # progress to a closed pipe must not lose the run
            self.on_result(result)
        return result

    def _execute(self, step: int, gate: Gate) -> GateResult:
        if gate.name in self.settings.skip or self.registry.stopping.is_set():
            return self.stopped(step, gate)
        argv = gate.argv(self.settings.cov_fail_under)
        notices: list[str] = []
        files = self.files_digest(gate)
        if files is not None and self.reads_cache:
            hit = cache.lookup(self.state_dir, gate, self.cache_key(gate, files, argv))
            if hit is not None:
                return replace(hit, step=step, required=gate.required)
        result = run_gate(
            gate,
            self.launcher(gate),
            step=step,
            command=self.command(gate),
            root=self.root,
            log_path=self.log_path(gate),
            timeout=self.settings.timeout,
            env=self.child_env(),
            registry=self.registry,
            notices=notices,
        )
        if result.status is Status.NOT_RUN and self.cancelled_by:
            result = replace(result, status=Status.CANCELLED, reason=self.cancelled_by)
        if result.findings_warning:
            self.warnings.append(f"{gate.name}: {result.findings_warning}")
        self.warnings.extend(notices)  # redacted by run_gate, like the log
        if files is not None:
            # Every run refreshes the cache (a failure under --no-cache or in a release drops a
            # stale pass). Files as they were when the gate started; the environment as the gate
            # left it.
            try:
                cache.store(self.state_dir, gate, self.cache_key(gate, files, argv), result)
            except OSError as exc:
                self.warnings.append(f"could not cache the {gate.name} result: {exc}")
        return result

    def cache_key(self, gate: Gate, files: str, argv: list[str]) -> str:
        return cache.gate_key(files, cache.environment_digest(self.root, gate), gate, argv)

    def files_digest(self, gate: Gate) -> str | None:
        """The digest of the gate's inputs, or None when they cannot be read (not a git tree)."""
        try:
            return cache.files_digest(self.root, gate, self.digests)
        except (cache.CacheUnavailableError, OSError):
            return None


def run_gates(
    run: Run,
    plan: Sequence[tuple[int, Gate]],
    *,
    cancel_on_failure: bool = False,
    start: Sequence[tuple[int, Gate]] | None = None,
) -> tuple[list[GateResult], bool]:
    """The ``plan``'s gates, ``run.jobs`` at a time, started in ``start``'s order (default: the
    plan's): results in plan order, and whether interrupted. With ``cancel_on_failure`` the
    first gate to fail cancels the others: those running are stopped (``Run.cancel``), those
    not yet started never start."""
    done: dict[str, GateResult] = {}
    interrupted = False
    with ThreadPoolExecutor(max_workers=max(1, run.jobs), thread_name_prefix="gate") as pool:
        futures: dict[Future[GateResult], tuple[int, Gate]] = {}
        try:  # from the first submission on: a gate may already run when Ctrl-C comes
            for step, gate in plan if start is None else start:
                futures[pool.submit(run.execute, step, gate)] = (step, gate)
            pending = set(futures)
            while pending:
                # Not one blocking wait: Ctrl-C can reach a gate's thread instead of this one,
                # and then only wakes this thread when its wait ends (a gate ended, or this).
                finished, pending = wait(pending, SIGNAL_CHECK_SECONDS, FIRST_COMPLETED)
                for future in finished:
                    if future.cancelled():
                        continue
                    result = future.result()
                    done[result.name] = result
                    if cancel_on_failure and result.status.failed and not run.cancelled_by:
                        for waiting in futures:
                            waiting.cancel()  # not started yet: never starts
                        run.cancel(result)
        except KeyboardInterrupt:
            interrupted = True
            run.registry.stop_all()
            for future in futures:
                future.cancel()
            for future in futures:
                if not future.cancelled():
                    result = future.result()
                    done[result.name] = result
    results = [done.get(gate.name) or run.stopped(step, gate) for step, gate in plan]
    return results, interrupted


def longest_first(
    plan: Sequence[tuple[int, Gate]], before: Mapping[str, Any] | None
) -> list[tuple[int, Gate]]:
    """The soft run's start order: the gates that took longest in the last run (``before``, a
    history sample) first, a gate it does not time (new, or a torn sample) before those; table
    order among equals. With fewer jobs than gates, the gates started last wait for a free job:
    a second's lint started first would hold back the tests gate, which ends the run, by that
    second; started last it runs beside the tests."""
    gates = cast(Mapping[str, Any], (before or {}).get("gates", {}))

    def seconds(item: tuple[int, Gate]) -> float:
        entry = gates.get(item[1].name)
        value = cast(Mapping[str, Any], entry).get("seconds") if isinstance(entry, dict) else None
        return float(value) if isinstance(value, int | float) else math.inf

    return sorted(plan, key=lambda item: -seconds(item))


def run_soft(run: Run) -> tuple[list[GateResult], bool]:
    """Every gate, ``run.jobs`` at a time, the longest first (``longest_first``), keeping going
    after a failure."""
    plan = run.planned()
    before = history.previous(run.state_dir / history.HISTORY_FILE)
    return run_gates(run, plan, start=longest_first(plan, before))


def run_strict(run: Run) -> tuple[list[GateResult], bool]:
    """Every gate, ``run.jobs`` at a time; the first failure (optional gates included) cancels
    the others. The release-only gates (packaging) start only once every other gate passed."""
    plan = run.planned()
    checks = [(step, gate) for step, gate in plan if not gate.release_only]
    results, interrupted = run_gates(run, checks, cancel_on_failure=True)
    last = [(step, gate) for step, gate in plan if gate.release_only]
    if interrupted or run.cancelled_by:
        results += [run.stopped(step, gate) for step, gate in last]
    elif last:
        later, interrupted = run_gates(run, last, cancel_on_failure=True)
        results += later
    return sorted(results, key=lambda result: result.step), interrupted


def git_commit(root: Path) -> str:
    """Short commit id, with ``-dirty`` when the tree has changes; "unknown" outside git."""
    try:
        head = gitutil.git(root, "rev-parse", "--short", "HEAD").decode().strip()
        dirty = gitutil.git(root, "status", "--porcelain", "--untracked-files=no").strip()
    except (OSError, gitutil.GitError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def capture_failures(run: Run, results: Sequence[GateResult], commit: str) -> list[str]:
    """Append one Codex_Questions.md entry per failed gate; return the entries for the log."""
    entries: list[str] = []
    for result in results:
        if not result.status.failed:
            continue
        log_text = read_log(run.root / result.log, run.env) if result.log else ""
        context = (
            f"{run.mode} at commit {commit}; exit code {result.exit_code}; "
            f"{result.seconds:.1f}s; full log: {result.log or 'none'}"
        )
        entry = capture.format_entry(result, log_text, context=context, env=run.env)
        capture.append_entry(run.root / capture.QUESTIONS_FILE, entry)
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class Outcome:
    report: RunReport
    interrupted: bool
    """Ctrl-C stopped the run; the report holds the gates that finished."""
    questions: list[str]
    """The Codex_Questions.md entries this run appended, to print to the log too."""


def perform(run: Run) -> Outcome:
    """Run the gates for ``run.mode``, then capture failures, write the reports and history,
    and (when asked) log the run to MLflow: all of it holding the tree's lock, so a second run
    in the same tree waits for this one (see ``runbook.running.treelock``)."""
    with treelock.hold(run.root):
        return _perform(run)


def _perform(run: Run) -> Outcome:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.monotonic()
    commit = git_commit(run.root)
    with stop_signals_interrupt():  # SIGTERM/SIGHUP stop the gates like Ctrl-C does
        results, interrupted = (run_strict if run.mode in STRICT_MODES else run_soft)(run)
    run.warnings.extend(run.registry.survivor_warnings())
    trajectory = run.state_dir / history.HISTORY_FILE
    sample = history.sample(run.mode, started, commit, results)
    report = RunReport(
        mode=run.mode,
        started_at=started,
        commit=commit,
        seconds=time.monotonic() - clock,
        results=tuple(results),
        changes=history.changes(history.previous(trajectory), results),
        trend=trend.markdown([*history.samples(trajectory), sample]),
    )
    # The reports and the history first: nothing after this point can lose them.
    write_findings(run, report)
    write_reports(report, run.state_dir)
    write_sarif(run, results)
    history.append(trajectory, sample)
    try:
        questions = capture_failures(run, results, commit)
        (run.state_dir / QUESTIONS_ARTIFACT).write_text("\n".join(questions), "utf-8")
    except OSError as exc:
        questions = []
        run.warnings.append(f"could not append to {capture.QUESTIONS_FILE}: {exc}")
    if run.track:
        warning = (run.tracker or nox_tracker)(run)
        if warning:
            run.warnings.append(warning)
    if run.warnings:
        report = replace(report, warnings=tuple(run.warnings))
        write_reports(report, run.state_dir)
    append_step_summary(report, run.env)
    return Outcome(report=report, interrupted=interrupted, questions=questions)


def write_findings(run: Run, report: RunReport) -> None:
    """Every finding of the run in ``findings.jsonl`` (report.json keeps the first 100 of each
    gate); a failure to write it is a warning, and ``runbook findings`` then says so."""
    header = {"mode": report.mode, "started_at": report.started_at, "commit": report.commit}
    gates = [(result.name, result.findings) for result in report.results]
    try:
        findings_file.write(run.state_dir / findings_file.FINDINGS_FILE, header, gates)
    except OSError as exc:
        run.warnings.append(f"could not write {findings_file.FINDINGS_FILE}: {exc}")


def write_sarif(run: Run, results: Sequence[GateResult]) -> None:
    """``findings.sarif`` next to the reports; a failure to write it is a warning."""
    tools = {gate.name: gate.tool for gate in run.gates}
    try:
        sarif.write(results, tools, run.root, run.state_dir / sarif.SARIF_FILE)
    except OSError as exc:
        run.warnings.append(f"could not write {sarif.SARIF_FILE}: {exc}")


def nox_tracker(run: Run) -> str | None:
    """Log the run to MLflow in the ``track`` nox session; a warning when that fails."""
    log_path = run.state_dir / "logs" / "track.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log_path.open("wb") as log:
            code = subprocess.run(
                [*nox_command("track"), *(["--", TRACK_FORCE] if run.track_forced else [])],
                cwd=run.root,
                env=dict(run.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=TRACK_TIMEOUT,
                check=False,
            ).returncode
    except (OSError, subprocess.SubprocessError) as exc:
        return f"MLflow tracking failed: {exc}"
    if code == 0:
        return None
    cause = last_line(read_log(log_path, run.env)) or f"exit code {code}"
    return f"MLflow tracking failed ({cause}); see {log_path.relative_to(run.root)}"
