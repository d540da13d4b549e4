"""Gate table from CI: each matrix job ran ``nox -s <gate> --report <gate>.json`` and kept its
redacted log as ``<gate>.log``, its findings as ``<gate>.findings.json`` and the gate's own
``result.json`` as ``<gate>.result.json`` (``runbook.reports.ci_gate``);
this turns those files into one Markdown table for the job summary, ``findings.sarif`` next to
the directory for code scanning, ``report.json`` with every finding in ``findings.jsonl`` beside
it (downloaded into ``.runbook/``, ``python -m runbook findings`` reads them as a local run's),
and (in GitHub Actions) annotations on stderr.

The tests gate runs as ``[tool.runbook] shards`` jobs, each keeping its files under
``tests-shard-K-of-N``; its one row comes from all of them (``runbook.reports.ci_shards``:
their coverage data combined, the floor checked on the total).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.gates.settings import load
from runbook.gates.shards import Shard
from runbook.gates.table import GATES
from runbook.records import findings_file
from runbook.records.redact import read_log
from runbook.records.result import GateResult, Status
from runbook.reports import annotations, sarif
from runbook.reports.ci_gate import findings_path, load_findings, result_path
from runbook.reports.report import RunReport, render_markdown, write_reports
from runbook.running.outcome import judge, read_report

# nox's report codes are not exit codes: 1 success, 0 failed, -1 aborted, 2 skipped.
_NOX_SUCCESS, _NOX_FAILED, _NOX_SKIPPED = 1, 0, 2


def gate_result(step: int, directory: Path, threshold: float, name: str = "") -> GateResult:
    """The gate's row from the files CI kept under ``name`` (the gate's name, or one shard's
    ``tests-shard-K-of-N``)."""
    gate = GATES[step - 1]
    name = name or gate.name
    report_file = directory / f"{name}.json"
    log_file = directory / f"{name}.log"
    log = read_log(log_file)
    base = GateResult(
        name=gate.name,
        projector=gate.projector,
        status=Status.NOT_RUN,
        command=" ".join(gate.argv(threshold)),
        log=log_file.name if log else "",
        required=gate.required,
        step=step,
    )
    found = load_findings(findings_path(directory, name))
    if not report_file.is_file():
        return replace(base, reason="no report from CI")
    base = replace(
        base,
        findings=found.findings,
        findings_total=found.total,
        findings_warning=found.warning,
    )
    data = cast(dict[str, Any], json.loads(report_file.read_text("utf-8")))
    sessions = cast(list[dict[str, Any]], data.get("sessions", []))
    session = next((s for s in sessions if s.get("name") == gate.name), None)
    if session is None:
        return replace(base, reason="gate missing from its report")
    seconds = float(session.get("duration") or 0.0)
    code = session.get("result_code")
    if code == _NOX_SUCCESS:
        return replace(base, status=Status.PASS, seconds=seconds, exit_code=0)
    if code == _NOX_SKIPPED:
        return replace(
            base, status=Status.SKIPPED, seconds=seconds, reason=str(session.get("reason") or "")
        )
    if code != _NOX_FAILED:  # aborted: nox's own reason
        reason = str(session.get("reason") or "") or "exit code 1"
        return replace(base, status=Status.ERROR, seconds=seconds, exit_code=1, reason=reason)
    report = read_report(result_path(directory, name), gate, directory)
    judged = judge(gate, 1, report, log, found)
    return replace(
        base,
        status=judged.status,
        seconds=seconds,
        exit_code=judged.exit_code,
        reason=judged.reason or str(session.get("reason") or ""),
    )


def row(step: int, directory: Path, threshold: float, shards: int, root: Path) -> GateResult:
    """One row per gate; the tests gate's from its shards when CI ran it in shards."""
    gate = GATES[step - 1]
    if gate.name != "tests" or (directory / f"{gate.name}.json").is_file():
        return gate_result(step, directory, threshold)
    parts = [
        gate_result(step, directory, threshold, f"{gate.name}-{Shard(k, shards).name}")
        for k in range(1, shards + 1)
    ]
    # Imported here: coverage.py is in CI's collect job, not in the tools environment that
    # imports this module through the noxfile.
    from runbook.reports import ci_shards  # noqa: PLC0415

    return ci_shards.combined(parts, directory, threshold, root)


def main(directory: Path, out: TextIO) -> int:
    """Print the Markdown gate table; exit 1 when a required gate did not pass."""
    root = Path.cwd()  # CI runs this in the repository checkout
    chosen = load(root)
    threshold = chosen.cov_fail_under
    results = tuple(
        row(step, directory, threshold, chosen.shards, root)
        for step, gate in enumerate(GATES, start=1)
        if not gate.release_only
    )
    report = RunReport(
        mode="ci",
        started_at="",
        commit="ci",
        seconds=max((r.seconds for r in results), default=0.0),
        results=results,
    )
    out.write(render_markdown(report))
    tools = {gate.name: gate.tool for gate in GATES}
    sarif.write(results, tools, Path.cwd(), directory.parent / sarif.SARIF_FILE)
    write_reports(report, directory.parent)
    header = {"mode": report.mode, "started_at": report.started_at, "commit": report.commit}
    found = [(result.name, result.findings) for result in results]
    findings_file.write(directory.parent / findings_file.FINDINGS_FILE, header, found)
    annotations.emit(results, os.environ, sys.stderr)  # stdout is the job summary
    missing = any(r.status is Status.NOT_RUN and r.required for r in results)
    return 1 if missing or not report.passed else 0
