"""Two runbooks in one tree: the second waits for the first (saying so), Ctrl-C while waiting
changes nothing, and what both leave behind is whole and their own."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from runbook.running import treelock
from support import git, init_repo, interruptible

PY = sys.executable
SRC = Path(__file__).parents[1] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}
DEADLINE = 120.0
"""Seconds any condition below may take on a loaded machine before the test gives up."""
WAITING = re.compile(r"runbook: waiting for another runbook in this tree \(pid (\d+)\)…")


def wait_for_text(path: Path, pattern: re.Pattern[str] | str) -> re.Match[str]:
    """Poll a child's output file until ``pattern`` shows up in it."""
    deadline = time.monotonic() + DEADLINE
    while True:
        text = path.read_text("utf-8", errors="replace") if path.exists() else ""
        match = re.search(pattern, text)
        if match:
            return match
        assert time.monotonic() < deadline, f"never printed {pattern!r}: {text}"
        time.sleep(0.02)


def wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


HOLDER = """
import sys
from pathlib import Path
from runbook.running import treelock
with treelock.hold(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


@contextlib.contextmanager
def lock_held_elsewhere(root: Path, out: Path) -> Generator[subprocess.Popen[bytes]]:
    """Another process holding the tree's lock until the block ends."""
    with (
        out.open("wb") as sink,
        subprocess.Popen(
            [PY, "-c", HOLDER, str(root)], env=ENV, stdin=subprocess.PIPE, stdout=sink
        ) as proc,
    ):
        assert proc.stdin is not None
        try:
            wait_for_text(out, "held")
            yield proc
        finally:
            proc.stdin.close()
            proc.wait(DEADLINE)


def tree_state(root: Path) -> dict[str, str]:
    """Every file under ``root`` (``.git`` and ``.runbook`` included) by content hash."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_second_holder_waits_names_the_first_and_gets_the_lock_after_it(
    tmp_path: Path,
) -> None:
    waiter = "import sys; from pathlib import Path; from runbook.running import treelock\n"
    waiter += "with treelock.hold(Path(sys.argv[1])):\n    print('acquired', flush=True)\n"
    out = tmp_path / "waiter.out"
    with lock_held_elsewhere(tmp_path, tmp_path / "holder.out") as holder, out.open("wb") as sink:
        proc = subprocess.Popen(
            [PY, "-c", waiter, str(tmp_path)], env=ENV, stdout=sink, stderr=subprocess.STDOUT
        )
        assert wait_for_text(out, WAITING).group(1) == str(holder.pid)
        assert proc.poll() is None  # still waiting: the holder has not let go
    assert proc.wait(DEADLINE) == 0
    assert "acquired" in out.read_text()
    assert treelock.holder(tmp_path / treelock.LOCK_FILE) == proc.pid


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(
    tmp_path: Path,
) -> None:
    waiting = threading.Event()
    acquired = threading.Event()

    def other_thread() -> None:
        with treelock.hold(tmp_path, notify=lambda _message: waiting.set()):
            acquired.set()

    with treelock.hold(tmp_path), treelock.hold(tmp_path):  # nested: patch around its gate run
        thread = threading.Thread(target=other_thread)
        thread.start()
        assert waiting.wait(DEADLINE)
        assert not acquired.is_set()
    assert acquired.wait(DEADLINE)
    thread.join(DEADLINE)


def test_a_lock_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".runbook").write_text("a file where the state directory should be")
    with (
        pytest.raises(treelock.LockError, match=r"cannot lock .*\.runbook/lock"),
        treelock.hold(tmp_path),
    ):
        pass


def test_ctrl_c_while_waiting_changes_nothing_and_exits_130(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "pyproject.toml").write_text("[tool.runbook]\ntimeout = 60\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    out = tmp_path / "runbook.out"
    with lock_held_elsewhere(root, tmp_path / "holder.out") as holder:
        before = tree_state(root)
        argv = [PY, "-m", "runbook", "run", "--root", str(root)]
        with (
            out.open("wb") as sink,
            interruptible(argv, env=ENV, stdout=sink, stderr=subprocess.STDOUT) as proc,
        ):
            assert wait_for_text(out, WAITING).group(1) == str(holder.pid)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(DEADLINE) == 130
        output = out.read_text("utf-8")
        assert "runbook: interrupted while waiting for the other runbook; nothing changed" in output
        assert tree_state(root) == before
        assert treelock.holder(root / treelock.LOCK_FILE) == holder.pid


# Runs the gates below with ``perform`` (as ``nox -s runbook`` does, minus nox) and prints its
# own outcome. Gate "lint" of run "first" blocks until the test lets it go, so the second run
# is started while the first is mid-gate.
TWO_RUNS = """
import json, sys, textwrap
from pathlib import Path
from runbook.gates.table import Gate
from runbook.run import Run, perform
from runbook.gates.settings import Settings
root, name = Path(sys.argv[1]), sys.argv[2]
sys.path.insert(0, sys.argv[3])
from support import python_gate as g
release = root.parent / "release-first"
if name == "first":
    gates = (
        g("lint", f'''
            import pathlib, time
            pathlib.Path({str(root.parent / "first-in-gate")!r}).touch()
            deadline = time.monotonic() + 120
            while not pathlib.Path({str(release)!r}).exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            print("x.py:1:1: F401 unused import")
            raise SystemExit(1)
        '''),
        g("tests", "print('3 passed in 0.1s')"),
    )
