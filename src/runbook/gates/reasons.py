"""One-line reasons for a gate's result, read from the tool's own summary line.

Each summarizer takes a gate's whole log and returns the line a person would look for first
("3 errors", "coverage 64% < 70%", "2 failed, 41 passed"), or "" when the log has none. The
tool-specific ones live with their tool in ``runbook.gates.tools``; these two fit any tool.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Summarizer = Callable[[str], str]

_NOX_LINE = re.compile(r"^nox > ")
_SELECTED = re.compile(r"^runbook-select: (.+)$", re.MULTILINE)
_NOTICE = re.compile(r"^runbook-notice: (.+)$", re.MULTILINE)
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


def selection(log: str) -> str:
    """How many tests a selective tests gate ran ("112 of 386 run, 274 unaffected"), or ""."""
    found = _SELECTED.findall(log)
    return str(found[-1]).strip()[:200] if found else ""


def notices(log: str) -> list[str]:
    """``runbook-notice:`` lines a gate printed for the runner to show under the table."""
    return [str(line).strip()[:300] for line in _NOTICE.findall(log)]
