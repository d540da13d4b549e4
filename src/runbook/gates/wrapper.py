"""Run a gate's tool inside the gate's nox session and hand its result over as data.

``python -m runbook.gates.wrapper GATE OUT_DIR -- ARGV...`` runs ARGV (the tool, with its
machine-output arguments), shows a person what the tool said, and writes ``OUT_DIR/result.json``
(``runbook.records.handover``): the tool's own exit code, the status it means for the gate and
the tool's counts line. It exits with the tool's code, so nox reports the session as failed too.

The noxfile runs every gate's command under this wrapper, except a command that writes its own
result (``Gate.writes_result``: the tests and types gates' launchers, which run the tool through
``tool_report``). A tool that prints its machine output (``Tool.stdout_file``) has it kept in
that file; the log then shows the human text
rebuilt from it (its stderr passes through). What passes through is kept (its tail) for the
tool's summary line, computed here by the tool's module. Stdlib-only, like the gate table: it
runs in every gate's environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from runbook.gates.table import GATES, Gate, select
from runbook.records import handover
from runbook.records.handover import GateReport
from runbook.records.result import Status

TAIL_BYTES = 64 * 1024
"""How much of a tool's output is kept to find its counts line (it comes last)."""
USAGE = "usage: python -m runbook.gates.wrapper GATE OUT_DIR -- COMMAND..."
MISSING_PROGRAM = 127
"""The shell's exit code for a program that is not there."""


def tee(
    argv: Sequence[str],
    sink: BinaryIO,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    machine: BinaryIO | None = None,
) -> tuple[int, str]:
    """Run ``argv`` with its output passed to ``sink`` as it comes (its stdout goes to
    ``machine`` instead, when given); its exit code and the last ``TAIL_BYTES`` of what it
    passed."""
    tail = bytearray()
    with subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE if machine is None else machine,
        stderr=subprocess.STDOUT if machine is None else subprocess.PIPE,
    ) as proc:
        passed = proc.stdout if machine is None else proc.stderr
        assert passed is not None  # noqa: S101 (a pipe)
        fd = passed.fileno()
        while chunk := os.read(fd, 65536):
            sink.write(chunk)
            sink.flush()
            tail += chunk
            del tail[:-TAIL_BYTES]
        code = proc.wait()
    return code, tail.decode("utf-8", "replace")


def run_tool(gate: Gate, argv: Sequence[str], out_dir: Path, sink: BinaryIO) -> int:
    """Run the gate's tool, write its ``result.json`` into ``out_dir``; the tool's exit code."""
    report = tool_report(gate, argv, out_dir, sink)
    handover.write(handover.path_in(out_dir), report)
    return report.exit_code


def tool_report(
    gate: Gate, argv: Sequence[str], out_dir: Path, sink: BinaryIO, cwd: Path | None = None
) -> GateReport:
    """Run the gate's tool (in ``cwd``; its machine output into ``out_dir``) and say what it
    did: the result a gate's launcher adds to (``runbook.typeselect.typegate``) before writing
    it."""
    tool = gate.tool
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        if tool.stdout_file:  # its stderr passes through; the log gets the rebuilt text too
            with (out_dir / tool.stdout_file).open("wb") as machine:
                code, errors = tee(argv, sink, cwd=cwd, machine=machine)
            rebuilt = tool.human_text(out_dir)
            sink.write(f"{rebuilt}\n".encode())
            sink.flush()
            text = f"{errors}\n{rebuilt}"
        else:
            code, text = tee(argv, sink, cwd=cwd)
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        reason = f"Program {argv[0]} not found." if missing else f"cannot start {argv[0]!r}: {exc}"
        sink.write(f"runbook: {reason}\n".encode())
        code = MISSING_PROGRAM
        return GateReport(gate=gate.name, status=Status.ERROR, exit_code=code, reason=reason)
    summary = tool.summarize(text)
    return GateReport(
        gate=gate.name,
        status=gate.status_for(code),
        exit_code=code,
        summary=summary,
        counts=handover.counts_of(summary),
    )


def main(argv: Sequence[str], gates: tuple[Gate, ...] = GATES) -> int:
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write(USAGE + "\n")
        return 2
    try:
        (gate,) = select([argv[0]], gates)
    except ValueError as exc:
        sys.stderr.write(f"runbook.gates.wrapper: error: {exc}\n")
        return 2
    sys.stdout.flush()
    code = run_tool(gate, argv[3:], Path(argv[1]), sys.stdout.buffer)
    return code if 0 <= code < 256 else 128 + abs(code) % 128


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
