"""Which files the types gate checks: every one, or the changed files' reverse import closure.

``decide`` compares the tree now with the baseline (the last tree pyright found clean). It
checks every file, and says why, when the baseline cannot be used or the change is one the
closure does not cover:

* no, unreadable, truncated, foreign (another checkout) or other-version baseline;
* another environment (pyright, the interpreter, an installed package, ``PYRIGHT*``
  variables) or a change to the selection's own code;
* a change to pyright's configuration (``pyproject.toml``, ``pyrightconfig.json``), or one it
  cannot follow (``project.ConfigError``);
* a file added, deleted or renamed among those pyright checks or could resolve an import to
  (a new module can change what an unchanged import means);
* a change to a file pyright reads but does not check (``py.typed``, a stub outside
  ``include``, a compiled module).

Otherwise only the changed files and the files that import them, at any depth, are checked
(``imports.reverse_closure``). The closure is taken on the imports as they are now: an unchanged
file imports what it imported when the baseline was taken (same text, same files, same roots),
and the imports *of* a changed file do not matter, since it is checked anyway and the closure
only follows edges into a file. When nothing changed, nothing is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runbook.typeselect import imports
from runbook.typeselect.baseline import Baseline
from runbook.typeselect.imports import FileIndex, ImportRef
from runbook.typeselect.project import CHECKED_SUFFIXES, Tree

SHOWN = 3
"""How many file names a reason lists."""


@dataclass(frozen=True)
class Plan:
    total: int
    """How many files a full run checks."""
    files: tuple[str, ...] = ()
    """The files to check in a selective run."""
    full_reason: str = ""
    """Set: check every file, and this is why."""


@dataclass
class Imports:
    """Each Python file's imports now, and the files whose imports could not be read (a
    baseline is never recorded with those: a later edit could miss their importers)."""

    refs: dict[str, tuple[ImportRef, ...]] = field(default_factory=dict[str, tuple[ImportRef, ...]])
    unreadable: dict[str, str] = field(default_factory=dict[str, str])


def read_imports(
    root: Path, tree: Tree, known: Baseline | None = None, only: frozenset[str] | None = None
) -> Imports:
    """The imports of the tree's Python files (those in ``only``, when given); a file whose
    digest is the one ``known`` recorded keeps the imports read then."""
    found = Imports()
    for name, digest in tree.files.items():
        if not name.endswith(CHECKED_SUFFIXES) or (only is not None and name not in only):
            continue
        if known is not None and known.files.get(name) == digest and name in known.imports:
            found.refs[name] = known.imports[name]
            continue
        try:
            found.refs[name] = imports.import_refs((root / name).read_bytes())
        except (SyntaxError, ValueError, OSError) as exc:
            found.unreadable[name] = f"{type(exc).__name__}: {exc}"
            found.refs[name] = ()
    return found


def _names(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _file_set_change(before: Mapping[str, str], now: Mapping[str, str]) -> str:
    added = [name for name in now if name not in before]
    deleted = [name for name in before if name not in now]
    said: list[str] = []
    if added:
        said.append(f"{len(added)} added ({_names(added)})")
    if deleted:
        said.append(f"{len(deleted)} deleted ({_names(deleted)})")
    return "files " + " and ".join(said) if said else ""


def full_reason(baseline: Baseline, tree: Tree, environment: str, machinery: str) -> str:
    """Why every file must be checked against ``baseline``, or "" when the closure covers the
    change."""
    changed_config = sorted(n for n in tree.config if baseline.config.get(n) != tree.config[n])
    checked = set(tree.checked)
    changed = [name for name, digest in tree.files.items() if baseline.files.get(name) != digest]
    unchecked = [name for name in changed if name not in checked]
    reasons = [
        (
            baseline.environment != environment,
            "the types environment changed (pyright, the interpreter or a package)",
        ),
        (baseline.machinery != machinery, "the types selection itself changed"),
        (
            bool(changed_config) or set(baseline.config) != set(tree.config),
            f"pyright's configuration changed ({_names(changed_config)})",
        ),
        (True, _file_set_change(baseline.files, tree.files)),
        (set(baseline.checked) != checked, "the set of checked files changed"),
        (
            bool(unchecked),
            f"a file pyright reads but does not check changed ({_names(unchecked)})",
        ),
    ]
    return next((reason for applies, reason in reasons if applies and reason), "")


def decide(
    root: Path, baseline: Baseline, tree: Tree, environment: str, machinery: str
) -> tuple[Plan, Imports]:
    """The plan for a selective run against ``baseline``, and the imports read for it."""
    total = len(tree.checked)
    reason = full_reason(baseline, tree, environment, machinery)
    if reason:
        return Plan(total, full_reason=reason), Imports()
    changed = sorted(name for name, digest in tree.files.items() if baseline.files[name] != digest)
    found = read_imports(root, tree, baseline)
    edges = imports.dependencies(found.refs, tree.roots, FileIndex(tree.files))
    reached = imports.reverse_closure(changed, edges) & set(tree.checked)
    return Plan(total, files=tuple(sorted(reached))), found


def next_baseline(
    root: Path, tree: Tree, found: Imports, *, environment: str, machinery: str
) -> Baseline:
    """The baseline of ``tree``, found clean."""
    return Baseline(
        root=str(root.resolve()),
        environment=environment,
        machinery=machinery,
        config=dict(tree.config),
        checked=tree.checked,
        files=dict(tree.files),
        imports=dict(found.refs),
    )
