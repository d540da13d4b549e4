"""Log one runbook or release run to MLflow: the trajectory of the project's health.

Runs in its own nox session (``track``, with the tracking dependency group), after the runner
has written ``.runbook/report.json``: the runner itself stays stdlib-only, and a tracking
failure can never change a gate's result. This is the one runner module that uses the library
(``codex_ml.tracking``: the MLflow settings and the run), and only in this session's process:
the settings are checked here, a malformed one is this session's error (a warning under the
gate table), and ``CODEX_MLFLOW=false`` logs nothing unless the runner got ``--mlflow``
(``--force``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from codex_ml.tracking import MlflowConfig, TrackingConfigError, start_run
from runbook.records.result import NO_VERDICT
from runbook.run import QUESTIONS_ARTIFACT, STATE_DIR, TRACK_ENV, TRACK_FORCE

EXPERIMENT = "codex-ml-runbook"


def default_config(state_dir: Path) -> MlflowConfig:
    """``MlflowConfig.from_env`` with the runbook's defaults: a SQLite store and artifacts under
    ``.runbook/`` unless ``MLFLOW_TRACKING_URI`` / ``MLFLOW_EXPERIMENT_NAME`` say otherwise."""
    config = MlflowConfig.from_env()
    return dataclasses.replace(
        config,
        enabled=True,
        tracking_uri=config.tracking_uri or f"sqlite:///{(state_dir / 'mlflow.db').resolve()}",
        experiment_name=config.experiment_name or EXPERIMENT,
        artifact_location=config.artifact_location
        or (state_dir / "mlartifacts").resolve().as_uri(),
    )


def _status_tag(gate: dict[str, Any]) -> str:
    return f"{gate['status']} (cached)" if gate.get("cached") else str(gate["status"])


def metrics_and_tags(report: dict[str, Any]) -> tuple[dict[str, float], dict[str, str]]:
    """What one run of ``report.json`` logs: per gate its pass (1/0) and seconds, and a status
    tag. A gate that gave no verdict (skipped, not run, cancelled) gets only its tag."""
    gates = cast(list[dict[str, Any]], report["gates"])
    metrics: dict[str, float] = {"runbook.seconds": float(report["seconds"])}
    for gate in gates:
        if gate["status"] in NO_VERDICT:  # no pass/fail of its own, and no time of its own
            continue
        metrics[f"gate.{gate['name']}.pass"] = 1.0 if gate["status"] == "pass" else 0.0
        if not gate.get("cached"):  # a cached pass's time belongs to the run that measured it
            metrics[f"gate.{gate['name']}.seconds"] = float(gate["seconds"])
        if gate.get("coverage") is not None:
            metrics["coverage"] = float(gate["coverage"])
    tags = {
        "commit": str(report["commit"]),
        "mode": str(report["mode"]),
        "result": str(report["result"]),
        **{f"gate.{g['name']}": _status_tag(g) for g in gates},
    }
    return metrics, tags


ARTIFACTS = ("report.json", "report.md", QUESTIONS_ARTIFACT, "findings.sarif", "findings.jsonl")
"""What a run keeps in MLflow (under ``runbook/``): its report, its error capture and every
finding (``findings.jsonl``: report.json keeps 100 a gate)."""


def log_report(state_dir: Path, config: MlflowConfig) -> str | None:
    """Log ``state_dir/report.json`` as one MLflow run; returns the run id."""
    report = cast(dict[str, Any], json.loads((state_dir / "report.json").read_text("utf-8")))
    metrics, tags = metrics_and_tags(report)
    config = dataclasses.replace(
        config,
        run_name=config.run_name or f"{report['mode']} {report['commit']}",
        tags={**config.tags, **tags},
    )
    with start_run(config) as run:
        run.log_metrics(metrics)
        for name in ARTIFACTS:
            path = state_dir / name
            if path.is_file():
                run.log_artifact(path, artifact_path="runbook")
        return run.run_id


def main(argv: Sequence[str] | None = None) -> int:
    forced = TRACK_FORCE in (sys.argv[1:] if argv is None else argv)
    state_dir = Path.cwd() / STATE_DIR
    try:
        enabled = MlflowConfig.from_env().enabled
        config = default_config(state_dir)
    except TrackingConfigError as exc:
        print(f"track: error: {exc}")
        return 2
    if not enabled and not forced:
        print(f"track: {TRACK_ENV} is off: nothing logged (--mlflow logs anyway)")
        return 0
    run_id = log_report(state_dir, config)
    print(f"track: logged MLflow run {run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
