"""``make dashboard`` end to end on the real MLflow server: ``nox -s dashboard_check``.

Not part of the suite the tests gate runs (its name does not match ``test_*.py``): it needs the
``dashboard`` environment's full ``mlflow`` (~620 MB, built the first time it is used), which the
gates never build. ``nox -s dashboard_check`` runs it with pytest in that environment, and CI runs
that session; the suite's ``tests/test_runbook_dashboard.py`` runs the same path on a stand-in
server. Run anywhere else, it fails at once, naming the session to use.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, cast

import pytest
from test_runbook_dashboard import MLFLOW_VARS, ROOT, children, free_port, tracked_run

from runbook.running import procgroup
from runbook.tracking import dashboard, track


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runbook's default store: no MLflow settings from the developer's shell."""
    for name in MLFLOW_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True, scope="module")
def mlflow_server_installed() -> None:
    """A missing prerequisite is a failure that says what to run, never a skip."""
    if (
        importlib.util.find_spec("mlflow.server") is None
        or importlib.util.find_spec("flask") is None
    ):
        pytest.fail(
            f"{sys.executable} has no MLflow server (the full mlflow package); "
            "run this file with `nox -s dashboard_check`",
            pytrace=False,
        )


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


def test_dashboard_serves_the_tracked_run_on_loopback_and_stops_as_a_group(
    tmp_path: Path, clean_env: None
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in MLFLOW_VARS}
    log = tmp_path / "dashboard.out"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runbook.tracking.dashboard", "--port", str(port)],
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
