"""The types gate: pyright strict, on every file or on those a change can affect.

``python -m runbook.typeselect.typegate [PYRIGHT ARGS]`` runs in the types environment (nox
session ``types``; the gate table adds ``--outputjson``, whose output is kept in
``.runbook/machine/types/pyright.json``).

* Full run (the default; ``release``, ``patch``, ``runbook --full``, ``nox -s types``, and any
  run with extra pyright arguments): ``pyright`` on its configured files. When it finds nothing
  at all (no error, warning or information), the tree it saw becomes the baseline
  (``runbook.typeselect.baseline``), unless a file changed during the run.
* Selective run (the soft runbook sets ``RUNBOOK_TEST_SELECTION=select``): ``plan.decide``
  compares the tree with the baseline and pyright checks only the changed files and the files
  that import them at any depth, given on its command line (pyright then checks exactly those
  files with the same configuration, strictness and import resolution). A clean selective run
  moves the baseline forward; a failing one leaves it, so the next run checks the failing
  files again. When no file changed, pyright is not started.

Why a selective verdict is a full run's. pyright checks each file on its own: a file's
diagnostics are a function of its text, the configuration, the environment (pyright, its
typeshed, the interpreter's search paths and installed packages) and the declarations of the
modules it imports, which depend in turn on those modules' text and imports: the file's import
closure. The baseline tree had no diagnostic in any file. A file outside the changed files'
reverse closure has the same text and the same import closure (no file added or deleted, no
root moved, so every import resolves as before) under the same configuration and environment
(else every file is checked): its diagnostics are still none. So a full run's diagnostics are
exactly those of the files the selective run checks, which it reports. What forces a full run
is listed in ``runbook.typeselect.plan``; it rests on pyright giving a file the same
diagnostics whichever other files are checked with it (its results do not depend on the order
of evaluation), which ``benchmarks/bench_patch.py`` and tests/test_typegate.py compare.

The gate hands its result to the runner as data (``result.json``: exit code, counts, the
selection line "12 of 134 files checked", the notices shown under the table).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, TextIO

from runbook.gates.settings import SELECT_ENV
from runbook.gates.table import GATES, Gate
from runbook.gates.tools import MachineOutputError, output_dir
from runbook.gates.tools import pyright as pyright_tool
from runbook.gates.wrapper import tool_report
from runbook.records import handover
from runbook.records.handover import GateReport
from runbook.records.result import Status
from runbook.typeselect import baseline, environment, project
from runbook.typeselect.baseline import Baseline, BaselineError
from runbook.typeselect.environment import EnvironmentProbeError, Fingerprint
from runbook.typeselect.plan import Imports, Plan, decide, next_baseline, read_imports
from runbook.typeselect.project import ConfigError, Tree

PROGRAM = "pyright"
FULL = "types: every file checked: "


def types_gate() -> Gate:
    return next(gate for gate in GATES if gate.name == "types")


@dataclass
class Facts:
    """What this run hands over besides pyright's own result."""

    out: TextIO
    sink: BinaryIO
    """Where pyright's own output passes (the gate's log)."""
    notices: list[str] = field(default_factory=list[str])
    selection: str = ""

    def notice(self, text: str) -> None:
        self.notices.append(text)
        self.out.write(f"notice: {text}\n")
        self.out.flush()


@dataclass(frozen=True)
class State:
    """The tree and environment before the run, when they could be read."""

    fingerprint: Fingerprint
    tree: Tree
    machinery: str


def read_state(root: Path) -> State:
    """``EnvironmentProbeError``, ``ConfigError`` or OSError when the selection cannot see."""
    found = environment.fingerprint(root)
    return State(found, project.scan(root, found.search_paths), baseline.machinery())


def pyright(
    gate: Gate, root: Path, args: Sequence[str], files: Sequence[str], facts: Facts
) -> GateReport:
    facts.out.flush()
    out_dir = output_dir(root, gate.name)
    return tool_report(gate, [PROGRAM, *args, *files], out_dir, facts.sink, cwd=root)


