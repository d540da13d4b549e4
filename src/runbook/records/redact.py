"""Bound and redact what is captured from a failing command before it is written anywhere.

A gate's log can hold a token printed by a tool, a URL with a password, or a value from the
environment. Everything that leaves the log file (Codex_Questions.md, reports, MLflow) is read
through ``read_log``, which redacts the whole text before anything cuts it: a secret cut in two
would no longer match.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

MASK = "***"
SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|APIKEY|CREDENTIALS?)(?:$|_)", re.IGNORECASE
)
"""A name *component* says secret: HF_TOKEN, MY_API_KEY, but not TOKENIZERS_PARALLELISM."""
MIN_SECRET_LENGTH = 8
"""Shorter values ("1", "false", "on") would mask ordinary words everywhere."""
MAX_LOG_BYTES = 512 * 1024
"""Read at most this much of the end of a log: every summary line a tool prints is there."""

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host → scheme://***@host
    (
        re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"),
        rf"\g<scheme>{MASK}@",
    ),
    # Hugging Face, GitHub, OpenAI-style and AWS access tokens
    (re.compile(r"\bhf_[A-Za-z0-9]{8,}"), f"hf_{MASK}"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{16,}"), MASK),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MASK),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MASK),
    # password=..., token: ..., api_key="..."
    (
        re.compile(
            r"(?i)\b(?P<name>[\w.-]*?(?<![a-z])(?:token|secret|password|passwd|api[_-]?key)"
            r"(?![a-z])[\w.-]*)"
            r"(?P<sep>\s*[=:]\s*)(?P<quote>['\"]?)[^\s'\"]+"
        ),
        rf"\g<name>\g<sep>\g<quote>{MASK}",
    ),
    (re.compile(r"(?i)\b(authorization:\s*(?:bearer|basic|token)\s+)\S+"), rf"\1{MASK}"),
)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they hold a secret, longest first."""
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """``text`` with secrets masked: known env values first, then well-known shapes."""
    for value in secret_values(env):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def read_log(path: Path, env: Mapping[str, str] | None = None) -> str:
    """The end of a log file (at most ``MAX_LOG_BYTES``), redacted; "" when there is none."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - MAX_LOG_BYTES))
            data = handle.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if size > MAX_LOG_BYTES:
        text = text.split("\n", 1)[-1]  # drop the partial first line
    return redact(text, env)


_NOX_NEWS = re.compile(r"failed|error|not found|interrupt", re.IGNORECASE)


def _is_nox_chatter(line: str) -> bool:
    """nox's progress lines ("Running session", "uv pip install") say nothing of a failure."""
    return line.startswith("nox > ") and not _NOX_NEWS.search(line)


def bounded_tail(text: str, max_lines: int = 40, max_chars: int = 4000) -> str:
    """The last lines that matter: nox's own chatter and blank runs dropped, size capped."""
    lines = [line.rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line and not _is_nox_chatter(line)]
    tail = lines[-max_lines:]
    out = "\n".join(tail)
    if len(out) > max_chars:
        out = "…" + out[-(max_chars - 1) :]
    if len(lines) > len(tail):
        out = f"[… {len(lines) - len(tail)} earlier lines in the log]\n{out}"
    return out
