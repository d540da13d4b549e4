"""The runner on a fake gate table: each gate is a small Python program, so every outcome a
real tool can have (pass, findings, crash, missing, hang) is produced on purpose."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook.gates.settings import Settings
from runbook.gates.table import Gate
from runbook.gates.tools import pyright, ruff_check
from runbook.gates.tools import pytest as pytest_tool
from runbook.records.result import GateResult, Status
from runbook.reports import history
from runbook.reports.console import plain_report
from runbook.run import Mode, Run, perform
from runbook.running import procgroup
from support import RUNNER_FILES, alive, direct, interruptible, python_gate

PY = sys.executable


gate = python_gate


def make_run(
    tmp_path: Path,
    gates: tuple[Gate, ...],
    *,
    settings: Settings | None = None,
    mode: Mode = "runbook",
    jobs: int = 2,
    on_result: Callable[[GateResult], None] = lambda _r: None,
) -> Run:
    return Run(
        root=tmp_path,
        settings=settings or Settings(timeout=30),
        mode=mode,
        gates=gates,
        jobs=jobs,
        launcher=direct,
        env={**os.environ, "API_TOKEN": "tok-very-secret-value"},
        on_result=on_result,
    )


LINT_FAIL = gate(
    "lint",
    "print('x.py:1:1: F401 unused import'); print('Found 3 errors.'); raise SystemExit(1)",
    summarize=ruff_check.summarize,
)
PASSES = gate("format", "print('ok')")
TESTS_FAIL = gate(
    "tests",
    """
    print('FAILED tests/test_x.py::test_y - assert 1 == 2')
    print('using API_TOKEN=tok-very-secret-value and https://bob:hunter2@example.org/x')
    print('2 failed, 41 passed in 3.20s')
    raise SystemExit(1)
    """,
    summarize=pytest_tool.summarize,
)


def questions(root: Path) -> list[str]:
    text = (root / "Codex_Questions.md").read_text("utf-8")
    return [
        e.rstrip("\n") + "\n" for e in re.split(r"(?m)^(?=Question for ChatGPT @codex )", text) if e
    ]


def test_soft_runbook_runs_every_gate_records_failures_and_exits_1(tmp_path: Path) -> None:
    outcome = perform(make_run(tmp_path, (LINT_FAIL, PASSES, TESTS_FAIL)))
    statuses = [(r.name, r.status, r.reason) for r in outcome.report.results]
    assert statuses == [
        ("lint", Status.FAIL, "3 errors"),
        ("format", Status.PASS, ""),
        ("tests", Status.FAIL, "2 failed, 41 passed"),
    ]
    assert outcome.report.exit_code == 1

    report = json.loads((tmp_path / ".runbook/report.json").read_text("utf-8"))
    assert report["result"] == "fail"
    assert report["mode"] == "runbook"
    first = report["gates"][0]
    assert {"name", "projector", "status", "exit_code", "seconds", "reason", "command", "log"} <= (
        set(first)
    )
    assert first["log"] == ".runbook/logs/lint.log"
    assert "Found 3 errors." in (tmp_path / first["log"]).read_text("utf-8")
    assert "| lint | Π_lint | ✗ fail |" in (tmp_path / ".runbook/report.md").read_text("utf-8")

    entries = questions(tmp_path)
    assert len(entries) == 2
    assert entries[0].splitlines()[1].startswith("While performing [1:lint gate (Π_lint)")
    assert entries[1].splitlines()[1].startswith("While performing [3:tests gate (Π_tests)")
    for entry in entries:
        assert entry.splitlines()[-1] == (
            "What are the possible causes, and how can this be resolved while preserving "
            "intended functionality?"
        )
        assert any(line.startswith("Context: runbook at commit") for line in entry.splitlines())
    assert "tok-very-secret-value" not in entries[1]
    assert "hunter2" not in entries[1]
    for secret in ("tok-very-secret-value", "hunter2"):
        assert secret not in (tmp_path / ".runbook/report.json").read_text("utf-8")
        assert secret not in (tmp_path / ".runbook/report.md").read_text("utf-8")
    assert outcome.questions == entries


def test_all_required_pass_exits_0_even_when_optional_gate_fails(tmp_path: Path) -> None:
    optional = gate(
        "types",
        "print('1 error, 0 warnings, 0 informations'); raise SystemExit(1)",
        required=False,
        summarize=pyright.summarize,
    )
    outcome = perform(make_run(tmp_path, (PASSES, optional)))
    assert [r.status for r in outcome.report.results] == [Status.PASS, Status.FAIL]
    assert outcome.report.exit_code == 0
    assert outcome.report.results[1].reason == "1 error"


def test_optional_gate_turned_off_shows_as_skipped(tmp_path: Path) -> None:
    optional = gate("types", "raise SystemExit(1)", required=False)
    run = make_run(tmp_path, (PASSES, optional), settings=Settings(skip=("types",)))
    outcome = perform(run)
    assert outcome.report.results[1].status is Status.SKIPPED
    assert outcome.report.exit_code == 0
    assert not (tmp_path / "Codex_Questions.md").exists()


def test_missing_tool_is_an_error_and_other_gates_still_run(tmp_path: Path) -> None:
    missing = Gate(
        name="lint", projector="Π_lint", description="", command=("no-such-tool-x",), groups=()
    )
    outcome = perform(make_run(tmp_path, (missing, PASSES)))
    lint, fmt = outcome.report.results
    assert lint.status is Status.ERROR
    assert "cannot start 'no-such-tool-x'" in lint.reason
    assert fmt.status is Status.PASS
    assert outcome.report.exit_code == 1


def test_crashing_tool_is_an_error_not_a_failure(tmp_path: Path) -> None:
    crash = gate("lint", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    config_error = gate("format", "print('error: bad config'); raise SystemExit(2)")
    outcome = perform(make_run(tmp_path, (crash, config_error)))
    assert [r.status for r in outcome.report.results] == [Status.ERROR, Status.ERROR]
    assert outcome.report.results[0].exit_code == -signal.SIGSEGV
    assert outcome.report.results[1].reason == "exit code 2: error: bad config"


@pytest.mark.child_reads(*RUNNER_FILES)  # sh starting sleep; the fake gates hand over results
def test_hanging_gate_is_killed_with_its_children_after_the_timeout(tmp_path: Path) -> None:
    """The runner reports "timed out" only once the gate's whole process group is gone, so the
    grandchild is checked right away. The gate is a shell: it starts its grandchild within
    milliseconds even on a loaded machine, long before the timeout."""
    pidfile = tmp_path / "grandchild.pid"
    script = f"sleep 60 & echo $! > '{pidfile}'; wait"
    hang = Gate(
        name="tests", projector="Π_tests", description="", command=("sh", "-c", script), groups=()
    )
    run = make_run(tmp_path, (hang, PASSES), settings=Settings(timeout=2))
    outcome = perform(run)
    tests, fmt = outcome.report.results
    assert tests.status is Status.TIMEOUT
    assert tests.reason == "timed out after 2s"
    assert fmt.status is Status.PASS
    assert pidfile.read_text().strip(), "the gate never started its grandchild"
    assert not alive(int(pidfile.read_text()))


def hanging(name: str, pidfile: Path, *, required: bool = True) -> Gate:
    """A gate that ends only when stopped: a shell waiting for its ``sleep``. Once both run it
    writes ``pidfile``: the shell's pid (its process group's id) and the sleep's."""
    script = f"sleep 60 & echo $$ $! > '{pidfile}.tmp' && mv '{pidfile}.tmp' '{pidfile}'; wait"
    return Gate(
        name=name,
        projector=f"Π_{name}",
        description="",
        command=("sh", "-c", script),
        groups=(),
        required=required,
    )


