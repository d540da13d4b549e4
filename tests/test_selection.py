"""The selection decision (runbook.selection.impact): which change leaves which test out, and which
change runs the whole suite. Pure data; the end-to-end runs are in test_testgate.py."""

from __future__ import annotations

import hashlib
import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from runbook.running import cache
from runbook.selection import files, impact, importprint, store
from runbook.selection import fingerprint as fingerprint_module
from runbook.selection.fingerprint import fingerprint
from runbook.selection.impact import plan
from runbook.selection.stored import RecordedTest, SelectionDataError, Stored

CORE = """\
LIMIT = 10


def double(x):
    return 2 * x


def limit():
    return LIMIT


class Box:
    def size(self):
        return 1
"""


def test_a_body_edit_changes_only_that_function() -> None:
    before = fingerprint(CORE)
    after = fingerprint(CORE.replace("return 2 * x", "y = x\n    return 2 * y"))
    assert after.skeleton == before.skeleton
    changed = [n for n, f in before.functions.items() if f.body != after.functions[n].body]
    assert changed == ["double"]
    assert before.functions["Box.size"].first == 14


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("LIMIT = 10", "LIMIT = 11"),  # a constant
        ("def limit():", "def limit(extra=None):"),  # a signature
        ("class Box:", "class Box(object):"),  # a class statement
        ("    return 2 * x", '    """Twice."""\n    return 2 * x'),  # a docstring
        ("    return 2 * x", "    yield 2 * x"),  # calling it now makes a generator
        ("def double(x):", "@staticmethod\ndef double(x):"),  # a decorator
    ],
)
def test_changes_outside_bodies_change_the_skeleton(old: str, new: str) -> None:
    assert fingerprint(CORE.replace(old, new)).skeleton != fingerprint(CORE).skeleton


def test_nested_functions_belong_to_the_enclosing_body() -> None:
    source = "def outer():\n    def inner():\n        return 1\n    return inner\n"
    edited = source.replace("return 1", "return 2")
    assert list(fingerprint(source).functions) == ["outer"]
    assert fingerprint(edited).skeleton == fingerprint(source).skeleton
    assert fingerprint(edited).functions["outer"] != fingerprint(source).functions["outer"]


def test_only_decorators_that_run_the_body_every_call_or_cache_it_are_plain() -> None:
    """A ``functools`` cache is plain: the tests gate clears it between test modules and counts
    the tests that filled it as donors of those that used it (runbook.selection.isolation)."""
    source = textwrap.dedent(
        """
        import functools
        from functools import cache as memo
        from mylib import wraps
        class C:
            @property
            def p(self): return 1
            @functools.cache
            def q(self): return 2
            @p.setter
            def p(self, value): pass
        if True:
            @functools.lru_cache(maxsize=None)
            def r(): return 3
        @memo
        def s(): return 4
        @wraps(s)
        def t(): return 5
        @functools.cached_property
        def u(): return 6
        @register
        def v(): return 7
        """
    )
    functions = fingerprint(source).functions
    plain = {name for name, f in functions.items() if f.plain}
    assert plain == {
        "C.p",
        "C.q",
        "C.p'",
        "r",
        "s",
    }  # not mylib's wraps, a registry, an instance cache


def record(
    touched: tuple[str, ...] = ("src/core.py",),
    *,
    ok: bool = True,
    spawns: bool = False,
    lazy: bool = False,
    donors: tuple[str, ...] = (),
    functions: dict[str, tuple[str, ...]] | None = None,
    read: tuple[str, ...] = (),
) -> RecordedTest:
    """A recorded test; by default it ran every function of the files it touched."""
    if functions is None:
        functions = {path: tuple(fingerprint(SOURCES[path]).functions) for path in touched}
    return RecordedTest(
        ok=ok,
        spawns=spawns,
        lazy_imports=lazy,
        donors=donors,
        touched=touched,
        functions=functions,
        read=read,
    )


