"""The runner's side of test selection: which runs ask the tests gate to select, and how a
selective gate's counts and notices reach the gate table."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook.gates.settings import SELECT_ENV, Settings
from runbook.run import Mode, Run, perform
from support import direct, python_gate


@pytest.mark.parametrize(
    ("mode", "full", "expected"),
    [
        ("runbook", False, "select"),
        ("runbook", True, "full"),
        ("release", False, "full"),
        ("patch", False, "full"),
    ],
)
def test_only_the_soft_runbook_without_full_selects_tests(
    tmp_path: Path, mode: Mode, full: bool, expected: str
) -> None:
    run = Run(root=tmp_path, settings=Settings(), mode=mode, full=full)
    assert run.child_env()[SELECT_ENV] == expected
    assert run.reads_cache is (mode == "runbook" and not full)


def test_counts_show_as_the_pass_reason_and_notices_under_the_table(tmp_path: Path) -> None:
    gate = python_gate(
        "tests",
        'print("3 passed, 5 deselected in 0.1s")',
        selection="3 of 8 run, 5 unaffected",
        notices=("tests: something the user should know",),
    )
    outcome = perform(
        Run(root=tmp_path, settings=Settings(timeout=30), gates=(gate,), launcher=direct)
    )
    (result,) = outcome.report.results
    assert result.reason == "3 of 8 run, 5 unaffected"
    assert outcome.report.warnings == ("tests: something the user should know",)
