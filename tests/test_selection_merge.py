"""The merge keeps the stored data of the left-out tests and of import time
(runbook.selection.merge): the context filter is exact, whichever side it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from coverage import CoverageData

from runbook.selection import merge

TESTS = [f"tests/test_m.py::test_{n}[a|b-{n}]" for n in range(6)]  # "|" and "[" in node ids
CONTEXTS = {"", "odd", "x|run", *(f"{t}|{phase}" for t in TESTS for phase in merge.PHASES)}


def old_patterns(kept: frozenset[str]) -> list[str]:
    """The filter as it was: the empty context and an alternation of every kept test."""
    patterns = ["^$"]
    if kept:
        alternatives = "|".join(re.escape(nodeid) for nodeid in sorted(kept))
        patterns.append(rf"^(?:{alternatives})\|(?:setup|run|teardown)$")
    return patterns


@pytest.mark.parametrize("kept", [0, 1, 3, 5, 6])
def test_the_context_filter_keeps_what_the_alternation_of_kept_tests_kept(kept: int) -> None:
    chosen = frozenset(TESTS[:kept])
    expected = {c for c in CONTEXTS if any(re.search(p, c) for p in old_patterns(chosen))}
    assert expected == {c for c in CONTEXTS if merge.keeps(c, chosen)}
    pattern = merge.kept_contexts(CONTEXTS, chosen)
    matched = CONTEXTS if pattern is None else {c for c in CONTEXTS if re.search(pattern, c)}
    assert matched == expected


def test_the_merge_keeps_the_data_of_the_kept_tests_and_of_import_time(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("".join(f"x{n} = {n}\n" for n in range(1, 40)))
    stored = CoverageData(str(tmp_path / "stored.db"))
    for n, context in enumerate(sorted(CONTEXTS)):
        stored.set_context(context)
        stored.add_arcs({str(source): {(-1, n + 1), (n + 1, -1)}})
    stored.write()
    for kept in (frozenset(TESTS[:1]), frozenset(TESTS[1:])):  # either side named
        out = merge.merge(
            None, tmp_path / "stored.db", kept=kept, moved={}, root=tmp_path, out=tmp_path / "o.db"
        )
        merged = CoverageData(str(out))
        merged.read()
        reference = CoverageData(str(tmp_path / "stored.db"))
        reference.read()
        reference.set_query_contexts(old_patterns(kept))
        assert sorted(merged.arcs(str(source)) or []) == sorted(reference.arcs(str(source)) or [])
        out.unlink()


def test_the_merge_keeps_a_file_the_full_run_measured_and_nothing_executed(tmp_path: Path) -> None:
    """A source file no test runs is in a full run's data with no arcs (coverage.py adds it at
    0 % when a measuring process saves): a selective run that starts no pytest process has only
    the merge to count it, and without it its total was higher than the full run's."""
    ran, unexecuted = tmp_path / "ran.py", tmp_path / "unexecuted.py"
    ran.write_text("x = 1\n")
    unexecuted.write_text("y = 2\n")
    stored = CoverageData(str(tmp_path / "stored.db"))
    stored.set_context(f"{TESTS[0]}|run")
    stored.add_arcs({str(ran): {(-1, 1), (1, -1)}})
    stored.touch_files([str(unexecuted)])
    stored.write()
    for kept in (frozenset(TESTS[:1]), frozenset[str]()):  # the test kept, or left out to run
        out = merge.merge(
            None, tmp_path / "stored.db", kept=kept, moved={}, root=tmp_path, out=tmp_path / "o.db"
        )
        merged = CoverageData(str(out))
        merged.read()
        assert str(unexecuted) in merged.measured_files()
        assert merged.arcs(str(unexecuted)) == []
        assert merged.has_arcs()
        out.unlink()
