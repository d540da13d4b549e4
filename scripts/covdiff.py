"""Entry point: ``python scripts/covdiff.py A.db B.db [...]`` (see
``runbook.selection.covdiff``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runbook.selection.covdiff import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
