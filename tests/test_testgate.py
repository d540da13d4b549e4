"""The tests gate end to end (runbook.selection.testgate with real pytest, pytest-cov and
coverage.py) on a small throwaway project: a selective run gives the verdict and the coverage
total of a full run, and every fault of the stored data falls back to a full run with a notice.

A full run of the gate costs more than a second of CPU: the project's full run is made once per
module (``baseline``) and every test starts from a pristine copy of it. What only the gate's
decision shows (which tests a change selects, why a change needs the whole suite, each fault of
the stored data) is checked on that decision, in process (``planned``); each path from a decision
to the gate's output and exit code keeps one end-to-end case. The gate itself runs in this
process too (``gate``: its ``main``, with the environment and working directory its process would
have; its pytest is a process, as always), but for ``PROJECT``'s baseline run, which starts it
as the runner does (``python -m runbook.selection.testgate``), and Ctrl-C's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from coverage import Coverage, CoverageData
from coverage.results import analysis_from_file_reporter

from runbook.gates.settings import SELECT_ENV
from runbook.running import cache, procgroup
from runbook.selection import bytecode, store, testgate, verdict
from runbook.selection.impact import Plan
from runbook.selection.store import META, SELECTION_DIR, SelectionStore
from runbook.selection.stored import Stored
from support import (
    RUNNER_FILES,
    THROWAWAY_ADDOPTS,
    Baseline,
    Ran,
    followed,
    init_repo,
    interruptible,
    report_texts,
    run_testgate_here,
)

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
        workers = 0  # one process: cheap; the workers' runs are tests/test_testgate_workers.py
        """,
    ".gitignore": ".runbook/\n__pycache__/\n",
    "src/calc/__init__.py": "",
    "src/calc/core.py": """\
        LIMIT = 10


        def double(x):
            return 2 * x


        def unused(x):
            if x:
                return 1
            return 2
        """,
    "src/calc/api.py": """\
        from calc.core import double


        def quadruple(x):
            return double(double(x))
        """,
    "src/calc/other.py": """\
        def triple(x):
            return 3 * x


        def sign(x):
            if x < 0:
                return -1
            return 1
        """,
    "tests/test_api.py": """\
        from calc.api import quadruple


        def test_quadruple():
            assert quadruple(1) == 4
        """,
    "tests/test_core.py": """\
        from calc import core


        def test_limit():
            assert core.LIMIT == 10  # runs no line of core.py during the test
        """,
    "tests/test_child.py": """\
        import os
        import subprocess
        import sys


        def test_a_child_process_runs_project_code():
            path = os.environ.get("PYTHONPATH", "") + os.pathsep + "src"
            env = {**os.environ, "PYTHONPATH": path}
            code = "from calc.other import triple; assert triple(1) == 3"
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
        """,
    "tests/test_other.py": """\
        import os
        import pathlib
        import time

        from calc.other import sign, triple


        def test_triple():
            assert triple(2) == 6


        def test_sign():
            assert sign(5) == 1
            marker = os.environ.get("TESTGATE_BLOCK")
            if marker:
                pathlib.Path(marker).touch()
                time.sleep(120)
        """,
}


def make_baseline(base: Path, files: dict[str, str], *, own_process: bool = False) -> Baseline:
    """``files`` after a full run of the gate: in a process of its own for ``PROJECT`` (the
    gate's entry point, as the runner starts it), in this process for the others (the same
    ``main``, less a process's start and imports: 0.15 CPU-s)."""
    root = base / "project"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    init_repo(root)
    code, output = gate_process(root, select=False) if own_process else gate(root, select=False)
    assert code == 0, output
    pristine = base / "pristine"
    shutil.copytree(root, pristine, symlinks=True)
    return Baseline(root=root, pristine=pristine, output=output)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """``PROJECT`` after a full run: what most tests here edit and run selectively."""
    return make_baseline(tmp_path_factory.mktemp("baseline"), PROJECT, own_process=True)


@pytest.fixture
def project(baseline: Baseline) -> Path:
    return baseline.restore()


TEXT_TESTS = """\
    from pathlib import Path

    API = Path("src/calc/api.py").read_text()


    def test_reads_core():
        assert "def unused" in Path("src/calc/core.py").read_text()
    """

