"""What the runner knows about each tool behind a gate, one module per tool.

A tool module says how to call its tool so that it also writes machine output (a file under
``.runbook/machine/<gate>/``), how to summarise its log in one line, and how to read findings
from that machine output. The gate table names the tool of each gate: a new gate with a new tool
is one module here and one row in ``runbook.gates.table``.

Stdlib-only: the noxfile imports this through the gate table, in the tools environment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast
from xml.etree.ElementTree import ParseError

from runbook.gates.reasons import Summarizer, last_line
from runbook.records.findings import Finding, normalise

# shutil, subprocess and tomllib are imported where they are used (clear_output, ProjectFiles,
# version): a process that only summarises a tool's log through this package (the test suite's
# stand-in gates, ~25 a run) imports 26 modules fewer, ~12 ms of CPU each (issue 21).

MACHINE_DIR = Path(".runbook") / "machine"
"""Each gate's tool writes its machine output into ``MACHINE_DIR / <gate>``."""

Reader = Callable[[Path, str], list[Finding]]
"""(the gate's machine-output directory, its redacted log) → findings, paths as the tool gave
them. Raises ``MachineOutputError`` (or OSError, ValueError, ParseError) on output it cannot
read."""
Renderer = Callable[[Path], str]
"""The gate's machine-output directory → the human text the tool would have printed."""


class MachineOutputError(Exception):
    """A tool's machine output is missing, truncated or not in the shape its reader expects."""


@dataclass(frozen=True)
class Tool:
    """One tool's knowledge, named by gate rows."""

    name: str
    """The tool's name as SARIF and annotations show it."""
    package: str = ""
    """The distribution whose pin in pyproject.toml's dependency groups is the tool's version."""
    summarize: Summarizer = last_line
    """The one-line count for the gate table ("3 errors", "2 failed, 41 passed")."""
    machine_args: tuple[str, ...] = ()
    """Appended to the gate's command; ``{out}`` is the machine-output directory."""
    stdout_file: str = ""
    """When set, the tool prints its machine output, which goes to this file in the directory;
    ``render`` then writes the human text to the log."""
    read: Reader | None = None
    render: Renderer | None = None
    information_uri: str = ""
    project_exit_codes: frozenset[int] = frozenset()
    """Exit codes the tool also gives when the project's own files stopped it (pytest's 2 for a
    collection error, ruff format's 2 for a file it cannot read or parse): a ``fail``, not an
    ``error``, when its findings hold such a problem (``project_error_codes``)."""
    project_error_codes: frozenset[str] = frozenset()
    """Codes of the findings that are such problems of the project's files."""

    def machine_argv(self, out_dir: Path) -> list[str]:
        return [arg.format(out=out_dir) for arg in self.machine_args]

    def human_text(self, out_dir: Path) -> str:
        """What the log shows when the machine output went to a file: the human rendering, or,
        when the output cannot be read, the end of what the tool printed, as it printed it."""
        if self.render is None or not self.stdout_file:
            return ""
        try:
            return self.render(out_dir)
        except (MachineOutputError, OSError, ValueError, KeyError, TypeError) as exc:
            raw = _tail(out_dir / self.stdout_file)
            if not raw.strip():  # a crash: its own words are on stderr, above in the log
                cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                return f"{RUNNER_PREFIX}{self.name} wrote no machine output ({cause})"
            said = f"cannot read {self.name}'s machine output ({exc}); it printed:"
            return f"{RUNNER_PREFIX}{said}\n{raw}"


RUNNER_PREFIX = "runbook: "
"""Lines the runner adds to a gate's log start with this; they are never the tool's words."""

_ERROR_LINE = re.compile(
    r"^(?:(?:error|fatal)(?:\[[^\]\n]*\])?:[ \t]*\S.*"  # error: …, error[E0001]: …
    r"|\S+ failed"  # ruff failed (its causes follow, indented)
    r"|\w+(?:\.\w+)*(?:Error|Exception): .+)$",  # a Python exception's last line
    re.MULTILINE | re.IGNORECASE,
)
_CAUSE = re.compile(r"^[ \t]+Cause: (.+)$", re.MULTILINE)
MAX_ERROR_LINE = 200


def first_error_line(log: str) -> str:
    """The tool's own first error line (``error: …``, ``ruff failed`` with its first
    ``Cause:``, ``ValueError: …``), or "": what a crashed tool's reason carries."""
    for match in _ERROR_LINE.finditer(log):
        line = match.group(0).strip()
        if line.startswith(("nox > ", RUNNER_PREFIX)):
            continue
        if line.lower().endswith(" failed"):
            cause = _CAUSE.search(log, match.end())
            if cause is not None and log.count("\n", match.end(), cause.start()) <= 1:
                line = f"{line}: {cause.group(1).strip()}"
        return line[:MAX_ERROR_LINE]
    return ""


def tool_last_line(log: str) -> str:
    """The last line the tool printed: nox's chatter and the runner's own lines skipped."""
    own = "\n".join(line for line in log.splitlines() if not line.startswith(RUNNER_PREFIX))
    return last_line(own)


GENERIC = Tool(name="generic")
"""A tool without machine output: its last line is the reason, it yields no findings."""


def output_dir(root: Path, gate_name: str) -> Path:
    return root / MACHINE_DIR / gate_name


