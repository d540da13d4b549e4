"""Cached gate results: an untouched tree re-runs nothing; an edit re-runs the gates reading it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from runbook.gates.settings import Settings
from runbook.gates.table import GATES, Gate
from runbook.records.result import Status
from runbook.reports.console import plain_report
from runbook.reports.report import RunReport
from runbook.run import Mode, Run, perform
from runbook.running import cache
from support import direct, git, init_repo, python_gate


def counting_gate(name: str, inputs: tuple[str, ...], ran: Path, *, ok: bool = True) -> Gate:
    """A gate that records each real run in ``ran`` (outside the repository)."""
    code = f"open({str(ran)!r}, 'a').write({name!r} + '\\n')" + ("" if ok else "; exit(1)")
    return python_gate(name, code, inputs=inputs)


def make_repo(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "src" / "a.py").write_text("A = 1\n")
    (root / "docs" / "guide.md").write_text("# guide\n")
    (root / ".gitignore").write_text(".runbook/\nignored/\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    init_repo(root)
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


class Runner:
    def __init__(self, root: Path, ran: Path, gates: tuple[Gate, ...]) -> None:
        self.root, self.ran, self.gates = root, ran, gates

    def __call__(self, *, mode: Mode = "runbook", use_cache: bool = True) -> list[str]:
        """Run once; return the names of the gates that really ran."""
        self.ran.write_text("")
        outcome = perform(
            Run(
                root=self.root,
                settings=Settings(timeout=30),
                mode=mode,
                gates=self.gates,
                launcher=direct,
                use_cache=use_cache,
            )
        )
        self.last = outcome.report
        return sorted(self.ran.read_text().split())  # gates run in parallel


def two_gates(ran: Path) -> tuple[Gate, ...]:
    return (counting_gate("lint", ("src",), ran), counting_gate("docs", ("docs",), ran))


@pytest.fixture
def run(repo: Path, tmp_path: Path) -> Runner:
    ran = tmp_path / "ran.txt"
    return Runner(repo, ran, two_gates(ran))


@dataclass(frozen=True)
class Warm:
    """The repository right after its first run (both gates ran and their passes are cached),
    kept as a copy: what every test starting with that run would make again (two gate
    processes and a repository), made once per module."""

    runner: Runner
    copy: Path
    first_ran: list[str]
    first: RunReport


@pytest.fixture(scope="module")
def warm_once(tmp_path_factory: pytest.TempPathFactory) -> Warm:
    folder = tmp_path_factory.mktemp("warm")
    ran = folder / "ran.txt"
    runner = Runner(make_repo(folder / "repo"), ran, two_gates(ran))
    first_ran = runner()
    shutil.copytree(runner.root, folder / "copy", symlinks=True)
    return Warm(runner, folder / "copy", first_ran, runner.last)


@pytest.fixture
def warm(warm_once: Warm) -> Runner:
    """A runner whose first run is done: the repository (worktree, index, ``.runbook``) put back
    as that run left it, at the same path (the gates' definitions and the cache name it)."""
    runner = warm_once.runner
    shutil.rmtree(runner.root)
    shutil.copytree(warm_once.copy, runner.root, symlinks=True)
    runner.gates, runner.last = two_gates(runner.ran), warm_once.first
    return runner


def test_untouched_tree_reruns_no_gate(warm_once: Warm, warm: Runner) -> None:
    run = warm
    assert warm_once.first_ran == ["docs", "lint"]
    first = {r.name: r.seconds for r in run.last.results}
    assert run() == []
    assert all(r.status is Status.PASS and r.cached for r in run.last.results)
    assert {r.name: r.seconds for r in run.last.results} == first  # the original time
    assert "pass (cached)" in plain_report(run.last)


def test_editing_a_source_file_reruns_only_the_gates_that_read_it(warm: Runner) -> None:
    run, repo = warm, warm.root
    (repo / "src" / "a.py").write_text("A = 2\n")
    assert run() == ["lint"]
    (repo / "docs" / "guide.md").write_text("# guide, edited\n")
    assert run() == ["docs"]


def test_untracked_files_count_and_ignored_files_do_not(warm: Runner) -> None:
    run, repo = warm, warm.root
    (repo / "ignored").mkdir()
    (repo / "ignored" / "big.bin").write_bytes(b"\0" * 10)
    assert run() == []
    (repo / "src" / "new.py").write_text("B = 1\n")
    assert run() == ["lint"]
    (repo / "src" / "new.py").unlink()
    assert run() == ["lint"]  # removing an input is a change too


def test_shared_configuration_reruns_every_gate(warm: Runner) -> None:
    run, repo = warm, warm.root
    (repo / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    assert run() == ["docs", "lint"]


def test_a_changed_gate_definition_is_a_miss(warm: Runner) -> None:
    run = warm
    run.gates = (counting_gate("lint", ("src", "docs"), run.ran), run.gates[1])
    assert run() == ["lint"]


def test_no_cache_and_strict_modes_always_run(warm: Runner) -> None:
    run = warm
    assert run(use_cache=False) == ["docs", "lint"]
    assert run(mode="release") == ["docs", "lint"]
    assert run(mode="patch") == ["docs", "lint"]


def test_failures_are_never_cached(run: Runner) -> None:
    run.gates = (counting_gate("lint", ("src",), run.ran, ok=False),)
    assert run() == ["lint"]
    assert run() == ["lint"]
    assert run.last.results[0].status is Status.FAIL


def test_the_real_gates_read_what_their_tools_read() -> None:
    """Which gates a change re-runs, on this repository's own gate table."""
    root = Path(__file__).resolve().parents[1]

    def readers(path: str) -> set[str]:
        return {g.name for g in GATES if path in cache.input_files(root, g.inputs)}

    assert readers("src/runbook/run.py") == {"lint", "format", "tests", "types", "package"}
    assert readers("docs/ops/RUNBOOK.md") == {"format", "tests", "package"}  # tests check the docs
    assert readers(".github/workflows/gates.yml") == {"tests", "package"}
    assert readers("pyproject.toml") == {g.name for g in GATES}


def test_a_failure_outside_the_cache_drops_the_stale_pass(run: Runner, tmp_path: Path) -> None:
    verdict = tmp_path / "verdict"
    verdict.write_text("pass")
    code = f"open({str(run.ran)!r}, 'a').write('lint\\n'); "
    code += f"raise SystemExit(open({str(verdict)!r}).read() != 'pass')"
    run.gates = (python_gate("lint", code, inputs=("src",)),)
    assert run() == ["lint"]
    assert run() == []  # cached pass
    verdict.write_text("fail")  # something outside the inputs breaks the gate
    assert run(use_cache=False) == ["lint"]
    assert run.last.results[0].status is Status.FAIL
    assert run() == ["lint"]  # not the stale "pass (cached)"
    assert run.last.results[0].status is Status.FAIL
