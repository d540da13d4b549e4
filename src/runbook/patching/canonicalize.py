"""Merge suffixed copies (``foo_v2.py``, ``foo.py.bak``, ``foo (1).py`` ...) into one canonical
file, so history follows the content (``git mv -f``) and nothing is lost that git cannot give back.

``--find`` lists the groups; a plan (TOML or ``CANONICAL=COPY`` pairs) says which copy becomes
the canonical file; the rest of the group is ``git rm``-ed. A dry run (the default) prints the
exact git commands. ``--apply`` runs them, leaving the result staged for review and commit.

The checklist's ``must_exist`` / ``must_not_exist`` describe the tree the plan should produce.
It is verified before acting, against the tree the plan predicts (a plan that cannot meet it
does nothing), and after acting, against the real tree (a miss undoes every move).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

from runbook.running import gitutil

EXIT_CHECKLIST = 1
EXIT_REFUSED = 2

# Suffixes after the whole name (foo.py.bak, foo.orig, foo.py~) and before the extension
# (foo_v2.py, foo_old.py, foo-copy.py, foo (1).py, foo - Copy.py, foo copy 2.py).
_AFTER_NAME = re.compile(r"(?:\.(?:bak|orig|old|backup)|~)$", re.IGNORECASE)
_BEFORE_EXT = re.compile(
    r"(?:[_-](?:v\d+|old|copy\d*|bak|backup|orig)| \(\d+\)| - copy(?: \(\d+\))?| copy(?: \d+)?)$",
    re.IGNORECASE,
)


class RefusedError(ValueError):
    """The plan cannot be carried out safely; nothing has been changed."""


def canonical_name(name: str) -> str | None:
    """The canonical file name a suffixed copy belongs to, or None if ``name`` is not a copy.

    Suffixes are stripped repeatedly, so ``foo_v2.py.bak`` belongs to ``foo.py``.
    """
    current = name
    while True:
        after = _AFTER_NAME.search(current)
        if after and after.start() > 0:
            current = current[: after.start()]
            continue
        dot = current.rfind(".")
        stem, ext = (current[:dot], current[dot:]) if dot > 0 else (current, "")
        before = _BEFORE_EXT.search(stem)
        if before and before.start() > 0:
            current = stem[: before.start()] + ext
            continue
        return current if current != name else None


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def find(root: Path) -> dict[str, list[str]]:
    """Canonical path → its suffixed copies, over tracked and untracked-but-not-ignored files."""
    listed = gitutil.split_z(
        gitutil.git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    )
    groups: dict[str, list[str]] = {}
    for path in sorted(set(listed)):
        directory, _, name = path.rpartition("/")
        canonical = canonical_name(name)
        if canonical is not None:
            groups.setdefault(_join(directory, canonical), []).append(path)
    return dict(sorted(groups.items()))


@dataclass(frozen=True)
class Plan:
    choices: dict[str, str]
    """Canonical path → the copy that becomes it (the canonical path itself keeps it)."""
    must_exist: tuple[str, ...] = ()
    must_not_exist: tuple[str, ...] = ()


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in cast(list[Any], value)):
        raise RefusedError(f"{where} must be a list of paths")
    return tuple(cast(list[str], value))


def load_plan(path: Path) -> Plan:
    """Read a plan: ``[canonical]`` (CANONICAL = COPY) and ``[checklist]`` tables."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RefusedError(f"cannot read the plan {path}: {exc}") from None
    unknown = set(data) - {"canonical", "checklist"}
    if unknown:
        raise RefusedError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}")
    choices = cast(dict[str, Any], data.get("canonical", {}))
    if not all(isinstance(v, str) for v in choices.values()):
        raise RefusedError(f'{path}: [canonical] entries are "CANONICAL" = "COPY"')
    checklist = cast(dict[str, Any], data.get("checklist", {}))
    extra = set(checklist) - {"must_exist", "must_not_exist"}
    if extra:
        raise RefusedError(f"{path}: [checklist] has unknown key(s) {', '.join(sorted(extra))}")
    return Plan(
        choices=cast(dict[str, str], choices),
        must_exist=_strings(checklist.get("must_exist", []), "[checklist] must_exist"),
        must_not_exist=_strings(checklist.get("must_not_exist", []), "[checklist] must_not_exist"),
    )


def parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    choices: dict[str, str] = {}
    for pair in pairs:
        canonical, sep, copy = pair.partition("=")
        if not sep or not canonical or not copy:
            raise RefusedError(f"expected CANONICAL=COPY, not {pair!r}")
        choices[canonical] = copy
    return choices


@dataclass
class Actions:
    """The git commands a plan turns into, and what they change."""

    commands: list[list[str]] = field(default_factory=list[list[str]])
    created: set[str] = field(default_factory=set[str])
    removed: set[str] = field(default_factory=set[str])
    existing: set[str] = field(default_factory=set[str])
    """Every path involved that exists now (all tracked and clean, so HEAD can give it back)."""


