"""The GitHub Actions workflows: valid, audited clean, and wired the way the runbook expects.

Everything here runs offline: check-jsonschema validates against its vendored GitHub workflow
schema and zizmor audits with ``--offline``. Both come with the ``workflows`` dependency group
(part of ``tests``), so a missing executable is a broken environment and fails.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from runbook.gates.table import GATES
from support import RUNNER_FILES

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
GATES_WORKFLOW = WORKFLOWS / "gates.yml"
RELEASE_WORKFLOW = WORKFLOWS / "release.yml"

# `uses: owner/repo@<40-hex commit> # vX.Y.Z`, the only form an action may be referenced in.
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s")
TOOL_TIMEOUT = 300  # a deadline for a loaded machine, not an expected time

Mapping = dict[str, Any]


def tool(name: str) -> str:
    """The executable ``name`` from this interpreter's environment, or from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed (looked next to {sys.executable} and on PATH); "
            "install the `workflows` dependency group from pyproject.toml",
            pytrace=False,
        )
    return found


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False, cwd=ROOT
    )


@functools.cache
def load(path: Path) -> Mapping:
    text = path.read_text(encoding="utf-8")
    # ruamel.yaml types `load`'s argument under `if False:`, which pyright reads as unknown.
    workflow: Mapping = YAML(typ="safe", pure=True).load(text)  # pyright: ignore[reportUnknownMemberType]
    return workflow


def steps_using(job: Mapping, action: str) -> list[Mapping]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(f"{action}@")]


def step_running(job: Mapping, command: str) -> Mapping:
    matches = [step for step in job["steps"] if command in step.get("run", "")]
    assert len(matches) == 1, f"expected one step running {command!r}, found {len(matches)}"
    return matches[0]


def all_steps(workflow: Mapping) -> list[Mapping]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_the_gates_and_release_workflows_exist() -> None:
    assert GATES_WORKFLOW in WORKFLOW_FILES
    assert RELEASE_WORKFLOW in WORKFLOW_FILES


def schema_errors(schema: Sequence[str], paths: Sequence[Path]) -> dict[Path, list[str]]:
    """check-jsonschema (``schema``: its schema options) on all ``paths`` in one process (each
    start costs about a third of a CPU-second): each path's errors, none when it validated.
    Fails the test when a path was not reported on, or the tool's verdict disagrees."""
    result = run_tool(tool("check-jsonschema"), "-v", "-o", "json", *schema, *map(str, paths))
    try:
        verdict: Mapping = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"check-jsonschema gave no JSON verdict:\n{result.stdout}{result.stderr}")
    errors: dict[Path, list[str]] = {path: [] for path in paths}
    for error in [*verdict["errors"], *verdict.get("parse_errors", [])]:
        errors[Path(error["filename"])].append(f"{error.get('path', '')}: {error['message']}")
    # -v lists the files that validated ("successes", or "checked_paths" when all did)
    passed = {Path(name) for name in verdict.get("successes", verdict.get("checked_paths", []))}
    assert passed | {path for path, found in errors.items() if found} == set(paths), verdict
    assert (result.returncode == 0) == (verdict["status"] == "ok") == (passed == set(paths))
    return errors


@pytest.fixture(scope="module")
def workflow_schema_errors() -> dict[Path, list[str]]:
    return schema_errors(["--builtin-schema", "vendor.github-workflows"], WORKFLOW_FILES)


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_workflow_matches_the_github_workflow_schema(
    path: Path, workflow_schema_errors: dict[Path, list[str]]
) -> None:
    assert workflow_schema_errors[path] == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
