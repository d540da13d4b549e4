"""The whole verification on a fresh clone: first runbook, full runbook, release, the suite.

    nox -s bench -- suite [--keep]

In one run, on a throwaway clone of this repository (its committed state; uv's download cache is
the machine's, so "cold" means no environment, not no download cache), prints:

- cold: the first ``make runbook`` (builds ``.tools`` and every gate environment; no selection
  data yet, so the whole suite runs; target <= 90 s);
- warm full: ``make runbook ARGS='--no-cache --full'`` with the environments built (target
  <= 50 s, and <= 0.65x the serial suite below);
- release: ``make release`` with the environments built (target <= 60 s);
- the suite in the tests environment, ``pytest -q -p no:cacheprovider``: its CPU seconds (user +
  system of pytest and every process it waited for; target <= 60 s), and its wall time serial
  (``-n 0``) against parallel (``-n auto``) when pytest-xdist is in the tests environment;
- the tests gate itself in one process (``RUNBOOK_TEST_WORKERS=0 nox -R -s tests``): the serial
  figure like for like with the runbook, since coverage tracing, per-test contexts and the
  selection plugins cost in both. The target compares with the bare suite above; this line
  shows how much of the gap is "every core".

The machine is shared: the load average before and after is printed, and every ratio compares
figures measured in this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from user_env import user_env

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"cold": 90.0, "warm": 50.0, "release": 60.0, "cpu": 60.0, "warm/serial": 0.65}


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float
    """User + system seconds of the command and every descendant it waited for."""
    code: int
    tail: str


def measure(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Wall and CPU time of ``argv`` (the CPU of the descendants it waited for included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
    return Measured(wall=wall, cpu=cpu, code=proc.returncode, tail=tail)


def required(what: str, measured: Measured) -> Measured:
    if measured.code != 0:
        raise SystemExit(f"benchmark: {what} failed (exit {measured.code}):\n{measured.tail}")
    return measured


def gate_seconds(clone: Path) -> str:
    """Each gate's time from the run's report, e.g. ``lint 1.2s, tests 40.1s``; a gate that did
    not pass says so."""
    report = cast(dict[str, Any], json.loads((clone / ".runbook" / "report.json").read_text()))
    gates = cast(list[dict[str, Any]], report["gates"])
    return ", ".join(
        f"{g['name']} {float(g['seconds']):.1f}s"
        + ("" if g["status"] in {"pass", "skipped"} else f" ({g['status']}: {g['reason']})")
        for g in gates
    )


def noted(what: str, measured: Measured) -> Measured:
    """The suite: its time counts even when a test failed, which is said next to it."""
    if measured.code not in {0, 1}:
        return required(what, measured)
    if measured.code == 1:
        print(f"  {what}: {measured.tail.splitlines()[-1] if measured.tail else 'failed'}")
        for line in measured.tail.splitlines():
            if line.startswith(("FAILED ", "ERROR ")):
                print(f"    {line}")
    return measured


def timed_run(what: str, measured: Measured, clone: Path) -> Measured:
    """A runbook or release: a failed gate still gives a time (said next to it), a run that
    wrote no report does not."""
    if not (clone / ".runbook" / "report.json").is_file():
        return required(what, measured)
    if measured.code != 0:
        print(f"  {what}: a gate did not pass (exit {measured.code}); the time below is its run's")
    return measured


def verdict(value: float, target: str) -> str:
    limit = TARGETS[target]
    unit = "x" if "/" in target else " s"
    return f"(target <= {limit:g}{unit}: {'ok' if value <= limit else 'MISSED'})"


def row(label: str, value: float, target: str, unit: str = "s") -> None:
    print(f"{label:<40} {value:7.2f}{unit}  {verdict(value, target)}")


def has_xdist(python: Path, clone: Path) -> bool:
    probe = subprocess.run(
        [str(python), "-c", "import xdist"], cwd=clone, capture_output=True, check=False
    )
    return probe.returncode == 0


def serial_gate(clone: Path, env: dict[str, str]) -> Measured:
    """A full tests gate in one process (``RUNBOOK_TEST_WORKERS=0``, the runbook's own switch)."""
    nox = str(clone / ".tools" / "bin" / "nox")
    return measure([nox, "-R", "-s", "tests"], clone, {**env, "RUNBOOK_TEST_WORKERS": "0"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the clone (prints its path)")
    args = parser.parse_args(argv)
    env = user_env()
    tmp = Path(tempfile.mkdtemp(prefix="bench-suite-"))
    try:
        clone = tmp / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=clone,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"fresh clone of {ROOT} at {head}; {os.cpu_count()} cores")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        cold = timed_run("the first make runbook", measure(["make", "runbook"], clone, env), clone)
        row("cold first make runbook", cold.wall, "cold")
        print(f"  its gates: {gate_seconds(clone)}")

        full = ["make", "runbook", "ARGS=--no-cache --full"]
        warm = timed_run("make runbook --no-cache --full", measure(full, clone, env), clone)
        row("warm make runbook ARGS='--no-cache --full'", warm.wall, "warm")
        print(f"  its gates: {gate_seconds(clone)}")

        release = timed_run("make release", measure(["make", "release"], clone, env), clone)
        row("warm make release", release.wall, "release")
        print(f"  its gates: {gate_seconds(clone)}")

        python = clone / ".nox" / "tests" / "bin" / "python"
        pytest = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        suite_env = {**env, "PYTHONPATH": str(clone / "src")}
        parallel = has_xdist(python, clone)
        serial_args = [*pytest, "-n", "0"] if parallel else pytest
        serial = noted("the suite (serial)", measure(serial_args, clone, suite_env))
        print(f"suite, serial{' (-n 0)' if parallel else ''}, wall {serial.wall:7.2f}s")
        row("  suite CPU (user+sys, children included)", serial.cpu, "cpu")
        row("  warm full runbook / serial suite", warm.wall / serial.wall, "warm/serial", "x")
        if parallel:
            auto = [*pytest, "-n", "auto"]
            spread = noted("the suite (-n auto)", measure(auto, clone, suite_env))
            print(f"suite, parallel (-n auto), wall {spread.wall:7.2f}s, CPU {spread.cpu:7.2f}s")
            print(f"  parallel / serial wall                 {spread.wall / serial.wall:7.2f}x")
            gate = noted("the tests gate (workers = 0)", serial_gate(clone, env))
            print(f"tests gate, workers = 0, wall {gate.wall:7.2f}s, CPU {gate.cpu:7.2f}s")
            print(f"  warm full runbook / serial tests gate  {warm.wall / gate.wall:7.2f}x")
        else:
            print("suite, parallel: pytest-xdist is not in the tests environment; not measured")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
