"""Accuracy and speed of ``read_text(encoding="auto")`` against charset-normalizer and chardet.

Usage: python benchmarks/bench_ingestion.py [--accuracy] [CHAR_DATASET_DIR]
(default: $CHAR_DATASET, else ``../shared/data/char-dataset`` beside the repository; when it is
not there, the run says where it looked and goes on without it). ``--accuracy`` skips the 20 MB
timings. Not a test: it prints figures. Public text, when set: $INGESTION_HELDOUT (sentences,
``public_texts.py``) and $INGESTION_LABELLED (test files labelled by encoding,
``labelled_corpora.py``), each a list of directories, ``os.pathsep`` apart.

Accuracy, for each corpus and detector: exact text, wrong readings (text returned that is not
the file's: silent mojibake, or any text for a file that has none to give) and refusals (an
error), apart, and the time per file of one pass. The corpora: this project's own
(``tests/ingestion_corpus.py``: the development part the detector was tuned on, and the
held-out part written after it), char-dataset, the held-out sentences, and the labelled public
test files (chardet's ``<encoding>-<language>/<file>``, uchardet's ``<language>/<encoding>.txt``:
a file's text is its bytes in its label's codec; binary files, and files no Python codec reads
as labelled, EUC-TW or VISCII, have no text: refusing them is right). In each part of our
corpus and in the public set, the byte twins (Romanian bytes that are cedilla text in one code
page and comma-below text in another: refusing is the right answer) are also counted apart,
beside exact readings of the other files. Wrong readings of ours that are the text a browser
decodes for the label (WHATWG: GB2312 as GBK, TIS-620 as windows-874, ...), as ``read_text``
reads such labels, stay wrong and are named apart. Then the short-text sweep
(``sweep_short_texts.py``: words and fragments of 1-8 and 20-200 bytes).

Speed: 20 MB of varied legacy text per script (Latin, Cyrillic, Greek, Arabic, CJK) against
charset-normalizer, and 20 MB of UTF-8 (LF and CRLF) against a plain decode. Times are the
best of ``REPEATS`` runs (the machine is shared); peaks are tracemalloc's, as a multiple of
the file size.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from ingestion_corpus import DEVELOPMENT, HELD_OUT, Case, binaries, files  # noqa: E402
from labelled_corpora import cases as labelled_cases  # noqa: E402
from labelled_corpora import directories as labelled_directories  # noqa: E402
from labelled_corpora import label_of as labelled_label_of  # noqa: E402
from labelled_corpora import summary as labelled_summary  # noqa: E402
from public_texts import byte_twins  # noqa: E402
from public_texts import cases as public_cases  # noqa: E402
from sweep_short_texts import main as sweep_short_texts  # noqa: E402

from ingestion import (  # noqa: E402
    AmbiguousEncodingError,
    BinaryFileError,
    TextDecodeError,
    UnknownEncodingError,
    read_text,
)

DEFAULT_DATASET = ROOT.parent / "shared" / "data" / "char-dataset"
SIZE = 20 * 1024 * 1024
REPEATS = 3

Reader = Callable[[Path], str | None]


def fold(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.removeprefix("\ufeff")


def ours(path: Path) -> str | None:
    """The text, or None for a refusal: any of read_text's four errors about the bytes (a file
    that no codec reads, EUC-TW or VISCII, raises UnknownEncodingError)."""
    try:
        return read_text(path)[0]
    except (BinaryFileError, TextDecodeError, AmbiguousEncodingError, UnknownEncodingError):
        return None


def charset_normalizer_best(path: Path) -> str | None:
    import charset_normalizer  # noqa: PLC0415

    match = charset_normalizer.from_bytes(path.read_bytes()).best()
    return None if match is None else str(match)


def chardet_detect(path: Path) -> str | None:
    import chardet  # noqa: PLC0415  # pyright: ignore[reportMissingImports]

    data = path.read_bytes()
    encoding = str(chardet.detect(data)["encoding"] or "")  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


@dataclass(frozen=True)
class Tally:
    right: int
    wrong: int
    refused: int
    seconds: float
    misses: list[str]


def tally(reader: Reader, cases: list[tuple[Path, str | None]]) -> Tally:
    """Right, wrong and refused readings; one timed pass (per-file cost is seconds / files)."""
    right = wrong = refused = 0
    misses: list[str] = []
    start = time.perf_counter()
    results = [reader(path) for path, _ in cases]
    seconds = time.perf_counter() - start
    for (path, truth), text in zip(cases, results, strict=True):
        if truth is None:  # binary: any text is a wrong reading
            good, wrong = text is None, wrong + (text is not None)
        elif text is None:
            good, refused = False, refused + 1
        else:
            good = fold(text) == truth
            wrong += not good
        right += good
        if not good:  # with its folder: labelled corpora name files alike in each encoding
            misses.append(f"{path.parent.name}/{path.name}")
    return Tally(right, wrong, refused, seconds, misses)


def readers_available() -> dict[str, Reader]:
    """Ours and the two peers (chardet only when installed)."""
    readers: dict[str, Reader] = {
        "read_text(auto)": ours,
        "charset-normalizer": charset_normalizer_best,
    }
    try:
        import chardet  # noqa: F401, PLC0415  # pyright: ignore[reportUnusedImport, reportMissingImports]

        readers["chardet"] = chardet_detect
    except ImportError:
        print("chardet not installed: skipped")
    return readers


def report(
    title: str, cases: list[tuple[Path, str | None]], readers: dict[str, Reader] | None
) -> None:
    if not cases:  # nothing to divide by: a missing or empty folder is said, not a crash
        print(f"{title}: no files")
        return
    print(f"{title}: {len(cases)} files")
    for name, reader in (readers or readers_available()).items():
        result = tally(reader, cases)
        print(
            f"  {name:18} exact {result.right:4}/{len(cases)} "
            f"{100 * result.right / len(cases):5.1f}%  wrong {result.wrong:3}  "
            f"refused {result.refused:3}  {1000 * result.seconds / len(cases):6.2f} ms/file"
        )
        if name == "read_text(auto)" and result.misses:
            more = " ..." if len(result.misses) > 40 else ""
            print(f"    misses: {result.misses[:40]}{more}")
            named = {f"{path.parent.name}/{path.name}": path for path, _ in cases}
            browsers = [miss for miss in result.misses if read_as_browsers(named[miss])]
            if browsers:
                print(f"    of the wrong, read as browsers read the label: {browsers}")


# Labels the WHATWG Encoding Standard (browsers) decodes with another codec that reads some bytes
# otherwise, as ``read_text`` reads them (``ingestion.supersets``, ``ingestion.declared``): a
# file labelled GB2312 holding 0xA1AA holds GB 18030's em dash, a TIS-620 one with 0x93 a quote
# where Python's codec reads a C1 control. Such a reading is still counted wrong against the
# label; it is named apart so that a mislabel is told from mojibake.
BROWSERS_READ: dict[str, str] = {
    "gb2312": "gbk",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "iso8859-9": "cp1254",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}


def read_as_browsers(path: Path) -> bool:
    """Whether ours reads the file otherwise than its label's codec, as a browser reads it."""
    label = labelled_label_of(path)
    browser = BROWSERS_READ.get(label or "")
    text = ours(path)
    if label is None or browser is None or text is None:
        return False
    data = path.read_bytes()
    try:
        return fold(data.decode(label)) != fold(text) == fold(data.decode(browser))
    except UnicodeDecodeError:
        return False


