"""The selection data of the last full run (``Stored``, one ``RecordedTest`` per test): what
``store`` writes after a full run and ``impact.plan`` reads before a selective one, with its JSON
shape and schema number. A shape other than the one ``to_json`` writes is a
``SelectionDataError``, never a guess: the gate then runs the whole suite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from runbook.selection.fingerprint import FunctionPrint, SourcePrint

SCHEMA = 4


class SelectionDataError(Exception):
    """The stored selection data is missing, unreadable, or from another environment."""


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def nodeid_of(context: str) -> str:
    """The test of a pytest-cov context (``nodeid|setup``, ``|run``, ``|teardown``)."""
    return context.rpartition("|")[0] or context


@dataclass(frozen=True)
class RecordedTest:
    ok: bool
    """Passed (or skipped, xfailed) in every phase: only such a test may be left out."""
    spawns: bool
    """Started a process (other than git): code it ran there is not measured, so it always runs."""
    lazy_imports: bool
    """Imported a project module during the test: import-time code ran under its context."""
    donors: tuple[str, ...]
    """Tests whose setup created a module- or session-scoped fixture this test uses."""
    touched: tuple[str, ...]
    """Project files the test executed (any line, any phase)."""
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict[str, tuple[str, ...]])
    """For the files of ``touched`` that only the gate's own process ran (measured by coverage):
    the functions whose lines the test executed. A file of ``touched`` not in here (its child
    processes ran it) counts whole: any change to it runs the test."""
    read: tuple[str, ...] = ()
    """Gate input files the test opened (read as data, not imported): any change runs it."""


@dataclass(frozen=True)
class Stored:
    """The selection data of the last full run."""

    environment: str
    root: str
    files: dict[str, str]
    prints: dict[str, SourcePrint]
    import_lines: dict[str, frozenset[int]]
    """Lines each module ran outside any test (collection, import time: the empty context); a
    negative ``-n``: the code object whose first line is ``n`` was entered (a call)."""
    tests: dict[str, RecordedTest]
    coverage_db: str
    """File name (in the selection directory) of the full run's coverage data with contexts."""
    collection_reads: tuple[str, ...] = ()
    """Gate input files opened as data outside any test (collection): a change runs everything."""
    test_imports: dict[str, str] = field(default_factory=dict[str, str])
    """Test module -> ``test_import_print`` of it (what importing it executes)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "environment": self.environment,
            "root": self.root,
            "coverage_db": self.coverage_db,
            "files": self.files,
            "prints": {
                path: {
                    "skeleton": p.skeleton,
                    "functions": {
                        name: [
                            f.body,
                            f.first,
                            f.last,
                            f.plain,
                            f.head,
                            f.text,
                            f.head_text,
                            f.signature,
                            f.defining,
                        ]
                        for name, f in p.functions.items()
                    },
                    "layout": p.layout,
                    "length": p.length,
                    "frame": p.frame,
                }
                for path, p in self.prints.items()
            },
            "import_lines": {path: sorted(lines) for path, lines in self.import_lines.items()},
            "tests": {
                nodeid: {
                    "ok": t.ok,
                    "spawns": t.spawns,
                    "lazy_imports": t.lazy_imports,
                    "donors": list(t.donors),
                    "touched": list(t.touched),
                    "functions": {path: list(names) for path, names in t.functions.items()},
                    "read": list(t.read),
                }
                for nodeid, t in self.tests.items()
            },
            "collection_reads": list(self.collection_reads),
            "test_imports": self.test_imports,
        }

    @classmethod
    def from_json(cls, data: object) -> Stored:
        """Parse stored data; any shape other than what ``to_json`` writes is an error."""
        try:
            raw = cast(dict[str, Any], data)
            if raw["schema"] != SCHEMA:
                raise SelectionDataError(f"schema {raw['schema']!r}, expected {SCHEMA}")
            prints = {
                str(path): SourcePrint(
                    skeleton=str(p["skeleton"]),
                    functions={
                        str(name): FunctionPrint(
                            body=str(f[0]),
                            first=int(f[1]),
                            last=int(f[2]),
                            plain=bool(f[3]),
                            head=int(f[4]),
                            text=str(f[5]),
                            head_text=str(f[6]),
                            signature=str(f[7]),
                            defining=str(f[8]),
                        )
                        for name, f in cast(dict[str, list[Any]], p["functions"]).items()
                    },
                    layout=str(p["layout"]),
                    length=int(p["length"]),
                    frame=str(p["frame"]),
                )
                for path, p in cast(dict[str, dict[str, Any]], raw["prints"]).items()
            }
            tests = {
                str(nodeid): RecordedTest(
                    ok=bool(t["ok"]),
                    spawns=bool(t["spawns"]),
                    lazy_imports=bool(t["lazy_imports"]),
                    donors=tuple(str(d) for d in t["donors"]),
                    touched=tuple(str(f) for f in t["touched"]),
                    functions={
                        str(path): tuple(str(n) for n in names)
                        for path, names in cast(dict[str, list[Any]], t["functions"]).items()
                    },
                    read=tuple(str(f) for f in t["read"]),
                )
                for nodeid, t in cast(dict[str, dict[str, Any]], raw["tests"]).items()
            }
            return cls(
                environment=str(raw["environment"]),
                root=str(raw["root"]),
                files={str(k): str(v) for k, v in cast(dict[str, Any], raw["files"]).items()},
                prints=prints,
                import_lines={
                    str(k): frozenset(int(n) for n in v)
                    for k, v in cast(dict[str, list[Any]], raw["import_lines"]).items()
                },
                tests=tests,
                coverage_db=str(raw["coverage_db"]),
                collection_reads=tuple(str(f) for f in raw["collection_reads"]),
                test_imports={
                    str(k): str(v) for k, v in cast(dict[str, Any], raw["test_imports"]).items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise SelectionDataError(f"malformed selection data ({exc!r})") from exc

    @classmethod
    def loads(cls, text: str) -> Stored:
        try:
            data: object = json.loads(text)
        except ValueError as exc:
            raise SelectionDataError(f"unreadable selection data ({exc})") from exc
        return cls.from_json(data)
