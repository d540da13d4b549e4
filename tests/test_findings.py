"""Findings: each tool's machine output read into ``path:line`` records, and every fault in that
output (missing, truncated, unexpected) a warning that never changes a gate's verdict."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from runbook import cli
from runbook.gates.settings import Settings
from runbook.gates.table import GATES, Gate
from runbook.gates.tools import (
    ProjectFiles,
    Tool,
    first_error_line,
    output_dir,
    pyright,
    read_findings,
    ruff_check,
    ruff_format,
    version,
)
from runbook.gates.tools import pytest as pytest_tool
from runbook.records import handover
from runbook.records.findings import MAX_FINDINGS, Finding, repo_path
from runbook.records.handover import Coverage, GateReport
from runbook.records.redact import MASK, PATTERNS, Redactor, redact, secret_values
from runbook.records.result import GateResult, Status
from runbook.reports import annotations, capture
from runbook.run import Run, perform
from runbook.running.outcome import classify
from support import direct, init_repo, python_gate

DATA = Path(__file__).parent / "data" / "findings"
ROOT = Path("/repo")


def ruff_item(
    path: str, row: int, column: int, code: str | None, message: str
) -> dict[str, object]:
    """One diagnostic as ruff 0.17 writes it with ``--output-format json``."""
    return {
        "cell": None,
        "code": code,
        "end_location": {"column": column + 1, "row": row},
        "filename": path,
        "fix": None,
        "location": {"column": column, "row": row},
        "message": message,
        "name": "line-too-long",
        "noqa_row": row,
        "severity": "error",
        "url": "https://docs.astral.sh/ruff/rules/line-too-long",
    }


def write(out: Path, name: str, text: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(text, "utf-8")
    return out


# --- reading each tool's machine output -------------------------------------------------------


def test_ruff_check_findings_are_repo_relative_with_1_based_positions(tmp_path: Path) -> None:
    items = [
        ruff_item(f"{tmp_path}/src/x.py", 12, 5, "E501", "Line too long (118 > 100)"),
        ruff_item(f"{tmp_path}/src/y.py", 1, 1, None, "SyntaxError: Expected an expression"),
    ]
    out = write(tmp_path / "out", ruff_check.OUTPUT, json.dumps(items))
    found = read_findings(ruff_check.TOOL, out, tmp_path, "")
    assert found.warning == ""
    assert found.total == 2
    first, second = found.findings
    assert first == Finding("src/x.py", 12, 5, "E501", "error", "Line too long (118 > 100)")
    assert first.one_line() == "src/x.py:12:5 E501 Line too long (118 > 100)"
    assert second.code == "syntax-error"
    rendered = ruff_check.render(out)
    assert "Found 2 errors." in rendered
    assert ruff_check.summarize(rendered) == "2 errors"


def test_ruff_format_findings_name_the_file_and_first_changed_line(tmp_path: Path) -> None:
    item = ruff_item(f"{tmp_path}/b.py", 1, 2, "unformatted", "File would be reformatted")
    out = write(tmp_path / "out", ruff_format.OUTPUT, json.dumps([item]))
    (found,) = read_findings(ruff_format.TOOL, out, tmp_path, "").findings
    assert found.one_line() == "b.py:1:2 unformatted File would be reformatted"
    assert ruff_format.summarize(ruff_format.render(out)) == "1 file would be reformatted"


def test_pyright_positions_are_made_1_based_and_its_summary_line_kept(tmp_path: Path) -> None:
    report = {
        "version": "1.1.414",
        "generalDiagnostics": [
            {
                "file": f"{tmp_path}/src/new.py",
                "severity": "error",
                "message": 'Type "str" is not assignable to declared type "int"',
                "range": {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 9}},
                "rule": "reportAssignmentType",
            },
            {
                "file": f"{tmp_path}/src/new.py",
                "severity": "information",
                "message": "note",
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
            },
        ],
        "summary": {"errorCount": 1, "warningCount": 0, "informationCount": 1},
    }
    out = write(tmp_path / "out", pyright.OUTPUT, json.dumps(report))
    error, note = read_findings(pyright.TOOL, out, tmp_path, "").findings
    assert error.location() == "src/new.py:3:9"
    assert error.code == "reportAssignmentType"
    assert note.severity == "note"
    assert pyright.summarize(pyright.render(out)) == "1 error"


def test_pytest_findings_give_test_id_crash_line_message_and_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(DATA / "junit.xml", out / pytest_tool.JUNIT)
    project(tmp_path, "tests/test_x.py", "src/pkg/__init__.py")
    env = {"HF_TOKEN": "unrelated-value-123"}
    failed, raised, setup = read_findings(pytest_tool.TOOL, out, tmp_path, "", env).findings
    # The assertion failed in a helper the test called: the exact line is the helper's.
    assert failed.location() == "tests/test_x.py:5"
    assert failed.code == "FAILED"
    assert failed.message.startswith("tests/test_x.py::test_y - AssertionError: f should give 3")
    assert "tests/test_x.py:5: AssertionError" in failed.detail
    # An exception raised in the code under test points at that code; the id names the class.
    assert raised.location() == "src/pkg/__init__.py:7"
    assert raised.message.startswith("tests/test_x.py::TestK::test_z[1] - ValueError")
    assert "hf_abcdefghijklmnop" not in raised.message + raised.detail  # redacted
    assert (setup.code, setup.location()) == ("ERROR", "tests/test_x.py:20")


def project(root: Path, *files: str) -> Path:
    """Empty files at these repository-relative paths (the project's own, or a virtualenv's)."""
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).touch()
    return root


INSTALLED = ".nox/tests/lib/python3.11/site-packages"


def captured_project(root: Path, *, git: bool) -> Path:
    """The layout the JUnit fixtures were captured in (tests/data/README.md): the project's
    tests and src, and pytest and packaging installed in .nox/tests under the project root."""
    project(root, "tests/test_marker.py", "tests/test_installed.py", "src/pkg/__init__.py")
    project(root, f"{INSTALLED}/_pytest/mark/structures.py", f"{INSTALLED}/packaging/version.py")
    (root / ".nox" / "tests" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    if git:
        init_repo(root)
        (root / ".gitignore").write_text(".nox/\n")
    return root


@pytest.mark.parametrize("git", [True, False], ids=["git work tree", "no git"])
def test_a_failure_raised_in_an_installed_package_is_placed_on_the_projects_line(
    tmp_path: Path, git: bool
) -> None:
    """Issue 20 item 1: real pytest output of a test whose call into ``packaging`` (installed
    in .nox/, under the project root) raised; the deepest frame is the package's, the finding's
    place is the project's line that called it."""
    root = captured_project(tmp_path / "project", git=git)
    out = root / "out"
    out.mkdir()
    shutil.copy(DATA / "junit-installed.xml", out / pytest_tool.JUNIT)
    (found,) = read_findings(pytest_tool.TOOL, out, root, "").findings
    assert found.location() == "src/pkg/__init__.py:5"
    assert found.message == (
        "tests/test_installed.py::test_release_of_a_bad_tag - "
        "packaging.version.InvalidVersion: Invalid version: 'not a version'"
    )
    # The traceback's end, in the installed package, stays in the detail.
    assert f"{INSTALLED}/packaging/version.py:466: InvalidVersion" in found.detail


