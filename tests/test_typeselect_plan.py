"""The types gate's decision, full or selective (runbook.typeselect.plan), the files pyright
checks and reads (project), and the stored baseline (baseline): cheap cases on small trees,
no pyright (tests/test_typegate.py runs it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from runbook.typeselect import baseline, project
from runbook.typeselect.baseline import Baseline, BaselineError
from runbook.typeselect.plan import Plan, decide, next_baseline, read_imports
from runbook.typeselect.project import ConfigError, Tree

PYPROJECT = """[tool.pyright]
include = ["src", "tests", "noxfile.py"]
extraPaths = ["tests"]
exclude = ["src/generated"]
typeCheckingMode = "strict"
"""
FILES = {
    "src/lib/__init__.py": "",
    "src/lib/core.py": "from lib import util\n",
    "src/lib/util.py": "X = 1\n",
    "src/lib/alone.py": "import json\n",
    "src/generated/made.py": "from lib import util\n",  # excluded from checking, still read
    "tests/test_lib.py": "import lib.core\n",
    "tests/helper.py": "Y = 2\n",
    "noxfile.py": "import helper\n",
    "scripts/run.py": "import lib\n",  # not included: resolvable, not checked
}
ENVIRONMENT = "env-1"
MACHINERY = "machinery-1"


def make_tree(root: Path, files: dict[str, str] | None = None) -> None:
    (root / "pyproject.toml").write_text(PYPROJECT, "utf-8")
    for name, text in (FILES if files is None else files).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")


def recorded(root: Path) -> tuple[Baseline, Tree]:
    tree = project.scan(root)
    found = read_imports(root, tree)
    assert not found.unreadable
    base = next_baseline(root, tree, found, environment=ENVIRONMENT, machinery=MACHINERY)
    return base, tree


def plan_now(root: Path, base: Baseline, environment: str = ENVIRONMENT) -> Plan:
    plan, _ = decide(root, base, project.scan(root), environment, MACHINERY)
    return plan


def test_the_scan_sees_what_pyright_checks_and_what_it_reads(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "src/lib/__pycache__").mkdir()
    (tmp_path / "src/lib/__pycache__/core.py").write_text("", "utf-8")
    (tmp_path / ".venv/lib").mkdir(parents=True)
    (tmp_path / ".venv/lib/x.py").write_text("", "utf-8")
    (tmp_path / "src/lib/py.typed").write_text("", "utf-8")
    tree = project.scan(tmp_path)
    assert tree.checked == (
        "noxfile.py",
        "src/lib/__init__.py",
        "src/lib/alone.py",
        "src/lib/core.py",
        "src/lib/util.py",
        "tests/helper.py",
        "tests/test_lib.py",
    )
    assert set(tree.files) == {*FILES, "src/lib/py.typed"}
    assert tree.config == {
        "pyproject.toml": project.digest(tmp_path / "pyproject.toml"),
        "pyrightconfig.json": "missing",
    }
    assert tree.roots == ("", "src", "tests", "typings")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("src/generated", "src/generated/made.py", True),
        ("src/generated", "src/generated_not", False),
        ("**/__pycache__", "src/a/__pycache__/x.py", True),
        ("**/.*", ".nox/x/y.py", True),
        ("**/.*", "src/.hidden", True),
        ("**/.*", "src/a.py", False),
        ("src/*/gen_*.py", "src/lib/gen_1.py", True),
        ("src/*/gen_*.py", "src/lib/deep/gen_1.py", False),
        ("./tests", "tests/t.py", True),
    ],
)
def test_exclude_patterns_match_as_pyright_reads_them(
    pattern: str, path: str, matches: bool
) -> None:
    assert bool(project.glob_pattern(pattern).match(path)) is matches


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.pyright]\nexecutionEnvironments = [{root = "src"}]\n', "executionEnvironments"),
        ('[tool.pyright]\nvenv = "x"\n', "venv"),
        ('[tool.pyright]\nextraPaths = ["../elsewhere"]\n', "outside the project"),
        ('[tool.pyright]\ninclude = "src"\n', "not a list of strings"),
        ("[tool.pyright\n", "cannot read"),
    ],
)
def test_a_configuration_the_selection_cannot_follow_is_an_error(
    tmp_path: Path, config: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(config, "utf-8")
    with pytest.raises(ConfigError, match=message):
        project.scan(tmp_path)


def test_pyrightconfig_json_takes_precedence(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "pyrightconfig.json").write_text('{"include": ["tests"]}', "utf-8")
    assert project.scan(tmp_path).checked == ("tests/helper.py", "tests/test_lib.py")


def test_search_paths_inside_the_project_are_roots(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "lib2").mkdir()
    tree = project.scan(tmp_path, [str(tmp_path / "lib2"), "/usr/lib/python3"])
    assert "lib2" in tree.roots
    assert "/usr/lib/python3" not in tree.roots


# --- the decision ----------------------------------------------------------------------------


def test_a_body_edit_checks_the_file_and_its_importers_only(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    (tmp_path / "src/lib/util.py").write_text("X = 1\nZ = 3\n", "utf-8")
    plan = plan_now(tmp_path, base)
    assert not plan.full_reason
    # core imports util; test_lib imports lib.core; made.py is excluded (read, not checked).
    assert plan.files == ("src/lib/core.py", "src/lib/util.py", "tests/test_lib.py")
    assert plan.total == 7


def test_nothing_changed_checks_nothing(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    assert plan_now(tmp_path, base) == Plan(total=7)


def test_an_extra_path_module_reaches_its_importers(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    (tmp_path / "tests/helper.py").write_text("Y = '2'\n", "utf-8")
    assert plan_now(tmp_path, base).files == ("noxfile.py", "tests/helper.py")


def test_a_changed_file_that_no_longer_parses_is_checked(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    (tmp_path / "src/lib/alone.py").write_text("import (\n", "utf-8")
    plan, found = decide(tmp_path, base, project.scan(tmp_path), ENVIRONMENT, MACHINERY)
    assert plan.files == ("src/lib/alone.py",)
    assert list(found.unreadable) == ["src/lib/alone.py"]  # never recorded as a baseline


Change = Callable[[Path], object]
FULL_RUNS: list[tuple[Change, str]] = [
    (lambda root: (root / "src/lib/new.py").write_text("", "utf-8"), "1 added"),
    (lambda root: (root / "src/lib/alone.py").unlink(), "1 deleted"),
    (
        lambda root: (root / "src/lib/alone.py").rename(root / "src/lib/lonely.py"),
        "1 added (src/lib/lonely.py) and 1 deleted (src/lib/alone.py)",
    ),
    (lambda root: (root / "src/lib/py.typed").write_text("", "utf-8"), "1 added"),
    (
        lambda root: (root / "pyproject.toml").write_text(PYPROJECT + "# x\n", "utf-8"),
        "configuration changed (pyproject.toml)",
    ),
    (
        lambda root: (root / "pyrightconfig.json").write_text("{}", "utf-8"),
        "configuration changed (pyrightconfig.json)",
    ),
    (
        lambda root: (root / "src/generated/made.py").write_text("Z = 1\n", "utf-8"),
        "reads but does not check changed (src/generated/made.py)",
    ),
    (
        lambda root: (root / "scripts/run.py").write_text("Z = 1\n", "utf-8"),
        "reads but does not check changed (scripts/run.py)",
    ),
]


@pytest.mark.parametrize(("change", "reason"), FULL_RUNS)
def test_changes_the_closure_does_not_cover_check_every_file(
    tmp_path: Path, change: Change, reason: str
) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    change(tmp_path)
    plan = plan_now(tmp_path, base)
    assert reason in plan.full_reason
    assert plan.files == ()


def test_another_environment_or_selection_code_checks_every_file(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    (tmp_path / "src/lib/util.py").write_text("X = 2\n", "utf-8")
    assert "environment changed" in plan_now(tmp_path, base, environment="env-2").full_reason
    plan, _ = decide(tmp_path, base, project.scan(tmp_path), ENVIRONMENT, "machinery-2")
    assert plan.full_reason == "the types selection itself changed"


# --- the stored baseline ---------------------------------------------------------------------


def test_the_baseline_reads_back_as_it_was_saved(tmp_path: Path) -> None:
    make_tree(tmp_path)
    base, _ = recorded(tmp_path)
    baseline.save(tmp_path, base)
    assert baseline.load(tmp_path) == base
    assert not list((tmp_path / baseline.BASELINE).parent.glob("*.tmp"))


def _saved(root: Path) -> dict[str, object]:
    make_tree(root)
    base, _ = recorded(root)
    return base.to_json()


Spoil = Callable[[dict[str, object]], object]
SPOILED: list[tuple[Spoil, str]] = [
    (lambda data: data.update(version=99), "another kind or version"),
    (lambda data: data.update(schema="x"), "another kind or version"),
    (lambda data: data.update(diagnostics=3), "not clean"),
    (lambda data: data.pop("environment"), "no 'environment'"),
    (lambda data: data.update(files=["a"]), "'files' is not a table"),
    (lambda data: data.update(checked="a"), "'checked' is not a list"),
    (lambda data: data.update(imports={"a.py": [["x", "1", list[str]()]]}), "unreadable"),
    (lambda data: data.update(imports={"a.py": 3}), "not a list"),
    (lambda data: data.update(root="/elsewhere"), "another checkout"),
]


@pytest.mark.parametrize(("spoil", "message"), SPOILED)
def test_a_baseline_that_cannot_be_used_says_why(
    tmp_path: Path, spoil: Spoil, message: str
) -> None:
    data = _saved(tmp_path)
    spoil(data)
    path = tmp_path / baseline.BASELINE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(BaselineError, match=message):
        baseline.load(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no baseline yet"), (b'{"schema": ', "not JSON"), (b"[]", "not an object")],
)
def test_a_missing_or_truncated_baseline_says_why(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        path = tmp_path / baseline.BASELINE
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    with pytest.raises(BaselineError, match=message):
        baseline.load(tmp_path)
