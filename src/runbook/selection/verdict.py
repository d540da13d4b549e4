"""The tests gate's verdict: pytest-cov's report options and floor, applied to the data that
counts (a selective run's merged data, or a whole run's own).

pytest runs with ``--cov-report=`` and ``--cov-fail-under=0``: it only measures. This module
writes the ``--cov-report`` kinds the gate was asked for and checks the floor the way pytest-cov
would (``coverage.results.should_fail_under``, at the configured precision).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from coverage import Coverage
from coverage.exceptions import CoverageException
from coverage.results import should_fail_under


class UsageError(Exception):
    """An argument the gate does not understand."""


def write_reports(cov: Coverage, reports: Sequence[str], out: TextIO) -> None:
    """pytest-cov's ``--cov-report`` kinds, written from the (merged) data."""
    for spec in reports:
        kind, _, target = spec.partition(":")
        if kind in {"term", "term-missing"}:
            cov.report(file=out, ignore_errors=True, show_missing=kind == "term-missing" or None)
        elif kind == "json":
            cov.json_report(outfile=target or None, ignore_errors=True)
        elif kind == "xml":
            cov.xml_report(outfile=target or None, ignore_errors=True)
        elif kind == "html":
            cov.html_report(directory=target or None, ignore_errors=True)
        elif kind:
            supported = "term, term-missing, json, xml, html"
            raise UsageError(f"--cov-report={spec}: supported are {supported}")


def report(root: Path, data: Path, threshold: float, reports: Sequence[str], out: TextIO) -> bool:
    """Write the coverage reports and pytest-cov's verdict line; whether the floor was reached."""
    cov = Coverage(data_file=str(data), config_file=str(root / "pyproject.toml"))
    cov.load()
    out.write("\n")
    out.flush()
    try:
        total = cov.report(file=io.StringIO(), ignore_errors=True)
        write_reports(cov, reports, out)
    except CoverageException as exc:
        out.write(f"coverage: {exc}\n")
        total = 0.0
    failed = should_fail_under(total, threshold, cov.config.precision)
    out.write(
        f"{'FAIL ' if failed else ''}Required test coverage of {threshold:g}% "
        f"{'not reached' if failed else 'reached'}. Total coverage: {total:.2f}%\n"
    )
    out.flush()
    return not failed


def verdict(
    code: int,
    root: Path,
    data: Path,
    *,
    threshold: float,
    reports: Sequence[str],
    out: TextIO,
) -> int:
    """pytest's exit code once the reports are written and the floor is checked on ``data``:
    1 when the tests passed but the total is under the floor, 4 for a report it cannot write."""
    try:
        reached = report(root, data, threshold, reports, out)
    except UsageError as exc:
        out.write(f"runbook.selection.testgate: error: {exc}\n")
        return 4
    return 1 if code == 0 and not reached else code
