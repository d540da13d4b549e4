"""pyright: type errors from ``--outputjson`` (printed to stdout, kept in a file).

The JSON has ``version``, ``generalDiagnostics`` (``file``, ``severity``, ``message``, ``rule``,
``range.start`` {line, character}, both 0-based) and ``summary`` (errorCount, warningCount,
informationCount).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from runbook.gates.tools import Tool, expect, first_error_line, load_json, tool_last_line
from runbook.records.findings import Finding, RepoPaths, count_label

OUTPUT = "pyright.json"
_SUMMARY = re.compile(r"^(\d+) errors?, \d+ warnings?, \d+ informations?", re.MULTILINE)


def summarize(log: str) -> str:
    """Number of type errors."""
    match = _SUMMARY.search(log)
    if match:
        return count_label(int(match.group(1)), "error")
    return first_error_line(log) or tool_last_line(log)


def _report(out_dir: Path) -> dict[str, Any]:
    data = load_json(out_dir / OUTPUT)
    expect(isinstance(data, dict), f"{OUTPUT} is not an object")
    report = cast(dict[str, Any], data)
    expect(isinstance(report.get("generalDiagnostics"), list), "no generalDiagnostics list")
    return report


def _finding(item: Any) -> Finding:
    expect(isinstance(item, dict), "a diagnostic is not an object")
    diagnostic = cast(dict[str, Any], item)
    span: dict[str, Any] = diagnostic.get("range") or {}
    start: dict[str, Any] = span.get("start") or {}
    line, character = start.get("line"), start.get("character")
    return Finding(
        path=str(diagnostic.get("file", "")),
        line=line + 1 if isinstance(line, int) else None,
        column=character + 1 if isinstance(character, int) else None,
        code=str(diagnostic.get("rule") or "pyright"),
        severity=str(diagnostic.get("severity", "error")),
        message=str(diagnostic.get("message", "")),
    )


@dataclass(frozen=True)
class Checked:
    """What a run checked and found, from its summary and diagnostics."""

    files: int
    """``summary.filesAnalyzed``: how many files pyright checked."""
    diagnostics: int
    """Every diagnostic, whatever its severity."""


def checked(out_dir: Path) -> Checked:
    """The run's counts; ``MachineOutputError`` (or OSError) when the output cannot say."""
    report = _report(out_dir)
    summary = report.get("summary")
    expect(isinstance(summary, dict), "no summary")
    files = cast(dict[str, Any], summary).get("filesAnalyzed")
    expect(isinstance(files, int), "no summary.filesAnalyzed")
    return Checked(files=cast(int, files), diagnostics=len(report["generalDiagnostics"]))


def not_started(out_dir: Path, why: str) -> None:
    """The machine output of a run that did not need pyright: no file checked, nothing found."""
    empty = {"errorCount": 0, "warningCount": 0, "informationCount": 0, "filesAnalyzed": 0}
    report: dict[str, object] = {
        "version": "",
        "runbook": why,
        "generalDiagnostics": list[object](),
        "summary": empty,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / OUTPUT).write_text(json.dumps(report), "utf-8")


def read(out_dir: Path, _log: str) -> list[Finding]:
    return [_finding(item) for item in _report(out_dir)["generalDiagnostics"]]


def render(out_dir: Path) -> str:
    """pyright's own text output, rebuilt from the JSON."""
    report = _report(out_dir)
    found = [_finding(item) for item in report["generalDiagnostics"]]
    summary = cast(dict[str, Any], report.get("summary") or {})
    errors = sum(f.severity == "error" for f in found)
    warnings = sum(f.severity == "warning" for f in found)
    relative = RepoPaths(Path.cwd())
    lines = [
        f"{replace(f, path=relative(f.path)).location()} - {f.severity}: {f.message} ({f.code})"
        for f in found
    ]
    lines.append(
        f"{count_label(int(summary.get('errorCount', errors)), 'error')}, "
        f"{count_label(int(summary.get('warningCount', warnings)), 'warning')}, "
        f"{count_label(int(summary.get('informationCount', 0)), 'information')}"
    )
    return "\n".join(lines)


TOOL = Tool(
    name="pyright",
    package="pyright",
    summarize=summarize,
    machine_args=("--outputjson",),
    stdout_file=OUTPUT,
    read=read,
    render=render,
    information_uri="https://microsoft.github.io/pyright/",
)
