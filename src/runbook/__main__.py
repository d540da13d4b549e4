"""``python -m runbook``: see runbook.cli."""

import sys

from runbook.cli import main

sys.exit(main())
