"""What running a gate produced: the rows of the gate table."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, cast

from runbook.records.findings import MAX_FINDINGS, Finding


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    FAIL = "fail"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"
    ERROR = "error"
    NOT_RUN = "not run"
    CANCELLED = "cancelled"
    """Stopped, or never started, because another gate failed first (strict modes)."""

    @property
    def failed(self) -> bool:
        """A gate with this status did not let the change through."""
        return self in {Status.FAIL, Status.TIMEOUT, Status.ERROR}

    @property
    def unfinished(self) -> bool:
        """The gate gave no verdict because the run stopped first: interrupted, or cancelled
        after another gate failed. Strict modes count it against the change."""
        return self in {Status.NOT_RUN, Status.CANCELLED}


NO_VERDICT: frozenset[str] = frozenset({Status.SKIPPED, Status.NOT_RUN, Status.CANCELLED})
"""Statuses (also as the strings of report.json and history.jsonl) of a gate that said nothing
about the change: neither its pass/fail nor its time is the gate's own."""


@dataclass(frozen=True)
class GateResult:
    name: str
    projector: str
    status: Status
    seconds: float = 0.0
    reason: str = ""
    exit_code: int | None = None
    command: str = ""
    log: str = ""
    """Path of the gate's log, relative to the project root."""
    required: bool = True
    step: int = 0
    """1-based position in the gate table: the STEP_NUMBER of an error capture."""
    cached: bool = False
    coverage: float | None = None
    findings: tuple[Finding, ...] = ()
    """The problems the tool reported, from its machine output: all of them for a gate that
    ran; the first ``findings.MAX_FINDINGS`` when read back from report.json, which keeps no
    more (every one is in ``.runbook/findings.jsonl``, ``runbook.records.findings_file``)."""
    findings_total: int = 0
    findings_warning: str = ""
    """Why the findings are empty although the tool ran (its machine output was unreadable)."""

    def to_json(self, max_findings: int | None = MAX_FINDINGS) -> dict[str, Any]:
        """The row as JSON with its first ``max_findings`` findings (None: all of them)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "findings"}
        data["status"] = str(self.status)
        kept = self.findings if max_findings is None else self.findings[:max_findings]
        data["findings"] = [finding.to_json() for finding in kept]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GateResult:
        known = {field.name for field in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["status"] = Status(values["status"])
        raw = values.get("findings", [])
        if not isinstance(raw, list):
            raise TypeError(f"findings is not a list: {raw!r}")
        values["findings"] = tuple(Finding.from_json(f) for f in cast(list[dict[str, Any]], raw))
        return cls(**values)
