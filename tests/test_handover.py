"""Results as data: each gate's process writes ``result.json`` (runbook.records.handover), the
runner decides from it alone. A missing or unreadable result is the gate's error, naming the
file; every status path gives the status and reason it gave when the runner read nox's log."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from runbook.gates import table, wrapper
from runbook.gates.tools import GateFindings, output_dir, ruff_check
from runbook.gates.tools import pytest as pytest_tool
from runbook.records import handover
from runbook.records.findings import Finding
from runbook.records.handover import Coverage, GateReport, HandoverError
from runbook.records.result import Status
from runbook.running.execute import run_gate
from runbook.running.outcome import judge, read_report
from runbook.selection.testgate import Facts

LINT = table.select(["lint"])[0]
TESTS = table.select(["tests"])[0]
PACKAGE = table.select(["package"])[0]
PY = sys.executable
SHOWN = ".runbook/machine/lint/result.json"


def test_a_written_result_reads_back_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    report = GateReport(
        gate="tests",
        status=Status.FAIL,
        exit_code=1,
        summary="2 failed, 41 passed; coverage 64.12% < 70%",
        counts={"failed": 2, "passed": 41},
        coverage=Coverage(total=64.12, floor=70.0, reached=False),
        selection="3 of 8 run, 5 unaffected",
        notices=("tests: the whole suite ran: no selection data yet",),
    )
    path = handover.write(tmp_path / "machine" / handover.RESULT_FILE, report)
    assert handover.read(path, "tests") == report
    assert [p.name for p in path.parent.iterdir()] == [handover.RESULT_FILE]


@pytest.mark.parametrize(
    ("gate", "code", "status"),
    [
        (LINT, 0, Status.PASS),
        (LINT, 1, Status.FAIL),  # findings
        (LINT, 2, Status.ERROR),  # ruff's own failure (bad config)
        (TESTS, 5, Status.FAIL),  # no tests collected
        (TESTS, 4, Status.ERROR),  # usage error
        (PACKAGE, 1, Status.FAIL),
        (LINT, -11, Status.ERROR),  # crashed
    ],
)
def test_the_tools_exit_code_means_what_it_meant(
    gate: table.Gate, code: int, status: Status
) -> None:
    assert gate.status_for(code) is status


# --- the wrapper: the gate's process for every tool but the tests gate's launcher -------------


def wrapped(gate: table.Gate, argv: list[str], tmp_path: Path) -> tuple[int, str, GateReport]:
    sink = io.BytesIO()
    out_dir = tmp_path / gate.name
    code = wrapper.run_tool(gate, argv, out_dir, sink)
    report = handover.read(handover.path_in(out_dir), gate.name)
    return code, sink.getvalue().decode(), report


def test_the_wrapper_keeps_machine_output_shows_its_text_and_hands_over_the_count(
    tmp_path: Path,
) -> None:
    item = {"filename": "a.py", "location": {"row": 1, "column": 1}, "code": "F401", "message": "x"}
    argv = [PY, "-c", f"print({json.dumps([item])!r}); raise SystemExit(1)"]
    code, shown, report = wrapped(LINT, argv, tmp_path)
    assert code == 1
    assert shown.rstrip().endswith("Found 1 error.")  # the human text, rebuilt from the JSON
    assert json.loads((tmp_path / "lint" / ruff_check.OUTPUT).read_text())[0]["code"] == "F401"
    assert report == GateReport("lint", Status.FAIL, 1, "1 error", {"error": 1})


def test_a_crashing_tools_own_words_reach_the_summary(tmp_path: Path) -> None:
    """ruff's crash: an empty JSON on stdout, its reason on stderr (passed through, and read)."""
    crash = "import sys; sys.stderr.write('ruff failed\\n  Cause: no cache\\n'); exit(2)"
    code, shown, report = wrapped(LINT, [PY, "-c", crash], tmp_path)
    assert code == 2
    assert shown.startswith("ruff failed\n  Cause: no cache\n")
    assert (report.status, report.summary) == (Status.ERROR, "ruff failed: no cache")


def test_the_wrapper_passes_other_output_through_and_reads_its_last_line(tmp_path: Path) -> None:
    argv = [
        PY,
        "-c",
        "import sys; print('building'); print('twine: bad', file=sys.stderr); exit(1)",
    ]
    code, shown, report = wrapped(PACKAGE, argv, tmp_path)
    assert (code, shown.splitlines()) == (1, ["building", "twine: bad"])
    assert (report.status, report.exit_code, report.summary) == (Status.FAIL, 1, "twine: bad")


def test_a_missing_program_is_the_gates_error_naming_it(tmp_path: Path) -> None:
    code, shown, report = wrapped(LINT, ["no-such-tool-x", "check"], tmp_path)
    assert code == wrapper.MISSING_PROGRAM
    assert "Program no-such-tool-x not found." in shown
    assert (report.status, report.reason) == (Status.ERROR, "Program no-such-tool-x not found.")


def test_the_wrapper_refuses_what_it_cannot_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert wrapper.main(["lint", "out"]) == 2
    assert wrapper.main(["nope", "out", "--", "true"]) == 2
    assert "unknown gate 'nope'" in capsys.readouterr().err


# --- the runner: a result it cannot use is the gate's error, naming the file -----------------

