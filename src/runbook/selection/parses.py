"""coverage.py's analysis of each source file's text, kept from one verdict to the next.

Every report of the tests gate's verdict analyses every measured file (``verdict.AnalysedOnce``
does it once per verdict): it parses the source (``ast.parse`` and a tokenize pass), finds its
possible arcs and, for the JSON report, its functions and classes. That depends on the file's
text, the exclusion pattern and the versions of coverage.py and Python, not on the coverage
data; yet every verdict parsed all ~90 files of ``src/`` again, most of them unchanged since the
last run: about 70 % of the CPU its reports took, on the way to every verdict (issue 21: patch to
verdict).

``KeptParses`` holds, per file, coverage.py's ``PythonParser`` once it has parsed and analysed
the arcs (it then holds no syntax tree, only sets and maps of line numbers) and the file's code
regions, under a key of everything they depend on; a file whose key it lacks is parsed as
before. ``save`` writes the entries the verdict used, so the file follows the tree. A report from
kept parses is byte for byte the report from fresh ones (tests/test_testgate.py).

The entries are a pickle in ``.runbook/selection/`` that only this gate writes: whoever can
write there can as well edit the tests the gate runs. A file that cannot be read is said in a
notice, counts as empty and is replaced.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import coverage
from coverage.misc import join_regex
from coverage.parser import PythonParser
from coverage.plugin import CodeRegion
from coverage.python import PythonFileReporter
from coverage.regions import code_regions
from coverage.types import TMorf

from runbook.records import atomic

PARSES = Path(".runbook") / "selection" / "parses.pickle"
FORMAT = 1
"""Raised when what an entry holds changes: every key changes with it."""
DERIVED = frozenset({"text", "_first_line_cache"})
"""Parser attributes not kept: the text is the file's (read for the key anyway), the cache of
first lines fills again as it is used."""
UNREADABLE = (
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    IndexError,
    TypeError,
    ValueError,
)
"""What ``pickle.loads`` raises for a file it cannot turn back into objects."""


@dataclass
class Entry:
    """What is kept of one file's text: the parser's other attributes, and its code regions
    (each once something asked for it)."""

    parser: dict[str, Any] | None = None
    regions: list[CodeRegion] | None = None


class KeptParses:
    """The kept analyses (``load``) and those this verdict used (``save`` keeps the latter)."""

    def __init__(self, path: Path, entries: dict[str, Entry] | None = None) -> None:
        self.path = path
        self.kept: dict[str, Entry] = entries or {}
        self.used: dict[str, Entry] = {}
        self.changed = False
        """Something was analysed anew: what is kept changes."""

    @classmethod
    def load(cls, path: Path) -> tuple[KeptParses, str]:
        """The entries in ``path`` (none when it does not exist), and a problem for a notice
        ("" when none): a file that cannot be read counts as empty and is replaced."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path), ""
        except OSError as exc:
            return cls(path), f"cannot read {path}: {exc}"
        try:
            entries: object = pickle.loads(data)  # noqa: S301 (this gate's own file: see above)
        except UNREADABLE as exc:
            return cls(path), f"{path} is unreadable ({exc!r}); it is replaced"
        if not isinstance(entries, dict) or not all(
            isinstance(entry, Entry) for entry in cast(dict[object, object], entries).values()
        ):
            return cls(path), f"{path} holds something else than kept parses; it is replaced"
        return cls(path, cast(dict[str, Entry], entries)), ""

    def entry(self, filename: str, text: str, exclude: str) -> Entry:
        """The entry of this text (a new, empty one when none is kept), marked used."""
        key = hashlib.sha256(
            repr((FORMAT, coverage.__version__, sys.version, filename, exclude, text)).encode(
                "utf-8", "surrogateescape"
            )
        ).hexdigest()
        found = self.used.get(key) or self.kept.get(key) or Entry()
        self.used[key] = found
        return found

    def parser(self, filename: str, text: str, exclude: str, *, arcs: bool) -> PythonParser:
        """The file's parser as coverage.py makes it (``parse_source``; with ``arcs``, the arc
        analysis too), from the kept entry when there is one. A text coverage.py cannot parse
        raises its ``NotPython`` here as there, and nothing is kept of it."""
        entry = self.entry(filename, text, exclude)
        parser = PythonParser(text=text, filename=filename, exclude=exclude)
        if entry.parser is not None:
            parser.__dict__.update(entry.parser)
            return parser
        parser.parse_source()
        if arcs:  # kept whole only: a kept parser never needs its syntax tree again
            parser.arcs()
            entry.parser = {k: v for k, v in vars(parser).items() if k not in DERIVED}
            self.changed = True
        return parser

    def regions(self, filename: str, text: str, exclude: str) -> list[CodeRegion]:
        """The file's functions and classes (``coverage.regions.code_regions``), kept."""
        entry = self.entry(filename, text, exclude)
        if entry.regions is None:
            entry.regions = code_regions(text)
            self.changed = True
        return entry.regions

    def save(self) -> None:
        """Keep what this verdict used, when that is not what was kept already."""
        if not self.changed and self.used.keys() == self.kept.keys():
            return
        used = {k: e for k, e in self.used.items() if e.parser is not None or e.regions}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(self.path, pickle.dumps(used, protocol=pickle.HIGHEST_PROTOCOL))


class KeptFileReporter(PythonFileReporter):
    """coverage.py's reporter for a Python file, taking the file's analysis from ``kept``."""

    def __init__(self, morf: TMorf, cov: coverage.Coverage, kept: KeptParses) -> None:
        super().__init__(morf, cov)
        self.kept = kept
        self.cov = cov

    def exclude(self) -> str:
        """The exclusion pattern coverage.py's own reporter parses with."""
        return join_regex(self.cov.config.exclude_list)

    @property
    def parser(self) -> PythonParser:
        if self._parser is None:
            arcs = self.cov.get_data().has_arcs()
            self._parser = self.kept.parser(self.filename, self.source(), self.exclude(), arcs=arcs)
        return self._parser

    def code_regions(self) -> list[CodeRegion]:
        return self.kept.regions(self.filename, self.source(), self.exclude())
