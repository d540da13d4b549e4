"""Where findings show: findings.sarif (checked against the SARIF 2.1.0 schema), GitHub
annotations, ``runbook findings``, and CI's redacting gate step and collect step."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path
from typing import Any, cast

import pytest
from test_workflows import schema_errors

from runbook import cli
from runbook.gates.table import GATES
from runbook.gates.tools import GateFindings, ruff_check
from runbook.records import findings_file, handover
from runbook.records.findings import Finding
from runbook.records.handover import GateReport
from runbook.records.result import GateResult, Status
from runbook.reports import annotations, ci_gate, collect, findings_cli, sarif
from runbook.reports.report import RunReport, write_reports
from runbook.running import cache

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
"""The SARIF 2.1.0 schema as github/codeql-action validates uploads with (MIT; from
src/sarif-schema-2.1.0.json at v4.36.2), vendored so the check runs offline."""

LINT = Finding("src/x.py", 12, 5, "E501", "error", "Line too long (118 > 100)")
TYPE = Finding("src/new.py", 3, 9, "reportAssignmentType", "error", 'Type "str" is not "int"')
TEST = Finding(
    "tests/test_x.py",
    5,
    None,
    "FAILED",
    "error",
    "tests/test_x.py::test_y - assert 2 == 3",
    detail="E       assert 2 == 3\ntests/test_x.py:5: AssertionError",
)
OUTSIDE = Finding("/usr/lib/python3.11/json/x.py", 1, None, "FAILED", "error", "in a library")
WINDOWS = Finding("C:\\work\\x.py", None, None, "E501", "warning", "as given")


def result(name: str, status: Status, *findings: Finding) -> GateResult:
    return GateResult(
        name=name,
        projector=f"Π_{name}",
        status=status,
        findings=findings,
        findings_total=len(findings),
    )


RESULTS = [
    result("lint", Status.FAIL, LINT, WINDOWS),
    result("format", Status.PASS),
    result("tests", Status.FAIL, TEST, OUTSIDE),
    result("types", Status.FAIL, TYPE),
    result("package", Status.NOT_RUN),
]
TOOLS = {gate.name: gate.tool for gate in GATES}


def required_sarif_structure(log: dict[str, Any]) -> list[str]:
    """What SARIF 2.1.0 requires (and code scanning on top), checked by hand; the problems."""
    problems: list[str] = []
    if log.get("version") != "2.1.0":
        problems.append("version must be 2.1.0")
    runs = log.get("runs")
    if not isinstance(runs, list):
        return [*problems, "runs must be an array"]
    categories: list[str] = []
    for run in cast(list[dict[str, Any]], runs):
        driver = run.get("tool", {}).get("driver", {})
        if not isinstance(driver.get("name"), str) or not driver["name"]:
            problems.append("run.tool.driver.name is required")
        rules = [rule["id"] for rule in driver.get("rules", [])]
        categories.append(run.get("automationDetails", {}).get("id", ""))
        if not isinstance(run.get("results"), list):  # code scanning requires it
            problems.append("run.results must be an array")
            continue
        for item in run["results"]:
            if not isinstance(item.get("message", {}).get("text"), str):
                problems.append("result.message.text is required")
            if item.get("level") not in {"none", "note", "warning", "error"}:
                problems.append(f"bad level {item.get('level')!r}")
            if rules[item["ruleIndex"]] != item["ruleId"]:
                problems.append("ruleIndex must point at ruleId")
            (location,) = item["locations"]
            physical = location["physicalLocation"]
            if not physical["artifactLocation"].get("uri"):
                problems.append("artifactLocation.uri is required")
            region = physical.get("region", {"startLine": 1})
            if region["startLine"] < 1 or region.get("startColumn", 1) < 1:
                problems.append("region lines and columns are 1-based")
    if len(set(categories)) != len(categories) or not all(categories):
        problems.append("each run needs its own automationDetails.id")
    return problems


def test_sarif_has_one_run_per_gate_with_tool_rules_and_locations(tmp_path: Path) -> None:
    path = tmp_path / sarif.SARIF_FILE
    sarif.write(RESULTS, TOOLS, ROOT, path)
    log = json.loads(path.read_text("utf-8"))
    assert required_sarif_structure(log) == []
    runs = {run["properties"]["gate"]: run for run in log["runs"]}
    assert set(runs) == {"lint", "format", "tests", "types"}  # not-run gates say nothing
    lint = runs["lint"]
    assert lint["tool"]["driver"]["name"] == "ruff"
    assert re.fullmatch(r"\d+\.\d+\.\d+", lint["tool"]["driver"]["version"])
    assert [rule["id"] for rule in lint["tool"]["driver"]["rules"]] == ["E501"]
    first = lint["results"][0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "src/x.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 5},
    }
    windows = lint["results"][1]["locations"][0]["physicalLocation"]
    assert windows == {"artifactLocation": {"uri": "file:///C:/work/x.py"}}
    tests = runs["tests"]["results"]
    assert tests[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    assert "tests/test_x.py:5: AssertionError" in tests[0]["message"]["text"]
    library = tests[1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert library == {"uri": "file:///usr/lib/python3.11/json/x.py"}
    assert runs["format"]["results"] == []  # a pass closes the gate's earlier alerts


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("pyright[nodejs]==1.1.414", "1.1.414"),  # issue 20: extras hid the version
        ("pyright [nodejs] == 1.1.414 ; python_version >= '3.11'", "1.1.414"),
        ("PyRight==1.1.414", "1.1.414"),  # PEP 503: the same distribution
        ("pyright==1.1.414", "1.1.414"),
        ("pyright>=1.1", ""),  # not a pin: no version claimed
        ("pyright-extra==9.9", ""),
    ],
)
def test_sarif_names_the_pinned_version_through_extras_and_markers(
    tmp_path: Path, pin: str, expected: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[dependency-groups]\ntypes = ["{pin}"]\n')
    types = result("types", Status.FAIL, TYPE)
    (run,) = sarif.build([types], TOOLS, tmp_path)["runs"]
    assert run["tool"]["driver"].get("version", "") == expected


def test_the_projects_own_pyright_pin_reaches_sarif() -> None:
    (run,) = sarif.build([result("types", Status.FAIL, TYPE)], TOOLS, ROOT)["runs"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", run["tool"]["driver"]["version"])


@pytest.fixture(scope="module")
def sarif_schema_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The SARIF 2.1.0 schema's errors in the log ``sarif.write`` writes (``written``) and in
    a broken one (``broken``), both checked by one check-jsonschema process."""
    folder = tmp_path_factory.mktemp("sarif")
    written = folder / sarif.SARIF_FILE
    sarif.write(RESULTS, TOOLS, ROOT, written)
    log = sarif.build(RESULTS, TOOLS, ROOT)
    del log["runs"][0]["tool"]["driver"]["name"]
    log["runs"][1]["results"] = [{"message": {}, "level": "fatal"}]
    broken = folder / "broken.sarif"
    broken.write_text(json.dumps(log))
    errors = schema_errors(["--schemafile", str(SCHEMA)], [written, broken])
    return {"written": errors[written], "broken": errors[broken]}


