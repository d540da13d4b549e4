"""Which tests a change can affect: the decision, from the data of the last full test run.

The last full run of the tests gate stored (``runbook.selection.store``): every file's content
digest,
a fingerprint of every Python module under ``src/`` (its skeleton, the digest of each function
body, and where each function's lines are), the files each test executed and, in each, the
functions whose lines it executed (coverage.py's dynamic contexts), the lines each module ran at
import time (the empty context), and what the ``runbook.selection.testselect`` plugin saw of each
test.

A change is understood only when it is confined to function bodies under ``src/``, to what test
modules run during their tests (a test module's top-level code is import-time code, as ``src/``'s
is), or to data files (``data_file_change``: neither Python nor configuration); anything else
makes ``plan`` return a reason to run the whole suite. A body change reruns the tests that
executed that function (or the whole file, for a file a test's child process ran or a test read
as text); a data file's change reruns the tests that opened it, in their own process or in a
followed child, or whose ``child_reads`` marker declares it (package data: also the tests that
ran its package's code). Stdlib only: the decision is pure data in, data out, and is tested
without running pytest.

Its parts: which kind of file a path is (``files``), a module's fingerprint (``fingerprint``), a
test module's import print (``importprint``), the stored data (``stored``) and what a changed
signature reaches (``signatures``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from runbook.selection.files import (
    CODE_SUFFIXES,
    CONFIGURATION,
    MACHINERY,
    is_source,
    is_test_module,
    package_of,
)
from runbook.selection.fingerprint import (
    FunctionPrint,
    SourcePrint,
    fingerprint,
    line_map,
    runs_at_import,
)
from runbook.selection.importprint import test_import_print
from runbook.selection.signatures import signature_change, signature_reach
from runbook.selection.stored import RecordedTest, Stored, module_of


@dataclass(frozen=True)
class Plan:
    full_reason: str = ""
    """Why the whole suite runs; empty when the plan selects."""
    unaffected: frozenset[str] = field(default_factory=frozenset[str])
    """Tests of the last full run whose outcome the change cannot alter: they are left out and
    their coverage data is kept."""
    collect: frozenset[str] = field(default_factory=frozenset[str])
    """Test modules holding a test to run (the stored tests that are not unaffected, and every
    test of a changed test module): the only ones pytest needs to collect."""
    moved: dict[str, dict[int, int]] = field(default_factory=dict[str, dict[int, int]])
    """For each changed module under src/: where the lines the kept coverage data can hold
    (``line_map``) are now."""


def _full(reason: str) -> Plan:
    return Plan(full_reason=reason)


@dataclass(frozen=True)
class _Changes:
    """What changed since the full run, when the selection can see through it."""

    functions: dict[str, frozenset[str]]
    """Changed module under src/ -> the functions whose body (or signature) changed."""
    moved: dict[str, dict[int, int]]
    tests: frozenset[str]
    """Changed test modules."""
    data: frozenset[str] = frozenset()
    """Changed data files (``data_file_change``): they count whole for the tests that read them."""
    signed: dict[str, frozenset[str]] = field(default_factory=dict[str, frozenset[str]])
    """Changed module under src/ -> the functions whose signature changed."""
    callers: dict[str, frozenset[str]] = field(default_factory=dict[str, frozenset[str]])
    """Module under src/ -> its functions that call a function whose signature changed."""
    calling: frozenset[str] = frozenset()
    """Test modules that call a function whose signature changed."""

    def reached(self, path: str) -> frozenset[str] | None:
        """The functions of ``path`` a test that ran one of them must run again for (None: the
        file did not change and calls no changed signature)."""
        names = self.functions.get(path)
        callers = self.callers.get(path)
        if names is None:
            return callers
        return names | (callers or frozenset())

    @property
    def files(self) -> frozenset[str]:
        return frozenset(self.functions) | self.tests | self.data


def _edited_print(path: str, old: SourcePrint, source: str) -> SourcePrint | str:
    """The new fingerprint, or why it cannot be compared with the old one."""
    try:
        new = fingerprint(source)
    except SyntaxError as exc:
        return f"{path} changed and does not parse ({exc.msg}, line {exc.lineno})"
    if new.frame != old.frame:
        return f"{path} changed outside function bodies (import-time code)"
    return new  # the same skeleton, or the same but for module-level functions' signatures


def _source_change(
    path: str, old: SourcePrint | None, source: str, stored: Stored
) -> tuple[str, frozenset[str], dict[int, int], frozenset[str]]:
    """(why the change needs the whole suite or "", changed functions, line map, the functions
    among them whose signature changed)."""
    nothing: tuple[frozenset[str], dict[int, int], frozenset[str]] = (frozenset(), {}, frozenset())
    if old is None:
        return f"{path} changed and has no fingerprint in the selection data", *nothing
    new = _edited_print(path, old, source)
    if isinstance(new, str):
        return new, *nothing
    import_lines = stored.import_lines.get(path, frozenset[int]())
    signed = {n for n, f in old.functions.items() if new.functions[n].signature != f.signature}
    changed = {n for n, f in old.functions.items() if new.functions[n].body != f.body} | signed
    reasons = [
        *(signature_change(path, n, old.functions[n], new.functions[n]) for n in sorted(signed)),
        *(_body_change(path, n, old.functions[n], import_lines) for n in sorted(changed)),
    ]
    reason = next((r for r in reasons if r), "")
    moved = None if reason else line_map(old, new, frozenset(signed))
    if moved is None:
        return reason or (
            f"{path}: lines outside the changed function bodies changed too (comments, blank "
            "lines, layout): the kept coverage data cannot be placed"
        ), *nothing
    return "", frozenset(changed), moved, frozenset(signed)


def _body_change(path: str, name: str, old: FunctionPrint, import_lines: frozenset[int]) -> str:
    """Why a change of this function (its body or signature) is import-time code, or ""."""
    if not old.plain:
        return f"{path}: the body of decorated function {name} changed"
    if runs_at_import(old, import_lines):
        return f"{path}: {name} changed and runs at import time"
    return ""


def _imported_modules(source: str) -> set[str]:
    """Top-level names a test module imports (to find test modules importing a changed one)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _classify(
    stored: Stored, current: Mapping[str, str], read: Callable[[str], str]
) -> tuple[str, _Changes]:
    """(full-run reason or "", what changed)."""
    none = _Changes(functions={}, moved={}, tests=frozenset())
    added = sorted(set(current) - set(stored.files))
    if added:
        return f"new file {added[0]}", none
    deleted = sorted(set(stored.files) - set(current))
    if deleted:
        return f"deleted file {deleted[0]}", none
    functions: dict[str, frozenset[str]] = {}
    moved: dict[str, dict[int, int]] = {}
    signed: dict[str, frozenset[str]] = {}
    tests: set[str] = set()
    data: set[str] = set()
    for path in sorted(p for p, digest in current.items() if stored.files[p] != digest):
        unseen = _unseen(path, stored)
        if unseen:
            return unseen, none
        if is_test_module(path):
            reason = _test_module_change(path, stored.test_imports.get(path), read(path))
            tests.add(path)
        elif is_source(path):
            reason, names, lines, signatures = _source_change(
                path, stored.prints.get(path), read(path), stored
            )
            functions[path] = names
            moved[path] = lines
            if signatures:
                signed[path] = signatures
        else:
            reason = data_file_change(path, read(path), stored)
            data.add(path)
        if reason:
            return reason, none
    changes = _Changes(
        functions=functions,
        moved=moved,
        tests=frozenset(tests),
        data=frozenset(data),
        signed=signed,
    )
    return "", changes