@pytest.mark.child_reads(".github/workflows/*.yml")  # zizmor, a native program, reads them
def test_zizmor_finds_nothing(path: Path) -> None:
    result = run_tool(tool("zizmor"), "--offline", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if USES_LINE.match(line)]
    assert uses, f"{path.name} uses no action"
    unpinned = [line.strip() for line in uses if not PINNED_USES.match(line)]
    assert not unpinned, "not pinned as `owner/repo@<40-hex sha> # vX.Y.Z`:\n" + "\n".join(unpinned)


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_least_privilege_and_bounded_runs(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "top-level permissions must be `{}`"
    assert "group" in workflow["concurrency"]
    for name, job in workflow["jobs"].items():
        if steps_using(job, "github/codeql-action/upload-sarif"):
            # Uploading to code scanning needs this one write permission, on this job alone.
            assert job["permissions"] == {"contents": "read", "security-events": "write"}, name
        else:
            assert job["permissions"] == {"contents": "read"}, name
        assert isinstance(job["timeout-minutes"], int), name
        for checkout in steps_using(job, "actions/checkout"):
            assert checkout["with"]["persist-credentials"] is False, name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_no_expression_is_expanded_inside_a_shell_script(path: Path) -> None:
    # Values reach scripts through `env:`; `${{ }}` in `run:` is a template injection.
    scripts = [step["run"] for step in all_steps(load(path)) if "run" in step]
    assert not [script for script in scripts if "${{" in script]


def test_gate_matrix_comes_from_the_list_job() -> None:
    jobs = load(GATES_WORKFLOW)["jobs"]
    listing = step_running(jobs["list"], "nox --list --json -t gate")
    assert listing["id"] == "list"
    assert jobs["list"]["outputs"]["gates"] == "${{ steps.list.outputs.gates }}"
    assert "$GITHUB_OUTPUT" in listing["run"]
    gate = jobs["gate"]
    assert gate["needs"] == "list"
    assert gate["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.list.outputs.gates) }}"
    assert gate["strategy"]["fail-fast"] is False, "one failing gate must not cancel the others"


# bash cannot be followed; the nox it starts can (a console script of this environment).
@pytest.mark.child_reads("noxfile.py", *RUNNER_FILES)
def test_the_list_job_lists_the_gate_table(tmp_path: Path) -> None:
    """The list step's own script, run as GitHub runs it (bash -eo pipefail), with this
    environment's nox and python: its output is the gate table's CI gates, in table order, the
    tests gate as ``[tool.runbook] shards`` jobs."""
    listing = step_running(load(GATES_WORKFLOW)["jobs"]["list"], "nox --list --json -t gate")
    output = tmp_path / "github_output"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", listing["run"]],
        cwd=ROOT,
        env={**os.environ, "PATH": path, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    key, _, value = output.read_text().strip().partition("=")
    assert key == "gates"
    jobs = json.loads(value)
    count = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["runbook"]["shards"]
    assert count >= 2
    names = [gate.name for gate in GATES if not gate.release_only]
    assert [job["gate"] for job in jobs if job["gate"] != "tests"] == [
        name for name in names if name != "tests"
    ]
    assert [job for job in jobs if job["gate"] == "tests"] == [
        {"gate": "tests", "shard": f"{k}/{count}", "name": f"tests-shard-{k}-of-{count}"}
        for k in range(1, count + 1)
    ]


def test_each_gate_runs_with_a_report_and_always_uploads_it() -> None:
    gate = load(GATES_WORKFLOW)["jobs"]["gate"]
    run = step_running(gate, 'nox -s "$GATE"')
    assert run["env"] == {
        "GATE": "${{ matrix.gate }}",
        "SHARD": "${{ matrix.shard }}",
        "NAME": "${{ matrix.name }}",
    }
    # The raw log stays outside the uploaded directory; only its redacted copy is printed and
    # uploaded (runbook.reports.ci_gate), with the gate's findings; a tests shard runs its part
    # and keeps its files (coverage data included) under its own name.
    assert 'if [ -n "$SHARD" ]; then shard=(--shard "$SHARD"); fi' in run["run"]
    assert (
        '--report ".runbook/ci/$NAME.json" -- "${shard[@]}" > .runbook/raw.log 2>&1' in run["run"]
    )
    assert "cat " not in run["run"]
    assert (
        'PYTHONPATH=src python -m runbook.reports.ci_gate "$GATE" .runbook/raw.log .runbook/ci '
        '"${shard[@]}"' in run["run"]
    )
    assert 'exit "$status"' in run["run"], "the step must fail when the gate failed"
    (upload,) = steps_using(gate, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "gate-${{ matrix.name }}"
    assert upload["with"]["path"] == ".runbook/ci/"
    assert upload["with"]["include-hidden-files"] is True


def test_gates_reuse_the_uv_cache_with_the_pinned_uv() -> None:
    gate = load(GATES_WORKFLOW)["jobs"]["gate"]
    (setup_uv,) = steps_using(gate, "astral-sh/setup-uv")
    assert setup_uv["with"]["enable-cache"] is True
    tools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "dependency-groups"
    ]["tools"]
    assert f"uv=={setup_uv['with']['version']}" in tools


def test_collect_job_writes_one_gate_table_even_when_gates_fail() -> None:
    collect = load(GATES_WORKFLOW)["jobs"]["collect"]
    assert collect["needs"] == "gate"
    assert collect["if"] == "always()"
    (download,) = steps_using(collect, "actions/download-artifact")
    assert download["with"] == {"pattern": "gate-*", "merge-multiple": True, "path": ".runbook/ci"}
    step_running(
        collect, 'PYTHONPATH=src python -m runbook collect .runbook/ci >> "$GITHUB_STEP_SUMMARY"'
    )
    # coverage.py combines the tests shards' data there (runbook.reports.ci_shards).
    step_running(collect, "python -m pip install --group coverage")


def test_release_runs_on_version_tags_without_caches() -> None:
    workflow = load(RELEASE_WORKFLOW)
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    (job,) = workflow["jobs"].values()
    assert step_running(job, "nox -s release")["run"] == "nox -s release"
    summary = step_running(job, ".runbook/report.md")
    assert summary["if"] == "always()"
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert not steps_using(job, "astral-sh/setup-uv")
    assert not steps_using(job, "actions/cache")
    assert not [step for step in job["steps"] if "cache" in step.get("with", {})]


def test_findings_go_to_code_scanning_from_a_job_that_runs_no_project_code() -> None:
    jobs = load(GATES_WORKFLOW)["jobs"]
    keep, every = steps_using(jobs["collect"], "actions/upload-artifact")
    assert keep["if"] == "always()", "the SARIF is kept even when a gate failed"
    assert keep["with"]["name"] == "findings-sarif"
    assert keep["with"]["path"] == ".runbook/findings.sarif"
    # Every finding, for `runbook findings` on the downloaded artifact (issue 20 item 6).
    assert every["if"] == "always()"
    assert every["with"]["name"] == "findings"
    assert every["with"]["path"].split() == [".runbook/report.json", ".runbook/findings.jsonl"]
    writers = [name for name, job in jobs.items() if "security-events" in job["permissions"]]
    assert writers == ["code-scanning"]
    upload_job = jobs["code-scanning"]
    assert upload_job["needs"] == "collect"
    assert upload_job["if"].startswith("always()")
    assert not [step for step in upload_job["steps"] if "run" in step]
    (download,) = steps_using(upload_job, "actions/download-artifact")
    assert download["with"] == {"name": "findings-sarif", "path": ".runbook"}
    (upload,) = steps_using(upload_job, "github/codeql-action/upload-sarif")
    # No `category`: it would give every gate's run the same one, which code scanning refuses.
    assert upload["with"] == {"sarif_file": ".runbook/findings.sarif"}