def test_sarif_validates_against_the_sarif_2_1_0_schema(
    sarif_schema_errors: dict[str, list[str]],
) -> None:
    assert sarif_schema_errors["written"] == []


def test_the_schema_check_catches_a_broken_log(sarif_schema_errors: dict[str, list[str]]) -> None:
    assert sarif_schema_errors["broken"]
    assert "name" in "\n".join(sarif_schema_errors["broken"])


def test_annotations_only_in_github_actions_gates_taking_turns() -> None:
    out = io.StringIO()
    annotations.emit(RESULTS, {}, out)
    assert out.getvalue() == ""
    annotations.emit(RESULTS, {"GITHUB_ACTIONS": "true"}, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "::error file=src/x.py,line=12,col=5,title=lint E501::Line too long (118 > 100)"
    )
    assert [line.split("title=")[1].split("::")[0] for line in lines] == [
        "lint E501",
        "tests FAILED",
        "types reportAssignmentType",
        "lint E501",
        "tests FAILED",
    ]
    assert lines[3].startswith("::warning file=C%3A\\work\\x.py,title=lint E501::")
    assert lines[1].endswith("::tests/test_x.py::test_y - assert 2 == 3")


def test_annotation_data_and_properties_are_escaped() -> None:
    finding = Finding("a,b:c.py", 1, 2, "X", "note", "50% done\nnext line")
    line = annotations.annotation("g", finding)
    assert line == "::notice file=a%2Cb%3Ac.py,line=1,col=2,title=g X::50%25 done%0Anext line"


def write_report(root: Path) -> None:
    state = root / ".runbook"
    state.mkdir(parents=True)
    gates = [r.to_json() for r in RESULTS]
    (state / "report.json").write_text(json.dumps({"gates": gates}), "utf-8")


