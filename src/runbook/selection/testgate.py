"""The tests gate: pytest with coverage, run whole or only on the tests a change can affect.

``python -m runbook.selection.testgate --cov-fail-under=N [PYTEST ARGS]`` runs in the tests
environment.
pytest always runs with pytest-cov's dynamic contexts (``--cov-context=test``: which test ran
each line), and this program, not pytest-cov, computes the total and checks it against the
floor, so a selective run is checked against the total of the merged data, never of the part
that ran.

* Full run (the default; ``release``, ``patch``, ``runbook --full``, ``nox -s tests``): the whole
  suite; when it ran to the end without extra pytest arguments, its data replaces the stored
  selection data (``.runbook/selection/``) atomically.
* Selective run (the soft runbook sets ``RUNBOOK_TEST_SELECTION=select``): ``impact.plan``
  compares the tree with the stored data; pytest collects only the test modules holding a test
  to run (none: pytest does not start), the unaffected tests are deselected, and the coverage
  total is computed from this run's data plus the stored data of the tests that were left out and
  of import time (moved to where the edit moved their lines). A selective run never writes the
  stored data.

Missing, corrupt or foreign selection data, and changes the selection cannot see through, make
the whole suite run, with a ``runbook-notice:`` line the runner shows under the gate table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

from coverage import Coverage, CoverageData
from coverage.exceptions import CoverageException
from coverage.results import should_fail_under

from runbook.gates.settings import SELECT_ENV
from runbook.gates.table import GATES, Gate
from runbook.running import cache
from runbook.selection import childwatch, impact, testselect
from runbook.selection.impact import Plan, RecordedTest, SelectionDataError, Stored

SELECTION_DIR = Path(".runbook") / "selection"
META = "meta.json"
NOTICE = "runbook-notice: "
SELECTED = "runbook-select: "
PYTEST_ARGS = (
    "-q",
    "-p",
    "runbook.selection.testselect",
    "--cov",
    "--cov-context=test",
    "--cov-report=",
)


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

    @classmethod
    def load(cls, path: Path) -> Observed:
        data = cast(dict[str, Any], json.loads(path.read_text("utf-8")))
        return cls(
            collected=[str(n) for n in data["collected"]],
            setups=cast(dict[str, list[str]], data["setups"]),
            tests=cast(dict[str, dict[str, Any]], data["tests"]),
            collection_reads=[str(n) for n in data.get("collection_reads", [])],
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

    def db_path(self, stored: Stored) -> Path:
        return self.directory / stored.coverage_db

    def save(self, stored: Stored, db: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / stored.coverage_db
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(db, tmp)
        tmp.replace(target)
        meta = self.directory / META
        tmp_meta = meta.with_name(META + ".tmp")
        tmp_meta.write_text(json.dumps(stored.to_json()), "utf-8")
        tmp_meta.replace(meta)
        for old in self.directory.glob("coverage-*.db"):
            if old.name != stored.coverage_db:
                old.unlink(missing_ok=True)


@dataclass(frozen=True)
class Executed:
    """What the coverage data of a full run says each test executed."""

    files: dict[str, set[str]]
    """Test -> project files it executed."""
    functions: dict[str, dict[str, set[str]]]
    """Test -> file -> functions (``impact.fingerprint`` names) whose lines it executed."""
    import_lines: dict[str, set[int]]
    """File -> lines run outside any test, and ``-n`` for each code object entered then."""


def relative_to(root: Path, measured: str) -> str | None:
    try:
        return Path(measured).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def executed(db: Path, root: Path, prints: dict[str, impact.SourcePrint]) -> Executed:
    """Per test, the files and functions it executed (``contexts_by_lineno``: the lines of its
    arcs), and per file what ran outside any test (its raw arcs: an entry arc ``(-n, m)`` is a
    call of the code object starting at line ``n``)."""
    data = CoverageData(str(db))
    data.read()
    result = Executed(files={}, functions={}, import_lines={})
    for measured in data.measured_files():
        relative = relative_to(root, measured)
        if relative is None:
            continue
        source_print = prints.get(relative)
        function_at = source_print.function_at() if source_print else {}
        for line, contexts in data.contexts_by_lineno(measured).items():
            name = function_at.get(line)
            for context in contexts:
                if not context:
                    result.import_lines.setdefault(relative, set()).add(line)
                    continue
                nodeid = impact.nodeid_of(context)
                result.files.setdefault(nodeid, set()).add(relative)
                if name is not None:
                    per_file = result.functions.setdefault(nodeid, {})
                    per_file.setdefault(relative, set()).add(name)
    data.set_query_contexts(["^$"])
    for measured in data.measured_files():
        relative = relative_to(root, measured)
        if relative is not None and data.has_arcs():
            entries = {start for start, _ in data.arcs(measured) or [] if start < 0}
            result.import_lines.setdefault(relative, set()).update(entries)
    return result


def child_files(root: Path, seen: dict[str, Any]) -> set[str]:
    """Project files the test's child processes ran (logged by runbook/childwatch)."""
    files: set[str] = set()
    for name in cast(list[str], seen.get("child_files", [])):
        relative = relative_to(root, name)
        if relative is not None:
            files.add(relative)
    return files