ROMANIAN_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
CENTRAL_EUROPEAN = ("cp1250", "iso8859-2", "iso8859-16", "cp852", "mac-latin2")


def corpus_twins(cases: list[tuple[Path, str | None]]) -> set[str]:
    """File names of this project's corpus whose bytes, read in another Central European code
    page, are the same Romanian text with the other s/t accent (cedilla written in cp1250 is
    comma-below in ISO-8859-16): the corpus's byte twins, where refusing is the right answer."""
    twins: set[str] = set()
    for path, truth in cases:
        if truth is None or not any(letter in truth for letter in "şţŞŢșțȘȚ"):
            continue
        data = path.read_bytes()
        for codec in CENTRAL_EUROPEAN:
            try:
                read = fold(data.decode(codec))
            except UnicodeDecodeError:
                continue
            if read != truth and read.translate(ROMANIAN_COMMA) == truth.translate(ROMANIAN_COMMA):
                twins.add(path.name)
    return twins


def twins_line(cases: list[tuple[Path, str | None]], named: set[str]) -> str:
    """Ours on the byte twins (file names ``named``) and on the other files, apart."""
    inside = [case for case in cases if case[0].name in named]
    outside = [case for case in cases if case[0].name not in named]
    if not outside:
        return f"  byte twins: all {len(inside)} files"
    twin, rest = tally(ours, inside), tally(ours, outside)
    return (
        f"  read_text(auto) on the {len(inside)} byte twins (the same bytes are another code "
        f"page's text: refusing is right): refused {twin.refused}, wrong {twin.wrong}; on the "
        f"other {len(outside)}: exact {rest.right} ({100 * rest.right / len(outside):.1f}%), "
        f"wrong {rest.wrong}, refused {rest.refused}"
    )