def test_runbook_findings_prints_the_last_runs_findings(tmp_path: Path) -> None:
    write_report(tmp_path)
    out = io.StringIO()
    assert cli.main(["findings", "--root", str(tmp_path)], out) == 0
    text = out.getvalue()
    assert "lint (fail): 2 findings" in text
    assert "  src/x.py:12:5 E501 Line too long (118 > 100)" in text
    assert "      tests/test_x.py:5: AssertionError" in text
    out = io.StringIO()
    assert cli.main(["findings", "--json", "--gate", "types", "--root", str(tmp_path)], out) == 0
    data = json.loads(out.getvalue())
    assert list(data) == ["types"]
    assert data["types"]["findings"][0]["path"] == "src/new.py"


@pytest.mark.parametrize(
    ("setup", "message"),
    [("none", "no .runbook/report.json"), ("garbage", "cannot read"), ("gate", "no gate 'nope'")],
)
def test_runbook_findings_errors_are_clear(tmp_path: Path, setup: str, message: str) -> None:
    if setup == "garbage":
        (tmp_path / ".runbook").mkdir()
        (tmp_path / ".runbook" / "report.json").write_text("{trunc")
    elif setup == "gate":
        write_report(tmp_path)
    out = io.StringIO()
    assert cli.main(["findings", "--gate", "nope", "--root", str(tmp_path)], out) == 2
    assert message in out.getvalue()


def test_ci_gate_step_redacts_the_log_it_prints_and_keeps_the_findings(tmp_path: Path) -> None:
    token = "hf_" + "A" * 30
    raw = tmp_path / "raw.log"
    raw.write_text(f"nox > Running session lint\nusing {token}\nFound 1 error.\n")
    machine = tmp_path / ".runbook" / "machine" / "lint"
    machine.mkdir(parents=True)
    item = {"filename": f"{tmp_path}/src/x.py", "location": {"row": 1, "column": 101}}
    item |= {"code": "E501", "message": f"Line too long {token}"}
    (machine / ruff_check.OUTPUT).write_text(json.dumps([item]))
    ci_dir = tmp_path / "ci"
    printed = io.StringIO()
    assert ci_gate.main(["lint", str(raw), str(ci_dir)], {}, printed, tmp_path) == 0
    assert token not in printed.getvalue()
    assert "Found 1 error." in printed.getvalue()
    assert token not in (ci_dir / "lint.log").read_text()
    assert not raw.exists()
    saved = (ci_dir / "lint.findings.json").read_text()
    assert token not in saved
    found = ci_gate.load_findings(ci_dir / "lint.findings.json")
    assert found.findings[0].location() == "src/x.py:1:101"


def test_ci_gate_step_refuses_an_unknown_gate(tmp_path: Path) -> None:
    out = io.StringIO()
    assert ci_gate.main(["nope", "raw.log", str(tmp_path)], {}, out, tmp_path) == 2
    assert "unknown gate 'nope'" in out.getvalue()
    assert ci_gate.main([], {}, out, tmp_path) == 2


def test_collect_reads_ci_findings_writes_sarif_and_annotates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ci_dir = tmp_path / ".runbook" / "ci"
    ci_dir.mkdir(parents=True)
    lint_log = "nox > Command ruff check src failed with exit code 1\nFound 1 error.\n"
    (ci_dir / "lint.log").write_text(lint_log)
    nox_report = {"sessions": [{"name": "lint", "result_code": 0, "duration": 1.0}]}
    (ci_dir / "lint.json").write_text(json.dumps(nox_report))
    lint_result = GateReport("lint", Status.FAIL, exit_code=1, summary="1 error")
    handover.write(ci_gate.result_path(ci_dir, "lint"), lint_result)
    (ci_dir / "lint.findings.json").write_text(
        json.dumps({"findings": [LINT.to_json()], "findings_total": 1, "findings_warning": ""})
    )
    (ci_dir / "format.findings.json").write_text("{broken")
    monkeypatch.chdir(ROOT)  # collect reads the settings of the checkout it runs in
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()
    assert collect.main(ci_dir, out) == 1
    assert "1 error: src/x.py:12:5 E501 Line too long (118 > 100)" in out.getvalue()
    assert "::error file=src/x.py,line=12,col=5,title=lint E501::" in capsys.readouterr().err
    log = json.loads((ci_dir.parent / sarif.SARIF_FILE).read_text("utf-8"))
    assert [run["properties"]["gate"] for run in log["runs"]] == ["lint"]
    assert required_sarif_structure(log) == []
    # Every finding is kept for `runbook findings`, read from the artifact as a local run's.
    run, kept = findings_file.read(ci_dir.parent / findings_file.FINDINGS_FILE)
    assert run == {"mode": "ci", "started_at": "", "commit": "ci"}
    assert [f.location() for f in kept["lint"]] == ["src/x.py:12:5"]
    last = findings_cli.load_last_run(tmp_path)
    assert last.complete
    assert [f.location() for r in last.results for f in r.findings] == ["src/x.py:12:5"]


