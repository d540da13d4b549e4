"""``.runbook/findings.sarif``: the findings as SARIF 2.1.0, for GitHub code scanning.

One run per gate, each with its own category (``automationDetails.id``), since code scanning
refuses two runs with the same tool and category in one upload. A gate contributes a run only
when its findings are the tool's word on the inputs: it passed or failed (an empty run closes
that gate's earlier alerts), or it has findings. A gate that was skipped, not run, cancelled,
timed out or crashed without findings says nothing, so it adds no run and closes nothing.

Every finding goes in, up to what GitHub code scanning accepts: at most 25,000 results in a run
(it shows the 5,000 most severe) and 10 MB gzipped per file. A run holds its gate's most severe
findings first (errors, then warnings, then notes, each in the tool's order), and a run cut at a
limit says so in its properties (``truncated``, ``resultsOmitted``); ``runbook findings`` has
every one.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from runbook.gates.tools import GENERIC, Tool, version
from runbook.records import atomic
from runbook.records.findings import SEVERITIES, Finding
from runbook.records.result import GateResult, Status

SARIF_FILE = "findings.sarif"
SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
MAX_RESULTS = 25_000
"""GitHub code scanning rejects an upload with more results than this in one run."""
MAX_GZIPPED_BYTES = 10 * 1024 * 1024
"""...and a file larger than this gzipped."""
_RANK = {level: rank for rank, level in enumerate(SEVERITIES)}


def artifact_location(path: str) -> dict[str, str]:
    """A repository-relative path against ``%SRCROOT%``; an absolute one as a file: URI."""
    if PureWindowsPath(path).drive:
        return {"uri": "file:///" + quote(path.replace("\\", "/"), safe="/:")}
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path.replace("\\", "/")), "uriBaseId": SRCROOT}


def sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(finding.path or ".")}
    if finding.line is not None:
        region: dict[str, int] = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        physical["region"] = region
    text = finding.message or finding.code
    if finding.detail:
        text += "\n\n" + finding.detail
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }


def most_severe_first(findings: Sequence[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; each in the tool's order (a stable sort)."""
    return sorted(findings, key=lambda finding: _RANK.get(finding.severity, 0))


def sarif_run(
    result: GateResult, tool: Tool, root: Path, max_results: int = MAX_RESULTS
) -> dict[str, Any]:
    """The gate's run with at most ``max_results`` results, most severe first."""
    kept = most_severe_first(result.findings)[:max_results]
    codes = sorted({finding.code for finding in kept})
    driver: dict[str, Any] = {
        "name": tool.name,
        "rules": [{"id": code, "shortDescription": {"text": code}} for code in codes],
    }
    tool_version = version(root, tool)
    if tool_version:
        driver["version"] = tool_version
    if tool.information_uri:
        driver["informationUri"] = tool.information_uri
    index = {code: i for i, code in enumerate(codes)}
    properties: dict[str, Any] = {
        "gate": result.name,
        "status": str(result.status),
        "findingsTotal": result.findings_total,
    }
    omitted = max(result.findings_total, len(result.findings)) - len(kept)
    if omitted > 0:
        properties["truncated"] = True
        properties["resultsOmitted"] = omitted
        properties["truncationReason"] = (
            f"{len(kept)} of {result.findings_total} findings, most severe first (code scanning "
            f"takes at most {MAX_RESULTS:,} results a run and 10 MB gzipped); every one: "
            f"python -m runbook findings --gate {result.name}"
        )
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"runbook/{result.name}/"},
        "results": [sarif_result(f, index[f.code]) for f in kept],
        "properties": properties,
    }


def says_something(result: GateResult) -> bool:
    return result.status in {Status.PASS, Status.FAIL} or bool(result.findings)


def build(
    results: Sequence[GateResult],
    tools: Mapping[str, Tool],
    root: Path,
    max_results: int = MAX_RESULTS,
) -> dict[str, Any]:
    """The SARIF log for ``results``; ``tools`` maps gate names to their tools."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            sarif_run(result, tools.get(result.name, GENERIC), root, max_results)
            for result in results
            if says_something(result)
        ],
    }


def render(
    results: Sequence[GateResult],
    tools: Mapping[str, Tool],
    root: Path,
    max_bytes: int = MAX_GZIPPED_BYTES,
) -> str:
    """The SARIF text, within code scanning's size limit: while it is larger gzipped than
    ``max_bytes``, every run keeps fewer results (its most severe), and says so."""
    limit = MAX_RESULTS
    while True:
        text = json.dumps(build(results, tools, root, limit), indent=2, ensure_ascii=False)
        data = text.encode("utf-8")
        # JSON never grows when gzipped: only a text above the limit needs compressing.
        if len(data) <= max_bytes or len(gzip.compress(data, 6)) <= max_bytes or limit == 0:
            return text
        most = max((len(r.findings) for r in results), default=0)
        limit = min(limit, most) // 2


def write(results: Sequence[GateResult], tools: Mapping[str, Tool], root: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(results, tools, root)
    atomic.write_text(path, text + "\n")
