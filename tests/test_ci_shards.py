"""The tests gate in CI shards: the split (runbook.gates.shards), the matrix, each shard's files
(runbook.reports.ci_gate) and the one tests row the collect job makes of them
(runbook.reports.ci_shards), with every fault of a shard's data named. The shards run for real
in tests/test_testgate_workers.py."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from coverage import CoverageData

from runbook.gates.shards import (
    Shard,
    ShardError,
    load_durations,
    longest_first,
    matrix,
    partition,
    units,
    write_durations,
)
from runbook.records import handover
from runbook.records.handover import GateReport
from runbook.records.result import Status
from runbook.reports import ci_gate, ci_matrix, collect
from runbook.running import gitutil
from support import git, init_repo

NODES = [
    "tests/test_a.py::test_1",
    "tests/test_a.py::test_2",
    "tests/test_b.py::test_1",
    "tests/test_c.py::test_1",
    "tests/test_c.py::test_2",
    "tests/test_d.py::test_1",
]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_the_parts_hold_every_test_exactly_once_whole_modules_in_collection_order(
    count: int,
) -> None:
    durations = {"tests/test_a.py::test_1": 5.0, "tests/test_c.py::test_2": 3.0}
    parts = partition(NODES, durations, count)
    assert len(parts) == count
    flat = [nodeid for part in parts for nodeid in part]
    assert sorted(flat) == sorted(NODES)  # each exactly once
    for part in parts:
        assert part == [n for n in NODES if n in part]  # collection order kept
        modules = {n.split("::")[0] for n in part}
        assert all(n in part for n in NODES if n.split("::")[0] in modules)  # whole modules


def test_the_longest_module_first_to_the_least_loaded_part_unknown_tests_weigh_the_median() -> None:
    durations = {
        "tests/test_a.py::test_1": 10.0,
        "tests/test_b.py::test_1": 4.0,
        "tests/test_c.py::test_1": 3.0,
        "tests/test_c.py::test_2": 2.0,
    }
    # Unknown tests weigh the median, 4: a 10 + 4 = 14; b 4; c 5; d 4. a alone outweighs the rest.
    parts = partition(NODES, durations, 2)
    assert parts == [
        ["tests/test_a.py::test_1", "tests/test_a.py::test_2"],
        [n for n in NODES if not n.startswith("tests/test_a.py")],
    ]
    assert partition(NODES, durations, 2) == parts  # the same inputs, the same parts
    assert partition(NODES, {}, 3) == partition(list(NODES), {}, 3)


def test_workers_take_the_longest_modules_first_each_in_collection_order() -> None:
    durations = {
        "tests/test_a.py::test_1": 1.0,
        "tests/test_b.py::test_1": 4.0,
        "tests/test_c.py::test_1": 3.0,
        "tests/test_c.py::test_2": 2.0,
    }
    # Unknown tests weigh the median, 3: a 1 + 3 = 4; b 4; c 5; d 3. Ties: collection order.
    assert longest_first(NODES, durations) == [
        "tests/test_c.py::test_1",
        "tests/test_c.py::test_2",
        "tests/test_a.py::test_1",
        "tests/test_a.py::test_2",
        "tests/test_b.py::test_1",
        "tests/test_d.py::test_1",
    ]
    # Nothing recorded: each test weighs the same, the modules with more tests go first.
    assert longest_first(NODES, {}) == [*NODES[:2], *NODES[3:5], NODES[2], NODES[5]]


def test_a_together_group_is_one_unit_ranked_by_its_seconds_together() -> None:
    durations = {
        "tests/test_a.py::test_1": 1.0,
        "tests/test_b.py::test_1": 4.0,
        "tests/test_c.py::test_1": 3.0,
        "tests/test_c.py::test_2": 2.0,
    }
    # a 4, b 4, c 5, d 3 (as above): b and d together weigh 7, more than c. The group's modules
    # stay next to each other, the longer first; a group member not collected changes nothing.
    together = [["tests/test_d.py", "tests/test_b.py", "tests/test_gone.py"]]
    assert longest_first(NODES, durations, together) == [
        "tests/test_b.py::test_1",
        "tests/test_d.py::test_1",
        "tests/test_c.py::test_1",
        "tests/test_c.py::test_2",
        "tests/test_a.py::test_1",
        "tests/test_a.py::test_2",
    ]
    assert units(together) == dict.fromkeys(together[0], "tests/test_d.py")
    assert longest_first(NODES, durations, []) == longest_first(NODES, durations)


@pytest.mark.parametrize(
    ("text", "message"),
    [("2/3", ""), ("0/3", "K must be from 1 to N"), ("4/3", "K must be"), ("2", "give K/N")],
)
def test_a_shard_is_k_of_n(text: str, message: str) -> None:
    if not message:
        shard = Shard.parse(text)
        assert (str(shard), shard.name) == ("2/3", "shard-2-of-3")
        return
    with pytest.raises(ShardError, match=message):
        Shard.parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not JSON"),
        ("[]", "expected an object"),
        ('{"t::x": "1"}', "t::x: '1' is not a number of seconds"),
        ('{"t::x": -1}', "is not a number of seconds"),
        ('{"t::x": true}', "is not a number of seconds"),
    ],
)
def test_a_bad_durations_file_is_a_clear_error_and_a_missing_one_splits_by_count(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "durations.json"
    assert load_durations(path) == {}
    path.write_text(text)
    with pytest.raises(ShardError, match=message):
        load_durations(path)


def test_durations_are_written_sorted_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "durations.json"
    write_durations(path, {"b::t": 0.12345, "a::t": 2})
    assert list(json.loads(path.read_text())) == ["a::t", "b::t"]
    assert load_durations(path) == {"a::t": 2.0, "b::t": 0.123}
    assert not math.isnan(load_durations(path)["a::t"])


def test_the_matrix_has_one_job_per_gate_and_the_tests_gate_in_shards(tmp_path: Path) -> None:
    assert matrix(["lint", "tests"], 2) == [
        {"gate": "lint", "shard": "", "name": "lint"},
        {"gate": "tests", "shard": "1/2", "name": "tests-shard-1-of-2"},
        {"gate": "tests", "shard": "2/2", "name": "tests-shard-2-of-2"},
    ]
    (tmp_path / "pyproject.toml").write_text("[tool.runbook]\nshards = 3\n")
    out = io.StringIO()
    assert ci_matrix.main(io.StringIO('[{"session": "tests"}]'), out, tmp_path) == 0
    assert [job["shard"] for job in json.loads(out.getvalue())] == ["1/3", "2/3", "3/3"]


# --- the collect job ---------------------------------------------------------------------------

SOURCE = "def f(x):\n    if x:\n        return 1\n    return 2\n"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed checkout with two shards' files, as CI's collect job downloads them: shard 1
    ran test_1 (lines 1-3), shard 2 ran test_2 (lines 1, 2, 4)."""
    root = init_repo(tmp_path / "repo")
    (root / "pyproject.toml").write_text("[tool.runbook]\nshards = 2\n[tool.coverage.run]\n")
    (root / "src").mkdir()
    (root / "src" / "m.py").write_text(SOURCE)
    git(root, "add", ".")
    git(root, "commit", "-qm", "x")
    ci = root / ".runbook" / "ci"
    ci.mkdir(parents=True)
    commit = gitutil.head_commit(root)
    for index, (test, lines) in enumerate((("t::test_1", [1, 2, 3]), ("t::test_2", [1, 2, 4])), 1):
        name = f"tests-shard-{index}-of-2"
        nox = {"sessions": [{"name": "tests", "result_code": 1, "duration": 3.0 * index}]}
        (ci / f"{name}.json").write_text(json.dumps(nox))
        (ci / f"{name}.log").write_text("1 passed in 0.1s\n")
        data = CoverageData(str(ci / f"{name}.coverage"))
        data.add_lines({str(root / "src" / "m.py"): lines})
        data.write()
        record = {"shard": f"{index}/2", "commit": commit, "collected": ["t::test_1", "t::test_2"]}
        (ci / f"{name}.shard.json").write_text(json.dumps({**record, "ran": [test]}))
    monkeypatch.chdir(root)
    return root


