"""One-line reasons for a gate's result, read from the tool's own summary line.

Each summarizer takes a gate's whole log and returns the line a person would look for first
("3 errors", "coverage 64% < 70%", "2 failed, 41 passed"), or "" when the log has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Summarizer = Callable[[str], str]

_NOX_LINE = re.compile(r"^nox > ")
_RUFF_FOUND = re.compile(r"^Found (\d+) errors?\b", re.MULTILINE)
_RUFF_FORMAT = re.compile(r"^(\d+) files? would be reformatted", re.MULTILINE)
_PYTEST_COUNTS = re.compile(
    r"^=*\s*((?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|deselected|warnings?)"
    r"(?:, )?)+)(?: in [\d.]+s.*)?=*\s*$",
    re.MULTILINE,
)
_PYTEST_NO_TESTS = re.compile(r"^=*\s*no tests ran\b", re.MULTILINE)
_COV_FAIL = re.compile(
    r"Required test coverage of ([\d.]+)% not reached\. Total coverage: ([\d.]+)%"
)
_COV_TOTAL = re.compile(r"^TOTAL\s.*?\s([\d.]+)%\s*$", re.MULTILINE)
_COV_PRECISE = re.compile(
    r"Required test coverage of [\d.]+% (?:not )?reached\. Total coverage: ([\d.]+)%"
)
_PYRIGHT = re.compile(r"^(\d+) errors?, \d+ warnings?, \d+ informations?", re.MULTILINE)
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


def ruff_check(log: str) -> str:
    """Number of lint findings."""
    match = _RUFF_FOUND.search(log)
    if match:
        count = int(match.group(1))
        return f"{count} error{'s' if count != 1 else ''}"
    return last_line(log)


def ruff_format(log: str) -> str:
    """Number of files that need formatting."""
    match = _RUFF_FORMAT.search(log)
    if match:
        return match.group(0)
    return last_line(log)


def coverage_percent(log: str) -> float | None:
    """Total coverage printed by pytest-cov, if any."""
    match = _COV_PRECISE.search(log)  # two decimals, where the TOTAL row rounds
    if match:
        return float(match.group(1))
    totals = _COV_TOTAL.findall(log)
    return float(totals[-1]) if totals else None


def pytest(log: str) -> str:
    """The counts line of pytest, and the coverage shortfall when there is one."""
    parts: list[str] = []
    counts = _PYTEST_COUNTS.findall(log)
    if counts:
        parts.append(counts[-1].rstrip(", "))
    elif _PYTEST_NO_TESTS.search(log):
        parts.append("no tests ran")
    cov = _COV_FAIL.search(log)
    if cov:
        parts.append(f"coverage {float(cov.group(2)):g}% < {float(cov.group(1)):g}%")
    return "; ".join(parts) if parts else last_line(log)


def pyright(log: str) -> str:
    """Number of type errors."""
    match = _PYRIGHT.search(log)
    if match:
        count = int(match.group(1))
        return f"{count} error{'s' if count != 1 else ''}"
    return last_line(log)
