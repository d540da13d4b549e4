"""``make dashboard``: the MLflow UI on the runbook's store, on 127.0.0.1, stopped as a group.

The end-to-end test here runs the dashboard with a stand-in for ``mlflow server`` (``STAND_IN``:
a loopback HTTP server in its own process, with a worker child, answering the part of MLflow's
REST API the dashboard asks from the runbook's real SQLite store). The real server needs the
``dashboard`` environment (full mlflow, ~620 MB), which the gates never build: the same path on
the real server is ``tests/dashboard_server_check.py``, run by ``nox -s dashboard_check`` (and
CI), whose environment is the dashboard's own.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runbook.gates.settings import Settings
from runbook.gates.tools import pytest as pytest_tool
from runbook.gates.tools import ruff_check
from runbook.run import Run, perform
from runbook.running import procgroup
from runbook.tracking import dashboard, track
from support import alive, direct, followed, mlflow_schema, python_gate

ROOT = Path(__file__).resolve().parents[1]
GATES = (
    python_gate("lint", "print('Found 1 error.'); exit(1)", summarize=ruff_check.summarize),
    python_gate(
        "tests",
        "print('TOTAL 10 1 90%'); print('5 passed')",
        summarize=pytest_tool.summarize,
        coverage=90.0,
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
    """One runbook run, logged to the runbook's default store under ``root``, which holds
    MLflow's schema before the run is logged, as the real server makes it when it starts
    (``support.mlflow_schema``)."""
    perform(Run(root=root, settings=Settings(timeout=30), gates=GATES, launcher=direct))
    state = root / ".runbook"
    config = track.default_config(state)
    store = (state / "mlflow.db").resolve()
    assert config.tracking_uri == f"sqlite:///{store}"  # the default store (clean_env)
    mlflow_schema(store)
    run_id = track.log_report(state, config)
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


# --- end to end: the dashboard's own path, on a stand-in for the MLflow server -----------------

STAND_IN = """\
    import json
    import os
    import sqlite3
    import subprocess
    import sys
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    PORT, STORE = int(sys.argv[1]), sys.argv[2].removeprefix("sqlite:///")
    # One worker in the server's process group, as MLflow's uvicorn starts.
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


    def query(sql, *args):
        if not os.path.exists(STORE):  # nothing logged yet: MLflow's answer is "not found"
            return []
        with sqlite3.connect(f"file:{STORE}?mode=ro", uri=True) as db:
            return db.execute(sql, args).fetchall()


    class Handler(BaseHTTPRequestHandler):
        def answer(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path in {"/", "/health"}:
                return self.answer(200, {})
            name = urllib.parse.parse_qs(url.query)["experiment_name"][0]
            found = query("SELECT experiment_id FROM experiments WHERE name = ?", name)
            if not found:
                return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
            return self.answer(200, {"experiment": {"experiment_id": str(found[0][0])}})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            (experiment,) = body["experiment_ids"]
            rows = query("SELECT run_uuid FROM runs WHERE experiment_id = ?", int(experiment))
            self.answer(200, {"runs": [{"info": {"run_id": row[0]}} for row in rows]})

        def log_message(self, *args):
            pass


    print("stand-in: serving", flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
    """


def stand_in_dashboard(tmp_path: Path) -> list[str]:
    """``python -m runbook.tracking.dashboard``, its server command swapped for ``STAND_IN``."""
    script = tmp_path / "stand_in_server.py"
    script.write_text(textwrap.dedent(STAND_IN))
    code = (
        "import sys\n"
        "from runbook.tracking import dashboard\n"
        "dashboard.server_command = lambda port, uri, _artifacts: "
        f"[sys.executable, {str(script)!r}, str(port), uri]\n"
        "sys.exit(dashboard.main(sys.argv[1:]))\n"
    )
    return [sys.executable, "-c", code]


def wait_for(condition: Callable[[], bool], deadline_s: float, what: str) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


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


def test_dashboard_serves_the_tracked_run_on_loopback_and_stops_as_a_group(
    tmp_path: Path, clean_env: None
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in MLFLOW_VARS}
    log = tmp_path / "dashboard.out"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [*stand_in_dashboard(tmp_path), "--port", str(port)],
            cwd=tmp_path,
            env=followed({**env, "PYTHONPATH": str(ROOT / "src")}),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    servers: list[int] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        # An empty store: the server starts, and the dashboard says how to record runs.
        wait_for(lambda: "reload the page" in log.read_text(), 60, "the empty-store hint")
        assert f"dashboard: open {url}" in log.read_text()
        assert "record one with `make runbook ARGS=--mlflow`" in log.read_text()
        assert dashboard.answers(url)
        servers = children(proc.pid)
        (server,) = servers
        wait_for(lambda: len(children(server)) == 1, 30, "the server's worker")
        workers = children(server)

        run_id = tracked_run(tmp_path)  # logs while it is up
        assert dashboard.recorded_runs(url, track.EXPERIMENT) == 1
        assert run_id

        # SIGTERM takes Ctrl-C's path (KeyboardInterrupt) and, unlike SIGINT, cannot have been
        # set to "ignore" by whatever started this test in the background.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=dashboard.STOP_SECONDS + 30) == 0
        assert procgroup.live_members(server) == []  # the server and its worker
        assert not any(alive(pid) for pid in workers)
        assert not dashboard.answers(url)
        assert log.read_text().rstrip().endswith("dashboard: stopped")
    finally:
        for group in [proc.pid, *servers]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        proc.wait()