def written(directory: Path, corpus: list[Case]) -> list[tuple[Path, str | None]]:
    directory.mkdir()
    cases: list[tuple[Path, str | None]] = []
    for case in corpus:
        path = directory / case.name
        path.write_bytes(case.data)
        cases.append((path, case.text))
    return cases


def written_cases(
    directory: Path, found: list[tuple[str, str, str]]
) -> list[tuple[Path, str | None]]:
    """(name, text, codec) written as files; the truth is the text with newlines folded."""
    directory.mkdir(exist_ok=True)
    cases: list[tuple[Path, str | None]] = []
    for name, text, codec in found:
        path = directory / f"{name}.txt"
        path.write_bytes(text.encode(codec))
        cases.append((path, fold(text)))
    return cases


def char_dataset(root: Path) -> list[tuple[Path, str | None]]:
    paths = sorted(p for p in root.rglob("*") if p.is_file() and p.parent != root)
    return [
        (p, None if p.parent.name == "None" else fold(p.read_bytes().decode(p.parent.name)))
        for p in paths
    ]


def bench_labelled(readers: dict[str, Reader]) -> None:
    """Each directory of ``$INGESTION_LABELLED``: public test files labelled by encoding."""
    roots = labelled_directories()
    if not roots:
        print(
            "labelled public corpora: set $INGESTION_LABELLED to directories laid out as "
            "<encoding>/<file> or <language>/<encoding>.<ext>"
        )
    for root in roots:
        if not root.is_dir():
            print(f"labelled corpus: not found at {root}: skipped")
            continue
        print(f"labelled corpus ({root}): {labelled_summary(root)}")
        report(f"labelled corpus ({root})", labelled_cases(root), readers)


# 20 MB of varied text per script: sentences of the corpus's paragraphs in random order.
LARGE: dict[str, tuple[str, tuple[str, ...]]] = {
    "Latin cp1252": ("cp1252", ("fr", "de", "es", "pt", "it", "sv")),
    "Cyrillic cp1251": ("cp1251", ("ru", "uk", "bg", "sr")),
    "Greek cp1253": ("cp1253", ("el",)),
    "Arabic cp1256": ("cp1256", ("ar", "fa")),
    "Japanese shift_jis": ("shift_jis", ("ja",)),
}


def varied_text(languages: tuple[str, ...], size: int, codec: str = "utf-8") -> str:
    """About ``size`` bytes in ``codec`` of the languages' sentences, in random order."""
    sentences = [
        sentence.strip()
        for language in languages
        for sentence in DEVELOPMENT[language][1].replace("。", "。|").replace(". ", ".|").split("|")
        if sentence.strip()
    ]
    generator = random.Random(14)  # noqa: S311 - a fixed shuffle, not a secret
    lines: list[str] = []
    total = 0
    while total < size:
        line = " ".join(generator.choices(sentences, k=generator.randint(1, 4)))
        lines.append(line)
        total += len(line.encode(codec))
    return "\r\n".join(lines) + "\r\n"


