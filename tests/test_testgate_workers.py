"""The tests gate on pytest-xdist workers and in shards, end to end (runbook.selection.testgate
with real pytest, pytest-xdist, pytest-cov and coverage.py) on a throwaway project: the workers
store the selection data and give the total of one process, a selective run on workers gives a
full run's total, a crashed worker fails the gate naming its test and leaves no data, and the
shards run every test once with a combined total equal to a full run's. Two of its files are a
``together`` group (one unit of work on the workers): the data is the same.

One full run on two workers is the baseline every test starts from (restored by copy)."""

from __future__ import annotations

import io
import json
import os
import shutil
import textwrap
from pathlib import Path
from typing import Any, cast

import pytest
from coverage import CoverageData

from runbook.gates.settings import SELECT_ENV, SERIAL_BELOW_ENV, WORKERS_ENV
from runbook.gates.shards import ShardError
from runbook.records import handover
from runbook.reports import ci_shards
from runbook.selection import store, testgate
from runbook.selection.handoff import ORDER_ENV, TOGETHER_ENV
from runbook.selection.impact import Plan
from support import THROWAWAY_ADDOPTS, Baseline, Ran, followed, git, init_repo, run_testgate_here

SRC = Path(__file__).resolve().parents[1] / "src"

PROJECT = {
    "pyproject.toml": f"""\
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]
        addopts = {THROWAWAY_ADDOPTS}

        [tool.coverage.run]
        source = ["src"]
        branch = true

        [tool.runbook]
        workers = 2
        together = [["tests/test_core.py", "tests/test_words.py"]]
        """,
    ".gitignore": ".runbook/\n__pycache__/\n",
    "src/calc/__init__.py": "",
    "src/calc/core.py": """\
        def double(x):
            return 2 * x


        def unused(x):
            if x:
                return 1
            return 2
        """,
    "src/calc/other.py": """\
        def triple(x):
            return 3 * x


        def sign(x):
            if x < 0:
                return -1
            return 1
        """,
    "src/calc/words.py": """\
        from pathlib import Path


        def count(path):
            return len(Path(path).read_text().split())
        """,
    "data/words.txt": "one two three\n",
    "tests/test_core.py": """\
        from calc.core import double


        def test_double():
            assert double(2) == 4
        """,
    "tests/test_other.py": """\
        from calc.other import sign, triple


        def test_triple():
            assert triple(2) == 6


        def test_sign():
            assert sign(5) == 1
        """,
    "tests/test_child.py": """\
        import os
        import subprocess
        import sys


        def test_a_child_process_runs_project_code():
            env = {**os.environ, "PYTHONPATH": "src"}
            code = "from calc.other import triple; assert triple(1) == 3"
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
        """,
    "tests/test_words.py": """\
        from calc.words import count


        def test_reads_a_data_file():
            assert count("data/words.txt") == 3
        """,
    "tests/test_crash.py": """\
        import os
        import signal


        def test_may_kill_its_worker():
            if os.environ.get("TESTGATE_CRASH"):
                os.kill(os.getpid(), signal.SIGKILL)
        """,
    # The shards' split: test_child.py alone outweighs the rest.
    "tests/durations.json": json.dumps(
        {
            "tests/test_child.py::test_a_child_process_runs_project_code": 9,
            "tests/test_core.py::test_double": 0.1,
            "tests/test_other.py::test_triple": 0.1,
            "tests/test_other.py::test_sign": 0.1,
            "tests/test_words.py::test_reads_a_data_file": 0.1,
        }
    ),
}
TESTS = 6


def gate(
    root: Path, *args: str, select: bool = False, env: dict[str, str] | None = None
) -> tuple[int, Ran]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COV", "RUNBOOK_"))}
    mode = "select" if select else "full"
    clean = {**clean, "PYTHONPATH": str(SRC), SELECT_ENV: mode, **(env or {})}
    # In this process (support.run_testgate_here); the outer tests gate follows its pytest.
    return run_testgate_here(root, ["--cov-fail-under=50", *args], followed(clean))


def total(output: Ran) -> float:
    return output.total


def meta(root: Path) -> dict[str, object]:
    """The stored selection data, less the name of its coverage data file (random)."""
    data = json.loads((root / store.SELECTION_DIR / store.META).read_text())
    return {k: v for k, v in data.items() if k != "coverage_db"}


def measured(root: Path) -> dict[str, object]:
    """Every context and every file's arcs of the stored coverage data."""
    name = json.loads((root / store.SELECTION_DIR / store.META).read_text())["coverage_db"]
    data = CoverageData(str(root / store.SELECTION_DIR / name))
    data.read()
    arcs = {f: sorted(data.arcs(f) or []) for f in data.measured_files()}
    return {"contexts": sorted(data.measured_contexts()), "arcs": arcs}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    base = tmp_path_factory.mktemp("workers")
    root = base / "project"
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    init_repo(root)
    git(root, "add", ".")
    git(root, "commit", "-qm", "project")
    code, output = gate(root)
    assert code == 0, output
    assert "bringing up nodes" in output  # pytest-xdist's workers
    pristine = base / "pristine"
    shutil.copytree(root, pristine, symlinks=True)
    return Baseline(root=root, pristine=pristine, output=output)


