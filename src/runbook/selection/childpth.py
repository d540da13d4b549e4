"""The ``.pth`` file through which ``runbook.selection.childwatch`` follows the tests' Python
children: written into the tests environment's site-packages, atomically, once."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from runbook.records import atomic
from runbook.selection import childwatch


def install_childwatch() -> str:
    """The ``.pth`` line through which runbook.selection.childwatch follows the tests' Python
    children;
    a notice when it cannot be written (those tests then always run)."""
    target = Path(sysconfig.get_paths()["purelib"]) / childwatch.PTH_NAME
    try:
        if target.is_file() and target.read_text("utf-8") == childwatch.PTH_LINE:
            return ""
        atomic.write_text(target, childwatch.PTH_LINE)
    except OSError as exc:
        return f"tests: cannot follow child processes ({exc}); tests that start one always run"
    return ""
