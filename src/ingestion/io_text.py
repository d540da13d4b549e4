"""Read a whole text file as ``str``, choosing the codec when asked to.

Memory: the bytes and the text are each held once where it matters most. For UTF-8 and
single-byte codecs, newlines are folded in the bytes and the unfolded bytes dropped before
decoding, so no second copy of the text is made. Text that detection had to decode anyway
(ASCII, a declared codec, UTF-16/32, multi-byte codecs) and text read under an explicit
encoding are folded as ``str``, which briefly holds a second copy when the file has CRs.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ingestion.encoding_detect import (
    SAMPLE_BYTES,
    Detection,
    Sniffed,
    guess,
    mostly_utf8,
    not_utf8,
    prescan,
    utf8_counts,
    utf8_or_legacy,
    weighs_legacy,
)
from ingestion.errors import (
    AmbiguousEncodingError,
    BinaryFileError,
    TextDecodeError,
    UnknownEncodingError,
)
from ingestion.readings import SCORE_BYTES
from ingestion.supersets import DECODE_SUPERSETS
from ingestion.utf7 import first_bad_shift
from ingestion.utils import (
    explicit_codec,
    first_undefined,
    fold_newline_bytes,
    fold_newlines,
    newline_safe,
    single_byte_undefined,
    spread_sample,
    text_codec_name,
)

Errors = Literal["strict", "replace"]

_LOSSY_HINT = "pass errors='replace' to read it with the bad bytes replaced by U+FFFD"
_UTF8 = Detection("utf-8", "utf-8")
_HEAD_PROBE_BYTES = 64 * 1024
_ENCODE_STEP = 1 << 20
# Bad bytes per valid multi-byte character above which the valid ones are taken for chance.
_CHANCE_BAD_PER_UTF8 = 4


@dataclass(frozen=True)
class _Stamp:
    """What ``stat`` says about a file, to notice it being replaced or rewritten between reads."""

    size: int
    mtime_ns: int
    inode: int
    device: int


def _stamp(file: Path) -> _Stamp:
    status = file.stat()
    return _Stamp(status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev)


def _changed(file: Path) -> OSError:
    return OSError(f"{file}: changed while being read; read it again once it is complete")


def _read(file: Path) -> tuple[bytes, _Stamp]:
    """The file's bytes, and its stamp, which is the same before and after reading."""
    before = _stamp(file)
    data = file.read_bytes()
    after = _stamp(file)
    if after != before:
        raise _changed(file)
    return data, after


def _reread(file: Path, stamp: _Stamp) -> bytes:
    """The bytes again (for offsets in the file as stored); OSError if the file has changed."""
    data, now = _read(file)
    if now != stamp:
        raise _changed(file)
    return data


def _first_look(data: bytes) -> tuple[Sniffed | None, tuple[int, int]]:
    """``prescan`` and, for 8-bit text, the UTF-8 counts of a spread sample."""
    head = prescan(data)
    return head, (0, 0) if head is not None else utf8_counts(spread_sample(data, SAMPLE_BYTES))


def read_text(
    path: os.PathLike[str] | str, encoding: str = "auto", *, errors: Errors = "strict"
) -> tuple[str, str]:
    """The file's text with newlines folded to ``\\n`` and any BOM dropped, and the codec used.

    Lossy decoding happens only on request (``errors="replace"``): a wrong guess that silently
    replaces characters is worse than an error that says where the file is broken.
    """
    _check_errors(errors)
    file = Path(path)
    if encoding != "auto":
        try:
            name = text_codec_name(encoding)  # an unknown or non-text codec fails before any I/O
        except LookupError as error:
            raise LookupError(f"{file}: {error}") from None
        data = file.read_bytes()
        codec, skip = explicit_codec(data, name)
        return fold_newlines(_decode(file, data, codec, skip, errors)), codec
    # No confidence is returned: readings that would only set it are not scored.
    text, detection = _read_detecting(file, errors, confidence=False)
    if detection.encoding is None:  # _read_detecting has raised already; this narrows the type
        raise BinaryFileError(file)
    return text, detection.encoding