@pytest.mark.parametrize("git", [True, False], ids=["git work tree", "no git"])
def test_a_collection_error_is_placed_on_the_test_modules_line(tmp_path: Path, git: bool) -> None:
    """Issue 20 item 1: a real unregistered marker under ``filterwarnings = error`` stops
    collection inside pytest (``_pytest/mark/structures.py``); the finding names the test
    module's line and the warning."""
    root = captured_project(tmp_path / "project", git=git)
    out = root / "out"
    out.mkdir()
    shutil.copy(DATA / "junit-collection.xml", out / pytest_tool.JUNIT)
    (found,) = read_findings(pytest_tool.TOOL, out, root, "").findings
    assert found.location() == "tests/test_marker.py:4"
    assert found.code == pytest_tool.COLLECTION_ERROR
    assert found.message.startswith(
        "tests/test_marker.py - pytest.PytestUnknownMarkWarning: Unknown pytest.mark.slowish"
    )


def test_with_no_frame_in_the_project_the_failing_test_is_the_place(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(DATA / "junit-installed.xml", out / pytest_tool.JUNIT)
    # Neither the test nor src/ exist here: no frame is the project's.
    (found,) = read_findings(pytest_tool.TOOL, out, tmp_path, "").findings
    assert found.location() == "tests/test_installed.py:8"  # the test's def (xunit1: 0-based 7)


@pytest.mark.parametrize(
    ("path", "mine"),
    [
        ("src/pkg/__init__.py", True),
        ("tests/new_untracked_test.py", True),  # new, not ignored: the project's
        (f"{INSTALLED}/packaging/version.py", False),  # ignored .nox/
        ("vendor/site-packages/x.py", False),  # tracked, but an installed package's
        ("src/missing.py", False),
        ("/usr/lib/python3.11/json/decoder.py", False),
        ("../other/x.py", False),
        ("<frozen importlib._bootstrap>", False),
    ],
)
def test_project_files_are_what_git_lists_never_an_installed_package(
    tmp_path: Path, path: str, mine: bool
) -> None:
    root = captured_project(tmp_path, git=True)
    project(root, "tests/new_untracked_test.py", "vendor/site-packages/x.py")
    assert ProjectFiles(root)(path) is mine


@pytest.mark.parametrize(
    ("path", "mine"),
    [
        ("src/pkg/__init__.py", True),
        (f"{INSTALLED}/packaging/version.py", False),
        (".venv/lib/helper.py", False),  # inside a virtualenv (pyvenv.cfg), any layout
        ("src/missing.py", False),
    ],
)
def test_without_git_project_files_are_those_outside_virtualenvs(
    tmp_path: Path, path: str, mine: bool
) -> None:
    root = captured_project(tmp_path, git=False)
    project(root, ".venv/pyvenv.cfg", ".venv/lib/helper.py")
    assert ProjectFiles(root)(path) is mine


def test_frames_are_read_in_every_traceback_style() -> None:
    text = (
        "tests/my test, v2.py:3: in test_a\n"  # spaces and commas in the name
        "    helper()\n"
        ">   x = 'not/a/frame.py:9: here'\n"
        "E   ValueError: in/message.py:4: no\n"
        '  File "/abs/src/pkg/mod.py", line 12, in helper\n'
        "src/pkg/mod.py:20: ValueError\n"
    )
    assert pytest_tool.frames(text) == (
        ("tests/my test, v2.py", 3),
        ("/abs/src/pkg/mod.py", 12),
        ("src/pkg/mod.py", 20),
    )


def gate_result(out: Path, coverage: Coverage) -> None:
    """The tests gate's ``result.json`` in ``out`` (its machine-output directory)."""
    status = Status.PASS if coverage.reached else Status.FAIL
    report = GateReport(out.name, status, exit_code=int(not coverage.reached), coverage=coverage)
    handover.write(handover.path_in(out), report)


def test_coverage_findings_only_when_the_floor_failed_furthest_below_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / pytest_tool.JUNIT).write_text('<testsuites><testsuite name="p"/></testsuites>')
    shutil.copy(DATA / "coverage.json", out / pytest_tool.COVERAGE)
    gate_result(out, Coverage(total=83.33, floor=90.0, reached=False))
    low, mid = read_findings(pytest_tool.TOOL, out, tmp_path, "").findings
    assert (
        low.one_line()
        == "src/pkg/low.py:1 coverage 20.0% covered < 90%; missing lines 1-3, 7, 9-10"
    )
    assert mid.location() == "src/pkg/__init__.py:3"
    gate_result(out, Coverage(total=93.33, floor=90.0, reached=True))
    assert read_findings(pytest_tool.TOOL, out, tmp_path, "").findings == ()


