"""Small byte and text helpers shared by detection and reading."""

from __future__ import annotations

import codecs

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


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The codec a leading BOM announces and the BOM's length."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def explicit_codec(data: bytes, encoding: str) -> tuple[str, int]:
    """The codec to decode with and how many BOM bytes to skip, for a caller-chosen encoding.

    A BOM is stripped only when it belongs to the chosen encoding; ``utf-16``/``utf-32`` take
    their byte order from it, as Python's own codecs would.
    """
    name = codec_name(encoding)
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


def spread_sample(data: bytes, size: int, pieces: int = 4) -> bytes:
    """A bounded sample from spread-out places, cut at line ends so multi-byte text stays whole."""
    if len(data) <= size:
        return data
    piece = size // pieces
    parts: list[bytes] = []
    for index in range(pieces):
        start = (len(data) - piece) * index // (pieces - 1)
        chunk = data[start : start + piece]
        if index:
            newline = chunk.find(b"\n")
            chunk = chunk[newline + 1 :] if 0 <= newline < piece // 2 else chunk
        if index < pieces - 1:
            newline = chunk.rfind(b"\n")
            chunk = chunk[: newline + 1] if newline > piece // 2 else chunk
        parts.append(chunk)
    return b"".join(parts)