FILES = {
    "src/core.py": "c1",
    "src/other.py": "o1",
    "tests/test_core.py": "t1",
    "tests/test_other.py": "t2",
    "tests/support.py": "s1",
    "tests/conftest.py": "cf1",
    "tests/data/sample.json": "j1",
    "pyproject.toml": "p1",
    "uv.lock": "u1",
    "docs/guide.md": "d1",
    "src/data/table.json": "k1",
    "setup.cfg": "sc1",
    "tests/pytest.ini": "pi1",
    ".coveragerc": "cr1",
    "Makefile": "m1",
    "src/data/.gitignore": "g1",
    "requirements-dev.txt": "r1",
    ".python-version": "pv1",
    "benchmarks/bench.py": "b1",
    "scripts/tool": "st1",
    "tests/test_notes.txt": "n1",
}
SOURCES = {
    "src/core.py": CORE,
    "src/other.py": "def triple(x):\n    return 3 * x\n",
    "tests/test_core.py": "import core\n",
    "tests/test_other.py": "import other\nfrom test_core import helper\n",
    "tests/support.py": "",
    "tests/conftest.py": "",
}
TESTS = {
    "tests/test_core.py::test_double": record(),
    "tests/test_other.py::test_triple": record(("src/other.py",)),
    "tests/test_other.py::test_nothing": record(()),
}


def stored(
    tests: dict[str, RecordedTest] | None = None, import_lines: frozenset[int] = frozenset()
) -> Stored:
    return Stored(
        environment="env",
        root="/r",
        files=dict(FILES),
        prints={p: fingerprint(s) for p, s in SOURCES.items() if p.startswith("src/")},
        import_lines={"src/core.py": import_lines},
        tests=dict(TESTS if tests is None else tests),
        coverage_db="coverage-x.db",
        test_imports=importprint.test_import_prints(SOURCES, SOURCES.__getitem__),
    )


def plan_after(
    edits: dict[str, str], data: Stored | None = None, digests: dict[str, str] | None = None
) -> impact.Plan:
    sources = {**SOURCES, **edits}
    current = dict(FILES) if digests is None else digests
    for path in edits:
        current[path] = "edited"
    return plan(data or stored(), current, lambda path: sources[path])


def test_an_untouched_tree_leaves_every_passing_test_out() -> None:
    assert plan_after({}) == impact.Plan(unaffected=frozenset(TESTS))


def test_a_body_edit_runs_the_tests_that_executed_the_file() -> None:
    result = plan_after({"src/core.py": CORE.replace("return 2 * x", "return 3 * x")})
    assert result.full_reason == ""
    assert result.unaffected == {
        "tests/test_other.py::test_triple",
        "tests/test_other.py::test_nothing",
    }


EDITED_DOUBLE = CORE.replace("return 2 * x", "y = x\n    return 2 * y")


def test_a_body_edit_runs_only_the_tests_that_executed_that_function() -> None:
    tests = {
        "tests/test_core.py::test_double": record(functions={"src/core.py": ("double",)}),
        "tests/test_core.py::test_limit": record(functions={"src/core.py": ("limit",)}),
        "tests/test_core.py::test_module_level": record(functions={"src/core.py": ()}),
        "tests/test_core.py::test_child": record(functions={}),  # its child ran core.py
        "tests/test_other.py::test_reads": record((), read=("src/core.py",)),
        "tests/test_other.py::test_reads_other": record((), read=("src/other.py",)),
    }
    result = plan_after({"src/core.py": EDITED_DOUBLE}, stored(tests))
    assert result.full_reason == ""
    assert result.unaffected == {
        "tests/test_core.py::test_limit",
        "tests/test_core.py::test_module_level",
        "tests/test_other.py::test_reads_other",
    }
    assert result.collect == {"tests/test_core.py", "tests/test_other.py"}
    # Lines below the edit moved by one; the edited body's own lines have no place.
    moved = result.moved["src/core.py"]
    assert moved[1] == 1  # LIMIT
    assert moved[9] == 10  # def limit():
    assert moved[14] == 15  # return 1 of Box.size
    assert 5 not in moved  # the old body of double


def test_a_test_module_read_as_text_runs_its_reader_when_it_changes() -> None:
    tests = {**TESTS, "tests/test_core.py::test_reads": record((), read=("tests/test_other.py",))}
    edited = SOURCES["tests/test_other.py"] + "# edited\n"
    result = plan_after({"tests/test_other.py": edited}, stored(tests))
    assert result.unaffected == {"tests/test_core.py::test_double"}


