"""The verdict's kept analyses (runbook.selection.parses): reports from kept analyses are byte for
byte those of a coverage.py that analyses every file afresh, a file is analysed again exactly
when its text changed, and a kept file that cannot be read is said and replaced."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from coverage import Coverage, CoverageData
from coverage.parser import PythonParser

from runbook.selection import verdict
from runbook.selection.parses import PARSES, KeptParses
from support import report_texts

FIRST = """\
def f(x):
    if x:
        return 1
    return 2


class C:
    def m(self):
        return f(0)


f(1)
"""
SECOND = "def g():\n    return 3\n\n\nif __name__ == 'x':\n    g()\n"
KINDS = ("term-missing", "json", "xml")


def project(root: Path) -> Path:
    """Two measured modules with branch data; the data file."""
    (root / "pyproject.toml").write_text("[tool.coverage.run]\nbranch = true\n")
    first, second = root / "m.py", root / "n.py"
    first.write_text(FIRST)
    second.write_text(SECOND)
    data = CoverageData(str(root / "data.db"))
    data.add_arcs({str(first): {(-1, 1), (1, 7), (7, 12), (12, -1), (-2, 2), (2, 3), (3, -2)}})
    data.add_arcs({str(second): {(-1, 1), (1, 5), (5, -1)}})
    data.write()
    return root / "data.db"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files coverage.py parses from here on."""
    seen: list[str] = []
    parse = PythonParser.parse_source

    def counted(self: PythonParser) -> None:
        seen.append(Path(self.filename).name)
        parse(self)

    monkeypatch.setattr(PythonParser, "parse_source", counted)
    return seen


def test_reports_from_kept_analyses_are_those_of_fresh_ones(
    tmp_path: Path, parsed: list[str]
) -> None:
    data = project(tmp_path)
    config = str(tmp_path / "pyproject.toml")

    def kept_reports() -> list[str]:
        kept, problem = KeptParses.load(tmp_path / PARSES)
        assert problem == ""
        texts = report_texts(
            verdict.AnalysedOnce(data_file=str(data), config_file=config, kept=kept),
            tmp_path,
            KINDS,
        )
        kept.save()
        return texts

    def fresh_reports() -> list[str]:
        texts = report_texts(Coverage(data_file=str(data), config_file=config), tmp_path, KINDS)
        parsed.clear()
        return texts

    first = kept_reports()
    assert sorted(parsed) == ["m.py", "n.py"]  # nothing kept yet
    assert first == fresh_reports()
    assert kept_reports() == first
    assert parsed == []  # both kept
    (tmp_path / "n.py").write_text(SECOND.replace("return 3", "return 4\n    # more"))
    edited = kept_reports()
    assert parsed == ["n.py"]  # the edited file only
    assert edited == fresh_reports()
    assert edited != first
    assert all("m.py" in text and "n.py" in text for text in edited)


def test_an_unreadable_kept_file_is_said_and_replaced(tmp_path: Path) -> None:
    data = project(tmp_path)
    out = io.StringIO()
    before = verdict.report(tmp_path, data, 50, ["term"], out)
    assert "kept analyses" not in out.getvalue()
    (tmp_path / PARSES).write_bytes(b"not a pickle")
    out = io.StringIO()
    assert verdict.report(tmp_path, data, 50, ["term"], out) == before
    assert f"coverage: the kept analyses are not used: {tmp_path / PARSES} is unreadable" in (
        out.getvalue()
    )
    kept, problem = KeptParses.load(tmp_path / PARSES)
    assert problem == ""
    assert len(kept.kept) == 2
