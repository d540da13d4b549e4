"""CI's gate jobs: ``nox --list --json -t gate | python -m runbook.reports.ci_matrix``.

Prints the gate matrix as JSON for the list job's output: one job per gate session nox lists,
the tests gate as ``[tool.runbook] shards`` jobs (``{"gate", "shard", "name"}`` each; ``name``
names the job's artifact and files). Stdlib only: the list job has only the tools environment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.gates.settings import load
from runbook.gates.shards import matrix


def main(listing: TextIO, out: TextIO, root: Path) -> int:
    sessions = cast(list[dict[str, Any]], json.load(listing))
    gates = [str(session["session"]) for session in sessions]
    out.write(json.dumps(matrix(gates, load(root).shards)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.stdin, sys.stdout, Path.cwd()))
