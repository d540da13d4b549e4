"""ruff format --check: files that would be reformatted, from ``--output-format json``.

Same JSON shape as ``ruff check`` (code ``unformatted``, the first changed location).
"""

from __future__ import annotations

import re
from pathlib import Path

from runbook.gates.reasons import last_line
from runbook.gates.tools import Tool
from runbook.gates.tools.ruff_check import reader
from runbook.records.findings import count_label, repo_path

OUTPUT = "ruff-format.json"
_REFORMAT = re.compile(r"^(\d+) files? would be reformatted", re.MULTILINE)


def summarize(log: str) -> str:
    """Number of files that need formatting."""
    match = _REFORMAT.search(log)
    if match:
        return match.group(0)
    return last_line(log)


read = reader(OUTPUT)


def render(out_dir: Path) -> str:
    found = read(out_dir, "")
    if not found:
        return "All files already formatted"
    lines = [f"Would reformat: {repo_path(f.path, Path.cwd())}" for f in found]
    return "\n".join([*lines, f"{count_label(len(found), 'file')} would be reformatted"])


TOOL = Tool(
    name="ruff-format",
    package="ruff",
    summarize=summarize,
    machine_args=("--output-format", "json"),
    stdout_file=OUTPUT,
    read=read,
    render=render,
    information_uri="https://docs.astral.sh/ruff/formatter/",
)
