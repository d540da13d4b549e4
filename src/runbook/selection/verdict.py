"""The tests gate's verdict: pytest-cov's report options and floor, applied to the data that
counts (a selective run's merged data, or a whole run's own).

pytest runs with ``--cov-report=`` and ``--cov-fail-under=0``: it only measures. This module
writes the ``--cov-report`` kinds the gate was asked for and checks the floor the way pytest-cov
would (``coverage.results.should_fail_under``, at the configured precision); the total goes to
the gate's result as data (``runbook.records.handover.Coverage``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from coverage import Coverage as CoverageAPI
from coverage.exceptions import CoverageException
from coverage.plugin import FileReporter
from coverage.python import PythonFileReporter
from coverage.results import Analysis, should_fail_under
from coverage.types import TMorf

from runbook.records.handover import Coverage
from runbook.selection.parses import PARSES, KeptFileReporter, KeptParses


class UsageError(Exception):
    """An argument the gate does not understand."""


class AnalysedOnce(CoverageAPI):
    """coverage.py's API, analysing each file once however many reports are written.

    Every report kind analyses every measured file again (parsing and tokenizing its source:
    about half a second for this project's ~90 files), though the data and the files do not
    change between the reports of one verdict; the gate writes two (term and json), so the second
    analysis was half of the gate's tail after pytest. An analysis is a function of the data
    (loaded once, read only) and the file, so a report from a kept analysis is the report from a
    new one (tests/test_testgate.py compares them byte for byte).

    With ``kept``, each file's text is analysed only when it changed since a verdict kept its
    analysis (``runbook.selection.parses``).
    """

    def __init__(self, *, data_file: str, config_file: str, kept: KeptParses | None = None) -> None:
        super().__init__(data_file=data_file, config_file=config_file)
        self._analysed: dict[str, Analysis] = {}
        self.kept = kept

    def _get_file_reporter(self, morf: TMorf) -> FileReporter:
        found = super()._get_file_reporter(morf)
        if self.kept is None or type(found) is not PythonFileReporter:
            return found  # a plugin's file: not ours to keep
        return KeptFileReporter(morf, self, self.kept)

    def _analyze(self, morf: TMorf, file_reporter: FileReporter | None = None) -> Analysis:
        if not isinstance(morf, str):
            return super()._analyze(morf, file_reporter)
        if morf not in self._analysed:
            self._analysed[morf] = super()._analyze(morf, file_reporter)
        return self._analysed[morf]


def write_reports(cov: CoverageAPI, reports: Sequence[str], out: TextIO) -> float | None:
    """pytest-cov's ``--cov-report`` kinds, written from the (merged) data; the total percent
    (each kind analyses every file and returns the same total), None when none was written."""
    total: float | None = None
    for spec in reports:
        kind, _, target = spec.partition(":")
        if kind in {"term", "term-missing"}:
            missing = kind == "term-missing" or None
            total = cov.report(file=out, ignore_errors=True, show_missing=missing)
        elif kind == "json":
            total = cov.json_report(outfile=target or None, ignore_errors=True)
        elif kind == "xml":
            total = cov.xml_report(outfile=target or None, ignore_errors=True)
        elif kind == "html":
            total = cov.html_report(directory=target or None, ignore_errors=True)
        elif kind:
            supported = "term, term-missing, json, xml, html"
            raise UsageError(f"--cov-report={spec}: supported are {supported}")
    return total


def report(
    root: Path, data: Path, threshold: float, reports: Sequence[str], out: TextIO
) -> Coverage:
    """Write the coverage reports and a line for a person; the total and whether it reached
    the floor (the gate's result carries both: nothing reads this line back)."""
    kept, problem = KeptParses.load(root / PARSES)
    if problem:
        out.write(f"coverage: the kept analyses are not used: {problem}\n")
    cov = AnalysedOnce(data_file=str(data), config_file=str(root / "pyproject.toml"), kept=kept)
    cov.load()
    out.write("\n")
    out.flush()
    try:
        written = write_reports(cov, reports, out)
        # No report asked for: the total alone (one analysis of every file less).
        total = cov.report(file=io.StringIO(), ignore_errors=True) if written is None else written
    except CoverageException as exc:
        out.write(f"coverage: {exc}\n")
        total = 0.0
    try:
        kept.save()
    except OSError as exc:
        out.write(f"coverage: could not keep the analyses for the next verdict: {exc}\n")
    failed = should_fail_under(total, threshold, cov.config.precision)
    shown = float(f"{total:.2f}")
    out.write(
        f"Coverage total {shown:.2f}%, floor {threshold:g}%: "
        f"{'not reached' if failed else 'reached'}\n"
    )
    out.flush()
    return Coverage(total=shown, floor=threshold, reached=not failed)


def verdict(
    code: int,
    root: Path,
    data: Path,
    *,
    threshold: float,
    reports: Sequence[str],
    out: TextIO,
) -> tuple[int, Coverage | None]:
    """pytest's exit code once the reports are written and the floor is checked on ``data``:
    1 when the tests passed but the total is under the floor, 4 for a report it cannot write;
    and the coverage total (None when no report could be written)."""
    try:
        total = report(root, data, threshold, reports, out)
    except UsageError as exc:
        out.write(f"runbook.selection.testgate: error: {exc}\n")
        return 4, None
    return (1 if code == 0 and not total.reached else code), total
