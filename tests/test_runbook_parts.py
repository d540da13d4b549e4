"""The runner's parts: reasons, redaction, error capture, settings, the command line, reports."""

from __future__ import annotations

import io
import json
import multiprocessing
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from runbook import cli
from runbook.gates import settings, table
from runbook.gates.reasons import Summarizer, last_line
from runbook.gates.tools import pyright, ruff_check, ruff_format
from runbook.gates.tools import pytest as pytest_tool
from runbook.records import handover
from runbook.records.handover import GateReport
from runbook.records.redact import bounded_tail, redact
from runbook.records.result import GateResult, Status
from runbook.reports import capture, ci_gate, collect
from runbook.reports.report import RunReport, render_markdown

TESTS_GATE = table.select(["tests"])[0]
LINT_GATE = table.select(["lint"])[0]
LINT = " ".join(LINT_GATE.command)

ROOT = Path(__file__).resolve().parents[1]


# --- reasons: the tool's own summary line -------------------------------------------------


@pytest.mark.parametrize(
    ("summarize", "log", "reason"),
    [
        (ruff_check.summarize, "a.py:1:1: F401\nFound 3 errors.\n[*] 3 fixable", "3 errors"),
        (ruff_check.summarize, "Found 1 error.", "1 error"),
        (
            ruff_format.summarize,
            "Would reformat: a.py\n2 files would be reformatted, 9 files already formatted",
            "2 files would be reformatted",
        ),
        (
            pytest_tool.summarize,
            "FAILED t.py::x\n2 failed, 41 passed in 3.21s",
            "2 failed, 41 passed",
        ),
        (
            pytest_tool.summarize,
            "===== 1 failed, 2 passed, 1 skipped in 0.1s =====",
            "1 failed, 2 passed, 1 skipped",
        ),
        (pytest_tool.summarize, "no tests ran in 0.01s", "no tests ran"),
        (
            pyright.summarize,
            "x.py:1:1 - error: bad\n3 errors, 0 warnings, 0 informations",
            "3 errors",
        ),
        (last_line, "boom\nnox > Session x failed.", "boom"),
    ],
)
def test_reason_is_the_tools_summary_line(summarize: Summarizer, log: str, reason: str) -> None:
    assert summarize(log) == reason


# --- redaction and bounds -------------------------------------------------------------------


def test_redact_masks_env_secrets_urls_and_tokens() -> None:
    env = {"HF_TOKEN": "abcd1234efgh", "MY_API_KEY": "k3y-value", "HOME": "/root", "X_KEY": "1"}
    text = (
        "token abcd1234efgh and k3y-value at https://alice:s3cret@host/repo.git\n"
        "hf_AbCdEfGhIjKlMnOpQrStUv password=hunter2 Authorization: Bearer xyz.abc\n"
        "home is /root, flag 1"
    )
    out = redact(text, env)
    for secret in ("abcd1234efgh", "k3y-value", "s3cret", "hf_AbCdEfGh", "hunter2", "xyz.abc"):
        assert secret not in out
    assert "https://***@host/repo.git" in out
    assert "home is /root, flag 1" in out  # ordinary values and short values stay


def test_bounded_tail_keeps_the_last_lines_and_drops_nox_chatter() -> None:
    log = "\n".join(
        [
            "nox > Running session tests",
            *(f"line {i}" for i in range(500)),
            "nox > Command pytest failed with exit code 1",
        ]
    )
    tail = bounded_tail(log, max_lines=10)
    assert tail.startswith("[… 491 earlier lines in the log]")
    assert "line 499" in tail
    assert "line 489" not in tail
    assert "Running session" not in tail
    assert "failed with exit code 1" in tail
    assert len(bounded_tail("x" * 100_000, max_chars=4000)) <= 4000


# --- Codex_Questions.md ---------------------------------------------------------------------

FAILED = GateResult(
    name="lint",
    projector="Π_lint",
    status=Status.FAIL,
    reason="3 errors",
    exit_code=1,
    command="ruff check src tests",
    log=".runbook/logs/lint.log",
    step=1,
)


def test_entry_has_the_runbook_error_capture_format() -> None:
    entry = capture.format_entry(FAILED, "Found 3 errors.", context="runbook at commit abc")
    lines = entry.splitlines()
    assert re.fullmatch(
        r"Question for ChatGPT @codex \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00:", lines[0]
    )
    assert lines[1] == (
        "While performing [1:lint gate (Π_lint) `ruff check src tests`], "
        "encountered the following error:"
    )
    assert lines[2] == "fail: 3 errors"
    assert "Found 3 errors." in entry
    assert lines[-2] == "Context: runbook at commit abc"
    assert lines[-1].startswith("What are the possible causes")


