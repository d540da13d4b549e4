"""CI's gate step, after ``nox -s <gate>``: redact the log, print it, keep the findings.

A tests shard (``--shard K/N``) keeps its files as ``tests-shard-K-of-N.*``, with its coverage
data and record (runbook.reports.ci_shards reads them).

``python -m runbook.reports.ci_gate GATE RAW_LOG DIRECTORY`` writes ``DIRECTORY/GATE.log`` (the raw
log,
redacted line by line), prints it to the job log, writes ``DIRECTORY/GATE.findings.json`` (the
gate's findings, bounded and redacted, read from its machine output), keeps the gate's own
``result.json``, redacted, as ``DIRECTORY/GATE.result.json`` (the table reads it) and removes the
raw log.
Only DIRECTORY is uploaded: nothing CI prints or uploads is unredacted.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.gates import table
from runbook.gates.shards import Shard
from runbook.gates.tools import GateFindings, output_dir, read_findings
from runbook.records import handover
from runbook.records.findings import Finding
from runbook.records.handover import HandoverError
from runbook.records.redact import read_log, redact
from runbook.running.outcome import read_report

USAGE = "usage: python -m runbook.reports.ci_gate GATE RAW_LOG DIRECTORY [--shard K/N]"
SHARD_FILES = {"shard.json": ".shard.json", "shard.coverage": ".coverage"}
"""A tests shard's machine output (runbook.selection.testgate) -> its suffix in DIRECTORY."""


def findings_path(directory: Path, gate: str) -> Path:
    return directory / f"{gate}.findings.json"


def result_path(directory: Path, gate: str) -> Path:
    """Where the gate's ``result.json`` (``runbook.records.handover``) is kept for the table."""
    return directory / f"{gate}.result.json"


def redact_log(raw: Path, dest: Path, env: Mapping[str, str], echo: TextIO) -> None:
    """Copy ``raw`` to ``dest`` line by line, redacted, echoing each line."""
    with (
        raw.open("r", encoding="utf-8", errors="replace") as source,
        dest.open("w", encoding="utf-8") as sink,
    ):
        for line in source:
            clean = redact(line, env)
            sink.write(clean)
            echo.write(clean)
    echo.flush()


def save_findings(path: Path, found: GateFindings) -> None:
    data = {
        "findings": [finding.to_json() for finding in found.findings],
        "findings_total": found.total,
        "findings_warning": found.warning,
        "project_errors": found.project_errors,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def load_findings(path: Path) -> GateFindings:
    """What ``save_findings`` wrote; a missing or unreadable file is a warning, no findings."""
    if not path.is_file():
        return GateFindings(warning=f"no findings from CI ({path.name} missing)")
    try:
        data = cast(dict[str, Any], json.loads(path.read_text("utf-8")))
        items = cast(list[dict[str, Any]], data["findings"])
        findings = tuple(Finding.from_json(item) for item in items)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return GateFindings(warning=f"cannot read {path.name}: {exc}")
    total = data.get("findings_total")
    if not isinstance(total, int) or total < len(findings):
        return GateFindings(warning=f"cannot read {path.name}: findings_total is {total!r}")
    stopping = data.get("project_errors", 0)
    if not isinstance(stopping, int) or not 0 <= stopping <= total:
        return GateFindings(warning=f"cannot read {path.name}: project_errors is {stopping!r}")
    return GateFindings(findings, total, str(data.get("findings_warning", "")), stopping)


def main(argv: Sequence[str], env: Mapping[str, str], out: TextIO, root: Path) -> int:
    if len(argv) not in {3, 5} or (len(argv) == 5 and argv[3] != "--shard"):
        out.write(USAGE + "\n")
        return 2
    gate_name, raw, directory = argv[0], Path(argv[1]), Path(argv[2])
    try:
        (gate,) = table.select([gate_name])
        shard = Shard.parse(argv[4]) if len(argv) == 5 else None
    except ValueError as exc:
        out.write(f"runbook.reports.ci_gate: error: {exc}\n")
        return 2
    # A shard's files are named for it: the collect job reads every shard's side by side.
    name = gate_name if shard is None else f"{gate_name}-{shard.name}"
    directory.mkdir(parents=True, exist_ok=True)
    if shard is not None:
        machine = output_dir(root, gate_name)
        for kept, suffix in SHARD_FILES.items():
            if (machine / kept).is_file():  # missing: the collect job says so, naming the shard
                shutil.copyfile(machine / kept, directory / f"{name}{suffix}")
    log = directory / f"{name}.log"
    redact_log(raw, log, env, out)
    raw.unlink()
    found = read_findings(gate.tool, output_dir(root, gate_name), root, read_log(log, env), env)
    save_findings(findings_path(directory, name), found)
    report = read_report(handover.path_in(output_dir(root, gate_name)), gate, root, env)
    if isinstance(report, HandoverError):  # the table then reports the gate's missing result
        out.write(f"runbook: warning: {report}\n")
    else:
        handover.write(result_path(directory, name), report)  # redacted, as everything here
    if found.warning:
        out.write(f"runbook: warning: {found.warning}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ, sys.stdout, Path.cwd()))
