"""Short texts in every language and code page of the corpus: right, wrong and refused readings.

Usage: python benchmarks/sweep_short_texts.py [--show-wrong]
Not a test: it prints counts. Also run by ``bench_ingestion.py``.

The texts are cut from the corpus paragraphs (``tests/ingestion_corpus.py``, both parts): each
word, and character windows at several offsets, of 1-8 bytes ("tiny"), and windows of about
20, 50, 100 and 200 bytes ("short"), in each code page the language was written in. Only texts
with at least one byte >= 0x80 count (ASCII is UTF-8 by definition). A wrong reading is text
returned that is not the text written: silent mojibake. A refusal is an error naming the file.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from ingestion_corpus import DEVELOPMENT, HELD_OUT  # noqa: E402

from ingestion import (  # noqa: E402
    AmbiguousEncodingError,
    BinaryFileError,
    TextDecodeError,
    UnknownEncodingError,
    read_text,
)

_PUNCTUATION = ".,;:!?()\"'«»„“”。、\uff0c"
_SHORT_SIZES = (20, 50, 100, 200)
_OFFSETS = 6


def _windows(paragraph: str, codec: str, low: int, high: int) -> Iterator[str]:
    """Character windows of ``low``..``high`` encoded bytes, from a few spread offsets."""
    step = max(1, len(paragraph) // _OFFSETS)
    for start in range(0, len(paragraph), step):
        text = ""
        for char in paragraph[start:]:
            longer = text + char
            if len(longer.encode(codec)) > high:
                break
            text = longer
        if low <= len(text.encode(codec)) and text.strip():
            yield text


def texts(size: str) -> Iterator[tuple[str, str, str]]:
    """(label, text, codec) for every language and code page of both corpus parts."""
    seen: set[tuple[str, str]] = set()
    for part, corpus in (("dev", DEVELOPMENT), ("held", HELD_OUT)):
        for language, (codecs, paragraph) in corpus.items():
            for codec in (*codecs, "utf-8"):
                try:
                    paragraph.encode(codec)
                except UnicodeEncodeError:
                    continue
                found: list[str] = []
                if size == "tiny":
                    found += [w.strip(_PUNCTUATION) for w in paragraph.split()]
                    for high in (2, 4, 6, 8):
                        found += _windows(paragraph, codec, 1, high)
                    found = [t for t in found if t and len(t.encode(codec)) <= 8]
                else:
                    for high in _SHORT_SIZES:
                        found += _windows(paragraph, codec, high * 3 // 4, high)
                for text in found:
                    data = text.encode(codec)
                    if data.isascii() or (text, codec) in seen:
                        continue
                    seen.add((text, codec))
                    yield f"{part}:{language}:{codec}", text, codec


def _reads(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


Reader = Callable[[Path], str | None]


def sweep(
    size: str, reader: Reader | None = None, *, show_wrong: bool = False
) -> dict[str, Counter[str]]:
    """Counts per kind of file: legacy code pages, and the same texts in UTF-8.

    ``reader`` (another detector: the text, or None for a refusal) replaces ``read_text``; for
    ``read_text``, refusals whose error names no codec that reads the text right are counted.
    """
    tallies: dict[str, Counter[str]] = {"legacy": Counter(), "utf-8": Counter()}
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "short.txt"
        for label, text, codec in texts(size):
            data = text.encode(codec)
            counts = tallies["utf-8" if codec == "utf-8" else "legacy"]
            path.write_bytes(data)
            got = _ours(path, data, text, counts) if reader is None else reader(path)
            if got is None:
                counts["refused"] += 1
            elif got == text:
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                if show_wrong:
                    print(f"  WRONG {label} {data!r} {text!r} -> {got!r}")
    return tallies


def _ours(path: Path, data: bytes, text: str, counts: Counter[str]) -> str | None:
    """read_text's text, or None for a refusal; a refusal that names no codec reading the text
    right (among the ambiguous error's codecs, or the closest readings no codec passed) counts
    as "unnamed"."""
    try:
        return read_text(path)[0]
    except (AmbiguousEncodingError, UnknownEncodingError) as error:
        named = (
            (error.encoding, error.rival, *error.others)
            if isinstance(error, AmbiguousEncodingError)
            else tuple(reading.encoding for reading in error.readings)
        )
        if not any(_reads(data, codec) == text for codec in named):
            counts["unnamed"] += 1
        return None
    except (BinaryFileError, TextDecodeError):
        return None


def main(readers: dict[str, Reader | None] | None = None) -> None:
    """Print the counts for ``read_text`` (None) and any other readers, in one run."""
    show = "--show-wrong" in sys.argv
    for title, reader in (readers or {"read_text(auto)": None}).items():
        for size, what in (("tiny", "1-8 bytes"), ("short", "~20-200 bytes")):
            for kind, counts in sweep(size, reader, show_wrong=show).items():
                total = counts["right"] + counts["wrong"] + counts["refused"]
                named = "" if reader else f" (no right codec named: {counts['unnamed']})"
                print(
                    f"short-text sweep, {title:18} {size:5} ({what}), {kind:6}: {total:4} "
                    f"texts; right {counts['right']:4}, wrong {counts['wrong']:4}, "
                    f"refused {counts['refused']:4}{named}"
                )


if __name__ == "__main__":
    main()
