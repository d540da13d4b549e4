"""``python -m runbook findings [--json] [--gate G]``: the last run's findings, from report.json.

Reads only ``.runbook/report.json`` (what the last runbook or release wrote), so it is instant
and shows exactly what the gate table, Codex_Questions.md and findings.sarif were made from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.records.findings import count_label
from runbook.records.result import GateResult

REPORT = Path(".runbook") / "report.json"


class NoReportError(Exception):
    """There is no readable report of a last run."""


def load_results(root: Path) -> list[GateResult]:
    path = root / REPORT
    try:
        data = json.loads(path.read_text("utf-8"))
        gates = cast(list[dict[str, Any]], cast(dict[str, Any], data)["gates"])
        return [GateResult.from_json(gate) for gate in gates]
    except FileNotFoundError:
        raise NoReportError(f"no {REPORT}: run `make runbook` first") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NoReportError(f"cannot read {REPORT}: {exc}") from exc


def render_text(results: list[GateResult]) -> str:
    lines: list[str] = []
    for result in results:
        shown = len(result.findings)
        more = f" (first {shown} shown)" if result.findings_total > shown else ""
        count = count_label(result.findings_total, "finding")
        lines.append(f"{result.name} ({result.status}): {count}{more}")
        if result.findings_warning:
            lines.append(f"  warning: {result.findings_warning}")
        for finding in result.findings:
            lines.append(f"  {finding.one_line()}")
            lines += [f"      {row}" for row in finding.detail.splitlines()]
    return "\n".join(lines) + "\n"


def render_json(results: list[GateResult]) -> str:
    data = {
        result.name: {
            "status": str(result.status),
            "findings": [finding.to_json() for finding in result.findings],
            "findings_total": result.findings_total,
            "findings_warning": result.findings_warning,
        }
        for result in results
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(root: Path, gate: str | None, as_json: bool, out: TextIO) -> int:
    """Print the findings; 2 when there is no report or no such gate in it."""
    try:
        results = load_results(root)
    except NoReportError as exc:
        out.write(f"runbook: error: {exc}\n")
        return 2
    if gate is not None:
        chosen = [result for result in results if result.name == gate]
        if not chosen:
            names = ", ".join(result.name for result in results)
            out.write(f"runbook: error: no gate {gate!r} in the last run; it ran: {names}\n")
            return 2
        results = chosen
    out.write(render_json(results) if as_json else render_text(results))
    return 0
