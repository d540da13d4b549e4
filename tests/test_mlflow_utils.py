"""MLflow tracking helpers, against a real SQLite store (no MLflow mocks)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import pytest

from codex_ml.tracking.mlflow_utils import MlflowConfig, TrackingConfigError, start_run
from support import mlflow_schema

if TYPE_CHECKING:
    from mlflow.entities import Experiment, FileInfo, Run

# mlflow is imported by the tests that use it, not at collection: every pytest-xdist worker
# collects every module, and importing mlflow costs about a second in each.

SYSTEM_VARS = (
    "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING",
    "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL",
    "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING",
    "MLFLOW_SYSTEM_METRICS_NODE_ID",
)
MEMORY_METRICS = ("system_memory_usage_megabytes", "system_memory_usage_percentage")
# How long a run may take to store its first system metrics before the test gives up: generous,
# since only a failing test (or a very loaded machine) waits that long.
SYSTEM_METRICS_DEADLINE = 120.0
SAMPLING_INTERVAL = 0.2
"""The fast sampling interval these tests give MLflow's monitor (MLflow sleeps it before the first
sample): each system-metrics test waits about one interval for its first batch."""


class _Client(Protocol):
    """The MlflowClient calls these tests read with, typed where MLflow leaves gaps."""

    def search_experiments(self) -> list[Experiment]: ...
    def search_runs(self, experiment_ids: list[str], max_results: int) -> list[Run]: ...
    def get_run(self, run_id: str) -> Run: ...
    def get_experiment_by_name(self, name: str) -> Experiment | None: ...
    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]: ...


def _client(store: str) -> _Client:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415 (see above)

    return cast("_Client", MlflowClient(store))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite store for the module: creating its schema costs seconds, runs cost little."""
    folder = tmp_path_factory.mktemp("mlflow")
    return f"sqlite:///{mlflow_schema(folder / 'mlflow.db')}"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts without tracking variables and never writes into the repository."""
    for name in (*SYSTEM_VARS, "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "CODEX_MLFLOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _environ() -> dict[str, str]:
    """The environment, less the session id MLflow sets for itself once per process (on its
    first run), which start_run neither sets nor should undo."""
    return {k: v for k, v in os.environ.items() if k != "_MLFLOW_TELEMETRY_SESSION_ID"}


def _config(store: str, name: str, **overrides: Any) -> MlflowConfig:
    return MlflowConfig(
        enabled=True, tracking_uri=store, experiment_name=name, run_name=name, **overrides
    )


def _run_count(store: str) -> int:
    client = _client(store)
    ids = [e.experiment_id for e in client.search_experiments()]
    return len(client.search_runs(ids, max_results=1000))


def test_importing_codex_ml_does_not_import_mlflow() -> None:
    code = (
        "import sys, codex_ml, codex_ml.tracking, codex_ml.tracking.mlflow_utils\n"
        "print('mlflow' in sys.modules)"
    )
    src = Path(__file__).parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_disabled_run_accepts_every_call_without_mlflow(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)
    artifact = tmp_path / "report.txt"
    artifact.write_text("x")
    config = MlflowConfig.from_env({})
    assert not config.enabled
    with start_run(config) as run:
        run.log_metric("m", 1.0, step=1)
        run.log_metrics({"a": 1.0})
        run.log_param("p", 1)
        run.log_params({"q": "v"})
        run.set_tag("t", "v")
        run.set_tags({"u": 2})
        run.log_artifact(artifact)
        assert run.run_id is None
    assert list(tmp_path.iterdir()) == [artifact]  # nothing written: no store, no mlruns


def test_enabled_without_mlflow_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with (
        pytest.raises(ImportError, match=r"mlflow is missing.*'tracking'"),
        start_run(MlflowConfig(enabled=True)),
    ):
        pass


def test_system_metrics_without_psutil_fail_before_any_run(
    monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    before = _run_count(store)
    with (
        pytest.raises(ImportError, match=r"psutil.*'tracking'"),
        start_run(_config(store, "no-psutil", log_system_metrics=True)),
    ):
        pass
    assert _run_count(store) == before


def test_from_env_reads_every_variable() -> None:
    config = MlflowConfig.from_env(
        {
            "CODEX_MLFLOW": "TRUE",
            "MLFLOW_TRACKING_URI": "sqlite:///x.db",
            "MLFLOW_EXPERIMENT_NAME": "gates",
            "CODEX_MLFLOW_RUN_NAME": "nightly",
            "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING": "0",
            "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL": "0.5",
            "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING": "3",
            "MLFLOW_SYSTEM_METRICS_NODE_ID": "node-1",
        }
    )
    assert config == MlflowConfig(
        enabled=True,
        tracking_uri="sqlite:///x.db",
        experiment_name="gates",
        run_name="nightly",
        log_system_metrics=False,
        system_metrics_sampling_interval=0.5,
        system_metrics_samples_before_logging=3,
        system_metrics_node_id="node-1",
    )
    # Unset MLflow variables stay None, so MLflow's own defaults apply.
    assert MlflowConfig.from_env({"CODEX_MLFLOW": "1"}) == MlflowConfig(enabled=True)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CODEX_MLFLOW", "yes", "true, false, 1, 0"),
        ("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "maybe", "true, false, 1, 0"),
        ("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "fast", "> 0"),
        ("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0", "> 0"),
        ("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "1.5", ">= 1"),
        ("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "0", ">= 1"),
    ],
)
def test_from_env_names_the_malformed_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(TrackingConfigError, match=name) as info:
        MlflowConfig.from_env({name: value})
    assert expected in str(info.value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"system_metrics_sampling_interval": 0.0},
        {"system_metrics_sampling_interval": -1.0},
        {"system_metrics_sampling_interval": math.nan},
        {"system_metrics_sampling_interval": math.inf},
        {"system_metrics_samples_before_logging": 0},
    ],
)
def test_config_rejects_unusable_sampling(overrides: dict[str, Any]) -> None:
    with pytest.raises(TrackingConfigError, match=next(iter(overrides))):
        MlflowConfig(**overrides)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("enabled", "false", "True or False"),
        ("enabled", 1, "True or False"),
        ("enabled", None, "True or False"),
        ("log_system_metrics", "false", "True, False or None"),
        ("log_system_metrics", 0, "True, False or None"),
        ("system_metrics_samples_before_logging", True, "integer >= 1"),
        ("system_metrics_samples_before_logging", 2.5, "integer >= 1"),
        ("system_metrics_samples_before_logging", 2.0, "integer >= 1"),
        ("system_metrics_samples_before_logging", "2", "integer >= 1"),
        ("system_metrics_sampling_interval", True, "finite number of seconds > 0"),
        ("system_metrics_sampling_interval", "1.5", "finite number of seconds > 0"),
    ],
)
def test_config_rejects_values_mlflow_would_ignore(name: str, value: Any, allowed: str) -> None:
    # "false" is truthy, and MLflow only logs its own failure to int() a sample count
    with pytest.raises(TrackingConfigError, match=name) as info:
        MlflowConfig(**{name: value})
    assert allowed in str(info.value)
    assert repr(value) in str(info.value)


def test_config_accepts_whole_seconds_and_plain_booleans() -> None:
    config = MlflowConfig(
        enabled=True,
        log_system_metrics=False,
        system_metrics_sampling_interval=2,
        system_metrics_samples_before_logging=3,
    )
    assert config.system_metrics_sampling_interval == 2
    assert (config.enabled, config.log_system_metrics) == (True, False)


def test_variable_names_are_the_ones_mlflow_reads() -> None:
    from mlflow import environment_variables as mlflow_env  # noqa: PLC0415

    names = {
        getattr(mlflow_env, name).name
        for name in (
            "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING",
            "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL",
            "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING",
            "MLFLOW_SYSTEM_METRICS_NODE_ID",
        )
    }
    assert names == set(SYSTEM_VARS)


def test_config_tags_cannot_change_behind_its_back() -> None:
    tags = {"a": "1"}
    config = MlflowConfig(tags=tags)
    tags["a"] = "2"
    assert config.tags == {"a": "1"}


@pytest.mark.parametrize("value", ["yes", "maybe"])
def test_malformed_switch_fails_before_any_run(
    monkeypatch: pytest.MonkeyPatch, store: str, value: str
) -> None:
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", value)
    before = _run_count(store)
    with (
        pytest.raises(TrackingConfigError, match="MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING") as info,
        start_run(_config(store, f"malformed-{value}")),
    ):
        pass
    assert "true, false, 1, 0" in str(info.value)
    assert _run_count(store) == before
    assert _client(store).get_experiment_by_name(f"malformed-{value}") is None


def test_explicit_switch_ignores_the_variable(monkeypatch: pytest.MonkeyPatch, store: str) -> None:
    # As with mlflow.start_run: an explicit value means the variable is not consulted at all.
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "maybe")
    with start_run(_config(store, "explicit-off", log_system_metrics=False)) as run:
        assert run.run_id is not None


def test_run_records_calls_config_and_restores_process_state(
    monkeypatch: pytest.MonkeyPatch, store: str, tmp_path: Path
) -> None:
    import mlflow  # noqa: PLC0415 (see above)

    monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_NODE_ID", "outer")
    env_before = _environ()
    uri_before = mlflow.get_tracking_uri()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "gate.log").write_text("ok")
    (tmp_path / "summary.json").write_text("{}")
    config = _config(
        store,
        "calls",
        tags={"runbook": "ci"},
        log_system_metrics=True,
        system_metrics_sampling_interval=3600.0,  # none during the test, however slow
        system_metrics_samples_before_logging=2,
        system_metrics_node_id="inner",
    )

    with start_run(config) as run:
        assert os.environ["MLFLOW_SYSTEM_METRICS_NODE_ID"] == "outer"  # only while starting
        run.log_metric("seconds", 1.5, step=1)
        run.log_metrics({"passed": 1.0, "failed": 0.0}, step=1)
        run.log_param("python", "3.11")
        run.log_params({"gates": 7})
        run.set_tag("gate.ruff", "passed")
        run.set_tags({"gate.types": "failed"})
        run.log_artifact(tmp_path / "summary.json")
        run.log_artifact(tmp_path / "logs", artifact_path="gates")

    assert _environ() == env_before
    assert mlflow.get_tracking_uri() == uri_before
    client = _client(store)
    assert run.run_id is not None
    recorded = client.get_run(run.run_id)
    assert recorded.info.status == "FINISHED"
    assert recorded.info.run_name == "calls"
    experiment = client.get_experiment_by_name("calls")
    assert experiment is not None
    assert recorded.info.experiment_id == experiment.experiment_id
    assert recorded.data.metrics == {"seconds": 1.5, "passed": 1.0, "failed": 0.0}
    assert recorded.data.params == {"python": "3.11", "gates": "7"}
    tags = recorded.data.tags
    assert (tags["runbook"], tags["gate.ruff"], tags["gate.types"]) == ("ci", "passed", "failed")
    top = {a.path for a in client.list_artifacts(run.run_id)}
    assert top == {"summary.json", "gates"}
    nested = {a.path for a in client.list_artifacts(run.run_id, "gates/logs")}
    assert nested == {"gates/logs/gate.log"}


def _crash_inside(config: MlflowConfig, seen: list[str | None]) -> None:
    with start_run(config) as run:
        seen.append(run.run_id)
        raise RuntimeError("gate crashed")


def test_failing_body_marks_the_run_failed_and_propagates(store: str) -> None:
    seen: list[str | None] = []
    with pytest.raises(RuntimeError, match="gate crashed"):
        _crash_inside(_config(store, "fail"), seen)
    [run_id] = seen
    assert run_id is not None
    assert _client(store).get_run(run_id).info.status == "FAILED"


class _Monitor(Protocol):
    """MLflow's system metrics sampler, which MLflow leaves unannotated."""

    def start(self) -> None: ...
    def finish(self) -> None: ...