def read_with_detection(
    path: os.PathLike[str] | str, *, errors: Errors = "strict"
) -> tuple[str, Detection]:
    """``read_text(path, "auto")`` that also says why the codec was chosen.

    This function owns the only reference to the file's bytes, so ``del data`` frees them. When
    the bytes as stored are needed again after folding, the file is read again: if it changed
    in between, OSError says so (nothing decided on the first bytes is applied to other ones).
    """
    _check_errors(errors)
    return _read_detecting(Path(path), errors, confidence=True)


def _read_detecting(file: Path, errors: Errors, *, confidence: bool) -> tuple[str, Detection]:
    """``read_with_detection``; without ``confidence`` the detector's is None (``guess``) and
    the codec, text and errors are the same."""
    data, stamp = _read(file)
    head, sample_counts = _first_look(data)
    if head is not None and head.unknown:
        if errors == "strict":
            raise UnknownEncodingError(file, detail=head.unknown)
        head = Sniffed(_UTF8)  # as for 8-bit text no codec reads: UTF-8, nothing to replace
    if head is not None:
        _refuse_ambiguous(file, head.detection)  # ASCII that may be UTF-7 (``utf7``)
    if head is None and _says_utf8(sample_counts):
        buffer = fold_newline_bytes(data)
        folded = buffer is not data
        del data
        text = _utf8_text(file, buffer, folded, errors, sample_counts)
        if text is not None:
            return _settled_utf8(file, buffer, text, confidence=confidence)
        # Not UTF-8 after all (rare): detect on the bytes as stored, as if no shortcut was taken.
        stored = None if folded else buffer
        del buffer
        data, head, sample_counts = _as_stored(file, stamp, stored, head, sample_counts)
    # A strict read decodes without first searching the whole file for bytes a single-byte
    # codec cannot decode: the decode finds them anyway. Only if it does is the file read
    # again and checked byte by byte, for the offset in the file and a second opinion.
    plan = head or _plan(
        file, data, errors, sample_counts, check_bytes=errors == "replace", confidence=confidence
    )
    if plan.text is not None:
        del data  # only the text and its folded copy are alive while folding
        return fold_newlines(plan.text), plan.detection
    codec = plan.detection.encoding
    if codec is None or not newline_safe(codec):
        return _unfolded(file, data, plan, errors)
    buffer = fold_newline_bytes(data)
    folded = buffer is not data
    del data
    try:
        return str(memoryview(buffer)[plan.bom_length :], codec, errors), plan.detection
    except UnicodeDecodeError:
        pass
    stored = None if folded else buffer
    del buffer
    data, head, sample_counts = _as_stored(file, stamp, stored, head, sample_counts)
    plan = head or _plan(file, data, errors, sample_counts, check_bytes=True, confidence=confidence)
    return _unfolded(file, data, plan, errors)


def _as_stored(
    file: Path,
    stamp: _Stamp,
    stored: bytes | None,
    head: Sniffed | None,
    sample_counts: tuple[int, int],
) -> tuple[bytes, Sniffed | None, tuple[int, int]]:
    """The bytes as stored, with their first look: ``stored`` when folding changed nothing
    (the first look still holds), else the file read again (the folded copy already freed)."""
    if stored is not None:
        return stored, head, sample_counts
    data = _reread(file, stamp)
    return data, *_first_look(data)


def _settled_utf8(
    file: Path, buffer: bytes, text: str, *, confidence: bool
) -> tuple[str, Detection]:
    """UTF-8 text, unless a small file with few multi-byte characters reads as well (or better)
    as legacy text whose bytes form UTF-8 by chance (``utf8_or_legacy``; the folded bytes read
    as the file's do). Replaced bytes (U+FFFD) already said the file is UTF-8 with bad bytes.
    """
    if not weighs_legacy(buffer) or "\ufffd" in text:  # a large file's text is not searched
        return text, _UTF8
    settled = utf8_or_legacy(buffer, text, confidence=confidence)
    _refuse_ambiguous(file, settled.detection)
    if settled.text is not None and settled.text is not text:
        return fold_newlines(settled.text), settled.detection
    return text, _UTF8


