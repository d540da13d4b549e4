"""The coverage data a full run would give, built from a selective run's data and the stored data
of the tests it left out (and of import time), moved to where the edit moved their lines."""

from __future__ import annotations

import re
from pathlib import Path

from coverage import CoverageData

from runbook.selection.coverdata import relative_to


class MergeError(Exception):
    """Stored coverage data that has no place in the edited tree (the plan said it would)."""


def merge(
    fresh: Path | None,
    stored_db: Path,
    *,
    kept: frozenset[str],
    moved: dict[str, dict[int, int]],
    root: Path,
    out: Path,
) -> Path:
    """The data a full run would give: this run's data, plus the stored data of the ``kept``
    tests and of the empty context (collection and import time, which a selective run that
    collects fewer test modules measures only in part), their lines moved where the edit moved
    them (``moved``: per changed module, old line -> new line)."""
    merged = CoverageData(str(out))
    if fresh is not None:
        current = CoverageData(str(fresh))
        current.read()
        merged.update(current)
    stored = CoverageData(str(stored_db))
    stored.read()
    patterns = ["^$"]
    if kept:
        alternatives = "|".join(re.escape(nodeid) for nodeid in sorted(kept))
        patterns.append(rf"^(?:{alternatives})\|(?:setup|run|teardown)$")
    stored.set_query_contexts(patterns)
    for measured in stored.measured_files():
        relative = relative_to(root, measured)
        lines = moved.get(relative) if relative is not None else None
        if stored.has_arcs():
            arcs = stored.arcs(measured) or []
            if lines is not None:
                arcs = [(_move(a, lines, measured), _move(b, lines, measured)) for a, b in arcs]
            if arcs:
                merged.add_arcs({measured: arcs})
        else:
            numbers = stored.lines(measured) or []
            if lines is not None:
                numbers = [_move(n, lines, measured) for n in numbers]
            if numbers:
                merged.add_lines({measured: numbers})
    merged.write()
    return out


def _move(line: int, lines: dict[int, int], measured: str) -> int:
    """A line number (negative: a code object's first line, in an entry or exit arc) moved."""
    target = lines.get(abs(line))
    if target is None:
        raise MergeError(f"line {abs(line)} of {measured} has no place in the edited file")
    return target if line > 0 else -target