def _test_module_change(path: str, old: str | None, source: str) -> str:
    """Why a test module's change needs the whole suite ("" when only its tests can see it)."""
    if old is None:
        return f"{path} changed and has no import print in the selection data"
    try:
        new = test_import_print(source)
    except SyntaxError:
        return ""  # nothing of it runs: collecting it fails, in a full run as here
    if new != old:
        return (
            f"{path} changed outside its tests' bodies (a test module's top-level code is "
            "import-time code: it runs at collection, before every test)"
        )
    return ""


def _unseen(path: str, stored: Stored) -> str:
    """Why the selection cannot see through a change to this file ("" when it can)."""
    if path in MACHINERY:
        return f"{path} changed (the test selection itself)"
    if path in stored.collection_reads:
        return f"{path} changed and was read as data while pytest collected"
    return ""


def data_file_change(path: str, text: str, stored: Stored) -> str:
    """Why a change to a file that is neither a module under ``src/`` nor a test module needs
    the whole suite ("" for a data file: only the tests that read it can see it).

    A test sees a data file only by reading it, and every read the gate can see is in its
    record: opened in the test's process (``open``, ``os.open``, ``io.open_code``, sqlite3's
    ``connect``; an ``mmap`` maps a file already opened), opened by a followed Python child, or
    declared by a ``child_reads`` marker (a child the gate cannot follow and no marker: the
    test always runs). Not data: configuration (``CONFIGURATION``, requirements and
    constraints files), which pytest, coverage.py, nox, uv, make or git read outside any test;
    Python code (``CODE_SUFFIXES``, or a ``#!`` line naming python), which the import system
    reads unseen and coverage.py does not measure; a file pytest itself collected tests from
    (a ``test*.txt`` doctest), which it reads unseen.
    """
    name = PurePosixPath(path).name
    if name in CONFIGURATION or name.startswith(("requirements", "constraints")):
        return f"{path} changed (configuration read by pytest, coverage.py, nox, uv, make or git)"
    first = text[:200].partition("\n")[0]
    if PurePosixPath(path).suffix in CODE_SUFFIXES or (
        first.startswith("#!") and "python" in first
    ):
        return f"{path} changed (Python code outside src/ and the test modules)"
    if any(module_of(nodeid) == path for nodeid in stored.tests):
        return f"{path} changed and pytest collected tests from it"
    return ""


