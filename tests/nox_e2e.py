"""The throwaway copy tests/test_runbook_nox.py gates through real nox, and its gate environments.

The copy has the real noxfile and runner (``src/runbook``, which the copy's git ignores, as it
would an installed tool), a tiny package with one test, and a pyproject whose dependency groups are
the real pins of ruff and pytest only (``types`` is skipped in ``[tool.runbook]``: pyright is the
costly one, and a soft or stopped run does not need it). Its gate environments (``ENVS``) are built
before pytest starts, by the nox session that runs the tests (``nox -s tests``, ``nox -s stress``:
``python tests/nox_e2e.py``), never by a test: the tests find them current or fail, naming what is
missing. ``STAMP`` records what they were built from (the copy's pyproject with its pins, the
noxfile and gate table that install them, this Python): any change builds them again, once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
REAL = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
REAL_GROUPS = REAL["dependency-groups"]
REAL_TOOL = REAL["tool"]


def _pins(group: str, *names: str) -> list[str]:
    """The real pyproject's pins for ``names`` in ``group`` (one place says which versions)."""
    pins = [pin for pin in REAL_GROUPS[group] if isinstance(pin, str)]
    chosen = [pin for pin in pins if pin.split("=")[0].split("<")[0].split(">")[0] in names]
    assert len(chosen) == len(names), f"{names} not all pinned in [dependency-groups] {group}"
    return chosen


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in cast(list[object], value)) + "]"
    return json.dumps(value)  # strings and numbers: JSON's forms are TOML's too


def _toml_table(name: str, table: dict[str, Any]) -> str:
    """A TOML table (and its sub-tables) from parsed data: enough for pyproject's tool tables."""
    scalars = [
        f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)
    ]
    text = f"[{name}]\n" + "".join(line + "\n" for line in scalars)
    for key, value in table.items():
        if isinstance(value, dict):
            text += _toml_table(f"{name}.{json.dumps(key)}", cast(dict[str, Any], value))
    return text


# The project's own ruff and pytest configuration, so the copied runner lints and formats as it
# does at home; groups, gates and coverage of the tiny package are the copy's own.
PYPROJECT = f"""
[project]
name = "tiny"
version = "0"
requires-python = ">=3.11"

[dependency-groups]
ruff = {_toml_list(_pins("ruff", "ruff"))}
tests = {_toml_list([*_pins("tests", "pytest", "pytest-cov"), *_pins("coverage", "coverage")])}
types = []
package = []

[tool.runbook]
timeout = 300
skip = ["types"]
workers = 0  # one process: its tests group has no pytest-xdist

[tool.coverage.run]
source = ["src/tiny"]

[tool.coverage.report]
fail_under = 70

{_toml_table("tool.ruff", REAL_TOOL["ruff"])}
{_toml_table("tool.pytest.ini_options", REAL_TOOL["pytest"]["ini_options"])}
"""

TINY = '''"""A package small enough to gate in seconds."""


def double(x: int) -> int:
    return 2 * x
'''

TINY_TEST = """from tiny import double


def test_double() -> None:
    assert double(2) == 4
"""

ENVS = ROOT / ".nox" / "e2e-tiny"
"""The copy's gate environments (its ``.nox`` is a link to here), kept between test sessions."""
SESSIONS = ("lint", "format", "tests")
"""The copy's gate sessions the tests start (``types`` is skipped, ``package`` never starts)."""
STAMP = ENVS / "built-from.sha256"
RUNNER = "src/runbook"
"""The runner's package, copied into the copy (its noxfile and gate sessions import it from
``src``) and ignored there by git."""


def stamp() -> str:
    """What the environments are built from: the copy's pins and the code that installs them."""
    digest = hashlib.sha256(PYPROJECT.encode())
    for source in ("noxfile.py", "src/runbook/gates/table.py"):
        digest.update((ROOT / source).read_bytes())
    digest.update(f"{sys.version}\0{sys.base_prefix}".encode())  # the interpreter the venvs use
    return digest.hexdigest()


