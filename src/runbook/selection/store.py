"""The stored selection data (``.runbook/selection/``): what a full run of the tests gate
leaves for later selective runs, and the tree it is compared against.

``meta.json`` (``stored.Stored``: file digests, source prints, per-test facts) names the
coverage data file it belongs to and is replaced last, so a reader sees the old data or the new,
never a mix. ``build_stored`` turns a full run's coverage data and what the
``runbook.selection.testselect`` plugin saw into that record.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from coverage import CoverageData
from coverage.exceptions import CoverageException

from runbook.gates.table import GATES, Gate
from runbook.records import atomic
from runbook.running import cache
from runbook.selection import fingerprint, importprint
from runbook.selection.coverdata import executed, relative_to
from runbook.selection.stored import RecordedTest, SelectionDataError, Stored

SELECTION_DIR = Path(".runbook") / "selection"
META = "meta.json"


def tests_gate() -> Gate:
    return next(gate for gate in GATES if gate.name == "tests")


def current_files(root: Path) -> dict[str, str]:
    """Content digest of every file the tests gate reads (tracked or untracked, not ignored)."""
    return {
        name: cache.content_digest(root / name).hex()
        for name in cache.input_files(root, tests_gate().inputs)
    }


def read_text(root: Path) -> Callable[[str], str]:
    def read(path: str) -> str:
        return (root / path).read_text("utf-8", "surrogateescape")

    return read


@dataclass(frozen=True)
class Observed:
    """What the ``runbook.selection.testselect`` plugin saw in one pytest session."""

    collected: list[str]
    setups: dict[str, list[str]]
    tests: dict[str, dict[str, Any]]
    collection_reads: list[str]
    """Files project code opened as data outside any test."""
    incomplete: list[str]
    """What was lost (a pytest-xdist worker that crashed, and the test it was running): the
    run's data is not a full run's and must not be stored."""

    @classmethod
    def load(cls, path: Path) -> Observed:
        data = cast(dict[str, Any], json.loads(path.read_text("utf-8")))
        return cls(
            collected=[str(n) for n in data["collected"]],
            setups=cast(dict[str, list[str]], data["setups"]),
            tests=cast(dict[str, dict[str, Any]], data["tests"]),
            collection_reads=[str(n) for n in data.get("collection_reads", [])],
            incomplete=[str(n) for n in data.get("incomplete", [])],
        )


class SelectionStore:
    """``.runbook/selection/``: ``meta.json`` names the coverage data file it belongs to, and is
    replaced last, so a reader sees the old data or the new, never a mix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.directory = root / SELECTION_DIR

    def load(self, environment: str) -> Stored:
        meta = self.directory / META
        try:
            text = meta.read_text("utf-8")
        except FileNotFoundError:
            raise SelectionDataError("no selection data yet (it comes from a full run)") from None
        except OSError as exc:
            raise SelectionDataError(f"cannot read {meta}: {exc}") from exc
        stored = Stored.loads(text)
        if stored.environment != environment:
            raise SelectionDataError("the selection data is from another tests environment")
        if stored.root != str(self.root):
            raise SelectionDataError("the selection data is from another checkout")
        db = self.directory / stored.coverage_db
        try:
            data = CoverageData(str(db))
            if not db.is_file():
                raise SelectionDataError(f"its coverage data {db.name} is missing")
            data.read()
            contexts = data.measured_contexts()
        except (CoverageException, sqlite3.Error, OSError) as exc:
            raise SelectionDataError(f"its coverage data is unreadable ({exc})") from exc
        if not contexts - {""}:
            raise SelectionDataError("its coverage data has no per-test contexts")
        return stored

    def drop(self) -> None:
        """Forget the stored data (``meta.json`` first): the next run is a full one."""
        (self.directory / META).unlink(missing_ok=True)
        for old in self.directory.glob("coverage-*.db"):
            old.unlink(missing_ok=True)

    def earlier(self) -> Stored | None:
        """The stored data as ``meta.json`` holds it, for what a full run can reuse of it (its
        prints: ``unchanged``); its coverage data is not read. None when there is none or it
        cannot be read (the full run then makes every print)."""
        try:
            return Stored.loads((self.directory / META).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, SelectionDataError):
            return None

    def db_path(self, stored: Stored) -> Path:
        return self.directory / stored.coverage_db

    def save(self, stored: Stored, db: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / stored.coverage_db
        atomic.copy_file(db, target)
        atomic.write_text(self.directory / META, json.dumps(stored.to_json()))
        for old in self.directory.glob("coverage-*.db"):
            if old.name != stored.coverage_db:
                old.unlink(missing_ok=True)


def child_files(root: Path, seen: dict[str, Any]) -> set[str]:
    """Project files the test's child processes ran (logged by runbook/childwatch)."""
    files: set[str] = set()
    for name in cast(list[str], seen.get("child_files", [])):
        relative = relative_to(root, name)
        if relative is not None:
            files.add(relative)
    return files


def read_files(root: Path, names: object, inputs: dict[str, str]) -> tuple[str, ...]:
    """The gate input files among the paths the plugin saw opened: each as opened and as
    resolved (through a symbolic link, whose own digest is its target's name, to the file an
    edit changes)."""
    found: set[str | None] = set()
    for name in cast(list[object], names or []):
        found.add(relative_to(root, str(name)))
        with contextlib.suppress(ValueError):
            found.add(Path(str(name)).relative_to(root).as_posix())
    return tuple(sorted(name for name in found if name is not None and name in inputs))


FINGERPRINTING = (
    "src/runbook/selection/fingerprint.py",
    "src/runbook/selection/importprint.py",
    "src/runbook/selection/files.py",
)
"""The code that makes the prints (with Python's ``ast``, part of the tests environment)."""


def unchanged(earlier: Stored | None, files: dict[str, str], environment: str) -> frozenset[str]:
    """The files whose prints in ``earlier`` are what this run would make of them: a print is
    a function of the file's text, of ``FINGERPRINTING`` and of the Python that parses it, so
    a file with the digest it had is printed alike when none of those changed. None when
    there is no earlier data, or it is from another tests environment or fingerprinting."""
    if earlier is None or earlier.environment != environment:
        return frozenset()
    if any(earlier.files.get(path) != files.get(path) for path in FINGERPRINTING):
        return frozenset()
    return frozenset(path for path, digest in files.items() if earlier.files.get(path) == digest)


def prints_of(
    root: Path, files: dict[str, str], earlier: Stored | None, environment: str
) -> tuple[dict[str, fingerprint.SourcePrint], dict[str, str]]:
    """The source prints and test import prints of ``files``: those of the unchanged files
    taken from ``earlier`` (a full run after a small edit prints a few files, not ~140: most
    of the CPU the gate spends storing its data), the others made; the same either way
    (tests/test_selection.py)."""
    same = unchanged(earlier, files, environment)
    sources = [p for p in files if p.startswith("src/") and p.endswith(".py")]
    made = fingerprint.source_prints([p for p in sources if p not in same], read_text(root))
    imports = importprint.test_import_prints([p for p in files if p not in same], read_text(root))
    prints: dict[str, fingerprint.SourcePrint] = {}
    test_imports: dict[str, str] = {}
    for path in files:
        kept = earlier if path in same else None
        source = made.get(path) if kept is None else kept.prints.get(path)
        if source is not None:
            prints[path] = source
        imported = imports.get(path) if kept is None else kept.test_imports.get(path)
        if imported is not None:
            test_imports[path] = imported
    return prints, test_imports


def build_stored(
    root: Path,
    files: dict[str, str],
    db: Path,
    observed: Observed,
    environment: str,
    *,
    earlier: Stored | None = None,
) -> Stored:
    """The selection data of a full run; ``earlier`` (the data it replaces, if any) lends the
    prints of the files that did not change since (``prints_of``)."""
    prints, test_imports = prints_of(root, files, earlier, environment)
    ran = executed(db, root, prints)
    tests: dict[str, RecordedTest] = {}
    for nodeid, seen in observed.tests.items():
        donors = {
            donor
            for name in cast(list[str], seen["fixtures"])
            for donor in observed.setups.get(name, [])
            if donor != nodeid
        } | set(cast(list[str], seen.get("cache_donors", [])))
        children = child_files(root, seen)
        in_process = ran.files.get(nodeid, set[str]())
        functions = ran.functions.get(nodeid, {})
        tests[nodeid] = RecordedTest(
            ok=bool(seen["ok"]),
            spawns=bool(seen["spawns"]),
            lazy_imports=bool(seen["lazy_imports"]),
            donors=tuple(sorted(donors)),
            touched=tuple(sorted(in_process | children)),
            functions={
                path: tuple(sorted(functions.get(path, set[str]())))
                for path in sorted(in_process - children)
                if path in prints
            },
            read=read_files(root, seen.get("read"), files),
        )
    return Stored(
        environment=environment,
        root=str(root),
        files=files,
        prints=prints,
        import_lines={k: frozenset(v) for k, v in ran.import_lines.items()},
        tests=tests,
        coverage_db=f"coverage-{uuid.uuid4().hex}.db",
        collection_reads=read_files(root, observed.collection_reads, files),
        test_imports=test_imports,
    )