def _system_metrics(store: str, run_id: str) -> set[str]:
    return {key for key in _client(store).get_run(run_id).data.metrics if key.startswith("system/")}


def _wait_for_system_metrics(store: str, run_id: str) -> set[str]:
    """Poll the run until its first batch of system metrics is stored, or the deadline passes.

    MLflow stores the first sample as soon as it is taken (one ``log_batch``), so on an idle
    machine this returns after about one sampling interval; the deadline only matters when the
    machine is loaded, or when the metrics never come.
    """
    deadline = time.monotonic() + SYSTEM_METRICS_DEADLINE
    while True:
        found = _system_metrics(store, run_id)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _wait_for_a_control_run(store: str, experiment_name: str) -> None:
    """Sample system metrics into a separate run until the first batch lands, then stop.

    It is built here and so reads the sampling variables the test set; it shows how long a run
    with system metrics on needs on this machine right now, which a run with them off must
    outlast before "none were logged" means anything.
    """
    from mlflow.system_metrics.system_metrics_monitor import (  # noqa: PLC0415
        SystemMetricsMonitor,
    )
    from mlflow.tracking import MlflowClient  # noqa: PLC0415 (see above)

    client = MlflowClient(store)
    experiment = _client(store).get_experiment_by_name(experiment_name)
    assert experiment is not None
    control = client.create_run(experiment.experiment_id, run_name="control")
    monitor = cast("_Monitor", SystemMetricsMonitor(control.info.run_id, tracking_uri=store))
    monitor.start()
    try:
        assert _wait_for_system_metrics(store, control.info.run_id), "control logged nothing"
    finally:
        monitor.finish()
        client.set_terminated(control.info.run_id)


