"""Compare coverage data files: each one's total, and every line and arc measured in one but
not in another (``python scripts/covdiff.py A.db B.db [C.db ...] [--contexts]``).

The tests gate computes a selective run's total from this run's data merged with the stored
per-test data of the unaffected tests, so that total equals a full run's only if the measured
arcs do not depend on timing or load. This tool finds the arcs that do: run the full suite a few
times (``COVERAGE_FILE=...``), once on a busy machine, and compare the data files. A difference
is a test or a piece of code whose measured path depends on timing. ``--contexts`` also compares
the data of each test (``--cov-context=test``), since the merge keeps the stored data test by
test, and lists what no test measured in both files: only those items can make a merged total
differ from a full run's (an arc that one test measures in every run keeps both totals equal).

Exit status: 0 when every file measured the same lines and arcs as the first, 1 when one
differs, 2 when a file cannot be read. Not used by the gates (a developer's tool).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar, cast

from coverage import Coverage, CoverageData
from coverage.exceptions import CoverageException

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_UNREADABLE = 2

Arc = tuple[int, int]


class UnreadableError(Exception):
    """A coverage data file that does not exist or that coverage.py cannot read."""


@dataclass(frozen=True)
class Measured:
    """What one data file measured: per source file its arcs (branch data) or else its lines
    (a file measured with nothing in the query context has an empty set)."""

    arcs: dict[str, frozenset[Arc]]
    lines: dict[str, frozenset[int]]


def read_data(path: Path, context: str | None = None) -> CoverageData:
    if not path.is_file():
        raise UnreadableError(f"{path}: no such file")
    data = CoverageData(str(path))
    try:
        data.read()
    except CoverageException as exc:
        raise UnreadableError(f"{path}: {exc}") from exc
    if context is not None:
        data.set_query_context(context)
    return data


Item = TypeVar("Item", Arc, int)
"""An arc or a line: what ``differences`` lists per file."""


def measured(data: CoverageData) -> Measured:
    """The data's lines and arcs per file (of the query context when one is set)."""
    arcs: dict[str, frozenset[Arc]] = {}
    lines: dict[str, frozenset[int]] = {}
    branch = data.has_arcs()
    for name in data.measured_files():
        if branch:
            arcs[name] = frozenset(data.arcs(name) or ())
        else:
            lines[name] = frozenset(data.lines(name) or ())
    return Measured(arcs, lines)


def total(path: Path, config: Path | None) -> float:
    """The total percentage ``coverage report`` gives for the data (the gate's number)."""
    read_data(path)  # a clear error for a missing or corrupt file, before coverage.py's own
    cov = Coverage(data_file=str(path), config_file=str(config) if config else False)
    try:
        cov.load()
        return cov.report(file=io.StringIO(), ignore_errors=True)
    except CoverageException as exc:
        raise UnreadableError(f"{path}: {exc}") from exc


def show_arc(arc: Arc) -> str:
    """``12->14``; coverage.py's negative numbers (entering or leaving a code object) by name."""
    start, end = arc
    return f"{'entry' if start < 0 else start}->{'exit' if end < 0 else end}"


def differences(first: Measured, other: Measured, names: tuple[str, str]) -> list[str]:
    """One line per source file and side: the arcs, then the lines, only that side measured."""
    return [
        *_only_in("arcs", first.arcs, other.arcs, names, show_arc),
        *_only_in("lines", first.lines, other.lines, names, str),
    ]


def _only_in(
    kind: str,
    first: dict[str, frozenset[Item]],
    other: dict[str, frozenset[Item]],
    names: tuple[str, str],
    show: Callable[[Item], str],
) -> list[str]:
    found: list[str] = []
    for source in sorted(first.keys() | other.keys()):
        mine, theirs = first.get(source, frozenset[Item]()), other.get(source, frozenset[Item]())
        for label, only in ((names[0], mine - theirs), (names[1], theirs - mine)):
            if only:
                shown = ", ".join(show(item) for item in sorted(only))
                found.append(f"  {source}: {kind} only in {label}: {shown}")
    return found


def contexts(data: CoverageData) -> set[str]:
    return set(data.measured_contexts())