def test_every_finding_is_read_and_report_json_keeps_the_first_100(tmp_path: Path) -> None:
    items = [ruff_item(f"{tmp_path}/a.py", n, 1, "E501", "long") for n in range(1, 251)]
    out = write(tmp_path / "out", ruff_check.OUTPUT, json.dumps(items))
    found = read_findings(ruff_check.TOOL, out, tmp_path, "")
    assert (len(found.findings), found.total) == (250, 250)
    row = GateResult("lint", "Π_lint", Status.FAIL, findings=found.findings, findings_total=250)
    assert len(row.to_json()["findings"]) == MAX_FINDINGS
    assert len(row.to_json(max_findings=None)["findings"]) == 250


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/repo/src/x.py", "src/x.py"),  # absolute inside: relative
        ("src/./x.py", "src/x.py"),
        ("/usr/lib/python3.11/json/__init__.py", "/usr/lib/python3.11/json/__init__.py"),
        ("C:\\work\\repo\\src\\x.py", "C:\\work\\repo\\src\\x.py"),  # Windows: as given
        ("src\\x.py", "src\\x.py"),
        ("../elsewhere/x.py", "../elsewhere/x.py"),
        ("", ""),
    ],
)
def test_paths_are_made_relative_or_kept_as_given_never_dropped(raw: str, expected: str) -> None:
    assert repo_path(raw, ROOT) == expected


