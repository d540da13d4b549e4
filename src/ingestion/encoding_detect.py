"""Decide which codec a byte string is in, and say why.

The order is the order of certainty: a BOM, then the shape of UTF-16/32 and binary data, then
strict UTF-8 (valid non-ASCII UTF-8 is almost never an accident), then the file's own
declaration, then a statistical detector on a bounded sample whose look-alike picks are
re-ranked by alphabet.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingestion.alphabets import (
    ALL_LANGUAGES,
    CYRILLIC_8BIT,
    CYRILLIC_CANDIDATES,
    LATIN_CANDIDATES,
    AlphabetScore,
    best_fit,
    score_codec,
)
from ingestion.declared import declared_encoding, decode_as_declared
from ingestion.utils import (
    aligned_sample,
    bom_encoding,
    codec_name,
    single_byte_undefined,
    spread_sample,
)

Reason = Literal["bom", "declared", "utf-8", "detector", "fallback"]

SAMPLE_BYTES = 64 * 1024
GUESS_SAMPLE_BYTES = 32 * 1024
# Bytes that plain text in an 8-bit or multi-byte codec does not contain (ESC, SO and SI are
# left out: ISO-2022 text uses them). A stray one is tolerated (legacy files carry the odd one),
# except NUL: a single NUL anywhere means UTF-16/32 or binary, in every ``errors`` mode.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_NOT_CONTROL = bytes(value for value in range(256) if value not in _CONTROL)
_CONTROL_SHARE = 0.005
_ISO2022 = (
    (re.compile(rb"\x1b\$\)C"), "iso2022_kr"),
    (re.compile(rb"\x1b[$(][@BJD(]"), "iso2022_jp"),
)
_WIDE_CODECS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_WIDE_PLAUSIBLE = 0.9
# A detector pick outside these is trusted as is; inside, the alphabet check may overrule it.
_OTHER_SCRIPTS = re.compile(
    r"^(cp1251|kz1048|ptcp154|koi8|mac[-_]cyrillic|iso8859-[5678]|cp125[356]|cp8(55|66|69|62)"
    r"|cp1125|ibm8|cp424|cp737|mac[-_]greek|tis|cp874|iso8859-11)"
)
# Multi-byte picks: trusted unless the text reads as Latin with isolated accented letters.
_MULTI_BYTE = re.compile(r"^(big5|gb|hz|euc|shift|cp9|johab|iso2022|cp949|cp932|cp950)")
_ISOLATED_HIGH = re.compile(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
_LATIN_OVERRULE_SHARE = 0.2
_CYRILLIC_OVERRULE_SHARE = 0.02
_MOSTLY_UTF8_FACTOR = 5
_MOSTLY_UTF8_MIN = 4
# Standard codecs first: a superset is used only when the standard one does not decode.
_NARROWEST = {
    "cp932": ("shift_jis", "cp932"),
    "shift_jis_2004": ("shift_jis", "cp932", "shift_jis_2004"),
    "shift_jisx0213": ("shift_jis", "cp932", "shift_jisx0213"),
    "cp949": ("euc_kr", "cp949"),
    "gbk": ("gb2312", "gbk"),
    "gb18030": ("gb2312", "gbk", "gb18030"),
    "cp950": ("big5", "cp950"),
    "big5hkscs": ("big5", "cp950", "big5hkscs"),
    "euc_jis_2004": ("euc_jp", "euc_jis_2004"),
    "euc_jisx0213": ("euc_jp", "euc_jisx0213"),
}


@dataclass(frozen=True)
class Detection:
    """A codec and why it was chosen; ``encoding`` is None when the bytes are binary."""

    encoding: str | None
    reason: Reason
    confidence: float | None = None


@dataclass(frozen=True)
class Sniffed:
    """A detection plus the text, when deciding already meant decoding the whole input."""

    detection: Detection
    text: str | None = None
    bom_length: int = 0


def detect_encoding(data: bytes | os.PathLike[str] | str) -> Detection:
    """The encoding picked for these bytes or this file: BOM, shape, UTF-8, declaration, sample.

    This is ``read_text``'s first pick only. ``read_text`` also checks a pick made from a
    sample against the whole file, and may then re-detect on all of it, report the first byte
    that does not decode (strict) or replace such bytes (``errors="replace"``).
    """
    payload = data if isinstance(data, bytes) else Path(data).read_bytes()
    return sniff(payload).detection


def sniff(data: bytes) -> Sniffed:
    """Detect the codec of ``data``; returns the decoded text too when it came for free."""
    head = prescan(data)
    if head is not None:
        return head
    try:
        return Sniffed(Detection("utf-8", "utf-8"), data.decode("utf-8"))
    except UnicodeDecodeError as error:
        first_bad = error.start
    if mostly_utf8(data, first_bad):
        return Sniffed(Detection("utf-8", "utf-8"))
    return not_utf8(data)


def prescan(data: bytes) -> Sniffed | None:
    """Everything decided without decoding non-ASCII text; None means 8-bit text, undecided."""
    if not data:
        return Sniffed(Detection("utf-8", "utf-8"), "")
    bom = bom_encoding(data)
    if bom is not None:
        return Sniffed(Detection(bom[0], "bom"), bom_length=bom[1])
    sample = spread_sample(data, SAMPLE_BYTES)
    if b"\x00" in data or _count_control(sample) > len(sample) * _CONTROL_SHARE:
        return _wide_or_binary(data)
    if data.isascii():
        return _ascii(data)
    return None


def not_utf8(data: bytes) -> Sniffed:
    """8-bit text that is not UTF-8: the file's own word, then a guess from a sample."""
    declared = declared_encoding(data)
    decoded = None if declared in (None, "utf-8") else decode_as_declared(data, declared)
    if decoded is not None:
        return Sniffed(Detection(decoded[1], "declared"), decoded[0])
    return Sniffed(guess(spread_sample(data, GUESS_SAMPLE_BYTES)))


