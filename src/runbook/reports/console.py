"""What the runner shows a person: live progress while the gates run, then the gate table.

Drawn with rich, which knows the terminal widths of symbols such as ``Π``, ``∩`` and ``✓``,
tells a terminal from a pipe, and honours ``NO_COLOR``, ``FORCE_COLOR`` and ``TTY_INTERACTIVE``.
In a terminal every running gate has a line with its elapsed seconds, redrawn several times a
second; a finished gate prints its result line above them, and the table comes last. In a pipe
or in CI nothing moves: one plain result line per gate, as a log wants. The reports for programs
(JSON, Markdown) are ``report.py``'s; this module only draws.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from io import StringIO
from types import TracebackType
from typing import TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from runbook.gates.table import Gate
from runbook.records.result import GateResult, Status
from runbook.reports.report import SYMBOLS, RunReport, status_label, table_rows

PIPE_WIDTH = 10_000
"""Console width when the stream is not a terminal: a log has no width, so nothing is cut."""
REFRESHES_PER_SECOND = 4
"""How often the running gates' elapsed times are redrawn."""

STYLES: dict[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.SKIPPED: "dim",
    Status.TIMEOUT: "yellow",
    Status.ERROR: "magenta",
    Status.NOT_RUN: "dim",
    Status.CANCELLED: "dim",
}


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # a closed stream is no terminal
        return False


def make_console(stream: TextIO, env: Mapping[str, str] | None = None) -> Console:
    """The console the runner writes to. rich decides colour (``NO_COLOR``, ``FORCE_COLOR``,
    the terminal); moving output needs a real terminal outside CI, so ``FORCE_COLOR`` in a
    pipe colours the lines but never animates them."""
    env = os.environ if env is None else env
    tty = _is_tty(stream)
    return Console(
        file=stream,
        width=None if tty else PIPE_WIDTH,
        highlight=False,
        force_interactive=None if tty and not env.get("CI") else False,
        _environ=env,
    )


def result_line(result: GateResult, prefix: str, *, symbols: bool) -> Text:
    """``runbook: lint pass (1.2s)``; with a coloured symbol in a terminal. A cached pass says
    so: its time is the run's that measured it."""
    mark = f"{SYMBOLS[result.status]} " if symbols else ""
    return Text.assemble(
        f"{prefix}: ",
        (f"{mark}{result.name} {status_label(result)}", STYLES[result.status]),
        f" ({result.seconds:.1f}s)",
    )


class GateProgress:
    """The runner's ``on_start``/``on_result`` hooks, drawing what they hear.

    The hooks are called from the runner's worker threads; rich's console serialises the
    writes, and ``_lock`` guards the running gates. ``clock`` is swapped in tests.
    """

    def __init__(
        self,
        console: Console,
        *,
        prefix: str = "runbook",
        clock: Callable[[], float] = time.monotonic,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self.prefix = prefix
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._live: Live | None = None
        if console.is_interactive:
            self._live = Live(
                get_renderable=self._running_lines,
                console=console,
                auto_refresh=auto_refresh,
                refresh_per_second=REFRESHES_PER_SECOND,
                transient=True,
            )

    def __enter__(self) -> GateProgress:
        if self._live is not None:
            self._live.start(refresh=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def started(self, gate: Gate) -> None:
        with self._lock:
            self._running[gate.name] = self._clock()

    def finished(self, result: GateResult) -> None:
        with self._lock:
            self._running.pop(result.name, None)
        # Redraw without the gate first: rich prints the line above the live display and then
        # redraws that display from its last frame.
        self.refresh()
        self.console.print(result_line(result, self.prefix, symbols=self._live is not None))

    def refresh(self) -> None:
        """Redraw now (the live display also redraws by itself unless ``auto_refresh`` is off)."""
        if self._live is not None:
            self._live.refresh()

    def _running_lines(self) -> RenderableType:
        now = self._clock()
        with self._lock:
            running = list(self._running.items())
        grid = Table.grid(padding=(0, 1))
        for _ in range(3):
            grid.add_column(no_wrap=True)
        for name, started in running:
            grid.add_row(Text("…", style="cyan"), Text(name), Text(f"{now - started:.1f}s"))
        return Group(grid) if running else Group()


def gate_table(report: RunReport, *, terminal: bool) -> Table:
    """The gate table. In a terminal it fills the width and a long reason ends in ``…``
    (never wraps into the next line); elsewhere each column is as wide as its content."""
    table = Table(
        box=box.SIMPLE_HEAD,
        expand=terminal,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
    )
    for name in ("gate", "projector", "status"):
        table.add_column(name, no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    # The only flexible column: in a terminal it takes what the others leave and is cut there.
    table.add_column("reason", no_wrap=True, overflow="ellipsis", ratio=1)
    for row, result in zip(table_rows(report), report.results, strict=True):
        name, projector, label, seconds, reason = row
        mark = f"{SYMBOLS[result.status]} " if terminal else ""
        status = Text(f"{mark}{label}", style=STYLES[result.status])
        table.add_row(Text(name), Text(projector), status, Text(seconds), Text(reason))
    return table


def print_report(report: RunReport, console: Console) -> None:
    """The gate table, the verdict line and the runner's warnings."""
    console.print(gate_table(report, terminal=console.is_terminal))
    verdict = "PASS" if report.passed else "FAIL"
    summary = f"{report.mode}: {verdict} in {report.seconds:.1f}s at {report.commit}"
    console.print(Text(summary, style=f"bold {'green' if report.passed else 'red'}"))
    for warning in report.warnings:
        console.print(Text(f"warning: {warning}"), soft_wrap=True)


def plain_report(report: RunReport) -> str:
    """The gate table as a log shows it: no colour, no symbols, nothing cut."""
    buffer = StringIO()
    print_report(report, make_console(buffer, env={}))
    return buffer.getvalue()
