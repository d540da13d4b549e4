"""Selection under state that outlives a test (runbook.selection.isolation, impact's import-time
rules), end to end on a throwaway project: each edit here gave a selective pass where a full run
failed before the tests gate reset that state or counted it.

The project runs in one pytest process (``workers = 0``): which test ran before which is then
fixed, as the cases need (test_a_fill.py's tests run before test_b_use.py's). The full run is
made once (``baseline``); each test edits a pristine copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from test_testgate import edit, gate, gate_env, make_baseline, planned, total

from support import THROWAWAY_ADDOPTS, Baseline, Ran, run_testgate_here

STATE = {
    "pyproject.toml": f"""\
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]
        addopts = {THROWAWAY_ADDOPTS}

        [tool.coverage.run]
        source = ["src"]
        branch = true

        [tool.runbook]
        workers = 0
        """,
    ".gitignore": ".runbook/\n__pycache__/\n",
    "src/calc/__init__.py": "",
    "src/calc/table.py": """\
        import functools
        import os

        LIMIT = 10


        def _decode(k):
            return 2 * k


        @functools.cache
        def table():
            return {k: _decode(k) for k in range(3)}


        def scale():
            return int(os.environ.get("CALC_SCALE", "2"))


        def limit():
            return LIMIT


        def unused(x):
            if x:
                return 1
            return 2
        """,
    "src/calc/other.py": """\
        def triple(x):
            return 3 * x
        """,
    "tests/test_a_fill.py": """\
        import os
        import string

        from calc import table


        def test_fills_the_cache():
            assert len(table.table()) == 3


        def test_reads_the_cache_again():
            assert table.table()[1] == 2


        def test_leaves_state_behind():
            pass
        """,
    "tests/test_b_use.py": """\
        import string
        from pathlib import Path

        from calc import table
        from calc.other import triple


        def test_reads_the_table():
            assert table.table()[2] == 4


        def test_reads_the_environment():
            assert table.scale() == 2


        def test_reads_a_module_attribute():
            assert table.limit() == 10


        def test_reads_the_working_directory():
            assert Path("pyproject.toml").is_file()


        def test_reads_a_library_attribute():
            assert string.digits == "0123456789"


        def test_triple():
            assert triple(2) == 6
        """,
}
TESTS = 9


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return make_baseline(tmp_path_factory.mktemp("state"), STATE)


@pytest.fixture
def project(baseline: Baseline) -> Path:
    return baseline.restore()


def full_reference(root: Path, extra: Sequence[str] = ("--runbook-isolation",)) -> tuple[int, Ran]:
    """A full run of the edited tree that stores nothing (an extra pytest argument), listing what
    the gate put back after each test (in this process: support.run_testgate_here)."""
    return run_testgate_here(root, ["--cov-fail-under=50", *extra], gate_env(False))


def test_a_function_called_only_through_a_filled_cache_selects_its_users(project: Path) -> None:
    """``_decode`` runs only inside the cached ``table()``: test_fills_the_cache computed the
    entry, test_reads_the_cache_again (same module) only hit it, test_reads_the_table (another
    module, the cache cleared in between) computed it again. Before: only the first was
    selected, which passes under the edit; a full run failed."""
    edit(project, "src/calc/table.py", "    return 2 * k", "    return 3 * k")
    code, out = gate(project, select=True)
    assert code == 1, out
    assert out.result.selection == f"3 of {TESTS} run, {TESTS - 3} unaffected"
    assert "2 failed, 1 passed" in out
    assert "test_reads_the_cache_again" in out
    assert "test_reads_the_table" in out


def test_a_cached_body_selects_its_users_and_state_a_test_leaves_is_put_back(
    baseline: Baseline, project: Path
) -> None:
    """Two edits, one full run to compare with (each costs a pytest process).

    The body of a ``functools.cache``d function: before, any body edit of a decorated function
    ran the whole suite; now it selects the tests that computed or used its results (the
    gate's own decision, in process), with a full run's total.

    A test body that sets an environment variable, changes directory, rebinds a project
    module's attribute and a library's: its own module reruns and passes; a full run without
    resets failed four tests of test_b_use.py (they are not selected: they never ran the edit).
    test_reads_the_table, selected by the cached body, runs after the leaking test in the same
    process, and passes: the state was put back in the selective run too."""
    body = "    rows = {k: _decode(k) for k in range(3)}\n    return rows"
    edit(project, "src/calc/table.py", "    return {k: _decode(k) for k in range(3)}", body)
    plan, _ = planned(project)
    assert not plan.full_reason
    assert plan.collect == {"tests/test_a_fill.py", "tests/test_b_use.py"}
    users = {
        "tests/test_a_fill.py::test_fills_the_cache",
        "tests/test_a_fill.py::test_reads_the_cache_again",
        "tests/test_b_use.py::test_reads_the_table",
    }
    assert len(plan.unaffected) == TESTS - len(users)
    assert not users & plan.unaffected
    leaks = (
        '    os.environ["CALC_SCALE"] = "3"\n'
        '    os.chdir("src")\n'
        "    table.LIMIT = 11\n"
        '    string.digits = "x"\n'
    )
    edit(project, "tests/test_a_fill.py", "    pass\n", leaks)
    code, selective = gate(project, select=True)
    assert code == 0, selective
    # the cached body's three users and test_leaves_state_behind (its module was edited)
    assert selective.result.selection == f"4 of {TESTS} run, {TESTS - 4} unaffected"
    assert "4 passed, 5 deselected" in selective
    code, full = full_reference(project)
    assert code == 0, full
    assert f"{TESTS} passed" in full
    put_back = "tests/test_a_fill.py::test_leaves_state_behind: env CALC_SCALE, cwd, attr "
    assert put_back in full, full
    assert "attr calc.table.LIMIT" in full
    assert "attr string.digits" in full
    assert total(selective) == total(full)
    assert total(selective) != total(baseline.output)  # one more statement, run


def test_a_test_modules_top_level_code_runs_the_whole_suite(project: Path) -> None:
    """A library attribute patched by a test module at collection breaks other modules' tests;
    before, only the edited module's tests ran."""
    edit(project, "tests/test_a_fill.py", "import string\n", 'import string\nstring.digits = "x"\n')
    plan, _ = planned(project)
    assert "tests/test_a_fill.py changed outside its tests' bodies" in plan.full_reason
    assert "import-time code" in plan.full_reason
