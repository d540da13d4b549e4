"""The types gate end to end, with real pyright on a throwaway project: a selective run
reports exactly what a full run reports (runbook.typeselect.typegate).

pyright comes with the tests environment (the tests dependency group); without it these tests
fail, never skip. Each pyright run on the tiny project costs about a second of CPU: five in all.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.gates.settings import SELECT_ENV
from runbook.records.result import Status
from runbook.typeselect import baseline, typegate
from runbook.typeselect.typegate import Facts

PYPROJECT = """[tool.pyright]
include = ["pkg"]
typeCheckingMode = "strict"
"""
PROJECT = {
    "pkg/__init__.py": "",
    "pkg/a.py": "LIMIT = 3\n",  # an inferred type: int
    "pkg/b.py": "from pkg.a import LIMIT\n\n\ndef limit() -> int:\n    return LIMIT\n",
    "pkg/c.py": "from pkg.b import limit\n\nTWICE: int = limit() * 2\n",  # imports a through b
    "pkg/d.py": "def other() -> str:\n    return 'd'\n",  # unrelated
}
Diagnostic = tuple[str, str, str, str, int, int]


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The throwaway project, with the tests environment's pyright first on PATH."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "pyright").is_file(), (
        f"pyright is not installed in the tests environment ({bin_dir}): it comes with the "
        "tests dependency group (pyproject.toml), which `nox -s tests` installs"
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("PYRIGHT_PYTHON_IGNORE_WARNINGS", "1")
    monkeypatch.setenv(SELECT_ENV, "select")
    # This checkout's src/ on PYTHONPATH would be a search path outside the throwaway project,
    # which the selection does not follow (runbook.typeselect.environment).
    monkeypatch.delenv("PYTHONPATH", raising=False)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, "utf-8")
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def normalised(data: dict[str, Any], root: Path) -> set[Diagnostic]:
    found: set[Diagnostic] = set()
    for item in cast(list[dict[str, Any]], data["generalDiagnostics"]):
        start = cast(dict[str, int], item["range"]["start"])
        where = Path(str(item["file"])).relative_to(root).as_posix()
        rule = str(item.get("rule", ""))
        message = str(item["message"])
        found.add((where, str(item["severity"]), rule, message, start["line"], start["character"]))
    return found


def gate(root: Path) -> tuple[Status, str, tuple[str, ...], set[Diagnostic]]:
    """The types gate's status, selection line, notices and diagnostics on ``root``."""
    facts = Facts(io.StringIO(), io.BytesIO())
    report = typegate.gate_run(root, ["--outputjson"], facts)
    output = root / ".runbook/machine/types/pyright.json"
    data = cast(dict[str, Any], json.loads(output.read_text("utf-8")))
    return report.status, report.selection, report.notices, normalised(data, root)


