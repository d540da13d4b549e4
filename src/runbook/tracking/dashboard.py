"""``make dashboard``: the MLflow UI on the runbook's tracking store, on 127.0.0.1 only.

Runs in the ``dashboard`` nox session, whose environment has the full ``mlflow`` package: the
library's ``tracking`` extra is ``mlflow-skinny``, which has no UI. The store is the one the
runbook logs to (``track.default_config``): ``.runbook/mlflow.db`` unless ``MLFLOW_TRACKING_URI``
names another. The server runs in its own process group, so Ctrl-C, SIGTERM or SIGHUP stop it
and every worker it started, and a closed terminal leaves nothing listening.

This process only starts, watches and stops the server (stdlib only: the noxfile imports it);
it asks the server itself, over MLflow's REST API, whether any run was recorded yet.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.gates.reasons import last_line
from runbook.records.redact import read_log, redact
from runbook.run import STATE_DIR
from runbook.running import execute
from runbook.running.signals import shielded, stop_signals_interrupt

HOST = "127.0.0.1"
DEFAULT_PORT = 5000
WORKERS = 1
"""One person looks at it: one worker keeps it light on a busy machine."""
READY_SECONDS = 300.0
"""How long the server may take to answer (it creates or migrates the store first)."""
STOP_SECONDS = execute.GRACE_SECONDS + execute.REAP_SECONDS + 5.0
"""What stopping the server group may take; nox waits this long after Ctrl-C (noxfile)."""
LOG = Path("logs") / "dashboard.log"
RECORD_HINT = "make runbook ARGS=--mlflow"
REMOTE_SCHEMES = ("http://", "https://", "databricks")
NO_TELEMETRY = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
"""MLflow reports usage over the network unless told not to; nothing here leaves the machine."""
SERVER_ENV = {**NO_TELEMETRY, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
"""Nothing the runbook logs needs the server's job workers (GenAI scorers): fewer processes."""


class DashboardError(Exception):
    """The dashboard cannot start; the message says why and what to do."""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port takes a number, not {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be 1-65535, not {port}")
    return port


def check_port(port: int) -> None:
    """Refuse a port something already listens on, before starting anything."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the server will: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise DashboardError(
                f"port {port} on {HOST} is in use ({exc.strerror}); "
                f"choose another: make dashboard ARGS='--port N'"
            ) from None


def server_command(port: int, store_uri: str, artifact_root: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--backend-store-uri",
        store_uri,
        "--default-artifact-root",
        artifact_root,
        "--no-serve-artifacts",  # the runs' artifacts are local files the UI reads directly
    ]


def _call(url: str, body: Mapping[str, object] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - ours
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own URL
        return cast(dict[str, Any], json.load(response))


def recorded_runs(base_url: str, experiment: str) -> int:
    """Whether the runbook's experiment holds runs (0 or 1), asked of the running server
    through MLflow's REST API: this process never imports mlflow."""
    query = urllib.parse.urlencode({"experiment_name": experiment})
    try:
        found = _call(f"{base_url}api/2.0/mlflow/experiments/get-by-name?{query}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # RESOURCE_DOES_NOT_EXIST: nothing was ever logged
            return 0
        raise
    experiment_id = found["experiment"]["experiment_id"]
    search = {"experiment_ids": [experiment_id], "max_results": 1}
    return len(_call(f"{base_url}api/2.0/mlflow/runs/search", search).get("runs", []))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(proc: subprocess.Popen[bytes], url: str, deadline: float) -> None:
    """Poll ``url`` until it answers; the server exiting first is an error."""
    while not answers(url):
        if proc.poll() is not None:
            raise DashboardError(f"the MLflow server exited with code {proc.returncode}")
        if time.monotonic() >= deadline:
            raise DashboardError(f"the MLflow server did not answer on {url} in time")
        time.sleep(0.5)


def serve(root: Path, port: int, env: Mapping[str, str], out: TextIO) -> int:
    # Imported here: the MLflow settings come from the library (``codex_ml.tracking``), which
    # the noxfile (it imports this module for its constants) must not import.
    from runbook.tracking import track  # noqa: PLC0415

    state_dir = root / STATE_DIR
    try:
        config = track.default_config(state_dir)
    except ValueError as exc:  # a malformed MLFLOW_* / CODEX_MLFLOW variable
        raise DashboardError(str(exc)) from None
    store_uri = config.tracking_uri or ""
    shown_uri = redact(store_uri, env)
    if store_uri.startswith(REMOTE_SCHEMES):
        raise DashboardError(
            f"MLFLOW_TRACKING_URI is a tracking server ({shown_uri}): open its own UI instead"
        )
    check_port(port)
    log_path = state_dir / LOG
    log_path.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://{HOST}:{port}/"
    out.write(f"dashboard: starting the MLflow UI on {shown_uri}; log: {STATE_DIR / LOG}\n")
    out.flush()
    proc: subprocess.Popen[bytes] | None = None
    try:
        with stop_signals_interrupt():
            with shielded(), log_path.open("wb") as log:  # no Ctrl-C between start and `proc`
                proc = subprocess.Popen(
                    server_command(port, store_uri, config.artifact_location or ""),
                    cwd=root,
                    env={**env, **SERVER_ENV},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stopped as a whole
                )
            wait_ready(proc, f"{url}health", time.monotonic() + READY_SECONDS)
            out.write(f"dashboard: open {url}  (Ctrl-C stops it)\n")
            _hint_when_empty(url, config.experiment_name or track.EXPERIMENT, out)
            out.flush()
            code = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        out.write("dashboard: stopped\n")
        return 0
    except DashboardError:
        _stop(proc)
        cause = last_line(read_log(log_path, env))
        out.write(f"dashboard: last log line: {cause}\n" if cause else "")
        raise
    raise DashboardError(f"the MLflow server stopped by itself (exit code {code})")


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        with shielded():  # a second Ctrl-C must not leave the server running
            execute.stop_groups([proc])


def _hint_when_empty(url: str, experiment: str, out: TextIO) -> None:
    try:
        empty = recorded_runs(url, experiment) == 0
    except (OSError, ValueError, KeyError, TypeError) as exc:  # the UI works regardless
        out.write(f"dashboard: could not ask the server for runs ({exc!r})\n")
        return
    if empty:
        out.write(
            f"dashboard: no runs in experiment {experiment!r} yet; record one with "
            f"`{RECORD_HINT}` (or CODEX_MLFLOW=1), then reload the page\n"
        )


def main(
    argv: Sequence[str] | None = None,
    *,
    root: Path | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog="dashboard", description=__doc__)
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="default: 5000")
    args = parser.parse_args(argv)
    stream = out or sys.stdout
    os.environ.update(NO_TELEMETRY)  # before this process imports mlflow
    try:
        return serve(root or Path.cwd(), args.port, os.environ if env is None else env, stream)
    except DashboardError as exc:
        stream.write(f"dashboard: error: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
