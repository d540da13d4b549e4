"""The project's import graph as pyright resolves it, and the files a change can reach.

A file's pyright diagnostics depend on its own text, the configuration, the environment and the
modules it imports, at any depth (``runbook.typeselect`` says why). So after an edit only the
*reverse transitive import closure* of the changed files needs checking: the changed files and
every file that imports one of them, directly or through other project files.

Imports are read from the whole syntax tree (``ast.walk``): every ``import`` and ``from ...
import`` anywhere, at module level, under ``if TYPE_CHECKING:``, in functions, in ``try``
blocks. Each is turned into the project files it may resolve to, always erring towards more:

* ``import a.b.c`` depends on ``a``, ``a.b`` and ``a.b.c`` (the packages' ``__init__`` run
  first, and the name bound is ``a``, whose attributes come from ``a/__init__``);
* ``from p import n`` depends on ``p`` (and its parents) and on ``p.n``, which may be a
  submodule; ``from p import *`` on every module directly inside ``p`` (its ``__all__`` may
  name submodules);
* relative imports are resolved against the importing file's directory, as pyright does;
* a module ``m`` under a root is ``m.py``, ``m.pyi``, ``m/__init__.py``, ``m/__init__.pyi``, and,
  for a top-level name, the same under ``m-stubs``; every candidate that exists counts, under
  every root (pyright takes the first; a dependency too many only checks a file more);
* the roots are those pyright searches (the project root, ``extraPaths``, ``stubPath``, the
  interpreter's search paths inside the project: ``src`` here) plus every directory between the
  importing file and the project root (pyright's last resort for an absolute import);
* a ``.py`` and its ``.pyi`` depend on each other.

Pure functions over relative POSIX paths; nothing here reads the disk but the caller.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import cast

MODULE_SUFFIXES = (".py", ".pyi")
STAR = "*"


@dataclass(frozen=True, order=True)
class ImportRef:
    """One imported module, as written: ``level`` 0 is absolute, ``names`` what ``from``
    imports (``("*",)`` for a star import; empty for ``import a.b``)."""

    module: str
    level: int = 0
    names: tuple[str, ...] = ()

    def to_json(self) -> list[object]:
        return [self.module, self.level, list(self.names)]

    @classmethod
    def from_json(cls, data: object) -> ImportRef:
        """The inverse of ``to_json``; ValueError on any other shape."""
        fields = cast(list[object], data) if isinstance(data, list) else []
        if len(fields) == 3:
            module, level, names = fields
            listed = cast(list[object], names) if isinstance(names, list) else None
            if (
                isinstance(module, str)
                and isinstance(level, int)
                and not isinstance(level, bool)
                and level >= 0
                and listed is not None
                and all(isinstance(name, str) for name in listed)
            ):
                return cls(module, level, tuple(str(name) for name in listed))
        raise ValueError(f"an import is not [module, level, names]: {data!r}")


def import_refs(source: bytes) -> tuple[ImportRef, ...]:
    """Every import in ``source``, anywhere in its syntax tree, sorted and without repeats.

    Raises ``SyntaxError`` (or ``ValueError`` for a NUL byte) when it does not parse.
    """
    found: set[ImportRef] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(ImportRef(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(sorted({alias.name for alias in node.names}))
            found.add(ImportRef(node.module or "", node.level, names))
    return tuple(sorted(found))


class FileIndex:
    """The project's files (relative POSIX paths) that imports may resolve to."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = frozenset(files)
        children: dict[str, set[str]] = {}
        for name in self.files:
            path = PurePosixPath(name)
            parent = _key(path.parent)
            if path.suffix in MODULE_SUFFIXES and path.stem != "__init__":
                children.setdefault(parent, set()).add(_key(path.with_suffix("")))
            elif path.stem == "__init__" and path.suffix in MODULE_SUFFIXES:
                grand = _key(path.parent.parent) if path.parent.parts else ""
                children.setdefault(grand, set()).add(_key(path.parent))
        self._children = {key: frozenset(value) for key, value in children.items()}

    def module_files(self, stem: str) -> set[str]:
        """The files a module at ``stem`` (a path without suffix) may be."""
        candidates = [stem + suffix for suffix in MODULE_SUFFIXES]
        candidates += [_join(stem, "__init__" + suffix) for suffix in MODULE_SUFFIXES]
        return {name for name in candidates if name in self.files}

    def submodules(self, stem: str) -> set[str]:
        """The stems of the modules and packages directly inside the package at ``stem``."""
        return set(self._children.get(stem, frozenset()))


