"""The environment pyright checks against, as one digest.

pyright's diagnostics depend, besides the project's files, on pyright itself (its checker and
the typeshed it bundles), the interpreter it asks for its search paths (``python3``, else
``python``, on ``PATH``: the gate's environment inside nox) and every package installed there.
The digest covers pyright's executable, each interpreter's path, version and search paths
(``sys.path``, which ``PYTHONPATH`` extends), and, in each search path of the interpreter (its
standard library, its ``site-packages``), the names of the installed distributions
(``*.dist-info``: name and version), ``.pth`` files with their content, and the ``PYRIGHT*``
variables (pyright-python's own settings). A baseline recorded in another environment is
foreign: the gate checks every file. A search path inside the project (``src``) holds project
files, which the tree state covers; one that is neither (another checkout on ``PYTHONPATH``) is
an ``EnvironmentProbeError``: its files are not followed, so every file is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

INTERPRETERS = ("python3", "python")
"""What pyright runs, in its order, to learn the search paths."""
PROBE = (
    "import json, sys; "
    "print(json.dumps([sys.executable, sys.version, sys.path, sys.prefix, sys.base_prefix]))"
)
PROBE_TIMEOUT = 60.0
INSTALLED = (".dist-info", ".egg-info", ".egg-link", ".pth")


class EnvironmentProbeError(Exception):
    """The interpreter pyright would use cannot be found or asked."""


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    search_paths: tuple[str, ...]
    """The interpreter's search paths (those inside the project are import roots)."""


def _ask(program: str, root: Path) -> list[Any]:
    try:
        done = subprocess.run(
            [program, "-c", PROBE],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        answer = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise EnvironmentProbeError(f"cannot ask {program} for its search paths: {exc}") from exc
    if not isinstance(answer, list) or len(cast(list[Any], answer)) != 5:
        raise EnvironmentProbeError(f"{program} answered {done.stdout[:200]!r}")
    return cast(list[Any], answer)


def _installed(folder: Path) -> list[str]:
    """The installed-package markers in one search path, with each ``.pth``'s content."""
    try:
        names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(INSTALLED))
    except (NotADirectoryError, FileNotFoundError):
        return []
    found: list[str] = []
    for name in names:
        found.append(name)
        if name.endswith(".pth"):
            found.append((folder / name).read_text("utf-8", "replace"))
    return found


ENVIRONMENT_DIRS = frozenset({"site-packages", "dist-packages"})


def in_project(path: Path, top: Path) -> bool:
    """Whether a search path holds the project's own modules: inside the project, and not in
    an environment there (``.nox/``, ``.venv/``: hidden folders, ``site-packages``), whose
    packages the digest covers instead."""
    if path != top and top not in path.parents:
        return False
    parts = path.relative_to(top).parts
    return not any(part.startswith(".") or part in ENVIRONMENT_DIRS for part in parts)


def fingerprint(root: Path) -> Fingerprint:
    """The digest of the environment pyright runs in now; ``EnvironmentProbeError`` when its
    interpreter cannot be asked, OSError when a search path cannot be listed."""
    top = root.resolve()
    parts: list[object] = [shutil.which("pyright") or "no pyright on PATH"]
    parts.append(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("PYRIGHT")))
    programs = [found for name in INTERPRETERS if (found := shutil.which(name))]
    if not programs:
        raise EnvironmentProbeError("no python3 or python on PATH for pyright to ask")
    paths: list[str] = []
    seen: set[Path] = set()
    for program in programs:
        real = Path(program).resolve()
        parts.append(program)
        if real in seen:
            continue
        seen.add(real)
        executable, version, search, prefix, base_prefix = _ask(program, top)
        # "" is the working directory of ``-c``, which pyright leaves out too.
        listed = [str(entry) for entry in cast(list[object], search) if entry]
        parts.append([executable, version, listed])
        prefixes = {Path(str(prefix)).resolve(), Path(str(base_prefix)).resolve()}
        for entry in listed:
            path = Path(entry).resolve()
            if in_project(path, top):
                paths.append(str(path))
            elif prefixes & {path, *path.parents} or ENVIRONMENT_DIRS & set(path.parts):
                parts.append(_installed(path))
            else:
                raise EnvironmentProbeError(
                    f"{program}'s search path {path} is neither the project's nor the "
                    "interpreter's: the selection does not follow its files"
                )
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return Fingerprint(hashlib.sha256(blob).hexdigest(), tuple(dict.fromkeys(paths)))
