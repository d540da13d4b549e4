"""The trajectory as a picture: Mermaid ``xychart-beta`` charts of the last runs for report.md.

GitHub renders Mermaid in Markdown, so the job summary shows how each gate's time and the
coverage moved, with no server and no image file. Mermaid's xychart has no named series before
its newest versions, so the lines get fixed colours (``plotColorPalette``) and a legend of
coloured squares under the chart says which gate each colour is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from runbook.gates.table import GATES
from runbook.records.result import NO_VERDICT

WINDOW = 20
"""How many runs the charts show (the newest ones)."""
PALETTE: tuple[tuple[str, str], ...] = (
    ("🟦", "#3b82f6"),
    ("🟧", "#f97316"),
    ("🟩", "#22c55e"),
    ("🟥", "#ef4444"),
    ("🟪", "#a855f7"),
    ("🟨", "#eab308"),
    ("🟫", "#92400e"),
    ("⬛", "#374151"),
)
"""Line colours and the legend square of the same colour, in series order."""
COVERAGE_COLOUR = "#374151"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def gate_seconds(sample: Mapping[str, Any], gate: str) -> float:
    """What the gate cost in that run: its seconds, or 0 when it was cached, skipped, not run,
    cancelled or not part of the run (a cached pass's time belongs to the run that measured it;
    a cancelled gate's time is how long it ran before another gate failed, not its own)."""
    entry = cast(Mapping[str, Any], sample["gates"]).get(gate)
    if not isinstance(entry, dict):
        return 0.0
    entry = cast(dict[str, Any], entry)
    if entry.get("cached") or entry.get("status") in NO_VERDICT:
        return 0.0
    return _number(entry.get("seconds")) or 0.0


def _gate_names(window: Sequence[Mapping[str, Any]]) -> list[str]:
    """Gates that appear in the window: table order first, then any the table no longer has."""
    seen = {name for sample in window for name in cast(Mapping[str, Any], sample["gates"])}
    known = [gate.name for gate in GATES if gate.name in seen]
    return known + sorted(seen - set(known))


def _values(numbers: Sequence[float]) -> str:
    return "[" + ", ".join(f"{n:g}" for n in numbers) + "]"


def _axis(labels: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{label}"' for label in labels) + "]"


SECONDS_RESOLUTION = 0.1
"""The chart's seconds are rounded to this; a chart of zeros gets the y-axis of one at this."""


def _top(highest: float) -> float:
    """A round upper end for the y-axis a little above the highest value.

    No branch on purpose: whether a test's quick gates charted 0.0 or 0.1 s depends on the
    machine's load, and the code a test measures must not (the tests gate merges stored
    per-test coverage, so it must be the same run to run)."""
    value = max(highest, SECONDS_RESOLUTION)
    step = 10 ** math.floor(math.log10(value))
    return math.ceil(value * 1.1 / step) * step


def _opening(colours: str) -> list[str]:
    """The Mermaid block's start: line colours in front matter (Mermaid's default palette has
    near-invisible pastels), then the chart type."""
    return [
        "```mermaid",
        "---",
        "config:",
        "  themeVariables:",
        "    xyChart:",
        f'      plotColorPalette: "{colours}"',
        "---",
        "xychart-beta",
    ]


def seconds_chart(window: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> list[str]:
    names = _gate_names(window)
    series = [[round(gate_seconds(sample, name), 1) for sample in window] for name in names]
    colours = ", ".join(PALETTE[i % len(PALETTE)][1] for i in range(len(names)))
    highest = max((n for line in series for n in line), default=0.0)
    legend = " · ".join(f"{PALETTE[i % len(PALETTE)][0]} {name}" for i, name in enumerate(names))
    return [
        *_opening(colours),
        '  title "Seconds per gate"',
        f'  x-axis "run" {_axis(labels)}',
        f'  y-axis "seconds" 0 --> {_top(highest):g}',
        *(f"  line {_values(line)}" for line in series),
        "```",
        "",
        f"{legend} (0 s: cached, skipped, cancelled or not run)",
    ]


def coverage_chart(window: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> list[str]:
    """Coverage of the runs that measured it; empty when fewer than two did."""
    points = [
        (label, value)
        for label, sample in zip(labels, window, strict=True)
        if (value := _number(sample.get("coverage"))) is not None
    ]
    if len(points) < 2:
        return []
    lowest = min(value for _, value in points)
    bottom = max(0, math.floor(lowest / 10) * 10 - 10)
    return [
        *_opening(COVERAGE_COLOUR),
        '  title "Coverage (%)"',
        f'  x-axis "run" {_axis([label for label, _ in points])}',
        f'  y-axis "coverage %" {bottom} --> 100',
        f"  line {_values([round(value, 2) for _, value in points])}",
        "```",
    ]


def markdown(history: Sequence[Mapping[str, Any]], window: int = WINDOW) -> str:
    """Charts of the newest ``window`` samples (oldest left), or "" before the second run.

    Runs are numbered by their place in the history (1 = the first run recorded), so the two
    charts' axes name the same run the same way.
    """
    if len(history) < 2:
        return ""
    first = max(0, len(history) - window)
    shown = history[first:]
    labels = [str(number) for number in range(first + 1, len(history) + 1)]
    newest = history[-1]
    span = f"runs {labels[0]} to {labels[-1]} of `.runbook/history.jsonl`"
    title = f"### Trajectory ({span}, oldest left)"
    coverage = coverage_chart(shown, labels)
    lines = [
        title,
        "",
        *seconds_chart(shown, labels),
        *(["", *coverage] if coverage else []),
        "",
        f"Run {labels[-1]}: {newest.get('mode', '?')} at `{newest.get('commit', '?')}`, "
        f"{newest.get('time', '?')}.",
    ]
    return "\n".join(lines) + "\n"
