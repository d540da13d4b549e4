"""What a gate's run means: pass, fail (the tool found problems) or error (the gate could not
run), and the one-line reason the table shows.

Pure functions of the gate, nox's exit code and the gate's log: the runner (``execute``) and
the CI table (``runbook.reports.collect``) classify alike, without the process control.
"""

from __future__ import annotations

import re
from pathlib import Path

from runbook.gates.reasons import nox_failure, selection
from runbook.gates.table import Gate
from runbook.gates.tools import GateFindings
from runbook.records.findings import first_finding_reason
from runbook.records.result import Status

# nox reports the tool's own exit code; ours is always 1 when a session fails.
_NOX_EXIT = re.compile(r"^nox > Command (.*) failed with exit code (-?\d+)", re.MULTILINE)
_NOX_MISSING = re.compile(r"^nox > (Program \S+ not found\.?.*)$", re.MULTILINE)


def classify(
    gate: Gate, code: int, log: str, found: GateFindings | None = None
) -> tuple[Status, int]:
    """Tell "the tool found problems" (fail) from "the gate could not run" (error).

    Returns the status and the tool's own exit code, read from nox's log when nox ran it. An
    exit code the tool also gives when the project's files stopped it (pytest's 2 for collection
    errors) is a fail only when ``found`` holds such a problem: unreadable machine output has
    none, so a parse failure never turns an error into a fail.
    """
    if code == 0:
        return Status.PASS, 0
    if _NOX_MISSING.search(log):
        return Status.ERROR, code
    failures: list[tuple[str, str]] = _NOX_EXIT.findall(log)
    tool_code = code
    if failures:
        command, exit_code = failures[-1]
        if not _is_gate_command(gate, command):
            return Status.ERROR, int(exit_code)  # setup (e.g. installing the group) failed
        tool_code = int(exit_code)
    if tool_code in gate.failure_codes:
        return Status.FAIL, tool_code
    if found is not None and found.project_errors and tool_code in gate.tool.project_exit_codes:
        return Status.FAIL, tool_code
    return Status.ERROR, tool_code


def _is_gate_command(gate: Gate, command: str) -> bool:
    """Whether nox's failed ``command`` is the gate's tool, not a setup step before it.

    Compares the gate's leading fixed words (``python -m runbook.package``, not just
    ``python``), since a failed ``python -m pip install`` must not count as findings.
    """
    fixed = [part for part in gate.command if "{" not in part]
    fixed[0] = Path(fixed[0]).name
    words = command.split()
    if words:
        words[0] = Path(words[0]).name
    return words[: len(fixed)] == fixed


def reason_for(
    gate: Gate, status: Status, tool_code: int, log: str, found: GateFindings | None = None
) -> str:
    """The one-line reason shown in the table: the tool's count, then its first finding."""
    if status is Status.PASS:
        return selection(log)  # a selective tests gate says how many tests ran
    missing = _NOX_MISSING.search(log)
    if missing:
        return missing.group(1)
    summary = gate.summarize(log)
    if found is not None and found.findings:
        return first_finding_reason(summary, found.findings[0], found.total)
    if status is Status.ERROR:
        cause = summary or nox_failure(log)
        return f"exit code {tool_code}: {cause}" if cause else f"exit code {tool_code}"
    return summary or f"exit code {tool_code}"
