"""Bound and redact what is captured from a failing command before it is written anywhere.

A gate's log can hold a token printed by a tool, a URL with a password, or a value from the
environment. Everything that leaves the log file (Codex_Questions.md, reports, MLflow) passes
through ``bounded_tail`` and ``redact`` first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

MASK = "***"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL", re.IGNORECASE)
MIN_SECRET_LENGTH = 4
"""Shorter values ("1", "on") would mask ordinary words everywhere."""

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
            r"(?i)\b(?P<name>[\w.-]*(?:token|secret|password|passwd|api[_-]?key)[\w.-]*)"
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
