"""Error capture: one entry per failed step in Codex_Questions.md, in the runbook's format.

The file is only ever appended to. Each entry is written with one ``write`` on a descriptor
opened with O_APPEND and under an exclusive ``flock``, so entries from concurrent gates or
concurrent runbooks never interleave.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from runbook.redact import bounded_tail, redact
from runbook.result import GateResult

QUESTIONS_FILE = "Codex_Questions.md"

TEMPLATE = """\
Question for ChatGPT @codex {timestamp}:
While performing [{step}:{description}], encountered the following error:
{error}
Context: {context}
What are the possible causes, and how can this be resolved while preserving intended functionality?
"""


def format_entry(
    result: GateResult,
    log_text: str,
    *,
    context: str,
    timestamp: datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The entry for one failed gate: its reason, then the bounded, redacted end of its log."""
    when = (timestamp or datetime.now(UTC)).isoformat(timespec="seconds")
    tail = bounded_tail(log_text)
    error = f"{result.status}: {result.reason or 'no reason given'}"
    if tail:
        fenced = tail.replace("```", "'''")
        error += f"\n```text\n{fenced}\n```"
    entry = TEMPLATE.format(
        timestamp=when,
        step=result.step,
        description=f"{result.name} gate ({result.projector}) `{result.command}`",
        error=error,
        context=context,
    )
    return redact(entry, env)


def append_entry(path: Path, entry: str) -> None:
    """Append ``entry`` (after a blank line) atomically with respect to other writers."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            separator = "\n" if os.fstat(fd).st_size else ""
            os.write(fd, (separator + entry).encode("utf-8"))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
