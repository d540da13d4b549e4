"""The gate runner behind ``nox -s runbook`` and ``nox -s release``.

Its parts are folders; data flows one way, gate table → running → results → reports. Bottom up,
a part imports only the parts on the lines above its own (``LAYERS``; parts on one line import
neither each other); tests/test_import_boundaries.py checks it:

- ``records/``: what a gate produced (``GateResult``, ``Finding``) and redaction;
- ``gates/``: the gate table (``gates/table.py``), settings, one module per tool (``gates/tools/``);
- ``running/``: one gate as a process group (timeouts, signals, the tree lock, the cache, git);
- ``reports/``, ``selection/`` and ``typeselect/``: the table, files, capture and history of a
  run; which tests a change can affect (the tests gate and its pytest plugin); which files it
  can affect (the types gate);
- ``run.py``: one run of the gates, soft or strict, from the table to the reports;
- ``patching/`` and ``tracking/``: the patch workflow; MLflow tracking and the dashboard;
- ``cli.py`` (``python -m runbook``, through ``__main__.py``), ``stress.py`` and ``package.py``:
  entry points.
"""

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"records"}),
    frozenset({"gates"}),
    frozenset({"running"}),
    frozenset({"reports", "selection", "typeselect"}),
    frozenset({"run"}),
    frozenset({"patching", "tracking"}),
    frozenset({"cli", "stress", "package"}),
    frozenset({"__main__"}),
)
"""The parts bottom up: a module may import its own part and the parts of earlier lines only."""
