"""What a gate's run means: pass, fail (the tool found problems) or error (the gate could not
run), and the one-line reason the table shows.

The gate's own process says what happened in its ``result.json`` (``runbook.records.handover``):
the tool's exit code, the status it means, the counts line, the coverage total, the selection
line and notices. This module decides from that data alone; a missing or unreadable result is
the gate's error, naming the file. The log is only shown to a person: when the gate wrote no
result, its last lines (nox's explanation) join the reason. Pure functions: the runner
(``execute``) and the CI table (``runbook.reports.collect``) judge alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from runbook.gates.reasons import last_line, nox_failure
from runbook.gates.table import Gate
from runbook.gates.tools import GateFindings
from runbook.records import handover
from runbook.records.findings import first_finding_reason
from runbook.records.handover import GateReport, HandoverError
from runbook.records.redact import redact
from runbook.records.result import Status


@dataclass(frozen=True)
class Outcome:
    status: Status
    exit_code: int
    """The tool's own exit code (the launcher's, when the gate wrote no result)."""
    reason: str
    coverage: float | None = None
    notices: tuple[str, ...] = ()


def read_report(
    path: Path, gate: Gate, root: Path | None = None, env: Mapping[str, str] | None = None
) -> GateReport | HandoverError:
    """The gate's result, its text redacted like its log; or why there is none to use."""
    try:
        report = handover.read(path, gate.name, root)
    except HandoverError as exc:
        return exc
    return replace(
        report,
        summary=redact(report.summary, env),
        selection=redact(report.selection, env),
        notices=tuple(redact(notice, env) for notice in report.notices),
        reason=redact(report.reason, env),
    )


def classify(
    gate: Gate, code: int, report: GateReport | HandoverError, found: GateFindings | None = None
) -> tuple[Status, int]:
    """The status and the tool's own exit code, as the gate reported them (its process applied
    the gate's failure codes, ``Gate.status_for``); an error with the launcher's exit code
    ``code`` when its result is missing or unreadable.

    An exit code the tool also gives when the project's files stopped it (pytest's 2 for
    collection errors) is a fail only when ``found`` holds such a problem: unreadable machine
    output has none, so a parse failure never turns an error into a fail.
    """
    if isinstance(report, HandoverError):
        return Status.ERROR, code
    projects_fault = (
        found is not None
        and found.project_errors > 0
        and report.exit_code in gate.tool.project_exit_codes
    )
    if report.status is Status.ERROR and projects_fault:
        return Status.FAIL, report.exit_code
    return report.status, report.exit_code


def reason_for(
    status: Status,
    tool_code: int,
    report: GateReport | HandoverError,
    log: str,
    found: GateFindings | None = None,
) -> str:
    """The one-line reason shown in the table: the tool's count, then its first finding."""
    if isinstance(report, HandoverError):
        cause = last_line(log) or nox_failure(log)
        told = f"exit code {tool_code}: {cause}" if cause else f"exit code {tool_code}"
        return f"{told}; {report}"
    if status is Status.PASS:
        return report.selection  # a selective tests gate says how many tests ran
    if report.reason:
        return report.reason
    summary = report.summary or last_line(log)
    if found is not None and found.findings:
        return first_finding_reason(summary, found.findings[0], found.total)
    if status is Status.ERROR:
        return f"exit code {tool_code}: {summary}" if summary else f"exit code {tool_code}"
    return summary or f"exit code {tool_code}"


def judge(
    gate: Gate,
    code: int,
    report: GateReport | HandoverError,
    log: str,
    found: GateFindings | None = None,
) -> Outcome:
    """Everything the runner takes from one gate's run."""
    status, tool_code = classify(gate, code, report, found)
    if isinstance(report, HandoverError):
        return Outcome(status, tool_code, reason_for(status, tool_code, report, log, found))
    return Outcome(
        status=status,
        exit_code=tool_code,
        reason=reason_for(status, tool_code, report, log, found),
        coverage=None if report.coverage is None else report.coverage.total,
        notices=report.notices,
    )
