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
    pattern = kept_contexts(stored.measured_contexts(), kept)
    if pattern is not None:
        stored.set_query_contexts([pattern])
    unexecuted: list[str] = []
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
                unexecuted.append(measured)
        else:
            numbers = stored.lines(measured) or []
            if lines is not None:
                numbers = [_move(n, lines, measured) for n in numbers]
            if numbers:
                merged.add_lines({measured: numbers})
            else:
                unexecuted.append(measured)
    if unexecuted:
        # Measured by the full run, executed by no kept test: a source file nothing runs under
        # measurement, which coverage.py adds at 0 % when a measuring process saves. A full run
        # reports it, so must a run that starts no pytest process (nothing fresh to add it).
        # An empty add sets the kind of data (arcs or lines), which touching a file needs.
        (merged.add_arcs if stored.has_arcs() else merged.add_lines)({})
        merged.touch_files(unexecuted)
    merged.write()
    return out


PHASES = frozenset({"setup", "run", "teardown"})
"""The phases of a test's pytest-cov context (``nodeid|run``)."""


def keeps(context: str, kept: frozenset[str]) -> bool:
    """Whether the stored data of ``context`` is kept: the empty context (collection, import
    time) and the contexts of the ``kept`` tests."""
    nodeid, bar, phase = context.rpartition("|")
    return context == "" or (bar == "|" and phase in PHASES and nodeid in kept)


def kept_contexts(contexts: set[str], kept: frozenset[str]) -> str | None:
    """One regular expression (coverage.py's ``set_query_contexts``) matching exactly the
    contexts of ``contexts`` (every one in the data) that ``keeps`` keeps; None when that is all
    of them.

    It names the smaller side: the kept contexts, or the left-out ones in a negative lookahead
    (a selective run leaves out few, and keeps ~3,000: compiling an alternation of every kept
    test was most of the merge's 0.2 s). Over the data's own contexts both forms match the same
    set (tests/test_selection_merge.py checks them against ``keeps`` and the old alternation)."""
    wanted = sorted(c for c in contexts if keeps(c, kept))
    left = sorted(c for c in contexts if not keeps(c, kept))
    if not left:
        return None
    if len(wanted) <= len(left):
        return rf"^(?:{'|'.join(re.escape(c) for c in wanted)})\Z"
    return rf"^(?!(?:{'|'.join(re.escape(c) for c in left)})\Z)"


def _move(line: int, lines: dict[int, int], measured: str) -> int:
    """A line number (negative: a code object's first line, in an entry or exit arc) moved."""
    target = lines.get(abs(line))
    if target is None:
        raise MergeError(f"line {abs(line)} of {measured} has no place in the edited file")
    return target if line > 0 else -target