def counts(root: Path, gate: Gate) -> pyright_tool.Checked | None:
    try:
        return pyright_tool.checked(output_dir(root, gate.name))
    except (MachineOutputError, OSError, ValueError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gate in the current directory and write its ``result.json``."""
    args = list(sys.argv[1:] if argv is None else argv)
    code = gate_run(Path.cwd().resolve(), args, Facts(sys.stdout, sys.stdout.buffer)).exit_code
    return code if 0 <= code < 256 else 128 + abs(code) % 128


def gate_run(root: Path, args: Sequence[str], facts: Facts) -> GateReport:
    """Run the gate on the project at ``root``; its result, also written as ``result.json``."""
    gate = types_gate()
    report = run(root, gate, args, facts)
    report = replace(report, selection=facts.selection, notices=tuple(facts.notices))
    handover.write(handover.path_in(output_dir(root, gate.name)), report)
    return report


def run(root: Path, gate: Gate, args: Sequence[str], facts: Facts) -> GateReport:
    extra = [arg for arg in args if arg not in gate.tool.machine_args]
    selecting = os.environ.get(SELECT_ENV) == "select" and not extra
    try:
        state: State | None = read_state(root)
    except (EnvironmentProbeError, ConfigError, OSError) as exc:
        state = None
        if selecting:
            facts.notice(f"{FULL}the selection cannot read the tree: {exc}")
    known: Baseline | None = None
    try:
        known = baseline.load(root) if state is not None else None
    except BaselineError as exc:
        if selecting:
            facts.notice(FULL + str(exc))
    if selecting and state is not None and known is not None:
        plan, found = decide(root, known, state.tree, state.fingerprint.digest, state.machinery)
        if plan.full_reason:
            facts.notice(FULL + plan.full_reason)
        else:
            report = selective(root, gate, args, plan, facts)
            if report is not None:
                if report.exit_code == 0 and not extra:
                    record(root, gate, state, found, facts, expected=len(plan.files))
                return report
    report = pyright(gate, root, args, (), facts)
    if state is not None and not extra and report.exit_code == 0:
        found = read_imports(root, state.tree, known)
        record(root, gate, state, found, facts, expected=len(state.tree.checked))
    return report


def selective(
    root: Path, gate: Gate, args: Sequence[str], plan: Plan, facts: Facts
) -> GateReport | None:
    """Check ``plan.files``; None when pyright did not check exactly them (then every file is
    checked)."""
    facts.selection = f"{len(plan.files)} of {plan.total} files checked"
    if not plan.files:
        facts.out.write(
            "types: no checked file changed since the last clean run: pyright was not started\n"
        )
        pyright_tool.not_started(output_dir(root, gate.name), "no checked file changed")
        summary = "0 errors"
        return GateReport(
            gate=gate.name,
            status=Status.PASS,
            exit_code=0,
            summary=summary,
            counts=handover.counts_of(summary),
        )
    facts.out.write(f"types: checking {len(plan.files)} of {plan.total} files\n")
    report = pyright(gate, root, args, plan.files, facts)
    seen = counts(root, gate)
    if report.status is not Status.ERROR and (seen is None or seen.files != len(plan.files)):
        checked = "an unknown number" if seen is None else str(seen.files)
        facts.selection = ""
        facts.notice(f"{FULL}pyright checked {checked} of the {len(plan.files)} files given")
        return None
    return report


def record(
    root: Path, gate: Gate, state: State, found: Imports, facts: Facts, *, expected: int
) -> None:
    """Make the tree just found clean the baseline, when it is: nothing found at all, pyright
    checked the files it was meant to, every import readable, nothing changed meanwhile."""
    seen = counts(root, gate)
    if seen is None or seen.diagnostics:
        return  # warnings or information: not clean, the baseline stays where it was
    if seen.files != expected:
        facts.notice(
            f"types: pyright checked {seen.files} files where the selection counts {expected}; "
            "no baseline recorded (the selection's file list does not match pyright's)"
        )
        return
    if found.unreadable:
        name, why = next(iter(sorted(found.unreadable.items())))
        facts.notice(f"types: cannot read the imports of {name} ({why}); no baseline recorded")
        return
    try:
        after = project.scan(root, state.fingerprint.search_paths)
        if after.files != state.tree.files or after.config != state.tree.config:
            facts.notice("types: files changed during the run; no baseline recorded")
            return
        baseline.save(
            root,
            next_baseline(
                root,
                state.tree,
                found,
                environment=state.fingerprint.digest,
                machinery=state.machinery,
            ),
        )
    except (OSError, ConfigError) as exc:
        facts.notice(f"types: could not record the baseline: {exc}")


if __name__ == "__main__":
    sys.exit(main())
