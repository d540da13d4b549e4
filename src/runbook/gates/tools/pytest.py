"""pytest with pytest-cov: failing tests from JUnit XML, coverage shortfalls from coverage JSON.

JUnit XML is asked for in the xunit1 family, whose ``testcase`` elements carry ``file`` and
``line`` (pytest's default, xunit2, has neither). A ``failure``/``error`` element holds the
crash message (``message``) and the traceback (its text), whose ``path:line:`` lines are the
finding's frames: its location is the deepest of them in the project's own files
(``runbook.records.findings.locate``), never a line inside an installed package. A collection
error (pytest's message "collection failure") is a ``collection-error`` finding named by the
exception its traceback ends with. Coverage findings appear only when the tests gate's
``result.json`` says its floor was not reached (the gate checks the floor itself; pytest-cov
only measures): the files furthest below it, with their missing line ranges.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any, cast
from xml.etree import ElementTree as ET

from runbook.gates.reasons import last_line
from runbook.gates.tools import MachineOutputError, Tool, expect, load_json
from runbook.records import handover
from runbook.records.findings import Finding

JUNIT = "junit.xml"
COVERAGE = "coverage.json"
TRACEBACK_LINES = 12
"""How many of the traceback's last lines a failing test's finding keeps."""
MAX_MESSAGE = 1000
MAX_RANGES = 300
"""A file's missing line ranges are cut to this (the coverage report has them all)."""

_COUNTS = re.compile(
    r"^=*\s*((?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|deselected|warnings?)"
    r"(?:, )?)+)(?: in [\d.]+s.*)?=*\s*$",
    re.MULTILINE,
)
_NO_TESTS = re.compile(r"^=*\s*no tests ran\b", re.MULTILINE)
_FRAME = re.compile(
    r"^(?:(?![E>] )(?P<path>\S[^\n]*?\.py):(?P<line>\d+):(?: |$)"  # long, short: path:12: in f
    r'|[ \t]*File "(?P<native>[^"\n]+)", line (?P<native_line>\d+))',  # --tb=native
    re.MULTILINE,
)
_RAISED = re.compile(r"^E {3}(\S.*)$", re.MULTILINE)
COLLECTION_FAILURE = "collection failure"
"""pytest's JUnit ``message`` for a module that could not be collected."""
COLLECTION_ERROR = "collection-error"
"""The code of a collection error's finding."""


def counts(output: str) -> str:
    """pytest's counts line ("2 failed, 41 passed", "no tests ran"), or "" when it printed none.

    Read by the tests gate's own process from what its pytest printed (``testgate``); the
    runner gets it as data, in the gate's ``result.json``."""
    found = _COUNTS.findall(output)
    if found:
        return str(found[-1]).rstrip(", ")
    return "no tests ran" if _NO_TESTS.search(output) else ""


def summarize(output: str) -> str:
    """The counts line of pytest, else the last line it printed."""
    return counts(output) or last_line(output)


def test_id(case: ET.Element) -> str:
    """pytest's node id, rebuilt from xunit1's ``file``, ``classname`` and ``name``."""
    file, classname, name = case.get("file", ""), case.get("classname", ""), case.get("name", "")
    if not classname:  # a collection error: the name is the module
        return file or name
    module = ".".join(PurePosixPath(file).with_suffix("").parts) if file else ""
    classes = classname[len(module) + 1 :] if module and classname.startswith(module + ".") else ""
    parts = [file or classname, *filter(None, classes.split(".")), name]
    return "::".join(parts)


def frames(text: str) -> tuple[tuple[str, int], ...]:
    """Every ``path:line`` of a traceback, outermost first, as pytest printed it."""
    found: list[tuple[str, int]] = []
    for match in _FRAME.finditer(text):
        if match.group("path"):
            found.append((match.group("path"), int(match.group("line"))))
        else:
            found.append((match.group("native"), int(match.group("native_line"))))
    return tuple(found)