def _ascii(data: bytes) -> Sniffed:
    """Seven-bit data is UTF-8 unless ISO-2022 escape sequences say otherwise."""
    if b"\x1b" in data:
        for pattern, encoding in _ISO2022:
            if pattern.search(data):
                try:
                    return Sniffed(Detection(encoding, "detector", 1.0), data.decode(encoding))
                except UnicodeDecodeError:
                    continue
    return Sniffed(Detection("utf-8", "utf-8"), data.decode("ascii"))


def _count_control(sample: bytes) -> int:
    return len(sample.translate(None, _NOT_CONTROL))


def _wide_or_binary(data: bytes) -> Sniffed:
    """BOM-less UTF-16/32 (with the text) when one of them reads as plausible text; else binary.

    The sample's pieces start and end on 4-byte boundaries (no cutting at newlines, which
    long lines may not have), so 2- and 4-byte units stay aligned. A surrogate pair split at a
    piece's edge becomes U+FFFD there; the strict decode of the whole file is the real check.
    """
    sample = aligned_sample(data, SAMPLE_BYTES)
    best: tuple[float, str, str] | None = None
    for encoding in _WIDE_CODECS:
        unit = 4 if encoding.startswith("utf-32") else 2
        if len(data) % unit:
            continue
        share = _plausible_share(sample.decode(encoding, "replace"))
        if share >= _WIDE_PLAUSIBLE and (best is None or share > best[0]):
            try:
                best = (share, encoding, data.decode(encoding))
            except UnicodeDecodeError:
                continue
    if best is None:
        return Sniffed(Detection(None, "detector"))
    return Sniffed(Detection(best[1], "detector", round(best[0], 3)), best[2])


def _plausible_share(text: str) -> float:
    """Share of characters from scripts people write (not controls, private use or rarities)."""
    if not text or any(
        unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs") and char not in "\t\n\r\f"
        for char in text
    ):
        return 0.0
    common = sum(1 for char in text if _common_code_point(ord(char)))
    return common / len(text)


def _common_code_point(point: int) -> bool:
    return (
        point < 0x0530  # Latin, Greek, Cyrillic, Armenian
        or 0x0590 <= point < 0x0700  # Hebrew, Arabic
        or 0x0E00 <= point < 0x0E80  # Thai
        or 0x2000 <= point < 0x2070  # punctuation
        or 0x3000 <= point < 0x3100  # CJK punctuation, kana
        or 0x4E00 <= point < 0xA000  # CJK ideographs
        or 0xAC00 <= point < 0xD7A4  # Hangul syllables
        or 0xFF00 <= point < 0xFFF0  # full-width forms
    )


