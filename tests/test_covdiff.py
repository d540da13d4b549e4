"""The coverage data comparer (scripts/covdiff.py): totals, differing arcs, per-test contexts,
and unreadable input, on data files written with coverage.py's own API."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

from coverage import CoverageData

from runbook.selection import covdiff

SCRIPT = Path(__file__).parents[1] / "scripts" / "covdiff.py"
SOURCE = "def f(x):\n    if x:\n        return 1\n    return 2\n"
MODULE = {(-1, 1), (1, -1)}
TRUE_PATH = {(-1, 2), (2, 3), (3, -2)}
FALSE_PATH = {(-1, 2), (2, 4), (4, -2)}


def write_data(path: Path, source: Path, arcs_by_context: dict[str, set[tuple[int, int]]]) -> Path:
    data = CoverageData(str(path))
    for context, arcs in arcs_by_context.items():
        data.set_context(context)
        data.add_arcs({str(source): arcs})
    data.write()
    return path


def run(*args: Path | str) -> tuple[int, str]:
    out = io.StringIO()
    code = covdiff.main([str(arg) for arg in args], out)
    return code, out.getvalue()


def source_file(tmp_path: Path) -> Path:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE, "utf-8")
    return source


def test_same_data_same_totals(tmp_path: Path) -> None:
    source = source_file(tmp_path)
    a = write_data(tmp_path / "a.db", source, {"t1|run": MODULE | TRUE_PATH})
    b = write_data(tmp_path / "b.db", source, {"t1|run": MODULE | TRUE_PATH})
    code, text = run(a, b, "--contexts")
    assert code == covdiff.EXIT_SAME, text
    # 4 statements and 2 branches; lines 1, 2, 3 and one branch ran: 4 of 6.
    assert f"{a}: total 66.667%" in text
    assert f"{b}: total 66.667%" in text
    assert "b.db vs a.db: same" in text
    assert "  measured by no test in both (0; a merged total can miss these):" in text


def test_an_arc_in_one_run_only_is_named(tmp_path: Path) -> None:
    source = source_file(tmp_path)
    a = write_data(tmp_path / "a.db", source, {"t1|run": MODULE | TRUE_PATH})
    b = write_data(tmp_path / "b.db", source, {"t1|run": MODULE | TRUE_PATH | FALSE_PATH})
    code, text = run(a, b)
    assert code == covdiff.EXIT_DIFFERENT
    assert f"{b}: total 100.000%" in text
    assert f"  {source}: arcs only in b.db: 2->4, 4->exit" in text.splitlines()
    assert "only in a.db" not in text


def test_same_union_but_other_tests_differs_per_context(tmp_path: Path) -> None:
    """The merge keeps stored data test by test: equal totals are not enough."""
    source = source_file(tmp_path)
    a = write_data(tmp_path / "a.db", source, {"t1|run": MODULE | TRUE_PATH, "t2|run": set()})
    b = write_data(tmp_path / "b.db", source, {"t1|run": MODULE, "t2|run": TRUE_PATH})
    code, text = run(a, b, "--contexts")
    assert code == covdiff.EXIT_DIFFERENT
    assert "b.db vs a.db: same" in text  # the union is the same
    lines = text.splitlines()
    t1, t2 = lines.index("  context 't1|run':"), lines.index("  context 't2|run':")
    assert lines[t1 + 1] == f"    {source}: arcs only in a.db: entry->2, 2->3, 3->exit"
    assert lines[t2 + 1] == f"    {source}: arcs only in b.db: entry->2, 2->3, 3->exit"
    # No test measured the true path in both runs: a merge of t1 from one run and t2 from the
    # other would miss it.
    assert "  measured by no test in both (3; a merged total can miss these):" in lines
    assert f"  {source}: 2->3: by ['t1|run'] | by ['t2|run']" in lines


def test_lines_only_data(tmp_path: Path) -> None:
    source = source_file(tmp_path)
    files: list[Path] = []
    for name, lines in (("a.db", [1, 2, 3]), ("b.db", [1, 2, 4])):
        data = CoverageData(str(tmp_path / name))
        data.add_lines({str(source): lines})
        data.write()
        files.append(tmp_path / name)
    code, text = run(*files)
    assert code == covdiff.EXIT_DIFFERENT
    assert f"  {source}: lines only in a.db: 3" in text.splitlines()
    assert f"  {source}: lines only in b.db: 4" in text.splitlines()


def test_missing_and_corrupt_files_are_named(tmp_path: Path) -> None:
    source = source_file(tmp_path)
    a = write_data(tmp_path / "a.db", source, {"": MODULE})
    code, text = run(a, tmp_path / "gone.db")
    assert code == covdiff.EXIT_UNREADABLE
    assert text == f"covdiff: cannot read {tmp_path}/gone.db: no such file\n"
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database" * 100)
    code, text = run(a, corrupt)
    assert code == covdiff.EXIT_UNREADABLE
    assert text.startswith(f"covdiff: cannot read {corrupt}: ")
    other_schema = tmp_path / "other.db"
    with sqlite3.connect(other_schema) as db:
        db.execute("create table t (x)")
    code, text = run(other_schema, a)
    assert code == covdiff.EXIT_UNREADABLE
    assert text.startswith(f"covdiff: cannot read {other_schema}: ")


def test_script_runs_standalone(tmp_path: Path) -> None:
    source = source_file(tmp_path)
    a = write_data(tmp_path / "a.db", source, {"": MODULE})
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(a), str(a)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == covdiff.EXIT_SAME, proc.stderr
    assert "a.db vs a.db: same" in proc.stdout
