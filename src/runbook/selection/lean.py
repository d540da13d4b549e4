"""pytest plugin of the tests gate (``-p runbook.selection.lean``): work that pytest and
pytest-cov do in every pytest process of the gate and that its run does not need, left out;
what the run measures, checks and reports stays the same.

* **The garbage collections at the end.** pytest's unraisable-exception plugin collects garbage
  five times at the end of every process (``gc_collect_harder``), so that a finalizer that
  raises fails the run. A collection that finds nothing unreachable frees nothing and runs no
  finalizer, so the next one would find nothing again: here the collections stop at the first
  that finds nothing, at the same point of the session's end, and the unraisable exceptions are
  checked after them as before. Measured: 2 collections instead of 5 in each pytest-xdist worker,
  0.17-0.2 CPU-s each once MLflow and transformers are loaded.
* **pytest-cov's controller measurement in a worker.** pytest-cov starts the measurement of a
  controller in every pytest-xdist worker too (a worker is started with the controller's
  arguments, ``-n`` included), before the worker's own replaces it at session start. Its data is
  never saved, and it measured again from the moment the worker's own stopped: the session's
  end, the collections above. It is stopped as soon as pytest is configured.

tests/test_lean.py proves the first against pytest's own collections; the gate's end-to-end tests
compare the data of a run on workers with that of one process, arc for arc
(tests/test_testgate_workers.py).
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from _pytest import unraisableexception

COVERAGE_PLUGIN = "_cov"
"""The name pytest-cov registers its plugin under."""
CONTROLLER_MEASUREMENT = "DistMaster"
"""pytest-cov's class for the measurement of pytest-xdist's controller."""


def collect_until_nothing(iterations: int) -> None:
    """Up to ``iterations`` garbage collections, stopping after the first that found nothing
    unreachable (pytest's ``gc_collect_harder`` always runs all of them)."""
    for _ in range(iterations):
        if not gc.collect():
            return


def _controller_measurement(config: pytest.Config) -> Any | None:
    """pytest-cov's controller measurement when it is the one running (None otherwise: a
    pytest-cov that no longer starts it in a worker)."""
    plugin = config.pluginmanager.get_plugin(COVERAGE_PLUGIN)
    measurement: object = getattr(plugin, "cov_controller", None)
    if type(measurement).__name__ != CONTROLLER_MEASUREMENT:
        return None
    return measurement


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    unraisableexception.gc_collect_harder = collect_until_nothing
    if hasattr(config, "workerinput"):
        measurement = _controller_measurement(config)
        if measurement is not None:
            measurement.cov.stop()