def test_a_file_read_while_pytest_collected_runs_everything_when_it_changes() -> None:
    data = replace(stored(), collection_reads=("src/core.py",))
    edited = plan_after({"src/core.py": EDITED_DOUBLE}, data)
    assert "src/core.py changed and was read as data while pytest collected" in edited.full_reason


@pytest.mark.parametrize(
    "edited",
    [
        EDITED_DOUBLE.replace("def limit():", "# a comment\ndef limit():"),  # between functions
        EDITED_DOUBLE.replace("    return LIMIT", "    # why\n    return LIMIT"),  # in another
        EDITED_DOUBLE.replace("def double(x):", "def double(x):  # twice"),  # its signature
    ],
)
def test_a_body_edit_with_layout_changes_elsewhere_runs_everything(edited: str) -> None:
    """The kept coverage data of other functions could not be placed line by line."""
    assert fingerprint(edited).skeleton == fingerprint(CORE).skeleton
    assert "cannot be placed" in plan_after({"src/core.py": edited}).full_reason


def test_failed_spawning_and_fixture_sharing_tests_run_again() -> None:
    tests = {
        "tests/test_other.py::test_failed": record((), ok=False),
        "tests/test_other.py::test_spawns": record((), spawns=True),
        "tests/test_core.py::test_donor": record(),
        "tests/test_other.py::test_shares": record((), donors=("tests/test_core.py::test_donor",)),
        "tests/test_other.py::test_free": record(()),
    }
    edited = CORE.replace("return 2 * x", "return 3 * x")
    result = plan_after({"src/core.py": edited}, stored(tests))
    assert result.unaffected == {"tests/test_other.py::test_free"}


@pytest.mark.parametrize(
    ("edits", "reason"),
    [
        ({"src/core.py": CORE.replace("LIMIT = 10", "LIMIT = 11")}, "outside function bodies"),
        ({"src/core.py": CORE + "def broken(:\n"}, "does not parse"),
        ({"pyproject.toml": ""}, "pyproject.toml changed (configuration"),
        ({"uv.lock": ""}, "uv.lock changed (configuration"),
        ({"tests/conftest.py": ""}, "tests/conftest.py changed (configuration"),
        ({"setup.cfg": ""}, "setup.cfg changed (configuration"),
        ({"tests/pytest.ini": ""}, "tests/pytest.ini changed (configuration"),  # nearer: pytest's
        ({".coveragerc": ""}, ".coveragerc changed (configuration"),
        ({"Makefile": ""}, "Makefile changed (configuration"),  # it may export variables
        ({"src/data/.gitignore": ""}, "src/data/.gitignore changed (configuration"),
        ({"requirements-dev.txt": ""}, "requirements-dev.txt changed (configuration"),
        ({".python-version": ""}, ".python-version changed (configuration"),
        ({"tests/support.py": ""}, "tests/support.py changed (Python code"),  # a helper module
        ({"benchmarks/bench.py": ""}, "benchmarks/bench.py changed (Python code"),
        ({"scripts/tool": "#!/usr/bin/env python3\nprint(1)\n"}, "scripts/tool changed (Python"),
        ({"src/runbook/selection/impact.py": ""}, "the test selection itself"),
    ],
)
def test_changes_the_selection_cannot_see_through_run_everything(
    edits: dict[str, str], reason: str
) -> None:
    digests = {**FILES, "src/runbook/selection/impact.py": "m1"}
    data = replace(stored(), files=digests)
    assert reason in plan_after(edits, data, dict(digests)).full_reason


def test_configuration_names_every_file_the_gate_cache_counts_as_configuration() -> None:
    """The files every gate's cache key counts (runbook.running.cache) configure the tests too."""
    assert set(cache.ALWAYS_READ) <= files.CONFIGURATION