def _unfolded(file: Path, data: bytes, plan: Sniffed, errors: Errors) -> tuple[str, Detection]:
    """Decode the bytes as stored (errors carry the file's offsets), then fold the text."""
    detection = plan.detection
    if detection.encoding is None:
        raise BinaryFileError(file)
    if plan.text is not None:
        return fold_newlines(plan.text), detection
    text = _decode(file, data, detection.encoding, plan.bom_length, errors)
    return fold_newlines(text), detection


def _check_errors(errors: str) -> None:
    if errors not in ("strict", "replace"):
        raise ValueError(
            f"errors must be 'strict' or 'replace' (the only lossy mode), not {errors!r}"
        )


def _some_utf8(sample_counts: tuple[int, int]) -> bool:
    """Whether the sample holds UTF-8 beyond chance: more than one valid multi-byte character
    for every ``_CHANCE_BAD_PER_UTF8`` bytes that are not UTF-8.

    Legacy bytes form a valid sequence now and then (in CJK code pages about one pair in ten
    does: a lead byte 0xC2-0xDF followed by 0xA1-0xBF), so a few of them among many bad
    bytes say nothing about UTF-8; a UTF-8 file with a legacy block has as many of each.
    """
    multi_byte, bad = sample_counts
    return multi_byte > 0 and multi_byte * _CHANCE_BAD_PER_UTF8 >= bad


# A valid multi-byte character with a replaced (not UTF-8) byte right before or after it.
_GLUED_TO_BAD = re.compile("[^\x00-\x7f\ufffd](?=\ufffd)|(?<=\ufffd)[^\x00-\x7f\ufffd]")
_MULTI_BYTE_CHAR = re.compile("[^\x00-\x7f\ufffd]")


def _glued_to_bad_bytes(data: bytes) -> bool:
    """Whether most valid multi-byte characters of the sample touch a byte that is not UTF-8:
    legacy multi-byte text forming UTF-8 by chance, not UTF-8 with bad bytes.

    Chance sequences sit inside runs of legacy characters (EUC-TW's pairs: 118 of its 127
    valid sequences touch a bad byte, though there is one per 3.5 bad bytes, within
    ``_some_utf8``'s bar); a UTF-8 file with a legacy block or a few corrupt bytes has its
    UTF-8 characters apart from them (in its own lines and words)."""
    text = spread_sample(data, SAMPLE_BYTES).decode("utf-8", "replace")
    glued = len(_GLUED_TO_BAD.findall(text))
    return 2 * glued >= len(_MULTI_BYTE_CHAR.findall(text))


def _says_utf8(sample_counts: tuple[int, int]) -> bool:
    """Worth decoding the whole file as UTF-8 straight away: the sample is (mostly) UTF-8."""
    multi_byte, bad = sample_counts
    return multi_byte > 0 and bad * 5 <= multi_byte


def _utf8_text(
    file: Path, buffer: bytes, folded: bool, errors: Errors, sample_counts: tuple[int, int]
) -> str | None:
    """The text when ``buffer`` is (mostly) UTF-8, decoded once; None when it is not UTF-8.

    Both modes ask ``mostly_utf8`` the same question: the file's sample counts plus the bytes
    around the first bad byte (in replace mode, where the first U+FFFD came from).
    """
    if errors == "replace":
        text = buffer.decode("utf-8", "replace")
        # U+FFFD may also be in the file itself; if the check below then says "not UTF-8",
        # the caller starts over with a strict decode, which settles it.
        at = text.find("\ufffd")
        if at < 0 or mostly_utf8(buffer, _utf8_offset(buffer, text, at), sample_counts):
            return text
        return None
    try:
        return buffer.decode("utf-8")
    except UnicodeDecodeError as error:
        if folded or not mostly_utf8(buffer, error.start, sample_counts):
            return None  # offsets in folded bytes are not the file's: the caller starts over
        raise _utf8_error(file, buffer, error.start) from None