def _failure(case: ET.Element, problem: ET.Element) -> Finding:
    text = problem.text or ""
    trace = frames(text)
    line_attr = case.get("line")
    # Where to point when no frame is the project's: the test itself (xunit1 lines are 0-based).
    if case.get("file"):
        path = case.get("file", "")
        line = int(line_attr) + 1 if line_attr and line_attr.isdigit() else None
    elif trace:
        path, line = trace[-1]
    else:
        path, line = case.get("classname") or case.get("name") or "?", None
    message = problem.get("message") or problem.get("type") or "failed"
    code = "FAILED" if problem.tag == "failure" else "ERROR"
    if code == "ERROR" and message == COLLECTION_FAILURE:
        raised = _RAISED.findall(text)
        code, message = COLLECTION_ERROR, (raised[-1].strip() if raised else message)
    tail = [row.rstrip() for row in text.splitlines() if row.strip()][-TRACEBACK_LINES:]
    return Finding(
        path=path,
        line=line,
        column=None,
        code=code,
        severity="error",
        message=f"{test_id(case)} - {message}"[:MAX_MESSAGE],
        detail="\n".join(tail),
        frames=trace,
    )


def failing_tests(out_dir: Path) -> list[Finding]:
    try:
        root = ET.parse(out_dir / JUNIT).getroot()  # noqa: S314 (pytest's own output)
    except ET.ParseError as exc:
        raise MachineOutputError(f"{JUNIT} is not well-formed XML ({exc})") from exc
    expect(root.tag in {"testsuites", "testsuite"}, f"{JUNIT} has no testsuite")
    found: list[Finding] = []
    for case in root.iter("testcase"):
        found += [_failure(case, p) for p in case if p.tag in {"failure", "error"}]
    return found


def _ranges(lines: list[int]) -> str:
    spans: list[str] = []
    start = previous = None
    for number in [*sorted(lines), None]:
        if start is not None and previous is not None and number != previous + 1:
            spans.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if start is None:
            start = number
        previous = number
    text = ", ".join(spans)
    return text if len(text) <= MAX_RANGES else text[: MAX_RANGES - 1] + "…"


def coverage_shortfalls(out_dir: Path, floor: float) -> list[Finding]:
    """Files below ``floor``, furthest below first, with their missing lines."""
    data = load_json(out_dir / COVERAGE)
    expect(isinstance(data, dict), f"{COVERAGE} is not an object")
    files = cast(dict[str, Any], data).get("files")
    expect(isinstance(files, dict), f"{COVERAGE} has no files")
    rows: list[tuple[float, str, list[int]]] = []
    for path, entry in cast(dict[str, Any], files).items():
        summary = cast(dict[str, Any], cast(dict[str, Any], entry).get("summary") or {})
        percent = summary.get("percent_covered")
        missing = cast(list[Any], cast(dict[str, Any], entry).get("missing_lines") or [])
        expect(isinstance(percent, int | float), f"{path} has no percent_covered")
        if cast(float, percent) < floor:
            rows.append((cast(float, percent), path, [int(n) for n in missing]))
    rows.sort()
    return [
        Finding(
            path=path,
            line=missing[0] if missing else None,
            column=None,
            code="coverage",
            severity="error",
            message=(
                f"{percent:.1f}% covered < {floor:g}%"
                + (f"; missing lines {_ranges(missing)}" if missing else "; missing branches")
            ),
        )
        for percent, path, missing in rows
    ]


def read(out_dir: Path, _log: str) -> list[Finding]:
    """Failing tests; and, when the gate's result says the floor was not reached, the files
    below it (a missing result is the gate's error already: then no coverage findings)."""
    found = failing_tests(out_dir)
    try:
        result = handover.read(handover.path_in(out_dir), out_dir.name)
    except handover.HandoverError:
        return found
    if result.coverage is not None and not result.coverage.reached:
        found += coverage_shortfalls(out_dir, result.coverage.floor)
    return found


TOOL = Tool(
    name="pytest",
    package="pytest",
    summarize=summarize,
    machine_args=(
        "--junitxml={out}/" + JUNIT,
        "-o",
        "junit_family=xunit1",
        "--cov-report=term",
        "--cov-report=json:{out}/" + COVERAGE,
    ),
    read=read,
    information_uri="https://docs.pytest.org/",
    project_exit_codes=frozenset({2}),  # pytest's "interrupted": by collection errors
    project_error_codes=frozenset({COLLECTION_ERROR}),
)
