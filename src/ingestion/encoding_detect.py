"""Decide which codec a byte string is in, and say why.

The order is the order of certainty: a BOM, then the shape of UTF-16/32 and binary data, then
strict UTF-8 (valid non-ASCII UTF-8 is almost never an accident), then the file's own
declaration, then a statistical detector on a bounded sample whose look-alike picks are
re-ranked by alphabet.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Literal

from ingestion.closecall import confirmed, enough_letters
from ingestion.declared import declared_encoding, decode_as_declared
from ingestion.ebcdic import EBCDIC_TEXT_CONTROLS, looks_ebcdic
from ingestion.errors import ReadingNote
from ingestion.parting import widened
from ingestion.readings import (
    MULTI_BYTE_CODECS,
    SCORE_BYTES,
    Reading,
    alike_languages,
    notes,
    plausible,
    rank_down_to,
    read_as,
    score_sample,
    utf8_reading,
    variants,
)
from ingestion.utf7 import utf7_evidence
from ingestion.utils import aligned_sample, bom_encoding, spread_sample

Reason = Literal["bom", "declared", "utf-8", "detector"]

SAMPLE_BYTES = 64 * 1024
# Bytes that plain text in an 8-bit or multi-byte codec does not contain (ESC, SO and SI are
# left out: ISO-2022 text uses them). A stray one is tolerated (legacy files carry the odd one),
# except NUL: a single NUL anywhere means UTF-16/32 or binary, in every ``errors`` mode.
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_NOT_CONTROL = bytes(value for value in range(256) if value not in _CONTROL)
_NOT_EBCDIC_TEXT_CONTROL = bytes(value for value in range(256) if value not in EBCDIC_TEXT_CONTROLS)
_CONTROL_SHARE = 0.005
# An ISO 2022 designation: ESC, an intermediate byte that names the slot (and 94/96/multi-byte
# set), maybe more intermediates, a final byte that names the set. It marks 7-bit text in an
# ISO-2022 encoding; ANSI terminal codes (ESC [ ...) are not designations.
_DESIGNATION = re.compile(rb"\x1b[$()*+\-./][\x20-\x2f]*[\x30-\x7e]")
_TO_ASCII = frozenset({b"\x1b(B", b"\x1b(J"})
_OFFSET = operator.itemgetter(0)
# Python's ISO-2022 codecs, each before its supersets: the first that reads the data reads it.
_ISO2022_CODECS = (
    "iso2022_kr",
    "iso2022_jp",
    "iso2022_jp_1",
    "iso2022_jp_2",
    "iso2022_jp_3",
    "iso2022_jp_2004",
    "iso2022_jp_ext",
)
# What an ISO-2022 decode leaves in the text when it did not understand the data: escapes,
# and shifts (SO, SI) that the ISO-2022-JP codecs pass through as controls (ISO-2022-CN's
# ``ESC $ ) A`` then SO reads "as" iso2022_jp_2).
_NOT_DECODED = re.compile("[\x0e\x0f\x1b]")
_WIDE_CODECS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_WIDE_PLAUSIBLE = 0.9
_HIGH_BYTES = bytes(range(0x80, 0x100))
_MOSTLY_UTF8_FACTOR = 5
_MOSTLY_UTF8_MIN = 4
# How far (in nats) the best reading must score above any other that reads differently. A few
# letters are weak evidence, so the margin grows as the text shrinks; ASCII letters count for
# about a third (they read alike in every codec and only weigh the language). The margin was
# fitted on the development part of the short-text sweep (benchmarks/sweep_short_texts.py) to
# no wrong reading; the ASCII share then on sentences from the development parts of Universal
# Dependencies treebanks (one-sentence files in every code page of their language; the closest
# wrong best reading there, German "sch\xf6n" read as KOI8-R, keeps refused at 0.35, not at 0.5)
# and the sweep, to no wrong reading; checked on the sweep's held-out part and the public
# held-out set (benchmarks/public_texts.py, the treebanks' test parts).
AMBIGUOUS_MARGIN = 4.0
_SHORT_TEXT_MARGIN = 80.0
_ASCII_EVIDENCE = 0.35
# A gap of this many margins gives confidence round(1 - exp(-8), 3) = 1.0, as no rival does.
_SURE = 8.0
# Valid UTF-8 with fewer multi-byte characters than this may be legacy text whose bytes form
# UTF-8 by accident (Big5 "Ж" is the bytes of "Ǵ"): its reading then competes with the legacy
# ones, ahead by _UTF8_PRIOR (random high bytes seldom form UTF-8, and UTF-8 is common).
_FEW_MULTI_BYTE = 4
_UTF8_PRIOR = 32.0
_HZ_MIN_CHARS = 2
# How many of the closest readings a refusal describes (``ReadingNote``s: scores, offending
# bytes), and how many codecs it names beyond the best and its rival: the closest others,
# with ``Detection.more`` when still more read within the margin. A 2-letter file reads within
# the margin in dozens of code pages: naming them all meant scoring every one of them in full,
# and each one more named costs one more reading scored (issue 19).
_NAMED = 3
_OTHERS_NAMED = 3


@dataclass(frozen=True)
class Detection:
    """A codec and why it was chosen; ``encoding`` is None when the bytes are binary."""

    encoding: str | None
    reason: Reason
    confidence: float | None = None
    rival: str | None = None  # a second codec whose reading is as plausible: refuse the file
    # More codecs as plausible as ``rival``, for the error message: after ``explained``, the
    # closest _OTHERS_NAMED of them, and ``more`` when there are others beyond those.
    others: tuple[str, ...] = ()
    more: bool = False
    # For a refusal (a rival, or no codec at all): the closest readings, best first.
    readings: tuple[ReadingNote, ...] = ()


@dataclass(frozen=True)
class Sniffed:
    """A detection plus the text, when deciding already meant decoding the whole input."""

    detection: Detection
    text: str | None = None
    bom_length: int = 0
    # Why no codec reads text that is not binary (``UnknownEncodingError``'s detail), if so.
    unknown: str = ""


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
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    else:
        return utf8_or_legacy(data, text)
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
    if b"\x00" in data or _controls(sample) > len(sample) * _CONTROL_SHARE:
        return _wide_or_binary(data)
    if data.isascii():
        return _ascii(data)
    return None


def not_utf8(data: bytes, *, confidence: bool = True) -> Sniffed:
    """8-bit text that is not UTF-8: the file's own word, then a guess from a sample
    (``confidence``: as ``guess``)."""
    declared = declared_encoding(data)
    decoded = None if declared in (None, "utf-8") else decode_as_declared(data, declared)
    if decoded is not None:
        return Sniffed(Detection(decoded[1], "declared"), decoded[0])
    return Sniffed(guess(data, confidence=confidence))


def _ascii(data: bytes) -> Sniffed:
    """Seven-bit data is UTF-8 unless ISO-2022 designations, HZ escapes or UTF-7 shifts
    (``_ascii_or_utf7``) say otherwise.

    Designations that no ISO-2022 codec reads leave no codec (``Sniffed.unknown`` says why):
    returning the escapes and shifts as ASCII text would be mojibake.

    HZ escapes (``~{`` ... ``~}``) are also plain ASCII, so HZ is taken only when the text
    between them reads as Chinese.
    """
    if b"~{" in data:
        try:
            text = data.decode("hz")
        except UnicodeDecodeError:
            text = None
        reading = None if text is None else read_as(text, "hz", ("zh",))
        if reading is not None and reading.evidence >= _HZ_MIN_CHARS and plausible(reading):
            return Sniffed(Detection("hz", "detector", 1.0), text)
    designations = list(_DESIGNATION.finditer(data)) if b"\x1b" in data else []
    # Designating ASCII (or JIS-Roman) alone is also what terminals are sent (``tput sgr0``
    # writes ESC ( B ESC [ m): such text stays ASCII unless a codec reads it.
    foreign = next((d for d in designations if d.group() not in _TO_ASCII), None)
    furthest = (-1, "")  # where the decode that got furthest failed, and its codec
    for encoding in _ISO2022_CODECS if designations else ():
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            furthest = max(furthest, (error.start, encoding), key=_OFFSET)
            continue
        if not _NOT_DECODED.search(text):
            return Sniffed(Detection(encoding, "detector", 1.0), text)
    if foreign is not None:
        if furthest[0] > foreign.end():
            # A codec read past the designation: its text, with bytes it cannot decode (the
            # caller's decode reports the first one).
            return Sniffed(Detection(furthest[1], "detector", 1.0))
        escape = " ".join(["ESC", *foreign.group()[1:].decode("ascii")])
        unknown = (
            f"ISO-2022 escape {escape} at offset {foreign.start()} designates "
            "a character set that no ISO-2022 codec here reads (ISO-2022-CN, say)"
        )
        return Sniffed(Detection(None, "detector"), unknown=unknown)
    return _ascii_or_utf7(data)


def _ascii_or_utf7(data: bytes) -> Sniffed:
    """ASCII text, or UTF-7 when every ``+`` is strict UTF-7 and its shifts decode to enough
    usual letters; a refusal naming both when they decode to too few (``utf7``). Without a
    ``+`` (one C-level search) it is ASCII."""
    evidence = utf7_evidence(data)
    verdict = "ascii" if evidence is None else evidence.verdict
    if evidence is not None and verdict == "utf-7":
        return Sniffed(Detection("utf-7", "detector", 1.0), evidence.text)
    rival = "utf-7" if verdict == "ambiguous" else None
    return Sniffed(Detection("utf-8", "utf-8", rival=rival), data.decode("ascii"))


def _controls(sample: bytes) -> int:
    """The sample's control bytes; for EBCDIC text (``looks_ebcdic``), not those that are its
    tab, new line and double quote (``EBCDIC_TEXT_CONTROLS``), counted only when the count
    is too high for text."""
    count = len(sample.translate(None, _NOT_CONTROL))
    if count > len(sample) * _CONTROL_SHARE and looks_ebcdic(sample):
        count -= len(sample.translate(None, _NOT_EBCDIC_TEXT_CONTROL))
    return count


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
        if len(sample) > _PROBED and _unreadable(
            set(sample[:_PROBE_BYTES].decode(encoding, "replace"))
        ):
            continue  # its share is 0: binary read as UTF-16/32 (see _PROBE_BYTES)
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
    """Share of characters from scripts people write (not controls, private use or rarities).

    Judged once per distinct character (a sample holds a few hundred, of up to 64 KB): the
    rare ones are then counted in C (``str.count``), the rest are common. The same count as
    judging every character."""
    chars = set(text)
    if not text or _unreadable(chars):
        return 0.0
    rare = [char for char in chars if not _common_code_point(ord(char))]
    return (len(text) - sum(map(text.count, rare))) / len(text)


# Binary data read as UTF-16/32 shows a control, unassigned or private-use character within
# its first few: looked for in the decoded first bytes of the sample (a multiple of 4: the
# same characters as the whole sample's first ones, but for a surrogate pair cut at the end,
# which becomes U+FFFD, no such character), its share is 0 without decoding the sample, which
# for binary read as UTF-32 is an error handled per 4 bytes (about 2.5 ms per 64 KB).
_PROBE_BYTES = 1024
# Smaller samples are decoded whole at once: the probe would add a fair share of their cost
# (text read as the wrong width decodes to U+FFFD, a handled error per unit, not unreadable).
_PROBED = 8 * _PROBE_BYTES


def _unreadable(chars: Iterable[str]) -> bool:
    """Whether any of ``chars`` is a control (but tab, line ends and form feed), unassigned,
    private use or a surrogate."""
    return any(
        unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs") and char not in "\t\n\r\f"
        for char in chars
    )


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


def utf8_counts(chunk: bytes) -> tuple[int, int]:
    """(multi-byte characters, bytes that are not UTF-8), counted by C-level decodes.

    ASCII bytes always decode on their own, so what ``ignore`` keeps beyond them is
    multi-byte characters; the bytes it dropped are the bad ones.
    """
    ascii_count = len(chunk.translate(None, _HIGH_BYTES))
    kept = chunk.decode("utf-8", "ignore")
    return len(kept) - ascii_count, len(chunk) - len(kept.encode("utf-8"))


def guess(data: bytes, *, whole_file: bool = False, confidence: bool = True) -> Detection:
    """The most plausible reading of 8-bit ``data`` among the known legacy codecs.

    Scoring looks at a bounded sample (``readings.rank``). When the runner-up reads the text
    differently and scores within ``AMBIGUOUS_MARGIN`` of the winner, the detection names it
    as ``rival``: the caller refuses the file rather than guess between two plausible texts.
    When no reading looks like text in any language its codec serves, ``encoding`` is None.

    ``whole_file`` (after the sample's pick failed on the whole file) takes only codecs that
    decode all of it, and only when one of them reads the sample about as well as the best
    reading did: a codec that merely decodes every byte is no answer (cp1252 text with a stray
    byte is not mac-roman).

    Without ``confidence`` the detection's confidence is None and readings that would only set
    it (``verdict_floor``) are not scored: the codec, the rivals and the readings a refusal
    names are the same (``read_text`` returns no confidence).
    """
    cut = floor if confidence else verdict_floor
    sample: bytes | None = score_sample(data)
    ranked = rank_down_to(data, partial(cut, data=data), whole_file=whole_file, sample=sample)
    if (not ranked or not plausible(ranked[0])) and not whole_file:
        for aligned in _character_aligned_samples(data):
            realigned = rank_down_to(aligned, partial(cut, data=aligned))
            if realigned and plausible(realigned[0]):
                data, ranked, sample = aligned, realigned, None
                break
    if not ranked or not plausible(ranked[0]):
        return Detection(None, "detector", readings=notes(data, ranked[:_NAMED]))
    if whole_file:
        best_anywhere = rank_down_to(data, partial(cut, data=data))[0]
        if best_anywhere.score - ranked[0].score >= AMBIGUOUS_MARGIN:
            return Detection(None, "detector")
        return explained(data, ranked, settle(data, decide(ranked, confidence=confidence)))
    return _decided(data, sample, ranked, cut, confidence=confidence)


def _decided(
    data: bytes,
    sample: bytes | None,
    ranked: list[Reading],
    cut: Callable[[list[Reading]], float],
    *,
    confidence: bool,
) -> Detection:
    """``guess``'s detection from the plausible ``ranked`` readings of ``sample`` (None:
    ``score_sample(data)``); scored again with the bytes beyond the sample where the pick and
    code pages that read the sample alike part ways (``parting.widened``), when the file has
    any. The floor is then a margin below the best (``cut`` without data): ``settle`` may
    weigh every close rival."""
    wider = widened(data, ranked[0].encoding, sample) if len(data) > SCORE_BYTES else None
    if wider is not None:
        rescored = rank_down_to(data, cut, sample=wider)
        if rescored and plausible(rescored[0]):
            detection = settle(data, decide(rescored, confidence=confidence), wider)
            return explained(data, rescored, detection, wider)
    return explained(data, ranked, settle(data, decide(ranked, confidence=confidence)))


def _character_aligned_samples(data: bytes) -> Iterator[bytes]:
    """Samples of ``data`` whose pieces start and end on whole characters of each multi-byte
    codec that decodes all of it, in ``MULTI_BYTE`` order (none when the sample is all of it).

    The sample's pieces are cut at line ends; a piece of a long line of CJK text (no line end
    and no ASCII in it) may start on a character's second byte, and then no multi-byte codec
    decodes the sample (a 15 KB GBK book in paragraphs of 2,600 bytes read as nothing, or as
    UTF-8 with stray bytes). Cut in the decoded text, the same places read whole. Only a file
    with no plausible reading pays for these decodes."""
    if len(data) <= SCORE_BYTES:
        return
    piece = SCORE_BYTES // 8  # characters: about the byte sample's size in two-byte text
    for encoding in MULTI_BYTE_CODECS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        starts = ((len(text) - piece) * index // 3 for index in range(4))
        try:
            yield "".join(text[start : start + piece] for start in starts).encode(encoding)
        except UnicodeEncodeError:  # a cut between a kana and its combining mark (JIS X 0213)
            continue


def settle(data: bytes, detection: Detection, sample: bytes | None = None) -> Detection:
    """``detection`` without its rivals when word statistics confirm its pick over each of
    them (``closecall``: readings in single-byte code pages that differ in a few letters).
    ``sample``: the bytes the readings were scored on, when not ``score_sample(data)``."""
    if detection.encoding is None or detection.rival is None:
        return detection
    close = (detection.encoding, detection.rival, *detection.others)
    sample = score_sample(data) if sample is None else sample
    if not enough_letters(sample, detection.encoding):
        return detection
    readings: list[tuple[str, tuple[str, ...]]] = []
    for encoding in close:
        languages = alike_languages(encoding, sample)
        if languages is None:
            return detection
        readings.append((encoding, languages))
    if not confirmed(readings, sample):
        return detection
    return replace(detection, rival=None, others=())


def explained(
    data: bytes, ranked: list[Reading], detection: Detection, sample: bytes | None = None
) -> Detection:
    """A refusal's detection as a refusal names it: the best reading, its rival and the
    closest _OTHERS_NAMED others (``more`` when ``decide`` found still more), each described
    (scores, offending bytes; ``sample``: as ``settle``'s)."""
    if detection.rival is None:
        return detection
    others = detection.others[:_OTHERS_NAMED]
    named = {detection.encoding, detection.rival, *others}
    close = [reading for reading in ranked if reading.encoding in named][:_NAMED]
    more = len(detection.others) > _OTHERS_NAMED
    return replace(detection, others=others, more=more, readings=notes(data, close, sample))


def decide(ranked: list[Reading], *, confidence: bool = True) -> Detection:
    """The best of readings sorted best first, with every other plausible reading within the
    margin named as a rival (vendor variants of the best one read alike: they are no rivals).
    Without ``confidence`` (``ranked`` cut at ``verdict_floor``, which may leave out the first
    rival that sets it) the confidence is None."""
    best = ranked[0]
    rival = next((r for r in ranked[1:] if not variants(best.encoding, r.encoding)), None)
    gap = best.score - rival.score if rival is not None else math.inf
    margin = _margin(best)
    close = [reading.encoding for reading in _close_rivals(best, ranked, margin)]
    rival, others = (close[0], tuple(close[1:])) if close else (None, ())
    sure = round(1.0 - math.exp(-gap / margin), 3) if confidence else None
    return Detection(best.encoding, "detector", sure, rival, others)


def floor(ranked: list[Reading], data: bytes | None = None) -> float:
    """A score below which readings change nothing ``guess`` and ``utf8_or_legacy`` read of
    ``ranked`` (best first), the readings of ``data``: readings scoring below it may be left
    out (``rank_down_to``).

    Such a reading is not the best (the floor is a margin below it); not a close rival the
    detection names, nor one that tells whether it names them all (see ``verdict_floor``);
    not among the three an implausible best's refusal names (the floor is at most the third's
    score); and not the first rival, which sets the confidence: the floor is at most that
    rival's score, or, with no rival within _SURE margins, that far below the best, where
    every gap rounds to confidence 1.0 (as no rival at all does).
    """
    best = ranked[0]
    rival = next((r for r in ranked[1:] if not variants(best.encoding, r.encoding)), None)
    sure = best.score - _SURE * _margin(best)
    return min(
        verdict_floor(ranked, data),
        rival.score if rival is not None and rival.score > sure else sure,
    )


def verdict_floor(ranked: list[Reading], data: bytes | None = None) -> float:
    """``floor`` without the first rival's term: a score below which readings change nothing
    ``guess`` and ``utf8_or_legacy`` read of ``ranked`` (the readings of ``data``) but the
    confidence (``decide``'s gap to the first rival).

    Such a reading is not the best (the floor is at most a margin below it) and not among the
    three an implausible best's refusal names. Nor is it a close rival that counts: a refusal
    names the closest _OTHERS_NAMED + 1 (``explained``) and whether there are more, which the
    closest _OTHERS_NAMED + 2 settle; the floor is the last of those when there are that many.
    But ``settle`` weighs every close rival when the best reading has the letters a close call
    needs (``enough_letters``), and without ``data`` that cannot be ruled out: the floor is
    then a margin below the best, where every close rival scores above it.
    """
    best = ranked[0]
    margin = _margin(best)
    low = best.score - margin
    if not plausible(best):
        return min(low, ranked[_NAMED - 1].score if len(ranked) >= _NAMED else -math.inf)
    deciding = _OTHERS_NAMED + 2
    if data is None or len(ranked) <= deciding:
        return low  # fewer readings than it takes: no cut below them counts
    close = list(itertools.islice(_close_rivals(best, ranked, margin), deciding))
    if len(close) < deciding or enough_letters(score_sample(data), best.encoding):
        return low
    return close[-1].score


def _close_rivals(best: Reading, ranked: list[Reading], margin: float) -> Iterator[Reading]:
    """The plausible readings of ``ranked`` (best first) after ``best`` that are no vendor
    variant of it and score within ``margin`` of it: its rivals, closest first."""
    for reading in ranked[1:]:
        if best.score - reading.score >= margin:
            return
        if not variants(best.encoding, reading.encoding) and plausible(reading):
            yield reading


def _margin(best: Reading) -> float:
    """How far (in nats) another reading must score below the best not to be its rival."""
    evidence = best.evidence + _ASCII_EVIDENCE * best.ascii_letters
    return AMBIGUOUS_MARGIN + _SHORT_TEXT_MARGIN / max(1.0, evidence)


def weighs_legacy(data: bytes) -> bool:
    """Whether ``utf8_or_legacy`` may weigh legacy readings of these UTF-8 bytes: a small
    file, not all ASCII. It reads any other as UTF-8 without looking at its text."""
    return len(data) <= SCORE_BYTES and not data.isascii()


def utf8_or_legacy(data: bytes, text: str, *, confidence: bool = True) -> Sniffed:
    """Valid UTF-8 (``text``: ``data`` decoded), unless it has so few multi-byte characters
    that its bytes may be legacy text forming UTF-8 by chance: then UTF-8's reading competes
    with the legacy ones (``decide``), and a close call names both. Only small files are
    weighed so (``weighs_legacy``: the legacy readings are scored on a sample, which in a
    large file may miss those bytes).
    ``confidence``: as ``guess``.
    """
    utf8 = Sniffed(Detection("utf-8", "utf-8"), text)
    if not weighs_legacy(data):
        return utf8
    # Valid UTF-8: its ASCII bytes are its ASCII characters, and every other character is one
    # multi-byte sequence (counted at C speed).
    if len(text) - len(data.translate(None, _HIGH_BYTES)) >= _FEW_MULTI_BYTE:
        return utf8
    # UTF-8's reading is judged on what the legacy ones are: one copy of a repeated text
    # (``score_sample``; a copy of valid UTF-8 starts and ends on whole characters).
    sample = score_sample(data)
    own = utf8_reading(text if sample is data else sample.decode("utf-8"))
    cut = partial(floor if confidence else verdict_floor, data=data)
    ranked = rank_down_to(data, cut, given=(replace(own, score=own.score + _UTF8_PRIOR),))
    if ranked[0].encoding == "utf-8" and not plausible(ranked[0]):
        return utf8  # no reading looks like text: valid UTF-8 it stays
    detection = explained(data, ranked, settle(data, decide(ranked, confidence=confidence)))
    if detection.encoding == "utf-8":
        return Sniffed(replace(detection, reason="utf-8"), text)
    if not plausible(ranked[0]):
        return utf8
    encoding = detection.encoding or "utf-8"
    return Sniffed(detection, data.decode(encoding))
