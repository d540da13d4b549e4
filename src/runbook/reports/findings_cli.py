"""``python -m runbook findings [--json] [--gate G] [--path P]``: every finding of the last run.

report.json names the last run's gates and statuses and keeps each gate's first 100 findings;
``.runbook/findings.jsonl`` (``runbook.records.findings_file``) keeps all of them. This reads
both, checks they belong to the same run, and prints every finding, so the table's count
("5,649 errors") is never more than a person can reach. When the findings file is missing or
from another run, it says so and prints what report.json kept.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.records import findings_file
from runbook.records.findings import count_label
from runbook.records.result import GateResult

REPORT = Path(".runbook") / "report.json"
FINDINGS = Path(".runbook") / findings_file.FINDINGS_FILE


class NoReportError(Exception):
    """There is no readable report of a last run."""


@dataclass(frozen=True)
class LastRun:
    results: list[GateResult]
    complete: bool
    """Every finding is at hand (the findings file matched), not just report.json's first 100."""
    note: str = ""
    """Why only report.json's findings are shown."""


def load_results(root: Path) -> list[GateResult]:
    return _load_report(root)[1]


def _load_report(root: Path) -> tuple[dict[str, Any], list[GateResult]]:
    path = root / REPORT
    try:
        data = cast(dict[str, Any], json.loads(path.read_text("utf-8")))
        gates = cast(list[dict[str, Any]], data["gates"])
        return data, [GateResult.from_json(gate) for gate in gates]
    except FileNotFoundError:
        raise NoReportError(f"no {REPORT}: run `make runbook` first") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NoReportError(f"cannot read {REPORT}: {exc}") from exc


def load_last_run(root: Path) -> LastRun:
    """The last run's results with every finding from the findings file when it is this run's;
    else report.json's (at most 100 a gate) and a note saying why."""
    report, results = _load_report(root)
    if all(result.findings_total == len(result.findings) for result in results):
        return LastRun(results, complete=True)
    try:
        run, found = findings_file.read(root / FINDINGS)
    except findings_file.FindingsFileError as exc:
        return LastRun(results, complete=False, note=f"{exc}")
    this_run = {key: report.get(key) for key in ("mode", "started_at", "commit")}
    if run != this_run:
        return LastRun(results, complete=False, note=f"{FINDINGS} is from another run")
    for result in results:
        if len(found.get(result.name, ())) != result.findings_total:
            return LastRun(
                results, complete=False, note=f"{FINDINGS} does not hold {result.name}'s findings"
            )
    return LastRun(
        [replace(result, findings=tuple(found[result.name])) for result in results], True
    )


def path_matches(pattern: str) -> Callable[[str], bool]:
    """A test for ``--path``: a file (``src/x.py``), a folder and all below it (``src/``,
    ``src``), or a glob (``src/*/io.py``, ``*.py``)."""
    folder = pattern.rstrip("/")

    def matches(path: str) -> bool:
        return path == folder or path.startswith(folder + "/") or fnmatch.fnmatchcase(path, pattern)

    return matches


def under_path(result: GateResult, pattern: str) -> GateResult:
    """``result`` with only the findings at ``pattern`` (``path_matches``), counted."""
    keep = path_matches(pattern)
    found = tuple(finding for finding in result.findings if keep(finding.path))
    return replace(result, findings=found, findings_total=len(found))


def render_text(results: Sequence[GateResult], last: LastRun | None = None) -> str:
    lines: list[str] = []
    if last is not None and not last.complete:
        lines.append(f"runbook: only report.json's first findings of each gate ({last.note})")
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


def render_json(results: Sequence[GateResult], last: LastRun | None = None) -> str:
    data: dict[str, Any] = {
        result.name: {
            "status": str(result.status),
            "findings": [finding.to_json() for finding in result.findings],
            "findings_total": result.findings_total,
            "findings_warning": result.findings_warning,
            "complete": last is None or last.complete,
        }
        for result in results
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(root: Path, gate: str | None, as_json: bool, out: TextIO, path: str | None = None) -> int:
    """Print the findings; 2 when there is no report or no such gate in it."""
    try:
        last = load_last_run(root)
    except NoReportError as exc:
        out.write(f"runbook: error: {exc}\n")
        return 2
    results = last.results
    if gate is not None:
        picked = [result for result in results if result.name == gate]
        if not picked:
            names = ", ".join(result.name for result in results)
            out.write(f"runbook: error: no gate {gate!r} in the last run; it ran: {names}\n")
            return 2
        results = picked
    if path is not None:
        results = [under_path(result, path) for result in results]
    out.write(render_json(results, last) if as_json else render_text(results, last))
    return 0