def read_files(root: Path, names: object, inputs: dict[str, str]) -> tuple[str, ...]:
    """The gate input files among the paths the plugin saw opened."""
    found = {relative_to(root, str(name)) for name in cast(list[object], names or [])}
    return tuple(sorted(name for name in found if name is not None and name in inputs))


def build_stored(
    root: Path, files: dict[str, str], db: Path, observed: Observed, environment: str
) -> Stored:
    sources = [p for p in files if p.startswith("src/") and p.endswith(".py")]
    prints = impact.source_prints(sources, read_text(root))
    ran = executed(db, root, prints)
    tests: dict[str, RecordedTest] = {}
    for nodeid, seen in observed.tests.items():
        donors = {
            donor
            for name in cast(list[str], seen["fixtures"])
            for donor in observed.setups.get(name, [])
            if donor != nodeid
        }
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
    )


class MergeError(Exception):
    """Stored coverage data that has no place in the edited tree (the plan said it would)."""


def merge(
    fresh: Path | None,
    stored_db: Path,
    *,
    kept: frozenset[str],
    moved: dict[str, dict[int, int]],
    root: Path,
    out: Path,
) -> Path:
    """The data a full run would give: this run's data, plus the stored data of the ``kept``
    tests and of the empty context (collection and import time, which a selective run that
    collects fewer test modules measures only in part), their lines moved where the edit moved
    them (``moved``: per changed module, old line -> new line)."""
    merged = CoverageData(str(out))
    if fresh is not None:
        current = CoverageData(str(fresh))
        current.read()
        merged.update(current)
    stored = CoverageData(str(stored_db))
    stored.read()
    patterns = ["^$"]
    if kept:
        alternatives = "|".join(re.escape(nodeid) for nodeid in sorted(kept))
        patterns.append(rf"^(?:{alternatives})\|(?:setup|run|teardown)$")
    stored.set_query_contexts(patterns)
    for measured in stored.measured_files():
        relative = relative_to(root, measured)
        lines = moved.get(relative) if relative is not None else None
        if stored.has_arcs():
            arcs = stored.arcs(measured) or []
            if lines is not None:
                arcs = [(_move(a, lines, measured), _move(b, lines, measured)) for a, b in arcs]
            if arcs:
                merged.add_arcs({measured: arcs})
        else:
            numbers = stored.lines(measured) or []
            if lines is not None:
                numbers = [_move(n, lines, measured) for n in numbers]
            if numbers:
                merged.add_lines({measured: numbers})
    merged.write()
    return out


def _move(line: int, lines: dict[int, int], measured: str) -> int:
    """A line number (negative: a code object's first line, in an entry or exit arc) moved."""
    target = lines.get(abs(line))
    if target is None:
        raise MergeError(f"line {abs(line)} of {measured} has no place in the edited file")
    return target if line > 0 else -target


class UsageError(Exception):
    """An argument the gate does not understand."""


def write_reports(cov: Coverage, reports: Sequence[str], out: TextIO) -> None:
    """pytest-cov's ``--cov-report`` kinds, written from the (merged) data."""
    for spec in reports:
        kind, _, target = spec.partition(":")
        if kind in {"term", "term-missing"}:
            cov.report(file=out, ignore_errors=True, show_missing=kind == "term-missing" or None)
        elif kind == "json":
            cov.json_report(outfile=target or None, ignore_errors=True)
        elif kind == "xml":
            cov.xml_report(outfile=target or None, ignore_errors=True)
        elif kind == "html":
            cov.html_report(directory=target or None, ignore_errors=True)
        elif kind:
            supported = "term, term-missing, json, xml, html"
            raise UsageError(f"--cov-report={spec}: supported are {supported}")