@pytest.fixture
def project(baseline: Baseline) -> Path:
    return baseline.restore()


def test_a_selective_run_on_workers_gives_the_full_total_and_in_one_process_the_same_data(
    baseline: Baseline, project: Path
) -> None:
    """A selective run on workers (``serial_below = 0``) gives the baseline's total, and the
    same run in one process (under ``serial_below``: the selected tests took 9.3 s in
    tests/durations.json) starts no workers and gives the same verdict, total and measured lines
    and branches of every file. Among the selected tests is test_child: its child process ran
    the edited other.py on a worker, which only the worker's child log told the stored data."""
    for name, old, new in (
        ("src/calc/core.py", "return 2 * x", "return x * 2"),
        ("src/calc/words.py", ".split())", ".split(None))"),
        ("src/calc/other.py", "return 3 * x", "return x * 3"),
    ):
        path = project / name
        path.write_text(path.read_text().replace(old, new))  # same lines
    report = project.parent / "coverage.json"  # outside the project: not a new file of it
    seen: list[tuple[float, dict[str, tuple[object, object]]]] = []
    for serial_below, on_workers in (("10", False), ("0", True)):
        env = {SERIAL_BELOW_ENV: serial_below}
        code, ran = gate(project, f"--cov-report=json:{report}", select=True, env=env)
        assert code == 0, ran
        # test_double, test_reads_a_data_file, test_triple, test_child (not test_sign)
        assert ran.result.selection == "4 of 6 run, 2 unaffected", ran
        assert ("bringing up nodes" in ran) is on_workers, ran
        assert "4 passed" in ran, ran
        files = cast(dict[str, dict[str, Any]], json.loads(report.read_text())["files"])
        lines = {
            name: (entry["executed_lines"], entry["executed_branches"])
            for name, entry in files.items()
        }
        seen.append((total(ran), lines))
    assert seen[0] == seen[1]
    assert seen[0][0] == total(baseline.output)


def test_a_crashed_worker_fails_the_gate_naming_its_test_and_the_next_run_is_full(
    baseline: Baseline, project: Path
) -> None:
    """The crash on one worker: the gate's path is that of a crash among several (the
    controller names the crashed worker's test, whatever the others did), and a second worker
    would only run the other files again (0.4 CPU-s). The next run, full and in one process,
    also proves the workers' gathering: every worker's observations (tests, a followed child, a
    file read) and coverage data (per-test contexts) made the baseline's stored data (two
    workers), which is one process's, arc for arc."""
    on_workers = meta(project), measured(project)
    tests = cast(dict[str, dict[str, Any]], on_workers[0]["tests"])
    assert len(tests) == TESTS
    child = tests["tests/test_child.py::test_a_child_process_runs_project_code"]
    assert "src/calc/other.py" in child["touched"]  # from the child log of its worker
    assert tests["tests/test_words.py::test_reads_a_data_file"]["read"] == ["data/words.txt"]
    code, crashed = gate(project, env={"TESTGATE_CRASH": "1", WORKERS_ENV: "1"})
    assert code == 1, crashed
    assert "crashed while running 'tests/test_crash.py::test_may_kill_its_worker'" in crashed
    assert (
        "tests: a worker crashed while running "
        "tests/test_crash.py::test_may_kill_its_worker: selection data dropped, the next run "
        "is a full one"
    ) in crashed.notices
    assert not (project / store.SELECTION_DIR / store.META).exists()  # nothing of it stored
    assert not list((project / store.SELECTION_DIR).glob("coverage-*.db"))
    code, after = gate(project, select=True, env={WORKERS_ENV: "0"})
    assert code == 0, after
    assert "the whole suite ran: selection data unusable: no selection data yet" in after
    assert "bringing up nodes" not in after  # one process
    assert total(after) == total(baseline.output)
    assert (meta(project), measured(project)) == on_workers