def _append_many(path: str, worker: int) -> None:
    for i in range(25):
        entry = capture.format_entry(FAILED, f"worker {worker} entry {i}\n" * 30, context="x")
        capture.append_entry(Path(path), entry)


@pytest.mark.child_reads("src/runbook/*.py")  # forks run capture's code, unmeasured
def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "Codex_Questions.md"
    path.write_text("# my own notes, kept\n")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(path), w)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    text = path.read_text("utf-8")
    assert text.startswith("# my own notes, kept\n")
    entries = re.split(r"(?m)^(?=Question for ChatGPT @codex )", text)[1:]
    assert len(entries) == 100
    for entry in entries:
        workers = set(re.findall(r"worker (\d) entry (\d+)", entry))
        assert len(workers) == 1, "two writers' lines in one entry"
        assert entry.rstrip().endswith("preserving intended functionality?")


# --- settings and the command line ----------------------------------------------------------


def write_pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(body, "utf-8")


def test_threshold_comes_from_pyproject_and_env_overrides_it(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.coverage.report]\nfail_under = 82\n")
    assert settings.load(tmp_path, env={}).cov_fail_under == 82
    assert settings.load(tmp_path, env={settings.COV_ENV: "55.5"}).cov_fail_under == 55.5


@pytest.mark.parametrize("bad", ["120", "-1", "nan", "seventy"])
def test_threshold_outside_0_to_100_is_a_clear_error(tmp_path: Path, bad: str) -> None:
    write_pyproject(tmp_path, "")
    with pytest.raises(settings.SettingsError, match=f"{settings.COV_ENV}.*0 to 100"):
        settings.load(tmp_path, env={settings.COV_ENV: bad})


def test_cli_rejects_bad_threshold_listing_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--cov-fail-under", "150"])
    assert exc.value.code == 2
    assert "outside 0 to 100" in capsys.readouterr().err