def best_of(call: Callable[[], object], repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    call()
    highest = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return highest


def bench_large(directory: Path) -> None:
    for label, (codec, languages) in LARGE.items():
        text = varied_text(languages, SIZE, codec)
        path = directory / f"large-{codec}.txt"
        path.write_bytes(text.encode(codec))
        size = path.stat().st_size
        truth = fold(text)
        mine = best_of(lambda path=path: read_text(path))
        baseline = best_of(lambda path=path: charset_normalizer_best(path), 1)
        # The floor no detector can beat: reading the file and decoding it with the right codec
        # and the newlines folded, as read_text returns it.
        floor = best_of(lambda path=path, codec=codec: fold(path.read_bytes().decode(codec)))
        ours_right = read_text(path)[0] == truth
        theirs = charset_normalizer_best(path)
        print(
            f"{size / 2**20:4.1f} MB {label:19}: ours {mine:.3f}s, charset-normalizer "
            f"{baseline:.3f}s -> {baseline / mine:5.1f}x faster (target >= 10x); "
            f"known-codec read+decode+fold {floor:.3f}s -> ours {mine / floor:.2f}x of it, "
            f"charset-normalizer {baseline / floor:.1f}x of it; "
            f"right: ours {ours_right}, charset-normalizer "
            f"{theirs is not None and fold(theirs) == truth}; "
            f"peak {peak(lambda path=path: read_text(path)) / size:.2f}x file (target <= 4x)"
        )
        path.unlink()


def bench_utf8(directory: Path) -> None:
    text = varied_text(("fr", "de", "ru", "el", "ja"), SIZE)
    for label, data in (("LF", text.replace("\r\n", "\n")), ("CRLF", text)):
        path = directory / f"utf8-{label}.txt"
        path.write_bytes(data.encode())
        size = path.stat().st_size
        mine = best_of(lambda path=path: read_text(path))
        plain = best_of(lambda path=path: path.read_bytes().decode("utf-8"))
        folded = best_of(lambda path=path: fold(path.read_bytes().decode("utf-8")))
        print(
            f"{size / 2**20:4.1f} MB UTF-8 {label:4}: ours {mine:.3f}s, plain read+decode "
            f"{plain:.3f}s -> {mine / plain:.2f}x (target <= 1.5x); read+decode+fold "
            f"{folded:.3f}s -> {mine / folded:.2f}x; right {read_text(path)[0] == fold(data)}; "
            f"peak {peak(lambda path=path: read_text(path)) / size:.2f}x file"
        )
        stray = directory / f"utf8-stray-{label}.txt"
        stray.write_bytes(data.encode() + b"caf\xe9")
        lossy = best_of(lambda stray=stray: read_text(stray, errors="replace"))
        plain_lossy = best_of(lambda stray=stray: stray.read_bytes().decode("utf-8", "replace"))
        print(
            f"     UTF-8 {label:4} + stray byte, errors='replace': ours {lossy:.3f}s, plain "
            f"{plain_lossy:.3f}s -> {lossy / plain_lossy:.2f}x"
        )
        path.unlink()
        stray.unlink()


def import_cost() -> None:
    """Seconds to import the package, and to load the statistics (first guess only)."""

    def run(code: str) -> float:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - start

    bare = min(run("pass") for _ in range(REPEATS))
    imported = min(run("import ingestion") for _ in range(REPEATS))
    loaded = min(
        run("import ingestion.plausibility as p; p.language_models()") for _ in range(REPEATS)
    )
    print(
        f"import ingestion: {1000 * (imported - bare):.0f} ms; statistics loaded on the first "
        f"guess: +{1000 * (loaded - imported):.0f} ms (python start {1000 * bare:.0f} ms)"
    )


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--accuracy"]
    accuracy_only = len(arguments) < len(sys.argv) - 1
    root = Path(arguments[0] if arguments else os.environ.get("CHAR_DATASET", DEFAULT_DATASET))
    heldout = os.environ.get("INGESTION_HELDOUT")
    readers = readers_available()
    print("(machine shared with other jobs: compare ratios within one run)")
    import_cost()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        development = written(directory / "dev", files(DEVELOPMENT) + binaries())
        report("own corpus, development part", development, readers)
        print(twins_line(development, corpus_twins(development)))
        if HELD_OUT:
            held_out = written(directory / "held", files(HELD_OUT))
            report("own corpus, held-out part", held_out, readers)
            print(twins_line(held_out, corpus_twins(held_out)))
        if root.is_dir():
            report(f"char-dataset ({root})", char_dataset(root), readers)
        else:
            print(
                f"char-dataset: not found at {root} (give its folder after the benchmark's "
                "name, or set $CHAR_DATASET): skipped"
            )
        if heldout:  # one or more directories, os.pathsep apart (the tuning and test sets)
            for index, part in enumerate(heldout.split(os.pathsep)):
                found = public_cases(Path(part))
                public = written_cases(directory / f"public{index}", found)
                report(f"public held-out text ({part})", public, readers)
                print(twins_line(public, {f"{name}.txt" for name in byte_twins(found)}))
        else:
            print("public held-out text: set $INGESTION_HELDOUT to a directory of sentences")
        bench_labelled(readers)
        # read_text as None: the sweep calls it itself, to check what its refusals name
        sweep_short_texts({name: None if r is ours else r for name, r in readers.items()})
        if not accuracy_only:
            bench_large(directory)
            bench_utf8(directory)


if __name__ == "__main__":
    main()