def mostly_utf8(data: bytes, first_bad: int, sample_counts: tuple[int, int] | None = None) -> bool:
    """UTF-8 with a few stray bytes, rather than another codec: many valid multi-byte sequences.

    Looks at a spread sample plus the bytes around the first bad one. Counts add up (the
    pieces are counted apart), so a caller that has counted the sample passes its counts.
    """
    around_error = data[max(0, first_bad - SAMPLE_BYTES // 8) : first_bad + SAMPLE_BYTES // 8]
    if sample_counts is None:
        sample_counts = utf8_counts(spread_sample(data, SAMPLE_BYTES))
    around_multi_byte, around_bad = utf8_counts(around_error)
    multi_byte, bad = sample_counts[0] + around_multi_byte, sample_counts[1] + around_bad
    return multi_byte >= _MOSTLY_UTF8_MIN and multi_byte >= _MOSTLY_UTF8_FACTOR * bad


def fits_alphabet(data: bytes, encoding: str) -> bool:
    """Whether a single-byte codec's reading of all of ``data`` passes the alphabet check.

    A codec listed among the candidates is judged by its own languages, any other by all of
    them. Multi-byte codecs pass: for them a strict decode of the whole file is the check.
    """
    if single_byte_undefined(encoding) is None:
        return True
    for codec, languages in (*LATIN_CANDIDATES, *CYRILLIC_CANDIDATES, *CYRILLIC_8BIT):
        if codec == encoding:
            return _fits(score_codec(data, encoding, languages), _LATIN_OVERRULE_SHARE)
    return _fits(score_codec(data, encoding, ALL_LANGUAGES), _LATIN_OVERRULE_SHARE)


def utf8_counts(chunk: bytes) -> tuple[int, int]:
    """(multi-byte characters, bytes that are not UTF-8), counted by C-level decodes.

    ASCII bytes always decode on their own, so what ``ignore`` keeps beyond them is
    multi-byte characters; the bytes it dropped are the bad ones.
    """
    ascii_count = len(chunk.translate(None, _HIGH_BYTES))
    kept = chunk.decode("utf-8", "ignore")
    return len(kept) - ascii_count, len(chunk) - len(kept.encode("utf-8"))


def guess(sample: bytes) -> Detection:
    """charset-normalizer's pick, corrected by alphabet for look-alike codecs; UTF-8 without it.

    Plain accented Latin text is settled by the alphabet check alone (see below).
    """
    try:
        import charset_normalizer  # noqa: PLC0415 - optional, and import is slow
    except ImportError:
        return Detection("utf-8", "fallback")
    if _isolated_high(sample):
        latin = best_fit(sample, LATIN_CANDIDATES)
        if latin is not None and not latin.foreign:
            # Accents standing alone between ASCII letters, every one a letter of one language:
            # whatever the detector picks, the Latin reading wins below (other scripts write
            # whole words in high bytes), so the detector is not asked.
            return _alphabet_detection(latin, None, None)
    match = charset_normalizer.from_bytes(sample).best()
    if match is None:
        return _corrected(sample, None, None)
    return _corrected(sample, codec_name(match.encoding), round(1.0 - match.chaos, 3))


def _corrected(sample: bytes, picked: str | None, confidence: float | None) -> Detection:
    """Overrule the detector where it is known to confuse look-alikes.

    The cheap tests come first: the alphabet check decodes the sample with every candidate
    codec, so it runs only when its answer can change the outcome.
    """
    if picked is not None and _OTHER_SCRIPTS.match(picked):
        if picked in ("cp1251", "kz1048", "ptcp154"):
            return _alphabet_detection(best_fit(sample, CYRILLIC_CANDIDATES), picked, confidence)
        return Detection(picked, "detector", confidence)
    multi_byte = picked is not None and _MULTI_BYTE.match(picked) is not None
    latin = (
        None if multi_byte and not _isolated_high(sample) else best_fit(sample, LATIN_CANDIDATES)
    )
    if picked is not None and multi_byte and (latin is None or latin.foreign):
        # Not Latin-shaped: accented letters between ASCII ones, each fitting one language.
        if _mostly_half_width_kana(sample, picked):
            cyrillic = best_fit(sample, CYRILLIC_8BIT)
            if _fits(cyrillic, _CYRILLIC_OVERRULE_SHARE):
                return _alphabet_detection(cyrillic, picked, confidence)
        return Detection(_narrowest(sample, picked), "detector", confidence)
    if _fits(latin, _LATIN_OVERRULE_SHARE):
        return _alphabet_detection(latin, picked, confidence)
    return Detection(picked, "detector", confidence)


def _isolated_high(sample: bytes) -> bool:
    """Most high bytes stand alone between ASCII ones: accented Latin, not CJK double bytes."""
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    return len(_ISOLATED_HIGH.findall(sample)) * 2 > high


def _fits(score: AlphabetScore | None, share: float) -> bool:
    return score is not None and score.foreign_share <= share


def _mostly_half_width_kana(sample: bytes, picked: str) -> bool:
    """Japanese prose is not written in half-width katakana; 8-bit Cyrillic read as CJK is."""
    text = sample.decode(picked, "replace")
    kana = len(_HALF_WIDTH_KANA.findall(text))
    return kana * 2 > len(text) - len(text.encode("ascii", "ignore"))


def _alphabet_detection(
    score: AlphabetScore | None, picked: str | None, confidence: float | None
) -> Detection:
    if score is None:
        return Detection(picked, "detector", confidence)
    return Detection(score.encoding, "detector", round(1.0 - score.foreign_share, 3))


def _narrowest(sample: bytes, picked: str) -> str:
    """The standard codec when it reads the sample: vendor supersets map a few characters apart."""
    for encoding in _NARROWEST.get(picked, ()):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return picked