def test_cli_rejects_unknown_gate_listing_the_allowed_ones(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    out = io.StringIO()
    assert cli.main(["run", "--gates", "lnt", "--root", str(tmp_path)], stdout=out) == 2
    assert out.getvalue() == (
        "runbook: error: unknown gate 'lnt'; allowed: lint, format, tests, types, package\n"
    )


def test_workers_and_shards_come_from_pyproject_and_the_env_overrides_workers(
    tmp_path: Path,
) -> None:
    write_pyproject(tmp_path, "")
    assert (settings.load(tmp_path, env={}).workers, settings.load(tmp_path, env={}).shards) == (
        "auto",
        2,
    )
    write_pyproject(tmp_path, "[tool.runbook]\nworkers = 3\nshards = 4\n")
    assert (settings.load(tmp_path, env={}).workers, settings.load(tmp_path, env={}).shards) == (
        "3",
        4,
    )
    assert settings.load(tmp_path, env={settings.WORKERS_ENV: "0"}).workers == "0"


def test_together_groups_come_from_pyproject(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    assert settings.load(tmp_path, env={}).together == ()
    write_pyproject(tmp_path, '[tool.runbook]\ntogether = [["t/a.py", "t/b.py"], ["t/c.py"]]\n')
    assert settings.load(tmp_path, env={}).together == (("t/a.py", "t/b.py"), ("t/c.py",))


def test_serial_below_comes_from_pyproject_and_the_env_overrides_it(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    assert settings.load(tmp_path, env={}).serial_below == settings.DEFAULT_SERIAL_BELOW
    write_pyproject(tmp_path, "[tool.runbook]\nserial_below = 1.5\n")
    assert settings.load(tmp_path, env={}).serial_below == 1.5
    assert settings.load(tmp_path, env={settings.SERIAL_BELOW_ENV: "0"}).serial_below == 0.0


@pytest.mark.parametrize(
    ("body", "env", "message"),
    [
        ('workers = "many"', {}, "workers 'many'; allowed"),
        ("workers = -1", {}, "workers -1; allowed"),
        ("workers = true", {}, "workers True; allowed"),
        ("", {settings.WORKERS_ENV: "2.5"}, "RUNBOOK_TEST_WORKERS: workers '2.5'"),
        ("shards = 0", {}, "shards 0; allowed: a whole number from 1 to 64"),
        ('shards = "2"', {}, "shards '2'; allowed"),
        ("serial_below = -1", {}, "serial_below: -1; allowed: a number of seconds, 0 or more"),
        ("serial_below = true", {}, "serial_below: True; allowed"),
        ('serial_below = "x"', {}, "serial_below: 'x' is not a number of seconds"),
        ("", {settings.SERIAL_BELOW_ENV: "nan"}, "RUNBOOK_TEST_SERIAL_BELOW: 'nan'; allowed"),
        ('together = ["tests/test_a.py"]', {}, "together ['tests/test_a.py']; allowed: a list"),
        ("together = [[1]]", {}, "together [1]: each path must be a string"),
        (
            'together = [["t/a.py", "t/b.py"], ["t/b.py"]]',
            {},
            "together: t/b.py in more than one group",
        ),
    ],
)
def test_bad_workers_shards_or_serial_below_are_clear_errors(
    tmp_path: Path, body: str, env: dict[str, str], message: str
) -> None:
    write_pyproject(tmp_path, f"[tool.runbook]\n{body}\n")
    with pytest.raises(settings.SettingsError, match=re.escape(message)):
        settings.load(tmp_path, env=env)


def test_required_gates_cannot_be_skipped(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.runbook]\nskip = ["tests"]\n')
    with pytest.raises(
        settings.SettingsError, match="tests cannot be skipped; optional gates: types"
    ):
        settings.load(tmp_path, env={})


@pytest.mark.parametrize("bad", ["0", "-5", "soon"])
def test_bad_timeout_is_rejected(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["run", "--timeout", bad])
    assert "--timeout" in capsys.readouterr().err


def nox_list(*selection: str) -> list[dict[str, object]]:
    """What ``nox --list --json`` says about the real noxfile's sessions in ``selection``."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nox",
            "-f",
            str(ROOT / "noxfile.py"),
            "--list",
            "--json",
            *selection,
        ],
        capture_output=True,
        text=True,
        timeout=300,  # a deadline for a loaded machine
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return cast(list[dict[str, object]], json.loads(done.stdout))


def test_gate_table_is_the_single_source_for_nox_sessions() -> None:
    """nox itself has a session per gate with the gate's description, and tags ``gate``
    exactly the gates CI fans out (every one but the release-only ones)."""
    names = table.names()
    listed = nox_list("-s", *names)  # nox refuses to list a session it does not have
    assert [s["session"] for s in listed] == names
    assert [s["description"] for s in listed] == [g.description for g in table.GATES]
    tagged = [s["session"] for s in nox_list("-t", "gate")]
    assert tagged == [g.name for g in table.GATES if not g.release_only]
    assert names == ["lint", "format", "tests", "types", "package"]
    assert [g.name for g in table.GATES if not g.required] == ["types"]
    assert TESTS_GATE.argv(75) == [
        "python",
        "-m",
        "runbook.selection.testgate",
        "--cov-fail-under=75",
    ]


def test_cli_list_prints_the_gate_table() -> None:
    out = io.StringIO()
    assert cli.main(["list"], stdout=out) == 0
    assert out.getvalue().splitlines()[3].split()[:3] == ["types", "Π_types", "optional"]


# --- reports ---------------------------------------------------------------------------------


def report(*results: GateResult, mode: str = "runbook") -> RunReport:
    return RunReport(mode=mode, started_at="t", commit="abc1234", seconds=1.25, results=results)


def test_markdown_escapes_pipes_in_reasons() -> None:
    odd = GateResult(name="tests", projector="Π", status=Status.ERROR, reason="a | b")
    assert "| a \\| b |" in render_markdown(report(odd))


def test_collect_builds_the_ci_gate_table_from_nox_reports(tmp_path: Path) -> None:
    def nox_report(name: str, code: int) -> None:
        data = {"result": code, "sessions": [{"name": name, "result_code": code, "duration": 2.5}]}
        (tmp_path / f"{name}.json").write_text(json.dumps(data))

    nox_report("lint", 0)
    (tmp_path / "lint.log").write_text(
        f"Found 2 errors.\nnox > Command {LINT} failed with exit code 1\n"
    )
    lint = GateReport("lint", Status.FAIL, exit_code=1, summary="2 errors")
    handover.write(ci_gate.result_path(tmp_path, "lint"), lint)
    for name in ("format", "tests"):
        nox_report(name, 1)
    out = io.StringIO()
    assert collect.main(tmp_path, out) == 1
    table = out.getvalue()
    assert "| lint | Π_lint | ✗ fail | 2.5s | 2 errors |" in table
    assert "| format | Π_format | ✓ pass | 2.5s |  |" in table
    assert "| types | Π_types | · not run | 0.0s | no report from CI |" in table


def test_release_refuses_a_subset_of_gates(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    out = io.StringIO()
    argv = ["run", "--mode", "release", "--gates", "lint", "--root", str(tmp_path)]
    assert cli.main(argv, stdout=out) == 2
    assert "release runs every gate" in out.getvalue()
