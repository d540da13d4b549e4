"""Bound and redact what is captured from a failing command before it is written anywhere.

A gate's log can hold a token printed by a tool, a URL with a password, or a value from the
environment. Everything that leaves the log file (Codex_Questions.md, reports, MLflow) is read
through ``read_log``, which redacts the whole text before anything cuts it: a secret cut in two
would no longer match.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
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

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
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


CLUES = (
    "://",
    "hf_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "sk-",
    "akia",
    "token",
    "secret",
    "passw",
    "apikey",
    "api_key",
    "api-key",
    "authorization",
)
"""An ASCII text whose lower case holds none of these matches none of ``PATTERNS``: each
pattern needs one of them (a URL's ``://``, a token's prefix, a secret-sounding name). Proven
against the patterns in tests/test_findings.py."""


class Redactor:
    """``redact`` for many texts under one environment: the environment is scanned for secret
    values once, and an ASCII text with no clue of a secret (none of the values, none of
    ``CLUES``) is returned as it is after a few substring tests, which is most texts a tool
    prints. Any other text (non-ASCII included: case-insensitive patterns match some non-ASCII
    letters) goes through every value and pattern."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.values = secret_values(env)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if text.isascii():
            low = text.lower()
            for clue in CLUES:
                if clue in low:
                    return redact_with(text, self.values)
            for value in self.values:
                if value in text:
                    return redact_with(text, self.values)
            return text
        return redact_with(text, self.values)


def _needs(
    case_sensitive: tuple[str, ...], folded: tuple[str, ...], also: str = ""
) -> Callable[[str], bool]:
    """What a pattern needs in a text to match at all: one of ``case_sensitive`` as written,
    or (for ``(?i)`` patterns) one of ``folded`` in the text's lower case, and, when ``also``
    is given, one of its characters. A non-ASCII text always qualifies for a ``(?i)`` pattern:
    its IGNORECASE matches the long s, the dotless i and the Kelvin sign to ASCII letters."""

    def needed(text: str) -> bool:
        if also and not any(char in text for char in also):
            return False
        if any(literal in text for literal in case_sensitive):
            return True
        if not folded:
            return False
        if not text.isascii():
            return True
        low = text.lower()
        return any(literal in low for literal in folded)

    return needed


_NEEDED = (
    _needs(("://",), ()),
    _needs(("hf_",), ()),
    _needs(("gh",), ()),
    _needs(("sk-",), ()),
    _needs(("AKIA",), ()),
    _needs((), ("token", "secret", "passw", "apikey", "api_key", "api-key"), also="=:"),
    _needs((), ("authorization",), also=":"),
)
"""Per pattern of ``PATTERNS``, in order: whether a text can match it. A pattern a text
cannot match is not run; tests/test_findings.py proves the result equal to running every
pattern on every text."""


def redact_with(text: str, values: list[str]) -> str:
    """``text`` with these secret values, then every well-known shape of a secret, masked."""
    for value in values:
        text = text.replace(value, MASK)
    for (pattern, replacement), needed in zip(PATTERNS, _NEEDED, strict=True):
        if needed(text):
            text = pattern.sub(replacement, text)
    return text


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """``text`` with secrets masked: known env values first, then well-known shapes. For many
    texts under one environment, use one ``Redactor``."""
    return redact_with(text, secret_values(env))


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