VALID = GateReport("lint", Status.PASS, 0).to_json()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "wrote no"),  # the gate stopped before reporting
        (json.dumps(VALID)[:40], "not valid JSON"),  # truncated
        (json.dumps({**VALID, "version": 99}), "result version 99"),
        (json.dumps({**VALID, "schema": "something-else"}), "not a gate result"),
        (json.dumps({**VALID, "gate": "tests"}), "written by gate 'tests'"),  # foreign
        (json.dumps([VALID]), "not a JSON object"),
        (json.dumps({**VALID, "exit_code": "0"}), "exit_code is '0'"),
        (json.dumps({**VALID, "status": "timeout"}), "not one a gate reports"),
        (json.dumps({**VALID, "counts": {"errors": True}}), "not numbers"),
        ("\udcff", "cannot read"),  # not UTF-8
    ],
    ids=[
        "missing",
        "truncated",
        "version",
        "schema",
        "foreign",
        "list",
        "field",
        "status",
        "counts",
        "bytes",
    ],
)
def test_an_unusable_result_is_the_gates_error_naming_the_file(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    """The gate itself exits 0 (nox would say the session passed): the verdict is still the
    gate's error, never a pass read from somewhere else."""
    write = ""
    if content is not None:
        data = content.encode("utf-8", "surrogateescape")
        write = (
            "import pathlib; p = pathlib.Path('.runbook/machine/lint/result.json'); "
            f"p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes({data!r})"
        )
    result = run_gate(
        LINT,
        [PY, "-c", write or "pass"],
        step=1,
        command="ruff check",
        root=tmp_path,
        log_path=tmp_path / "lint.log",
        timeout=60,
    )
    assert result.status is Status.ERROR
    assert result.exit_code == 0
    assert SHOWN in result.reason
    assert problem in result.reason


# --- every status path: the status and reason it gave before -------------------------------


def judged(
    report: GateReport, found: GateFindings | None = None, log: str = ""
) -> tuple[Status, int, str]:
    outcome = judge(LINT, 1, report, log, found)
    return outcome.status, outcome.exit_code, outcome.reason


def test_each_status_path_gives_its_status_and_reason() -> None:
    fail = GateReport("lint", Status.FAIL, 1, "3 errors")
    assert judged(fail) == (Status.FAIL, 1, "3 errors")
    assert judged(replace(fail, summary="")) == (Status.FAIL, 1, "exit code 1")
    error = GateReport("lint", Status.ERROR, 2, "error: bad config")
    assert judged(error) == (Status.ERROR, 2, "exit code 2: error: bad config")
    assert judged(replace(error, summary="")) == (Status.ERROR, 2, "exit code 2")
    missing = GateReport("lint", Status.ERROR, 127, reason="Program ruff not found.")
    assert judged(missing) == (Status.ERROR, 127, "Program ruff not found.")
    passed = GateReport("tests", Status.PASS, 0, "3 passed", selection="3 of 8 run, 5 unaffected")
    assert judge(TESTS, 0, passed, "").reason == "3 of 8 run, 5 unaffected"
    finding = Finding("src/x.py", 12, 5, "E501", "error", "Line too long")
    found = GateFindings(findings=(finding,), total=1)
    assert judged(fail, found)[2] == "3 errors: src/x.py:12:5 E501 Line too long"


def test_a_gate_that_stopped_before_reporting_shows_what_it_printed() -> None:
    problem = HandoverError(f"the gate wrote no {SHOWN}")
    log = "nox > Running session lint\nuv: failed to fetch ruff\nnox > Session lint failed."
    outcome = judge(LINT, 1, problem, log)
    assert (outcome.status, outcome.exit_code) == (Status.ERROR, 1)
    assert outcome.reason == f"exit code 1: uv: failed to fetch ruff; the gate wrote no {SHOWN}"


def test_what_the_runner_shows_from_a_result_is_redacted(tmp_path: Path) -> None:
    env = {"API_TOKEN": "tok-very-secret-value"}
    secret = GateReport(
        "lint",
        Status.ERROR,
        2,
        summary="failed with tok-very-secret-value",
        notices=("tok-very-secret-value",),
    )
    path = handover.write(handover.path_in(output_dir(tmp_path, "lint")), secret)
    report = read_report(path, LINT, tmp_path, env)
    assert not isinstance(report, HandoverError)
    assert "tok-very-secret-value" not in json.dumps(report.to_json())


# --- the tests gate's own result --------------------------------------------------------------


def test_the_tests_gate_hands_over_counts_coverage_selection_and_notices() -> None:
    shown = io.StringIO()
    facts = Facts(shown, pytest_tail="FAILED t.py::x\n2 failed, 41 passed in 3.21s\n")
    facts.coverage = Coverage(total=64.12, floor=70.0, reached=False)
    facts.selection = "43 of 50 run, 7 unaffected"
    facts.notice("tests: something the user should know")
    report = facts.report(1)
    assert report.status is Status.FAIL
    assert report.summary == "2 failed, 41 passed; coverage 64.12% < 70%"
    assert report.counts == {"failed": 2, "passed": 41}
    assert report.notices == ("tests: something the user should know",)
    assert "notice: tests: something the user should know" in shown.getvalue()
    nothing_ran = Facts(io.StringIO(), coverage=Coverage(50.0, 70.0, reached=False))
    assert nothing_ran.report(1).summary == "coverage 50% < 70%"  # pytest was not started
    assert pytest_tool.summarize("no tests ran in 0.01s") == "no tests ran"
