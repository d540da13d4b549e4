"""Findings: the problems a gate found, as ``path:line`` records a person or an agent can act on.

Every tool module (``runbook.gates.tools``) turns its tool's machine output into ``Finding``
records;
everything downstream (report.json, the gate table's reason, Codex_Questions.md, SARIF, GitHub
annotations, ``runbook findings``) reads only these records, never a tool's own format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, cast

from runbook.records.redact import Redactor

MAX_FINDINGS = 100
"""At most this many findings per gate in report.json and the cache's (``findings_total`` says
how many there were); every finding is in ``.runbook/findings.jsonl`` (``findings_file``)."""
SEVERITIES = ("error", "warning", "note")
"""SARIF's levels; every tool's severities map onto these."""

_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)|\\")


@dataclass(frozen=True)
class Finding:
    """One problem: where (path, 1-based line and column or None), which rule, how bad, what."""

    path: str
    line: int | None
    column: int | None
    code: str
    severity: str
    message: str
    detail: str = ""
    """More context where the tool gives it: the last frames of a failing test's traceback."""
    frames: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)
    """Where the problem passed through, outermost first (a traceback's ``path:line``s), as the
    tool gave them. ``normalise`` makes the deepest one inside the project the finding's
    location; ``path``/``line`` are where to point when none is (the failing test itself).
    Not serialised: the location is what every report shows."""

    def location(self) -> str:
        """``path:line:col``, as far as it is known."""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def one_line(self) -> str:
        """``path:line:col code message``: the form every report prints."""
        message = " ".join(self.message.split())
        return f"{self.location()} {self.code} {message}".rstrip()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }
        if self.detail:
            data["detail"] = self.detail
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """A finding from report.json; a field of the wrong type is a ``ValueError``."""
        line, column = data.get("line"), data.get("column")
        strings = [data.get(key) for key in ("path", "code", "severity", "message")]
        detail = data.get("detail", "")
        if not all(isinstance(value, str) for value in [*strings, detail]):
            raise ValueError(f"not a finding: {dict(data)!r}")
        for number in (line, column):
            if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
                raise ValueError(f"not a finding (line/column): {dict(data)!r}")
        path, code, severity, message = cast(list[str], strings)
        return cls(
            path=path,
            line=cast(int | None, line),
            column=cast(int | None, column),
            code=code,
            severity=severity,
            message=message,
            detail=cast(str, detail),
        )


def repo_path(raw: str, root: Path) -> str:
    """``raw`` relative to ``root`` with POSIX slashes when it lies inside the repository.

    Windows-style paths and paths outside the repository are kept as given (never dropped):
    the reader still learns where the tool looked.
    """
    return RepoPaths(root)(raw)


class RepoPaths:
    """``repo_path`` for many paths under one root: the root is resolved once, and a path seen
    before (a tool names each file once per finding in it) is looked up, not worked out."""

    def __init__(self, root: Path) -> None:
        self._bases = list(dict.fromkeys([str(root), str(root.resolve())]))
        self._seen: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        known = self._seen.get(raw)
        if known is None:
            known = self._seen[raw] = self._relative(raw)
        return known

    def _relative(self, raw: str) -> str:
        if not raw or _WINDOWS_PATH.search(raw):
            return raw
        path = PurePosixPath(raw)
        if not path.is_absolute():
            return str(PurePosixPath(*[p for p in path.parts if p != "."])) if path.parts else raw
        for base in self._bases:
            try:
                return str(path.relative_to(base))
            except ValueError:
                continue
        return raw


def severity(value: str) -> str:
    """A tool's severity word as one of ``SEVERITIES`` (unknown words count as errors)."""
    word = value.lower()
    if word in {"warning", "warn"}:
        return "warning"
    if word in {"information", "info", "note", "hint"}:
        return "note"
    return "error"


IsProjectFile = Callable[[str], bool]
"""Whether a repository-relative path is one of the project's own files (not a virtualenv's,
not an installed package's): ``runbook.gates.tools.ProjectFiles``."""


def locate(finding: Finding, root: Path | RepoPaths, is_project: IsProjectFile) -> Finding:
    """``finding`` placed at the deepest of its frames inside the project's own files.

    A failure raised inside an installed package (``.nox/…/site-packages/…``, ``/usr/lib/…``)
    is placed where the project's code called it; when no frame is the project's, the finding
    keeps the place its tool gave (the failing test), so it is never lost.
    """
    relative = RepoPaths(root) if isinstance(root, Path) else root
    for raw, line in reversed(finding.frames):
        path = relative(raw)
        if is_project(path):
            return replace(finding, path=path, line=line, column=None)
    return finding


def normalise(
    findings: Iterable[Finding],
    root: Path,
    env: Mapping[str, str] | None,
    is_project: IsProjectFile | None = None,
) -> list[Finding]:
    """Each finding at its place in the project (``locate``), its path relative to ``root``,
    line and column 1-based or None, text redacted.

    Every finding is kept (``runbook findings`` and SARIF read them all), so this is the cost
    per finding: the environment is scanned for secrets once (``Redactor``), and a path, code
    or severity seen before (a tool reports many findings per file and per rule) is looked up.
    """
    scrub = Redactor(env)
    relative = RepoPaths(root)
    places: dict[str, str] = {}
    codes: dict[str, str] = {}
    levels: dict[str, str] = {}
    out: list[Finding] = []
    append = out.append
    for given in findings:
        finding = locate(given, relative, is_project) if given.frames and is_project else given
        path = places.get(finding.path)
        if path is None:
            path = places[finding.path] = scrub(relative(finding.path))
        code = codes.get(finding.code)
        if code is None:
            code = codes[finding.code] = scrub(finding.code)
        level = levels.get(finding.severity)
        if level is None:
            level = levels[finding.severity] = severity(finding.severity)
        line, column = finding.line, finding.column
        line = line if line is not None and line >= 1 else None
        append(
            Finding(
                path=path,
                line=line,
                column=column if column is not None and column >= 1 and line else None,
                code=code,
                severity=level,
                message=scrub(finding.message),
                detail=scrub(finding.detail),
            )
        )
    return out


def count_label(total: int, noun: str) -> str:
    return f"{total} {noun}{'' if total == 1 else 's'}"


REASON_FINDING_CHARS = 160
"""The first finding is cut to this in the gate table's reason; the reports keep it whole."""


def first_finding_reason(summary: str, first: Finding, total: int) -> str:
    """``3 errors: src/x.py:12:5 E501 Line too long (118 > 100)``."""
    count = summary or count_label(total, "finding")
    text = first.one_line()
    if len(text) > REASON_FINDING_CHARS:
        text = text[: REASON_FINDING_CHARS - 1] + "…"
    return f"{count}: {text}"