def by_context(path: Path, names: set[str]) -> dict[str, Measured]:
    return {context: measured(read_data(path, context)) for context in names}


def covering(per_context: dict[str, Measured]) -> dict[tuple[str, str], set[str]]:
    """Per measured item (source file and arc or line, as shown) the contexts that measured it."""
    found: dict[tuple[str, str], set[str]] = {}
    for context, data in per_context.items():
        for source, arcs in data.arcs.items():
            for arc in arcs:
                found.setdefault((source, show_arc(arc)), set()).add(context)
        for source, lines in data.lines.items():
            for line in lines:
                found.setdefault((source, str(line)), set()).add(context)
    return found


def unshared(first: dict[str, Measured], other: dict[str, Measured]) -> list[str]:
    """Items no context measured in both files. A merge keeps stored data test by test, so such
    an item can be in one run's total and missing from a merge of two runs' tests."""
    mine, theirs = covering(first), covering(other)
    found: list[str] = []
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key, set[str]()), theirs.get(key, set[str]())
        if not a & b:
            found.append(f"  {key[0]}: {key[1]}: by {sorted(a)} | by {sorted(b)}")
    return found


def compare_contexts(first: Path, other: Path, out: TextIO) -> bool:
    """Per-test comparison (``--cov-context=test``); whether every context measured the same.
    Then the items no test measured in both runs: those can make a merged total differ."""
    a_contexts, b_contexts = contexts(read_data(first)), contexts(read_data(other))
    same = True
    sides = ((first.name, a_contexts - b_contexts), (other.name, b_contexts - a_contexts))
    for label, only in sides:
        for context in sorted(only):
            same = False
            out.write(f"  context {context or '(none)'!r} only in {label}\n")
    mine, theirs = by_context(first, a_contexts), by_context(other, b_contexts)
    for context in sorted(a_contexts & b_contexts):
        found = differences(mine[context], theirs[context], (first.name, other.name))
        if found:
            same = False
            out.write(f"  context {context or '(none: import time)'!r}:\n")
            out.writelines(f"  {line}\n" for line in found)
    risky = unshared(mine, theirs)
    out.write(f"  measured by no test in both ({len(risky)}; a merged total can miss these):\n")
    out.writelines(f"{line}\n" for line in risky)
    return same


def compare(paths: Sequence[Path], config: Path | None, by_context: bool, out: TextIO) -> bool:
    """Print each file's total and its differences from the first; whether all are the same."""
    totals = [total(path, config) for path in paths]  # every file is readable before any output
    out.writelines(f"{path}: total {pct:.3f}%\n" for path, pct in zip(paths, totals, strict=True))
    first = measured(read_data(paths[0]))
    same = True
    for other in paths[1:]:
        names = (paths[0].name, other.name)
        found = differences(first, measured(read_data(other)), names)
        out.write(f"{other.name} vs {names[0]}: {'same' if not found else 'DIFFERENT'}\n")
        out.writelines(f"{line}\n" for line in found)
        same = same and not found
        if by_context:
            out.write(f"{other.name} vs {names[0]} per test context:\n")
            context_same = compare_contexts(paths[0], other, out)
            out.write(f"  {'same' if context_same else 'DIFFERENT'}\n")
            same = same and context_same
    return same


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="covdiff", description="Compare coverage data files: totals and differing arcs."
    )
    parser.add_argument("data", nargs="+", type=Path, help="coverage data files (2 or more)")
    parser.add_argument(
        "--config", type=Path, default=None, help="coverage config for the totals (pyproject.toml)"
    )
    parser.add_argument(
        "--contexts", action="store_true", help="also compare each test context's data"
    )
    return parser


def main(argv: Iterable[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    parser = _parser()
    args = parser.parse_args(None if argv is None else list(argv))
    paths = cast(list[Path], args.data)
    if len(paths) < 2:
        parser.error("give at least two data files to compare")
    try:
        same = compare(paths, cast(Path | None, args.config), bool(args.contexts), out)
    except UnreadableError as exc:
        out.write(f"covdiff: cannot read {exc}\n")
        return EXIT_UNREADABLE
    return EXIT_SAME if same else EXIT_DIFFERENT