@pytest.mark.parametrize(
    ("setting", "variable", "expected"),
    [
        pytest.param(True, "false", True, id="true-overrides-false"),
        pytest.param(False, "TRUE", False, id="false-overrides-true"),
        pytest.param(None, "True", True, id="none-follows-true"),
        pytest.param(None, "0", False, id="none-follows-false"),
    ],
)
def test_system_metrics_follow_setting_then_variable(
    monkeypatch: pytest.MonkeyPatch, store: str, setting: bool | None, variable: str, expected: bool
) -> None:
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", variable)
    monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_NODE_ID", "outer")
    if expected:
        # With these variables MLflow would log nothing for ten deadlines (interval) or 1000
        # samples, so metrics within the deadline prove the config's interval and sample count
        # reached it.
        interval = f"{SYSTEM_METRICS_DEADLINE * 10:g}"
        monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", interval)
        monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "1000")
    else:
        # Fast variables, so a monitor started against the setting would log within the wait.
        monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", f"{SAMPLING_INTERVAL:g}")
        monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "1")
    env_before = _environ()
    name = f"system-{setting}-{variable}"
    config = _config(
        store,
        name,
        log_system_metrics=setting,
        system_metrics_sampling_interval=SAMPLING_INTERVAL,
        system_metrics_samples_before_logging=1,
        system_metrics_node_id="node-a",
    )
    with start_run(config) as run:
        assert run.run_id is not None
        if expected:
            assert _wait_for_system_metrics(store, run.run_id)
        else:
            _wait_for_a_control_run(store, name)
            assert _system_metrics(store, run.run_id) == set()
    assert _environ() == env_before

    metrics = _system_metrics(store, run.run_id)
    assert not any(key.startswith("system/outer/") for key in metrics)
    system = {key.removeprefix("system/node-a/") for key in metrics}
    if expected:
        assert {"cpu_utilization_percentage", *MEMORY_METRICS} <= system
    else:
        assert system == set()
