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

from runbook.records.redact import bounded_tail, redact
from runbook.records.result import GateResult

QUESTIONS_FILE = "Codex_Questions.md"
MAX_ENTRY_FINDINGS = 20
MAX_ENTRY_CHARS = 4000
MAX_LINE_CHARS = 300

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
    """The entry for one failed gate: its reason, then its findings (``path:line:col code
    message``; a failing test's traceback end under it) or, when it has none (a crash, a
    configuration error), the bounded, redacted end of its log."""
    when = (timestamp or datetime.now(UTC)).isoformat(timespec="seconds")
    body = findings_block(result) if result.findings else bounded_tail(log_text)
    error = f"{result.status}: {result.reason or 'no reason given'}"
    if body:
        fenced = body.replace("```", "'''")
        error += f"\n```text\n{fenced}\n```"
    entry = TEMPLATE.format(
        timestamp=when,
        step=result.step,
        description=f"{result.name} gate ({result.projector}) `{result.command}`",
        error=error,
        context=context,
    )
    return redact(entry, env)


def findings_block(
    result: GateResult, max_findings: int = MAX_ENTRY_FINDINGS, max_chars: int = MAX_ENTRY_CHARS
) -> str:
    """The gate's findings, one per line, each failing test followed by its traceback's end;
    cut at a whole finding to stay within ``max_chars``."""
    blocks: list[str] = []
    size = 0
    for finding in result.findings[:max_findings]:
        lines = [finding.one_line()[:MAX_LINE_CHARS]]
        lines += [f"    {row}"[:MAX_LINE_CHARS] for row in finding.detail.splitlines()]
        block = "\n".join(lines)
        if blocks and size + len(block) > max_chars:
            break
        blocks.append(block)
        size += len(block) + 1
    left = result.findings_total - len(blocks)
    if left > 0:
        blocks.append(
            f"[… {left} more findings: `make findings ARGS='--gate {result.name}'`,"
            " .runbook/findings.jsonl]"
        )
    return "\n".join(blocks)


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