def test_the_shards_run_every_test_once_and_combine_to_a_full_runs_total(
    baseline: Baseline, project: Path
) -> None:
    before = meta(project)
    machine = project / ".runbook" / "machine" / "tests"
    records: list[ci_shards.ShardRecord] = []
    commit = git(project, "rev-parse", "HEAD").strip()
    # On a worker and in one process: part 1 is one file, which loadfile gives to one worker.
    for shard, workers in (("1/2", "1"), ("2/2", "0")):
        code, output = gate(project, "--shard", shard, env={WORKERS_ENV: workers})
        assert code == 0, output
        assert f"tests: shard {shard} ran" in output.notices
        assert ("bringing up nodes" in output) is (workers != "0"), output
        kept = project / "ci"
        kept.mkdir(exist_ok=True)
        name = f"tests-shard-{shard[0]}-of-2"
        shutil.copyfile(machine / testgate.SHARD_RECORD, kept / f"{name}.shard.json")
        shutil.copyfile(machine / testgate.SHARD_DATA, kept / f"{name}.coverage")
        records.append(ci_shards.load_record(kept, ci_shards.Shard.parse(shard), commit))
    ci_shards.check_once(records)  # every collected test exactly once
    assert [len(r.ran) for r in records] == [1, TESTS - 1]  # split by tests/durations.json
    assert len(records[0].collected) == TESTS
    combined = ci_shards.combine(records, project, project / "ci" / "combined.coverage")
    assert f"{combined:.2f}" == f"{total(baseline.output):.2f}"
    assert meta(project) == before  # a shard never stores selection data


def test_a_bad_shard_or_workers_setting_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate's own entry point, in process: it refuses before anything starts (no pytest,
    no bytecode), so a process of its own would prove nothing more; its exit code is the one
    handed over (result.json), as in every run above."""
    monkeypatch.chdir(project)
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    handed = handover.path_in(project / ".runbook" / "machine" / "tests")
    assert testgate.main(["--cov-fail-under=50", "--shard", "3/2"]) == 4
    assert capsys.readouterr().out.strip() == (
        "runbook.selection.testgate: error: --shard '3/2': K must be from 1 to N"
    )
    assert handover.read(handed, "tests").exit_code == 4
    monkeypatch.setenv(WORKERS_ENV, "some")
    assert testgate.main(["--cov-fail-under=50"]) == 4
    assert "RUNBOOK_TEST_WORKERS: workers 'some'; allowed" in capsys.readouterr().out


def test_on_workers_the_gate_hands_the_durations_to_order_the_files_longest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []

    def tee(argv: list[str], out: object, *, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
        started.append((argv, env))
        return 0, ""

    monkeypatch.setattr(testgate, "tee", tee)
    durations = {"tests/test_b.py::test_1": 2.0}
    facts = testgate.Facts(io.StringIO())
    together = (("tests/test_b.py", "tests/test_c.py"),)
    for workers in ("2", "0"):
        launch = testgate.Launch(workers=workers, durations=durations, together=together)
        testgate.run_pytest(tmp_path, tmp_path, frozenset(), [], launch=launch, facts=facts)
    (on_workers, env), (alone, alone_env) = started
    assert "--dist=loadfile" in on_workers
    assert "--no-loadscope-reorder" in on_workers  # not pytest-xdist's order, by test count
    assert json.loads(Path(env[ORDER_ENV]).read_text()) == durations
    assert json.loads(env[TOGETHER_ENV]) == [list(together[0])]  # one unit, one worker
    assert not any(arg.startswith(("--numprocesses", "--dist")) for arg in alone)
    assert ORDER_ENV not in alone_env  # in one process the order gains nothing
    assert TOGETHER_ENV not in alone_env


def test_the_gate_on_workers_reads_the_durations_and_a_bad_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    (tmp_path / "pyproject.toml").write_text("[tool.runbook]\nworkers = 2\n")
    (tmp_path / "tests").mkdir()
    assert testgate.launch_for(tmp_path, None).durations == {}  # none recorded: by test count
    (tmp_path / "tests" / "durations.json").write_text('{"tests/test_a.py::test_1": 1.5}')
    assert testgate.launch_for(tmp_path, None).durations == {"tests/test_a.py::test_1": 1.5}
    (tmp_path / "tests" / "durations.json").write_text("[]")
    with pytest.raises(ShardError, match=r"durations\.json: expected an object"):
        testgate.launch_for(tmp_path, None)


def test_a_selection_of_one_file_or_few_recorded_seconds_runs_in_one_process() -> None:
    durations = {"tests/test_a.py::t1": 1.0, "tests/test_b.py::t2": 1.5, "tests/test_b.py::t3": 9.0}
    stored = [*durations, "tests/test_a.py::t4"]  # t4: not recorded, counts 0
    launch = testgate.Launch(workers="2", durations=durations, serial_below=3.0)
    both = frozenset({"tests/test_a.py", "tests/test_b.py"})
    small = Plan(unaffected=frozenset({"tests/test_b.py::t3"}), collect=both)  # 2.5 s
    large = Plan(unaffected=frozenset({"tests/test_a.py::t1"}), collect=both)  # 10.5 s
    one_file = Plan(
        unaffected=frozenset({"tests/test_a.py::t1"}), collect=frozenset({"tests/test_b.py"})
    )
    assert launch.alone(small, stored).workers == "0"
    assert launch.alone(large, stored).workers == "2"
    assert launch.alone(one_file, stored).workers == "0"  # one file goes to one worker anyway
    assert testgate.Launch(workers="2", durations=durations).alone(small, stored).workers == "2"
    assert testgate.Launch(workers="0").alone(large, stored).workers == "0"