SHELL_TESTS = """\
    import subprocess

    import pytest


    @pytest.mark.child_reads("src/calc/other.py")
    def test_declared():
        subprocess.run(["sh", "-c", "true"], check=True)


    def test_undeclared():
        subprocess.run(["sh", "-c", "true"], check=True)
    """

DATA_TESTS = """\
    import json
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    READ = "import json; assert json.load(open('tests/data/table.json'))['limit'] == 10"


    def test_reads_the_table():
        assert json.loads(Path("tests/data/table.json").read_text())["limit"] == 10


    def test_a_child_reads_the_table():
        subprocess.run([sys.executable, "-c", READ], check=True)


    @pytest.mark.child_reads("tests/data/*.json")
    def test_declares_the_table():
        subprocess.run(["sh", "-c", "grep -q limit tests/data/table.json"], check=True)
    """

MARKERS = 'markers = ["child_reads(*globs): declared"]\n'
EXTENDED = {
    **PROJECT,
    "pyproject.toml": PROJECT["pyproject.toml"].replace(
        'testpaths = ["tests"]\n', f'testpaths = ["tests"]\n        {MARKERS}'
    ),
    # A test that reads a module as data (and another one while pytest collects).
    "tests/test_text.py": TEXT_TESTS,
    # ``sh`` cannot be followed: one test declares what it reads, one does not.
    "tests/test_shell.py": SHELL_TESTS,
    # A data file, read in the test's process, by a followed child, and declared for ``sh``.
    "tests/data/table.json": '{"limit": 10}\n',
    "tests/test_data.py": DATA_TESTS,
}


@pytest.fixture(scope="module")
def extended_baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """``PROJECT`` plus tests that read files as data and start children nobody can follow:
    11 tests, ``test_undeclared`` among those that run on every selective run."""
    return make_baseline(tmp_path_factory.mktemp("extended"), EXTENDED)


@pytest.fixture
def extended(extended_baseline: Baseline) -> Path:
    return extended_baseline.restore()