def full_pyright(root: Path) -> set[Diagnostic]:
    """A plain full pyright run, as ``nox -s types`` before selection."""
    program = shutil.which("pyright")
    assert program is not None
    done = subprocess.run(
        [program, "--outputjson"], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode in {0, 1}, done.stderr
    return normalised(json.loads(done.stdout), root)


def recorded_digest(root: Path, name: str) -> str:
    return baseline.load(root).files[name]


@pytest.mark.child_reads("src/runbook/typeselect/*.py", "src/runbook/gates/tools/pyright.py")
def test_a_selective_run_reports_exactly_what_a_full_run_reports(tiny: Path) -> None:
    # No baseline: every file is checked, and the clean run records one.
    status, selection, notices, found = gate(tiny)
    assert (status, selection, found) == (Status.PASS, "", set())
    assert notices == (
        "types: every file checked: no baseline yet (it comes from a clean full run)",
    )
    original = recorded_digest(tiny, "pkg/a.py")

    # An edit in a changes its inferred type: b, which imports a and is not edited, fails.
    (tiny / "pkg/a.py").write_text('LIMIT = "3"\n', "utf-8")
    status, selection, notices, found = gate(tiny)
    assert (status, selection, notices) == (Status.FAIL, "3 of 5 files checked", ())
    assert found == full_pyright(tiny)
    assert {(path, rule) for path, _, rule, *_ in found} == {("pkg/b.py", "reportReturnType")}
    assert recorded_digest(tiny, "pkg/a.py") == original  # a failing run keeps the baseline

    # A clean edit of a: checked with its importers, passes, and moves the baseline forward.
    (tiny / "pkg/a.py").write_text("LIMIT = 4\n", "utf-8")
    status, selection, notices, found = gate(tiny)
    assert (status, selection, notices, found) == (Status.PASS, "3 of 5 files checked", (), set())
    assert full_pyright(tiny) == set()
    assert recorded_digest(tiny, "pkg/a.py") != original

    # Nothing changed since: pyright is not started.
    status, selection, _, found = gate(tiny)
    assert (status, selection, found) == (Status.PASS, "0 of 5 files checked", set())


# --- what a real pyright rarely does, with a stand-in: every case is a full run or no record ---

FAKE_PYRIGHT = """#!{python}
import json, os, sys
from pathlib import Path

files = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
with Path(os.environ["FAKE_PYRIGHT_LOG"]).open("a", encoding="utf-8") as log:
    log.write(json.dumps(files) + "\\n")
touch = os.environ.get("FAKE_PYRIGHT_TOUCH")
if touch:
    Path(touch).write_text("X = 1\\n", encoding="utf-8")
analyzed = int(os.environ.get("FAKE_PYRIGHT_COUNT") or len(files) or {total})
errors = int(os.environ.get("FAKE_PYRIGHT_ERRORS") or 0)
counts = {{"errorCount": errors, "warningCount": 0, "informationCount": 0}}
print(json.dumps({{"generalDiagnostics": [], "summary": {{**counts, "filesAnalyzed": analyzed}}}}))
sys.exit(1 if errors else 0)
"""


@pytest.fixture
def fake(
    tiny: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The throwaway project with a stand-in pyright first on PATH; its calls' file lists go to
    ``calls.jsonl`` beside it. Returns the project."""
    bin_dir = tmp_path_factory.mktemp("fake-bin")
    program = bin_dir / "pyright"
    program.write_text(FAKE_PYRIGHT.format(python=sys.executable, total=len(PROJECT)), "utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PYRIGHT_LOG", str(bin_dir / "calls.jsonl"))
    return tiny


STAND_IN = pytest.mark.child_reads()
"""The stand-in pyright's tests: it runs and reads no project file (the script above, stdlib
only), but lives outside the tests environment, so the tests gate cannot follow it and, without
this declaration, ran these tests after every edit of any file (issue 21: patch to verdict).
They run again when what they executed or read changes (the types gate's modules)."""


def calls(root: Path) -> list[list[str]]:
    program = shutil.which("pyright")
    assert program is not None
    log = Path(program).parent / "calls.jsonl"
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


@STAND_IN
def test_pyright_checking_other_files_than_given_makes_every_file_checked(
    fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate(fake)  # the baseline
    kept = (fake / baseline.BASELINE).read_bytes()
    (fake / "pkg/a.py").write_text("LIMIT = 4\n", "utf-8")
    monkeypatch.setenv("FAKE_PYRIGHT_COUNT", "1")
    status, selection, notices, _ = gate(fake)
    assert (status, selection) == (Status.PASS, "")
    assert calls(fake)[1:] == [["pkg/a.py", "pkg/b.py", "pkg/c.py"], []]  # then every file
    assert notices == (
        "types: every file checked: pyright checked 1 of the 3 files given",
        "types: pyright checked 1 files where the selection counts 5; no baseline recorded "
        "(the selection's file list does not match pyright's)",
    )
    assert (fake / baseline.BASELINE).read_bytes() == kept


@STAND_IN
def test_outside_the_soft_runbook_every_file_is_checked(
    fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """release, patch, --full and `nox -s types` check every file, whatever the baseline (one
    is recorded here, and only d changed since), and a run that is not clean records nothing.
    (Real pyright's full runs, and what they report: the test above.)"""
    gate(fake)  # the baseline
    kept = (fake / baseline.BASELINE).read_bytes()
    monkeypatch.setenv(SELECT_ENV, "full")
    (fake / "pkg/d.py").write_text("def other() -> str:\n    return 1\n", "utf-8")
    monkeypatch.setenv("FAKE_PYRIGHT_ERRORS", "1")
    status, selection, notices, _ = gate(fake)
    assert (status, selection, notices) == (Status.FAIL, "", ())
    assert calls(fake)[1:] == [[]]  # no file list: every file
    assert (fake / baseline.BASELINE).read_bytes() == kept


@STAND_IN
def test_a_file_changed_during_the_run_records_no_baseline(
    fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PYRIGHT_TOUCH", str(fake / "pkg/d.py"))
    _, _, notices, _ = gate(fake)
    assert notices[-1] == "types: files changed during the run; no baseline recorded"
    assert not (fake / baseline.BASELINE).exists()


@STAND_IN
def test_a_file_whose_imports_cannot_be_read_records_no_baseline(fake: Path) -> None:
    """pyright may accept what this interpreter's parser does not (a newer syntax): such a
    file's importers could not be found later, so that tree is never a baseline."""
    (fake / "pkg/d.py").write_text("def other(:\n", "utf-8")
    _, _, notices, _ = gate(fake)
    assert notices[-1].startswith("types: cannot read the imports of pkg/d.py (SyntaxError")
    assert not (fake / baseline.BASELINE).exists()
