"""Which files pyright checks and reads in the project, from its configuration.

pyright checks the ``.py``/``.pyi`` files under ``include`` that no ``exclude`` pattern (nor its
own automatic ones: ``**/node_modules``, ``**/__pycache__``, ``**/.*``) matches. It reads, to
resolve imports, any module under its search roots: the project root, ``extraPaths``,
``stubPath`` (``typings``) and the interpreter's search paths (``PYTHONPATH=src``). The tree
state the types gate records holds both sets: the checked files, and every file an import could
resolve to (``.py``, ``.pyi``, compiled modules, ``py.typed`` markers under directories whose
names can be module names), each with its content digest, and the configuration files.

The configuration is ``pyrightconfig.json`` when it exists (it takes precedence), else
``[tool.pyright]`` of ``pyproject.toml``. Settings that move pyright's roots, interpreter or
typeshed in ways this module does not follow (``executionEnvironments``, ``venvPath``, ``venv``,
``typeshedPath``, a root outside the project) are a ``ConfigError``: the gate then checks every
file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

CONFIG_FILES = ("pyrightconfig.json", "pyproject.toml")
"""Where pyright reads its configuration (the first that exists wins); both are recorded."""
AUTO_EXCLUDE = ("**/node_modules", "**/__pycache__", "**/.*")
"""Excluded by pyright whatever ``exclude`` says."""
CHECKED_SUFFIXES = (".py", ".pyi")
RESOLVED_SUFFIXES = (".py", ".pyi", ".so", ".pyd")
MARKERS = ("py.typed",)
UNFOLLOWED = ("executionEnvironments", "venvPath", "venv", "typeshedPath")
"""Settings whose effect on roots and interpreter the selection does not model."""
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})


class ConfigError(Exception):
    """pyright's configuration cannot be read, or uses what the selection does not follow."""


@dataclass(frozen=True)
class Config:
    """What of pyright's configuration decides which files it checks and reads."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    roots: tuple[str, ...]
    """Search roots inside the project, relative (``""``: the project root)."""


def _relative(root: Path, entry: str, what: str) -> str:
    path = (root / entry).resolve()
    try:
        relative = path.relative_to(root.resolve())
    except ValueError:
        raise ConfigError(f"{what} {entry!r} is outside the project") from None
    text = relative.as_posix()
    return "" if text == "." else text


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in cast(list[Any], value)):
        raise ConfigError(f"{what} is not a list of strings")
    return cast(list[str], value)


def raw_config(root: Path) -> dict[str, Any]:
    """pyright's settings: ``pyrightconfig.json`` if it exists, else ``[tool.pyright]``."""
    json_config = root / CONFIG_FILES[0]
    try:
        if json_config.is_file():
            # pyright allows comments and trailing commas; this reader does not, and says so.
            data: object = json.loads(json_config.read_text("utf-8"))
        else:
            pyproject = root / CONFIG_FILES[1]
            text = pyproject.read_text("utf-8") if pyproject.is_file() else ""
            tool = cast(dict[str, Any], tomllib.loads(text).get("tool", {}))
            data = tool.get("pyright", {})
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read pyright's configuration: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError("pyright's configuration is not a table")
    return cast(dict[str, Any], data)


def load_config(root: Path, interpreter_paths: Iterable[str] = ()) -> Config:
    """The configuration; ``interpreter_paths`` are the search paths of pyright's interpreter
    (those inside the project become roots)."""
    data = raw_config(root)
    unfollowed = [key for key in UNFOLLOWED if key in data]
    if unfollowed:
        raise ConfigError(f"pyright's {', '.join(unfollowed)} is not followed by the selection")
    include = [
        _relative(root, entry, "include")
        for entry in _strings(data.get("include", ["."]), "include")
    ]
    exclude = _strings(data.get("exclude", []), "exclude")
    roots = ["", "src"]
    roots += [_relative(root, e, "extraPaths") for e in _strings(data.get("extraPaths", []), "x")]
    stub_path = data.get("stubPath", "typings")
    if not isinstance(stub_path, str):
        raise ConfigError("stubPath is not a string")
    roots.append(_relative(root, stub_path, "stubPath"))
    top = root.resolve()
    for entry in interpreter_paths:
        path = Path(entry).resolve()
        if path == top or top in path.parents:
            roots.append(_relative(root, str(path), "search path"))
    return Config(
        include=tuple(include),
        exclude=(*exclude, *AUTO_EXCLUDE),
        roots=tuple(dict.fromkeys(roots)),
    )


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """pyright's path pattern as a regular expression over root-relative POSIX paths: ``**``
    any number of folders, ``*`` and ``?`` within one name; a pattern also matches everything
    under what it names."""
    parts = [part for part in PurePosixPath(pattern).parts if part not in {".", "/"}]
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += "(?:[^/]*/)*" if not last else ".*"
            continue
        piece = re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        regex += piece + ("" if last else "/")
    return re.compile(f"^{regex}(?:/.*)?$")


class Excluded:
    """Whether a root-relative path is excluded from checking."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [glob_pattern(pattern) for pattern in patterns]

    def __call__(self, relative: str) -> bool:
        return any(pattern.match(relative) for pattern in self.patterns)


def checked_files(root: Path, config: Config) -> list[str]:
    """The files a plain ``pyright`` run checks, relative, sorted."""
    excluded = Excluded(config.exclude)
    found: set[str] = set()
    for entry in config.include:
        start = root / entry
        if start.is_file():
            if start.suffix in CHECKED_SUFFIXES and not excluded(entry):
                found.add(entry)
            continue
        for folder, dirs, files in os.walk(start):
            here = Path(folder).relative_to(root).as_posix()
            here = "" if here == "." else here
            dirs[:] = [d for d in dirs if not excluded(_join(here, d))]
            found.update(
                _join(here, name)
                for name in files
                if Path(name).suffix in CHECKED_SUFFIXES and not excluded(_join(here, name))
            )
    return sorted(found)


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name


def _module_dir(name: str) -> bool:
    return name not in SKIPPED_DIRS and (name.isidentifier() or name.endswith("-stubs"))


def resolvable_files(root: Path, config: Config) -> list[str]:
    """Every file under the search roots an import could resolve to, relative, sorted."""
    found: set[str] = set()
    for entry in config.roots:
        for folder, dirs, files in os.walk(root / entry):
            here = Path(folder).relative_to(root).as_posix()
            here = "" if here == "." else here
            dirs[:] = [d for d in dirs if _module_dir(d)]
            found.update(
                _join(here, name)
                for name in files
                if Path(name).suffix in RESOLVED_SUFFIXES or name in MARKERS
            )
    return sorted(found)


def digest(path: Path) -> str:
    """The file's content digest; ``missing`` when it does not exist."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "missing"


@dataclass(frozen=True)
class Tree:
    """The project as pyright would see it now."""

    checked: tuple[str, ...]
    files: dict[str, str]
    """Every checked or resolvable file: its content digest."""
    config: dict[str, str]
    """Each configuration file's digest (``missing`` when absent)."""
    roots: tuple[str, ...]


def scan(root: Path, interpreter_paths: Iterable[str] = ()) -> Tree:
    """The tree now; ``ConfigError`` when the configuration cannot be followed, OSError when a
    file cannot be read."""
    config = load_config(root, interpreter_paths)
    checked = checked_files(root, config)
    names = sorted({*checked, *resolvable_files(root, config)})
    return Tree(
        checked=tuple(checked),
        files={name: digest(root / name) for name in names},
        config={name: digest(root / name) for name in CONFIG_FILES},
        roots=config.roots,
    )
