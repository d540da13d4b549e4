"""``.runbook/findings.sarif``: the findings as SARIF 2.1.0, for GitHub code scanning.

One run per gate, each with its own category (``automationDetails.id``), since code scanning
refuses two runs with the same tool and category in one upload. A gate contributes a run only
when its findings are the tool's word on the inputs: it passed or failed (an empty run closes
that gate's earlier alerts), or it has findings. A gate that was skipped, not run, cancelled,
timed out or crashed without findings says nothing, so it adds no run and closes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from runbook.gates.tools import GENERIC, Tool, version
from runbook.records.findings import Finding
from runbook.records.result import GateResult, Status

SARIF_FILE = "findings.sarif"
SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


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


def sarif_run(result: GateResult, tool: Tool, root: Path) -> dict[str, Any]:
    codes = sorted({finding.code for finding in result.findings})
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
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"runbook/{result.name}/"},
        "results": [sarif_result(f, index[f.code]) for f in result.findings],
        "properties": {
            "gate": result.name,
            "status": str(result.status),
            "findingsTotal": result.findings_total,
        },
    }


def says_something(result: GateResult) -> bool:
    return result.status in {Status.PASS, Status.FAIL} or bool(result.findings)


def build(results: Sequence[GateResult], tools: Mapping[str, Tool], root: Path) -> dict[str, Any]:
    """The SARIF log for ``results``; ``tools`` maps gate names to their tools."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            sarif_run(result, tools.get(result.name, GENERIC), root)
            for result in results
            if says_something(result)
        ],
    }


def write(results: Sequence[GateResult], tools: Mapping[str, Tool], root: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build(results, tools, root), indent=2, ensure_ascii=False)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", "utf-8")
    tmp.replace(path)
