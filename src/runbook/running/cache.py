"""Cached gate results, so a re-run after a small patch only re-runs the gates it can affect.

A gate's key covers everything that can change its result: its definition and command, the
packages installed in its environment (and that environment's interpreter), and the content of
every file it reads (tracked, and untracked but not ignored). Only passes are stored: a failure
is always re-run, so a flaky failure never sticks. ``release`` and ``patch`` never read the
cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from runbook.gates.table import Gate
from runbook.records import atomic
from runbook.records.result import GateResult, Status
from runbook.running import gitutil

CACHE_DIR = "cache"
ALWAYS_READ = (
    "pyproject.toml",
    "noxfile.py",
    "uv.lock",
    ".gitignore",  # ruff and the cache itself skip what it ignores
    "ruff.toml",
    ".ruff.toml",
    "pyrightconfig.json",  # takes precedence over [tool.pyright]
)
"""Every gate's environment and configuration come from these (where they exist)."""


class CacheUnavailableError(Exception):
    """The inputs cannot be listed (not a git work tree, git missing): run the gate."""


def input_files(root: Path, pathspecs: tuple[str, ...]) -> list[str]:
    """Files under ``pathspecs`` that git tracks or would track (untracked, not ignored)."""
    try:
        listed = gitutil.git(
            root,
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--deduplicate",
            "--",
            *pathspecs,
            *ALWAYS_READ,
            literal=False,
        )
    except (OSError, gitutil.GitError) as exc:
        raise CacheUnavailableError(f"cannot list the gate's inputs with git: {exc}") from exc
    return sorted(set(gitutil.split_z(listed)))


def files_digest(root: Path, gate: Gate, memo: dict[str, bytes] | None = None) -> str:
    """sha256 over the names and contents of the files ``gate`` reads.

    ``memo`` holds each file's content digest for the rest of a run, so files that several
    gates read are hashed once.
    """
    memo = {} if memo is None else memo
    digest = hashlib.sha256()
    for name in input_files(root, gate.inputs):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if name not in memo:
            memo[name] = content_digest(root / name)
        digest.update(memo[name])
    return digest.hexdigest()


def content_digest(path: Path) -> bytes:
    """Digest of a file's bytes (a symlink: its target path; a marker when it is missing)."""
    if path.is_symlink():
        return b"link:" + str(path.readlink()).encode("utf-8", "surrogateescape")
    if not path.is_file():
        return b"<missing>"  # tracked but deleted in the work tree
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


def environment_digest(root: Path, gate: Gate) -> str:
    """The interpreter and the installed distributions (name and version) of the gate's venv."""
    venv = root / ".nox" / gate.name
    cfg = venv / "pyvenv.cfg"
    if not cfg.is_file():
        return "no environment"
    dists = sorted(p.name for p in venv.glob("lib/python*/site-packages/*.dist-info"))
    return hashlib.sha256("\n".join([cfg.read_text("utf-8"), *dists]).encode()).hexdigest()


def gate_key(files: str, environment: str, gate: Gate, command: list[str]) -> str:
    definition = {
        "name": gate.name,
        "command": command,
        "groups": gate.groups,
        "no_deps": gate.no_deps,
        "failure_codes": sorted(gate.failure_codes),
        "inputs": gate.inputs,
    }
    blob = json.dumps([definition, files, environment], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _entry_path(state_dir: Path, gate: Gate) -> Path:
    return state_dir / CACHE_DIR / f"{gate.name}.json"


def lookup(state_dir: Path, gate: Gate, key: str) -> GateResult | None:
    """The stored pass for ``key``, marked cached; None on a miss or an unreadable entry."""
    path = _entry_path(state_dir, gate)
    try:
        entry = cast(dict[str, Any], json.loads(path.read_text("utf-8")))
        if entry.get("key") != key:
            return None
        result = GateResult.from_json(cast(dict[str, Any], entry["result"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return replace(result, cached=True) if result.status is Status.PASS else None


def store(state_dir: Path, gate: Gate, key: str, result: GateResult) -> None:
    path = _entry_path(state_dir, gate)
    if result.status is not Status.PASS:
        if result.status.failed:  # a skipped or interrupted gate says nothing about the inputs
            path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Every finding (a pass can have warnings): a cached pass reports all of them again.
    data = {"key": key, "result": result.to_json(max_findings=None)}
    atomic.write_text(path, json.dumps(data))
