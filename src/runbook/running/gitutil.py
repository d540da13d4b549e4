"""Git plumbing shared by the patch and canonicalize workflows.

Both workflows change a shared checkout on someone's behalf, so every path they are given is
checked to stay inside the work tree, and every git call uses literal pathspecs (a file named
``*.py`` means that file, not a glob) and runs in its own session (a Ctrl-C at the terminal
reaches the workflow, which decides what to do, never a half-finished git command).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath


class GitError(RuntimeError):
    """A git command failed; the message holds the command and what git said."""


def git(root: Path, *args: str, stdin: bytes | None = None, literal: bool = True) -> bytes:
    """Run ``git args`` in ``root`` and return its stdout; a non-zero exit raises GitError.

    ``literal=False`` lets pathspecs be patterns (``*.py``), for callers that mean patterns.
    """
    proc = subprocess.run(
        ["git", *(["--literal-pathspecs"] if literal else []), *args],
        cwd=root,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        start_new_session=True,
        check=False,
    )
    if proc.returncode:
        said = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
        raise GitError(f"git {' '.join(args)}: {said}")
    return proc.stdout


def head_commit(root: Path) -> str:
    """The full id of the commit checked out; "" when there is none (no repository, no commit,
    no git): a record naming it then matches no commit."""
    try:
        return git(root, "rev-parse", "--verify", "HEAD").decode("ascii").strip()
    except (GitError, OSError):
        return ""


def toplevel(start: Path) -> Path:
    """The work tree containing ``start``: git resolves diff paths from there, not from cwd."""
    out = git(start, "rev-parse", "--show-toplevel")
    return Path(os.fsdecode(out.rstrip(b"\n"))).resolve()


def decode(raw: bytes) -> str:
    """Paths as git prints them, keeping undecodable bytes (surrogateescape) round-trippable."""
    return raw.decode("utf-8", "surrogateescape")


def split_z(raw: bytes) -> list[str]:
    return [decode(part) for part in raw.split(b"\0") if part]


def path_problem(root: Path, path: str) -> str | None:
    """Why ``path`` (relative, ``/``-separated) is not a plain file inside the work tree, if so.

    Rejects absolute paths, ``..``, anything inside ``.git`` and paths that pass through a
    symlink (whose target may be outside the tree, or another tracked file).
    """
    parts = PurePosixPath(path).parts
    problem = None
    if not path:
        problem = "empty path"
    elif path.startswith("/"):
        problem = f"{path!r} is absolute"
    elif ".." in parts:
        problem = f"{path!r} leaves the repository (..)"
    elif any(part.casefold() == ".git" for part in parts):
        problem = f"{path!r} is inside .git"
    else:
        current = root
        for part in parts[:-1]:
            current = current / part
            if current.is_symlink():
                return f"{path!r} goes through the symlink {current.relative_to(root)}"
        if not (root / path).parent.resolve().is_relative_to(root.resolve()):
            problem = f"{path!r} resolves outside the repository"
    return problem


def dirty(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Paths among ``paths`` that differ from HEAD in the index or the work tree, or exist
    untracked or ignored, mapped to git's two-letter status."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    raw = git(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--ignored=matching",
        "--no-renames",
        "--",
        *wanted,
    )
    found: dict[str, str] = {}
    for entry in split_z(raw):
        found[entry[3:]] = entry[:2]
    return found


def tracked(root: Path, paths: Sequence[str]) -> set[str]:
    """The paths among ``paths`` that are in the index."""
    if not paths:
        return set()
    return set(split_z(git(root, "ls-files", "-z", "--", *paths)))