def test_ci_tells_a_collection_stop_from_a_crash_as_the_runner_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20 item 2 in CI: the gate step keeps how many findings stopped the tool
    (``project_errors``), so collect classifies pytest's exit 2 like the runner: fail with
    collection errors, error without."""
    collection = Finding(
        "tests/test_m.py", 4, None, "collection-error", "error", "tests/test_m.py - Warning"
    )
    ci_dir = tmp_path / "ci"
    ci_dir.mkdir()
    log = "nox > Command python -m runbook.selection.testgate --cov-fail-under=70 failed with "
    log += "exit code 2\n"
    (ci_dir / "tests.log").write_text(log)
    stopped = GateReport("tests", Status.ERROR, exit_code=2, summary="1 error")
    handover.write(ci_gate.result_path(ci_dir, "tests"), stopped)
    (ci_dir / "tests.json").write_text(
        json.dumps({"sessions": [{"name": "tests", "result_code": 0, "duration": 1.0}]})
    )
    monkeypatch.chdir(ROOT)
    statuses: list[Status] = []
    for stopping in (1, 0):
        found = GateFindings((collection,), 1, "", stopping)
        ci_gate.save_findings(ci_gate.findings_path(ci_dir, "tests"), found)
        assert ci_gate.load_findings(ci_gate.findings_path(ci_dir, "tests")) == found
        statuses.append(collect.gate_result(3, ci_dir, 70).status)
    assert statuses == [Status.FAIL, Status.ERROR]


def many(count: int, severity: str = "error", path: str = "src/x.py") -> tuple[Finding, ...]:
    return tuple(
        Finding(path, n, 1, f"R{n % 7}", severity, f"finding {n}") for n in range(1, count + 1)
    )


def test_sarif_holds_every_finding_up_to_the_limit_most_severe_first() -> None:
    """Issue 20 item 6: SARIF carried only report.json's 100; now every finding up to code
    scanning's limit, errors before warnings before notes, and a cut run says so."""
    notes, warnings, errors = many(3, "note"), many(3, "warning"), many(150, "error")
    lint = GateResult(
        "lint", "Π_lint", Status.FAIL, findings=notes + warnings + errors, findings_total=156
    )
    (run,) = sarif.build([lint], TOOLS, ROOT)["runs"]
    assert len(run["results"]) == 156
    assert "truncated" not in run["properties"]
    (cut,) = sarif.build([lint], TOOLS, ROOT, max_results=152)["runs"]
    assert [r["level"] for r in cut["results"]].count("note") == 0
    assert [r["level"] for r in cut["results"]][149:] == ["error", "warning", "warning"]
    assert cut["results"][0]["message"]["text"] == "finding 1"  # the tool's order kept
    assert cut["properties"]["truncated"] is True
    assert cut["properties"]["resultsOmitted"] == 4
    assert "runbook findings --gate lint" in cut["properties"]["truncationReason"]
    assert required_sarif_structure({"version": "2.1.0", "runs": [cut]}) == []


SARIF_FINDINGS = 500
"""Findings of the size test: with the limit below, the whole log (~12 KB gzipped) is over it and
half of them are under it, so render tries twice as with any size (2,000 findings and a 30 KB
limit cost four times the CPU for the same rounds: issue 21)."""


def test_sarif_stays_under_code_scannings_gzipped_size() -> None:
    count = SARIF_FINDINGS
    noisy = tuple(
        Finding(f"src/m{n}.py", n, 1, f"R{n}", "error", f"{n:x}" * 40) for n in range(1, count + 1)
    )
    lint = GateResult("lint", "Π_lint", Status.FAIL, findings=noisy, findings_total=count)
    whole = sarif.render([lint], TOOLS, ROOT)
    assert len(json.loads(whole)["runs"][0]["results"]) == count
    limit = 7_500
    assert len(gzip.compress(whole.encode(), 6)) > limit
    text = sarif.render([lint], TOOLS, ROOT, max_bytes=limit)
    assert len(gzip.compress(text.encode(), 6)) <= limit
    (run,) = json.loads(text)["runs"]
    assert 0 < len(run["results"]) < count
    assert run["properties"]["resultsOmitted"] == count - len(run["results"])