def gate_env(select: bool, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV", "RUNBOOK_"))}
    env = {**env, "PYTHONPATH": str(SRC), SELECT_ENV: "select" if select else "full", **extra}
    return followed(env)  # the outer tests gate follows the inner one


def gate(root: Path, *, select: bool, extra: Sequence[str] = ()) -> tuple[int, Ran]:
    """A run of the gate, in this process (``support.run_testgate_here``)."""
    return run_testgate_here(root, ["--cov-fail-under=50", *extra], gate_env(select))


def gate_process(root: Path, *, select: bool) -> tuple[int, Ran]:
    """A run of the gate in a process of its own, as the runner starts it: its entry point,
    and its exit code as the process's."""
    proc = subprocess.run(
        [sys.executable, "-m", "runbook.selection.testgate", "--cov-fail-under=50"],
        cwd=root,
        env=gate_env(select),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return proc.returncode, Ran.of(root, proc)


def total(ran: Ran) -> float:
    return ran.total


def selected(ran: Ran) -> str:
    return ran.result.selection


def notices(ran: Ran) -> str:
    return ran.notices


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def stored_state(root: Path) -> dict[str, str]:
    directory = root / SELECTION_DIR
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


def planned(root: Path) -> tuple[Plan, Stored | None]:
    """What a selective run of the gate would decide for the tree at ``root`` (its own code, in
    process: no pytest is started)."""
    environment = cache.environment_digest(root, store.tests_gate())
    return testgate.choose(root, SelectionStore(root), environment)


ALL_TESTS = frozenset(
    {
        "tests/test_api.py::test_quadruple",
        "tests/test_core.py::test_limit",
        "tests/test_child.py::test_a_child_process_runs_project_code",
        "tests/test_other.py::test_triple",
        "tests/test_other.py::test_sign",
    }
)


def test_the_baseline_is_a_full_run_that_stores_selection_data(baseline: Baseline) -> None:
    """What every test below starts from: the five tests ran and their data was stored; the
    project's modules were compiled first (runbook.selection.bytecode), for every process."""
    assert "5 passed" in baseline.output
    for module in ("__init__.py", "api.py", "core.py", "other.py"):
        source = baseline.pristine / "src" / "calc" / module
        assert bytecode.current(source, source.read_bytes()), module
    assert not selected(baseline.output)
    plan, stored = planned(baseline.restore())
    assert stored is not None
    assert plan == Plan(collect=frozenset(), unaffected=ALL_TESTS)


def test_an_edit_no_test_reaches_starts_no_pytest_and_bad_data_runs_everything_with_a_notice(
    baseline: Baseline, project: Path
) -> None:
    """The edit's full run to compare with is the one the bad selection data then makes (a
    selective run whose data is unusable runs ``testgate.whole``, a full run's code; each run
    costs a pytest process): the bad data's end-to-end case, its notice, and the fresh data it
    stores in place of the bad."""
    edit(project, "src/calc/core.py", "        return 1", "        y = x\n        return y")
    code, selective = gate(project, select=True)
    assert code == 0, selective
    assert selected(selective) == "0 of 5 run, 5 unaffected"
    assert "pytest was not started" in selective
    assert "passed" not in selective
    corrupt_db(project)
    code, full = gate(project, select=True)
    assert code == 0, full
    notice = "tests: the whole suite ran: selection data unusable: its coverage data"
    assert notice in notices(full)
    assert "5 passed" in full
    assert total(selective) == total(full)
    assert total(selective) != total(baseline.output)  # one more statement, not run
    code, again = gate(project, select=True)  # the full run stored fresh data
    assert selected(again) == "0 of 5 run, 5 unaffected", again


def test_a_function_reached_through_another_module_changed_to_raise_is_selected(
    project: Path,
) -> None:
    """test_quadruple reaches double through quadruple (api.py): only its module is collected,
    and not test_child. That a selected test that fails fails the gate, with only its module
    collected, is shown end to end by the signature edit below (its broken call) and by the data
    file edit."""
    edit(project, "src/calc/core.py", "    return 2 * x", "    raise RuntimeError(x)")
    plan, _ = planned(project)
    assert not plan.full_reason
    assert plan.collect == {"tests/test_api.py"}
    assert plan.unaffected == ALL_TESTS - {"tests/test_api.py::test_quadruple"}


def test_a_signature_edit_reruns_its_callers_tests_and_a_body_edit_the_tests_that_ran_it(
    baseline: Baseline, project: Path
) -> None:
    """A signature edit is selected like a body edit plus the tests of its callers
    (runbook.selection.signatures.signature_reach): a call it breaks is caught. A compatible
    one, and a body edit of other.py, then run together (one selective run, one full run to
    compare; each run costs a pytest process): each selects only the tests it reaches (the
    signature's, in the gate's own decision first), and the verdict and total are a full run's.
    """
    edit(project, "src/calc/core.py", "def double(x):", "def double(x, factor):")
    code, out = gate(project, select=True)
    assert code == 1, out
    assert selected(out) == "1 of 5 run, 4 unaffected"  # test_quadruple: quadruple calls it
    assert "TypeError" in out
    assert "1 failed in" in out
    edit(project, "src/calc/core.py", "def double(x, factor):", "def double(x, factor=2):")
    plan, _ = planned(project)
    assert not plan.full_reason
    assert plan.collect == {"tests/test_api.py"}
    assert plan.unaffected == ALL_TESTS - {"tests/test_api.py::test_quadruple"}
    # Lines move and a branch appears: the other tests' stored data must stay exact.
    body = "    y = x\n    if y:\n        return 3 * y\n    return 0"
    edit(project, "src/calc/other.py", "    return 3 * x", body)
    code, selective = gate(project, select=True)
    assert code == 0, selective
    # test_quadruple (the signature); test_triple ran triple; test_child's child process ran
    # other.py (a whole file for it); test_sign ran only sign, whose lines moved: its stored
    # data is kept, moved.
    assert selected(selective) == "3 of 5 run, 2 unaffected"
    assert "3 passed, 1 deselected" in selective  # test_api.py, test_other.py, test_child.py
    code, full = gate(project, select=False)
    assert code == 0, full
    assert total(selective) == total(full)
    assert total(selective) != total(baseline.output)  # the edits did move the total


def test_a_new_test_counts_among_all_tests_and_the_floor_is_checked_against_the_merged_total(
    project: Path,
) -> None:
    """An edited test and a new one run; neither runs a line of src/ during the test, so this
    run's own data is far below the floor: the merged total passes."""
    edit(project, "tests/test_core.py", "== 10", "== 10 and True")
    test_core = project / "tests" / "test_core.py"
    test_core.write_text(test_core.read_text() + "\n\ndef test_new():\n    pass\n")
    code, out = gate(project, select=True)
    assert code == 0, out
    assert selected(out) == "2 of 6 run, 4 unaffected"
    assert "2 passed in" in out
    assert float(total(out)) >= 50


def test_a_passing_test_edited_to_fail_is_selected(project: Path) -> None:
    """Only its module is collected, and its test is not left out (a selected test that fails
    fails the gate: the broken call of test_a_signature_edit_reruns_its_callers_tests_...)."""
    edit(project, "tests/test_api.py", "== 4", "== 5")
    plan, _ = planned(project)
    assert not plan.full_reason
    assert plan.collect == {"tests/test_api.py"}
    assert plan.unaffected == ALL_TESTS - {"tests/test_api.py::test_quadruple"}


def test_a_changed_constant_runs_everything(project: Path) -> None:
    """test_limit reads LIMIT, set at import (during collection, outside any test): no test's
    data shows the read, so the whole suite runs, where test_limit fails. How a whole run for a
    reason ends, end to end: its notice and a fresh full run, the bad data's case (in
    test_an_edit_no_test_reaches_...); a failing whole run's exit and counts, the data file
    edit's full run."""
    edit(project, "src/calc/core.py", "LIMIT = 10", "LIMIT = 11")
    plan, _ = planned(project)
    assert plan.full_reason.startswith("src/calc/core.py changed outside"), plan.full_reason
    assert plan == Plan(full_reason=plan.full_reason)


def corrupt_meta(root: Path) -> None:
    meta = root / SELECTION_DIR / META
    meta.write_bytes(meta.read_bytes()[:100])


def corrupt_db(root: Path) -> None:
    for db in (root / SELECTION_DIR).glob("coverage-*.db"):
        db.write_bytes(db.read_bytes()[:300])


def delete_db(root: Path) -> None:
    for db in (root / SELECTION_DIR).glob("coverage-*.db"):
        db.unlink()


def foreign_environment(root: Path) -> None:
    meta = root / SELECTION_DIR / META
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "environment": "another"}))