def _utf8_offset(buffer: bytes, text: str, at: int) -> int:
    """Where ``text[at]`` starts in ``buffer``, given ``text == buffer.decode("utf-8", "replace")``
    and a clean ``text[:at]`` (no replacement before it).

    Counting from the start encodes ``text[:at]``. When ``at`` is near the end that is most of
    the file, so the end is counted instead: each U+FFFD after ``at`` stands for one to three
    bytes, which leaves a few candidate offsets, and the one whose bytes decode to the rest of
    the text (and end with the text just before ``at``) is it. Anything ambiguous is counted
    from the start.
    """
    tail = text[at:]
    replaced = tail.count("\ufffd")
    if (2 * replaced + 2) * len(tail) < at:
        valid = len(tail.encode("utf-8")) - 3 * replaced
        before = text[max(0, at - 16) : at].encode("utf-8")
        found = [
            start
            for start in range(
                len(buffer) - valid - 3 * replaced, len(buffer) - valid - replaced + 1
            )
            if start >= len(before)
            and buffer.startswith(before, start - len(before))
            and buffer[start:].decode("utf-8", "replace") == tail
        ]
        if len(found) == 1:
            return found[0]
    return sum(
        len(text[start : min(start + _ENCODE_STEP, at)].encode("utf-8"))
        for start in range(0, at, _ENCODE_STEP)
    )


def _utf8_error(file: Path, data: bytes, offset: int) -> TextDecodeError:
    return TextDecodeError(file, "utf-8", offset, data[offset], _LOSSY_HINT)


def _plan(
    file: Path,
    data: bytes,
    errors: Errors,
    sample_counts: tuple[int, int],
    *,
    check_bytes: bool,
    confidence: bool,
) -> Sniffed:
    """The codec for 8-bit text, checked on the whole file; the text when decoding was needed.

    A strict read fails here, with the offset in the file, before any folding (single-byte
    codecs: only with ``check_bytes``; without it the caller's decode is the check).
    """
    first_bad = _first_bad_utf8_in_head(data)
    if first_bad is None:
        try:
            return Sniffed(_UTF8, data.decode("utf-8"))
        except UnicodeDecodeError as error:
            first_bad = error.start
    if mostly_utf8(data, first_bad, sample_counts):
        if errors == "strict":
            raise _utf8_error(file, data, first_bad)
        return Sniffed(_UTF8)
    sniffed = not_utf8(data, confidence=confidence)
    if sniffed.text is not None:
        return sniffed  # decoded as declared
    if sniffed.detection.encoding is None:
        # prescan saw no binary signs, only no legacy reading looked like text. With valid
        # UTF-8 in the sample (UTF-8 with a legacy block, say) it is text with bad bytes,
        # reported where UTF-8 breaks; without, or with valid sequences that legacy bytes form
        # by chance, UTF-8 was never the likely reading: the error names the legacy readings
        # that came closest.
        if errors == "strict":
            if not _some_utf8(sample_counts) or _glued_to_bad_bytes(data):
                raise UnknownEncodingError(file, sniffed.detection.readings)
            hint = f"{_LOSSY_HINT}, or name the encoding"
            raise TextDecodeError(file, "utf-8", first_bad, data[first_bad], hint)
        return Sniffed(_UTF8)
    _refuse_ambiguous(file, sniffed.detection)
    redetect = sniffed.detection.reason == "detector" and len(data) > SCORE_BYTES
    return _checked(
        file,
        data,
        sniffed.detection,
        errors,
        redetect=redetect,
        check_bytes=check_bytes,
        confidence=confidence,
    )


def _first_bad_utf8_in_head(data: bytes) -> int | None:
    """Where UTF-8 breaks in the first bytes: legacy text breaks early, and finding out there
    spares decoding (and the decode error copying) the whole file."""
    try:
        codecs.utf_8_decode(memoryview(data)[:_HEAD_PROBE_BYTES], "strict", False)
    except UnicodeDecodeError as error:
        return error.start
    return None