def write_run(root: Path, *results: GateResult, store: bool = True) -> None:
    """report.json and findings.jsonl as one run writes them."""
    report = RunReport("runbook", "2026-12-04T19:00:00+00:00", "abc123", 1.0, results)
    state = root / ".runbook"
    if store:
        header = {"mode": "runbook", "started_at": report.started_at, "commit": "abc123"}
        findings_file.write(
            state / findings_file.FINDINGS_FILE, header, [(r.name, r.findings) for r in results]
        )
    write_reports(report, state)


def all_of(name: str, findings: tuple[Finding, ...]) -> GateResult:
    return GateResult(
        name, f"Π_{name}", Status.FAIL, findings=findings, findings_total=len(findings)
    )


def test_runbook_findings_reaches_every_finding_past_report_jsons_100(tmp_path: Path) -> None:
    """Issue 20 item 6: report.json keeps 100 a gate; ``runbook findings`` prints all 250."""
    lint = all_of("lint", many(200) + many(50, path="tests/test_y.py"))
    write_run(tmp_path, lint, all_of("types", (TYPE,)))
    report = json.loads((tmp_path / ".runbook" / "report.json").read_text("utf-8"))
    assert len(report["gates"][0]["findings"]) == 100
    out = io.StringIO()
    assert cli.main(["findings", "--root", str(tmp_path)], out) == 0
    text = out.getvalue()
    assert "lint (fail): 250 findings\n" in text
    assert "  src/x.py:200:1 R4 finding 200\n" in text
    assert "tests/test_y.py:50:1" in text
    out = io.StringIO()
    argv = ["findings", "--json", "--gate", "lint", "--path", "tests/", "--root", str(tmp_path)]
    assert cli.main(argv, out) == 0
    data = json.loads(out.getvalue())
    assert list(data) == ["lint"]
    assert len(data["lint"]["findings"]) == data["lint"]["findings_total"] == 50
    assert data["lint"]["complete"] is True


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("src/x.py", True),
        ("src", True),
        ("src/", True),
        ("src/*.py", True),
        ("*.py", True),
        ("sr", False),
        ("src/x", False),
        ("tests/", False),
    ],
)
def test_path_filter_takes_a_file_a_folder_or_a_glob(pattern: str, expected: bool) -> None:
    assert findings_cli.path_matches(pattern)("src/x.py") is expected


@pytest.mark.parametrize("fault", ["missing", "another run", "cut short", "garbage"])
def test_without_this_runs_findings_file_report_json_is_shown_and_why(
    tmp_path: Path, fault: str
) -> None:
    write_run(tmp_path, all_of("lint", many(250)), store=fault != "missing")
    stored = tmp_path / ".runbook" / findings_file.FINDINGS_FILE
    if fault == "another run":
        text = stored.read_text("utf-8").replace("abc123", "def456", 1)
        stored.write_text(text, "utf-8")
    elif fault == "cut short":
        lines = stored.read_text("utf-8").splitlines(keepends=True)
        stored.write_text("".join(lines[:-1]), "utf-8")
    elif fault == "garbage":
        stored.write_text('{"run": 1}\n{trunc', "utf-8")
    out = io.StringIO()
    assert cli.main(["findings", "--root", str(tmp_path)], out) == 0
    text = out.getvalue()
    assert text.startswith("runbook: only report.json's first findings of each gate (")
    assert "lint (fail): 250 findings (first 100 shown)" in text


def test_a_run_writes_every_finding_and_a_cached_pass_keeps_them(tmp_path: Path) -> None:
    """The runner writes findings.jsonl next to report.json; the cache keeps every finding of
    a pass (pyright passes with warnings), so a cached pass reports all of them again."""
    warned = many(150, "warning")
    result = GateResult("types", "Π_types", Status.PASS, findings=warned, findings_total=150)
    gate = next(g for g in GATES if g.name == "types")
    cache.store(tmp_path, gate, "key", result)
    hit = cache.lookup(tmp_path, gate, "key")
    assert hit is not None
    assert hit.findings == warned