def report(root: Path, data: Path, threshold: float, reports: Sequence[str], out: TextIO) -> bool:
    """Write the coverage reports and pytest-cov's verdict line; whether the floor was reached."""
    cov = Coverage(data_file=str(data), config_file=str(root / "pyproject.toml"))
    cov.load()
    out.write("\n")
    out.flush()
    try:
        total = cov.report(file=io.StringIO(), ignore_errors=True)
        write_reports(cov, reports, out)
    except CoverageException as exc:
        out.write(f"coverage: {exc}\n")
        total = 0.0
    failed = should_fail_under(total, threshold, cov.config.precision)
    out.write(
        f"{'FAIL ' if failed else ''}Required test coverage of {threshold:g}% "
        f"{'not reached' if failed else 'reached'}. Total coverage: {total:.2f}%\n"
    )
    out.flush()
    return not failed


def install_childwatch() -> str:
    """The ``.pth`` line through which runbook.selection.childwatch follows the tests' Python
    children;
    a notice when it cannot be written (those tests then always run)."""
    target = Path(sysconfig.get_paths()["purelib"]) / childwatch.PTH_NAME
    try:
        if target.is_file() and target.read_text("utf-8") == childwatch.PTH_LINE:
            return ""
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(childwatch.PTH_LINE, "utf-8")
        tmp.replace(target)
    except OSError as exc:
        return f"tests: cannot follow child processes ({exc}); tests that start one always run"
    return ""


def run_pytest(root: Path, work: Path, skip: frozenset[str], extra: Sequence[str]) -> int:
    """pytest with pytest-cov measuring per-test contexts; it reports nothing and checks no
    floor (this program does both, on the data that counts)."""
    skip_file = work / "skip.json"
    skip_file.write_text(json.dumps(sorted(skip)), "utf-8")
    env = {
        **os.environ,
        "COVERAGE_FILE": str(work / "coverage.db"),
        testselect.SKIP_ENV: str(skip_file),
        testselect.OBSERVE_ENV: str(work / "observed.json"),
        childwatch.SRC_ENV: str(root / "src"),
        childwatch.WATCH_ENV: str(Path(childwatch.__file__).resolve()),
    }
    argv = [sys.executable, "-m", "pytest", *PYTEST_ARGS, "--cov-fail-under=0", *extra]
    sys.stdout.flush()
    return subprocess.run(argv, cwd=root, env=env, check=False).returncode


def choose(root: Path, store: SelectionStore, environment: str) -> tuple[Plan, Stored | None]:
    """The plan for a selective run; a full plan (with the reason) when selection cannot work."""
    try:
        stored = store.load(environment)
        return impact.plan(stored, current_files(root), read_text(root)), stored
    except SelectionDataError as exc:
        return Plan(full_reason=f"selection data unusable: {exc}"), None
    except (OSError, cache.CacheUnavailableError) as exc:
        return Plan(full_reason=f"cannot read the tree: {exc}"), None


def main(argv: Sequence[str] | None = None) -> int:
    out = sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m runbook.selection.testgate", description=__doc__
    )
    parser.add_argument("--cov-fail-under", type=float, required=True)
    # Output options (the runner's machine output) do not change which tests run.
    parser.add_argument("--cov-report", action="append", default=[])
    parser.add_argument("--junitxml")
    parser.add_argument("-o", "--override-ini", action="append", default=[])
    args, extra = parser.parse_known_args(argv)
    threshold = cast(float, args.cov_fail_under)
    reports = cast(list[str], args.cov_report) or ["term"]
    output = [f"--override-ini={o}" for o in cast(list[str], args.override_ini)]
    if args.junitxml:
        output.append(f"--junitxml={args.junitxml}")
    root = Path.cwd().resolve()
    store = SelectionStore(root)
    environment = cache.environment_digest(root, tests_gate())
    selecting = os.environ.get(SELECT_ENV) == "select" and not extra
    plan, stored = choose(root, store, environment) if selecting else (Plan(), None)
    problem = install_childwatch()
    if problem:
        out.write(f"{NOTICE}{problem}\n")
    with tempfile.TemporaryDirectory(prefix="runbook-tests-") as tmp:
        work = Path(tmp)
        kept: Path | None = None
        if stored is not None and plan.unaffected and not plan.full_reason:
            try:
                kept = merge(
                    None,
                    store.db_path(stored),
                    kept=plan.unaffected,
                    moved=plan.moved,
                    root=root,
                    out=work / "kept.db",
                )
            except (MergeError, CoverageException, sqlite3.Error) as exc:
                plan = Plan(full_reason=f"the stored coverage data does not fit the edit: {exc}")
        if selecting and plan.full_reason:
            out.write(f"{NOTICE}tests: the whole suite ran: {plan.full_reason}\n")
        out.flush()
        if kept is not None and not plan.full_reason:
            return selective(
                root,
                work,
                plan=plan,
                kept=kept,
                output=output,
                threshold=threshold,
                reports=reports,
                out=out,
            )
        return whole(
            root,
            work,
            store=store,
            environment=environment,
            pytest_args=[*output, *extra],
            record_data=not extra,
            threshold=threshold,
            reports=reports,
            out=out,
        )


