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
* **The controller's measurement.** pytest-xdist's controller runs no test, and without a
  conftest file or another plugin of the project than the gate's own (not measured:
  ``[tool.coverage.run] omit``) no measured line: its data was empty, but its tracer made all it
  does slower (starting the workers, receiving every report). It is stopped as soon as pytest is
  configured; its empty data file is still written and combined with the workers'. With a
  conftest or another plugin of the project it measures as before: their code runs there.
* **The second worker's collection.** Every worker collects every test file, importing the same
  modules in the same order; the first worker (``gw0``) measures that, the others collect
  without measuring (the import-time lines they would measure are the first worker's). They
  measure from the end of the collection on, as before.

Measured on a full run of this project, two workers, against one without this plugin: the stored
data the same arc for arc in every context (326,105 arcs). tests/test_lean.py proves the
collections against pytest's own and which plugins keep the controller measured; the gate's
end-to-end tests compare the data of a run on workers with that of one process, arc for arc
(tests/test_testgate_workers.py).
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
from _pytest import unraisableexception

from runbook.selection.handoff import PLUGINS

COVERAGE_PLUGIN = "_cov"
"""The name pytest-cov registers its plugin under."""
CONTROLLER_MEASUREMENT = "DistMaster"
"""pytest-cov's class for the measurement of pytest-xdist's controller."""
WORKER_MEASUREMENT = "DistWorker"
"""pytest-cov's class for the measurement of a pytest-xdist worker."""
FIRST_WORKER = "gw0"


def collect_until_nothing(iterations: int) -> None:
    """Up to ``iterations`` garbage collections, stopping after the first that found nothing
    unreachable (pytest's ``gc_collect_harder`` always runs all of them)."""
    for _ in range(iterations):
        if not gc.collect():
            return


def runs_project_code(plugins: Iterable[object], root: Path) -> bool:
    """Whether a registered plugin is a conftest file, or a module of the project (under
    ``root``, outside an installed environment) other than the gate's own plugins."""
    for plugin in plugins:
        if not isinstance(plugin, ModuleType) or plugin.__name__ in PLUGINS:
            continue
        file = getattr(plugin, "__file__", None)
        if not isinstance(file, str):
            continue
        path = Path(file).resolve()
        if path.name == "conftest.py":
            return True
        if path.is_relative_to(root) and "site-packages" not in path.parts:
            return True
    return False


def _measurement(config: pytest.Config, kind: str) -> Any | None:
    """pytest-cov's running measurement when it is of the class named ``kind`` (None otherwise:
    no pytest-cov, or one that no longer works as this plugin expects)."""
    plugin = config.pluginmanager.get_plugin(COVERAGE_PLUGIN)
    measurement: object = getattr(plugin, "cov_controller", None)
    if type(measurement).__name__ != kind:
        return None
    return measurement


def _distributing(config: pytest.Config) -> bool:
    """This is pytest-xdist's controller: it runs no test, its workers do."""
    if hasattr(config, "workerinput") or config.getoption("collectonly"):
        return False
    return str(getattr(config.option, "dist", "no")) != "no"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    unraisableexception.gc_collect_harder = collect_until_nothing
    measurement = _measurement(config, CONTROLLER_MEASUREMENT)
    if measurement is None:
        return
    if hasattr(config, "workerinput") or (
        _distributing(config)
        and not runs_project_code(config.pluginmanager.get_plugins(), config.rootpath.resolve())
    ):
        measurement.cov.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    workerinput = cast(dict[str, Any] | None, getattr(session.config, "workerinput", None))
    measurement = _measurement(session.config, WORKER_MEASUREMENT)
    if workerinput is None or workerinput.get("workerid") == FIRST_WORKER or measurement is None:
        return (yield)
    measurement.cov.stop()
    try:
        return (yield)
    finally:
        measurement.cov.start()
