"""Bytes beyond the sample where code pages that read the sample alike part ways.

The detector scores a sample of a large file (``readings.score_sample``), and code pages
that read the sample alike are one reading, named by the most common of them. The rest of
the file may hold byte values the sample lacks that those code pages read as different
characters: a 221 KB Greek page whose sample reads alike in ISO-8859-7 and cp1253 has "Ά"
(0xB6) further on, "¶" in cp1253, and was read as cp1253 without a look at those bytes. The
same holds for every pair of close code pages (ISO-8859-8 and cp1255, ISO-8859-2 and cp1250,
cp1252 and ISO-8859-15, cp1252 and cp1257 on text whose only accents are "ä ö ü"), and for
EBCDIC code pages, which part on punctuation as well (Tika's English cp500 file has its one
"!" past the sample, "|" in cp037).

``widened`` finds such bytes in the file (a C-level ``bytes.translate`` over at most
``_SCAN_BYTES``, spread over the file as the sample is) and returns the sample with a window
of text around the first of each added: scored again on it, the readings that read those
bytes apart are told apart by them, or named as rivals when they stay close.
"""

from __future__ import annotations

from ingestion.readings import EBCDIC, SINGLE_BYTE, readable_chars, score_sample
from ingestion.sampling import windows_at
from ingestion.utils import spread_spans

# At most this many bytes of the file are searched, in pieces spread over it as the sample is:
# all of a file up to that size (a C-level pass, about a third of the decode that follows).
_SCAN_BYTES = 1 << 20
# At most this many byte values get a window (each window holds up to ~260 bytes of context).
_MOST_VALUES = 8
# An EBCDIC byte's window: this many bytes on each side.
_EBCDIC_CONTEXT = 64
_ASCII_BYTES = bytes(range(0x80))
_CODE_PAGES = tuple(encoding for encoding, _ in SINGLE_BYTE)
_EBCDIC_PAGES = tuple(encoding for encoding, _ in EBCDIC)


def parting_bytes(sample: bytes, encoding: str) -> bytes:
    """Byte values >= 0x80 that ``sample`` lacks, which ``encoding`` (one of ``SINGLE_BYTE``'s
    code pages) reads as a readable character and some other such code page that reads
    ``sample``'s bytes >= 0x80 alike reads as another one; b"" for any other codec."""
    if encoding in _CODE_PAGES:  # bytes < 0x80 read alike in all of them
        pages, values, high = (
            _CODE_PAGES,
            range(0x80, 0x100),
            set(sample.translate(None, _ASCII_BYTES)),
        )
    elif encoding in _EBCDIC_PAGES:  # they part on punctuation too (cp037 "|" for cp500 "!")
        pages, values, high = _EBCDIC_PAGES, range(256), set(sample)
    else:
        return b""
    own = readable_chars(encoding)
    alike = [
        chars
        for chars in map(readable_chars, pages)
        if chars is not own and all(chars[value] == own[value] for value in high)
    ]
    return bytes(
        value
        for value in values
        if value not in high
        and own[value]
        and any(chars[value] and chars[value] != own[value] for chars in alike)
    )


def widened(data: bytes, encoding: str, sample: bytes | None = None) -> bytes | None:
    """``sample`` (``score_sample(data)`` when None) with a window around the first place of
    each byte value the file holds beyond it where ``encoding`` and a code page reading the
    sample alike part ways (``parting_bytes``; up to ``_MOST_VALUES``, searched in up to
    ``_SCAN_BYTES`` of the file), or None when there is no such byte (or the sample is the
    whole file)."""
    if encoding not in _CODE_PAGES and encoding not in _EBCDIC_PAGES:
        return None
    if sample is None:
        sample = score_sample(data)
    if len(sample) >= len(data):
        return None
    parting = parting_bytes(sample, encoding)
    if not parting:
        return None
    others = bytes(value for value in range(256) if value not in parting)
    offsets: dict[int, int] = {}
    for start, end in spread_spans(data, _SCAN_BYTES):
        piece = data[start:end]
        for value in set(piece.translate(None, others)) - offsets.keys():
            offsets[value] = start + piece.find(value)
    if not offsets:
        return None
    first = sorted(offsets.values())[:_MOST_VALUES]
    if encoding in _EBCDIC_PAGES:  # no ASCII spaces or line ends to cut at: bytes around it
        return sample + b"".join(
            data[max(0, at - _EBCDIC_CONTEXT) : at + _EBCDIC_CONTEXT] for at in first
        )
    return sample + windows_at(data, first)
