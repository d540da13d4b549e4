"""Runbook settings: defaults from pyproject.toml, overridden by the environment.

The runbook passes its command-line overrides to each gate's nox process through the
environment (``RUNBOOK_COV_FAIL_UNDER``), so `nox -s tests` run by hand and the same gate run
by the runbook read one source of truth.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from runbook.gates.table import GATES, Gate

COV_ENV = "RUNBOOK_COV_FAIL_UNDER"
SELECT_ENV = "RUNBOOK_TEST_SELECTION"
"""``select`` (the soft runbook): the tests gate runs only the tests a change can affect
(runbook.selection.testgate), the types gate checks only the files it can affect
(runbook.typeselect.typegate)."""
WORKERS_ENV = "RUNBOOK_TEST_WORKERS"
"""Overrides ``[tool.runbook] workers`` (e.g. ``0`` for one process while debugging)."""
SERIAL_BELOW_ENV = "RUNBOOK_TEST_SERIAL_BELOW"
"""Overrides ``[tool.runbook] serial_below`` (``0``: a selective run always uses the workers)."""
DEFAULT_COV_FAIL_UNDER = 70.0
DEFAULT_TIMEOUT = 1800.0
DEFAULT_WORKERS = "auto"
DEFAULT_SHARDS = 2
DEFAULT_SERIAL_BELOW = 3.0
TOGETHER_MAX = 64


class SettingsError(ValueError):
    """A setting has a value the runbook cannot use; the message says what is allowed."""


@dataclass(frozen=True)
class Settings:
    cov_fail_under: float = DEFAULT_COV_FAIL_UNDER
    timeout: float = DEFAULT_TIMEOUT
    skip: tuple[str, ...] = ()
    workers: str = DEFAULT_WORKERS
    """pytest-xdist's ``-n`` for the tests gate: ``auto`` (one per core) or a count; ``0`` runs
    the tests in the pytest process itself."""
    shards: int = DEFAULT_SHARDS
    """How many CI jobs the tests gate is split into (gates.yml's matrix)."""
    serial_below: float = DEFAULT_SERIAL_BELOW
    """A selective run whose tests took fewer seconds than this in ``tests/durations.json`` runs
    in one process: starting the workers, each importing and collecting the selected test files,
    costs more than the workers save on so little."""
    together: tuple[tuple[str, ...], ...] = ()
    """Groups of test files (paths from the root) that pytest-xdist hands to one worker as one
    unit: files that import the same heavy library, which every worker running one of them would
    import again. Which tests run, and their data, do not depend on it."""


def parse_threshold(value: object, source: str) -> float:
    """A coverage threshold in 0-100, or a SettingsError naming where the bad value came from."""
    try:
        threshold = float(cast(Any, value))
    except (TypeError, ValueError):
        raise SettingsError(
            f"{source}: coverage threshold {value!r} is not a number; allowed: 0 to 100"
        ) from None
    if not 0 <= threshold <= 100 or math.isnan(threshold):
        raise SettingsError(f"{source}: coverage threshold {value!r} is outside 0 to 100")
    return threshold


def _number_of_seconds(value: object, what: str) -> float:
    """``value`` as a float, or a SettingsError saying ``what`` is not a number of seconds."""
    try:
        return float(cast(Any, value))
    except (TypeError, ValueError):
        raise SettingsError(f"{what} is not a number of seconds") from None


def parse_timeout(value: object, source: str) -> float:
    """A positive number of seconds."""
    seconds = _number_of_seconds(value, f"{source}: timeout {value!r}")
    if not seconds > 0 or math.isinf(seconds):
        raise SettingsError(f"{source}: timeout {value!r} must be a positive number of seconds")
    return seconds


def parse_workers(value: object, source: str) -> str:
    """``auto`` or a whole number of workers (0: no workers), as pytest-xdist's ``-n`` takes it."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    if text == "auto" or (text.isdigit() and not isinstance(value, bool)):
        return text if text == "auto" else str(int(text))
    raise SettingsError(f'{source}: workers {value!r}; allowed: "auto" or a count (0: none)')


def parse_seconds(value: object, source: str) -> float:
    """A number of seconds, 0 or more."""
    seconds = _number_of_seconds(value, f"{source}: {value!r}")
    if not seconds >= 0 or math.isinf(seconds) or isinstance(value, bool):
        raise SettingsError(f"{source}: {value!r}; allowed: a number of seconds, 0 or more")
    return seconds


def parse_shards(value: object, source: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64:
        return value
    raise SettingsError(f"{source}: shards {value!r}; allowed: a whole number from 1 to 64")


def parse_together(value: object, source: str) -> tuple[tuple[str, ...], ...]:
    """Groups of test file paths: a list of lists of paths, no path in two groups."""
    items = cast(list[Any], value) if isinstance(value, list) else None
    groups = [cast(list[Any], g) for g in items or () if isinstance(g, list)]
    if items is None or len(groups) != len(items) or len(groups) > TOGETHER_MAX:
        raise SettingsError(f"{source}: together {value!r}; allowed: a list of lists of paths")
    names: list[str] = []
    for group in groups:
        if not all(isinstance(name, str) and name for name in group):
            raise SettingsError(f"{source}: together {group!r}: each path must be a string")
        names.extend(cast(list[str], group))
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SettingsError(f"{source}: together: {', '.join(twice)} in more than one group")
    return tuple(tuple(cast(list[str], group)) for group in groups)


def _check_skip(skip: object, gates: tuple[Gate, ...]) -> tuple[str, ...]:
    if not isinstance(skip, list) or not all(isinstance(n, str) for n in cast(list[Any], skip)):
        raise SettingsError("[tool.runbook] skip must be a list of gate names")
    optional = [gate.name for gate in gates if not gate.required]
    names = cast(list[str], skip)
    bad = [name for name in names if name not in optional]
    if bad:
        raise SettingsError(
            f"[tool.runbook] skip: {', '.join(bad)} cannot be skipped; "
            f"optional gates: {', '.join(optional) or 'none'}"
        )
    return tuple(names)


def load(
    root: Path,
    env: Mapping[str, str] | None = None,
    gates: tuple[Gate, ...] = GATES,
) -> Settings:
    """Settings for the project at ``root``."""
    env = os.environ if env is None else env
    pyproject = root / "pyproject.toml"
    data: dict[str, Any] = tomllib.loads(pyproject.read_text("utf-8")) if pyproject.exists() else {}
    tool = cast(dict[str, Any], data.get("tool", {}))
    runbook = cast(dict[str, Any], tool.get("runbook", {}))
    report = cast(dict[str, Any], cast(dict[str, Any], tool.get("coverage", {})).get("report", {}))

    threshold = parse_threshold(
        report.get("fail_under", DEFAULT_COV_FAIL_UNDER), "[tool.coverage.report] fail_under"
    )
    if COV_ENV in env:
        threshold = parse_threshold(env[COV_ENV], COV_ENV)
    timeout = parse_timeout(runbook.get("timeout", DEFAULT_TIMEOUT), "[tool.runbook] timeout")
    skip = _check_skip(runbook.get("skip", []), gates)
    workers = parse_workers(runbook.get("workers", DEFAULT_WORKERS), "[tool.runbook] workers")
    if WORKERS_ENV in env:
        workers = parse_workers(env[WORKERS_ENV], WORKERS_ENV)
    shards = parse_shards(runbook.get("shards", DEFAULT_SHARDS), "[tool.runbook] shards")
    serial_below = parse_seconds(
        runbook.get("serial_below", DEFAULT_SERIAL_BELOW), "[tool.runbook] serial_below"
    )
    if SERIAL_BELOW_ENV in env:
        serial_below = parse_seconds(env[SERIAL_BELOW_ENV], SERIAL_BELOW_ENV)
    together = parse_together(runbook.get("together", []), "[tool.runbook] together")
    return Settings(
        cov_fail_under=threshold,
        timeout=timeout,
        skip=skip,
        workers=workers,
        shards=shards,
        serial_below=serial_below,
        together=together,
    )
