"""``make dashboard``: the MLflow UI on the runbook's store, on 127.0.0.1, stopped as a group.

The end-to-end test runs the real server from the ``dashboard`` environment (full mlflow; the
tests environment has mlflow-skinny, whose server lacks the UI and some of its dependencies).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.gates.settings import Settings
from runbook.gates.tools import pytest as pytest_tool
from runbook.gates.tools import ruff_check
from runbook.run import Run, perform
from runbook.running import procgroup
from runbook.tracking import dashboard, track
from support import RUNNER_FILES, direct, python_gate

ROOT = Path(__file__).resolve().parents[1]
GATES = (
    python_gate("lint", "print('Found 1 error.'); exit(1)", summarize=ruff_check.summarize),
    python_gate(
        "tests", "print('TOTAL 10 1 90%'); print('5 passed')", summarize=pytest_tool.summarize
    ),
)
MLFLOW_VARS = ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "CODEX_MLFLOW")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runbook's default store: no MLflow settings from the developer's shell."""
    for name in MLFLOW_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def listening() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket() as server:
        server.bind((dashboard.HOST, 0))
        server.listen()
        yield server.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((dashboard.HOST, 0))
        return probe.getsockname()[1]


def tracked_run(root: Path) -> str:
    """One runbook run, logged to the runbook's default store under ``root``."""
    perform(Run(root=root, settings=Settings(timeout=30), gates=GATES, launcher=direct))
    state = root / ".runbook"
    run_id = track.log_report(state, track.default_config(state))
    assert run_id is not None
    return run_id


def test_a_port_in_use_is_an_error_naming_it(listening: int) -> None:
    with pytest.raises(dashboard.DashboardError, match=f"port {listening} on 127.0.0.1 is in use"):
        dashboard.check_port(listening)
    dashboard.check_port(free_port())  # and a free one is not


def test_the_port_is_checked_before_anything_starts(
    tmp_path: Path, listening: int, clean_env: None
) -> None:
    out = io.StringIO()
    assert dashboard.main(["--port", str(listening)], root=tmp_path, out=out) == 1
    assert f"dashboard: error: port {listening} on 127.0.0.1 is in use" in out.getvalue()
    assert not (tmp_path / ".runbook").exists()


@pytest.mark.parametrize("port", ["x", "0", "70000"])
def test_a_bad_port_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        dashboard.main(["--port", port])
    assert stop.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_a_tracking_server_uri_is_not_served_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://user:s3cret@mlflow.example.org")
    out = io.StringIO()
    assert dashboard.main(["--port", str(free_port())], root=tmp_path, out=out) == 1
    assert "is a tracking server" in out.getvalue()
    assert "s3cret" not in out.getvalue()


def test_a_server_that_dies_at_once_is_an_error_with_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    def dying(_port: int, _uri: str, _artifacts: str) -> list[str]:
        return [sys.executable, "-c", "print('no module named flask_cors'); raise SystemExit(3)"]

    monkeypatch.setattr(dashboard, "server_command", dying)
    out = io.StringIO()
    assert dashboard.main(["--port", str(free_port())], root=tmp_path, out=out) == 1
    text = out.getvalue()
    assert "dashboard: last log line: no module named flask_cors" in text
    assert "dashboard: error: the MLflow server exited with code 3" in text


# --- end to end: the real MLflow server from the dashboard environment --------------------------


def dashboard_python() -> Path:
    """The dashboard environment's interpreter, built (or refreshed) by its nox session."""
    nox = ROOT / ".tools" / "bin" / "nox"
    command = [str(nox)] if nox.exists() else [shutil.which("nox") or "nox"]
    subprocess.run(
        [*command, "-s", "dashboard", "--install-only"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=1800,  # a cold install downloads mlflow and its dependencies
    )
    return ROOT / ".nox" / "dashboard" / "bin" / "python"


def api(port: int, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/2.0/mlflow/{path}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return cast(dict[str, Any], json.load(response))


def wait_for(condition: Any, deadline_s: float, what: str) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.5)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[1] == str(pid):
                found.append(int(entry.name))
    return found


# The tools environment's nox (the noxfile imports the runner) and the dashboard environment's
# Python (the dashboard, with PYTHONPATH=src) cannot be followed: they declare what they run.
@pytest.mark.child_reads("noxfile.py", *RUNNER_FILES)
def test_dashboard_serves_the_tracked_run_on_loopback_and_stops_as_a_group(
    tmp_path: Path, clean_env: None
) -> None:
    python = dashboard_python()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in MLFLOW_VARS}
    log = tmp_path / "dashboard.out"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [str(python), "-m", "runbook.tracking.dashboard", "--port", str(port)],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT / "src")},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    servers: list[int] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        # An empty store: the UI starts, and the dashboard says how to record runs.
        wait_for(lambda: "reload the page" in log.read_text(), 300, "the empty-store hint")
        assert f"dashboard: open {url}" in log.read_text()
        assert "record one with `make runbook ARGS=--mlflow`" in log.read_text()
        assert dashboard.answers(url)
        servers = children(proc.pid)
        (server,) = servers

        run_id = tracked_run(tmp_path)  # the runbook logs while the dashboard is up
        assert dashboard.recorded_runs(url, track.EXPERIMENT) == 1
        query = urllib.parse.urlencode({"experiment_name": track.EXPERIMENT})
        experiment = api(port, f"experiments/get-by-name?{query}")["experiment"]
        found = api(port, "runs/search", {"experiment_ids": [experiment["experiment_id"]]})
        (run,) = found["runs"]
        assert run["info"]["run_id"] == run_id
        metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
        assert metrics["gate.lint.pass"] == 0.0
        assert metrics["gate.tests.pass"] == 1.0
        assert {"gate.lint.seconds", "gate.tests.seconds", "runbook.seconds"} <= set(metrics)
        tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
        assert tags["gate.lint"] == "fail"

        # SIGTERM takes Ctrl-C's path (KeyboardInterrupt) and, unlike SIGINT, cannot have been
        # set to "ignore" by whatever started this test in the background.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=dashboard.STOP_SECONDS + 30) == 0
        assert procgroup.live_members(server) == []  # the server and its workers
        assert not dashboard.answers(url)
        assert log.read_text().rstrip().endswith("dashboard: stopped")
    finally:
        for group in [proc.pid, *servers]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        proc.wait()
