"""The environment a user's shell has, for benchmarks that run the project's own commands
(``make``, ``nox``) on a throwaway clone.

The bench session runs inside a nox virtualenv: its ``NOX*``/``VIRTUAL_ENV`` variables, its
``bin`` on ``PATH`` and ``PYTHONPATH`` would make the clone's make and nox find the session's
interpreter instead of the machine's ``python3``, as on a fresh checkout, and ``RUNBOOK_*``
variables would steer the clone's runner.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def user_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) as a user's shell has it, without colour."""
    source = os.environ if environ is None else environ
    env = {
        k: v
        for k, v in source.items()
        if not k.startswith(("NOX", "VIRTUAL_ENV", "RUNBOOK_")) and k != "PYTHONPATH"
    }
    venv = source.get("VIRTUAL_ENV")
    if venv:
        parts = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(p for p in parts if not p.startswith(venv))
    # CODEX_MLFLOW unset, as a user has it: set at all (even to 0), the runner starts the track
    # session after every run to read it (0.7-0.8 s), which a user without it never pays.
    env.pop("CODEX_MLFLOW", None)
    env.update(NO_COLOR="1", PYRIGHT_PYTHON_IGNORE_WARNINGS="1")
    return env