def fails_once(*paths: Path) -> Gate:
    """A lint gate that fails only once every one of ``paths`` exists: the other gates have
    started (or been reported) by then, by construction rather than by a sleep."""
    return gate(
        "lint",
        f"""
        import pathlib, sys, time
        deadline = time.monotonic() + 60
        while not all(pathlib.Path(p).exists() for p in {[str(p) for p in paths]!r}):
            if time.monotonic() > deadline:
                sys.exit("the other gates never started: are they run one after another?")
            time.sleep(0.01)
        print('x.py:1:1: F401 unused import'); print('Found 1 error.'); raise SystemExit(1)
        """,
        summarize=ruff_check.summarize,
    )


def gone(pidfile: Path) -> bool:
    """Whether the hanging gate's whole process group, and its sleep, are gone."""
    group, sleeper = map(int, pidfile.read_text().split())
    return procgroup.live_members(group) == [] and not alive(sleeper)


@pytest.mark.child_reads(*RUNNER_FILES)  # sh starting sleep; the fake gates hand over results
def test_release_first_failure_cancels_the_others_naming_it(tmp_path: Path) -> None:
    """lint fails while tests and types run and format has passed: tests and types are
    stopped, package never starts, and their rows say why. Their groups are gone by the time
    the table is written (``perform`` returns after writing it)."""
    tests_pids, types_pids = tmp_path / "tests.pids", tmp_path / "types.pids"
    format_reported = tmp_path / "format.reported"
    built = tmp_path / "built"
    gates = (
        fails_once(tests_pids, types_pids, format_reported),
        PASSES,
        hanging("tests", tests_pids),
        hanging("types", types_pids, required=False),
        gate("package", f"open({str(built)!r}, 'w')", release_only=True),
    )

    def record(result: GateResult) -> None:
        if result.name == "format":
            format_reported.touch()

    outcome = perform(make_run(tmp_path, gates, mode="release", jobs=4, on_result=record))
    cancelled = "cancelled: lint failed first"
    assert [(r.name, r.status, r.reason) for r in outcome.report.results] == [
        ("lint", Status.FAIL, "1 error"),
        ("format", Status.PASS, ""),
        ("tests", Status.CANCELLED, cancelled),
        ("types", Status.CANCELLED, cancelled),
        ("package", Status.CANCELLED, cancelled),
    ]
    assert gone(tests_pids)
    assert gone(types_pids)
    assert not built.exists()
    assert outcome.report.exit_code == 1
    assert not outcome.interrupted

    state = tmp_path / ".runbook"
    report = json.loads((state / "report.json").read_text("utf-8"))
    assert report["result"] == "fail"
    assert [g["status"] for g in report["gates"]] == ["fail", "pass", *["cancelled"] * 3]
    assert "| tests | Π_tests | ⊘ cancelled | " in (state / "report.md").read_text("utf-8")
    assert cancelled in plain_report(outcome.report)
    sample = json.loads((state / "history.jsonl").read_text("utf-8").splitlines()[-1])
    assert sample["gates"]["tests"]["status"] == "cancelled"
    sarif = json.loads((state / "findings.sarif").read_text("utf-8"))
    assert [r["properties"]["gate"] for r in sarif["runs"]] == ["lint", "format"]
    entries = questions(tmp_path)  # the failure is captured; what it cancelled is not
    assert len(entries) == 1
    assert entries[0].splitlines()[1].startswith("While performing [1:lint gate (Π_lint)")


