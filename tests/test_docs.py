"""The manual, the README and the Makefile say what the code does."""

from __future__ import annotations

import argparse
import ast
import functools
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import cast

import pytest

from runbook import cli
from runbook.gates.settings import load
from runbook.gates.table import GATES, Gate

ROOT = Path(__file__).resolve().parents[1]


def manual() -> str:
    """The manual, read by each test that checks it, never at import: a change to it then reruns
    the tests that read it, where a read while pytest collects runs the whole suite."""
    return (ROOT / "docs" / "ops" / "RUNBOOK.md").read_text("utf-8")


def gate_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in manual().splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in line.strip("|").split("|")]
    return rows


@pytest.mark.parametrize("gate", GATES, ids=lambda gate: gate.name)
def test_runbook_gate_table_matches_the_code(gate: Gate) -> None:
    rows = gate_rows()
    assert gate.name in rows, f"gate {gate.name} missing from docs/ops/RUNBOOK.md section 3"
    _, projector, command, group, required = rows[gate.name]
    assert projector == gate.projector
    threshold = load(ROOT, env={}).cov_fail_under
    assert command.split("`")[1] == " ".join(gate.argv(threshold))
    assert group == f"`{' '.join(gate.groups)}`"
    expected = "release" if gate.release_only else ("yes" if gate.required else "optional")
    assert required == expected


def test_no_gate_in_the_manual_that_the_code_lacks() -> None:
    assert set(gate_rows()) == {gate.name for gate in GATES}


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make runbook", "make test"]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.child_reads("Makefile")  # make's help recipe greps the Makefile
def test_make_help_lists_every_target_with_its_purpose() -> None:
    out = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True
    ).stdout
    described = dict(line.split(None, 1) for line in out.splitlines()[1:] if line.strip())
    wanted = {"help", "runbook", "release", "lint", "format", "test", "types"}
    wanted |= {"tokenizer-smoke", "fix", "clean"}
    assert wanted <= set(described)
    for target in set(described) - {"help"}:
        assert f"make {target}" in manual(), f"make {target} is not in the manual"


@pytest.mark.parametrize("gate", [g for g in GATES if not g.release_only], ids=lambda g: g.name)
def test_every_gate_has_a_make_target(gate: Gate) -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert f"$(NOX) -s {gate.name} -- $(ARGS)" in makefile


# The manual's commands, targets and paths against the code. Each check reads the code's own
# list (the Makefile's help lines, nox's session registry, the runner's argument parser, the
# tree) and every code span of the manual and the README, so a renamed target, session, flag or
# file fails here instead of misleading a reader.


def docs() -> dict[str, str]:
    """The manual and the README (read by each test, as ``manual``)."""
    return {"docs/ops/RUNBOOK.md": manual(), "README.md": (ROOT / "README.md").read_text("utf-8")}