def test_secrets_in_messages_are_redacted(tmp_path: Path) -> None:
    secret = "s3cr3t-value-from-env"
    items = [ruff_item(f"{tmp_path}/a.py", 1, 1, "S105", f"password = '{secret}' ghp_{'a' * 20}")]
    out = write(tmp_path / "out", ruff_check.OUTPUT, json.dumps(items))
    (found,) = read_findings(ruff_check.TOOL, out, tmp_path, "", {"DB_PASSWORD": secret}).findings
    assert secret not in found.message
    assert "ghp_" not in found.message


# --- faults: missing, truncated or unexpected machine output ----------------------------------

FAULTS = {
    "missing": None,
    "empty": "",
    "truncated": json.dumps([ruff_item("/r/a.py", 1, 1, "E501", "long")])[:40],
    "unexpected shape": json.dumps({"diagnostics": []}),
    "non-object item": json.dumps([1, 2]),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_unreadable_machine_output_is_a_warning_and_no_findings(tmp_path: Path, fault: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if FAULTS[fault] is not None:
        (out / ruff_check.OUTPUT).write_text(FAULTS[fault] or "")
    found = read_findings(ruff_check.TOOL, out, tmp_path, "")
    assert found.findings == ()
    assert found.total == 0
    assert "ruff" in found.warning
    # The log still shows what the tool printed, as it printed it; when it printed nothing (a
    # crash: its words went to stderr, above in the log), the runner says so, no dangling colon.
    said = ruff_check.TOOL.human_text(out)
    if fault in {"missing", "empty"}:
        assert said.startswith("runbook: ruff wrote no machine output (")
        assert not said.rstrip().endswith(":")
    else:
        assert said.startswith("runbook: cannot read ruff's machine output")


@pytest.mark.parametrize(
    "text",
    ["<testsuites><testsuite><testcase", "<html>not junit</html>"],
    ids=["truncated XML", "not JUnit"],
)
def test_unreadable_junit_xml_is_a_warning(tmp_path: Path, text: str) -> None:
    out = write(tmp_path / "out", pytest_tool.JUNIT, text)
    found = read_findings(pytest_tool.TOOL, out, tmp_path, "")
    assert found.findings == ()
    assert "pytest" in found.warning


def fake_ruff(tmp_path: Path, name: str, exit_code: int, machine_output: str) -> Gate:
    """A gate that prints like ruff, writes ``machine_output`` where ruff's JSON goes, exits."""
    source = tmp_path / f"{name}-machine-output"
    source.write_text(machine_output, "utf-8")
    code = f"""
        import pathlib, shutil, sys
        out = pathlib.Path({str(Path(".runbook/machine") / name)!r})
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy({str(source)!r}, out / {ruff_check.OUTPUT!r})
        print("src/x.py:1:1: E501 Line too long")
        print("Found 1 error.")
        sys.exit({exit_code})
    """
    return python_gate(name, code, tool=ruff_check.TOOL)


def run_in(tmp_path: Path, *gates: Gate) -> Run:
    return Run(
        root=tmp_path,
        settings=Settings(timeout=60),
        gates=gates,
        jobs=1,
        launcher=direct,
        env=dict(os.environ),
        use_cache=False,
    )


def fake_pytest(junit: Path, exit_code: int) -> Gate:
    """A tests gate that writes a real JUnit XML where pytest's goes and exits like pytest."""
    code = f"""
        import pathlib, shutil, sys
        out = pathlib.Path({str(Path(".runbook/machine/tests"))!r})
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy({str(junit)!r}, out / {pytest_tool.JUNIT!r})
        print("1 failed in 0.10s")
        sys.exit({exit_code})
    """
    tests = next(gate for gate in GATES if gate.name == "tests")
    fake = python_gate("tests", code, tool=pytest_tool.TOOL, failure_codes=tests.failure_codes)
    return replace(fake, projector=tests.projector)


def test_the_projects_line_is_the_place_in_table_report_sarif_and_annotations(
    tmp_path: Path,
) -> None:
    """Issue 20 item 1, end to end: every report names the project's line, none the
    virtualenv's."""
    root = captured_project(tmp_path / "project", git=True)
    outcome = perform(run_in(root, fake_pytest(DATA / "junit-installed.xml", 1)))
    (result,) = outcome.report.results
    assert result.status is Status.FAIL
    assert "src/pkg/__init__.py:5 FAILED" in result.reason
    (gate,) = json.loads((root / ".runbook" / "report.json").read_text("utf-8"))["gates"]
    assert (gate["findings"][0]["path"], gate["findings"][0]["line"]) == ("src/pkg/__init__.py", 5)
    sarif_log = json.loads((root / ".runbook" / "findings.sarif").read_text("utf-8"))
    (location,) = sarif_log["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "src/pkg/__init__.py"
    (line,) = annotations.annotation_lines(outcome.report.results)
    assert line.startswith("::error file=src/pkg/__init__.py,line=5,title=tests FAILED::")


CAPTURED_ROOT = Path("/tmp/fx")
"""Where the real ruff and pyright outputs in tests/data/findings were captured."""


def captured(tool_output: str, name: str, out: Path) -> Path:
    """A machine-output directory ``out`` holding one captured real output under ``name``."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / tool_output, out / name)
    return out


@pytest.mark.parametrize(
    ("tool", "fixture", "expected"),
    [
        (
            ruff_check.TOOL,
            "ruff-check-unparsable.json",
            [
                "src/latin1.py:1:1 E902 stream did not contain valid UTF-8",
                "src/syntax_error.py:1:7 invalid-syntax Expected a parameter or the end of "
                "the parameter list",
                "src/syntax_error.py:1:8 invalid-syntax Expected `)`, found newline",
            ],
        ),
        (
            pyright.TOOL,
            "pyright-unparsable.json",
            ['src/syntax_error.py:1:6 pyright "(" was not closed'],
        ),
        (
            ruff_format.TOOL,
            "ruff-format-unparsable.json",
            [
                "src/b.py:1:2 unformatted File would be reformatted",
                "src/latin1.py io stream did not contain valid UTF-8",
                "src/ok_unformatted.py:1:3 unformatted File would be reformatted",
                "src/syntax_error.py:1:7 invalid-syntax Expected a parameter or the end of "
                "the parameter list",
            ],
        ),
    ],
    ids=["ruff check", "pyright", "ruff format"],
)
def test_real_output_on_unparsable_and_undecodable_files_is_read(
    tmp_path: Path, tool: Tool, fixture: str, expected: list[str]
) -> None:
    assert tool.stdout_file
    out = captured(fixture, tool.stdout_file, tmp_path)
    found = read_findings(tool, out, CAPTURED_ROOT, "")
    assert found.warning == ""
    lines = [finding.one_line() for finding in found.findings]
    assert lines[: len(expected)] == expected


def test_format_counts_files_ruff_could_not_read_or_parse_apart(tmp_path: Path) -> None:
    """Issue 20 item 3: real ``ruff format --check`` JSON with two files to reformat, one not
    UTF-8 and one with a syntax error: 2 would be reformatted, 2 could not be read or parsed,
    never 4 "would reformat"."""
    out = captured("ruff-format-unparsable.json", ruff_format.OUTPUT, tmp_path)
    text = ruff_format.render(out)
    assert text.count("Would reformat: ") == 2
    assert "Would reformat: /tmp/fx/src/syntax_error.py" not in text
    assert "error: Failed to format /tmp/fx/src/latin1.py: io: stream did not contain" in text
    assert text.splitlines()[-1] == (
        "2 files would be reformatted, 2 files could not be read or parsed"
    )
    assert ruff_format.summarize(text) == (
        "2 files would be reformatted, 2 files could not be read or parsed"
    )
    found = read_findings(ruff_format.TOOL, out, CAPTURED_ROOT, text)
    assert (found.total, found.project_errors) == (4, 2)


def session_like(tmp_path: Path, name: str, tool: Tool, fixture: str, code: int) -> Gate:
    """A gate that does what its nox session does with a real captured output: ruff's JSON to
    the machine-output file, ruff's stderr (``*.stderr``) to the log, then the text the session
    rebuilds from the JSON, and ruff's exit code."""
    assert tool.stdout_file
    machine = tmp_path / f"{name}-machine"
    machine.mkdir()
    stderr = ""
    if fixture.endswith(".stderr"):
        (machine / tool.stdout_file).write_text("")
        stderr = (DATA / fixture).read_text("utf-8")
    else:
        shutil.copy(DATA / fixture, machine / tool.stdout_file)
    printed = tool.human_text(machine)
    program = f"""
        import pathlib, shutil, sys
        out = pathlib.Path({str(Path(".runbook/machine") / name)!r})
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy({str(machine / tool.stdout_file)!r}, out / {tool.stdout_file!r})
        sys.stderr.write({stderr!r})
        sys.stderr.flush()
        print({printed!r})
        sys.exit({code})
    """
    return python_gate(name, program, tool=tool)


def test_format_gate_fails_not_errors_on_files_ruff_could_not_parse(tmp_path: Path) -> None:
    """Issue 20 item 3: ruff format exits 2 when a file cannot be read or parsed; those are
    the project's problems, so the gate fails with them as findings and says how many."""
    gate = session_like(tmp_path, "format", ruff_format.TOOL, "ruff-format-unparsable.json", 2)
    (result,) = perform(run_in(tmp_path, gate)).report.results
    assert result.status is Status.FAIL
    assert result.exit_code == 2
    assert result.reason.startswith(
        "2 files would be reformatted, 2 files could not be read or parsed: "
    )
    assert result.findings_total == 4


def test_a_tools_crash_reason_carries_its_first_error_line(tmp_path: Path) -> None:
    """Issue 20 item 4: ruff's real crash on a file name that is not UTF-8 (stderr only, an
    empty JSON file, exit 2): the reason is ruff's words, not the runner's."""
    gate = session_like(tmp_path, "lint", ruff_check.TOOL, "ruff-crash.stderr", 2)
    (result,) = perform(run_in(tmp_path, gate)).report.results
    assert result.status is Status.ERROR
    assert result.reason == "exit code 2: ruff failed: Failed to serialize cache data"
    assert result.findings_warning == "cannot read ruff's machine output: ruff.json is empty"


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (
            "ruff failed\n  Cause: Failed to serialize cache data\n  Cause: more\n",
            "ruff failed: Failed to serialize cache data",
        ),
        (
            "nox > Running session lint\nerror: unexpected argument '--bad' found\n",
            "error: unexpected argument '--bad' found",
        ),
        (
            'Traceback (most recent call last):\n  File "x", line 1\nValueError: bad input\n',
            "ValueError: bad input",
        ),
        ("nox > Command ruff failed\nrunbook: ruff wrote no machine output (empty)\n", ""),
        ("all good\n", ""),
    ],
)
def test_first_error_line_is_the_tools_own(log: str, expected: str) -> None:
    assert first_error_line(log) == expected


@pytest.mark.parametrize(
    ("junit", "exit_code", "status"),
    [
        ("junit-collection.xml", 2, Status.FAIL),  # collection errors: the project's problems
        ("junit-installed.xml", 2, Status.ERROR),  # interrupted, no collection error: a stop
        (None, 2, Status.ERROR),  # unreadable JUnit: a parse failure changes no verdict
        ("junit-collection.xml", 3, Status.ERROR),  # pytest's internal error stays an error
    ],
)
def test_a_run_stopped_by_collection_errors_fails_and_any_other_stop_errors(
    tmp_path: Path, junit: str | None, exit_code: int, status: Status
) -> None:
    """Issue 20 item 2: pytest exits 2 when collection errors stop it; that is ``fail`` with
    the collection errors as findings, not ``error`` ("the tool could not run"). The runner's
    two steps after the tests gate's process ended (``runbook.running.execute``), on what the
    process leaves: pytest's JUnit XML, and the status its exit code means to the gate
    (``handover.status_for``, in its ``result.json``); the whole run, for the fail, below."""
    root = captured_project(tmp_path / "project", git=True)
    out = output_dir(root, "tests")
    out.mkdir(parents=True)
    if junit is None:
        (out / pytest_tool.JUNIT).write_text("<testsuites><testsuite><testcase")
    else:
        shutil.copy(DATA / junit, out / pytest_tool.JUNIT)
    tests = next(gate for gate in GATES if gate.name == "tests")
    said = handover.status_for(exit_code, tests.failure_codes)
    report = GateReport(gate="tests", status=said, exit_code=exit_code, summary="1 failed")
    found = read_findings(pytest_tool.TOOL, out, root, "1 failed in 0.10s\n")
    assert classify(tests, exit_code, report, found) == (status, exit_code)


def test_a_run_stopped_by_collection_errors_is_a_fail_with_its_findings_end_to_end(
    tmp_path: Path,
) -> None:
    """The fail above through a whole run (a fake tests gate that exits 2 beside the JUnit XML
    of a collection error): its reason and error capture name the error's place."""
    root = captured_project(tmp_path / "project", git=True)
    outcome = perform(run_in(root, fake_pytest(DATA / "junit-collection.xml", 2)))
    (result,) = outcome.report.results
    assert (result.status, result.exit_code) == (Status.FAIL, 2)
    assert "tests/test_marker.py:4 collection-error" in result.reason
    (entry,) = outcome.questions
    assert "tests/test_marker.py:4 collection-error tests/test_marker.py - pytest." in entry


@pytest.mark.parametrize(("exit_code", "status"), [(1, Status.FAIL), (0, Status.PASS)])
def test_a_parse_failure_never_changes_the_verdict(
    tmp_path: Path, exit_code: int, status: Status
) -> None:
    outcome = perform(run_in(tmp_path, fake_ruff(tmp_path, "lint", exit_code, "[{truncated")))
    (result,) = outcome.report.results
    assert result.status is status
    assert result.findings == ()
    assert "cannot read ruff's machine output" in result.findings_warning
    assert any(w.startswith("lint: cannot read ruff") for w in outcome.report.warnings)
    if status is Status.FAIL:
        # No findings: the entry falls back to the log's tail, as before findings existed.
        (entry,) = outcome.questions
        assert "Found 1 error." in entry
        assert result.reason == "1 error"


def test_a_stale_machine_output_is_never_read_as_this_runs_findings(tmp_path: Path) -> None:
    stale = output_dir(tmp_path, "lint")
    write(stale, ruff_check.OUTPUT, json.dumps([ruff_item("a.py", 1, 1, "E501", "old")]))
    crashing = Gate(
        name="lint",
        projector="Π_lint",
        description="crashes before writing",
        command=(sys.executable, "-c", "raise SystemExit(3)"),
        groups=(),
        tool=ruff_check.TOOL,
    )
    (result,) = perform(run_in(tmp_path, crashing)).report.results
    assert result.status is Status.ERROR
    assert result.findings == ()
    assert "wrote no machine output" in result.findings_warning


def test_findings_reach_report_json_reason_and_the_error_capture(tmp_path: Path) -> None:
    items = [ruff_item(f"{tmp_path}/src/x.py", 12, 5, "E501", "Line too long (118 > 100)")]
    outcome = perform(run_in(tmp_path, fake_ruff(tmp_path, "lint", 1, json.dumps(items))))
    (result,) = outcome.report.results
    assert result.reason == "1 error: src/x.py:12:5 E501 Line too long (118 > 100)"
    report = json.loads((tmp_path / ".runbook" / "report.json").read_text("utf-8"))
    (gate,) = report["gates"]
    assert gate["findings_total"] == 1
    assert gate["findings"] == [
        {
            "path": "src/x.py",
            "line": 12,
            "column": 5,
            "code": "E501",
            "severity": "error",
            "message": "Line too long (118 > 100)",
        }
    ]
    (entry,) = outcome.questions
    assert "src/x.py:12:5 E501 Line too long (118 > 100)" in entry
    error = entry.split("encountered the following error:", 1)[1]
    assert "Found 1 error." not in error  # findings replace the raw log tail
    assert GateResult.from_json(gate).findings == result.findings


def test_error_capture_lists_failing_tests_with_their_traceback_end() -> None:
    finding = Finding(
        "tests/test_x.py",
        5,
        None,
        "FAILED",
        "error",
        "tests/test_x.py::test_y - assert 2 == 3",
        detail=(
            ">       assert f(1) == 3\nE       assert 2 == 3\n\ntests/test_x.py:5: AssertionError"
        ),
    )
    result = GateResult(
        name="tests",
        projector="Π_tests",
        status=Status.FAIL,
        reason="1 failed",
        findings=(finding,) * 30,
        findings_total=45,
    )
    block = capture.findings_block(result)
    assert block.startswith("tests/test_x.py:5 FAILED tests/test_x.py::test_y - assert 2 == 3\n")
    assert "    tests/test_x.py:5: AssertionError" in block
    assert block.count("FAILED") == capture.MAX_ENTRY_FINDINGS
    assert block.endswith(
        "[… 25 more findings: `make findings ARGS='--gate tests'`, .runbook/findings.jsonl]"
    )
    assert len(block) <= capture.MAX_ENTRY_CHARS + 100


def test_every_gate_names_its_tool_and_the_version_comes_from_the_pins() -> None:
    root = Path(__file__).resolve().parents[1]
    tools = {gate.name: gate.tool for gate in GATES}
    assert tools["lint"] is ruff_check.TOOL
    assert tools["types"] is pyright.TOOL
    assert re.fullmatch(r"\d+\.\d+\.\d+", version(root, ruff_check.TOOL))
    assert version(root, Tool(name="x", package="not-pinned-anywhere")) == ""


def test_a_files_missing_ranges_are_cut_to_a_bound(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / pytest_tool.JUNIT).write_text('<testsuites><testsuite name="p"/></testsuites>')
    scattered = list(range(1, 2000, 2))  # 1, 3, 5, ...: a thousand one-line ranges
    entry = {"summary": {"percent_covered": 50.0}, "missing_lines": scattered}
    (out / pytest_tool.COVERAGE).write_text(json.dumps({"files": {"src/big.py": entry}}))
    gate_result(out, Coverage(total=50.0, floor=70.0, reached=False))
    (found,) = read_findings(pytest_tool.TOOL, out, tmp_path, "").findings
    assert found.message.startswith("50.0% covered < 70%; missing lines 1, 3, 5")
    assert found.message.endswith("…")
    assert len(found.message) < pytest_tool.MAX_RANGES + 60


def test_a_run_keeps_every_finding_where_runbook_findings_reads_them(tmp_path: Path) -> None:
    """Issue 20 item 6 end to end: 250 findings; report.json and the error capture keep
    their caps, findings.jsonl and SARIF hold all, ``runbook findings`` prints all."""
    items = [ruff_item(f"{tmp_path}/src/x.py", n, 1, "E501", "long") for n in range(1, 251)]
    outcome = perform(run_in(tmp_path, fake_ruff(tmp_path, "lint", 1, json.dumps(items))))
    (entry,) = outcome.questions
    assert "[… 230 more findings: `make findings ARGS='--gate lint'`" in entry
    state = tmp_path / ".runbook"
    (gate,) = json.loads((state / "report.json").read_text("utf-8"))["gates"]
    assert (len(gate["findings"]), gate["findings_total"]) == (MAX_FINDINGS, 250)
    sarif_log = json.loads((state / "findings.sarif").read_text("utf-8"))
    assert len(sarif_log["runs"][0]["results"]) == 250
    out = io.StringIO()
    assert cli.main(["findings", "--root", str(tmp_path)], out) == 0
    assert out.getvalue().count(" E501 long") == 250
    assert "src/x.py:250:1 E501 long" in out.getvalue()


REDACTION_ENV = {
    "HF_TOKEN": "hf_" + "Q" * 30,
    "DB_PASSWORD": "pa$$w0rd.with(regex)*chars",
    "MY_API_KEY": "plain-looking-value-42",
    "TOKENIZERS_PARALLELISM": "false-but-long-enough",  # not a secret name
}
FRAGMENTS = [
    "src/x.py:12:5",
    "Line too long",
    "https://user:pw@host/x",
    "http://host/ok",
    "hf_",
    "hf_abcdefgh1",
    "ghp_" + "a" * 16,
    "gho_short",
    "sk-" + "b" * 16,
    "AKIA" + "C" * 16,
    "token",
    "ToKeN: v",
    "api-key=abc",
    "API_KEY = 'x'",
    "passwd=",
    "Password",
    "secret",
    "Authorization: Bearer abc.def",
    "authorization",
    "pa$$w0rd.with(regex)*chars",
    "plain-looking-value-42",
    "false-but-long-enough",
    "tokenizer",
    "é€",
    "\n",
    " ",
    "=",
    ":",
    "'",
    '"',
    "@",
    "://",
    'Type of "token" is partially unknown',
    # letters re's IGNORECASE matches to ASCII ones (long s, dotless i, Kelvin sign)
    "\u017fecret=abc12345",
    "ap\u0131_key: v",
    "to\u212aen = 'x'",
    "HF_TOKEN",
    "Token: x",
]


def every_pattern(text: str, env: dict[str, str]) -> str:
    """Redaction with no shortcut: every secret value, then every pattern, on the text."""
    for value in secret_values(env):
        text = text.replace(value, MASK)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def test_the_redactors_shortcut_masks_exactly_what_full_redaction_does() -> None:
    """Item 7: ``Redactor`` skips texts with no clue of a secret; proven equal to ``redact``
    (every value and every pattern on every text) on each fragment and 3,000 random mixes."""
    rng = random.Random(20)  # noqa: S311 (test data, seeded: the same mixes every run)
    mixes = (" ".join(rng.choices(FRAGMENTS, k=rng.randint(1, 6))) for _ in range(3000))
    texts = [*FRAGMENTS, *mixes]
    scrub = Redactor(REDACTION_ENV)
    scrubbed = [scrub(text) for text in texts]  # once: Redactor keeps no state between texts
    differ = [
        text
        for text, masked in zip(texts, scrubbed, strict=True)
        if masked != every_pattern(text, REDACTION_ENV)
    ]
    assert differ == []
    assert [redact(text, REDACTION_ENV) for text in texts] == scrubbed
    assert scrub("Line too long (118 > 100)") == "Line too long (118 > 100)"
    assert "Q" * 30 not in scrub("using hf_" + "Q" * 30)
