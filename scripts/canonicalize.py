"""Entry point: ``python scripts/canonicalize.py --find`` (see
``runbook.patching.canonicalize``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runbook.patching.canonicalize import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