def test_release_runs_the_gates_at_once_and_packages_only_after_all_passed(
    tmp_path: Path,
) -> None:
    """lint and tests each wait until the other has started (one after another, neither
    would); package starts only after both have been reported."""

    def meets(name: str, other: str) -> Gate:
        mine, theirs = tmp_path / f"{name}.started", tmp_path / f"{other}.started"
        return gate(
            name,
            f"""
            import pathlib, sys, time
            pathlib.Path({str(mine)!r}).touch()
            deadline = time.monotonic() + 60
            while not pathlib.Path({str(theirs)!r}).exists():
                if time.monotonic() > deadline:
                    sys.exit("{other} never started while {name} ran")
                time.sleep(0.01)
            """,
        )

    events: list[tuple[str, str]] = []
    run = make_run(
        tmp_path,
        (meets("lint", "tests"), meets("tests", "lint"), gate("package", "", release_only=True)),
        mode="release",
        on_result=lambda result: events.append(("done", result.name)),
    )
    run.on_start = lambda started: events.append(("start", started.name))
    outcome = perform(run)
    assert [(r.name, r.status) for r in outcome.report.results] == [
        ("lint", Status.PASS),
        ("tests", Status.PASS),
        ("package", Status.PASS),
    ]
    assert events.index(("start", "package")) > events.index(("done", "lint"))
    assert events.index(("start", "package")) > events.index(("done", "tests"))
    assert outcome.report.exit_code == 0


