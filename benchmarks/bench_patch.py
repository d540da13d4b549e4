"""Patch to verdict: a runbook after a small edit against a full run of the same tree.

    nox -s bench -- patch

On a throwaway clone of this repository (committed state) with warm gate environments, applies
a series of small edits one after another: code edits in ``ingestion``, ``codex_ml`` and
``runbook``, an edit of a test module, an edit that breaks tests (then its revert), a signature
edit that breaks the types gate in modules it does not touch (then its revert), and a change to a
non-Python input. After each edit it runs ``nox -s runbook`` (cache and test selection on)
and then ``nox -s runbook -- --no-cache --full`` on the same tree, and compares every gate's
status and the coverage total (to 0.01 percentage points).

Prints each edit's time, the median, its ratio to a full warm run (the median of the full runs
measured in the same session; target <= 0.1x, issue 21) and every disagreement (target: none).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from user_env import user_env

from runbook.gates.tools import output_dir
from runbook.gates.tools.pytest import COVERAGE

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edit:
    name: str
    path: str
    old: str
    new: str


EDITS = (
    Edit(
        "ingestion: function body",
        "src/ingestion/declared.py",
        '    for name in (label, _LABELS.get(label, label), label.removeprefix("x-")):',
        '    candidates = (label, _LABELS.get(label, label), label.removeprefix("x-"))\n'
        "    for name in candidates:",
    ),
    Edit(
        "codex_ml: function body",
        "src/codex_ml/interfaces/tokenizer.py",
        "        value = raw.strip().lower()",
        "        value = raw.lower().strip()",
    ),
    Edit(
        "runbook: function body",
        "src/runbook/gates/reasons.py",
        "    for line in reversed(log.splitlines()):",
        "    lines = log.splitlines()\n    for line in reversed(lines):",
    ),
    Edit(
        "test module: a new test",
        "tests/test_ingestion_detect.py",
        "",
        '\n\ndef test_added_by_the_patch_benchmark() -> None:\n    assert "x".upper() == "X"\n',
    ),
    Edit(
        "ingestion: breaks tests",
        "src/ingestion/declared.py",
        "    candidates = (label,",
        "    return None\n    candidates = (label,",
    ),
    Edit(
        "ingestion: the break reverted",
        "src/ingestion/declared.py",
        "    return None\n    candidates = (label,",
        "    candidates = (label,",
    ),
    Edit(
        "types: a signature breaks importers",
        "src/ingestion/utils.py",
        "def fold_newlines(text: str) -> str:",
        "def fold_newlines(text: str) -> str | None:",
    ),
    Edit(
        "types: the break reverted",
        "src/ingestion/utils.py",
        "def fold_newlines(text: str) -> str | None:",
        "def fold_newlines(text: str) -> str:",
    ),
    Edit("non-Python input: the manual", "docs/ops/RUNBOOK.md", "", "\nEdited by a benchmark.\n"),
)


def apply(clone: Path, edit: Edit) -> None:
    path = clone / edit.path
    text = path.read_text("utf-8")
    if not edit.old:
        path.write_text(text + edit.new, "utf-8")
        return
    if text.count(edit.old) != 1:
        raise SystemExit(f"benchmark: {edit.name}: the text to replace is not in {edit.path}")
    path.write_text(text.replace(edit.old, edit.new), "utf-8")


Measured = dict[str, frozenset[str]]
"""Per source file what the tests gate's coverage.json says ran: lines and branches (``12->14``)."""


@dataclass(frozen=True)
class Outcome:
    seconds: float
    statuses: dict[str, str]
    coverage: float | None
    tests_reason: str
    types_reason: str
    measured: Measured
    percent: float | None
    """coverage.json's total, unrounded."""


def coverage_json(clone: Path) -> dict[str, Any]:
    """The tests gate's coverage.json of this run (the merged data in a selective run)."""
    try:
        return cast(
            dict[str, Any], json.loads((output_dir(clone, "tests") / COVERAGE).read_text("utf-8"))
        )
    except (OSError, ValueError):
        return {}


def measured(report: dict[str, Any]) -> Measured:
    found: Measured = {}
    for name, entry in cast(dict[str, dict[str, Any]], report.get("files", {})).items():
        lines = {str(n) for n in cast(list[int], entry.get("executed_lines", []))}
        arcs = cast(list[list[int]], entry.get("executed_branches", []))
        found[name] = frozenset(lines | {f"{a}->{b}" for a, b in arcs})
    return found


