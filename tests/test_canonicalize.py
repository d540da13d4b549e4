"""Canonicalization on throwaway git repositories: finding copies, dry runs, applying, undoing."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from runbook.patching import canonicalize
from support import fingerprint, git, init_repo

SCRIPT = Path(__file__).parents[1] / "scripts" / "canonicalize.py"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("foo_v2.py", "foo.py"),
        ("foo_v3.py", "foo.py"),
        ("foo.py.bak", "foo.py"),
        ("foo (1).py", "foo.py"),
        ("foo.orig", "foo"),
        ("foo.py.orig", "foo.py"),
        ("foo_old.py", "foo.py"),
        ("foo-copy.py", "foo.py"),
        ("foo_copy.py", "foo.py"),
        ("foo.py~", "foo.py"),
        ("foo - Copy.py", "foo.py"),
        ("foo copy 2.py", "foo.py"),
        ("foo_v2.py.bak", "foo.py"),
        ("Makefile.orig", "Makefile"),
        ("foo.py", None),
        ("_old.py", None),
        ("v2.py", None),
        (".bak", None),
        ("model_version.py", None),
    ],
)
def test_canonical_name(name: str, canonical: str | None) -> None:
    assert canonicalize.canonical_name(name) == canonical


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    init_repo(root)
    files = {
        "src/foo.py": "one\n",
        "src/foo_v2.py": "two\n",
        "src/foo.py.bak": "backup\n",
        "src/foo (1).py": "copy\n",
        "src/bar_v2.py": "bar two\n",
        "src/other.py": "other\n",
    }
    for path, text in files.items():
        (root / path).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    return root


def run(repo: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = canonicalize.main([*args, "--root", str(repo)], out)
    return code, out.getvalue()


def test_find_lists_groups_and_changes_nothing(repo: Path) -> None:
    (repo / "src/other_old.py").write_text("untracked copy\n")
    before = fingerprint(repo)
    code, out = run(repo, "--find")
    assert code == 0
    assert fingerprint(repo) == before
    assert out == (
        "src/bar.py (missing)\n"
        "  <- src/bar_v2.py (tracked)\n"
        "src/foo.py (tracked)\n"
        "  <- src/foo (1).py (tracked)\n"
        "  <- src/foo.py.bak (tracked)\n"
        "  <- src/foo_v2.py (tracked)\n"
        "src/other.py (tracked)\n"
        "  <- src/other_old.py (untracked)\n"
    )


def test_dry_run_is_the_default_and_prints_the_exact_commands(repo: Path) -> None:
    before = fingerprint(repo)
    code, out = run(repo, "src/foo.py=src/foo_v2.py")
    assert code == 0
    assert fingerprint(repo) == before
    assert out.splitlines() == [
        "would run: git mv -f -- src/foo_v2.py src/foo.py",
        "would run: git rm -q -- 'src/foo (1).py'",
        "would run: git rm -q -- src/foo.py.bak",
        "canonicalize: dry run, nothing changed; add --apply to run these commands",
    ]


def test_apply_moves_the_chosen_copy_and_removes_the_rest(repo: Path) -> None:
    code, out = run(repo, "src/foo.py=src/foo_v2.py", "src/bar.py=src/bar_v2.py", "--apply")
    assert code == 0, out
    assert (repo / "src/foo.py").read_text() == "two\n"
    assert (repo / "src/bar.py").read_text() == "bar two\n"
    assert sorted(p.name for p in (repo / "src").iterdir()) == ["bar.py", "foo.py", "other.py"]
    staged = git(repo, "diff", "--cached", "-M", "--name-status").splitlines()
    assert sorted(staged) == [
        "D\tsrc/foo (1).py",
        "D\tsrc/foo.py.bak",
        "D\tsrc/foo_v2.py",
        "M\tsrc/foo.py",
        "R100\tsrc/bar_v2.py\tsrc/bar.py",  # git mv: history follows the content
    ]


def test_plan_file_with_a_checklist(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[canonical]\n"src/foo.py" = "src/foo.py"\n\n'
        '[checklist]\nmust_exist = ["src/foo.py", "src/other.py"]\n'
        'must_not_exist = ["src/foo_v2.py", "src/foo.py.bak"]\n'
    )
    code, out = run(repo, "--plan", str(plan), "--apply")
    assert code == 0, out
    assert (repo / "src/foo.py").read_text() == "one\n"
    assert not (repo / "src/foo_v2.py").exists()


def test_checklist_that_the_plan_cannot_meet_does_nothing(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[canonical]\n"src/foo.py" = "src/foo_v2.py"\n'
        '[checklist]\nmust_exist = ["src/foo_v2.py"]\nmust_not_exist = ["src/other.py"]\n'
    )
    before = fingerprint(repo)
    code, out = run(repo, "--plan", str(plan), "--apply")
    assert code == 1
    assert "missing: src/foo_v2.py" in out
    assert "present: src/other.py" in out
    assert fingerprint(repo) == before


def test_checklist_failing_after_the_moves_undoes_them(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def before_passes_after_fails(_plan: object, _exists: object) -> list[str]:
        calls.append(1)
        return [] if len(calls) == 1 else ["missing: something the moves broke"]

    monkeypatch.setattr(canonicalize, "checklist_misses", before_passes_after_fails)
    before = fingerprint(repo)
    code, out = run(repo, "src/foo.py=src/foo_v2.py", "src/bar.py=src/bar_v2.py", "--apply")
    assert code == 1
    assert "undoing them" in out
    assert fingerprint(repo) == before
    assert not (repo / "src/bar.py").exists()


def refused(repo: Path, *args: str) -> str:
    before = fingerprint(repo)
    code, out = run(repo, *args, "--apply")
    assert code == 2, out
    assert "refused, nothing changed" in out
    assert fingerprint(repo) == before
    return out


def test_refuses_when_a_copy_is_not_tracked(repo: Path) -> None:
    (repo / "src/foo_old.py").write_text("untracked\n")
    assert "not tracked by git" in refused(repo, "src/foo.py=src/foo_v2.py")


def test_refuses_to_overwrite_an_untracked_canonical_file(repo: Path) -> None:
    (repo / "src/bar.py").write_text("someone's new file\n")
    assert "could not be given back: src/bar.py" in refused(repo, "src/bar.py=src/bar_v2.py")


def test_refuses_to_overwrite_a_file_with_uncommitted_changes(repo: Path) -> None:
    (repo / "src/foo.py").write_text("edited\n")
    assert "uncommitted changes in src/foo.py" in refused(repo, "src/foo.py=src/foo_v2.py")


def test_refuses_to_remove_a_copy_with_staged_changes(repo: Path) -> None:
    (repo / "src/foo.py.bak").write_text("edited\n")
    git(repo, "add", "src/foo.py.bak")
    assert "uncommitted changes in src/foo.py.bak" in refused(repo, "src/foo.py=src/foo_v2.py")


def test_refuses_a_copy_that_is_not_a_suffixed_copy(repo: Path) -> None:
    assert "not a suffixed copy" in refused(repo, "src/foo.py=src/other.py")


def test_refuses_paths_outside_the_repository(repo: Path) -> None:
    assert "outside the repository" in refused(repo, "../foo.py=../foo_v2.py")


def test_refuses_a_bad_pair_or_an_empty_plan(repo: Path) -> None:
    assert "expected CANONICAL=COPY" in refused(repo, "src/foo.py")
    assert "the plan is empty" in refused(repo)


def test_refuses_a_plan_with_unknown_keys(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[checklist]\nmust_exsit = ["x"]\n')
    assert "unknown key(s) must_exsit" in refused(repo, "--plan", str(plan))


def test_script_entry_point(repo: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--find", "--root", str(repo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "  <- src/bar_v2.py (tracked)" in proc.stdout