def row_of_tests(root: Path) -> str:
    out = io.StringIO()
    collect.main(root / ".runbook" / "ci", out)
    (row,) = [line for line in out.getvalue().splitlines() if line.startswith("| tests |")]
    return row


def test_collect_shows_one_tests_row_with_the_combined_total(checkout: Path) -> None:
    row = row_of_tests(checkout)
    # Each shard alone measured 3 of 4 lines; together all 4.
    assert row == (
        "| tests | Π_tests ∩ Π_cov | ✓ pass | 6.0s | 2 shards, 2 tests; coverage 100.00% combined |"
    )
    result = collect.row(3, checkout / ".runbook" / "ci", 70.0, 2, checkout)
    assert (result.status, result.coverage) == (Status.PASS, 100.0)


def _remove(name: str) -> Callable[[Path], None]:
    def remove(ci: Path) -> None:
        (ci / name).unlink()

    return remove


def _write(name: str, text: str) -> Callable[[Path], None]:
    def write(ci: Path) -> None:
        (ci / name).write_text(text)

    return write


def _edit_record(key: str, value: object) -> Callable[[Path], None]:
    def edit(ci: Path) -> None:
        path = ci / "tests-shard-1-of-2.shard.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), key: value}))

    return edit


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (
            _remove("tests-shard-2-of-2.coverage"),
            "shard 2/2: its coverage data is missing (tests-shard-2-of-2.coverage)",
        ),
        (
            _remove("tests-shard-1-of-2.shard.json"),
            "shard 1/2: its coverage data is missing (tests-shard-1-of-2.shard.json)",
        ),
        (_edit_record("commit", "0123456789abcdef"), "shard 1/2: its coverage data is from commit"),
        (_edit_record("shard", "2/2"), "shard 1/2: its record is shard 2/2's"),
        (_edit_record("ran", ["t::test_1", "t::test_2"]), "ran t::test_2, which another ran"),
        (_edit_record("ran", []), "no shard ran t::test_1 (1 not run)"),
        (_edit_record("collected", ["t::test_1"]), "shard 2/2 collected other tests than 1/2"),
        (_edit_record("incomplete", ["a worker crashed"]), "shard 1/2: its data is incomplete"),
        (
            _write("tests-shard-1-of-2.shard.json", "{"),
            "shard 1/2: its record is unreadable",
        ),
        (
            _write("tests-shard-2-of-2.coverage", "not sqlite"),
            "shard 2/2: its coverage data is unreadable",
        ),
    ],
)
def test_a_shards_missing_foreign_or_overlapping_data_fails_the_collect_job_naming_it(
    checkout: Path, fault: Callable[[Path], None], reason: str
) -> None:
    ci = checkout / ".runbook" / "ci"
    fault(ci)
    out = io.StringIO()
    assert collect.main(ci, out) == 1
    assert "| tests | Π_tests ∩ Π_cov | ! error |" in out.getvalue()
    assert reason in out.getvalue()


