"""The gate table as files: JSON for programs, Markdown for people (the terminal is
``console.py``'s)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runbook.records.result import GateResult, Status

SYMBOLS: dict[Status, str] = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.SKIPPED: "○",
    Status.TIMEOUT: "⧖",
    Status.ERROR: "!",
    Status.NOT_RUN: "·",
    Status.CANCELLED: "⊘",
}


@dataclass(frozen=True)
class RunReport:
    """One run of the runbook or the release, as written to ``.runbook/report.json``."""

    mode: str
    started_at: str
    commit: str
    seconds: float
    results: tuple[GateResult, ...]
    warnings: tuple[str, ...] = ()
    changes: Mapping[str, str] = field(default_factory=lambda: {})
    """Per gate, what changed since the previous run ("newly failing", "fixed", "cov +1.2")."""
    trend: str = ""
    """Charts of the recent runs (``trend.markdown``) for report.md; not part of report.json."""

    @property
    def passed(self) -> bool:
        """Every required gate passed (in strict modes every gate is required, and one that gave
        no verdict, not run or cancelled, fails the run)."""
        strict = self.mode in {"release", "patch"}
        return not any(
            r.status.failed or (strict and r.status.unfinished)
            for r in self.results
            if r.required or strict
        )

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started_at": self.started_at,
            "commit": self.commit,
            "seconds": round(self.seconds, 3),
            "result": "pass" if self.passed else "fail",
            "exit_code": self.exit_code,
            "warnings": list(self.warnings),
            "gates": [
                {**r.to_json(), "seconds": round(r.seconds, 3), "change": self.changes.get(r.name)}
                for r in self.results
            ],
        }


def status_label(result: GateResult) -> str:
    return f"{result.status} (cached)" if result.cached else str(result.status)


def table_rows(report: RunReport) -> list[tuple[str, str, str, str, str]]:
    """(gate, projector, status, time, reason) per gate: the cells every rendering shows."""
    rows: list[tuple[str, str, str, str, str]] = []
    for r in report.results:
        reason = r.reason
        change = report.changes.get(r.name)
        if change:
            reason = f"{reason} [{change}]" if reason else f"[{change}]"
        rows.append((r.name, r.projector, status_label(r), f"{r.seconds:.1f}s", reason))
    return rows


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: RunReport) -> str:
    verdict = "✅ pass" if report.passed else "❌ fail"
    lines = [
        f"### Gate table ({report.mode}: {verdict}, {report.seconds:.1f}s, `{report.commit}`)",
        "",
        "| gate | projector | status | time | reason |",
        "|---|---|---|---:|---|",
    ]
    for row, r in zip(table_rows(report), report.results, strict=True):
        name, projector, label, seconds, reason = row
        status = f"{SYMBOLS[r.status]} {label}"
        lines.append(f"| {name} | {projector} | {status} | {seconds} | {_md_cell(reason)} |")
    lines += [f"\n> warning: {_md_cell(w)}" for w in report.warnings]
    if report.trend:
        lines += ["", report.trend]
    return "\n".join(lines) + "\n"


def write_reports(report: RunReport, directory: Path) -> None:
    """``report.json`` and ``report.md`` in ``directory``. Nothing is redacted here: every field
    that comes from tool output was redacted where it was read (``redact.read_log``)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    (directory / "report.json").write_text(data + "\n", "utf-8")
    (directory / "report.md").write_text(render_markdown(report), "utf-8")


def append_step_summary(report: RunReport, env: Mapping[str, str] | None = None) -> None:
    """Append the Markdown table to ``GITHUB_STEP_SUMMARY`` when CI provides one."""
    env = os.environ if env is None else env
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(render_markdown(report))