def verdict(
    code: int,
    root: Path,
    data: Path,
    *,
    threshold: float,
    reports: Sequence[str],
    out: TextIO,
) -> int:
    """pytest's exit code once the reports are written and the floor is checked on ``data``:
    1 when the tests passed but the total is under the floor, 4 for a report it cannot write."""
    try:
        reached = report(root, data, threshold, reports, out)
    except UsageError as exc:
        out.write(f"runbook.selection.testgate: error: {exc}\n")
        return 4
    return 1 if code == 0 and not reached else code


def selective(
    root: Path,
    work: Path,
    *,
    plan: Plan,
    kept: Path,
    output: Sequence[str],
    threshold: float,
    reports: Sequence[str],
    out: TextIO,
) -> int:
    """Run the tests of ``plan.collect`` that are not unaffected, and check the total of their
    data merged with ``kept`` (the stored data of the unaffected tests and of import time)."""
    collected: frozenset[str] = frozenset()
    code = 0
    if plan.collect:
        code = run_pytest(root, work, plan.unaffected, [*output, *sorted(plan.collect)])
        if code not in {0, 1, 5}:
            return code  # interrupted, internal or usage error: nothing to report
        collected = frozenset(Observed.load(work / "observed.json").collected)
        if code == 5:
            code = 0  # every collected test was left out on purpose, or none is left to run
        merged = CoverageData(str(kept))
        merged.read()
        fresh = CoverageData(str(work / "coverage.db"))
        fresh.read()
        merged.update(fresh)
        merged.write()
    else:
        out.write("no test needs to run: pytest was not started\n")
    ran = len(collected - plan.unaffected)
    total = len(collected | plan.unaffected)
    unaffected = total - ran
    out.write(f"{SELECTED}{ran} of {total} run, {unaffected} unaffected\n")
    return verdict(code, root, kept, threshold=threshold, reports=reports, out=out)


def whole(
    root: Path,
    work: Path,
    *,
    store: SelectionStore,
    environment: str,
    pytest_args: Sequence[str],
    record_data: bool,
    threshold: float,
    reports: Sequence[str],
    out: TextIO,
) -> int:
    """Run the whole suite; store its selection data when it ran to the end unchanged."""
    try:
        before = current_files(root) if record_data else None
    except (OSError, cache.CacheUnavailableError):
        before = None
    code = run_pytest(root, work, frozenset(), pytest_args)
    if code not in {0, 1, 5}:
        return code  # interrupted, internal or usage error: nothing to report or store
    observed = Observed.load(work / "observed.json")
    data = work / "coverage.db"
    code = verdict(code, root, data, threshold=threshold, reports=reports, out=out)
    if before is not None and code in {0, 1}:
        record(
            root,
            store=store,
            before=before,
            data=data,
            observed=observed,
            environment=environment,
            out=out,
        )
    return code


def record(
    root: Path,
    *,
    store: SelectionStore,
    before: dict[str, str],
    data: Path,
    observed: Observed,
    environment: str,
    out: TextIO,
) -> None:
    """Store a full run's data for later selections, unless the tree changed during the run."""
    try:
        if current_files(root) != before:
            out.write(f"{NOTICE}tests: files changed during the run; selection data not stored\n")
            return
        store.save(build_stored(root, before, data, observed, environment), data)
    except (OSError, CoverageException, sqlite3.Error, cache.CacheUnavailableError) as exc:
        out.write(f"{NOTICE}tests: could not store the selection data: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
