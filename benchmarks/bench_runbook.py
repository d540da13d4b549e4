"""What the runbook costs, measured in one run on a throwaway clone of this repository.

    .tools/bin/python benchmarks/bench_runbook.py [--repeat N] [--skip-cold]

Prints, with ratios:
- cold: ``nox -s runbook`` on a fresh clone (every gate environment built from nothing);
- warm: ``nox -s runbook -- --no-cache`` with the environments built, against the same gate
  commands run bare, one after another, in one prepared environment (target: <= 1.0x);
- cached: ``nox -s runbook`` on an unchanged tree against the warm full run (target: <= 0.1x);
- tracking: a cached runbook with ``--mlflow`` against one without (what MLflow logging costs).

Run it with the tools interpreter (``make`` creates ``.tools/``): it needs nox and uv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from user_env import user_env  # noqa: E402

from runbook.gates.settings import load  # noqa: E402
from runbook.gates.table import GATES  # noqa: E402


def uv_bin() -> str:
    """uv from the tools environment this script runs in (it sits next to the interpreter)."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        raise SystemExit("benchmark: run me with the tools interpreter: .tools/bin/python")
    return str(uv)


def timed(argv: Sequence[str], cwd: Path, env: dict[str, str], check: bool = True) -> float:
    started = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise SystemExit(f"benchmark: {' '.join(argv)} failed ({proc.returncode}):\n{tail}")
    return seconds


def best(runs: list[float]) -> str:
    return f"best {min(runs):6.2f}s  median {statistics.median(runs):6.2f}s  (n={len(runs)})"


def prepare_bare_env(clone: Path, env: dict[str, str]) -> Path:
    """One virtualenv with every gate's tools, as a developer would have by hand."""
    venv = clone / ".venv-bench"  # ignored by .gitignore, so no gate reads it
    uv = uv_bin()
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    groups = sorted({group for gate in GATES if not gate.release_only for group in gate.groups})
    group_args = [arg for group in groups for arg in ("--group", group)]
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin/python"), *group_args],
        cwd=clone,
        check=True,
        env=env,
    )
    no_deps = sorted({pkg for gate in GATES for pkg in gate.no_deps})
    if no_deps:
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--python",
                str(venv / "bin/python"),
                *no_deps,
            ],
            cwd=clone,
            check=True,
            env=env,
        )
    return venv


def bare_sequential(clone: Path, venv: Path, env: dict[str, str]) -> float:
    threshold = load(clone, env={}).cov_fail_under
    bare_env = {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "PYTHONPATH": "src"}
    total = 0.0
    for gate in GATES:
        if gate.release_only:
            continue
        total += timed(gate.argv(threshold), clone, bare_env)
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args(argv)

    env = user_env()
    nox = [sys.executable, "-m", "nox", "--non-interactive", "-s", "runbook", "--"]
    with tempfile.TemporaryDirectory(prefix="bench-runbook-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        print(f"clone of {ROOT} at {clone}; {os.cpu_count()} cores")

        if not args.skip_cold:
            cold = timed([*nox, "--no-cache"], clone, env)
            print(f"cold runbook (builds every gate env)  {cold:6.2f}s")
        else:
            timed([*nox, "--no-cache"], clone, env)
        venv = prepare_bare_env(clone, env)

        warm: list[float] = []
        bare: list[float] = []
        for _ in range(args.repeat):  # interleaved, so drift hits both alike
            warm.append(timed([*nox, "--no-cache"], clone, env))
            bare.append(bare_sequential(clone, venv, env))
        print(f"warm runbook (--no-cache)           {best(warm)}")
        print(f"bare gate commands, sequential      {best(bare)}")
        print(f"  ratio warm/bare (target <= 1.0)   {min(warm) / min(bare):.2f}x")

        timed(nox, clone, env)  # fill the cache
        cached = [timed(nox, clone, env) for _ in range(args.repeat)]
        print(f"cached runbook (unchanged tree)     {best(cached)}")
        print(f"  ratio cached/warm (target <= 0.1) {min(cached) / min(warm):.3f}x")

        timed([*nox, "--mlflow"], clone, env)  # build the track env, create the store
        tracked = [timed([*nox, "--mlflow"], clone, env) for _ in range(args.repeat)]
        print(f"cached runbook + --mlflow           {best(tracked)}")
        print(f"  MLflow tracking costs             {min(tracked) - min(cached):+.2f}s per run")
        shutil.rmtree(clone / ".nox", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
