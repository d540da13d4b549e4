"""Public test files labelled by encoding: ``bench_ingestion.py`` reads ``$INGESTION_LABELLED``.

Usage: python benchmarks/labelled_corpora.py DIR...   (default: $INGESTION_LABELLED)
Not a test: it prints, for each directory, how many files it holds and what they are labelled.

Each directory (``$INGESTION_LABELLED`` lists them, ``os.pathsep`` apart) is laid out as

- ``<encoding>/<file>``: chardet's test files (``windows-1251-russian/``, ``cp037-french/``: a
  language may follow the encoding), charset-normalizer's char-dataset (``cp1252/``), and
  ``None/`` for binary files; or as
- ``<language>/<encoding>.<ext>``: uchardet's test files (``ru/koi8-r.txt``, ``ar/utf-16.le.txt``).

A sub-directory whose name names an encoding (or ``None``) is of the first kind; one whose name
names none is a language directory when one of its files' names names an encoding (uchardet's
``ka/`` holds ``utf-8.txt`` beside two Georgian code pages no Python codec reads), else an
encoding no Python codec reads (``euc-tw/``, ``viscii/``).

A file's truth is its bytes decoded by its label's codec, newlines folded as ``read_text`` folds
them. Where no Python codec gives it (a label that names none, such as EUC-TW or VISCII, or a
codec the file does not decode in), no reader can return the right text: refusing is right, as
for a binary file, and any text returned is a wrong reading. Such files have no truth (None).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from ingestion.utils import text_codec_name  # noqa: E402

# Labels public test sets use that Python spells otherwise (Python's own aliases need none).
_ALIASES = {
    "mac-centraleurope": "mac-latin2",
    "x-mac-ce": "mac-latin2",
    "x-mac-cyrillic": "mac-cyrillic",
    "macintosh": "mac-roman",
    "mac-icelandic": "mac-iceland",
    "windows-874": "cp874",
    "uhc": "cp949",
}
_BINARY = frozenset({"none", "binary"})


def label_codec(label: str) -> str | None:
    """The Python codec a label names, or None when it names none.

    ``windows-1251-russian`` and ``cp037-french`` name their encoding and a language: the last
    word is dropped when the whole label names no codec (``utf-16`` stays UTF-16). So is a
    qualifier after a dot (uchardet's ``ibm862.logical`` and ``ibm862.visual``: the bytes
    decode alike, visual Hebrew is stored in display order) and a remark after a space
    (``windows-1252 (latin1)``).
    """
    whole = label.lower().split(maxsplit=1)[0]
    names = [whole, whole.split(".", 1)[0]]
    words = names[-1].split("-")
    if len(words) > 1 and words[-1].isalpha():
        names.append("-".join(words[:-1]))
    for name in names:
        try:  # a folder named "hex" or "base64" names no encoding a text file is written in
            return text_codec_name(_ALIASES.get(name, name))
        except LookupError:
            continue
    return None


def _fold(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


def truth(data: bytes, codec: str | None) -> str | None:
    """The file's text under its label's codec, folded; None when the codec cannot give it."""
    if codec is None:
        return None
    try:
        return _fold(data.decode(codec))
    except UnicodeDecodeError:
        return None


def _file_label(path: Path) -> str:
    """The encoding a file name in a language directory names: ``koi8-r.txt`` is ``koi8-r``,
    ``utf-16.le`` (uchardet's UTF-16 without a BOM) ``utf-16le``."""
    stem, dot, extension = path.name.rpartition(".")
    if not dot:
        return path.name
    return f"{stem}{extension}" if extension in ("le", "be") else stem


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file())


def labelled_files(root: Path) -> list[tuple[Path, str, str | None]]:
    """(file, label, codec or None) for every file under ``root``, in either layout."""
    found: list[tuple[Path, str, str | None]] = []
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        files = _files(directory)
        if directory.name.lower() in _BINARY:
            found += [(path, "binary", None) for path in files]
            continue
        codec = label_codec(directory.name)
        named = [label_codec(_file_label(path)) for path in files]
        if codec is None and any(name is not None for name in named):
            found += [
                (path, _file_label(path), name) for path, name in zip(files, named, strict=True)
            ]
        else:
            found += [(path, directory.name, codec) for path in files]
    return found


def label_of(path: Path) -> str | None:
    """The codec a labelled file's folder (or, in a language folder, its name) names."""
    return label_codec(path.parent.name) or label_codec(_file_label(path))


def cases(root: Path) -> list[tuple[Path, str | None]]:
    """(file, truth) for ``bench_ingestion.report``: binary files and files no Python codec
    reads have no truth (refusing is right)."""
    return [
        (path, None if label == "binary" else truth(path.read_bytes(), codec))
        for path, label, codec in labelled_files(root)
    ]


def summary(root: Path) -> str:
    """How many files, and how many of them are binary or have no codec to check them by."""
    found = labelled_files(root)
    binary = sum(label == "binary" for _, label, _ in found)
    unread = [
        label
        for path, label, codec in found
        if label != "binary" and truth(path.read_bytes(), codec) is None
    ]
    labels = sorted(set(unread))
    return (
        f"{len(found)} files, {binary} binary, {len(unread)} that no Python codec reads as "
        f"labelled (refusing is right){': ' + ', '.join(labels) if labels else ''}"
    )


def directories(value: str | None = None) -> list[Path]:
    """The directories ``$INGESTION_LABELLED`` (or ``value``) lists, ``os.pathsep`` apart."""
    text = os.environ.get("INGESTION_LABELLED", "") if value is None else value
    return [Path(part) for part in text.split(os.pathsep) if part]


def main() -> None:
    roots = [Path(a) for a in sys.argv[1:]] or directories()
    if not roots:
        raise SystemExit("usage: labelled_corpora.py DIR... (or set $INGESTION_LABELLED)")
    for root in roots:
        print(f"{root}: {summary(root)}" if root.is_dir() else f"{root}: not a directory")


if __name__ == "__main__":
    main()
