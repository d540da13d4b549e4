"""The path a user takes, through real nox: ``nox -s runbook | release | patch`` on a throwaway
copy of the project, whose gates are real ``nox -s <gate>`` children in their own environments.

The copy (tests/nox_e2e.py: the real noxfile and runner, a tiny package, the real pins of ruff
and pytest, ``types`` skipped) is made once per test session and put back to its commit before
each test. Its gate environments are built before pytest starts, by the nox session that runs
the tests (``nox -s tests``); no test here installs anything: missing or stale environments fail
the tests, saying how to build them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import pytest

import nox_e2e
from runbook.gates.table import GATES
from support import RUNNER_FILES, alive, fingerprint, git, interruptible

PY = sys.executable
DEADLINE = 600.0
"""Seconds a nox run may take before the test gives up (a loaded machine)."""


UNUSED_IMPORT = "import os\n\n\ndef test_more() -> None:\n    assert True\n"
HANG = """import os
import pathlib
import time


def test_hang() -> None:
    pathlib.Path(os.environ["HANG_MARKER"]).write_text(str(os.getpid()))
    time.sleep(300)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Generator[Path]:
    """The throwaway copy, committed; its gate environments held (a lock) while this module
    runs: another session's nox in the same environments waits, never races."""
    with nox_e2e.held():
        missing = nox_e2e.problem()
        if missing is not None:
            pytest.fail(f"{missing}: {BUILD}", pytrace=False)
        yield nox_e2e.make_copy(tmp_path_factory.mktemp("nox-e2e"))


BUILD = (
    "`nox -s tests` builds them before pytest starts (alone: "
    "`PYTHONPATH=src .nox/tests/bin/python tests/nox_e2e.py`)"
)


def test_missing_or_stale_environments_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the module's tests fail with, never a skip and never a build of their own."""
    monkeypatch.setattr(nox_e2e, "ENVS", tmp_path)
    monkeypatch.setattr(nox_e2e, "STAMP", tmp_path / "built-from.sha256")
    (tmp_path / "lint" / "bin").mkdir(parents=True)
    (tmp_path / "lint" / "bin" / "python").touch()
    assert nox_e2e.problem() == (
        f"the end-to-end copy's gate environments are missing ({tmp_path}: format, tests)"
    )
    for name in ("format", "tests"):
        (tmp_path / name / "bin").mkdir(parents=True)
        (tmp_path / name / "bin" / "python").touch()
    assert "are stale" in str(nox_e2e.problem())  # never built: no stamp
    nox_e2e.STAMP.write_text("another\n")
    assert "are stale" in str(nox_e2e.problem())
    nox_e2e.STAMP.write_text(nox_e2e.stamp() + "\n")
    assert nox_e2e.problem() is None


@pytest.fixture
def tree(project: Path) -> Path:
    """The copy as committed (gate environments, the runner and the bytecode of src/ kept), for
    one test."""
    git(project, "reset", "-q", "--hard")
    keep = (".nox", f"/{nox_e2e.RUNNER}/", "/src/**/__pycache__/")
    git(project, "clean", "-qfdx", *(arg for path in keep for arg in ("-e", path)))
    return project


RUNS_THE_RUNNER = pytest.mark.child_reads("noxfile.py", *RUNNER_FILES)
"""nox starts uv, ruff and the copy's environments' Pythons, which cannot be followed; they run
the copy, and the runner from this project's src (PYTHONPATH)."""


def nox_env(**extra: str) -> dict[str, str]:
    """This environment for a nox child, minus what would make it log to MLflow or override the
    copy's own settings (``RUNBOOK_TEST_WORKERS=auto`` set for the outer suite, say)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MLFLOW_", "CODEX_MLFLOW", "RUNBOOK_TEST_WORKERS"))
    }
    return {**env, **extra}


def nox(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "nox", "--non-interactive", *args],
        cwd=root,
        env=nox_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )


def report(root: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((root / ".runbook" / "report.json").read_text("utf-8")))


def rows(root: Path) -> list[tuple[str, str, str]]:
    return [(g["name"], g["status"], g["reason"]) for g in report(root)["gates"]]


def state(root: Path) -> dict[str, object]:
    """``fingerprint`` without the ignored directories a gate run makes (``.nox``, caches)."""
    print_ = fingerprint(root)
    dirs = cast(list[str], print_["dirs"])
    listed = "".join(f"{d}\n" for d in dirs)
    ignored = subprocess.run(
        ["git", "check-ignore", "--stdin"],
        cwd=root,
        input=listed,
        capture_output=True,
        text=True,
        check=False,  # exit 1: none ignored
    ).stdout.splitlines()
    return {**print_, "dirs": [d for d in dirs if d not in set(ignored)]}


@RUNS_THE_RUNNER
def test_soft_runbook_through_nox_runs_every_gate_in_its_session(tree: Path) -> None:
    (tree / "tests" / "test_more.py").write_text(UNUSED_IMPORT)
    done = nox(tree, "-s", "runbook")
    assert done.returncode == 1, done.stdout + done.stderr
    assert [(name, status) for name, status, _ in rows(tree)] == [
        ("lint", "fail"),
        ("format", "pass"),
        ("tests", "pass"),
        ("types", "skipped"),
    ]
    for gate in ("lint", "format", "tests"):  # each ran as its own nox session
        log = (tree / ".runbook" / "logs" / f"{gate}.log").read_text("utf-8")
        assert f"nox > Running session {gate}" in log
    assert "F401" in (tree / ".runbook" / "logs" / "lint.log").read_text("utf-8")
    assert report(tree)["mode"] == "runbook"
    questions = (tree / "Codex_Questions.md").read_text("utf-8")
    assert questions.count("Question for ChatGPT @codex ") == 1
    assert "While performing [1:lint gate (Π_lint)" in questions
    assert "one or more gates failed" in done.stdout + done.stderr


@RUNS_THE_RUNNER
def test_release_through_nox_cancels_the_other_gates_at_the_first_failure(tree: Path) -> None:
    """lint fails; tests (a test that hangs) is cancelled and its pytest stopped; format runs
    beside lint and may pass before the failure or be cancelled by it; package never starts."""
    marker = tree.parent / "hang.pid"
    marker.unlink(missing_ok=True)
    (tree / "tests" / "test_more.py").write_text(UNUSED_IMPORT)
    (tree / "tests" / "test_hang.py").write_text(HANG)
    done = subprocess.run(
        [PY, "-m", "nox", "--non-interactive", "-s", "release"],
        cwd=tree,
        env=nox_env(HANG_MARKER=str(marker)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    cancelled = "cancelled: lint failed first"
    lint, fmt, *others = rows(tree)
    assert lint[:2] == ("lint", "fail")
    assert fmt in {("format", "pass", ""), ("format", "cancelled", cancelled)}
    assert others == [
        ("tests", "cancelled", cancelled),
        ("types", "skipped", "turned off in [tool.runbook] skip"),
        ("package", "cancelled", cancelled),
    ]
    assert [gate.name for gate in GATES] == ["lint", "format", "tests", "types", "package"]
    assert report(tree)["mode"] == "release"
    assert not (tree / ".runbook" / "logs" / "package.log").exists()
    if marker.exists() and marker.read_text():  # the hanging test had started: it was stopped
        assert not alive(int(marker.read_text()))


@RUNS_THE_RUNNER
def test_patch_through_nox_that_fails_a_gate_is_rolled_back(tree: Path) -> None:
    target = tree / "tests" / "test_tiny.py"
    target.write_text("import os\n" + nox_e2e.TINY_TEST)
    diff = tree.parent / "unused-import.diff"
    diff.write_text(git(tree, "diff"))
    git(tree, "checkout", "--", "tests/test_tiny.py")
    before = state(tree)
    done = nox(tree, "-s", "patch", "--", str(diff), "-m", "add an unused import")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the patch was not committed" in done.stdout + done.stderr
    assert state(tree) == before
    assert rows(tree)[0][:2] == ("lint", "fail")
    assert report(tree)["mode"] == "patch"


@RUNS_THE_RUNNER
def test_ctrl_c_through_nox_stops_the_gates_and_exits_130(tree: Path) -> None:
    """Ctrl-C reaches nox, the runner and the tests gate's own nox session and pytest. That a
    gate done before Ctrl-C keeps its row is the runner's (test_runbook_run's stop-signal
    test, lint passed, tests interrupted), with no nox in between to change it."""
    marker = tree.parent / "hang.pid"
    marker.unlink(missing_ok=True)
    (tree / "tests" / "test_hang.py").write_text(HANG)
    argv = [PY, "-m", "nox", "--non-interactive", "-s", "runbook", "--"]
    argv += ["--gates", "tests"]
    env = nox_env(HANG_MARKER=str(marker))
    log = tree.parent / "ctrl-c.log"
    with (
        log.open("wb") as out,
        interruptible(
            argv, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        ) as proc,
    ):
        deadline = time.monotonic() + DEADLINE
        while not marker.exists() or not marker.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the hanging test never started"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        assert proc.wait(DEADLINE) == 130, log.read_text()
    assert rows(tree) == [("tests", "not run", "interrupted")]
    assert not alive(int(marker.read_text()))  # the runner waited for the gate's pytest to go