else:
    gates = (g("lint", "print('clean')"), g("tests", "print('4 passed in 0.1s')"))
outcome = perform(Run(root=root, settings=Settings(timeout=300), gates=gates, jobs=2,
                      launcher=lambda gate: list(gate.command)))
print(json.dumps({"started_at": outcome.report.started_at,
                  "gates": [[r.name, str(r.status)] for r in outcome.report.results]}))
"""


def test_two_runbooks_at_once_take_turns_and_leave_whole_records(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    (root / ".gitignore").write_text(".runbook/\nCodex_Questions.md\n")
    (root / "mod.py").write_text("x = 1\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")

    def start(name: str) -> subprocess.Popen[bytes]:
        with (
            (tmp_path / f"{name}.out").open("wb") as out,
            (tmp_path / f"{name}.err").open("wb") as err,
        ):
            return subprocess.Popen(
                [PY, "-c", TWO_RUNS, str(root), name, str(Path(__file__).parent)],
                env=ENV,
                stdout=out,
                stderr=err,
            )

    first = start("first")
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for_file(tmp_path / "first-in-gate")
        second = start("second")
        waiting = wait_for_text(tmp_path / "second.err", WAITING)
        assert waiting.group(1) == str(first.pid)
        (tmp_path / "release-first").touch()
        first.wait(DEADLINE)
        second.wait(DEADLINE)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert first.returncode == 0, (tmp_path / "first.err").read_text()
    assert second is not None
    assert second.returncode == 0, (tmp_path / "second.err").read_text()
    mine = json.loads((tmp_path / "first.out").read_text().splitlines()[-1])
    theirs = json.loads((tmp_path / "second.out").read_text().splitlines()[-1])
    assert mine["gates"] == [["lint", "fail"], ["tests", "pass"]]
    assert theirs["gates"] == [["lint", "pass"], ["tests", "pass"]]

    state = root / ".runbook"
    report = json.loads((state / "report.json").read_text("utf-8"))  # the later run's, whole
    assert report["started_at"] == theirs["started_at"]
    assert [[g["name"], g["status"]] for g in report["gates"]] == theirs["gates"]
    assert "| lint | Π_lint | ✓ pass |" in (state / "report.md").read_text("utf-8")

    history = [json.loads(line) for line in (state / "history.jsonl").read_text().splitlines()]
    assert [h["time"] for h in history] == [mine["started_at"], theirs["started_at"]]
    assert [h["gates"]["lint"]["status"] for h in history] == ["fail", "pass"]

    entries = list((state / "cache").rglob("*.json"))
    assert entries, "the runs cached nothing"
    for entry in entries:
        cached = json.loads(entry.read_text("utf-8"))  # none torn
        assert {"key", "result"} <= set(cached)

    questions = (root / "Codex_Questions.md").read_text("utf-8")
    assert questions.count("Question for ChatGPT @codex ") == 1  # the first run's lint failure
    assert questions.startswith("Question for ChatGPT @codex ")
    assert questions.rstrip("\n").endswith(
        "how can this be resolved while preserving intended functionality?"
    )
    assert "While performing [1:lint gate (Π_lint)" in questions
