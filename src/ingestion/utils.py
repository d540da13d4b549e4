"""Small byte and text helpers shared by detection and reading."""

from __future__ import annotations

import codecs
import functools
import re
import sys

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def codec_name(encoding: str) -> str:
    """Python's canonical name, so that aliases compare equal; LookupError names the unknown one."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise LookupError(f"unknown encoding: {encoding!r}") from None


# Text codecs that do not read a file's characters as written: escapes are rewritten
# (``\u0041`` becomes ``A``), every byte fails, or the bytes are a host name. UTF-7 is a
# file encoding when named (``read_text(path, "utf-7")``, as a refusal between ASCII and UTF-7
# asks); detection takes it only on evidence (``ingestion.utf7``), never from a declaration
# (a declared charset is looked for only in 8-bit text, which UTF-7 is not).
_NOT_FILE_TEXT = frozenset(
    {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}
)


def text_codec_name(encoding: str) -> str:
    """``codec_name`` for codecs that decode a text file as written; LookupError otherwise.

    Bytes-to-bytes codecs (base64, hex, zlib, rot13) and the codecs in ``_NOT_FILE_TEXT`` are
    refused: they would fail on ordinary text or silently rewrite it.
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise LookupError(f"unknown encoding: {encoding!r}") from None
    if not info._is_text_encoding or info.name in _NOT_FILE_TEXT:
        raise LookupError(f"not a text file encoding: {encoding!r}")
    return info.name


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The codec a leading BOM announces and the BOM's length."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def explicit_codec(data: bytes, name: str) -> tuple[str, int]:
    """The codec to decode with and how many BOM bytes to skip, for a caller-chosen codec.

    ``name`` is already canonical (``text_codec_name``). A BOM is stripped only when it belongs
    to the chosen encoding; ``utf-16``/``utf-32`` take their byte order from it, as Python's
    own codecs would.
    """
    found = bom_encoding(data)
    if found is None:
        return name, 0
    bom_codec, length = found
    family = "utf-8" if name == "utf-8-sig" else name
    if bom_codec == family or (family in ("utf-16", "utf-32") and bom_codec.startswith(family)):
        return bom_codec, length
    return name, 0


def fold_newlines(text: str) -> str:
    """Make ``\\r\\n`` and ``\\r`` into ``\\n`` without copying text that has no ``\\r``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


_LONE_CR = re.compile(rb"\r(?!\n)")
# Multi-byte codecs whose continuation bytes are never 0x0A or 0x0D, so CR and LF bytes are
# always the characters themselves (not ISO-2022 or HZ: their escapes change what bytes mean).
_NEWLINE_SAFE_MULTI_BYTE = frozenset(
    {
        "utf-8",
        "shift_jis",
        "cp932",
        "shift_jis_2004",
        "shift_jisx0213",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "euc_kr",
        "cp949",
        "johab",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "cp950",
        "big5hkscs",
    }
)


def fold_newline_bytes(data: bytes) -> bytes:
    """``fold_newlines`` on the bytes, for codecs where ``newline_safe`` holds.

    Folding before decoding means the text is built once (no folded copy of a large ``str``),
    and when every CR starts a CRLF, folding is deleting the CRs.
    """
    if b"\r" not in data:
        return data
    if _LONE_CR.search(data) is None:
        return data.replace(b"\r", b"")  # memchr and memcpy: several times faster than translate
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _decoding_table(name: str) -> str | None:
    """The 256-character table of a charmap codec (``name`` canonical), None for other codecs."""
    if name in ("ascii", "iso8859-1"):
        return None
    module = sys.modules.get(codecs.lookup(name).decode.__module__)
    table: object = getattr(module, "decoding_table", None)
    return table if isinstance(table, str) and len(table) == 256 else None


def _single_byte(name: str) -> bool:
    return name in ("ascii", "iso8859-1") or _decoding_table(name) is not None


@functools.cache
def newline_safe(encoding: str) -> bool:
    """Whether folding CR/LF in the bytes gives the same text as folding after decoding.

    True for UTF-8, the ASCII-based CJK codecs and single-byte codecs that map exactly the
    bytes 0x0A and 0x0D to LF and CR (not EBCDIC, not UTF-16/32).
    """
    name = codec_name(encoding)
    if name in _NEWLINE_SAFE_MULTI_BYTE or name in ("ascii", "iso8859-1"):
        return True
    table = _decoding_table(name)
    if table is None:
        return False
    return (
        all((char in "\r\n") == (value in (0x0A, 0x0D)) for value, char in enumerate(table))
        and table[0x0A] == "\n"
        and table[0x0D] == "\r"
    )


def spread_sample(data: bytes, size: int, pieces: int = 4) -> bytes:
    """A bounded sample from spread-out places, cut at line ends so multi-byte text stays whole."""
    if len(data) <= size:
        return data
    return b"".join(data[start:end] for start, end in spread_spans(data, size, pieces))


def spread_spans(data: bytes, size: int, pieces: int = 4) -> list[tuple[int, int]]:
    """Where ``spread_sample``'s pieces lie in ``data`` (start, end), in file order."""
    if len(data) <= size:
        return [(0, len(data))]
    piece = size // pieces
    spans: list[tuple[int, int]] = []
    for index in range(pieces):
        start = (len(data) - piece) * index // (pieces - 1)
        end = start + piece
        if index:
            newline = data.find(b"\n", start, end)
            start = newline + 1 if 0 <= newline - start < piece // 2 else start
        if index < pieces - 1:
            newline = data.rfind(b"\n", start, end)
            end = newline + 1 if newline - start > piece // 2 else end
        spans.append((start, end))
    return spans


def aligned_sample(data: bytes, size: int, pieces: int = 4, unit: int = 4) -> bytes:
    """Like ``spread_sample``, but every piece starts and ends on a multiple of ``unit`` bytes.

    For UTF-16/32 without a BOM: cutting at b"\\n" (or anywhere else) would misalign the 2- and
    4-byte code units of long lines.
    """
    if len(data) <= size:
        return data
    piece = size // pieces // unit * unit
    last = (len(data) - piece) // unit
    starts = (last * index // (pieces - 1) * unit for index in range(pieces))
    return b"".join(data[start : start + piece] for start in starts)


@functools.cache
def single_byte_undefined(encoding: str) -> bytes | None:
    """The bytes a single-byte codec cannot decode, or None when the codec is not single-byte.

    For these codecs a strict decode fails exactly where one of these bytes occurs, so the
    whole file can be checked with a byte search instead of a decode.
    """
    name = codec_name(encoding)
    if not _single_byte(name):
        return None
    undefined = bytearray()
    for value in range(256):
        try:
            bytes([value]).decode(name)
        except UnicodeDecodeError:
            undefined.append(value)
    return bytes(undefined)


def first_undefined(data: bytes, undefined: bytes) -> int | None:
    """Offset of the first byte of ``undefined`` in ``data``: C-speed scans, no decode.

    A few bytes are found by ``find`` (memchr); many by deleting every other byte value
    first, so that only the values actually present are searched for.
    """
    if not undefined:
        return None
    if len(undefined) > 8:
        present = data.translate(None, _others(undefined))
        if not present:
            return None
        undefined = bytes(set(present))
    found = [at for value in undefined if (at := data.find(value)) >= 0]
    return min(found) if found else None


@functools.cache
def _others(values: bytes) -> bytes:
    return bytes(value for value in range(256) if value not in values)
