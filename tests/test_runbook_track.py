"""The runbook's trajectory in MLflow: one run per runbook, and failures only ever warn."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from codex_ml.tracking import MlflowConfig
from runbook import cli
from runbook.gates.settings import Settings
from runbook.gates.tools import pytest as pytest_tool
from runbook.gates.tools import ruff_check
from runbook.records.result import Status
from runbook.reports.console import plain_report
from runbook.run import Outcome, Run, perform
from runbook.running import treelock
from runbook.tracking import track
from support import direct, mlflow_schema, python_gate

GATES = (
    python_gate("lint", "print('Found 1 error.'); exit(1)", summarize=ruff_check.summarize),
    python_gate(
        "tests",
        "print('TOTAL 10 1 90%'); print('5 passed in 0.1s')",
        summarize=pytest_tool.summarize,
        coverage=90.0,
    ),
)


def run_in(root: Path, **kw: object) -> Run:
    return Run(
        root=root,
        settings=Settings(timeout=30),
        gates=GATES,
        launcher=direct,
        **kw,  # type: ignore[arg-type]
    )


def test_a_runbook_becomes_one_mlflow_run_with_metrics_tags_and_artifacts(tmp_path: Path) -> None:
    """The store holds MLflow's schema already (``support.mlflow_schema``, whose making is
    MLflow making a store where none was, in this environment): what is logged is the runbook's."""
    # Imported here, not at collection: every pytest-xdist worker collects every module.
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    perform(run_in(tmp_path))
    state = tmp_path / ".runbook"
    uri = f"sqlite:///{mlflow_schema(tmp_path / 'mlflow.db')}"
    config = MlflowConfig(
        enabled=True,
        tracking_uri=uri,
        experiment_name="runbook-test",
        artifact_location=(tmp_path / "artifacts").as_uri(),
        log_system_metrics=False,
    )
    run_id = track.log_report(state, config)
    assert run_id is not None

    run = MlflowClient(tracking_uri=uri).get_run(run_id)
    metrics = run.data.metrics
    assert metrics["gate.lint.pass"] == 0.0
    assert metrics["gate.tests.pass"] == 1.0
    assert metrics["coverage"] == 90.0
    assert "gate.tests.seconds" in metrics
    assert run.data.tags["mode"] == "runbook"
    assert run.data.tags["result"] == "fail"
    assert run.data.tags["gate.lint"] == "fail"
    assert "commit" in run.data.tags
    listed = MlflowClient(tracking_uri=uri).list_artifacts(run_id, "runbook")  # pyright: ignore[reportUnknownMemberType]
    artifacts = {a.path for a in listed}
    assert artifacts == {
        "runbook/report.json",
        "runbook/report.md",
        "runbook/questions.md",
        "runbook/findings.sarif",
        "runbook/findings.jsonl",
    }
    questions = (tmp_path / "artifacts").rglob("questions.md")
    assert "While performing [1:lint gate" in next(questions).read_text()


def test_tracking_failure_is_a_warning_and_changes_no_gate(tmp_path: Path) -> None:
    # The real tracker, in an environment where it cannot work (no nox session to run it in).
    tracked = perform(run_in(tmp_path / "b", track=True))
    # What GATES give untracked (lint prints an error and exits 1, tests passes): the results
    # test_a_runbook_becomes_one_mlflow_run_with_metrics_tags_and_artifacts's run logs.
    assert [r.status for r in tracked.report.results] == [Status.FAIL, Status.PASS]
    assert tracked.report.exit_code == 1
    (warning,) = tracked.report.warnings
    assert warning.startswith("MLflow tracking failed (")
    assert warning.endswith("see .runbook/logs/track.log")
    assert f"warning: {warning}" in plain_report(tracked.report)
    data = json.loads((tmp_path / "b/.runbook/report.json").read_text())
    assert data["warnings"] == [warning]


def test_a_passing_runbook_stays_green_when_tracking_fails(tmp_path: Path) -> None:
    def broken(_run: Run) -> str:
        return "MLflow tracking failed (down)"

    run = run_in(tmp_path, track=True, tracker=broken)
    run.gates = (GATES[1],)
    outcome = perform(run)
    assert outcome.report.results[0].status is Status.PASS
    assert outcome.report.exit_code == 0
    assert outcome.report.warnings == ("MLflow tracking failed (down)",)


def test_a_malformed_tracking_variable_is_the_track_sessions_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The runner does not read the MLflow settings (it imports nothing of the library): the
    track session checks them, and its error is a warning under the gate table."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODEX_MLFLOW", "yes")
    assert track.main([]) == 2
    assert "CODEX_MLFLOW must be one of true, false, 1, 0" in capsys.readouterr().out
    assert not (tmp_path / ".runbook").exists()


def test_tracking_turned_off_logs_nothing_unless_the_runbook_was_asked_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODEX_MLFLOW", "false")
    assert track.main([]) == 0
    assert "CODEX_MLFLOW is off: nothing logged" in capsys.readouterr().out
    assert not (tmp_path / ".runbook").exists()


def test_the_runbook_runs_the_track_session_when_asked_and_forces_it_with_mlflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, bool]] = []

    def fake_perform(run: Run) -> Outcome:
        seen.append((run.track, run.track_forced))
        raise treelock.LockError("stop here")

    monkeypatch.setattr(cli, "perform", fake_perform)
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.delenv("CODEX_MLFLOW", raising=False)
    for env, flag in (("", []), ("false", []), ("", ["--mlflow"])):
        if env:
            monkeypatch.setenv("CODEX_MLFLOW", env)
        assert cli.main(["run", "--root", str(tmp_path), *flag], stdout=io.StringIO()) == 2
    assert seen == [(False, False), (True, False), (True, True)]


def test_default_config_keeps_store_and_artifacts_under_runbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "CODEX_MLFLOW"):
        monkeypatch.delenv(name, raising=False)
    config = track.default_config(tmp_path / ".runbook")
    assert config.enabled
    assert config.tracking_uri == f"sqlite:///{tmp_path / '.runbook' / 'mlflow.db'}"
    assert config.experiment_name == track.EXPERIMENT
    assert config.artifact_location == (tmp_path / ".runbook" / "mlartifacts").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/db")
    assert track.default_config(tmp_path).tracking_uri == "sqlite:////elsewhere/db"


def test_a_gate_without_a_verdict_is_tagged_but_logs_no_pass_and_no_time() -> None:
    """A cancelled gate (stopped because another failed first) is neither a pass nor a fail of
    its own, and its seconds are how long it ran before the failure: only its tag says it."""
    report = {
        "seconds": 9.0,
        "commit": "abc",
        "mode": "release",
        "result": "fail",
        "gates": [
            {"name": "lint", "status": "fail", "seconds": 1.0},
            {"name": "tests", "status": "cancelled", "seconds": 2.0},
            {"name": "types", "status": "skipped", "seconds": 0.0},
            {"name": "package", "status": "not run", "seconds": 0.0},
        ],
    }
    metrics, tags = track.metrics_and_tags(report)
    assert metrics == {"runbook.seconds": 9.0, "gate.lint.pass": 0.0, "gate.lint.seconds": 1.0}
    assert tags["gate.tests"] == "cancelled"
    assert tags["gate.package"] == "not run"
