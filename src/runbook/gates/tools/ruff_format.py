"""ruff format --check: files that would be reformatted, from ``--output-format json``.

Same JSON shape as ``ruff check``: code ``unformatted`` at a file's first change, or, for a file
ruff could not format, ``io`` (it cannot be read: not UTF-8) or ``invalid-syntax`` (it does not
parse). ruff then exits 2; those files are the project's problems, so the gate fails with them
as findings (``Tool.project_exit_codes``), and they are never counted as "would reformat".
"""

from __future__ import annotations

import re
from pathlib import Path

from runbook.gates.tools import Tool, first_error_line, tool_last_line
from runbook.gates.tools.ruff_check import reader
from runbook.records.findings import Finding, RepoPaths, count_label

OUTPUT = "ruff-format.json"
UNFORMATTED = "unformatted"
UNFORMATTABLE = frozenset({"io", "invalid-syntax", "syntax-error", "E902"})
"""Codes of files ruff could not format: unreadable (``io``) or unparsable."""
_REFORMAT = re.compile(
    r"^(?:\d+ files? would be reformatted(?:, \d+ files? could not be read or parsed)?"
    r"|\d+ files? could not be read or parsed)",
    re.MULTILINE,
)


def summarize(log: str) -> str:
    """Files that need formatting and files ruff could not format; else its own error line."""
    match = _REFORMAT.search(log)
    if match:
        return match.group(0)
    return first_error_line(log) or tool_last_line(log)


read = reader(OUTPUT)


def counts(found: list[Finding]) -> str:
    """``3 files would be reformatted, 1 file could not be read or parsed`` (files, not
    diagnostics), or "" when there is nothing to say."""
    would = {f.path for f in found if f.code == UNFORMATTED}
    broken = {f.path for f in found if f.code != UNFORMATTED}
    parts = [f"{count_label(len(would), 'file')} would be reformatted"] if would else []
    if broken:
        parts.append(f"{count_label(len(broken), 'file')} could not be read or parsed")
    return ", ".join(parts)


def render(out_dir: Path) -> str:
    """ruff's text, rebuilt: an error line per file it could not format, ``Would reformat:``
    per file it would change, then the counts of both."""
    found = read(out_dir, "")
    if not found:
        return "All files already formatted"
    here = RepoPaths(Path.cwd())
    lines = [
        f"error: Failed to format {here(f.path)}"
        + (f":{f.line}:{f.column}" if f.line is not None and f.column is not None else "")
        + f": {f.code}: {f.message}"
        for f in found
        if f.code != UNFORMATTED
    ]
    lines += [f"Would reformat: {here(f.path)}" for f in found if f.code == UNFORMATTED]
    return "\n".join([*lines, counts(found)])


TOOL = Tool(
    name="ruff-format",
    package="ruff",
    summarize=summarize,
    machine_args=("--output-format", "json"),
    stdout_file=OUTPUT,
    read=read,
    render=render,
    information_uri="https://docs.astral.sh/ruff/formatter/",
    project_exit_codes=frozenset({2}),
    project_error_codes=UNFORMATTABLE,
)
