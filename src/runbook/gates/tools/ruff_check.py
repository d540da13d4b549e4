"""ruff check: lint findings from ``--output-format json`` (written to stdout, kept in a file).

The JSON is a list of diagnostics: ``filename`` (absolute), ``location`` {row, column}
(1-based), ``code`` (None for a syntax error), ``message``, ``url``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from runbook.gates.tools import Tool, expect, first_error_line, load_json, tool_last_line
from runbook.records.findings import Finding, RepoPaths, count_label

OUTPUT = "ruff.json"
_FOUND = re.compile(r"^Found (\d+) errors?\b", re.MULTILINE)


def summarize(log: str) -> str:
    """Number of lint findings; when ruff crashed, its own first error line."""
    match = _FOUND.search(log)
    if match:
        return count_label(int(match.group(1)), "error")
    return first_error_line(log) or tool_last_line(log)


def diagnostics(path: Path) -> list[dict[str, Any]]:
    """ruff's JSON diagnostics (``ruff check`` and ``ruff format --check`` share the shape)."""
    data = load_json(path)
    expect(isinstance(data, list), f"{path.name} is not a list of diagnostics")
    items = cast(list[Any], data)
    expect(all(isinstance(item, dict) for item in items), f"{path.name} holds a non-object")
    return cast(list[dict[str, Any]], items)


def finding(item: dict[str, Any]) -> Finding:
    location: object = item.get("location") or {}
    expect(isinstance(location, dict), "a diagnostic's location is not an object")
    place = cast(dict[str, Any], location)
    filename = item.get("filename")
    expect(isinstance(filename, str), "a diagnostic has no filename")
    row, column = place.get("row"), place.get("column")
    return Finding(
        path=cast(str, filename),
        line=row if isinstance(row, int) else None,
        column=column if isinstance(column, int) else None,
        code=str(item.get("code") or "syntax-error"),
        severity=str(item.get("severity") or "error"),
        message=str(item.get("message", "")),
    )


def reader(output: str) -> Callable[[Path, str], list[Finding]]:
    """The findings of a ruff command whose JSON went to ``output`` (check and format share it)."""

    def read(out_dir: Path, _log: str) -> list[Finding]:
        return [finding(item) for item in diagnostics(out_dir / output)]

    return read


read = reader(OUTPUT)


def render(out_dir: Path) -> str:
    """ruff's concise output, rebuilt from the JSON so the log stays readable."""
    found = read(out_dir, "")
    if not found:
        return "All checks passed!"
    relative = RepoPaths(Path.cwd())
    lines = [f"{replace(f, path=relative(f.path)).location()}: {f.code} {f.message}" for f in found]
    return "\n".join([*lines, f"Found {count_label(len(found), 'error')}."])


TOOL = Tool(
    name="ruff",
    package="ruff",
    summarize=summarize,
    machine_args=("--output-format", "json"),
    stdout_file=OUTPUT,
    read=read,
    render=render,
    information_uri="https://docs.astral.sh/ruff/",
)
