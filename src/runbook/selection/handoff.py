"""The variables through which the tests gate hands its plan to its pytest plugin and gets the
plugin's observations back (``testgate`` sets them, ``testselect`` reads them).

Stdlib-only and apart from the plugin, so the gate's own process never imports pytest (a third
of a second of every tests gate run).
"""

from __future__ import annotations

SKIP_ENV = "RUNBOOK_TESTSELECT_SKIP"
"""Path of a JSON list of node ids to deselect (the unaffected tests)."""
SHARD_ENV = "RUNBOOK_TESTSELECT_SHARD"
"""Path of a JSON object ``{"index": K, "count": N, "durations": {node id: seconds}}``: keep
only the K-th of N parts of the collected tests (``runbook.gates.shards.partition``)."""
ORDER_ENV = "RUNBOOK_TESTSELECT_ORDER"
"""Path of a JSON object ``{node id: seconds}``: run the collected tests whole modules at a
time, longest first (``runbook.gates.shards.longest_first``; set on pytest-xdist's workers)."""
TOGETHER_ENV = "RUNBOOK_TESTSELECT_TOGETHER"
"""A JSON list of lists of test file paths (``[tool.runbook] together``): each list's files are
one unit of work, handed to one pytest-xdist worker and ordered as one (set with
``ORDER_ENV``)."""
OBSERVE_ENV = "RUNBOOK_TESTSELECT_OBSERVE"
"""Path the observations are written to at the end of the session."""
PLUGINS = (
    "runbook.selection.testselect",
    "runbook.selection.isolation",
    "runbook.selection.lean",
)
"""The gate's pytest plugins (``-p``), in its measured pytest processes but not measured
themselves (``[tool.coverage.run] omit``: their paths depend on the run's mode)."""
ENTRY_POINT_PLUGINS = ("pytest_cov", "xdist")
"""The packages of the plugins the gate's pytest loads through their entry points (pytest-cov,
pytest-xdist): pytest rewrites the asserts of each of their modules it imports, as it does
``PLUGINS``' (``runbook.selection.bytecode.plugin_sources``)."""
