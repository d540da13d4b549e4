"""What coverage.py records of a call, and which functions the tests gate attributes to a test
from it (runbook.selection.coverdata.executed): function-level selection is only as sound as this.

The data comes from a real coverage.py run in a child process (a second tracer in this one would
disturb the suite's own measurement), with the gate's settings: branch data, one dynamic context
per test phase. Data files keep raw arcs: excluded lines (``# pragma: no cover``,
``exclude_also``) are recorded like any other."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from runbook.selection import coverdata, impact
from runbook.selection.fingerprint import fingerprint
from runbook.selection.stored import Stored

SHAPES = '''\
def ellipsis():
    ...


def documented():
    """Only a docstring: a call runs no body line, coverage.py records the def line."""


def excluded():  # pragma: no cover
    return 1


def not_implemented():
    raise NotImplementedError


def outer():
    def inner():
        return 3

    return inner


def numbers():
    yield 1


class Box:
    def size(self):
        return 1

    @property
    def area(self):
        return 4


def setup_only():
    """Called once at import: its body is import-time code."""


CONSTANT = setup_only()
'''

CALLS = {
    "ellipsis": "shapes.ellipsis()",
    "documented": "shapes.documented()",
    "excluded": "shapes.excluded()",
    "not_implemented": "try:\n    shapes.not_implemented()\nexcept NotImplementedError:\n    pass",
    "nested": "shapes.outer()()",
    "generator_called": "shapes.numbers()",
    "generator_iterated": "list(shapes.numbers())",
    "method": "shapes.Box().size()",
    "property": "shapes.Box().area",
}

RUN = """\
import sys
import coverage

cov = coverage.Coverage(data_file="coverage.db", branch=True, config_file=False)
cov.config.set_option("report:exclude_also", ["raise NotImplementedError"])
cov.start()
sys.path.insert(0, "src")
import shapes
"""


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> coverdata.Executed:
    root = tmp_path_factory.mktemp("coverage").resolve()
    (root / "src").mkdir()
    (root / "src" / "shapes.py").write_text(SHAPES)
    script = RUN
    for name, call in CALLS.items():
        script += f"cov.switch_context('tests/test_shapes.py::test_{name}|run')\n{call}\n"
    script += "cov.stop()\ncov.save()\n"
    (root / "run.py").write_text(script)
    subprocess.run([sys.executable, "run.py"], cwd=root, check=True, timeout=120)
    prints = {"src/shapes.py": fingerprint(SHAPES)}
    return coverdata.executed(root / "coverage.db", root, prints)


@pytest.mark.parametrize(
    ("name", "functions"),
    [
        ("ellipsis", {"ellipsis"}),  # a body of `...` still records its line
        ("documented", {"documented"}),  # only the def line: the range starts at the head
        ("excluded", {"excluded"}),  # raw data ignores `# pragma: no cover`
        ("not_implemented", {"not_implemented"}),  # and exclude_also
        ("nested", {"outer"}),  # a nested function is part of the outer body
        ("generator_iterated", {"numbers"}),
        ("method", {"Box.size"}),
        ("property", {"Box.area"}),
    ],
)
def test_a_call_attributes_the_function_to_the_test(
    measured: coverdata.Executed, name: str, functions: set[str]
) -> None:
    nodeid = f"tests/test_shapes.py::test_{name}"
    assert measured.functions[nodeid] == {"src/shapes.py": functions}
    assert measured.files[nodeid] == {"src/shapes.py"}


def test_calling_a_generator_function_runs_none_of_its_body(measured: coverdata.Executed) -> None:
    """Its outcome cannot depend on the body (that it is a generator is in the skeleton)."""
    assert "tests/test_shapes.py::test_generator_called" not in measured.files


def test_a_docstring_only_function_called_at_import_makes_its_edit_a_full_run(
    measured: coverdata.Executed,
) -> None:
    import_lines = {path: frozenset(lines) for path, lines in measured.import_lines.items()}
    stored = Stored(
        environment="env",
        root="/r",
        files={"src/shapes.py": "old"},
        prints={"src/shapes.py": fingerprint(SHAPES)},
        import_lines=import_lines,
        tests={},
        coverage_db="coverage-x.db",
    )
    body = '    """Called once at import: its body is import-time code."""\n'
    for function, full in (("setup_only", True), ("documented", False)):
        marker = f"def {function}():\n"
        start = SHAPES.index(marker) + len(marker)
        end = SHAPES.index('"""\n', SHAPES.index('"""', start) + 3) + 4
        edited = SHAPES[:end] + "    return 1\n" + SHAPES[end:]
        assert function != "setup_only" or SHAPES[start:end] == body
        read = {"src/shapes.py": edited}.__getitem__
        result = impact.plan(stored, {"src/shapes.py": "new"}, read)
        assert ("setup_only changed and runs at import time" in result.full_reason) is full
        assert bool(result.full_reason) is full, textwrap.shorten(result.full_reason, 200)
