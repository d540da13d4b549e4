"""The tests gate's one row in CI's gate table, from its shards.

Each shard's job kept, under ``tests-shard-K-of-N`` (``runbook.reports.ci_gate``), its nox
report, log and findings, its coverage data (``.coverage``) and its record (``.shard.json``:
which part, at which commit, which tests it collected and ran; ``runbook.selection.testgate``).
The row passes only when every shard passed, every shard's data is there and from the commit
being checked, the shards ran every collected test exactly once, and the total of their data
combined (``coverage combine``) reaches the floor. Anything else names the shard.
"""

from __future__ import annotations

import io
import json
import sqlite3
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from coverage import Coverage, CoverageData
from coverage.exceptions import CoverageException, CoverageWarning
from coverage.results import should_fail_under

from runbook.gates.shards import Shard
from runbook.records.result import GateResult, Status
from runbook.running import gitutil

RECORD_SUFFIX = ".shard.json"
DATA_SUFFIX = ".coverage"
COMBINED = "tests.coverage"
"""The combined data, written next to the shards' files."""


class ShardDataError(Exception):
    """A shard's data is missing, unreadable, from another commit, or overlaps another's."""


@dataclass(frozen=True)
class ShardRecord:
    shard: Shard
    data: Path
    collected: frozenset[str]
    ran: tuple[str, ...]


def shard_files(directory: Path, shard: Shard) -> tuple[Path, Path]:
    """The record and the coverage data CI kept for ``shard``."""
    stem = f"tests-{shard.name}"
    return directory / f"{stem}{RECORD_SUFFIX}", directory / f"{stem}{DATA_SUFFIX}"


def load_record(directory: Path, shard: Shard, commit: str) -> ShardRecord:
    record_file, data_file = shard_files(directory, shard)
    if not data_file.is_file() or not record_file.is_file():
        missing = data_file.name if not data_file.is_file() else record_file.name
        raise ShardDataError(f"shard {shard}: its coverage data is missing ({missing})")
    try:
        raw = cast(dict[str, Any], json.loads(record_file.read_text("utf-8")))
        said, measured_at = str(raw["shard"]), str(raw["commit"])
        collected = frozenset(str(n) for n in cast(list[object], raw["collected"]))
        ran = tuple(str(n) for n in cast(list[object], raw["ran"]))
        lost = [str(n) for n in cast(list[object], raw.get("incomplete", []))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ShardDataError(f"shard {shard}: its record is unreadable ({exc})") from exc
    if said != str(shard):
        raise ShardDataError(f"shard {shard}: its record is shard {said}'s")
    if not commit or measured_at != commit:
        raise ShardDataError(
            f"shard {shard}: its coverage data is from commit {measured_at[:12] or 'unknown'}, "
            f"not {commit[:12] or 'unknown'}"
        )
    if lost:
        raise ShardDataError(f"shard {shard}: its data is incomplete: {'; '.join(lost)}")
    try:
        CoverageData(str(data_file)).read()
    except (CoverageException, sqlite3.Error) as exc:
        raise ShardDataError(f"shard {shard}: its coverage data is unreadable ({exc})") from exc
    return ShardRecord(shard=shard, data=data_file, collected=collected, ran=ran)


def check_once(records: Sequence[ShardRecord]) -> None:
    """The shards collected the same tests and ran each of them exactly once."""
    first = records[0]
    for record in records[1:]:
        if record.collected != first.collected:
            raise ShardDataError(f"shard {record.shard} collected other tests than {first.shard}")
    runs = Counter(nodeid for record in records for nodeid in record.ran)
    for record in records:
        twice = sorted(nodeid for nodeid in record.ran if runs[nodeid] > 1)
        if twice:
            raise ShardDataError(f"shard {record.shard} ran {twice[0]}, which another ran too")
    never = sorted(first.collected - set(runs))
    if never:
        raise ShardDataError(f"no shard ran {never[0]} ({len(never)} not run)")


def combine(records: Sequence[ShardRecord], root: Path, out: Path) -> float:
    """``coverage combine`` of the shards' data (kept) into ``out``; its total."""
    out.unlink(missing_ok=True)
    cov = Coverage(data_file=str(out), config_file=str(root / "pyproject.toml"))
    try:
        with warnings.catch_warnings():
            # combine() skips a file it cannot use with a warning: here that is an error.
            warnings.simplefilter("error", CoverageWarning)
            cov.combine([str(record.data) for record in records], strict=True, keep=True)
            cov.save()
            return cov.report(file=io.StringIO(), ignore_errors=True)
    except (CoverageException, CoverageWarning, sqlite3.Error) as exc:
        raise ShardDataError(f"the shards' coverage data cannot be combined: {exc}") from exc


def precision(root: Path) -> int:
    return Coverage(config_file=str(root / "pyproject.toml")).config.precision


def combined(
    parts: Sequence[GateResult], directory: Path, threshold: float, root: Path
) -> GateResult:
    """The tests gate's row from its shards' rows (in shard order) and data."""
    count = len(parts)
    findings = tuple(f for part in parts for f in part.findings)
    base = replace(
        parts[0],
        seconds=max(part.seconds for part in parts),  # the shards run at the same time
        findings=findings,
        findings_total=sum(part.findings_total for part in parts),
        findings_warning="; ".join(p.findings_warning for p in parts if p.findings_warning),
    )
    shards = [Shard(index, count) for index in range(1, count + 1)]
    for shard, part in zip(shards, parts, strict=True):
        if part.status is not Status.PASS:
            return replace(
                base,
                status=part.status,
                exit_code=part.exit_code,
                log=part.log,
                reason=f"shard {shard}: {part.reason or part.status}",
            )
    commit = gitutil.head_commit(root)
    try:
        records = [load_record(directory, shard, commit) for shard in shards]
        check_once(records)
        total = combine(records, root, directory / COMBINED)
    except ShardDataError as exc:
        return replace(base, status=Status.ERROR, exit_code=None, reason=str(exc))
    ran = sum(len(record.ran) for record in records)
    reason = f"{count} shards, {ran} tests; coverage {total:.2f}% combined"
    if should_fail_under(total, threshold, precision(root)):
        reason = f"{reason} < {threshold:g}%"
        return replace(base, status=Status.FAIL, exit_code=1, coverage=total, reason=reason)
    return replace(base, status=Status.PASS, exit_code=0, coverage=total, reason=reason)