def problem() -> str | None:
    """Why the environments cannot serve the tests as they are; None when they can."""
    missing = [name for name in SESSIONS if not (ENVS / name / "bin" / "python").exists()]
    if missing:
        return f"the end-to-end copy's gate environments are missing ({ENVS}: {', '.join(missing)})"
    if not STAMP.exists() or STAMP.read_text("utf-8").strip() != stamp():
        return (
            f"the end-to-end copy's gate environments are stale ({ENVS}: pins or noxfile changed)"
        )
    return None


@contextlib.contextmanager
def held() -> Generator[None]:
    """``ENVS`` to this process alone (a lock): a build never races the tests that use it."""
    ENVS.mkdir(parents=True, exist_ok=True)
    with ENVS.with_name(f"{ENVS.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def make_copy(base: Path) -> Path:
    """The throwaway copy under ``base``, committed; its ``.nox`` is ``ENVS``."""
    from runbook.selection.bytecode import compile_stale  # noqa: PLC0415 (only to copy)
    from support import git, init_repo  # noqa: PLC0415 (the runner's modules: only to copy)

    root = init_repo(base / "project")
    (root / ".nox").symlink_to(ENVS, target_is_directory=True)
    shutil.copy2(ROOT / "noxfile.py", root / "noxfile.py")
    shutil.copytree(
        ROOT / RUNNER,
        root / RUNNER,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "src" / "tiny").mkdir()
    (root / "src" / "tiny" / "__init__.py").write_text(TINY)
    # As the copy's first tests gate leaves them (runbook.selection.bytecode: checked against
    # the source's hash, never stale): every nox, wrapper and gate process of the copy imports
    # the runner from here, and under PYTHONDONTWRITEBYTECODE would compile it each time.
    compile_stale(root / "src")
    (root / "tests").mkdir()
    (root / "tests" / "test_tiny.py").write_text(TINY_TEST)
    for folder in ("benchmarks", "scripts"):  # the lint gate names them
        (root / folder).mkdir()
        (root / folder / ".keep").write_text("")
    (root / "pyproject.toml").write_text(PYPROJECT)
    # The runner is ignored, as an installed tool is: the copy's project is noxfile.py and the
    # tiny package. Tracked, its ~80 modules were the copy's files too: printed by the copy's
    # first tests gate for its selection data (0.5 CPU-s of the soft runbook's test), linted
    # and formatted by every run. (tree() in tests/test_runbook_nox.py cleans around it.)
    (root / ".gitignore").write_text(  # .nox: the link, not only a directory
        f"/{RUNNER}/\n.nox\n.runbook/\n.coverage\nCodex_Questions.md\n__pycache__/\n.ruff_cache/\n"
        ".pytest_cache/\n"
    )
    git(root, "add", ".")
    git(root, "commit", "-qm", "tiny project")
    return root


def build(base: Path) -> float | None:
    """Make the environments current (a copy under ``base``, ``nox --install-only``, as the
    copy's own gate sessions install them): None when they were, else the seconds it took."""
    with held():
        if problem() is None:
            return None
        started = time.monotonic()
        STAMP.unlink(missing_ok=True)
        root = make_copy(base)
        argv = [sys.executable, "-m", "nox", "--non-interactive", "--install-only", "-s"]
        done = subprocess.run(
            [*argv, *SESSIONS],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"nox --install-only failed:\n{done.stdout}{done.stderr}")
        STAMP.write_text(stamp() + "\n", "utf-8")
        return time.monotonic() - started


def main() -> int:
    import tempfile  # noqa: PLC0415 (only when run as the build)

    reason = problem()
    if reason is not None:
        print(f"tests: {reason}: building them (nox --install-only) for tests/test_runbook_nox.py")
    with tempfile.TemporaryDirectory(prefix="nox-e2e-") as tmp:
        try:
            seconds = build(Path(tmp))
        except RuntimeError as exc:
            print(f"tests: cannot build the end-to-end copy's gate environments: {exc}")
            return 1
    if seconds is not None:
        print(
            f"tests: built the end-to-end copy's gate environments ({', '.join(SESSIONS)}) "
            f"in {seconds:.0f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
