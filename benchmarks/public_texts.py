"""A held-out set from public text nobody here wrote: sentences per language, in each code page.

Usage: python benchmarks/public_texts.py [DIR]   (default: $INGESTION_HELDOUT)
Not a test: it prints counts. Also run by ``bench_ingestion.py`` when the directory is given.

``DIR`` holds ``<language>.txt`` files of UTF-8 sentences, one a line (the benchmark author used
the test parts of Universal Dependencies treebanks: news, Wikipedia and fiction prose). None
of that text is in the repository, and none of it was used to fit the detector: the letter
statistics come from lingua's models and, for the languages lingua lacks, from other text
(``scripts/derive_char_ngrams.py``). Each language is written in every code page made for it
that can encode the text and read it back, as short files (one sentence, at least 40 bytes) and
longer ones (consecutive sentences up to about 2 KB). Files whose bytes are also the text
written for another of the language's code pages, with other letters (``byte_twins``), are
counted apart: their refusal is the right answer.

The sets used so far (the ``# text =`` lines of each CoNLL-U file, one ``<language>.txt`` per
language; GitHub ``UniversalDependencies/UD_<Treebank>``, where a test file was too large for
the snapshots at hand another treebank stood in):
- test set (never tuned on): the test parts of Maltese-MUDT, Esperanto-Prago, Turkish-IMST,
  Estonian-EDT, Lithuanian-ALKSNIS, Latvian-LVTB (the second half of dev: no test file),
  North_Sami-Giella, Faroese-FarPaHC, Icelandic-Modern, Romanian-RRT, Polish-PDB, Croatian-SET,
  Slovenian-SSJ, Hungarian-Szeged, Albanian-TSA, Czech-FicTree, Slovak-SNK, German-GSD,
  French-GSD, Spanish-GSD, Swedish-Talbanken, Russian-GSD, Ukrainian-IU, Bulgarian-BTB,
  Greek-GDT, Hebrew-HTB, Thai-PUD, Japanese-GSD, Chinese-GSD, Korean-Kaist (944 files);
- tuning set: the dev parts of the same, but Latvian (the first half of LVTB dev), Sami (Giella
  train, which was also counted for Sami's letters), Albanian (STAF dev), Esperanto
  (Arbaletos/UD_Esperanto-ETB ``data/hand/fundamenta_ekzercaro.con``), Thai (TUD dev): 935;
- extra set: the test parts of Estonian-EWT, Slovenian-SST, Polish-LFG, Turkish-BOUN,
  Czech-CAC, Lithuanian-HSE, French-Sequoia, Romanian-Nonstandard, German-PUD, Spanish-PUD,
  Swedish-LinES, Russian-Taiga, Icelandic-PUD, Faroese-OFT, Greek-GUD, Albanian-STAF: 611.
``bench_ingestion.py`` reads them all when ``$INGESTION_HELDOUT`` lists their directories,
``os.pathsep`` apart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WESTERN = ("cp1252", "iso8859-1", "iso8859-15", "cp850", "mac-roman", "cp437")
CENTRAL = ("cp1250", "iso8859-2", "cp852", "mac-latin2", "iso8859-16")
CYRILLIC = ("cp1251", "koi8-r", "iso8859-5", "cp866", "mac-cyrillic", "cp855")
BALTIC = ("cp1257", "iso8859-13", "iso8859-4", "cp775", "iso8859-10")

CODE_PAGES: dict[str, tuple[str, ...]] = {
    "mt": ("iso8859-3",),
    "eo": ("iso8859-3",),
    "tr": ("cp1254", "iso8859-9", "cp857", "mac-turkish", "iso8859-3"),
    "et": (*BALTIC, "cp1252", "iso8859-15"),
    "lt": BALTIC,
    "lv": BALTIC,
    "se": ("iso8859-10", "iso8859-4"),
    "fo": ("iso8859-10", "cp1252", "iso8859-1"),
    "is": ("iso8859-10", *WESTERN),
    "ro": CENTRAL,
    "pl": (*CENTRAL, "iso8859-13"),
    "hr": (*CENTRAL, "iso8859-13"),
    "sl": (*CENTRAL, "iso8859-13", "iso8859-4"),
    "hu": CENTRAL,
    "sq": ("cp1252", "iso8859-16", "cp1250", "iso8859-2"),
    "cs": CENTRAL[:4],
    "sk": CENTRAL[:4],
    "de": (*WESTERN, "iso8859-16"),
    "fr": (*WESTERN, "iso8859-16"),
    "es": WESTERN,
    "sv": (*WESTERN, "iso8859-10"),
    "ru": CYRILLIC,
    "uk": ("cp1251", "koi8-u", "iso8859-5", "mac-cyrillic"),
    "bg": ("cp1251", "iso8859-5", "cp866", "mac-cyrillic", "cp855"),
    "el": ("cp1253", "iso8859-7", "cp737", "cp869", "mac-greek"),
    "he": ("cp1255", "iso8859-8", "cp862"),
    "th": ("tis-620", "cp874"),
    "ja": ("shift_jis", "euc_jp", "cp932"),
    "zh": ("big5", "cp950", "big5hkscs"),
    "ko": ("euc_kr", "cp949"),
}
SHORT_FILES = 4
LONG_FILES = 3
LONG_BYTES = 2048
MIN_SHORT_BYTES = 40


def _as_written(text: str, language: str, codec: str) -> str:
    """Romanian as its writers typed it: comma-below in ISO-8859-16, cedilla elsewhere."""
    if language != "ro":
        return text
    if codec == "iso8859-16":
        return text.translate(str.maketrans("şţŞŢ", "șțȘȚ"))
    return text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))


def cases(directory: Path) -> list[tuple[str, str, str]]:
    """(name, text, codec) of every file of the set: non-ASCII, and encodable in the codec."""
    found: list[tuple[str, str, str]] = []
    for language, codecs in CODE_PAGES.items():
        source = directory / f"{language}.txt"
        if not source.exists():
            continue
        sentences = [line.strip() for line in source.read_text("utf-8").splitlines()]
        sentences = [s for s in sentences if s]
        for codec in codecs:
            found += _files(language, codec, sentences)
    return found


def byte_twins(found: list[tuple[str, str, str]]) -> set[str]:
    """Names of files whose bytes are also this language's text written for another of its
    code pages, with other letters (Romanian in cp1250 with cedilla and in ISO-8859-16 with
    comma-below): no detector can tell which was meant, so refusing them is the right answer,
    and the report counts them apart."""
    twins: set[str] = set()
    for name, text, codec in found:
        language = name.split("-", 1)[0]
        data = text.encode(codec)
        for other in CODE_PAGES[language]:
            written = _as_written(text, language, other)
            if other == codec or written == text:
                continue
            try:
                same = written.encode(other) == data
            except UnicodeEncodeError:
                continue
            if same:
                twins.add(name)
    return twins


def _encodable(text: str, codec: str) -> bool:
    """Non-ASCII in ``codec``, which reads the bytes back as ``text``: a file's text is its bytes
    in its label's codec (as the labelled corpora are judged). cp932 writes the wave dash U+301C
    as 0x8160, which it reads as U+FF5E (Shift_JIS reads U+301C): such a file would hold the
    same bytes as the Shift_JIS one with another text, and no reading could be right for both."""
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return False
    return not data.isascii() and data.decode(codec) == text


def _files(language: str, codec: str, sentences: list[str]) -> list[tuple[str, str, str]]:
    written = [_as_written(s, language, codec) for s in sentences]
    usable = [s for s in written if _encodable(s, codec)]
    short = [s for s in usable if len(s.encode(codec)) >= MIN_SHORT_BYTES]
    step = max(1, len(short) // SHORT_FILES)
    files = [(f"{language}-{codec}-short{i}", s, codec) for i, s in enumerate(short[::step])]
    files = files[:SHORT_FILES]
    start = len(usable) // 2  # the long files come from the second half: no overlap with short
    for index in range(LONG_FILES):
        lines: list[str] = []
        size = 0
        for sentence in usable[start:]:
            start += 1
            lines.append(sentence)
            size += len(sentence.encode(codec)) + 1
            if size >= LONG_BYTES:
                break
        if lines:
            files.append((f"{language}-{codec}-long{index}", "\n".join(lines) + "\n", codec))
    return files


def main() -> None:
    sys.path[:0] = [str(Path(__file__).resolve().parent)]
    from bench_ingestion import report, twins_line, written_cases  # noqa: PLC0415

    directory = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("INGESTION_HELDOUT")
    if not directory:
        raise SystemExit("usage: public_texts.py DIR (or set $INGESTION_HELDOUT)")
    import tempfile  # noqa: PLC0415

    found = cases(Path(directory))
    with tempfile.TemporaryDirectory() as name:
        public = written_cases(Path(name), found)
        report(f"public held-out text ({directory})", public, None)
        print(twins_line(public, {f"{name}.txt" for name in byte_twins(found)}))  # as written


if __name__ == "__main__":
    main()
