"""The patch workflow on throwaway git repositories with fake gates.

Every test that changes anything proves the restore claim the same way: ``fingerprint`` hashes
every tracked and untracked-but-not-ignored file (content and mode), the staged index entries,
HEAD and the set of directories, before and after.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pytest

from runbook.gates.settings import Settings
from runbook.gates.table import GATES, Gate
from runbook.patching import diffs, patch
from runbook.records.result import GateResult, Status
from runbook.run import Outcome, Run, perform
from runbook.running import procgroup
from support import direct, fingerprint, git, init_repo, interruptible, python_gate

PY = sys.executable
SRC = Path(__file__).parents[1] / "src"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small committed repo, plus local state the workflow must neither lose nor commit."""
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    init_repo(root)
    (root / ".gitignore").write_text(".runbook/\nCodex_Questions.md\n")
    (root / "pkg/mod.py").write_text("def f():\n    return 1\n")
    (root / "README.md").write_text("readme\n")
    (root / "old.txt").write_text("old\n")
    (root / "tool.sh").write_text("echo hi\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    (root / "README.md").write_text("readme, edited by someone else\n")  # unstaged change
    (root / "notes.txt").write_text("staged by someone else\n")
    git(root, "add", "notes.txt")  # staged change
    (root / "scratch.txt").write_text("untracked\n")
    return root


MODIFY = """\
diff --git a/pkg/mod.py b/pkg/mod.py
--- a/pkg/mod.py
+++ b/pkg/mod.py
@@ -1,2 +1,2 @@
 def f():
-    return 1
+    return 2
"""
CREATE = """\
diff --git a/pkg/new/extra.py b/pkg/new/extra.py
new file mode 100644
--- /dev/null
+++ b/pkg/new/extra.py
@@ -0,0 +1 @@
+X = 1
"""
DELETE = """\
diff --git a/old.txt b/old.txt
deleted file mode 100644
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-old
"""
RENAME = """\
diff --git a/tool.sh b/bin/tool.sh
old mode 100644
new mode 100755
similarity index 100%
rename from tool.sh
rename to bin/tool.sh
"""
EVERYTHING = MODIFY + CREATE + DELETE + RENAME
TOUCHED = {"pkg/mod.py", "pkg/new/extra.py", "old.txt", "tool.sh", "bin/tool.sh"}


SEES_PATCH = python_gate("lint", "assert 'return 2' in open('pkg/mod.py').read(); print('ok')")
PASSES = python_gate("format", "print('ok')")
FAILS = python_gate("tests", "print('1 failed, 3 passed in 0.1s'); raise SystemExit(1)")
KILLED = python_gate("tests", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")


def runs(*gates: Gate) -> Callable[[Path, TextIO], Run]:
    def make(root: Path, _out: object) -> Run:
        return Run(
            root=root,
            settings=Settings(timeout=30),
            mode="patch",
            gates=gates,
            jobs=2,  # the gates at once, on any machine
            launcher=direct,
        )

    return make


def run_patch(
    repo: Path,
    text: str,
    *args: str,
    gates: tuple[Gate, ...] = (SEES_PATCH, PASSES),
    runner: Callable[[Run], Outcome] = perform,
) -> tuple[int, str]:
    diff = repo.parent / "change.diff"
    diff.write_text(text)
    out = io.StringIO()
    code = patch.main(
        [str(diff), "--root", str(repo), *args],
        out,
        make_run=runs(*gates),
        runner=runner,
    )
    return code, out.getvalue()


def test_all_gates_pass_commits_exactly_the_patched_files(repo: Path) -> None:
    code, out = run_patch(repo, EVERYTHING, "-m", "Return 2 and tidy up")
    assert code == 0, out
    assert "patch: committed" in out
    assert "patch: PASS" in out  # the gate table's summary line
    committed = git(repo, "show", "--name-only", "--no-renames", "--format=%s", "HEAD").split("\n")
    assert committed[0] == "Return 2 and tidy up"
    assert set(committed[1:]) - {""} == TOUCHED
    assert os.access(repo / "bin/tool.sh", os.X_OK)
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    # other people's work is exactly where it was: not committed, not lost, not unstaged
    assert sorted(status.splitlines()) == [" M README.md", "?? scratch.txt", "A  notes.txt"]


def test_failing_gate_restores_tree_index_and_untracked_files(repo: Path) -> None:
    before = fingerprint(repo)
    code, out = run_patch(repo, EVERYTHING, "-m", "x", gates=(SEES_PATCH, PASSES, FAILS))
    assert code == 1
    assert fingerprint(repo) == before
    assert not (repo / "pkg/new").exists()
    assert re.search(r"(?m)^tests +Π_tests +fail +0\.\ds +1 failed, 3 passed", out), out
    assert "patch: FAIL" in out
    questions = (repo / "Codex_Questions.md").read_text()
    assert "While performing [3:tests gate (Π_tests)" in questions
    assert questions.count("Question for ChatGPT @codex") == 1


def test_the_gates_run_at_once_and_the_first_failure_cancels_the_rest(repo: Path) -> None:
    """tests hangs until stopped; lint fails once tests has started (run one after another,
    lint would wait in vain and then fail with another reason)."""
    started = repo.parent / "tests.started"
    hangs = python_gate(
        "tests", f"import time; open({str(started)!r}, 'w').close(); time.sleep(60)"
    )
    fails = python_gate(
        "lint",
        f"""
        import pathlib, sys, time
        deadline = time.monotonic() + 60
        while not pathlib.Path({str(started)!r}).exists():
            if time.monotonic() > deadline:
                sys.exit("tests never started while lint ran")
            time.sleep(0.01)
        print("Found 1 error."); raise SystemExit(1)
        """,
    )
    before = fingerprint(repo)
    code, out = run_patch(repo, EVERYTHING, "-m", "x", gates=(fails, hangs))
    assert code == 1, out
    assert re.search(r"tests +Π_tests +cancelled .*cancelled: lint failed first", out), out
    assert fingerprint(repo) == before


def test_killed_gate_restores(repo: Path) -> None:
    before = fingerprint(repo)
    code, out = run_patch(repo, EVERYTHING, "-m", "x", gates=(SEES_PATCH, KILLED))
    assert code == 1
    assert "exit code -9" in out
    assert fingerprint(repo) == before


def test_interrupt_outside_the_gate_run_restores(repo: Path) -> None:
    def interrupted(run: Run) -> Outcome:
        assert "return 2" in (run.root / "pkg/mod.py").read_text()
        raise KeyboardInterrupt

    before = fingerprint(repo)
    code, out = run_patch(repo, EVERYTHING, "-m", "x", runner=interrupted)
    assert code == 130
    assert "interrupted" in out
    assert fingerprint(repo) == before


def test_failed_commit_unstages_and_restores(repo: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = fingerprint(repo)
    code, out = run_patch(repo, EVERYTHING, "-m", "x")
    assert code == 1
    assert "commit failed" in out
    assert fingerprint(repo) == before
    assert "While performing [3:commit gate (git)" in (repo / "Codex_Questions.md").read_text()


INTERRUPT_SCRIPT = """
import sys, textwrap
from pathlib import Path
from runbook.patching import patch
from runbook.gates.table import GATES, Gate
from runbook.records.result import GateResult, Status
from runbook.run import Run
from runbook.gates.settings import Settings
root, diff, started = map(Path, sys.argv[1:4])
def hang(name):
    code = f'''
import os, time
open({str(started)!r} + ".{name}", "w").write(str(os.getpid()))
time.sleep(60)
'''
    return Gate(name=name, projector="t", description="", groups=(),
                command=(sys.executable, "-c", code))
def make_run(r, out):
    return Run(root=r, settings=Settings(timeout=60), mode="patch", jobs=2,
               gates=(hang("lint"), hang("tests")), launcher=lambda g: list(g.command))
sys.exit(patch.main([str(diff), "-m", "x", "--root", str(root)], make_run=make_run))
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_during_the_parallel_gates_stops_them_and_restores(
    repo: Path, sig: signal.Signals
) -> None:
    """Both gates run at once when the signal comes: both groups are stopped, nothing is
    committed and the tree is as it was."""
    diff = repo.parent / "change.diff"
    diff.write_text(EVERYTHING)
    started = repo.parent / "gate.started"
    pidfiles = [started.with_name(f"{started.name}.{name}") for name in ("lint", "tests")]
    before = fingerprint(repo)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    argv = [PY, "-c", INTERRUPT_SCRIPT, str(repo), str(diff), str(started)]
    with interruptible(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        deadline = time.monotonic() + 120
        while not all(pidfile.exists() and pidfile.read_text() for pidfile in pidfiles):
            assert time.monotonic() < deadline, "the two gates never ran at once"
            time.sleep(0.05)
        assert "return 2" in (repo / "pkg/mod.py").read_text()  # the patch really was applied
        proc.send_signal(sig)
        output = proc.communicate(timeout=120)[0].decode()
        assert proc.returncode == 130, output
    assert fingerprint(repo) == before  # HEAD included: nothing was committed
    for pidfile in pidfiles:
        assert procgroup.live_members(int(pidfile.read_text())) == []


# --- refusals: each leaves everything untouched and never runs a gate -------------------------


def never(_run: Run) -> Outcome:
    raise AssertionError("a refused patch must not run the gates")


def refused(repo: Path, text: str, *args: str) -> str:
    before = fingerprint(repo)
    code, out = run_patch(repo, text, *args, runner=never)
    assert code == 2, out
    assert "refused, nothing changed" in out
    assert fingerprint(repo) == before
    return out


def test_refuses_a_file_that_is_not_a_unified_diff(repo: Path) -> None:
    assert "not a unified diff" in refused(repo, "just some text\n", "-m", "x")
    context_diff = "*** a/pkg/mod.py\n--- b/pkg/mod.py\n***************\n"
    assert "not a unified diff" in refused(repo, context_diff, "-m", "x")


def test_refuses_a_truncated_hunk(repo: Path) -> None:
    assert "cut short" in refused(repo, MODIFY.rsplit("\n", 2)[0] + "\n", "-m", "x")


def test_refuses_when_git_apply_check_fails(repo: Path) -> None:
    stale = MODIFY.replace("-    return 1", "-    return 7")
    assert "git apply --check fails" in refused(repo, stale, "-m", "x")


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("../outside.py", "leaves the repository"),
        ("sub/../../outside.py", "leaves the repository"),
        ("/etc/passwd.py", "is absolute"),
        (".git/hooks/post-commit", "inside .git"),
        ("escape/evil.py", "symlink"),
    ],
)
def test_refuses_paths_outside_the_repository(repo: Path, target: str, why: str) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    (repo / "escape").symlink_to(outside)
    git(repo, "add", "escape")
    git(repo, "commit", "-q", "-m", "symlink")
    a_side = "/dev/null"
    b_side = target if target.startswith("/") else f"b/{target}"
    text = f"--- {a_side}\n+++ {b_side}\n@@ -0,0 +1 @@\n+X = 1\n"
    out = refused(repo, text, "-m", "x")
    assert "outside the repository" in out
    assert why in out
    assert not any(outside.iterdir())


def test_refuses_a_diff_touching_a_file_with_unstaged_changes(repo: Path) -> None:
    text = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-readme, edited by someone else\n+r\n"
    out = refused(repo, text, "-m", "x")
    assert "uncommitted changes: README.md (M)" in out


def test_refuses_a_diff_touching_a_file_with_staged_changes(repo: Path) -> None:
    (repo / "pkg/mod.py").write_text("def f():\n    return 1\n# staged\n")
    git(repo, "add", "pkg/mod.py")
    (repo / "pkg/mod.py").write_text("def f():\n    return 1\n")  # tree == HEAD, index is not
    out = refused(repo, MODIFY, "-m", "x")
    assert "uncommitted changes: pkg/mod.py" in out


def test_refuses_without_a_commit_message(repo: Path) -> None:
    assert "pass -m MESSAGE" in refused(repo, MODIFY)


def test_refuses_outside_a_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / "change.diff").write_text(MODIFY)
    out = io.StringIO()
    code = patch.main([str(tmp_path / "change.diff"), "--root", str(tmp_path)], out)
    assert code == 2
    assert "not inside a git work tree" in out.getvalue()


# --- reading diffs ----------------------------------------------------------------------------


def test_parse_reads_creates_deletes_renames_and_quoted_paths() -> None:
    quoted = (
        'diff --git "a/caf\\303\\251 x.py" "b/caf\\303\\251 x.py"\n'
        '--- "a/caf\\303\\251 x.py"\n+++ "b/caf\\303\\251 x.py"\n@@ -1 +1 @@\n-a\n+b\n'
    )
    diff = diffs.parse(EVERYTHING + quoted)
    assert diff.changes == (
        diffs.FileChange("pkg/mod.py", "pkg/mod.py"),
        diffs.FileChange(None, "pkg/new/extra.py"),
        diffs.FileChange("old.txt", None),
        diffs.FileChange("tool.sh", "bin/tool.sh"),
        diffs.FileChange("café x.py", "café x.py"),
    )
    assert diff.message is None


def test_parse_skips_hunk_lines_that_look_like_headers() -> None:
    text = "--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,2 @@\n--- not a header\n+++ nor this\n \n"
    assert diffs.parse(text).paths == ["x.md"]


def test_message_from_a_format_patch_mail(repo: Path) -> None:
    mail = (
        "From 1234567890abcdef Mon Sep 17 00:00:00 2001\n"
        "From: A <a@example.org>\n"
        "Subject: [PATCH 1/2] Return 2 from f\n"
        " because 1 was wrong\n\n"
        "Longer explanation.\n---\n pkg/mod.py | 2 +-\n\n" + MODIFY + "-- \n2.39.5\n"
    )
    assert diffs.parse(mail).message == (
        "Return 2 from f because 1 was wrong\n\nLonger explanation."
    )
    code, _ = run_patch(repo, mail)
    assert code == 0
    assert git(repo, "log", "-1", "--format=%s").strip() == "Return 2 from f because 1 was wrong"


def test_message_from_free_text_or_git_show() -> None:
    assert diffs.parse("Fix f\n\n" + MODIFY).message == "Fix f"
    show = "commit 0123456789abcdef\nAuthor: A <a@b>\n\n    Fix f\n\n    Body.\n\n" + MODIFY
    assert diffs.parse(show).message == "Fix f\n\nBody."


def test_refuses_a_diff_creating_a_file_that_exists_untracked(repo: Path) -> None:
    text = "--- /dev/null\n+++ b/scratch.txt\n@@ -0,0 +1 @@\n+mine\n"
    assert "scratch.txt" in refused(repo, text, "-m", "x")


def test_default_run_is_strict_over_the_real_gates_without_packaging(repo: Path) -> None:
    out = io.StringIO()
    run = patch.default_run(repo, out)
    assert run.mode == "patch"
    assert [g.name for _, g in run.planned()] == [g.name for g in GATES if not g.release_only]
    run.on_result(GateResult(name="lint", projector="Π_lint", status=Status.PASS, seconds=1.0))
    assert out.getvalue() == "patch: lint pass (1.0s)\n"
