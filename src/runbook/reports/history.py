"""The runbook's trajectory: one line per run in ``.runbook/history.jsonl``.

The project's health over time is the state of the runbook's dynamical system; each run is one
sample of it. The gate table shows what moved since the previous sample.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from runbook.records.result import GateResult, Status

HISTORY_FILE = "history.jsonl"
MIN_COVERAGE_DELTA = 0.05
"""Below the precision pytest-cov prints; smaller moves are noise."""


def sample(
    mode: str, started_at: str, commit: str, results: Sequence[GateResult]
) -> dict[str, Any]:
    coverage = next((r.coverage for r in results if r.coverage is not None), None)
    return {
        "time": started_at,
        "commit": commit,
        "mode": mode,
        "coverage": coverage,
        "gates": {
            r.name: {"status": str(r.status), "seconds": round(r.seconds, 3), "cached": r.cached}
            for r in results
        },
    }


def samples(path: Path) -> list[dict[str, Any]]:
    """Every well-formed sample, oldest first; a torn or foreign line is passed over, not fatal."""
    if not path.is_file():
        return []
    found: list[dict[str, Any]] = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(cast(dict[str, Any], data).get("gates"), dict):
            found.append(cast(dict[str, Any], data))
    return found


def previous(path: Path) -> dict[str, Any] | None:
    """The last well-formed sample, or None."""
    found = samples(path)
    return found[-1] if found else None


def changes(before: dict[str, Any] | None, results: Sequence[GateResult]) -> dict[str, str]:
    """Per gate, what changed since ``before``: newly failing, fixed, coverage +/-."""
    if before is None:
        return {}
    gates = cast(dict[str, dict[str, Any]], before["gates"])
    known = {str(s): s for s in Status}
    old_cov = before.get("coverage")
    out: dict[str, str] = {}
    for result in results:
        notes: list[str] = []
        was = known.get(str(gates.get(result.name, {}).get("status")))
        if was is Status.PASS and result.status.failed:
            notes.append("newly failing")
        elif was is not None and was.failed and result.status is Status.PASS:
            notes.append("fixed")
        if result.coverage is not None and isinstance(old_cov, int | float):
            delta = result.coverage - float(old_cov)
            if abs(delta) >= MIN_COVERAGE_DELTA:
                notes.append(f"coverage {delta:+.1f}")
        if notes:
            out[result.name] = ", ".join(notes)
    return out


def append(path: Path, entry: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
