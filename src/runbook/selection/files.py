"""Which kind of file a changed path is, for the selection: the selection's own modules
(``MACHINERY``), configuration the tools read themselves (``CONFIGURATION``), Python code
(``CODE_SUFFIXES``), test modules, modules under ``src/`` and the package their data belongs to.

Names only, no reading: ``impact`` decides from these kinds what a change can reach.
"""

from __future__ import annotations

from pathlib import PurePosixPath

MACHINERY = frozenset(
    {
        "src/runbook/selection/impact.py",
        "src/runbook/selection/files.py",
        "src/runbook/selection/fingerprint.py",
        "src/runbook/selection/importprint.py",
        "src/runbook/selection/stored.py",
        "src/runbook/selection/signatures.py",
        "src/runbook/selection/testgate.py",
        "src/runbook/selection/store.py",
        "src/runbook/selection/coverdata.py",
        "src/runbook/selection/merge.py",
        "src/runbook/selection/verdict.py",
        "src/runbook/selection/childpth.py",
        "src/runbook/selection/testselect.py",
        "src/runbook/selection/handoff.py",
        "src/runbook/selection/childwatch.py",
        "src/runbook/selection/isolation.py",
        "src/runbook/selection/lean.py",
    }
)
"""The selection itself: a change to it is checked by a full run."""


CONFIGURATION = frozenset(
    {
        # pytest's and coverage.py's configuration (pytest looks for its ini file in the
        # directories of the paths it is given too, so the name counts anywhere in the tree)
        "pyproject.toml",
        "pytest.ini",
        ".pytest.ini",
        "tox.ini",
        "setup.cfg",
        ".coveragerc",
        "conftest.py",
        # the environments and how the gate is started: nox, uv, pip, make
        "noxfile.py",
        "uv.lock",
        "uv.toml",
        ".python-version",
        "Makefile",
        "GNUmakefile",
        "makefile",
        # git: which files are the gate's inputs, and what the tests' git commands see
        ".gitignore",
        ".gitattributes",
        ".gitmodules",
        # the other gates' configuration, part of every gate's cache key
        # (runbook.running.cache.ALWAYS_READ)
        "ruff.toml",
        ".ruff.toml",
        "pyrightconfig.json",
    }
)
"""File names (anywhere in the tree) that configure how the tests run, read by pytest,
coverage.py, nox, uv, make or git themselves, outside any test: no test's record shows them, so
a change runs the whole suite. ``requirements*.txt`` and ``constraints*.txt`` count too."""


CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyw", ".pyc", ".pth", ".pyx", ".pxd", ".so", ".pyd", ".pyz", ".egg", ".whl"}
)
"""Python code, and what Python imports: outside ``src/`` and the test modules, the import
system reads it (unseen: its reads are not a test's) and coverage.py does not measure it, so a
change runs the whole suite (``tests/support.py``, ``benchmarks/``, ``scripts/``)."""


def is_test_module(path: str) -> bool:
    """A module pytest collects tests from (``tests/**/test_*.py``)."""
    pure = PurePosixPath(path)
    return pure.parts[:1] == ("tests",) and pure.name.startswith("test_") and pure.suffix == ".py"


def is_source(path: str) -> bool:
    """A module under ``src/``: fingerprinted, measured by coverage.py."""
    return path.startswith("src/") and path.endswith(".py")


def package_of(path: str) -> str:
    """For package data (a data file under ``src/PACKAGE/``), ``src/PACKAGE/``: a test that
    executed any of the package's code depends on it too, read or not, since what the package
    derives from it can be kept in module state (a dict of costs, filled by an earlier test)
    that a later test uses without reading the file; "" elsewhere."""
    parts = PurePosixPath(path).parts
    return f"src/{parts[1]}/" if len(parts) > 2 and parts[0] == "src" else ""
