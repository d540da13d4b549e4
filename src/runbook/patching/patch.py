"""``nox -s patch -- FILE.diff [-m MESSAGE]``: apply a unified diff, run the gates strictly,
commit exactly the patched files when every gate passes, otherwise put everything back.

Safe for an unattended agent: every refusal happens before anything is written; once the diff
is applied, every way out (a failed gate, a failed commit, Ctrl-C, SIGTERM, an exception)
goes through one ``finally`` that restores the patched paths from a snapshot taken just before.
Restoring from a snapshot rather than ``git apply -R`` is deliberate: it does not depend on the
reverse diff still applying (a gate or a half-written apply may have touched a file).

What "as it was" covers: the bytes, mode and existence of every file the diff touches (and any
directory it created), the index (nothing is staged until the gates have passed, and a failed
commit unstages its paths again) and every other tracked or untracked-but-not-ignored file,
which the workflow never writes. Ignored paths (``.runbook/``, ``.nox/``, caches, ``.coverage``,
``Codex_Questions.md``) are where the gate run reports, and are outside the claim.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, cast

from runbook.gates import settings
from runbook.patching.diffs import Diff, DiffError, parse
from runbook.patching.snapshot import restore, snapshot
from runbook.records.result import GateResult, Status
from runbook.reports import capture
from runbook.run import Outcome, Run, git_commit, perform
from runbook.running import gitutil, treelock
from runbook.running.signals import shielded, stop_signals_interrupt

EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130


class RefusedError(ValueError):
    """The patch cannot be applied safely; nothing has been changed."""


# --- the workflow -----------------------------------------------------------------------------


def check(root: Path, diff_file: Path, message: str | None) -> tuple[Diff, str]:
    """Every refusal, before anything is written: the parsed diff and the commit message."""
    try:
        raw = diff_file.read_bytes()
    except OSError as exc:
        raise RefusedError(f"cannot read {diff_file}: {exc.strerror or exc}") from None
    try:
        diff = parse(raw.decode("utf-8", "surrogateescape"))
    except DiffError as exc:
        raise RefusedError(str(exc)) from None
    for path in diff.paths:
        problem = gitutil.path_problem(root, path)
        if problem:
            raise RefusedError(f"the diff touches a path outside the repository: {problem}")
    absolute = str(diff_file.resolve())
    try:
        gitutil.git(root, "apply", "--check", absolute)
        numstat = gitutil.git(root, "apply", "--numstat", "-z", absolute)
    except gitutil.GitError as exc:
        raise RefusedError(f"git apply --check fails: {exc}") from None
    git_paths = {p.split("\t")[-1] for p in gitutil.split_z(numstat)} - {""}
    if not git_paths <= set(diff.paths):
        odd = ", ".join(sorted(git_paths - set(diff.paths)))
        raise RefusedError(f"the diff headers are ambiguous: git would also touch {odd}")
    changed = gitutil.dirty(root, diff.paths)
    if changed:
        listed = ", ".join(f"{path} ({code.strip()})" for path, code in sorted(changed.items()))
        raise RefusedError(f"the diff touches files with uncommitted changes: {listed}")
    chosen = message if message is not None else diff.message
    if not chosen or not chosen.strip():
        raise RefusedError("no commit message: pass -m MESSAGE (the diff carries none)")
    return diff, chosen.strip()


Runner = Callable[[Run], Outcome]
RunFactory = Callable[[Path, TextIO], Run]


def default_run(root: Path, out: TextIO) -> Run:
    """The production run: the real gates as ``nox -s <gate>`` children, strict."""

    def progress(result: GateResult) -> None:
        out.write(f"patch: {result.name} {result.status} ({result.seconds:.1f}s)\n")
        out.flush()

    return Run(root=root, settings=settings.load(root), mode="patch", on_result=progress)


def _capture_commit_failure(run: Run, outcome: Outcome, error: str) -> str:
    """A Codex_Questions.md entry for a commit that failed after every gate passed."""
    result = GateResult(
        name="commit",
        projector="git",
        status=Status.ERROR,
        reason=error.splitlines()[-1] if error else "git commit failed",
        command="git commit --only -- <patched files>",
        step=len(outcome.report.results) + 1,
    )
    context = f"patch at commit {git_commit(run.root)}; the patch was reverted"
    entry = capture.format_entry(result, error, context=context, env=run.env)
    capture.append_entry(run.root / capture.QUESTIONS_FILE, entry)
    return entry


def apply_and_gate(
    root: Path,
    diff_file: Path,
    message: str | None,
    out: TextIO,
    *,
    make_run: RunFactory = default_run,
    runner: Runner = perform,
) -> int:
    """The whole workflow; returns the exit code (0 committed, 1 reverted, 2 refused, 130)."""
    diff, chosen = check(root, diff_file, message)
    paths = diff.paths
    try:
        snap = snapshot(root, paths)
    except IsADirectoryError as exc:
        raise RefusedError(f"{exc.filename!r} is a directory in the work tree") from None
    committed = staged = False
    try:
        with shielded():
            gitutil.git(root, "apply", str(diff_file.resolve()))
        out.write(f"patch: applied {diff_file.name} ({len(paths)} file(s)); running the gates\n")
        run = make_run(root, out)
        outcome = runner(run)
        for entry in outcome.questions:
            out.write(f"\npatch: appended to Codex_Questions.md:\n{entry}")
        out.write("\n")
        # rich only once a table is drawn: the noxfile imports this module (see cli._run).
        from runbook.reports.console import make_console, print_report  # noqa: PLC0415

        print_report(outcome.report, make_console(out))
        if outcome.interrupted:
            raise KeyboardInterrupt
        if not outcome.report.passed:
            out.write("patch: a gate failed; the patch was reverted\n")
            return 1
        try:
            with shielded():
                staged = True
                gitutil.git(root, "add", "--", *paths)
                gitutil.git(root, "commit", "--quiet", "--only", "-m", chosen, "--", *paths)
                committed = True
        except gitutil.GitError as exc:
            entry = _capture_commit_failure(run, outcome, str(exc))
            out.write(f"\npatch: appended to Codex_Questions.md:\n{entry}")
            out.write(f"patch: commit failed, the patch was reverted: {exc}\n")
            return 1
        head = gitutil.git(root, "rev-parse", "--short", "HEAD").decode().strip()
        out.write(f"patch: committed {head}: {chosen.splitlines()[0]}\n")
        return 0
    finally:
        if not committed:
            with shielded():
                if staged:
                    gitutil.git(root, "reset", "--quiet", "--", *paths)
                restore(root, snap)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nox -s patch --",
        description="Apply a unified diff, run the gates strictly, commit it if all pass, "
        "otherwise put the tree back exactly as it was.",
    )
    parser.add_argument("diff", type=Path, metavar="FILE.diff")
    parser.add_argument("-m", "--message", help="commit message (default: from the diff)")
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    *,
    make_run: RunFactory = default_run,
    runner: Runner = perform,
) -> int:
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    start = cast(Path | None, args.root) or Path.cwd()
    try:
        try:
            root = gitutil.toplevel(start)
        except gitutil.GitError as exc:
            raise RefusedError(f"not inside a git work tree: {exc}") from None
        with stop_signals_interrupt(), treelock.hold(root):  # checked and applied after a wait
            return apply_and_gate(
                root,
                cast(Path, args.diff),
                cast(str | None, args.message),
                out,
                make_run=make_run,
                runner=runner,
            )
    except (RefusedError, treelock.LockError) as exc:
        out.write(f"patch: refused, nothing changed: {exc}\n")
        return EXIT_REFUSED
    except gitutil.GitError as exc:
        out.write(f"patch: error, the tree is as it was before the patch: {exc}\n")
        return 1
    except KeyboardInterrupt:
        out.write("patch: interrupted; the tree is as it was before the patch\n")
        return EXIT_INTERRUPTED
