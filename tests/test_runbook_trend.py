"""The trajectory chart in report.md: Mermaid xychart-beta of the last runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from runbook.gates.settings import Settings
from runbook.reports import history, trend
from runbook.run import Run, perform
from support import direct, followed, python_gate


def sample(n: int, coverage: float | None = 80.0, **gates: dict[str, Any]) -> dict[str, Any]:
    default = {
        "lint": {"status": "pass", "seconds": 1.0 + n, "cached": False},
        "tests": {"status": "pass", "seconds": 30.0 + n, "cached": False},
    }
    return {
        "time": f"2026-12-02T12:{n:02d}:00+00:00",
        "commit": f"c{n}",
        "mode": "runbook",
        "coverage": coverage,
        "gates": {**default, **gates},
    }


def charts(text: str) -> list[list[str]]:
    """The lines of each Mermaid block."""
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    return [[line.strip() for line in block.splitlines()] for block in blocks]


def axis(chart: list[str]) -> list[str]:
    (line,) = [line for line in chart if line.startswith("x-axis")]
    return json.loads(line.removeprefix('x-axis "run" '))


def series(chart: list[str]) -> list[list[float]]:
    return [json.loads(line.removeprefix("line ")) for line in chart if line.startswith("line ")]


def test_no_chart_before_the_second_run() -> None:
    assert trend.markdown([]) == ""
    assert trend.markdown([sample(1)]) == ""


def test_two_runs_give_a_seconds_chart_per_gate_and_a_coverage_chart() -> None:
    text = trend.markdown([sample(1, coverage=80.0), sample(2, coverage=82.5)])
    seconds, coverage = charts(text)
    assert "xychart-beta" in seconds
    assert seconds[seconds.index("xychart-beta") + 1] == 'title "Seconds per gate"'
    assert axis(seconds) == ["1", "2"]
    assert series(seconds) == [[2.0, 3.0], [31.0, 32.0]]  # lint, tests: table order
    (y_axis,) = [line for line in seconds if line.startswith("y-axis")]
    low, high = map(float, y_axis.removeprefix('y-axis "seconds" ').split(" --> "))
    assert low == 0
    assert high >= 32.0
    # One colour per line, named in the legend under the chart, in the same order.
    (palette,) = [line for line in seconds if line.startswith("plotColorPalette")]
    colours = palette.split('"')[1].split(", ")
    assert colours == [trend.PALETTE[0][1], trend.PALETTE[1][1]]
    assert f"{trend.PALETTE[0][0]} lint · {trend.PALETTE[1][0]} tests" in text
    assert axis(coverage) == ["1", "2"]
    assert series(coverage) == [[80.0, 82.5]]
    assert "Run 2: runbook at `c2`" in text


def y_top(chart: list[str]) -> str:
    (line,) = [line for line in chart if line.startswith("y-axis")]
    return line.removeprefix('y-axis "seconds" 0 --> ')


def test_the_seconds_axis_ends_a_round_step_above_the_highest_and_is_never_empty() -> None:
    quick = {"status": "pass", "seconds": 0.04, "cached": False}  # charted as 0.0
    zeros = [sample(n, lint=quick, tests=quick) for n in (1, 2)]
    assert y_top(charts(trend.markdown(zeros))[0]) == "0.2"  # as for 0.1 s: never 0 --> 0
    assert y_top(charts(trend.markdown([sample(1), sample(2)]))[0]) == "40"  # 32 s
    slow = {"status": "pass", "seconds": 950.0, "cached": False}
    assert y_top(charts(trend.markdown([sample(1), sample(2, tests=slow)]))[0]) == "1100"


def test_only_the_last_twenty_runs_are_charted_and_numbered_by_their_place() -> None:
    text = trend.markdown([sample(n) for n in range(1, 26)])
    seconds, coverage = charts(text)
    assert axis(seconds) == [str(n) for n in range(6, 26)]
    assert axis(coverage) == axis(seconds)
    assert all(len(line) == 20 for line in series(seconds))
    assert "runs 6 to 25" in text


def test_cached_skipped_and_missing_gates_cost_nothing_that_run() -> None:
    cached = {"status": "pass", "seconds": 30.0, "cached": True}
    skipped = {"status": "skipped", "seconds": 0.5, "cached": False}
    runs = [sample(1), sample(2, tests=cached, types=skipped), sample(3, coverage=None)]
    del runs[2]["gates"]["lint"]
    seconds, coverage = charts(trend.markdown(runs))
    assert series(seconds) == [[2.0, 3.0, 0.0], [31.0, 0.0, 33.0], [0.0, 0.0, 0.0]]
    assert axis(coverage) == ["1", "2"]  # the run without coverage is left out, not drawn as 0


def test_foreign_values_in_the_history_are_not_numbers() -> None:
    odd = sample(2, coverage=True, lint={"status": "pass", "seconds": "fast", "cached": False})
    seconds, *rest = charts(trend.markdown([sample(1), odd]))
    assert series(seconds)[0] == [2.0, 0.0]
    assert rest == []  # one run with coverage is no line


def test_report_md_holds_the_chart_from_the_second_run_on(tmp_path: Path) -> None:
    def run_once() -> str:
        perform(
            Run(
                root=tmp_path,
                settings=Settings(cov_fail_under=70, timeout=60, skip=()),
                gates=(python_gate("lint", "pass"),),
                launcher=direct,
                env=followed({}),
            )
        )
        return (tmp_path / ".runbook/report.md").read_text("utf-8")

    assert "xychart-beta" not in run_once()
    second = run_once()
    (seconds,) = charts(second)
    assert axis(seconds) == ["1", "2"]
    assert len(series(seconds)) == 1
    assert len(history.samples(tmp_path / ".runbook/history.jsonl")) == 2
    assert "xychart-beta" not in (tmp_path / ".runbook/report.json").read_text("utf-8")


def test_a_cancelled_gate_costs_nothing_that_run() -> None:
    """Its seconds are how long it ran before another gate failed, not the gate's time."""
    cancelled = {"status": "cancelled", "seconds": 12.0, "cached": False}
    text = trend.markdown([sample(1), sample(2, tests=cancelled)])
    seconds, _coverage = charts(text)
    assert series(seconds) == [[2.0, 3.0], [31.0, 0.0]]
    assert "(0 s: cached, skipped, cancelled or not run)" in text
