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
import contextlib
import re
import signal
import sys
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO, cast

from runbook import capture, gitutil, settings
from runbook.report import render_terminal, use_colour
from runbook.result import GateResult, Status
from runbook.run import Outcome, Run, git_commit, perform

EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130


class RefusedError(ValueError):
    """The patch cannot be applied safely; nothing has been changed."""


# --- reading the diff -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    old: str | None
    """Path before the change; None when the diff creates the file."""
    new: str | None
    """Path after the change; None when the diff deletes the file."""


@dataclass(frozen=True)
class Diff:
    changes: tuple[FileChange, ...]
    message: str | None
    """The commit message the diff carries (mail Subject, ``git show`` text or a free-text
    preamble), if any."""

    @property
    def paths(self) -> list[str]:
        """Every path the diff reads or writes, each once, sorted."""
        found = {p for c in self.changes for p in (c.old, c.new) if p is not None}
        return sorted(found)


_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Undo git's C-style quoting of a path (``"a/caf\\303\\251.py"``)."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            i += 1
        elif body[i + 1 : i + 2] in _ESCAPES:
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        elif re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            raise RefusedError(f"not a unified diff: bad escape in quoted path {text}")
    return gitutil.decode(bytes(out))


def _header_path(raw: str) -> str | None:
    """The path of a ``---``/``+++`` line, with git's default one leading component stripped."""
    raw = raw.rstrip("\r")
    if not raw.startswith('"'):
        raw = raw.split("\t", 1)[0]  # GNU diff appends a tab and a timestamp
    path = _unquote(raw)
    if path == "/dev/null":
        return None
    if path.startswith("/"):  # git would strip it to a relative path: not what was meant
        raise RefusedError(f"the diff touches a path outside the repository: {path!r} is absolute")
    return path.split("/", 1)[1] if "/" in path else path


def _git_header_paths(rest: str) -> tuple[str, str]:
    """``a/X b/Y`` of a ``diff --git`` line (only used when nothing else names the file)."""
    if rest.startswith('"'):
        match = re.fullmatch(r'("(?:[^"\\]|\\.)*") (.+)', rest)
        if not match:
            raise RefusedError(f"not a unified diff: cannot read 'diff --git {rest}'")
        old, new = _unquote(match.group(1)), _unquote(match.group(2))
    else:
        half = (len(rest) - 1) // 2
        if rest[half : half + 1] == " " and rest[:half][2:] == rest[half + 1 :][2:]:
            old, new = rest[:half], rest[half + 1 :]
        else:
            old, _, new = rest.partition(" b/")
            new = "b/" + new
    return old.split("/", 1)[-1], new.split("/", 1)[-1]


def _skip_hunk(lines: list[str], i: int) -> int:
    """Index after the hunk whose ``@@`` line is ``lines[i]``; a short hunk is an error."""
    match = _HUNK.match(lines[i])
    if not match:
        raise RefusedError(f"not a unified diff: bad hunk header on line {i + 1}")
    old = int(match.group(1) or 1)
    new = int(match.group(2) or 1)
    i += 1
    while old > 0 or new > 0:
        if i >= len(lines):
            raise RefusedError("not a unified diff: the last hunk is cut short")
        line = lines[i].rstrip("\r")
        tag = line[:1]
        if tag in {" ", ""}:
            old, new = old - 1, new - 1
        elif tag == "-":
            old -= 1
        elif tag == "+":
            new -= 1
        elif tag != "\\":
            raise RefusedError(f"not a unified diff: line {i + 1} does not belong to its hunk")
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1  # "\ No newline at end of file" after the last line
    return i


def _message(preamble: list[str]) -> str | None:
    """A commit message from the text before the first file header."""
    lines = [line.rstrip("\r") for line in preamble]
    head = lines[: lines.index("")] if "" in lines else lines
    subject = [i for i, line in enumerate(head) if line.lower().startswith("subject:")]
    if subject:  # git format-patch / mail
        i = subject[0]
        text = lines[i].split(":", 1)[1]
        while i + 1 < len(head) and head[i + 1][:1] in {" ", "\t"}:
            i += 1
            text += " " + head[i].strip()
        title = re.sub(r"^\s*(\[[^\]]*\]\s*)+", "", text).strip()
        body = lines[len(head) + 1 :]
        body = body[: body.index("---")] if "---" in body else body
        text = "\n".join(body).strip()
        return f"{title}\n\n{text}" if text else title or None
    if lines and re.match(r"commit [0-9a-f]{7,}", lines[0]):  # git show / git log -p
        body = lines[len(head) + 1 :]
        return "\n".join(line.removeprefix("    ") for line in body).strip() or None
    text = "\n".join(line for line in lines if line != "---").strip()
    return text or None