SRC_PACKAGES = ("runbook", "codex_ml", "ingestion")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`([^`]+)`")


def code_spans(markdown: str) -> list[str]:
    """Each fenced block's lines and each inline code span (whitespace collapsed: a span may
    wrap onto the next line)."""
    spans = [line for block in _FENCE.findall(markdown) for line in block.splitlines()]
    prose = _FENCE.sub("", markdown)
    spans += [" ".join(span.split()) for span in _INLINE.findall(prose)]
    return spans


def inline_spans(markdown: str) -> list[str]:
    return [" ".join(span.split()) for span in _INLINE.findall(_FENCE.sub("", markdown))]


def all_spans() -> list[tuple[str, str]]:
    return [(doc, span) for doc, text in docs().items() for span in code_spans(text)]


def make_targets() -> set[str]:
    """The targets ``make help`` lists (its recipe greps these lines of the Makefile)."""
    makefile = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"^\.PHONY: ([a-z-]+) ## ", makefile, re.MULTILINE))


@functools.cache
def nox_sessions() -> frozenset[str]:
    """The sessions nox registers when it loads the real noxfile (as ``nox --list`` does)."""
    import nox.registry  # noqa: PLC0415 (nox is in the tests group, not the library's deps)

    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    assert spec is not None
    assert spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    return frozenset(nox.registry.get())


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The runner's subcommands (``python -m runbook run|list|...``) and their parsers."""
    parser = cli._parser()  # pyright: ignore[reportPrivateUsage]
    choices: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # the subcommands' action holds their parsers by name
        found = cast(object, action.choices)
        if isinstance(found, dict):
            choices.update(cast(dict[str, argparse.ArgumentParser], found))
    return choices


def runner_options() -> dict[str, set[str]]:
    """Per ``python -m runbook`` subcommand, the options its parser accepts."""
    return {
        name: {opt for action in sub._actions for opt in action.option_strings}
        for name, sub in subcommands().items()
    }


def test_every_make_target_in_the_docs_exists() -> None:
    targets = make_targets()
    named = {
        (doc, target)
        for doc, span in all_spans()
        for target in re.findall(r"(?:^|[\s(=])make ([a-z][\w-]*)", span)
    }
    assert named, "no make target found in the docs: the span reader is broken"
    unknown = sorted(f"{doc}: make {target}" for doc, target in named if target not in targets)
    assert not unknown, f"not in `make help`: {unknown}"


def test_every_nox_session_in_the_docs_exists() -> None:
    sessions = nox_sessions()
    assert {gate.name for gate in GATES} <= sessions  # the registry really was read
    named = {
        (doc, session)
        for doc, span in all_spans()
        for session in re.findall(r"\bnox -s ([\w-]+)", span)
    }
    unknown = sorted(f"{doc}: nox -s {name}" for doc, name in named if name not in sessions)
    assert not unknown, f"no such nox session: {unknown}"


# Where the docs pass options to the runner, and the subcommand that receives them.
_RUNNER_CALLS = (
    (re.compile(r"python -m runbook (\w+)(.*)"), None),
    (re.compile(r"nox -s (?:runbook|release) -- (.*)"), "run"),
    (re.compile(r"make (?:runbook|release) ARGS=[\"']?([^\"']*)"), "run"),
    (re.compile(r"nox -s findings -- (.*)"), "findings"),
    (re.compile(r"make findings ARGS=[\"']?([^\"']*)"), "findings"),
)


def runner_calls(span: str) -> list[tuple[str, str]]:
    """(subcommand, arguments) for each call of the runner's command line in a code span."""
    calls: list[tuple[str, str]] = []
    for pattern, command in _RUNNER_CALLS:
        for match in pattern.finditer(span):
            if command is None:
                calls.append((match.group(1), match.group(2)))
            else:
                calls.append((command, match.group(1)))
    return calls


def test_every_runner_subcommand_and_option_in_the_docs_exists() -> None:
    options = runner_options()
    wrong: list[str] = []
    seen = 0
    for doc, span in all_spans():
        for command, arguments in runner_calls(span):
            seen += 1
            if command not in options:
                wrong.append(f"{doc}: `{span}`: no subcommand {command!r}")
                continue
            for flag in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", arguments.split("#")[0]):
                if flag not in options[command]:
                    wrong.append(f"{doc}: `{span}`: {command} has no option {flag}")
    assert seen >= 5, "too few runner calls found: the patterns no longer match the docs"
    assert not wrong, "\n".join(wrong)


def public_options(command: str) -> set[str]:
    """The long options of a runner subcommand that its help shows (not ``--help``)."""
    return {
        opt
        for action in subcommands()[command]._actions
        if action.help != argparse.SUPPRESS and action.dest != "help"
        for opt in action.option_strings
        if opt.startswith("--")
    }


def test_the_manual_lists_exactly_the_runbook_options() -> None:
    listed = manual().split("Options (after `--`):", 1)[1].split("\n\n", 1)[0]
    flags = set(re.findall(r"`(--[\w-]+)", listed))
    assert flags == public_options("run") - {"--mode"}  # the nox session (runbook, release) sets it


def test_every_nox_session_and_runner_subcommand_is_in_the_manual() -> None:
    spans = " ".join(span for _, span in all_spans())
    undocumented = [name for name in sorted(nox_sessions()) if f"nox -s {name}" not in spans]
    assert not undocumented, f"nox sessions the manual does not name: {undocumented}"
    commands = set(runner_options()) - {"run"}  # run is what nox -s runbook/release call
    missing = [name for name in sorted(commands) if f"python -m runbook {name}" not in spans]
    assert not missing, f"runner subcommands the manual does not name: {missing}"
    for flag in public_options("findings"):
        assert flag in spans, f"findings {flag} is not in the manual"


def gitignored_names() -> set[str]:
    """Top-level names .gitignore leaves out (generated: the docs name them, git does not
    hold them)."""
    lines = (ROOT / ".gitignore").read_text("utf-8").splitlines()
    return {line.strip().strip("/") for line in lines if line.strip() and "*" not in line}


def repo_path_candidates(span: str) -> bool:
    """A span that names a file or folder of the repository: one word, no placeholder, not
    generated, and either under a top-level entry or a relative path to a file (``a/b.py``) or
    folder (``a/b/``). ``owner/action`` names (GitHub actions) are not paths."""
    if not re.fullmatch(r"[\w.][\w.*/-]*", span) or span.startswith(".."):
        return False
    first = span.split("/", 1)[0]
    if first in gitignored_names() or first == ".":
        return False
    if (ROOT / first).exists():
        return True
    return "/" in span and re.search(r"\.\w+$|/$", span) is not None


def test_every_repository_path_in_the_docs_exists() -> None:
    checked: list[str] = []
    missing: list[str] = []
    for doc, text in docs().items():
        spans = inline_spans(text) + re.findall(r"\]\(([^)#:]+)\)", text)  # and link targets
        for span in filter(repo_path_candidates, spans):
            checked.append(span)
            if not any(ROOT.glob(span.rstrip("/"))):
                missing.append(f"{doc}: `{span}`")
    assert len(checked) >= 20, "too few paths found: the path reader is broken"
    assert not missing, f"no such file or folder: {missing}"