def _importers(
    changed: frozenset[str], current: Mapping[str, str], read: Callable[[str], str]
) -> set[str]:
    """The changed test modules and the test modules that import one of them."""
    names = {PurePosixPath(path).stem for path in changed}
    modules = set(changed)
    for path in sorted(p for p in current if is_test_module(p) and p not in changed):
        try:
            if _imported_modules(read(path)) & names:
                modules.add(path)
        except SyntaxError:
            continue  # unchanged since the full run, which collected it
    return modules


def _hits(record: RecordedTest, changes: _Changes) -> list[str]:
    """The changed files whose change reaches code the test ran or a file it read."""
    hits = {path for path in record.read if path in changes.files}
    hits.update(path for path in record.touched if path in changes.data)  # run or declared
    for path in changes.data:
        package = package_of(path)
        if package and any(touched.startswith(package) for touched in record.touched):
            hits.add(path)
    for path in record.touched:
        names = changes.reached(path)
        if names is None:
            continue
        ran = record.functions.get(path)
        if ran is None or names.intersection(ran):
            hits.add(path)
    return sorted(hits)


def plan(
    stored: Stored,
    current: Mapping[str, str],
    read: Callable[[str], str],
) -> Plan:
    """Which stored tests a change from ``stored.files`` to ``current`` cannot affect.

    ``current`` maps every file the gate reads to its content digest; ``read`` returns a
    file's text. Returns a full-run reason for any change the selection cannot see through.
    """
    reason, changes = _classify(stored, current, read)
    if not reason and changes.signed:
        reason, callers, calling = signature_reach(changes.signed, stored, current, read)
        changes = replace(changes, callers=callers, calling=calling)
    if reason:
        return _full(reason)
    edited = changes.tests | changes.calling
    rerun_modules = _importers(edited, current, read) if edited else set[str]()
    unaffected: set[str] = set()
    for nodeid, record in stored.tests.items():
        if not record.ok or record.spawns or module_of(nodeid) in rerun_modules:
            continue
        hit = _hits(record, changes)
        for donor in record.donors:
            donor_record = stored.tests.get(donor)
            unknown = sorted(changes.functions.keys() | changes.data)
            hit += _hits(donor_record, changes) if donor_record else unknown
        if hit and record.lazy_imports:
            return _full(f"{nodeid} imports project modules during the test and {hit[0]} changed")
        if not hit:
            unaffected.add(nodeid)
    collect = {module_of(nodeid) for nodeid in stored.tests if nodeid not in unaffected}
    return Plan(
        unaffected=frozenset(unaffected),
        collect=frozenset(collect | rerun_modules),
        moved=changes.moved,
    )