def parse(text: str) -> Diff:
    """The files a unified diff touches, read the way ``git apply`` reads them (-p1)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line does not start another
    changes: list[FileChange] = []
    preamble: list[str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            preamble = lines[:i] if preamble is None else preamble
            i = _git_section(lines, i, changes)
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            preamble = lines[:i] if preamble is None else preamble
            old, new = _header_path(line[4:]), _header_path(lines[i + 1][4:])
            if not (i + 2 < len(lines) and lines[i + 2].startswith("@@")):
                raise RefusedError(f"not a unified diff: no hunk after the header on line {i + 1}")
            changes.append(FileChange(old, new))
            i += 2
            while i < len(lines) and lines[i].startswith("@@"):
                i = _skip_hunk(lines, i)
        else:
            i += 1
    if not changes:
        raise RefusedError("not a unified diff: no '--- a/…' / '+++ b/…' file headers found")
    return Diff(tuple(changes), _message(preamble or []))


def _git_section(lines: list[str], i: int, changes: list[FileChange]) -> int:
    """Read one ``diff --git`` section starting at ``lines[i]``; return the index after it."""
    old, new = _git_header_paths(lines[i][len("diff --git ") :].rstrip("\r"))
    created = deleted = False
    i += 1
    while i < len(lines) and not lines[i].startswith(("diff --git ", "--- ", "@@")):
        line = lines[i].rstrip("\r")
        for prefix in ("rename from ", "copy from "):
            if line.startswith(prefix):
                old = _unquote(line[len(prefix) :])
        for prefix in ("rename to ", "copy to "):
            if line.startswith(prefix):
                new = _unquote(line[len(prefix) :])
        created = created or line.startswith("new file mode ")
        deleted = deleted or line.startswith("deleted file mode ")
        i += 1
        if line == "GIT binary patch":
            while i < len(lines) and not lines[i].startswith("diff --git "):
                i += 1
    if i < len(lines) and lines[i].startswith("--- "):
        if not lines[i + 1 : i + 2] or not lines[i + 1].startswith("+++ "):
            raise RefusedError(f"not a unified diff: '---' without '+++' on line {i + 1}")
        old, new = _header_path(lines[i][4:]), _header_path(lines[i + 1][4:])
        i += 2
    else:
        old = None if created else old
        new = None if deleted else new
    while i < len(lines) and lines[i].startswith("@@"):
        i = _skip_hunk(lines, i)
    changes.append(FileChange(old, new))
    return i


# --- snapshot and restore ---------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """One path as it was: absent, a symlink (its target) or a file (bytes and mode)."""

    path: str
    data: bytes | None = None
    mode: int = 0
    link: str | None = None


@dataclass(frozen=True)
class Snapshot:
    files: tuple[Saved, ...]
    new_dirs: tuple[str, ...]
    """Directories that did not exist (deepest first): removed again if left empty."""


def snapshot(root: Path, paths: Sequence[str]) -> Snapshot:
    saved: list[Saved] = []
    new_dirs: set[str] = set()
    for path in paths:
        full = root / path
        if full.is_symlink():
            saved.append(Saved(path, link=str(full.readlink())))
        elif full.is_dir():
            raise RefusedError(f"{path!r} is a directory in the work tree")
        elif full.exists():
            saved.append(Saved(path, data=full.read_bytes(), mode=full.stat().st_mode & 0o7777))
        else:
            saved.append(Saved(path))
        parent = full.parent
        while parent != root and not parent.exists():
            new_dirs.add(str(parent.relative_to(root)))
            parent = parent.parent
    deepest_first = sorted(new_dirs, key=lambda d: d.count("/"), reverse=True)
    return Snapshot(tuple(saved), tuple(deepest_first))


def restore(root: Path, snap: Snapshot) -> None:
    """Put every snapshotted path back exactly; remove files and directories the diff made."""
    for item in snap.files:
        full = root / item.path
        if full.is_symlink() or (full.exists() and not full.is_dir()):
            if item.data is not None and not full.is_symlink():
                full.write_bytes(item.data)
                full.chmod(item.mode)
                continue
            full.unlink()
        if item.link is not None:
            full.parent.mkdir(parents=True, exist_ok=True)
            full.symlink_to(item.link)
        elif item.data is not None:
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_bytes(item.data)
            full.chmod(item.mode)
    for directory in snap.new_dirs:
        with contextlib.suppress(FileNotFoundError, OSError):
            (root / directory).rmdir()  # only if empty: never remove what others put there


@contextlib.contextmanager
def shielded() -> Generator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, then raise KeyboardInterrupt.

    Used around the steps that must not stop half-way: applying, committing, restoring.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_interrupts() -> Generator[None]:
    """Treat SIGTERM (a killed ``nox``, a CI cancel) like Ctrl-C, so ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the workflow -----------------------------------------------------------------------------


def check(root: Path, diff_file: Path, message: str | None) -> tuple[Diff, str]:
    """Every refusal, before anything is written: the parsed diff and the commit message."""
    try:
        raw = diff_file.read_bytes()
    except OSError as exc:
        raise RefusedError(f"cannot read {diff_file}: {exc.strerror or exc}") from None
    diff = parse(raw.decode("utf-8", "surrogateescape"))
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
    snap = snapshot(root, paths)
    committed = staged = False
    try:
        with shielded():
            gitutil.git(root, "apply", str(diff_file.resolve()))
        out.write(f"patch: applied {diff_file.name} ({len(paths)} file(s)); running the gates\n")
        run = make_run(root, out)
        outcome = runner(run)
        for entry in outcome.questions:
            out.write(f"\npatch: appended to Codex_Questions.md:\n{entry}")
        out.write("\n" + render_terminal(outcome.report, colour=use_colour(out)) + "\n")
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
        with sigterm_interrupts():
            return apply_and_gate(
                root,
                cast(Path, args.diff),
                cast(str | None, args.message),
                out,
                make_run=make_run,
                runner=runner,
            )
    except RefusedError as exc:
        out.write(f"patch: refused, nothing changed: {exc}\n")
        return EXIT_REFUSED
    except gitutil.GitError as exc:
        out.write(f"patch: error, the tree is as it was before the patch: {exc}\n")
        return 1
    except KeyboardInterrupt:
        out.write("patch: interrupted; the tree is as it was before the patch\n")
        return EXIT_INTERRUPTED
