"""The suite under load: run pytest N times while busy loops hold every core, count failures.

``nox -s stress -- [N] [--load L] [PYTEST ARGS]`` (``make stress N=...``). A test that fails
at random on a busy CI machine rejects good work and teaches everyone to ignore red; this finds
it before CI does. Each run writes a JUnit XML report, so the counts are per test, and a run
that dies without one (a crash, a hang past ``--run-timeout``) is counted as a failure of the
run itself. Exit status 0 only when every run passed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

DEFAULT_RUNS = 20
# Spins until its parent is gone, then exits: each busy loop has its own session (so one killpg
# stops it), which no signal to the runner's group reaches, and a runner killed outright
# (SIGKILL, a CI job's timeout) runs no cleanup. ``getppid`` changes when it is re-parented; one
# check per ~100,000 iterations (a few ms) keeps the loop all user-time CPU.
BUSY_LOOP = """\
import os, sys
parent = int(sys.argv[1])
while os.getppid() == parent:
    for _ in range(100_000):
        pass
"""
RUN_TIMEOUT = 3600.0
"""A whole-suite run past this is stopped and counted as a failed run (a hang, not a result)."""


@dataclass
class Tally:
    """What N runs produced: per test id, how many runs failed or errored it."""

    runs: int = 0
    failed_runs: int = 0
    tests: int = 0
    """Test cases in the last run that produced a report."""
    failures: Counter[str] = field(default_factory=Counter[str])

    def add(self, failed: Sequence[str], tests: int) -> None:
        self.runs += 1
        self.failed_runs += bool(failed)
        self.tests = tests or self.tests
        self.failures.update(failed)


def failed_tests(report: Path) -> tuple[list[str], int]:
    """The ids (``file::name``) of the failed or errored test cases in a JUnit XML report, and
    how many test cases it holds. Raises ``ValueError`` when the report cannot be read."""
    try:
        # Our own pytest wrote this file a moment ago; it is not untrusted input.
        root = ET.parse(report).getroot()  # noqa: S314
    except (OSError, ET.ParseError) as exc:
        raise ValueError(f"no readable JUnit report ({exc})") from exc
    failed: list[str] = []
    count = 0
    for case in root.iter("testcase"):
        count += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(_test_id(case))
    return failed, count


def _test_id(case: ET.Element) -> str:
    """pytest's own id from JUnit's classname ``tests.test_x`` (or ``tests.test_x.Class``)."""
    classname = case.get("classname", "")
    name = case.get("name", "?")
    parts = classname.split(".")
    # The module is the longest prefix of the dotted name that is a file under the root.
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if module.exists():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}" if classname else name


@contextlib.contextmanager
def busy_load(processes: int) -> Generator[list[subprocess.Popen[bytes]]]:
    """``processes`` busy loops, each in its own process group, killed on the way out."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", BUSY_LOOP, str(os.getpid())],
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        yield procs
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in procs:
            proc.wait()


def run_once(
    pytest_args: Sequence[str], report: Path, timeout: float, log: TextIO
) -> tuple[list[str], int]:
    """One pytest run; its failed test ids and test count (a run without a report is one
    failure named ``<run: ...>``)."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv += [f"--junitxml={report}", *pytest_args]
    try:
        proc = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return [f"<run: no result within {timeout:g}s>"], 0
    tail = proc.stdout.decode(errors="replace").strip().splitlines()[-1:]
    try:
        failed, count = failed_tests(report)
    except ValueError as exc:
        log.write(proc.stdout.decode(errors="replace")[-4000:])
        return [f"<run: pytest exit code {proc.returncode}, {exc}>"], 0
    if proc.returncode not in {0, 1} or (proc.returncode == 1 and not failed):
        # pytest's exit 2-5 (interrupted, internal error, usage, nothing collected) is not a
        # test's failure but the run's.
        log.write(proc.stdout.decode(errors="replace")[-4000:])
        failed = [*failed, f"<run: pytest exit code {proc.returncode}>"]
    if failed:
        log.write("".join(f"  {line}\n" for line in tail))
    return failed, count


@dataclass(frozen=True)
class Options:
    runs: int = DEFAULT_RUNS
    load: int = field(default_factory=lambda: os.cpu_count() or 1)
    run_timeout: float = RUN_TIMEOUT
    pytest_args: tuple[str, ...] = ()


def parse(argv: Sequence[str]) -> Options:
    """``[N] [--load L] [--run-timeout S] [PYTEST ARGS...]``: the leading words are ours, the
    rest pytest's (so ``-k 'kill or hang'`` needs no second ``--``). Raises ``ValueError``."""
    words = list(argv)
    runs = DEFAULT_RUNS
    if words and words[0].isdigit():
        runs = int(words.pop(0))
    numbers: dict[str, float] = {}
    while words and words[0] in {"--load", "--run-timeout"}:
        option = words.pop(0)
        if not words:
            raise ValueError(f"{option} needs a number")
        value = words.pop(0)
        try:
            numbers[option] = int(value) if option == "--load" else float(value)
        except ValueError:
            raise ValueError(f"{option} takes a number, not {value!r}") from None
    options = Options(
        runs=runs,
        load=int(numbers.get("--load", os.cpu_count() or 1)),
        run_timeout=numbers.get("--run-timeout", RUN_TIMEOUT),
        pytest_args=tuple(words),
    )
    if options.runs < 1 or options.load < 0 or not options.run_timeout > 0:
        raise ValueError("N must be at least 1, --load at least 0, --run-timeout above 0")
    return options


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    try:
        options = parse(sys.argv[1:] if argv is None else argv)
    except ValueError as exc:
        stream.write(f"stress: error: {exc}\n")
        stream.write("usage: nox -s stress -- [N] [--load L] [PYTEST ARGS...]\n")
        return 2
    runs, load, pytest_args = options.runs, options.load, options.pytest_args
    tally = Tally()
    what = " ".join(["pytest", *pytest_args])
    stream.write(f"stress: {runs} runs of `{what}` with {load} busy-loop processes\n")
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with tempfile.TemporaryDirectory(prefix="stress-") as tmp, busy_load(load):
            for run in range(1, runs + 1):
                started = time.monotonic()
                report = Path(tmp) / f"run-{run}.xml"
                failed, count = run_once(pytest_args, report, options.run_timeout, stream)
                tally.add(failed, count)
                seconds = time.monotonic() - started
                verdict = f"{len(failed)} failed" if failed else "all passed"
                stream.write(
                    f"stress: run {run}/{runs}: {count} tests, {verdict} ({seconds:.0f}s)\n"
                )
                stream.flush()
    except KeyboardInterrupt:
        stream.write(f"stress: interrupted\n{summary(tally)}")
        return 130
    except Terminated:
        stream.write(f"stress: terminated\n{summary(tally)}")
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
    stream.write(summary(tally))
    return 1 if tally.failures else 0


class Terminated(Exception):  # noqa: N818 - named for the signal, as KeyboardInterrupt is
    """SIGTERM arrived: unwind like Ctrl-C, so the busy loops and the pytest run are stopped."""


def _stop(signum: int, frame: object) -> None:
    raise Terminated


def summary(tally: Tally) -> str:
    """The closing figure, then one line per test that failed at least once (most first)."""
    head = (
        f"stress: {tally.runs} runs, {tally.failed_runs} with failures, "
        f"{sum(tally.failures.values())} test failures in all ({tally.tests} tests per run)\n"
    )
    lines = [f"  {count:>3}/{tally.runs}  {test}\n" for test, count in tally.failures.most_common()]
    return head + "".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