def plan_actions(root: Path, plan: Plan, groups: dict[str, list[str]]) -> Actions:
    """Check the plan against the tree and turn it into git commands; refuse anything unsafe."""
    actions = Actions()
    if not plan.choices:
        raise RefusedError("the plan is empty: give CANONICAL=COPY pairs or a [canonical] table")
    for canonical, copy in plan.choices.items():
        for path in (canonical, copy):
            problem = gitutil.path_problem(root, path)
            if problem:
                raise RefusedError(f"outside the repository: {problem}")
        copies = groups.get(canonical, [])
        if copy != canonical and copy not in copies:
            found = ", ".join(copies) or "none"
            raise RefusedError(f"{copy} is not a suffixed copy of {canonical} (found: {found})")
        involved = [canonical, *copies]
        exists = [p for p in involved if (root / p).exists() or (root / p).is_symlink()]
        if copy not in exists:
            raise RefusedError(f"{copy} does not exist")
        untracked = set(exists) - gitutil.tracked(root, exists)
        if untracked:
            raise RefusedError(
                f"not tracked by git, so it could not be given back: {', '.join(sorted(untracked))}"
            )
        changed = gitutil.dirty(root, exists)
        if changed:
            raise RefusedError(f"uncommitted changes in {', '.join(sorted(changed))}")
        actions.existing.update(exists)
        if copy != canonical:
            actions.commands.append(["git", "mv", "-f", "--", copy, canonical])
            actions.created.add(canonical)
            actions.removed.add(copy)
        for other in copies:
            if other != copy:
                actions.commands.append(["git", "rm", "-q", "--", other])
                actions.removed.add(other)
    return actions


def checklist_misses(plan: Plan, exists: Callable[[str], bool]) -> list[str]:
    misses = [f"missing: {p}" for p in plan.must_exist if not exists(p)]
    return misses + [f"present: {p}" for p in plan.must_not_exist if exists(p)]


def undo(root: Path, actions: Actions) -> None:
    """Back to HEAD for every involved path (they were all clean); drop what the moves made."""
    for path in sorted(actions.created - actions.existing):
        gitutil.git(root, "rm", "-q", "-f", "--cached", "--ignore-unmatch", "--", path)
        (root / path).unlink(missing_ok=True)
    if actions.existing:
        gitutil.git(root, "checkout", "HEAD", "--", *sorted(actions.existing))


def carry_out(root: Path, plan: Plan, *, apply: bool, out: TextIO) -> int:
    groups = find(root)
    actions = plan_actions(root, plan, groups)

    def predicted(path: str) -> bool:
        if path in actions.created:
            return True
        return path not in actions.removed and (root / path).exists()

    for command in actions.commands:
        out.write(("" if apply else "would run: ") + shlex.join(command) + "\n")
    misses = checklist_misses(plan, predicted)
    if misses:
        out.write("canonicalize: the plan would not meet the checklist; nothing done:\n")
        out.writelines(f"  {miss}\n" for miss in misses)
        return EXIT_CHECKLIST
    if not apply:
        out.write("canonicalize: dry run, nothing changed; add --apply to run these commands\n")
        return 0
    done = False
    try:
        for command in actions.commands:
            gitutil.git(root, *command[1:])
        misses = checklist_misses(plan, lambda p: (root / p).exists())
        if misses:
            out.write("canonicalize: checklist failed after the moves; undoing them:\n")
            out.writelines(f"  {miss}\n" for miss in misses)
            return EXIT_CHECKLIST
        done = True
    finally:
        if not done:
            undo(root, actions)
    out.write("canonicalize: done; the changes are staged (git status, then git commit)\n")
    return 0


def show_groups(root: Path, out: TextIO) -> int:
    groups = find(root)
    everything = groups.keys() | {p for copies in groups.values() for p in copies}
    tracked = gitutil.tracked(root, sorted(everything))

    def state(path: str) -> str:
        if path in tracked:
            return "tracked"
        return "untracked" if (root / path).exists() else "missing"

    for canonical, copies in groups.items():
        out.write(f"{canonical} ({state(canonical)})\n")
        out.writelines(f"  <- {copy} ({state(copy)})\n" for copy in copies)
    if not groups:
        out.write("canonicalize: no suffixed copies found\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="canonicalize",
        description="Merge suffixed copies (foo_v2.py, foo.py.bak, foo (1).py ...) into one "
        "canonical file with git mv -f / git rm. Dry run unless --apply.",
    )
    parser.add_argument("pairs", nargs="*", metavar="CANONICAL=COPY")
    parser.add_argument("--find", action="store_true", help="list candidate groups and exit")
    parser.add_argument("--plan", type=Path, help="TOML plan: [canonical] and [checklist]")
    parser.add_argument("--apply", action="store_true", help="run the commands (default: print)")
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    try:
        try:
            root = gitutil.toplevel(cast(Path | None, args.root) or Path.cwd())
        except gitutil.GitError as exc:
            raise RefusedError(f"not inside a git work tree: {exc}") from None
        if args.find:
            return show_groups(root, out)
        plan_file = cast(Path | None, args.plan)
        plan = load_plan(plan_file) if plan_file else Plan(choices={})
        choices = {**plan.choices, **parse_pairs(cast(list[str], args.pairs))}
        plan = Plan(choices, plan.must_exist, plan.must_not_exist)
        return carry_out(root, plan, apply=bool(args.apply), out=out)
    except RefusedError as exc:
        out.write(f"canonicalize: refused, nothing changed: {exc}\n")
        return EXIT_REFUSED
    except gitutil.GitError as exc:
        out.write(f"canonicalize: error, the moves were undone: {exc}\n")
        return EXIT_REFUSED