def clear_output(out_dir: Path) -> None:
    """Remove a previous run's machine output, so a crash never shows stale findings."""
    if out_dir.is_dir():
        import shutil  # noqa: PLC0415 (see the note at the imports)

        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class GateFindings:
    findings: tuple[Finding, ...] = ()
    """Every finding, in the tool's order (the reports that people read cut them)."""
    total: int = 0
    warning: str = ""
    """Why there are no findings although the tool should have written some."""
    project_errors: int = 0
    """How many findings are problems of the project's files that stop the tool
    (``Tool.project_error_codes``): with such an exit code, the gate failed, not errored."""


def read_findings(
    tool: Tool, out_dir: Path, root: Path, log: str, env: Mapping[str, str] | None = None
) -> GateFindings:
    """The gate's findings, every one, redacted. Unreadable machine output is a warning and no
    findings; it never changes the gate's status, which comes from the exit code alone."""
    if tool.read is None:
        return GateFindings()
    try:
        found = tool.read(out_dir, log)
    except FileNotFoundError as exc:
        name = Path(exc.filename).name if exc.filename else "its output file"
        return GateFindings(warning=f"{tool.name} wrote no machine output ({name} is missing)")
    except (MachineOutputError, OSError, ValueError, KeyError, TypeError, ParseError) as exc:
        return GateFindings(warning=f"cannot read {tool.name}'s machine output: {exc}")
    items = normalise(found, root, env, ProjectFiles(root))
    stopping = sum(finding.code in tool.project_error_codes for finding in items)
    return GateFindings(findings=tuple(items), total=len(items), project_errors=stopping)


INSTALLED_DIRS = frozenset({"site-packages", "dist-packages"})
"""A path through one of these is an installed package's, whatever else holds it."""
GIT_TIMEOUT = 60.0


class ProjectFiles:
    """Which repository-relative paths are the project's own files.

    In a git work tree: the files git lists (tracked, or new and not ignored), so ``.nox/``,
    ``.venv/`` and build output, which the project ignores, are not the project's even though
    they sit under its root. Without git: the files under the root outside any virtualenv
    (a folder with ``pyvenv.cfg``). Never a path through ``site-packages``/``dist-packages``.
    git is asked once, and only when a finding has frames to choose from.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listed: frozenset[str] | None = None
        self._asked = False
        self._venvs: dict[Path, bool] = {}

    def __call__(self, path: str) -> bool:
        pure = PurePosixPath(path)
        if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
            return False
        if INSTALLED_DIRS.intersection(pure.parts):
            return False
        listed = self._git_files()
        if listed is not None:
            return path in listed
        return (self.root / path).is_file() and not self._in_virtualenv(pure.parent)

    def _git_files(self) -> frozenset[str] | None:
        if not self._asked:
            self._asked = True
            import subprocess  # noqa: PLC0415 (see the note at the imports)

            try:
                done = subprocess.run(
                    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                    cwd=self.root,
                    capture_output=True,
                    timeout=GIT_TIMEOUT,
                    check=True,
                )
            except (OSError, subprocess.SubprocessError):
                return None  # not a git work tree (or no git): the files on disk decide
            names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
            self._listed = frozenset(name for name in names if name)
        return self._listed

    def _in_virtualenv(self, folder: PurePosixPath) -> bool:
        if not folder.parts:
            return False
        here = self.root / folder
        if here not in self._venvs:
            self._venvs[here] = (here / "pyvenv.cfg").is_file() or self._in_virtualenv(
                folder.parent
            )
        return self._venvs[here]


def version(root: Path, tool: Tool) -> str:
    """The tool's version pinned in pyproject.toml's dependency groups, or "".

    ``ruff==0.17.6`` and ``pyright[nodejs]==1.1.414`` (extras), with any spacing, an environment
    marker after ``;`` and the name in any spelling PEP 503 treats as equal (``PyRight``).
    """
    if not tool.package:
        return ""
    import tomllib  # noqa: PLC0415 (see the note at the imports)

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    groups = cast(dict[str, list[Any]], data.get("dependency-groups", {}))
    wanted = _distribution(tool.package)
    for requirements in groups.values():
        for requirement in requirements:
            pin = _PIN.match(requirement) if isinstance(requirement, str) else None
            if pin and _distribution(pin.group("name")) == wanted:
                return pin.group("version")
    return ""


_PIN = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;,]+)\s*(?:;|$)"
)
"""An exact pin: name, optional extras, ``==``, version, optional marker."""


def _distribution(name: str) -> str:
    """A distribution name normalised as PEP 503 says (runs of ``-_.`` are one ``-``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def load_json(path: Path) -> Any:
    """JSON from a tool's output file; an empty or truncated file is a ``MachineOutputError``."""
    text = path.read_text("utf-8", errors="replace")
    if not text.strip():
        raise MachineOutputError(f"{path.name} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MachineOutputError(f"{path.name} is not valid JSON ({exc})") from exc


def expect(condition: bool, what: str) -> None:
    """Raise ``MachineOutputError`` unless the machine output has the expected shape."""
    if not condition:
        raise MachineOutputError(f"unexpected machine output: {what}")


def _tail(path: Path, limit: int = 4000) -> str:
    """The end of what the tool printed to ``path``; "" when it printed nothing or no file."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return ""
    return text[-limit:]
