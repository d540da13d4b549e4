"""The manual, the README and the Makefile say what the code does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runbook.gates.settings import load
from runbook.gates.table import GATES, Gate

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = (ROOT / "docs" / "ops" / "RUNBOOK.md").read_text("utf-8")


def gate_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in RUNBOOK.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip("|").split("|")]
    return rows


@pytest.mark.parametrize("gate", GATES, ids=lambda gate: gate.name)
def test_runbook_gate_table_matches_the_code(gate: Gate) -> None:
    rows = gate_rows()
    assert gate.name in rows, f"gate {gate.name} missing from docs/ops/RUNBOOK.md section 3"
    _, projector, command, group, required = rows[gate.name]
    assert projector == gate.projector
    threshold = load(ROOT, env={}).cov_fail_under
    assert command.split("`")[1] == " ".join(gate.argv(threshold))
    assert group == f"`{' '.join(gate.groups)}`"
    expected = "release" if gate.release_only else ("yes" if gate.required else "optional")
    assert required == expected


def test_no_gate_in_the_manual_that_the_code_lacks() -> None:
    assert set(gate_rows()) == {gate.name for gate in GATES}


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make runbook", "make test"]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.child_reads("Makefile")  # make's help recipe greps the Makefile
def test_make_help_lists_every_target_with_its_purpose() -> None:
    out = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True
    ).stdout
    described = dict(line.split(None, 1) for line in out.splitlines()[1:] if line.strip())
    wanted = {"help", "runbook", "release", "lint", "format", "test", "types"}
    wanted |= {"tokenizer-smoke", "fix", "clean"}
    assert wanted <= set(described)
    for target in set(described) - {"help"}:
        assert f"make {target}" in RUNBOOK, f"make {target} is not in the manual"


@pytest.mark.parametrize("gate", [g for g in GATES if not g.release_only], ids=lambda g: g.name)
def test_every_gate_has_a_make_target(gate: Gate) -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert f"$(NOX) -s {gate.name} -- $(ARGS)" in makefile