def measured_differences(selective: Measured, full: Measured) -> list[str]:
    """Lines and branches one run measured and the other did not, per file."""
    found: list[str] = []
    for name in sorted(selective.keys() | full.keys()):
        mine, theirs = selective.get(name, frozenset()), full.get(name, frozenset())
        for label, only in (("runbook", mine - theirs), ("full", theirs - mine)):
            if only:
                found.append(f"{name}: only in the {label} run: {', '.join(sorted(only))}")
    return found


def runbook(clone: Path, env: dict[str, str], *args: str) -> Outcome:
    argv = [sys.executable, "-m", "nox", "--non-interactive", "-s", "runbook", "--", *args]
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    try:
        report = cast(
            dict[str, Any], json.loads((clone / ".runbook" / "report.json").read_text("utf-8"))
        )
    except (OSError, ValueError) as exc:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise SystemExit(f"benchmark: no report from {' '.join(argv)} ({exc}):\n{tail}") from exc
    gates = cast(list[dict[str, Any]], report["gates"])
    report_json = coverage_json(clone)
    tests = next((g for g in gates if g["name"] == "tests"), dict[str, Any]())
    types = next((g for g in gates if g["name"] == "types"), dict[str, Any]())
    return Outcome(
        seconds=seconds,
        statuses={str(g["name"]): str(g["status"]) for g in gates},
        coverage=cast(float | None, tests.get("coverage")),
        tests_reason=str(tests.get("reason", "")),
        types_reason=str(types.get("reason", "")),
        measured=measured(report_json),
        percent=cast(float | None, report_json.get("totals", {}).get("percent_covered")),
    )


def disagreements(selective: Outcome, full: Outcome) -> list[str]:
    reasons = {
        "tests": (selective.tests_reason, full.tests_reason),
        "types": (selective.types_reason, full.types_reason),
    }
    found: list[str] = []
    for gate, status in full.statuses.items():
        if selective.statuses.get(gate) == status:
            continue
        line = f"{gate}: {selective.statuses.get(gate)} (runbook) vs {status} (full)"
        # Which tests or files failed, on either side: a disagreement says what to look at.
        sides = zip(("runbook", "full"), reasons.get(gate, ("", "")), strict=True)
        found.append(line + "".join(f"; {side}: {why}" for side, why in sides if why))
    if selective.coverage is None or full.coverage is None:
        if selective.coverage != full.coverage:
            found.append(f"coverage: {selective.coverage} (runbook) vs {full.coverage} (full)")
    elif abs(selective.coverage - full.coverage) >= 0.005:  # equal at two decimals
        found.append(f"coverage: {selective.coverage:.2f} (runbook) vs {full.coverage:.2f} (full)")
    # What each measured, even when the totals agree: a gain and a loss can cancel out.
    found.extend(measured_differences(selective.measured, full.measured))
    return found


def main() -> int:
    env = user_env()
    with tempfile.TemporaryDirectory(prefix="bench-patch-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        print(f"clone of {ROOT} at {clone}; {os.cpu_count()} cores (machine shared: see load)")
        runbook(clone, env, "--no-cache", "--full")  # builds the environments, stores selection
        full_runs: list[float] = []  # every full run after an edit is a full warm run
        rows: list[tuple[str, Outcome, Outcome]] = []
        for edit in EDITS:
            apply(clone, edit)
            selective = runbook(clone, env)
            full = runbook(clone, env, "--no-cache", "--full")
            full_runs.append(full.seconds)
            rows.append((edit.name, selective, full))
            coverage = f"{selective.percent or 0:.3f}% vs {full.percent or 0:.3f}%"
            print(
                f"{edit.name:<32} runbook {selective.seconds:6.1f}s  full {full.seconds:6.1f}s  "
                f"coverage {coverage}  "
                f"tests: {selective.tests_reason or selective.statuses.get('tests')}  "
                f"types: {selective.types_reason or selective.statuses.get('types')}",
                flush=True,
            )
        median = statistics.median(row[1].seconds for row in rows)
        full_warm = statistics.median(full_runs)
        print(f"median runbook after an edit        {median:6.1f}s")
        print(f"full warm run (median of {len(full_runs)})        {full_warm:6.1f}s")
        print(f"  ratio (target <= 0.1)             {median / full_warm:.2f}x")
        problems = [(name, d) for name, sel, full in rows for d in disagreements(sel, full)]
        for name, problem in problems:
            print(f"DISAGREEMENT after {name}: {problem}")
        print(f"disagreements: {len(problems)} (target 0)")
        return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