def another_checkout(root: Path) -> None:
    meta = root / SELECTION_DIR / META
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "root": str(root.parent / "elsewhere")}))


def delete_data(root: Path) -> None:
    for path in (root / SELECTION_DIR).iterdir():
        path.unlink()


@pytest.mark.parametrize(
    ("fault", "notice"),
    [
        (delete_data, "no selection data yet"),
        (corrupt_meta, "unreadable selection data"),
        (corrupt_db, "its coverage data is unreadable"),
        (delete_db, "its coverage data coverage-"),  # ... is missing
        (foreign_environment, "the selection data is from another tests environment"),
        (another_checkout, "the selection data is from another checkout"),
    ],
)
def test_bad_selection_data_makes_the_plan_a_full_run_naming_it(
    project: Path, fault: Callable[[Path], None], notice: str
) -> None:
    """Each fault of the stored data, read by the gate's own code from a real full run's data;
    test_an_edit_no_test_reaches_starts_no_pytest_... shows the whole path end to end (notice,
    full run, data replaced)."""
    fault(project)
    plan, stored = planned(project)
    assert stored is None
    assert plan.full_reason.startswith(f"selection data unusable: {notice}"), plan.full_reason
    assert plan == Plan(full_reason=plan.full_reason)


def test_files_the_selection_cannot_read_run_everything(baseline: Baseline) -> None:
    project = baseline.restore()
    (project / "tests" / "data.txt").write_text("read by a test\n")
    plan, _ = planned(project)
    assert plan.full_reason == "new file tests/data.txt", plan.full_reason
    project = baseline.restore()
    edit(project, "pyproject.toml", "branch = true", "branch = true\n")
    plan, _ = planned(project)
    assert plan.full_reason.startswith("pyproject.toml changed"), plan.full_reason


