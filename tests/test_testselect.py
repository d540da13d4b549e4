"""The gate's pytest plugin (runbook.testselect) follows child processes: which started
processes it can follow, and what a followed Python child logs (runbook/childwatch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook import childwatch
from runbook.childwatch import CHILD_ENV, SRC_ENV, WATCH_ENV
from runbook.testgate import install_childwatch
from runbook.testselect import unfollowed

SRC = Path(__file__).resolve().parents[1] / "src"
LOG = "/tmp/children/1.log"


def facts(
    path: str, *argv: str, env: dict[str, str] | None = None, event: str = "subprocess.Popen"
) -> dict[str, Any]:
    return {"event": event, "path": path, "argv": [path, *argv], "env": env}


GOOD_ENV = {"child": LOG}


@pytest.mark.parametrize(
    ("started", "why"),
    [
        (facts("/usr/bin/git", "status"), ""),
        (facts(sys.executable, "-c", "pass"), ""),
        (facts("/usr/bin/python3.11", "-X", "dev", "-m", "x", env=GOOD_ENV), ""),
        (facts("python", env={"child": ""}), "environment"),
        (facts("python", "-I", "-c", "pass"), ""),  # -I still reads site-packages' .pth
        (facts("python3", "-bS", "x.py"), "python3 -bS"),
        (facts("/x/.nox/tests/bin/nox", "-s", "tests"), "nox"),
        (facts("/bin/sh", "-c", "python -c pass", event="os.system"), "sh"),
        (facts("", event="os.fork"), "fork"),
    ],
)
def test_which_started_processes_can_be_followed(started: dict[str, Any], why: str) -> None:
    reason = unfollowed(started, LOG)
    assert (why in reason) if why else reason == "", reason


def test_audit_arguments_become_plain_facts() -> None:
    env = {"PYTHONPATH": "a", CHILD_ENV: "l", "OTHER": "x"}
    popen = childwatch.spawn_facts("subprocess.Popen", (None, ["python", "-c", "x"], None, env))
    assert popen == {
        "event": "subprocess.Popen",
        "path": "python",
        "argv": ["python", "-c", "x"],
        "env": {"child": "l"},
    }
    system = childwatch.spawn_facts("os.system", ("make help",))
    assert system["path"] == "/bin/sh"
    assert system["env"] is None  # inherits


def test_a_python_child_logs_its_start_the_project_files_it_runs_and_what_it_starts(
    tmp_path: Path,
) -> None:
    log = tmp_path / "child.log"
    assert install_childwatch() == ""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        CHILD_ENV: str(log),
        SRC_ENV: str(SRC),
        WATCH_ENV: childwatch.__file__,
    }
    code = "import runbook.gates, subprocess; subprocess.run(['git', '--version'], check=True)"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    lines = log.read_text().splitlines()
    assert lines[0].startswith("start ")
    assert f"run {SRC / 'runbook' / 'gates.py'}" in lines
    spawned = [line for line in lines if line.startswith("spawn ")]
    assert len(spawned) == 1
    assert '"argv": ["git", "--version"]' in spawned[0]


def test_without_the_variables_a_child_logs_nothing(tmp_path: Path) -> None:
    assert install_childwatch() == ""
    env = {k: v for k, v in os.environ.items() if k not in {CHILD_ENV, SRC_ENV}}
    subprocess.run([sys.executable, "-c", "import json"], env=env, check=True, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []
