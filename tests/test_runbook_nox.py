"""The path a user takes, through real nox: ``nox -s runbook | release | patch`` on a throwaway
copy of the project, whose gates are real ``nox -s <gate>`` children in their own environments.

The copy has the real noxfile and runner (``src/runbook``), a tiny package with one test, and a
pyproject whose dependency groups are the real pins of ruff and pytest only (``types`` is
skipped in ``[tool.runbook]``: pyright is the costly one, and a soft or stopped run does not need
it). The copy is made once per test session and put back to its commit before each test; its
gate environments (``ENVS``) are kept between sessions, and uv's own cache is shared, so after
the first run on a machine no test downloads, installs or compiles anything.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.gates.table import GATES
from support import RUNNER_FILES, alive, fingerprint, git, init_repo, interruptible

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DEADLINE = 600.0
"""Seconds a nox run may take before the test gives up (a cold copy builds three environments)."""
REAL_GROUPS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["dependency-groups"]


def _pins(group: str, *names: str) -> list[str]:
    """The real pyproject's pins for ``names`` in ``group`` (one place says which versions)."""
    pins = [pin for pin in REAL_GROUPS[group] if isinstance(pin, str)]
    chosen = [pin for pin in pins if pin.split("=")[0].split("<")[0].split(">")[0] in names]
    assert len(chosen) == len(names), f"{names} not all pinned in [dependency-groups] {group}"
    return chosen


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


REAL_TOOL = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in cast(list[object], value)) + "]"
    return json.dumps(value)  # strings and numbers: JSON's forms are TOML's too


def _toml_table(name: str, table: dict[str, Any]) -> str:
    """A TOML table (and its sub-tables) from parsed data: enough for pyproject's tool tables."""
    scalars = [
        f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)
    ]
    text = f"[{name}]\n" + "".join(line + "\n" for line in scalars)
    for key, value in table.items():
        if isinstance(value, dict):
            text += _toml_table(f"{name}.{json.dumps(key)}", cast(dict[str, Any], value))
    return text


# The project's own ruff and pytest configuration, so the copied runner lints and formats as it
# does at home; groups, gates and coverage of the tiny package are the copy's own.
PYPROJECT = f"""
[project]
name = "tiny"
version = "0"
requires-python = ">=3.11"

[dependency-groups]
ruff = {_toml_list(_pins("ruff", "ruff"))}
tests = {_toml_list([*_pins("tests", "pytest", "pytest-cov"), *_pins("coverage", "coverage")])}
types = []
package = []

[tool.runbook]
timeout = 300
skip = ["types"]
workers = 0  # one process: its tests group has no pytest-xdist

[tool.coverage.run]
source = ["src/tiny"]

[tool.coverage.report]
fail_under = 70

{_toml_table("tool.ruff", REAL_TOOL["ruff"])}
{_toml_table("tool.pytest.ini_options", REAL_TOOL["pytest"]["ini_options"])}
"""

TINY = '''"""A package small enough to gate in seconds."""


def double(x: int) -> int:
    return 2 * x
'''

TINY_TEST = """from tiny import double


def test_double() -> None:
    assert double(2) == 4
"""

UNUSED_IMPORT = "import os\n\n\ndef test_more() -> None:\n    assert True\n"
HANG = """import os
import pathlib
import time


def test_hang() -> None:
    pathlib.Path(os.environ["HANG_MARKER"]).write_text(str(os.getpid()))
    time.sleep(300)
"""


ENVS = ROOT / ".nox" / "e2e-tiny"
"""The copy's gate environments (its ``.nox``, a link to here), kept between test sessions:
made in each session, they cost 1.7 s of CPU (three environments, uv compiling pytest's and
coverage's bytecode) for what the last session left. The copy's noxfile installs its pins into
them before every gate, as in a real checkout, so a changed pin is installed, never missed."""


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Generator[Path]:
    """The throwaway copy, committed; its ``.nox`` is ``ENVS``, held (a lock) while this module
    runs: another session's nox in the same environments waits, never races."""
    ENVS.mkdir(parents=True, exist_ok=True)
    with ENVS.with_name(f"{ENVS.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield _make_copy(tmp_path_factory)


def _make_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init_repo(tmp_path_factory.mktemp("nox-e2e") / "project")
    (root / ".nox").symlink_to(ENVS, target_is_directory=True)
    shutil.copy2(ROOT / "noxfile.py", root / "noxfile.py")
    _copy(ROOT / "src" / "runbook", root / "src" / "runbook")
    (root / "src" / "tiny").mkdir()
    (root / "src" / "tiny" / "__init__.py").write_text(TINY)
    (root / "tests").mkdir()
    (root / "tests" / "test_tiny.py").write_text(TINY_TEST)
    for folder in ("benchmarks", "scripts"):  # the lint gate names them
        (root / folder).mkdir()
        (root / folder / ".keep").write_text("")
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / ".gitignore").write_text(  # .nox: the link, not only a directory
        ".nox\n.runbook/\n.coverage\nCodex_Questions.md\n__pycache__/\n.ruff_cache/\n.pytest_cache/\n"
    )
    git(root, "add", ".")
    git(root, "commit", "-qm", "tiny project")
    return root


@pytest.fixture
def tree(project: Path) -> Path:
    """The copy as committed (gate environments kept), for one test."""
    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-qfdx", "-e", ".nox")
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
    target.write_text("import os\n" + TINY_TEST)
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
    marker = tree.parent / "hang.pid"
    marker.unlink(missing_ok=True)
    (tree / "tests" / "test_hang.py").write_text(HANG)
    argv = [PY, "-m", "nox", "--non-interactive", "-s", "runbook", "--"]
    argv += ["--gates", "lint", "tests", "--jobs", "1"]  # lint finishes, then tests hangs
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
    assert rows(tree) == [("lint", "pass", ""), ("tests", "not run", "interrupted")]
    assert not alive(int(marker.read_text()))  # the runner waited for the gate's pytest to go
