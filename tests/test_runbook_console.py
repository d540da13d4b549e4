"""The runner's screen: live progress in a terminal, plain lines in a pipe, the gate table."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from runbook.gates import table
from runbook.gates.settings import Settings
from runbook.records.result import GateResult, Status
from runbook.reports.console import STYLES, GateProgress, make_console, print_report
from runbook.reports.report import SYMBOLS, RunReport
from runbook.run import Run, perform
from support import direct, followed, python_gate

TESTS_GATE, LINT_GATE = table.select(["tests"])[0], table.select(["lint"])[0]
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CURSOR_MOVES = ("\x1b[1A", "\x1b[2K", "\x1b[?25l")
LINT_FAILED = GateResult(
    name="lint", projector="Π_lint", status=Status.FAIL, seconds=1.25, reason="3 errors"
)
LONG_REASON = "2 failed, 41 passed; first: tests/test_x.py::test_y " + "x" * 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    """A stream that says it is a terminal, as a real one would."""

    def isatty(self) -> bool:
        return True


def colour_codes(text: str) -> list[str]:
    """The SGR parameters that set a colour (30-38, 40-48, 90-107); bold and reset are not."""
    params = [p for seq in re.findall(r"\x1b\[([0-9;]*)m", text) for p in seq.split(";") if p]
    return [p for p in params if 30 <= int(p) <= 48 or 90 <= int(p) <= 107]


def plain(text: str) -> str:
    return ESCAPE.sub("", text)


def sample_report(reason: str = "3 errors") -> RunReport:
    results = (
        GateResult(name="lint", projector="Π_lint", status=Status.FAIL, seconds=1.2, reason=reason),
        GateResult(
            name="tests",
            projector="Π_tests ∩ Π_cov",
            status=Status.PASS,
            seconds=31.25,
            reason="386 passed",
            cached=True,
        ),
        GateResult(name="types", projector="Π_types", status=Status.TIMEOUT, seconds=1800.0),
    )
    return RunReport(
        mode="runbook", started_at="t", commit="abc1234", seconds=33.3, results=results
    )


def test_a_running_gate_shows_its_elapsed_seconds_climbing() -> None:
    clock, out = FakeClock(), io.StringIO()
    console = Console(file=out, force_terminal=True, width=60, _environ={})
    progress = GateProgress(console, clock=clock, auto_refresh=False)
    with progress:
        progress.started(TESTS_GATE)
        progress.started(LINT_GATE)
        for elapsed in (1.0, 2.5):
            clock.now = 100.0 + elapsed
            progress.refresh()
        progress.finished(LINT_FAILED)
        clock.now = 104.0
        progress.refresh()
    shown = plain(out.getvalue())
    climbing = [float(s) for s in re.findall(r"tests\s+(\d+\.\d)s", shown)]
    assert climbing[0] == 1.0
    assert climbing[-1] == 4.0
    assert 2.5 in climbing
    assert climbing == sorted(climbing)
    # The finished gate became its result line, and no running line of it follows.
    line_at = shown.index("runbook: ✗ lint fail (1.2s)")
    assert not re.search(r"lint\s+\d+\.\ds", shown[line_at:])
    assert any(move in out.getvalue() for move in CURSOR_MOVES)


def test_the_runner_announces_each_gate_before_its_result(tmp_path: Path) -> None:
    heard: list[str] = []
    run = Run(
        root=tmp_path,
        settings=Settings(cov_fail_under=70, timeout=60, skip=()),
        gates=(python_gate("one", "pass"), python_gate("two", "raise SystemExit(1)")),
        jobs=1,
        launcher=direct,
        env=followed({}),
        on_start=lambda gate: heard.append(f"start {gate.name}"),
        on_result=lambda result: heard.append(f"{result.name} {result.status}"),
    )
    perform(run)
    assert heard == ["start one", "one pass", "start two", "two fail"]


def test_piped_output_is_plain_result_lines_and_a_plain_table() -> None:
    out = io.StringIO()
    console = make_console(out, env={})
    with GateProgress(console) as progress:
        progress.started(LINT_GATE)
        progress.finished(LINT_FAILED)
    assert out.getvalue() == "runbook: lint fail (1.2s)\n"
    progress.finished(sample_report().results[1])
    assert out.getvalue().splitlines()[-1] == "runbook: tests pass (cached) (31.2s)"
    print_report(sample_report(LONG_REASON), console)
    text = out.getvalue()
    assert "\x1b" not in text
    assert LONG_REASON in text  # a log has no width: nothing is cut
    row = next(line for line in text.splitlines() if line.startswith("tests"))
    assert row.split()[:5] == ["tests", "Π_tests", "∩", "Π_cov", "pass"]
    assert text.splitlines()[-1] == "runbook: FAIL in 33.3s at abc1234"


def test_force_color_in_a_pipe_colours_but_never_animates() -> None:
    out = io.StringIO()
    console = make_console(out, env={"FORCE_COLOR": "1"})
    with GateProgress(console) as progress:
        progress.started(LINT_GATE)
        progress.finished(LINT_FAILED)
    assert colour_codes(out.getvalue())
    assert not any(move in out.getvalue() for move in CURSOR_MOVES)


def test_no_color_in_a_terminal_keeps_the_live_lines_without_colour() -> None:
    out = Tty()
    console = make_console(out, env={"NO_COLOR": "1", "TERM": "xterm-256color"})
    with GateProgress(console, auto_refresh=False) as progress:
        progress.started(LINT_GATE)
        progress.refresh()
        progress.finished(LINT_FAILED)
    print_report(sample_report(), console)
    assert any(move in out.getvalue() for move in CURSOR_MOVES)
    assert colour_codes(out.getvalue()) == []
    assert "✗ fail" in plain(out.getvalue())


def test_ci_gets_no_live_display_even_in_a_terminal() -> None:
    out = Tty()
    console = make_console(out, env={"CI": "true", "TERM": "xterm-256color"})
    with GateProgress(console, auto_refresh=False) as progress:
        progress.started(LINT_GATE)
        progress.refresh()
        progress.finished(LINT_FAILED)
    assert not any(move in out.getvalue() for move in CURSOR_MOVES)
    assert plain(out.getvalue()) == "runbook: lint fail (1.2s)\n"


def test_a_long_reason_is_cut_to_the_terminal_width_never_wrapped() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=72, color_system="standard", _environ={})
    print_report(sample_report(LONG_REASON), console)
    lines = plain(out.getvalue()).splitlines()
    assert len(lines) == 2 + 3 + 1  # header, rule, three gates, verdict: nothing wrapped
    table = lines[:5]
    assert all(cell_len(line) == 72 for line in table)
    lint_row = lines[2]
    assert lint_row.rstrip().endswith("…")
    assert lint_row.split()[:3] == ["lint", "Π_lint", "✗"]
    # Π, ∩ and the status symbols are one cell wide: every reason starts in the same column.
    header, tests_row = lines[0], lines[3]
    starts = {
        cell_len(header[: header.index("reason")]),
        cell_len(lint_row[: lint_row.index("2 failed")]),
        cell_len(tests_row[: tests_row.index("386 passed")]),
    }
    assert len(starts) == 1
    assert "\x1b[31m✗ fail" in out.getvalue()
    assert "\x1b[32m✓ pass (cached)" in out.getvalue()


def test_every_status_has_a_symbol_and_a_style() -> None:
    """A status the table cannot draw would lose the whole report (a KeyError after the run)."""
    assert set(SYMBOLS) == set(Status) == set(STYLES)
    assert all(cell_len(symbol) == 1 for symbol in SYMBOLS.values())