def test_ctrl_c_during_a_selective_run_leaves_the_stored_data_as_it_was(
    project: Path, tmp_path: Path
) -> None:
    before = stored_state(project)
    edit(project, "src/calc/other.py", "return -1", "return -2")
    marker = tmp_path / "blocking"
    argv = [sys.executable, "-m", "runbook.selection.testgate", "--cov-fail-under=50"]
    # interruptible: a shell starts background jobs with SIGINT ignored, which the gate would
    # inherit; Ctrl-C must reach it however the suite itself was started.
    with interruptible(
        argv,
        cwd=project,
        env=gate_env(True, TESTGATE_BLOCK=str(marker)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as proc:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the gate ended before the test blocked"
            assert time.monotonic() < deadline, "the blocking test never started"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(120) != 0
        # The gate's pytest outlives the gate by a moment (it saves its coverage data on the
        # way out, into the project): the next test's restore must not remove the tree under it.
        assert procgroup.wait_gone(proc.pid, time.monotonic() + 120) == []
    assert stored_state(project) == before


def test_a_pytest_that_cannot_start_fails_the_gate_with_one_notice_and_stores_nothing(
    project: Path,
) -> None:
    """pytest's own error, then one notice; not a traceback about the plugin's missing file."""
    before = stored_state(project)
    code, ran = gate(project, select=False, extra=["-p", "no_such_plugin_anywhere"])
    assert code != 0, ran
    assert "No module named 'no_such_plugin_anywhere'" in ran, ran
    assert "observed.json" not in ran, ran
    assert "pytest ended before its session started" in ran.notices, ran
    assert stored_state(project) == before


# The inner session's sh children, which the outer gate sees too, cannot be followed.
@pytest.mark.child_reads(*RUNNER_FILES)
def test_a_file_read_as_text_and_a_declared_child_rerun_on_its_change_an_undeclared_always(
    extended: Path,
) -> None:
    """A test that reads a module as data depends on all of it (test_reads_core reads core.py
    and runs none of double), and a read while pytest collects depends on everything. ``sh``
    cannot be followed: without a marker its test always runs; with one it runs when a file it
    declares changed (runbook.selection.testselect's ``child_reads``): end to end for core.py,
    where test_declared is left out of its module's run; on the gate's decision for other.py
    (a declared test that runs, end to end: the data file edit's test_declares_the_table)."""
    edit(extended, "src/calc/core.py", "    return 2 * x", "    return x + x")
    code, out = gate(extended, select=True)
    assert code == 0, out
    # test_quadruple, test_undeclared, and test_reads_core (it reads core.py as data)
    assert selected(out) == "3 of 11 run, 8 unaffected"
    assert "3 passed, 1 deselected in" in out  # test_declared was left out
    edit(extended, "src/calc/core.py", "    return x + x", "    return 2 * x")
    edit(extended, "src/calc/other.py", "    return 3 * x", "    return x * 3")
    plan, stored = planned(extended)
    assert stored is not None
    assert not plan.full_reason
    # test_triple, test_child (its child ran other.py), test_declared, test_undeclared
    assert set(stored.tests) - plan.unaffected == {
        "tests/test_other.py::test_triple",
        "tests/test_child.py::test_a_child_process_runs_project_code",
        "tests/test_shell.py::test_declared",
        "tests/test_shell.py::test_undeclared",
    }
    assert len(stored.tests) == 11
    edit(extended, "src/calc/api.py", "double(double(x))", "double(x) * 2")
    plan, _ = planned(extended)
    assert "src/calc/api.py changed and was read as data while pytest collected" in (
        plan.full_reason
    )


def failures(ran: Ran) -> list[str]:
    """The tests pytest's summary names as failed."""
    lines = str(ran).splitlines()
    return sorted(
        line.split(" - ")[0].removeprefix("FAILED ") for line in lines if line.startswith("FAILED ")
    )


# The inner session's sh children, which the outer gate sees too, cannot be followed.
@pytest.mark.child_reads(*RUNNER_FILES)
def test_a_data_file_edit_reruns_exactly_its_readers_with_a_full_runs_verdict(
    extended: Path,
) -> None:
    """A data file's readers: a test that opened it, one whose (followed) child opened it, one
    that declares it for a child nobody can follow; and test_undeclared, which always runs. Two
    of them fail under the edit, as in a full run of the same tree, with the same total."""
    edit(extended, "tests/data/table.json", '"limit": 10', '"limit": 11')
    code, selective = gate(extended, select=True)
    assert code == 1, selective
    assert selected(selective) == "4 of 11 run, 7 unaffected"
    assert "2 failed, 2 passed, 1 deselected in" in selective  # test_declared left out
    assert failures(selective) == [
        "tests/test_data.py::test_a_child_reads_the_table",
        "tests/test_data.py::test_reads_the_table",
    ], selective
    code, full = gate(extended, select=False)
    assert code == 1, full
    assert "2 failed, 9 passed in" in full
    assert failures(full) == failures(selective)
    assert total(selective) == total(full)


def test_the_gate_process_never_imports_pytest() -> None:
    """Only the pytest it starts does: importing pytest would cost every gate run a third of a
    second (runbook.selection.handoff holds what the gate and its plugin share)."""
    code = "import sys, runbook.selection.testgate; print({'pytest', '_pytest'} & set(sys.modules))"
    env = followed({**os.environ, "PYTHONPATH": str(SRC)})
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "set()"


@pytest.mark.parametrize(
    "reports",
    [[], ["term"], ["term-missing", "json:c.json"], ["json:c.json"], ["xml:c.xml"], ["html:h"]],
)
def test_the_total_is_the_same_whichever_report_gives_it(
    tmp_path: Path, reports: list[str]
) -> None:
    """The verdict takes the total from the first report it writes (one analysis of every file,
    not two): each kind gives the total of a report of its own."""
    (tmp_path / "pyproject.toml").write_text("[tool.coverage.run]\nbranch = true\n")
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    if x:\n        return 1\n    return 2\n\n\nf(1)\n")
    data = CoverageData(str(tmp_path / "data.db"))
    data.add_arcs({str(module): {(-1, 1), (1, 7), (7, -1), (-2, 2), (2, 3), (3, -2)}})
    data.write()
    out = io.StringIO()
    reports = [r.replace(":", f":{tmp_path}/") for r in reports]
    got = verdict.report(tmp_path, tmp_path / "data.db", 80, reports, out)
    assert (got.total, got.reached) == (71.43, False)  # 4 of 5 lines and 1 of 2 branches
    assert "Coverage total 71.43%, floor 80%: not reached" in out.getvalue()


def test_reports_from_one_analysis_are_those_of_an_analysis_each(tmp_path: Path) -> None:
    """The verdict analyses each file once for all its reports (verdict.AnalysedOnce): the
    reports are byte for byte those of a coverage.py that analyses the files again per report."""
    (tmp_path / "pyproject.toml").write_text("[tool.coverage.run]\nbranch = true\n")
    first, second = tmp_path / "m.py", tmp_path / "n.py"
    first.write_text("def f(x):\n    if x:\n        return 1\n    return 2\n\n\nf(1)\n")
    second.write_text("def g():\n    return 3\n\n\nif __name__ == 'x':\n    g()\n")
    data = CoverageData(str(tmp_path / "data.db"))
    data.add_arcs({str(first): {(-1, 1), (1, 7), (7, -1), (-2, 2), (2, 3), (3, -2)}})
    data.add_arcs({str(second): {(-1, 1), (1, 5), (5, -1)}})
    data.write()
    kinds = ["term", "json", "xml", "term-missing"]

    analysed: list[str] = []

    def counted(*args: Any) -> Any:
        analysed.append(args[3])
        return analysis_from_file_reporter(*args)

    data_file, config_file = str(tmp_path / "data.db"), str(tmp_path / "pyproject.toml")
    with pytest.MonkeyPatch.context() as patch:
        # Coverage._analyze calls it by this name: one call, one analysis of one file.
        patch.setattr("coverage.control.analysis_from_file_reporter", counted)
        once = report_texts(
            verdict.AnalysedOnce(data_file=data_file, config_file=config_file), tmp_path, kinds
        )
        assert sorted(analysed) == sorted([str(first), str(second)])  # once each, four reports
        analysed.clear()
        each = report_texts(Coverage(data_file=data_file, config_file=config_file), tmp_path, kinds)
        assert len(analysed) == 2 * len(kinds)
    assert once == each
    assert all("m.py" in text and "n.py" in text for text in once)