def test_a_data_file_change_reruns_the_tests_that_read_it() -> None:
    """A data file counts whole for a test that opened it (in its process, or in a followed
    child: both are its ``read``), declared it (``child_reads``: in its ``touched``), or used a
    cache entry a reader computed (a donor); the tests that always run still do."""
    sample = "tests/data/sample.json"
    tests = {
        "tests/test_core.py::test_reads": record((), read=(sample,)),
        "tests/test_core.py::test_double": record(),  # runs code, reads nothing
        "tests/test_other.py::test_declares": record((sample,), functions={}),
        "tests/test_other.py::test_spawns": record((), spawns=True),  # undeclared children
        "tests/test_other.py::test_failed": record((), ok=False),
        "tests/test_other.py::test_cached": record((), donors=("tests/test_core.py::test_reads",)),
        "tests/test_other.py::test_lost_donor": record((), donors=("tests/test_gone.py::test_x",)),
        "tests/test_other.py::test_reads_another": record((), read=("docs/guide.md",)),
    }
    result = plan_after({sample: '{"limit": 11}'}, stored(tests))
    assert result.full_reason == ""
    assert result.unaffected == {
        "tests/test_core.py::test_double",
        "tests/test_other.py::test_reads_another",
    }
    assert result.collect == {"tests/test_core.py", "tests/test_other.py"}
    assert result.moved == {}  # no module's lines moved: the kept data stays where it is
    # Package data (under src/PACKAGE/) counts for every test that ran the package's code too:
    # what the package derived from it may be kept in module state a later test uses unread.
    tests["tests/test_other.py::test_package_data"] = record((), read=("src/data/table.json",))
    tests["tests/test_other.py::test_runs_data"] = record(("src/data/rows.py",), functions={})
    result = plan_after({"src/data/table.json": "[]"}, stored(tests))
    assert result.unaffected == {
        "tests/test_core.py::test_reads",
        "tests/test_core.py::test_double",  # src/core.py: not in the package
        "tests/test_other.py::test_declares",
        "tests/test_other.py::test_cached",
        "tests/test_other.py::test_reads_another",
    }


def test_a_data_file_no_test_read_runs_no_test() -> None:
    """The manual, for one: only a gate outside pytest or the format gate reads it."""
    assert plan_after({"docs/guide.md": "edited"}) == impact.Plan(unaffected=frozenset(TESTS))


def test_a_data_file_change_runs_everything_where_the_selection_cannot_see_its_readers() -> None:
    """Read while pytest collected (before any test), read by a test that imported project
    modules during the test (import-time code may have kept what it read for later tests), or
    collected as tests by pytest itself (a ``test*.txt`` doctest file)."""
    data = replace(stored(), collection_reads=("docs/guide.md",))
    assert (
        "read as data while pytest collected" in plan_after({"docs/guide.md": ""}, data).full_reason
    )
    tests = {
        **TESTS,
        "tests/test_core.py::test_reads": record((), lazy=True, read=("docs/guide.md",)),
    }
    edited = plan_after({"docs/guide.md": ""}, stored(tests))
    assert "imports project modules during the test and docs/guide.md changed" in edited.full_reason
    tests = {**TESTS, "tests/test_notes.txt::test_notes.txt": record(())}
    edited = plan_after({"tests/test_notes.txt": ">>> 1\n2\n"}, stored(tests))
    assert "tests/test_notes.txt changed and pytest collected tests from it" in edited.full_reason


def test_new_and_deleted_files_run_everything() -> None:
    added = plan(stored(), {**FILES, "src/new.py": "n"}, SOURCES.__getitem__)
    assert added.full_reason == "new file src/new.py"
    files = dict(FILES)
    del files["src/other.py"]
    assert plan(stored(), files, SOURCES.__getitem__).full_reason == "deleted file src/other.py"


def test_a_function_that_runs_at_import_time_runs_everything() -> None:
    double_body = fingerprint(CORE).functions["double"].first
    data = stored(import_lines=frozenset({double_body}))
    edited = plan_after({"src/core.py": CORE.replace("return 2 * x", "return 3 * x")}, data)
    assert "double changed and runs at import time" in edited.full_reason
    # Only the def line ran at import: a body edit is still selective.
    data = stored(import_lines=frozenset({double_body - 1}))
    edited = plan_after({"src/core.py": CORE.replace("return 2 * x", "return 3 * x")}, data)
    assert edited.full_reason == ""


def test_a_cached_function_body_is_selected_and_another_decorator_runs_everything() -> None:
    cached = "import functools\n" + CORE.replace(
        "def double(x):", "@functools.cache\ndef double(x):"
    )
    data = replace(stored(), prints={"src/core.py": fingerprint(cached)})
    edited = plan_after({"src/core.py": cached.replace("return 2 * x", "return 3 * x")}, data)
    assert edited.full_reason == ""
    assert edited.unaffected == {
        "tests/test_other.py::test_triple",
        "tests/test_other.py::test_nothing",
    }
    registered = "import app\n" + CORE.replace("def double(x):", "@app.route\ndef double(x):")
    data = replace(stored(), prints={"src/core.py": fingerprint(registered)})
    edited = plan_after({"src/core.py": registered.replace("return 2 * x", "return 3 * x")}, data)
    assert "decorated function double" in edited.full_reason