def _key(path: PurePosixPath) -> str:
    text = str(path)
    return "" if text == "." else text


def _join(base: str, *parts: str) -> str:
    return "/".join(part for part in (base, *parts) if part)


def search_roots(importer: str, roots: Iterable[str]) -> list[str]:
    """The directories an absolute import in ``importer`` is looked up in: ``roots`` and every
    directory from the importer's up to the project root (``""``)."""
    found = list(dict.fromkeys(roots))
    folder = PurePosixPath(importer).parent
    while True:
        key = _key(folder)
        if key not in found:
            found.append(key)
        if not folder.parts:
            return found
        folder = folder.parent


def _absolute_stems(module: str, root: str) -> list[str]:
    """``a.b.c`` under ``root``: the stems of ``a``, ``a.b``, ``a.b.c`` (and ``a-stubs``'s)."""
    parts = [part for part in module.split(".") if part]
    stems: list[str] = []
    for depth in range(1, len(parts) + 1):
        stems.append(_join(root, *parts[:depth]))
        stems.append(_join(root, parts[0] + "-stubs", *parts[1:depth]))
    return stems


def _relative_base(importer: str, level: int) -> str | None:
    """The directory a relative import of ``level`` dots in ``importer`` starts from; None when
    it climbs above the project root."""
    folder = PurePosixPath(importer).parent
    for _ in range(level - 1):
        if not folder.parts:
            return None
        folder = folder.parent
    return _key(folder)


def targets(ref: ImportRef, importer: str, roots: Iterable[str], index: FileIndex) -> set[str]:
    """The project files ``ref``, written in ``importer``, may resolve to."""
    packages: list[str] = []  # the stems of the module named after ``from`` (or ``import``)
    stems: list[str] = []
    if ref.level:
        base = _relative_base(importer, ref.level)
        if base is None:
            return set()
        parts = [part for part in ref.module.split(".") if part]
        stems.append(base)  # the package the dots name: its __init__
        stems.extend(_join(base, *parts[:depth]) for depth in range(1, len(parts) + 1))
        packages.append(_join(base, *parts))
    else:
        for root in search_roots(importer, roots):
            found = _absolute_stems(ref.module, root)
            stems.extend(found)
            packages.extend(found[-2:])  # the full name, plain and under -stubs
    for package in packages:
        for name in ref.names:
            if name == STAR:
                stems.extend(index.submodules(package))
            else:
                stems.append(_join(package, name))
    files: set[str] = set()
    for stem in stems:
        files |= index.module_files(stem)
    files.discard(importer)
    return files


def siblings(name: str, index: FileIndex) -> set[str]:
    """``m.py`` for ``m.pyi`` and the other way round, when it exists."""
    path = PurePosixPath(name)
    if path.suffix not in MODULE_SUFFIXES:
        return set()
    other = ".pyi" if path.suffix == ".py" else ".py"
    twin = str(path.with_suffix(other))
    return {twin} if twin in index.files else set()


def dependencies(
    refs: Mapping[str, Iterable[ImportRef]], roots: Iterable[str], index: FileIndex
) -> dict[str, set[str]]:
    """Each importing file's project dependencies (its direct imports and its stub twin)."""
    listed = list(roots)
    return {
        importer: set[str]().union(
            siblings(importer, index), *(targets(ref, importer, listed, index) for ref in found)
        )
        for importer, found in refs.items()
    }


def reverse_closure(changed: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    """``changed`` and every file that depends on one of them, at any depth."""
    importers: dict[str, set[str]] = {}
    for importer, imported in edges.items():
        for name in imported:
            importers.setdefault(name, set()).add(importer)
    reached = set(changed)
    waiting = list(reached)
    while waiting:
        for importer in importers.get(waiting.pop(), set()):
            if importer not in reached:
                reached.add(importer)
                waiting.append(importer)
    return reached
