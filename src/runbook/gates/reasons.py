"""One-line reasons for a gate's result, read from the tool's own summary line.

Each summarizer takes what a tool printed and returns the line a person would look for first
("3 errors", "2 failed, 41 passed"), or "" when there is none. It runs in the gate's own
process (``runbook.gates.wrapper``, the tests gate's launcher), which hands the line over in
its ``result.json``; the runner never parses a log to decide. The tool-specific summarizers
live with their tool in ``runbook.gates.tools``; these two fit any tool (the runner shows
``last_line`` or nox's own explanation to a person when a gate wrote no result).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Summarizer = Callable[[str], str]

_NOX_LINE = re.compile(r"^nox > ")
_NOX_FAILURE = re.compile(r"^nox > (?:Session \S+ (?:failed|aborted): )?(.+)$", re.MULTILINE)


def last_line(log: str) -> str:
    """The last line the tool itself printed (nox's own chatter skipped)."""
    for line in reversed(log.splitlines()):
        stripped = line.strip()
        if stripped and not _NOX_LINE.match(stripped):
            return stripped[:200]
    return ""


def nox_failure(log: str) -> str:
    """nox's own explanation, for failures before the tool ran (missing program, bad install)."""
    lines = [match.group(1).strip() for match in _NOX_FAILURE.finditer(log)]
    interesting = [line for line in lines if "not found" in line or "failed" in line.lower()]
    return (interesting or lines or [""])[-1][:200]