def test_a_test_that_used_a_cache_entry_reruns_when_its_filler_ran_the_edit() -> None:
    """Its donor (the test that computed the entry) executed the changed function."""
    tests = {
        **TESTS,
        "tests/test_other.py::test_hits": record((), donors=("tests/test_core.py::test_double",)),
    }
    edited = plan_after({"src/core.py": EDITED_DOUBLE}, stored(tests))
    assert "tests/test_other.py::test_hits" not in edited.unaffected


def test_a_test_that_imports_project_code_during_the_test_makes_an_edit_run_everything() -> None:
    tests = {**TESTS, "tests/test_core.py::test_double": record(lazy=True)}
    edited = plan_after(
        {"src/core.py": CORE.replace("return 2 * x", "return 3 * x")}, stored(tests)
    )
    assert "imports project modules during the test" in edited.full_reason


def test_an_edited_test_module_runs_its_tests_and_those_of_modules_importing_it() -> None:
    result = plan_after({"tests/test_core.py": "import core\ndef helper(): ...\n"})
    assert result.unaffected == frozenset()
    result = plan_after({"tests/test_other.py": SOURCES["tests/test_other.py"] + "# why\n"})
    assert result.unaffected == {"tests/test_core.py::test_double"}


TEST_MODULE = """\
import json

import pytest

from core import double

CASES = [1, 2]


def cases():
    return [(x, 2 * x) for x in CASES]


TABLE = cases()


@pytest.fixture(scope="module")
def limit():
    return 10


@pytest.mark.parametrize(("x", "y"), [(1, 2), pytest.param(3, 6, marks=pytest.mark.slow)])
def test_double(x: int, y: int) -> None:
    assert double(x) == y


class TestBox:
    def test_size(self, limit):
        assert limit == 10
"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("CASES = [1, 2]", "CASES = [1, 2]\njson.dumps = repr"),  # patches a library
        ("import json", "import json\nimport os"),  # an import
        ("CASES = [1, 2]", "CASES = [1, 2, 3]"),  # a constant
        (
            "    return [(x, 2 * x)",
            "    json.loads('1')\n    return [(x, 2 * x)",
        ),  # called at import
        ("[(1, 2), pytest", "double.cases() + [pytest"),  # a decorator that calls code
        ("def test_size(self, limit):", "def test_size(self, limit=double(1)):"),  # a default
        ("class TestBox:", "class TestBox(Base):"),  # a class statement
        ("\ndef test_double", "\n@json.loads\ndef test_double"),  # a decorator calling a library
    ],
)
def test_a_test_modules_top_level_code_is_import_time_code(old: str, new: str) -> None:
    """What runs when pytest imports a test module can change any later test (a library
    attribute patched at collection broke ten tests of other modules): as in src/, a change to
    it runs the whole suite."""
    data = replace(
        stored(), test_imports={"tests/test_core.py": importprint.test_import_print(TEST_MODULE)}
    )
    assert old in TEST_MODULE
    result = plan_after({"tests/test_core.py": TEST_MODULE.replace(old, new)}, data)
    assert "tests/test_core.py changed outside its tests' bodies" in result.full_reason


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    assert double(x) == y", "    assert double(x) == y + 0"),  # a test's body
        ("        assert limit == 10", "        assert limit > 9"),  # a method's body
        ("    return 10", "    return 11"),  # a fixture's body
        ("def test_double", "def test_twice"),  # a renamed test
        ("def test_double(x: int, y: int)", "def test_double(x: int, y: int, limit: int)"),
        ("\nclass TestBox", "\n@pytest.mark.slow\ndef test_new():\n    pass\n\n\nclass TestBox"),
        ("CASES = [1, 2]", "CASES = [1, 2]  # a comment"),
        ('scope="module"', 'scope="session"'),  # pytest's decorators record, they run nothing
    ],
)
def test_a_test_modules_test_bodies_and_new_tests_rerun_only_its_tests(old: str, new: str) -> None:
    data = replace(
        stored(), test_imports={"tests/test_core.py": importprint.test_import_print(TEST_MODULE)}
    )
    assert old in TEST_MODULE
    result = plan_after({"tests/test_core.py": TEST_MODULE.replace(old, new)}, data)
    assert result.full_reason == ""
    assert result.collect == {"tests/test_core.py", "tests/test_other.py"}  # test_other imports it


def test_stored_data_round_trips_and_bad_data_is_an_error() -> None:
    data = stored()
    text = json.dumps(data.to_json())
    assert Stored.loads(text) == data
    with pytest.raises(SelectionDataError, match="unreadable"):
        Stored.loads(text[: len(text) // 2])  # truncated
    with pytest.raises(SelectionDataError, match="schema"):
        Stored.loads(json.dumps({**data.to_json(), "schema": 0}))
    with pytest.raises(SelectionDataError, match="malformed"):
        Stored.loads(json.dumps({**data.to_json(), "tests": {"t": {"ok": True}}}))
    with pytest.raises(SelectionDataError, match="malformed"):
        Stored.loads("[]")
    raw = data.to_json()
    raw["prints"]["src/core.py"]["functions"]["double"] = ["b", 1, 2, True]  # schema 1
    with pytest.raises(SelectionDataError, match="malformed"):
        Stored.from_json(raw)


SIGNED = """\
from __future__ import annotations

