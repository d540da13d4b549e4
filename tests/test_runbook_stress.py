"""``nox -s stress``: N runs under load, per-test failure counts, the load gone afterwards."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from runbook import stress
from support import UNUSED_PLUGINS

FLAKY = """
from pathlib import Path

COUNTER = Path(__file__).with_name("runs")


def test_steady():
    assert True


def test_every_other_run():
    runs = int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1
    COUNTER.write_text(str(runs))
    assert runs % 2 == 0, f"run {runs}"
"""


def test_counts_each_test_that_failed_in_some_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "test_flaky.py").write_text(textwrap.dedent(FLAKY))
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    # No busy loop: it would burn a core for the whole test (the load is proven below).
    assert stress.main(["2", "--load", "0", *UNUSED_PLUGINS, "test_flaky.py"], out) == 1
    text = out.getvalue()
    command = "`pytest -p no:anyio -p no:platformdirs test_flaky.py`"
    assert f"stress: 2 runs of {command} with 0 busy-loop" in text
    assert "stress: run 1/2: 2 tests, 1 failed" in text
    assert "stress: run 2/2: 2 tests, all passed" in text
    assert "stress: 2 runs, 1 with failures, 1 test failures in all (2 tests per run)\n" in text
    assert text.endswith("    1/2  test_flaky.py::test_every_other_run\n")


def test_every_run_happens_under_the_load_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--load L`` holds L busy loops (``busy_load``, tested below) around all N runs."""
    events: list[str] = []

    @contextlib.contextmanager
    def load(processes: int) -> Generator[list[Any]]:
        events.append(f"load {processes}")
        yield []
        events.append("unload")

    def run(args: Sequence[str], *_: object) -> tuple[list[str], int]:
        events.append(f"run {' '.join(args)}")
        return [], 1

    monkeypatch.setattr(stress, "busy_load", load)
    monkeypatch.setattr(stress, "run_once", run)
    out = io.StringIO()
    assert stress.main(["2", "--load", "3", "-k", "x"], out) == 0
    assert "stress: 2 runs of `pytest -k x` with 3 busy-loop processes" in out.getvalue()
    assert events == ["load 3", "run -k x", "run -k x", "unload"]


def test_all_passing_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run passed: exit 0. A real pytest run that passes, read from its report as no
    failure: run 2/2 of test_counts_each_test_that_failed_in_some_runs."""

    def passed(*_: object) -> tuple[list[str], int]:
        return [], 1

    monkeypatch.setattr(stress, "run_once", passed)
    out = io.StringIO()
    assert stress.main(["1", "--load", "0", "test_ok.py"], out) == 0
    assert out.getvalue().endswith(
        "stress: 1 runs, 0 with failures, 0 test failures in all (1 tests per run)\n"
    )


def test_a_run_without_a_report_counts_as_a_failed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert stress.main(["1", "--load", "0", *UNUSED_PLUGINS, "no_such_test.py"], out) == 1
    assert "  1/1  <run: pytest exit code 4" in out.getvalue()


@pytest.mark.child_reads  # busy loops (python -c), stopped before they may report
def test_busy_load_runs_until_the_block_ends_then_is_gone() -> None:
    with stress.busy_load(2) as procs:
        assert [proc.poll() for proc in procs] == [None, None]
    assert all(proc.poll() is not None for proc in procs)


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (its parent has not reaped it yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.child_reads("src/runbook/__init__.py", "src/runbook/stress.py")  # killed outright
def test_busy_loops_end_when_their_runner_is_killed_outright() -> None:
    # SIGKILL runs no cleanup: the loop, in its own session, must see its parent go.
    code = "from runbook import stress; import sys; cm = stress.busy_load(1); "
    code += "print(cm.__enter__()[0].pid, flush=True); sys.stdin.read()"
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(stress.__file__).parents[1])},
    ) as runner:
        assert runner.stdout is not None
        loop = int(runner.stdout.readline())
        assert not _gone(loop)
        runner.kill()
    deadline = time.monotonic() + 30
    while not _gone(loop) and time.monotonic() < deadline:
        os.sched_yield()
    survived = not _gone(loop)
    if survived:  # never leave a core spinning after the suite
        os.killpg(loop, signal.SIGKILL)
    assert not survived


def test_sigterm_stops_the_runs_like_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    def terminated(*_: object) -> tuple[list[str], int]:
        os.kill(os.getpid(), signal.SIGTERM)
        return [], 1

    monkeypatch.setattr(stress, "run_once", terminated)
    out = io.StringIO()
    handler = signal.getsignal(signal.SIGTERM)
    assert stress.main(["3", "--load", "0"], out) == 143
    assert "stress: terminated\nstress: 0 runs" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == handler


def test_failed_tests_reads_pytest_ids_from_junit_xml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("")
    report = tmp_path / "r.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_x" name="test_a" />'
        '<testcase classname="tests.test_x" name="test_b[1.5]"><failure message="x"/></testcase>'
        '<testcase classname="tests.test_x.TestK" name="test_c"><error message="y"/></testcase>'
        "</testsuite></testsuites>"
    )
    monkeypatch.chdir(tmp_path)
    assert stress.failed_tests(report) == (
        ["tests/test_x.py::test_b[1.5]", "tests/test_x.py::TestK::test_c"],
        3,
    )


@pytest.mark.parametrize("content", [None, "<testsuites><testsuite>"], ids=["missing", "torn"])
def test_an_unreadable_report_is_an_error(tmp_path: Path, content: str | None) -> None:
    report = tmp_path / "r.xml"
    if content is not None:
        report.write_text(content)
    with pytest.raises(ValueError, match="no readable JUnit report"):
        stress.failed_tests(report)


def test_arguments_ours_first_then_pytests() -> None:
    options = stress.parse(["60", "--load", "3", "-k", "kill or hang", "-x"])
    assert (options.runs, options.load, options.pytest_args) == (
        60,
        3,
        ("-k", "kill or hang", "-x"),
    )
    assert stress.parse([]).runs == stress.DEFAULT_RUNS
    assert stress.parse(["-k", "kill"]).pytest_args == ("-k", "kill")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["0"], "N must be at least 1"),
        (["--load"], "--load needs a number"),
        (["--load", "many"], "--load takes a number, not 'many'"),
        (["--load", "-1"], "--load at least 0"),
        (["--run-timeout", "0"], "--run-timeout above 0"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(argv: list[str], message: str) -> None:
    out = io.StringIO()
    assert stress.main(argv, out) == 2
    assert message in out.getvalue()
    assert "usage: nox -s stress" in out.getvalue()