@pytest.mark.child_reads(*RUNNER_FILES)  # sh starting sleep; the fake gates hand over results
def test_an_optional_gate_failing_cancels_the_others_in_patch_gating(tmp_path: Path) -> None:
    pids = tmp_path / "tests.pids"
    optional = gate(
        "types",
        f"""
        import pathlib, time
        deadline = time.monotonic() + 60
        while not pathlib.Path({str(pids)!r}).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise SystemExit(1)
        """,
        required=False,
    )
    outcome = perform(make_run(tmp_path, (hanging("tests", pids), optional), mode="patch"))
    assert [(r.status, r.reason) for r in outcome.report.results] == [
        (Status.CANCELLED, "cancelled: types failed first"),
        (Status.FAIL, "exit code 1"),
    ]
    assert gone(pids)
    assert outcome.report.exit_code == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.FAIL, "cancelled: tests failed first"),
        (Status.TIMEOUT, "cancelled: tests timed out first"),
        (Status.ERROR, "cancelled: tests could not run first"),
    ],
)
def test_the_cancel_reason_names_the_gate_and_what_it_did(
    tmp_path: Path, status: Status, reason: str
) -> None:
    run = make_run(tmp_path, (PASSES,), mode="release")
    run.cancel(GateResult(name="tests", projector="Π_tests", status=status))
    assert run.cancelled_by == reason
    assert run.registry.stopping.is_set()
    (step, fmt), *_ = run.planned()
    assert run.execute(step, fmt).status is Status.CANCELLED  # nothing starts after a cancel
    assert not (tmp_path / ".runbook/logs/format.log").exists()


def test_a_gate_turned_off_stays_skipped_when_a_failure_cancels_the_run(tmp_path: Path) -> None:
    optional = gate("types", "raise SystemExit(1)", required=False)
    run = make_run(tmp_path, (PASSES, optional), settings=Settings(skip=("types",)), mode="patch")
    run.cancel(GateResult(name="lint", projector="Π_lint", status=Status.FAIL))
    assert [(r.status, r.reason) for r in (run.stopped(1, PASSES), run.stopped(2, optional))] == [
        (Status.CANCELLED, "cancelled: lint failed first"),
        (Status.SKIPPED, "turned off in [tool.runbook] skip"),
    ]


def test_release_only_gates_run_in_release_not_in_runbook(tmp_path: Path) -> None:
    build = gate("package", "print('built')", release_only=True)
    soft = perform(make_run(tmp_path, (PASSES, build)))
    assert [r.name for r in soft.report.results] == ["format"]
    strict = perform(make_run(tmp_path, (PASSES, build), mode="release"))
    assert [(r.name, r.status) for r in strict.report.results] == [
        ("format", Status.PASS),
        ("package", Status.PASS),
    ]


def test_parallel_gates_are_reported_in_table_order(tmp_path: Path) -> None:
    # lint finishes only once format has been reported: out of order by construction, not by
    # a sleep that a loaded machine could outlast.
    flag = tmp_path / "format.reported"
    slow = gate(
        "lint",
        f"""
        import pathlib, time
        deadline = time.monotonic() + 120
        while not pathlib.Path({str(flag)!r}).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        """,
    )
    fast = gate("format", "pass")
    seen: list[str] = []

    def record(result: GateResult) -> None:
        seen.append(result.name)
        if result.name == "format":
            flag.touch()

    outcome = perform(make_run(tmp_path, (slow, fast), jobs=2, on_result=record))
    assert seen == ["format", "lint"]  # finished out of order ...
    assert [r.name for r in outcome.report.results] == ["lint", "format"]  # ... shown in order