import app
import functools


def fold(text: str, limit: int = 2) -> str:
    return text[:limit]


def caller(text):
    return fold(text)


def quiet(text):
    return text


@functools.cache
def cached(n: int = 1) -> int:
    return n


@app.route
def routed(n: int = 1) -> int:
    return n


async def later(x: int) -> int:
    return x


def numbers(n: int):
    yield n


def one(x: int) -> int: return x


class Box:
    def size(self, n: int = 1) -> int:
        return n
"""
EVALUATED = "def scale(x: int, factor: int = 2) -> int:\n    return x * factor\n"
"""A module without ``from __future__ import annotations``: its annotations run at import."""
SIGNED_SOURCES = {
    "src/core.py": SIGNED,
    "src/plain.py": EVALUATED,
    "src/other.py": '"""Helpers; none calls ``fold``."""\n',
    "tests/test_core.py": "from core import quiet\n\n\ndef test_quiet():\n    quiet('a')\n",
    "tests/test_fold.py": "from core import fold\n\n\ndef test_fold():\n    fold('abc')\n",
    "tests/test_api.py": "import core\n\n\ndef test_caller():\n    core.caller('x')\n",
    "tests/test_other.py": "import plain\n\n\ndef test_none():\n    plain.scale(1)\n",
    "tests/support.py": "",
}
SIGNED_TESTS = {
    "tests/test_core.py::test_quiet": record(functions={"src/core.py": ("quiet",)}),
    "tests/test_fold.py::test_fold": record(functions={"src/core.py": ("fold",)}),
    # It ran caller but not fold: say its call of fold did not bind (it expected a TypeError).
    "tests/test_api.py::test_caller": record(functions={"src/core.py": ("caller",)}),
    "tests/test_other.py::test_none": record(("src/plain.py",), functions={"src/plain.py": ()}),
}


def signed_plan(
    path: str,
    old: str,
    new: str,
    sources: dict[str, str] | None = None,
    import_lines: frozenset[int] = frozenset(),
) -> impact.Plan:
    """The plan after replacing ``old`` by ``new`` in ``path`` of ``SIGNED_SOURCES`` (plus
    ``sources``: files present, unchanged, in the full run too)."""
    before = {**SIGNED_SOURCES, **(sources or {})}
    assert old in before[path]
    after = {**before, path: before[path].replace(old, new)}
    data = Stored(
        environment="env",
        root="/r",
        files=dict.fromkeys(before, "d"),
        prints={p: fingerprint(s) for p, s in before.items() if p.startswith("src/")},
        import_lines={"src/core.py": import_lines},
        tests=dict(SIGNED_TESTS),
        coverage_db="coverage-x.db",
        test_imports=importprint.test_import_prints(before, before.__getitem__),
    )
    return plan(data, {**data.files, path: "edited"}, after.__getitem__)


FOLD = "def fold(text: str, limit: int = 2) -> str:"


def test_a_signature_change_keeps_the_frame_and_what_defining_it_runs() -> None:
    edited = SIGNED.replace(FOLD, "def fold(text: str, limit: int = 3, *, end: str = '') -> None:")
    before, after = fingerprint(SIGNED), fingerprint(edited)
    assert before.skeleton != after.skeleton
    assert before.frame == after.frame
    assert before.functions["fold"].signature != after.functions["fold"].signature
    assert before.functions["fold"].defining == after.functions["fold"].defining
    # Import-time code whatever the change: a method, an async def, a generator, a one-liner.
    assert [n for n, f in before.functions.items() if not f.defining] == [
        "later",
        "numbers",
        "one",
        "Box.size",
    ]


def test_a_signature_change_reruns_the_tests_of_the_function_and_of_its_callers() -> None:
    """As a body change, plus the tests that ran a function calling it and every test of a test
    module calling it: a call that stops (or starts) binding fails before the function runs."""
    result = signed_plan(
        "src/core.py",
        FOLD,
        "def fold(text: str, limit: int = 3, *, end: str | None = None) -> str | None:",
    )
    assert result.full_reason == ""
    assert result.unaffected == {"tests/test_core.py::test_quiet", "tests/test_other.py::test_none"}
    assert result.collect == {"tests/test_fold.py", "tests/test_api.py"}
    moved = result.moved["src/core.py"]
    assert moved[7] == 7  # the def line, which ran at import
    assert 8 not in moved  # the body: no test kept data there
    assert moved[11] == 11  # caller's def


@pytest.mark.parametrize(
    ("path", "old", "new", "reason"),
    [
        # A literal default, without the future import: selected (annotations unchanged).
        ("src/plain.py", "factor: int = 2", "factor: int = -3", ""),
        ("src/plain.py", "factor: int = 2", "factor: float = 2", "an annotation, evaluated"),
        ("src/core.py", "limit: int = 2", "limit: int = len('ab')", "not a literal"),
        ("src/core.py", "def cached(n: int = 1)", "def cached(n: int = 2)", ""),  # functools
        ("src/core.py", "def routed(n: int = 1)", "def routed(n: int = 2)", "decorated function"),
        ("src/core.py", "def later(x: int)", "def later(x: str)", "an async def"),
        ("src/core.py", "def numbers(n: int)", "def numbers(n: str)", "a generator"),
        ("src/core.py", "def one(x: int)", "def one(x: str)", "a one-line def"),
        ("src/core.py", "def size(self, n: int = 1)", "def size(self, n: int = 2)", "outside"),
        # A default moved to a line of its own: import runs it there (placed: no)
        ("src/core.py", FOLD, "def fold(\n    text: str,\n    limit: int = 3,\n) -> str:", "lines"),
    ],
)
def test_a_signature_change_is_selected_only_when_defining_the_function_runs_nothing_new(
    path: str, old: str, new: str, reason: str
) -> None:
    result = signed_plan(path, old, new)
    assert (reason in result.full_reason) if reason else result.full_reason == ""


CALLS_FOLD = "from core import fold\n\n\ndef helper():\n    return fold('x')\n"


@pytest.mark.parametrize(
    ("path", "source", "reason"),
    [
        ("src/other.py", "from core import fold\n\n\ndef pick():\n    return fold\n", "used other"),
        ("src/other.py", "from core import fold as f\n", "imported as f"),
        (
            "src/other.py",
            "import mock\n\n\ndef m():\n    return mock.patch('core.fold')\n",
            "names it",
        ),
        (
            "src/other.py",
            "from core import fold\n\nFOLDED = fold('x')\n",
            "outside a function body",
        ),
        ("src/other.py", "import inspect\n", "may read signatures without a call (inspect)"),
        ("src/other.py", "def hints(f):\n    return f.__annotations__\n", "(__annotations__)"),
        ("src/other.py", "import mock\n\n\ndef m(f):\n    return mock.Mock(spec=f)\n", "(spec=)"),
        ("tests/support.py", CALLS_FOLD, "only calls in a module under src/"),
        ("tests/test_other.py", "from core import fold\n\nTABLE = fold('x')\n", "at collection"),
        ("tests/test_other.py", CALLS_FOLD + "\n\nTABLE = helper()\n", "at collection"),
    ],
)
def test_a_signature_change_runs_everything_when_other_code_could_see_the_signature(
    path: str, source: str, reason: str
) -> None:
    """A use other than a call hands the function to code that could read its signature
    (``inspect``, a mock's spec, a registry): as it would not run again, the whole suite does."""
    result = signed_plan("src/core.py", FOLD, FOLD.replace("= 2", "= 3"), {path: source})
    assert reason in result.full_reason, result.full_reason


def test_a_signature_change_of_a_function_or_caller_that_ran_at_import_runs_everything() -> None:
    core = fingerprint(SIGNED)
    edit = (FOLD, FOLD.replace("= 2", "= 3"))
    ran_fold = frozenset({core.functions["fold"].first})
    assert (
        "fold changed and runs at import time"
        in signed_plan("src/core.py", *edit, import_lines=ran_fold).full_reason
    )
    ran_caller = frozenset({core.functions["caller"].first})
    result = signed_plan("src/core.py", *edit, import_lines=ran_caller)
    assert "its caller src/core.py:caller runs at import time" in result.full_reason


TREE = {
    "src/pkg/__init__.py": "",
    "src/pkg/a.py": "def f():\n    return 1\n",
    "src/pkg/b.py": "import functools\n\n\n@functools.cache\ndef g():\n    return 2\n",
    "src/pkg/broken.py": "def (\n",  # does not parse: no print, before or after
    "tests/test_a.py": "from pkg.a import f\n\n\ndef test_f():\n    assert f() == 1\n",
    "tests/helper.py": "VALUE = 1\n",
    **dict.fromkeys(store.FINGERPRINTING, "# fingerprinting\n"),
}


def tree_files(root: Path, tree: dict[str, str]) -> dict[str, str]:
    for path, text in tree.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return {path: hashlib.sha256(text.encode()).hexdigest() for path, text in tree.items()}


def test_a_full_run_prints_only_what_changed_since_the_earlier_data_and_gets_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prints of the files unchanged since the stored data are taken from it, as read back
    from meta.json; every print is what printing all the files gives."""
    printed: list[str] = []
    real = fingerprint_module.fingerprint

    def counting(source: str) -> fingerprint_module.SourcePrint:
        printed.append(source)
        return real(source)

    monkeypatch.setattr(fingerprint_module, "fingerprint", counting)
    first = tree_files(tmp_path, TREE)
    prints, test_imports = store.prints_of(tmp_path, first, None, "env")
    assert "src/pkg/broken.py" not in prints
    assert set(test_imports) == {"tests/test_a.py"}
    earlier = Stored.loads(
        json.dumps(
            Stored(
                environment="env",
                root=str(tmp_path),
                files=first,
                prints=prints,
                import_lines={},
                tests={},
                coverage_db="coverage-x.db",
                test_imports=test_imports,
            ).to_json()
        )
    )
    edited = {**TREE, "src/pkg/a.py": "def f():\n    return 3\n", "src/pkg/c.py": "X = 1\n"}
    files = tree_files(tmp_path, edited)
    fresh = store.prints_of(tmp_path, files, None, "env")
    assert fresh[0]["src/pkg/a.py"] != prints["src/pkg/a.py"]  # the edit shows
    printed.clear()
    assert store.prints_of(tmp_path, files, earlier, "env") == fresh
    assert printed == [edited["src/pkg/a.py"], edited["src/pkg/c.py"]]  # only what changed
    for environment, changed in (("another env", {}), ("env", {store.FINGERPRINTING[0]: "#\n"})):
        files = tree_files(tmp_path, {**edited, **changed})
        printed.clear()
        assert store.prints_of(tmp_path, files, earlier, environment) == store.prints_of(
            tmp_path, files, None, environment
        )
        assert len(printed) == 2 * len([p for p in files if p.startswith("src/")])  # all, twice


def test_the_earlier_data_is_none_when_missing_or_unreadable(tmp_path: Path) -> None:
    selection = store.SelectionStore(tmp_path)
    assert selection.earlier() is None
    selection.directory.mkdir(parents=True)
    (selection.directory / store.META).write_text("{not json")
    assert selection.earlier() is None
