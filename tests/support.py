"""Shared test helpers: fake gates (small Python programs) and git repo fingerprints."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from runbook.gates.reasons import Summarizer, last_line
from runbook.gates.table import Gate
from runbook.gates.tools import Tool
from runbook.records import handover
from runbook.records.handover import GateReport
from runbook.selection import childwatch

if TYPE_CHECKING:
    from coverage import Coverage

FAKE_GATE = """
import importlib, io, json, sys
from pathlib import Path

spec = json.loads(bytes.fromhex(sys.argv[1]))  # hex: no braces for Gate.argv's format
sys.path.insert(0, spec["src"])
from runbook.records import handover
from runbook.records.handover import Coverage, GateReport

printed = []


class Tee(io.TextIOBase):
    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        printed.append(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


sys.stdout, sys.stderr = Tee(sys.stdout), Tee(sys.stderr)
code = 0
try:
    exec(compile(spec["code"], "<fake gate>", "exec"), dict(__name__="__main__"))  # noqa: C408
except SystemExit as exc:
    if isinstance(exc.code, int) or exc.code is None:
        code = int(exc.code or 0)
    else:
        print(exc.code, file=sys.stderr)
        code = 1
sys.stdout.flush()
module, _, name = spec["summarize"].partition(":")
summary = getattr(importlib.import_module(module), name)("".join(printed))
cov = spec["coverage"]
handover.write(
    handover.path_in(Path.cwd() / ".runbook" / "machine" / spec["gate"]),
    GateReport(
        gate=spec["gate"],
        status=handover.status_for(code, frozenset(spec["failure_codes"])),
        exit_code=code,
        summary=summary,
        counts=handover.counts_of(summary),
        coverage=None if cov is None else Coverage(cov, 70.0, cov >= 70.0),
        selection=spec["selection"],
        notices=tuple(spec["notices"]),
    ),
)
sys.exit(code)
"""
"""The fake gate's program: runs ``spec["code"]`` as the tool and, like a real gate's process
(``runbook.gates.wrapper``), writes its ``result.json`` from the exit code and what it printed."""


def python_gate(
    name: str,
    code: str,
    *,
    required: bool = True,
    release_only: bool = False,
    summarize: Summarizer = last_line,
    tool: Tool | None = None,
    failure_codes: frozenset[int] = frozenset({1}),
    inputs: tuple[str, ...] = (".",),
    coverage: float | None = None,
    selection: str = "",
    notices: tuple[str, ...] = (),
) -> Gate:
    """A gate whose tool is ``code`` run by Python: any outcome a real tool has, on purpose.

    Like a real gate it hands over a ``result.json``: the code's exit code, the status it means,
    the ``summarize`` (or ``tool``'s) line of what it printed, and the ``coverage`` total,
    ``selection`` line and ``notices`` given here. A fake that dies before it ends writes none.
    """
    tool = tool or Tool(name=f"fake-{name}", summarize=summarize)
    spec = {
        "src": str(Path(__file__).resolve().parents[1] / "src"),
        "gate": name,
        "code": textwrap.dedent(code),
        "failure_codes": sorted(failure_codes),
        "summarize": f"{tool.summarize.__module__}:{tool.summarize.__qualname__}",
        "coverage": coverage,
        "selection": selection,
        "notices": list(notices),
    }
    return Gate(
        name=name,
        projector=f"Π_{name}",
        description=f"fake {name}",
        command=(sys.executable, "-c", FAKE_GATE, json.dumps(spec).encode().hex()),
        groups=(),
        required=required,
        release_only=release_only,
        tool=tool,
        failure_codes=failure_codes,
        inputs=inputs,
    )


class Ran(str):
    """What a run of the tests gate printed, with the ``result.json`` it handed the runner."""

    result: GateReport

    @classmethod
    def of(cls, root: Path, proc: subprocess.CompletedProcess[str]) -> Ran:
        return cls.read(root, proc.stdout + proc.stderr, proc.returncode)

    @classmethod
    def read(cls, root: Path, printed: str, code: int) -> Ran:
        ran = cls(printed)
        path = handover.path_in(root / ".runbook" / "machine" / "tests")
        ran.result = handover.read(path, "tests")
        assert ran.result.exit_code == code, ran
        return ran

    @property
    def total(self) -> float:
        """The coverage total the gate handed over (the merged data's, when selective)."""
        assert self.result.coverage is not None, self
        return self.result.coverage.total

    @property
    def notices(self) -> str:
        return "\n".join(self.result.notices)


def run_testgate_here(root: Path, argv: Sequence[str], env: Mapping[str, str]) -> tuple[int, Ran]:
    """The tests gate (``runbook.selection.testgate.main``) run in this process, in ``root``,
    with ``env`` as its whole environment: what ``python -m runbook.selection.testgate ARGV``
    does there, less the interpreter's start and the gate's imports (0.15 CPU-s a run), which
    this process has paid. Its exit code and what it printed (its pytest's output included),
    with its ``result.json``. The process, its entry point and its signals keep end-to-end
    runs of their own (tests/test_testgate.py: the baseline's, Ctrl-C's)."""
    from runbook.selection import testgate  # noqa: PLC0415 (only the tests gate's tests)

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    saved_out, saved_err = sys.stdout, sys.stderr
    captured = io.BytesIO()
    printed = io.TextIOWrapper(captured, encoding="utf-8", write_through=True)
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(root)
        sys.stdout = sys.stderr = printed
        code = testgate.main(list(argv))
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return code, Ran.read(root, captured.getvalue().decode("utf-8", "replace"), code)


@dataclass(frozen=True)
class Baseline:
    """A throwaway project after one full run of the gate, kept as a pristine copy.

    The stored selection data names the checkout's path, so a test gets the project back at the
    same path (``restore``), as the full run left it: every test starts from its own copy of
    the same baseline without paying for the full run again."""

    root: Path
    pristine: Path
    output: Ran
    """The full run's output (its coverage total is the one before any edit)."""

    def restore(self) -> Path:
        """The project as the full run left it, its bytecode included: the gate wrote src/'s
        as checked-hash pycs and pytest's of the test modules with a record of their sources'
        hashes (runbook.selection.bytecode), so an edit that keeps a file's size and time is
        never met by a stale pyc (tests/test_bytecode.py), and a test's first gate run does not
        rewrite the test modules again (importing pytest's rewriting: 0.1 CPU-s a run)."""
        if self.root.exists():
            shutil.rmtree(self.root)
        shutil.copytree(self.pristine, self.root, symlinks=True)
        return self.root


def direct(gate: Gate) -> list[str]:
    """Launch the gate's command itself instead of its nox session."""
    return list(gate.command)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


REPO_CONFIG = """\
[user]
\tname = T
\temail = t@example.org
[commit]
\tgpgsign = false
[maintenance]
\tauto = false
"""
"""What ``init_repo`` adds to a new repository's ``.git/config``: a local identity, no signing,
and no ``git maintenance run --auto`` child after every commit (a throwaway repository never
needs one)."""


def init_repo(root: Path) -> Path:
    """An empty git repository at ``root`` with a local identity, for tests that commit.

    The settings are appended to ``.git/config`` (git's own file format) rather than set by one
    ``git config`` process each: the suite makes ~80 repositories."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    with (root / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(REPO_CONFIG)
    return root


_INDEX_ENTRY = re.compile(r"[0-7]{6} [0-9a-f]{40,64} [0-3]\t")
"""The start of an index entry in ``git ls-files --stage`` (SHA-1 or SHA-256 objects)."""


def fingerprint(root: Path) -> dict[str, object]:
    """Every tracked and untracked-but-not-ignored file (bytes, mode, link target), the index
    entries, HEAD and the directories: what "the tree is as it was" means in these tests.

    One ``git ls-files`` lists both: with ``--stage``, an index entry is ``MODE OBJECT
    STAGE<TAB>PATH`` and an untracked file its bare path (issue 21: one git process, not two)."""
    listed = git(root, "ls-files", "-z", "--stage", "--cached", "--others", "--exclude-standard")
    index: list[str] = []
    paths: set[str] = set()
    for entry in listed.split("\0"):
        if _INDEX_ENTRY.match(entry):
            index.append(entry)
            paths.add(entry.split("\t", 1)[1])
        elif entry:
            paths.add(entry)
    files: dict[str, str] = {}
    for path in sorted(paths):
        full = root / path
        if full.is_symlink():
            files[path] = f"link:{full.readlink()}"
        elif full.exists():
            digest = hashlib.sha256(full.read_bytes()).hexdigest()
            files[path] = f"{oct(full.stat().st_mode)}:{digest}"
        else:
            files[path] = "missing"
    dirs = sorted(
        str(d.relative_to(root))
        for d in root.rglob("*")
        if d.is_dir() and not {".git", ".runbook"} & set(d.relative_to(root).parts)
    )
    return {
        "files": files,
        "index": "".join(f"{entry}\0" for entry in index),
        "head": git(root, "rev-parse", "HEAD"),
        "dirs": dirs,
    }


def alive(pid: int) -> bool:
    """A killed process whose parent is gone may linger as a zombie until reaped: not alive."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def interruptible(argv: Sequence[str], **kwargs: Any) -> Generator[subprocess.Popen[bytes]]:
    """A child that Ctrl-C (SIGINT) reaches, killed on the way out if a test left it running.

    A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    ignored: without resetting it, these tests would hang when the suite runs in the background.
    """
    proc = cast(
        "subprocess.Popen[bytes]",
        subprocess.Popen(list(argv), preexec_fn=_default_sigint, **kwargs),  # noqa: PLW1509
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


UNUSED_PLUGINS = ("-p", "no:anyio", "-p", "no:platformdirs")
"""What this project's ``addopts`` leaves out (pyproject.toml), for a pytest the tests start in a
folder without that configuration: the plugins of anyio and platformdirs, which no test here uses
and whose import costs every start (~0.19 CPU-s a start with both, ~0.03 with platformdirs'
alone; issue 21)."""

THROWAWAY_ADDOPTS = '["-p", "no:anyio", "-p", "no:platformdirs", "-p", "no:unraisableexception"]'
"""pytest's ``addopts`` in the throwaway projects whose tests gate the tests run (TOML): the
plugins those projects' tests never use. anyio's and platformdirs' go as in this project (their
import costs every start); pytest's unraisableexception plugin, kept in this project, reports an
exception raised where nothing can catch it (``__del__``, a callback at exit), which no test of
these projects raises, and ends every pytest process with five full garbage collections: about
0.04 s of CPU a process, 0.2 s a run on two pytest-xdist workers."""


RUNNER_FILES = ("src/runbook/**/*.py",)
"""The runner: what a child running ``runbook`` may run (it imports nothing of the library;
``@pytest.mark.child_reads(*RUNNER_FILES)``)."""


def followed(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus the tests gate's variables that let it follow a child
    (runbook.selection.childwatch):
    a test that gives its child a clean environment keeps that child followable."""
    keep = (childwatch.CHILD_ENV, childwatch.WATCH_ENV)
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **env}


SCHEMA_MAKERS = ("mlflow-skinny", "mlflow", "alembic", "sqlalchemy")
"""The distributions whose versions decide the schema MLflow makes: its migrations (alembic
scripts in MLflow, run by alembic on sqlalchemy)."""


def schema_folder() -> Path:
    """Where the MLflow schema template of this tests environment is kept: under the
    repository's ``.nox/`` (ignored, like the nox sessions' environments), one folder per set of
    ``SCHEMA_MAKERS`` versions, so another MLflow (or alembic, sqlalchemy) makes its own."""
    versions: list[str] = []
    for name in SCHEMA_MAKERS:
        try:
            versions.append(f"{name}-{importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    key = hashlib.sha256(f"{sys.version}\n{chr(10).join(versions)}".encode()).hexdigest()[:16]
    return Path(__file__).resolve().parents[1] / ".nox" / "mlflow-schema" / key


def mlflow_schema(target: Path) -> Path:
    """An MLflow SQLite store at ``target`` holding MLflow's schema and nothing else, as MLflow
    makes it on first use: made once per tests environment (``schema_folder``) and copied.
    Making the schema (MLflow's migrations) costs about two seconds of CPU each time (more
    under the tests gate's coverage), the same schema from the same versions each time.

    Making the template is MLflow making a store where none was, in the tests' environment,
    with the client the runbook's tracking uses: it is proven once per environment (the run
    that first asks for a store makes it, and fails that test if it fails; a template is kept
    only when whole).

    The first process to need the template makes it while holding a lock; the others (the
    pytest-xdist workers of a run, or two runs at once) wait on that lock and copy it."""
    folder = schema_folder()
    template = folder / "mlflow.db"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed, or when its holder dies
        if not template.exists():
            _make_schema(folder, template)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


def _make_schema(folder: Path, template: Path) -> None:
    """MLflow's schema in ``template``, made under another name and renamed: a holder of the
    lock that died midway leaves no half-made template behind."""
    from mlflow.tracking import MlflowClient  # noqa: PLC0415 (mlflow: only where used)

    making = folder / "making.db"
    making.unlink(missing_ok=True)
    cwd = Path.cwd()
    os.chdir(folder)  # the default experiment's artifact folder: beside the template
    try:
        client: Any = MlflowClient(f"sqlite:///{making}")  # MLflow's own types have gaps
        client.search_experiments()
    finally:
        os.chdir(cwd)
    making.replace(template)


def report_texts(cov: Coverage, directory: Path, kinds: Sequence[str]) -> list[str]:
    """The tests gate's reports of ``cov`` (``verdict.write_reports``), one text per kind, what
    it prints and what it writes under ``directory`` together, timestamps left out: two
    verdicts compared text for text."""
    # Imported here: it imports coverage (~45 ms of CPU), which the processes that import this
    # module only to run fake gates (a runbook in a child process) never use.
    from runbook.selection import verdict  # noqa: PLC0415

    cov.load()
    texts: list[str] = []
    for kind in kinds:
        out, target = io.StringIO(), directory / f"{kind}.out"
        verdict.write_reports(cov, [f"{kind}:{target}"], out)
        text = out.getvalue() + (target.read_text() if target.exists() else "")
        target.unlink(missing_ok=True)
        texts.append(re.sub(r"timestamp(\": |=)\"[^\"]*\"", "", text))
    return texts