def _checked(
    file: Path,
    data: bytes,
    detection: Detection,
    errors: Errors,
    *,
    redetect: bool,
    check_bytes: bool,
    confidence: bool,
) -> Sniffed:
    """A codec picked from a sample must decode the whole file; if not, detect on all of it once.

    Without ``check_bytes`` (a strict read's first pass) the caller's decode is the check.
    Otherwise single-byte codecs are checked by a byte search (their text is decoded after
    folding) and other codecs are decoded here.
    """
    codec = detection.encoding
    assert codec is not None  # noqa: S101 - _plan returns a detection without a codec itself
    undefined = single_byte_undefined(codec)
    if not check_bytes and newline_safe(codec):
        # The caller folds the bytes and decodes them once, which is the check: if that fails
        # it reads the file again and comes back here with check_bytes.
        return Sniffed(detection)
    if undefined is None:
        try:
            return Sniffed(detection, data.decode(codec))
        except UnicodeDecodeError as error:
            offset = error.start
    elif not check_bytes:  # EBCDIC: decoded unfolded by the caller, which is the check
        return Sniffed(detection)
    else:
        found = first_undefined(data, undefined)
        if found is None:
            return Sniffed(detection)
        offset = found
    # The pick's vendor superset first; else, once, the codec found on the whole file, which
    # must read it about as plausibly as the sample's pick did: one that merely decodes every
    # byte can be mojibake (cp1252 as cp775).
    second = _superset_reading(data, detection)
    if second is None and redetect:
        whole = guess(data, whole_file=True, confidence=confidence)
        if whole.encoding not in (None, codec) and whole.rival is None:
            redetected = replace(detection, encoding=whole.encoding)
            second = _checked(
                file,
                data,
                redetected,
                errors,
                redetect=False,
                check_bytes=True,
                confidence=confidence,
            )
    if second is not None:
        return second
    if errors == "replace":
        text = None if undefined is not None else _decode(file, data, codec, 0, errors)
        return Sniffed(detection, text)
    hint = f"{_LOSSY_HINT}, or name the encoding"
    raise TextDecodeError(file, codec, offset, data[offset], hint)


def _superset_reading(data: bytes, detection: Detection) -> Sniffed | None:
    """The first vendor superset of the pick (``DECODE_SUPERSETS``: cp932 for Shift_JIS, GBK
    for GB2312) that decodes the whole file, with its text, when the pick, made on a sample,
    does not: it decodes all the pick does, as the same characters but for a few symbols, so
    it is the natural second choice (cp932's IBM kanji in a Shift_JIS sample's file)."""
    for superset in DECODE_SUPERSETS.get(detection.encoding or "", ()):
        try:
            return Sniffed(replace(detection, encoding=superset), data.decode(superset))
        except UnicodeDecodeError:
            continue
    return None


def _refuse_ambiguous(file: Path, detection: Detection) -> None:
    if detection.encoding is not None and detection.rival is not None:
        raise AmbiguousEncodingError(
            file,
            detection.encoding,
            detection.rival,
            others=detection.others,
            readings=detection.readings,
            more=detection.more,
        )


def _decode(file: Path, data: bytes, codec: str, skip: int, errors: Errors) -> str:
    view = memoryview(data)[skip:]
    try:
        text = str(view, codec, errors)
    except UnicodeDecodeError as error:
        offset = skip + error.start
        hint = _LOSSY_HINT if codec.startswith("utf") else f"{_LOSSY_HINT}, or name the encoding"
        raise TextDecodeError(file, codec, offset, data[offset], hint) from None
    return _strict_utf7(file, data, text, errors) if codec == "utf-7" else text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _strict_utf7(file: Path, data: bytes, text: str, errors: Errors) -> str:
    """UTF-7 read under an explicit ``utf-7`` as strictly as detection reads it: Python's
    codec passes a lone surrogate and a final ``+``, which are errors (or, replaced, U+FFFD);
    a leading byte order mark (``+/v8``) is dropped, as other BOMs are."""
    if errors == "strict":
        offset = first_bad_shift(data)
        if offset is not None:
            raise TextDecodeError(file, "utf-7", offset, data[offset], _LOSSY_HINT)
    else:
        text = _LONE_SURROGATE.sub("\ufffd", text)
        if data.endswith(b"+") and str(data + b"-", "utf-7", "replace") == text + "+":
            text += "\ufffd"  # the codec dropped a final '+' that starts no shift
    return text.removeprefix("\ufeff")