def test_a_failed_or_missing_shard_fails_the_row_naming_it(checkout: Path) -> None:
    ci = checkout / ".runbook" / "ci"
    nox = {"sessions": [{"name": "tests", "result_code": 0, "duration": 1.0}]}
    (ci / "tests-shard-2-of-2.json").write_text(json.dumps(nox))
    (ci / "tests-shard-2-of-2.log").write_text(
        "FAILED t::test_2\n1 failed in 0.1s\nnox > Command python -m runbook.selection.testgate "
        "--cov-fail-under=70 failed with exit code 1\n"
    )
    failed = GateReport("tests", Status.FAIL, exit_code=1, summary="1 failed")
    handover.write(ci_gate.result_path(ci, "tests-shard-2-of-2"), failed)
    assert "shard 2/2: 1 failed" in row_of_tests(checkout)
    (ci / "tests-shard-1-of-2.json").unlink()
    assert "| · not run | 1.0s | shard 1/2: no report from CI |" in row_of_tests(checkout)


def test_the_floor_is_checked_on_the_combined_total(checkout: Path) -> None:
    ci = checkout / ".runbook" / "ci"
    data = CoverageData(str(ci / "tests-shard-2-of-2.coverage"))
    data.erase()
    data = CoverageData(str(ci / "tests-shard-2-of-2.coverage"))
    data.add_lines({str(checkout / "src" / "m.py"): [1]})
    data.write()
    result = collect.row(3, ci, 80.0, 2, checkout)
    assert (result.status, result.reason) == (
        Status.FAIL,
        "2 shards, 2 tests; coverage 75.00% combined < 80%",
    )


def test_a_shards_ci_step_keeps_its_files_under_its_name(tmp_path: Path) -> None:
    raw = tmp_path / "raw.log"
    raw.write_text("1 passed\n")
    machine = tmp_path / ".runbook" / "machine" / "tests"
    machine.mkdir(parents=True)
    (machine / "shard.json").write_text("{}")
    (machine / "shard.coverage").write_text("data")
    ci = tmp_path / "ci"
    argv = ["tests", str(raw), str(ci), "--shard", "2/3"]
    assert ci_gate.main(argv, {}, io.StringIO(), tmp_path) == 0
    kept = sorted(p.name for p in ci.iterdir())
    assert kept == [
        "tests-shard-2-of-3.coverage",
        "tests-shard-2-of-3.findings.json",
        "tests-shard-2-of-3.log",
        "tests-shard-2-of-3.shard.json",
    ]
    out = io.StringIO()
    assert ci_gate.main(["tests", str(raw), str(ci), "--shard", "4/3"], {}, out, tmp_path) == 2
    assert "K must be from 1 to N" in out.getvalue()
    assert ci_gate.main(["tests", str(raw), str(ci), "--shardd", "1/3"], {}, out, tmp_path) == 2
