"""Shared test helpers: fake gates (small Python programs) and git repo fingerprints."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Generator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from runbook.gates.reasons import Summarizer, last_line
from runbook.gates.table import Gate
from runbook.gates.tools import Tool
from runbook.selection import childwatch


def python_gate(
    name: str,
    code: str,
    *,
    required: bool = True,
    release_only: bool = False,
    summarize: Summarizer = last_line,
    inputs: tuple[str, ...] = (".",),
) -> Gate:
    """A gate whose tool is ``python -c code``: any outcome a real tool has, on purpose."""
    return Gate(
        name=name,
        projector=f"Π_{name}",
        description=f"fake {name}",
        command=(sys.executable, "-c", textwrap.dedent(code)),
        groups=(),
        required=required,
        release_only=release_only,
        tool=Tool(name=f"fake-{name}", summarize=summarize),
        inputs=inputs,
    )


def direct(gate: Gate) -> list[str]:
    """Launch the gate's command itself instead of its nox session."""
    return list(gate.command)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def init_repo(root: Path) -> Path:
    """An empty git repository at ``root`` with a local identity, for tests that commit."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for key, value in (("user.name", "T"), ("user.email", "t@example.org")):
        git(root, "config", key, value)
    git(root, "config", "commit.gpgsign", "false")
    return root


def fingerprint(root: Path) -> dict[str, object]:
    """Every tracked and untracked-but-not-ignored file (bytes, mode, link target), the index
    entries, HEAD and the directories: what "the tree is as it was" means in these tests."""
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    files: dict[str, str] = {}
    for path in sorted(set(listed.split("\0")) - {""}):
        full = root / path
        if full.is_symlink():
            files[path] = f"link:{full.readlink()}"
        elif full.exists():
            digest = hashlib.sha256(full.read_bytes()).hexdigest()
            files[path] = f"{oct(full.stat().st_mode)}:{digest}"
        else:
            files[path] = "missing"
    dirs = sorted(
        str(d.relative_to(root))
        for d in root.rglob("*")
        if d.is_dir() and not {".git", ".runbook"} & set(d.relative_to(root).parts)
    )
    return {
        "files": files,
        "index": git(root, "ls-files", "--stage", "-z"),
        "head": git(root, "rev-parse", "HEAD"),
        "dirs": dirs,
    }


def alive(pid: int) -> bool:
    """A killed process whose parent is gone may linger as a zombie until reaped: not alive."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def interruptible(argv: Sequence[str], **kwargs: Any) -> Generator[subprocess.Popen[bytes]]:
    """A child that Ctrl-C (SIGINT) reaches, killed on the way out if a test left it running.

    A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    ignored: without resetting it, these tests would hang when the suite runs in the background.
    """
    proc = cast(
        "subprocess.Popen[bytes]",
        subprocess.Popen(list(argv), preexec_fn=_default_sigint, **kwargs),  # noqa: PLW1509
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


RUNNER_FILES = ("src/runbook/**/*.py", "src/codex_ml/__init__.py", "src/codex_ml/tracking/*.py")
"""The runner and the MLflow settings it reads: what a child running ``runbook`` may run
(``@pytest.mark.child_reads(*RUNNER_FILES)``)."""


def followed(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus the tests gate's variables that let it follow a child
    (runbook.selection.childwatch):
    a test that gives its child a clean environment keeps that child followable."""
    keep = (childwatch.CHILD_ENV, childwatch.WATCH_ENV)
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **env}
