"""A gate's result as data: ``.runbook/machine/<gate>/result.json``, written by the gate's own
process, read by the runner.

The gate's process knows what happened (the tool's exit code, its counts line, the coverage
total, which tests ran, what a person should be told); the runner only reads this file and
never parses the gate's log to decide anything. The file is written atomically (a temporary
file, then ``os.replace``), so the runner sees the whole result or none. ``read`` checks every
field: a missing, truncated, foreign or other-version file is a ``HandoverError`` naming the
file, which the runner reports as the gate's error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from runbook.records import atomic
from runbook.records.result import Status

RESULT_FILE = "result.json"
SCHEMA = "runbook.gate-result"
VERSION = 1
"""Raised when a field changes meaning; a reader accepts its own version only."""
WRITER_STATUSES = frozenset({Status.PASS, Status.FAIL, Status.ERROR})
"""What a gate can say of itself (timeouts, skips and interruptions are the runner's)."""
MAX_TEXT = 300
MAX_NOTICES = 20
_COUNT = re.compile(r"(\d+) ([a-z]+)")


class HandoverError(Exception):
    """A result file the runner cannot use; the message names the file."""


@dataclass(frozen=True)
class Coverage:
    total: float
    """The total, rounded to two decimals as reported."""
    floor: float
    reached: bool


@dataclass(frozen=True)
class GateReport:
    """What a gate's own process says of its run."""

    gate: str
    status: Status
    """pass, fail (the tool ran and found problems) or error (it could not do its job)."""
    exit_code: int
    """The tool's own exit code (the gate's, for the tests gate: pytest's after the floor)."""
    summary: str = ""
    """The tool's counts line, as a person reads it ("2 failed, 41 passed", "3 errors")."""
    counts: dict[str, int] = field(default_factory=dict[str, int])
    """The same counts as data ({"failed": 2, "passed": 41})."""
    coverage: Coverage | None = None
    selection: str = ""
    """How many tests a selective tests gate ran ("112 of 386 run, 274 unaffected")."""
    notices: tuple[str, ...] = ()
    """What the runner shows under the gate table."""
    reason: str = ""
    """Why the gate could not run its tool, when it could not (e.g. the program is missing)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "gate": self.gate,
            "status": str(self.status),
            "exit_code": self.exit_code,
            "summary": self.summary,
            "counts": dict(self.counts),
            "coverage": None
            if self.coverage is None
            else {
                "total": self.coverage.total,
                "floor": self.coverage.floor,
                "reached": self.coverage.reached,
            },
            "selection": self.selection,
            "notices": list(self.notices),
            "reason": self.reason,
        }


def counts_of(summary: str) -> dict[str, int]:
    """The "N word" pairs of a counts line: "2 failed, 41 passed" -> {"failed": 2, ...}."""
    return {word: int(number) for number, word in _COUNT.findall(summary)}


def status_for(exit_code: int, failure_codes: frozenset[int]) -> Status:
    """The status a tool's exit code means: 0 passes, a failure code is findings, else error."""
    if exit_code == 0:
        return Status.PASS
    return Status.FAIL if exit_code in failure_codes else Status.ERROR


def path_in(out_dir: Path) -> Path:
    return out_dir / RESULT_FILE


def write(target: Path, report: GateReport) -> Path:
    """Write ``report`` atomically at ``target`` (normally ``path_in(<machine-output dir>)``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(target, json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    return target


def read(path: Path, gate: str, root: Path | None = None) -> GateReport:
    """The result ``gate`` wrote at ``path``; ``HandoverError`` naming the file otherwise
    (relative to ``root`` when it is inside)."""
    try:
        return _read(path, gate)
    except HandoverError as exc:
        shown = _shown(path, root)
        raise HandoverError(str(exc).replace(str(path), shown)) from exc.__cause__


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


def _read(path: Path, gate: str) -> GateReport:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise HandoverError(f"the gate wrote no {path} (it stopped before reporting)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandoverError(f"cannot read {path}: {exc}") from exc
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HandoverError(f"{path} is not valid JSON (truncated?): {exc}") from exc
    try:
        return _parse(cast(dict[str, Any], data), gate) if isinstance(data, dict) else _bad()
    except (TypeError, ValueError, KeyError) as exc:
        raise HandoverError(f"{path}: {exc}") from exc


def _bad() -> GateReport:
    raise TypeError("not a gate result (not a JSON object)")


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    """``data[name]``, checked to be of ``kind`` (a bool is not a number here)."""
    value = data.get(name)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise TypeError(f"{name} is {value!r}")
    return value


def _parse(data: dict[str, Any], gate: str) -> GateReport:
    if data.get("schema") != SCHEMA:
        raise ValueError(f"not a gate result (schema {data.get('schema')!r}, not {SCHEMA!r})")
    if data.get("version") != VERSION:
        raise ValueError(f"result version {data.get('version')!r}; this runner reads {VERSION}")
    if data.get("gate") != gate:
        raise ValueError(f"written by gate {data.get('gate')!r}, not {gate!r}")
    status = Status(_field(data, "status", str))
    if status not in WRITER_STATUSES:
        raise ValueError(f"status {status!s} is not one a gate reports")
    counts = cast(dict[str, Any], _field(data, "counts", dict))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values()):
        raise TypeError(f"counts is {counts!r}, not numbers")
    raw_coverage = data.get("coverage")
    coverage = None
    if raw_coverage is not None:
        cov = cast(dict[str, Any], _field(data, "coverage", dict))
        coverage = Coverage(
            total=float(_field(cov, "total", (int, float))),
            floor=float(_field(cov, "floor", (int, float))),
            reached=_field(cov, "reached", bool),
        )
    notices = cast(list[Any], _field(data, "notices", list))
    return GateReport(
        gate=gate,
        status=status,
        exit_code=_field(data, "exit_code", int),
        summary=_field(data, "summary", str)[:MAX_TEXT],
        counts=cast(dict[str, int], counts),
        coverage=coverage,
        selection=_field(data, "selection", str)[:MAX_TEXT],
        notices=tuple(str(n)[:MAX_TEXT] for n in notices[:MAX_NOTICES]),
        reason=_field(data, "reason", str)[:MAX_TEXT],
    )
