"""Run one gate as a child process: capture its log, time it, bound it, stop it.

Each gate runs in its own process group so that a timeout or Ctrl-C stops the whole tree
(nox, the tool, and anything the tool started), not just the direct child. What the outcome
means (pass, fail or error, and the reason) is ``runbook.running.outcome``'s to say.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from runbook.gates.table import Gate
from runbook.gates.tools import clear_output, output_dir, read_findings
from runbook.records.handover import path_in
from runbook.records.redact import read_log
from runbook.records.result import GateResult, Status
from runbook.running import procgroup
from runbook.running.outcome import judge, read_report

Launcher = Callable[[Gate], Sequence[str]]
"""Turns a gate into the argument vector that runs it (normally ``nox -s <gate>``)."""

GRACE_SECONDS = 5.0
"""How long a stopped gate gets to exit on SIGTERM before SIGKILL."""

REAP_SECONDS = 10.0
"""How long a SIGKILLed group gets to disappear before the report names what survived."""


@dataclass
class ProcessRegistry:
    """The gate processes now running, so an interrupt can stop every one of them."""

    _procs: set[subprocess.Popen[bytes]] = field(default_factory=set[subprocess.Popen[bytes]])
    _lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    survivors: dict[int, list[int]] = field(default_factory=dict[int, list[int]])
    """Per stopped gate (its leader's pid), the processes still alive after SIGKILL."""

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)
        if self.stopping.is_set():
            self.stop([proc])

    def remove(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop_all(self) -> None:
        self.stopping.set()
        with self._lock:
            procs = list(self._procs)
        self.stop(procs)

    def stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        """Stop these gates' groups and remember what survived, for the report."""
        survivors = stop_groups(procs)
        with self._lock:
            self.survivors.update(survivors)

    def survivor_warnings(self) -> list[str]:
        """One line per interrupted gate whose processes outlived SIGKILL (normally none)."""
        with self._lock:
            return [
                f"stopping a gate left {procgroup.describe(pids)}"
                for pids in self.survivors.values()
            ]


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop_groups(
    procs: list[subprocess.Popen[bytes]],
    grace: float = GRACE_SECONDS,
    reap: float = REAP_SECONDS,
) -> dict[int, list[int]]:
    """SIGTERM every process group at once, give them ``grace`` seconds together, then SIGKILL
    each group (whatever its leader did, nothing it started may linger) and wait up to ``reap``
    seconds until every process of every group is gone.

    Returns the groups (by leader pid) with processes still alive after that, and their pids:
    a gate is reported as killed only when it is.
    """
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        _signal_group(proc, signal.SIGKILL)
    deadline = time.monotonic() + reap
    survivors: dict[int, list[int]] = {}
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.0, deadline - time.monotonic()))  # reaps the leader
        alive = procgroup.wait_gone(proc.pid, deadline)  # the group's id is its leader's pid
        if alive:
            survivors[proc.pid] = alive
    return survivors


def run_gate(
    gate: Gate,
    argv: Sequence[str],
    *,
    step: int,
    command: str,
    root: Path,
    log_path: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    registry: ProcessRegistry | None = None,
    notices: list[str] | None = None,
) -> GateResult:
    """Run ``argv`` for ``gate``, writing everything it prints to ``log_path``; what the gate
    asks to show under the table goes to ``notices``."""
    registry = registry or ProcessRegistry()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    base = GateResult(
        name=gate.name,
        projector=gate.projector,
        status=Status.ERROR,
        command=command,
        log=_relative(log_path, root),
        required=gate.required,
        step=step,
    )
    machine_dir = output_dir(root, gate.name)
    clear_output(machine_dir)  # what the tool writes now, or nothing: never a stale finding
    started = time.monotonic()
    with log_path.open("wb") as log:
        try:
            proc = subprocess.Popen(
                list(argv),
                cwd=root,
                env=None if env is None else dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            reason = f"cannot start {argv[0]!r}: {exc.strerror or exc}"
            log.write(f"{reason}\n".encode())
            return replace(base, status=Status.ERROR, reason=reason, seconds=0.0)
        registry.add(proc)
        try:
            code = proc.wait(timeout)
        except KeyboardInterrupt:
            registry.stop([proc])
            raise
        except subprocess.TimeoutExpired:
            survivors = stop_groups([proc]).get(proc.pid)
            seconds = time.monotonic() - started
            survived = f"; {procgroup.describe(survivors)}" if survivors else ""
            log.write(f"\nrunbook: killed after the {timeout:g}s timeout{survived}\n".encode())
            reason = f"timed out after {timeout:g}s{survived}"
            return replace(base, status=Status.TIMEOUT, seconds=seconds, reason=reason)
        finally:
            registry.remove(proc)
    seconds = time.monotonic() - started
    if registry.stopping.is_set():
        return replace(base, status=Status.NOT_RUN, seconds=seconds, reason="interrupted")
    text = read_log(log_path, env)  # redacted: a reason may quote its last line to a person
    report = read_report(path_in(machine_dir), gate, root, env)  # result.json decides
    found = read_findings(gate.tool, machine_dir, root, text, env)
    judged = judge(gate, code, report, text, found)
    if notices is not None:
        notices.extend(judged.notices)
    return replace(
        base,
        status=judged.status,
        seconds=seconds,
        exit_code=judged.exit_code,
        reason=judged.reason,
        coverage=judged.coverage,
        findings=found.findings,
        findings_total=found.total,
        findings_warning=found.warning,
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
