"""Reading a full run's coverage data: which files and functions each test executed, and what
ran outside any test (collection and import time).

coverage.py's dynamic contexts (``--cov-context=test``) name the test that ran each line; this
turns them into the per-test facts the stored selection data keeps (``store.build_stored``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coverage import CoverageData

from runbook.selection import fingerprint, stored


@dataclass(frozen=True)
class Executed:
    """What the coverage data of a full run says each test executed."""

    files: dict[str, set[str]]
    """Test -> project files it executed."""
    functions: dict[str, dict[str, set[str]]]
    """Test -> file -> functions (``fingerprint.fingerprint`` names) whose lines it executed."""
    import_lines: dict[str, set[int]]
    """File -> lines run outside any test, and ``-n`` for each code object entered then."""


def relative_to(root: Path, measured: str) -> str | None:
    try:
        return Path(measured).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def executed(db: Path, root: Path, prints: dict[str, fingerprint.SourcePrint]) -> Executed:
    """Per test, the files and functions it executed (``contexts_by_lineno``: the lines of its
    arcs), and per file what ran outside any test (its raw arcs: an entry arc ``(-n, m)`` is a
    call of the code object starting at line ``n``)."""
    data = CoverageData(str(db))
    data.read()
    result = Executed(files={}, functions={}, import_lines={})
    for measured in data.measured_files():
        relative = relative_to(root, measured)
        if relative is None:
            continue
        source_print = prints.get(relative)
        function_at = source_print.function_at() if source_print else {}
        for line, contexts in data.contexts_by_lineno(measured).items():
            name = function_at.get(line)
            for context in contexts:
                if not context:
                    result.import_lines.setdefault(relative, set()).add(line)
                    continue
                nodeid = stored.nodeid_of(context)
                result.files.setdefault(nodeid, set()).add(relative)
                if name is not None:
                    per_file = result.functions.setdefault(nodeid, {})
                    per_file.setdefault(relative, set()).add(name)
    data.set_query_contexts(["^$"])
    for measured in data.measured_files():
        relative = relative_to(root, measured)
        if relative is not None and data.has_arcs():
            entries = {start for start, _ in data.arcs(measured) or [] if start < 0}
            result.import_lines.setdefault(relative, set()).update(entries)
    return result