def test_github_step_summary_gets_the_markdown_table(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    run = make_run(tmp_path, (PASSES,))
    run.env = {**run.env, "GITHUB_STEP_SUMMARY": str(summary)}
    perform(run)
    text = summary.read_text()
    assert text.startswith("earlier step\n### Gate table (runbook: ✅ pass")


INTERRUPT_SCRIPT = """
import sys, textwrap
from pathlib import Path
from runbook.gates.table import Gate
from runbook.run import Run, perform
from runbook.gates.settings import Settings
root = Path(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from support import python_gate as g
gates = (
    g("lint", "print('fine')"),
    g("tests", f'''
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(root / "pid")!r}, "w").write(str(child.pid))
        time.sleep(60)
    '''),
)
outcome = perform(Run(root=root, settings=Settings(timeout=60), gates=gates, jobs=1,
                      launcher=lambda gate: list(gate.command)))
sys.exit(130 if outcome.interrupted else outcome.report.exit_code)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.child_reads("tests/support.py", *RUNNER_FILES)  # the child runs fake gates
def test_a_stop_signal_stops_children_and_writes_the_report(
    tmp_path: Path, sig: signal.Signals
) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    pidfile = tmp_path / "pid"
    tests = str(Path(__file__).parent)
    with interruptible([PY, "-c", INTERRUPT_SCRIPT, str(tmp_path), tests], env=env) as proc:
        deadline = time.monotonic() + 120
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline, "the hanging gate never started"
            time.sleep(0.05)
        proc.send_signal(sig)
        assert proc.wait(120) == 130
    report = json.loads((tmp_path / ".runbook/report.json").read_text())
    assert [(g["name"], g["status"], g["reason"]) for g in report["gates"]] == [
        ("lint", "pass", ""),
        ("tests", "not run", "interrupted"),
    ]
    assert not alive(int(pidfile.read_text()))


RELEASE_INTERRUPT_SCRIPT = """
import sys
from pathlib import Path
from runbook.gates.table import Gate
from runbook.run import Run, perform
from runbook.gates.settings import Settings
root = Path(sys.argv[1])
def hang(name):
    pids = root / f"{name}.pids"
    script = f"sleep 60 & echo $$ $! > '{pids}.tmp' && mv '{pids}.tmp' '{pids}'; wait"
    return Gate(name=name, projector=name, description="", groups=(), command=("sh", "-c", script))
package = Gate(name="package", projector="p", description="", groups=(), release_only=True,
               command=("sh", "-c", f"touch '{root / 'built'}'"))
outcome = perform(Run(root=root, settings=Settings(timeout=60), mode="release", jobs=2,
                      gates=(hang("lint"), hang("tests"), package),
                      launcher=lambda gate: list(gate.command)))
sys.exit(130 if outcome.interrupted else outcome.report.exit_code)
"""


@pytest.mark.child_reads(*RUNNER_FILES)  # and the gates are sh starting sleep
def test_ctrl_c_during_a_parallel_release_stops_every_group_and_exits_130(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    pidfiles = [tmp_path / "lint.pids", tmp_path / "tests.pids"]
    with interruptible([PY, "-c", RELEASE_INTERRUPT_SCRIPT, str(tmp_path)], env=env) as proc:
        deadline = time.monotonic() + 120
        while not all(pidfile.exists() for pidfile in pidfiles):
            assert proc.poll() is None, "the release ended before both gates ran"
            assert time.monotonic() < deadline, "the two gates never ran at once"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(120) == 130
    report = json.loads((tmp_path / ".runbook/report.json").read_text())
    assert [(g["name"], g["status"], g["reason"]) for g in report["gates"]] == [
        ("lint", "not run", "interrupted"),
        ("tests", "not run", "interrupted"),
        ("package", "not run", "interrupted"),
    ]
    assert report["result"] == "fail"
    assert all(gone(pidfile) for pidfile in pidfiles)
    assert not (tmp_path / "built").exists()  # nothing was packaged


THREAD_INTERRUPT_SCRIPT = """
import signal, sys, threading
from pathlib import Path
from runbook.gates.table import Gate
from runbook.run import Run, perform
from runbook.gates.settings import Settings
root = Path(sys.argv[1])
pids = root / "lint.pids"  # whole or absent: the gate may be stopped between open and write
script = f"sleep 30 & echo $$ $! > '{pids}.tmp' && mv '{pids}.tmp' '{pids}'; wait"
lint = Gate(name="lint", projector="l", description="", groups=(), command=("sh", "-c", script))
def launcher(gate):
    # Ctrl-C as the kernel may deliver it: to a gate's thread, not to the main thread.
    signal.pthread_kill(threading.get_ident(), signal.SIGINT)
    return list(gate.command)
outcome = perform(Run(root=root, settings=Settings(timeout=60), mode="release", jobs=2,
                      gates=(lint,), launcher=launcher))
sys.exit(130 if outcome.interrupted else outcome.report.exit_code)
"""


@pytest.mark.child_reads(*RUNNER_FILES)  # and the gate is sh starting sleep
def test_ctrl_c_that_reaches_a_gates_thread_stops_the_run_at_once(tmp_path: Path) -> None:
    """The main thread waiting for the gates takes the interrupt within SIGNAL_CHECK_SECONDS,
    not when a gate ends: with one blocking wait the gate below ran its 30 s to the end.

    ``interruptible``: started with SIGINT ignored (the suite run as a background job), the
    child would ignore the Ctrl-C it sends itself and the gate would run its 30 s."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    with interruptible([PY, "-c", THREAD_INTERRUPT_SCRIPT, str(tmp_path)], env=env) as proc:
        assert proc.wait(120) == 130
    report = json.loads((tmp_path / ".runbook/report.json").read_text())
    assert [(g["name"], g["status"], g["reason"]) for g in report["gates"]] == [
        ("lint", "not run", "interrupted")
    ]
    pidfile = tmp_path / "lint.pids"
    assert not pidfile.exists() or gone(pidfile)


def test_history_records_each_run_and_the_table_shows_what_moved(tmp_path: Path) -> None:
    def tests_gate(passed: bool, cov: float) -> Gate:
        code = f"print('TOTAL 100 10 {cov}%'); print('3 passed in 0.1s')"
        code = code if passed else code + "; raise SystemExit(1)"
        return gate("tests", code, summarize=pytest_tool.summarize, coverage=cov)

    perform(make_run(tmp_path, (PASSES, tests_gate(True, 80.0))))
    second = perform(make_run(tmp_path, (LINT_FAIL, tests_gate(True, 82.5))))
    third = perform(make_run(tmp_path, (PASSES, tests_gate(False, 81.0))))

    lines = (tmp_path / ".runbook/history.jsonl").read_text().splitlines()
    samples = [json.loads(line) for line in lines]
    assert [s["coverage"] for s in samples] == [80.0, 82.5, 81.0]
    assert samples[1]["gates"]["lint"]["status"] == "fail"
    assert {"time", "commit", "mode", "coverage", "gates"} <= set(samples[0])
    assert second.report.changes == {"tests": "coverage +2.5"}
    assert third.report.changes == {"tests": "newly failing, coverage -1.5"}
    table = plain_report(third.report)
    assert "[newly failing, coverage -1.5]" in table


def test_a_cancelled_gate_is_neither_newly_failing_nor_fixed() -> None:
    """Cancelled says nothing about the gate: no change against a pass or a failure before."""
    before = {"gates": {"lint": {"status": "pass"}, "tests": {"status": "fail"}}}
    results = [
        GateResult(name=name, projector=name, status=Status.CANCELLED) for name in ("lint", "tests")
    ]
    assert history.changes(before, results) == {}
    after = history.changes(
        {"gates": {"tests": {"status": "cancelled"}}},
        [GateResult(name="tests", projector="t", status=Status.FAIL)],
    )
    assert after == {}


def test_a_torn_history_line_is_passed_over(tmp_path: Path) -> None:
    perform(make_run(tmp_path, (LINT_FAIL,)))
    with (tmp_path / ".runbook/history.jsonl").open("a") as handle:
        handle.write('{"truncated": ')
    outcome = perform(make_run(tmp_path, (gate("lint", "pass"),)))
    assert outcome.report.changes == {"lint": "fixed"}


def test_a_fault_in_the_runner_is_an_error_row_and_the_report_is_still_written(
    tmp_path: Path,
) -> None:
    def launcher(g: Gate) -> list[str]:
        if g.name == "lint":
            raise RuntimeError("launcher broke")
        return direct(g)

    run = make_run(tmp_path, (LINT_FAIL, PASSES))
    run.launcher = launcher
    outcome = perform(run)
    lint, fmt = outcome.report.results
    assert lint.status is Status.ERROR
    assert lint.reason == "runbook internal error: RuntimeError('launcher broke')"
    assert fmt.status is Status.PASS
    assert json.loads((tmp_path / ".runbook/report.json").read_text())["result"] == "fail"


def test_ordinary_settings_are_not_mistaken_for_secrets(tmp_path: Path) -> None:
    run = make_run(tmp_path, (LINT_FAIL,))
    run.env = {**run.env, "TOKENIZERS_PARALLELISM": "false", "UV_KEYRING_PROVIDER": "subprocess"}
    perform(run)
    report = json.loads((tmp_path / ".runbook/report.json").read_text())  # still valid JSON
    assert report["gates"][0]["cached"] is False
    assert "Found 3 errors." in questions(tmp_path)[0]


def test_a_secret_is_redacted_before_the_log_is_cut_to_size(tmp_path: Path) -> None:
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    # One long line, so the 4,000-character bound cuts through the middle of the token.
    noisy = gate("tests", f"print('x' * 9000 + ' {secret} ' + 'y' * 3980); raise SystemExit(1)")
    perform(make_run(tmp_path, (noisy,)))
    entry = questions(tmp_path)[0]
    assert secret[-9:] not in entry
    assert "***" in entry


@pytest.mark.child_reads(*RUNNER_FILES)  # -S: no site-packages, no log
def test_runner_modules_the_noxfile_imports_need_only_the_standard_library() -> None:
    """The noxfile runs in the tools environment (nox and uv only): ``-S`` hides site-packages."""
    src = Path(__file__).parents[1] / "src"
    modules = (
        "runbook.cli, runbook.patching.patch, runbook.patching.canonicalize,"
        " runbook.gates.settings, runbook.gates.table"
    )
    proc = subprocess.run(
        [PY, "-S", "-c", f"import {modules}"],
        env={"PYTHONPATH": str(src), "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_a_soft_run_starts_the_gates_that_took_longest_last_time_first(tmp_path: Path) -> None:
    """One job: the start order is the order the gates run in; the table keeps its order."""
    log = tmp_path / "started.txt"
    gates = tuple(gate(name, f"open({str(log)!r}, 'a').write({name!r} + '\\n')") for name in "abcd")
    (tmp_path / ".runbook").mkdir()
    last = {"a": 0.2, "b": 30.0, "d": 9.0}  # c: not timed (new): first
    sample = {"gates": {name: {"status": "pass", "seconds": s} for name, s in last.items()}}
    (tmp_path / ".runbook" / history.HISTORY_FILE).write_text(json.dumps(sample) + "\n")
    outcome = perform(make_run(tmp_path, gates, jobs=1))
    assert log.read_text().split() == ["c", "b", "d", "a"]
    assert [r.name for r in outcome.report.results] == ["a", "b", "c", "d"]
    log.unlink()
    perform(make_run(tmp_path, gates, mode="release", jobs=1))
    assert log.read_text().split() == ["a", "b", "c", "d"]  # strict: table order