def top_level_names(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source.read_bytes()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def module_exists(dotted: str) -> bool:
    """``dotted`` is a module under ``src/``, or a module and one name it defines."""
    parts = dotted.split(".")
    for cut in (len(parts), len(parts) - 1):
        base = ROOT / "src" / Path(*parts[:cut])
        source = base.with_suffix(".py")
        if not source.is_file():
            source = base / "__init__.py"
        if source.is_file():
            return cut == len(parts) or parts[-1] in top_level_names(source)
    return False


NOT_MODULES = {"runbook.seconds"}
"""Names in the manual that look like modules but are not (an MLflow metric, section 11.4)."""


def test_every_project_module_in_the_docs_exists() -> None:
    named = {
        (doc, dotted)
        for doc, span in all_spans()
        for dotted in re.findall(rf"(?<![\w./])((?:{'|'.join(SRC_PACKAGES)})(?:\.\w+)+)", span)
    }
    named |= {
        (doc, module)
        for doc, span in all_spans()
        for module in re.findall(rf"python -m ((?:{'|'.join(SRC_PACKAGES)})[\w.]*)", span)
    }
    assert len(named) >= 10
    missing = sorted(
        f"{doc}: {dotted}"
        for doc, dotted in named
        if dotted not in NOT_MODULES and not module_exists(dotted)
    )
    assert not missing, f"no such module: {missing}"


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("make runbook ARGS=--full", [("run", "--full")]),
        ('make findings ARGS="--gate tests"', [("findings", "--gate tests")]),
        ("nox -s runbook -- --gates lint tests", [("run", "--gates lint tests")]),
        ("python -m runbook findings [--json]", [("findings", " [--json]")]),
        ("nox -s tests -- -k tokenizer", []),  # a gate's arguments reach its tool
    ],
)
def test_runner_calls_are_read_from_spans(span: str, expected: list[tuple[str, str]]) -> None:
    assert runner_calls(span) == expected


def test_the_checks_catch_what_they_guard() -> None:
    """Each check fails on a wrong name: a span reader that finds nothing cannot pass."""
    assert "make runbok" not in make_targets()
    assert "tokenizer-smoke" in make_targets()
    assert "tokenizer_smoke" in nox_sessions()
    assert "nonexistent" not in nox_sessions()
    assert "--full" in runner_options()["run"]
    assert "--full" not in runner_options()["findings"]
    assert repo_path_candidates("src/runbook/cli.py")
    assert repo_path_candidates("src/runbok/cli.py")  # checked, and would be missing
    assert repo_path_candidates("tset/test_x.py")
    assert not repo_path_candidates("github/codeql-action/upload-sarif")
    assert not repo_path_candidates(".runbook/report.json")  # generated
    assert not repo_path_candidates("../shared/data/char-dataset")  # outside the repository
    assert not repo_path_candidates(".runbook/logs/<gate>.log")
    assert module_exists("runbook.selection.testgate")
    assert module_exists("runbook.selection.files.MACHINERY")
    assert not module_exists("runbook.selection.testgat")
    assert not module_exists("runbook.selection.impact.NOTHING_SUCH")
    spans = code_spans("Run `make\n  test` or\n\n```bash\nnox -s lint\n```\n")
    assert spans == ["nox -s lint", "make test"]


def test_every_benchmark_named_exists_and_the_readme_lists_them_all() -> None:
    """``nox -s bench -- NAME`` runs ``benchmarks/bench_NAME.py`` (the noxfile's BENCHMARKS)."""
    names = {path.stem.removeprefix("bench_") for path in (ROOT / "benchmarks").glob("bench_*.py")}
    named = {
        (doc, name)
        for doc, span in all_spans()
        for name in re.findall(r"\bnox -s bench -- (\w+)", span)
    }
    assert named
    unknown = sorted(f"{doc}: nox -s bench -- {name}" for doc, name in named if name not in names)
    assert not unknown, f"no such benchmark: {unknown}"
    listing = docs()["README.md"].split("- Benchmarks:", 1)[1].split("\n- ", 1)[0]
    listed = re.search(r"one \(([^)]*)\)", listing)  # "... one (`findings`, `ingestion`, ...)"
    assert listed is not None
    assert set(re.findall(r"`(\w+)`", listed.group(1))) == names


def test_every_section_the_manual_refers_to_exists() -> None:
    """Features add paragraphs and sections move: "section 9.3" must still be a heading."""
    headings = set(re.findall(r"^##+ (\d+(?:\.\d+)?)\)? ", manual(), re.MULTILINE))
    assert {"1", "9", "9.3", "14"} <= headings
    refs = set(re.findall(r"\bsections? (\d+(?:\.\d+)?)\b", manual()))
    assert refs, "no section reference found: the reader is broken"
    assert refs <= headings, f"no such section: {sorted(refs - headings)}"
