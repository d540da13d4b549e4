"""Command line of the gate runner: ``python -m runbook run|list|collect``.

``nox -s runbook`` and ``nox -s release`` call ``main`` in-process, so Ctrl-C reaches this code
directly and the report is written before nox regains control.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, cast

from runbook.gates import settings, table
from runbook.records.result import Status
from runbook.reports import annotations, collect, findings_cli
from runbook.run import TRACK_ENV, Mode, Run, perform
from runbook.running import treelock

EXIT_INTERRUPTED = 130


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number, not {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be at least 1, not {jobs}")
    return jobs


def _threshold(value: str) -> float:
    try:
        return settings.parse_threshold(value, "--cov-fail-under")
    except settings.SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _timeout(value: str) -> float:
    try:
        return settings.parse_timeout(value, "--timeout")
    except settings.SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the gates and print the gate table")
    run.add_argument("--mode", choices=["runbook", "release"], default="runbook")
    run.add_argument("--jobs", "-j", type=_jobs, help="gates at once (default: cores)")
    run.add_argument("--timeout", type=_timeout, help="seconds per gate before it is killed")
    run.add_argument("--cov-fail-under", type=_threshold, help="coverage threshold, 0-100")
    run.add_argument(
        "--gates", nargs="+", metavar="GATE", help=f"only these ({', '.join(table.names())})"
    )
    run.add_argument(
        "--mlflow",
        action="store_true",
        help="log the run to MLflow (also CODEX_MLFLOW=1); see docs/ops/RUNBOOK.md",
    )
    run.add_argument("--no-cache", action="store_true", help="run every gate, ignore cached passes")
    run.add_argument(
        "--full", action="store_true", help="no shortcuts: no cached passes, every test runs"
    )
    run.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)

    sub.add_parser("list", help="the gate table")

    col = sub.add_parser("collect", help="gate table from CI's per-gate nox reports and logs")
    col.add_argument("directory", type=Path)

    found = sub.add_parser(
        "findings", help="every finding of the last run (path:line:col code message)"
    )
    found.add_argument("--json", action="store_true", help="as JSON, per gate")
    found.add_argument("--gate", help="only this gate's")
    found.add_argument(
        "--path", help="only findings in this file, folder (src/) or glob (src/*/io.py)"
    )
    found.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    if args.command == "list":
        for gate in table.GATES:
            kind = (
                "release only"
                if gate.release_only
                else ("required" if gate.required else "optional")
            )
            out.write(f"{gate.name:<8} {gate.projector:<16} {kind:<12} {' '.join(gate.command)}\n")
        return 0
    if args.command == "collect":
        return collect.main(cast(Path, args.directory), out)
    if args.command == "findings":
        return findings_cli.main(
            cast(Path, args.root), args.gate, bool(args.json), out, path=args.path
        )
    return _run(args, out)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here, not at the top: the noxfile imports this module, and CI's `collect` step
    # runs it in a bare interpreter; both need only the standard library. `run` has rich (the
    # tools environment it runs in).
    from runbook.reports.console import GateProgress, make_console, print_report  # noqa: PLC0415

    root = cast(Path, args.root).resolve()
    if args.gates and args.mode == "release":
        out.write("runbook: error: release runs every gate; --gates is for the runbook\n")
        return 2
    try:
        base = settings.load(root)
        chosen = table.select(args.gates) if args.gates else table.GATES
    except ValueError as exc:
        out.write(f"runbook: error: {exc}\n")
        return 2
    threshold = cast(float | None, args.cov_fail_under)
    timeout = cast(float | None, args.timeout)
    screen = make_console(out)
    progress = GateProgress(screen)
    run = Run(
        root=root,
        settings=settings.Settings(
            cov_fail_under=base.cov_fail_under if threshold is None else threshold,
            timeout=timeout or base.timeout,
            skip=base.skip,
        ),
        mode=cast(Mode, args.mode),
        gates=chosen,
        on_start=progress.started,
        on_result=progress.finished,
        use_cache=not args.no_cache,
        full=bool(args.full),
        # The track session reads and checks the MLflow settings itself (the runner does not
        # import the library): it runs when asked for, and logs nothing when CODEX_MLFLOW is off.
        track=bool(args.mlflow) or bool(os.environ.get(TRACK_ENV, "").strip()),
        track_forced=bool(args.mlflow),
    )
    if args.jobs:
        run.jobs = args.jobs
    try:
        with progress:
            outcome = perform(run)
    except treelock.WaitInterruptedError:
        out.write("runbook: interrupted while waiting for the other runbook; nothing changed\n")
        return EXIT_INTERRUPTED
    except treelock.LockError as exc:
        out.write(f"runbook: error: {exc}\n")
        return 2
    for entry in outcome.questions:
        out.write(f"\nrunbook: appended to Codex_Questions.md:\n{entry}")
    out.write("\n")
    print_report(outcome.report, screen)
    annotations.emit(outcome.report.results, run.env, out)
    if outcome.interrupted:
        out.write("runbook: interrupted; the report holds the gates that finished\n")
        return EXIT_INTERRUPTED
    return outcome.report.exit_code


__all__ = ["Status", "main"]
