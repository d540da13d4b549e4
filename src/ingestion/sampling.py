"""The bytes the detector scores: a spread sample, plus the non-ASCII bytes it missed.

A spread sample (``spread_sample``: a few pieces from spread-out places) bounds the cost of
scoring whatever the file's size. In a large, mostly ASCII file its pieces may miss the few
non-ASCII bytes the codecs differ on (one curly apostrophe in a 700 KB log): every legacy codec
then reads the sample alike and the first would be taken with no evidence at all, or a few
bytes would be judged while most of the file's lie elsewhere. So when the sample holds fewer
than ``ENOUGH_HIGH`` bytes >= 0x80, windows around the file's other runs of them (with the
words and lines about them) are added, in file order. The runs are found by C-level scans
(``bytes.isascii`` over chunks, a compiled pattern only where a chunk has such a byte), and the
scan stops once the windows hold enough of those bytes or ``size`` bytes: a file with dense
non-ASCII text keeps its spread sample, at the cost of counting that sample's bytes.

A sample that is one text over and over (a test string, a word typed N times, a line repeated)
says no more than one copy: every reading's score is a sum over its letters, so k copies
multiply every gap between readings by k while the margin a pick must win by shrinks with the
letter count, and repetition alone made a refusal a sure pick ("呵呵哒" x 310 in GB 2312 read as
EUC-JP mojibake at confidence 1.0, where one copy is refused). ``one_copy`` keeps one.
"""

from __future__ import annotations

import re

from ingestion.utils import spread_spans

# A spread sample with this many bytes >= 0x80 is evidence enough on its own (the margin a
# reading must win by is then near its floor, ``encoding_detect._margin``).
ENOUGH_HIGH = 64
# Bytes of context kept on each side of a run (cut back to a line or word start and end).
_CONTEXT = 128
# The scan looks at this many bytes at a time (``isascii``: a few microseconds each), then at
# _STEP bytes at a time within a chunk that has a byte >= 0x80, then searches one step for it.
_CHUNK = 64 * 1024
_STEP = 256
_ASCII_BYTES = bytes(range(0x80))
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
# How much of a sample's start ``one_copy`` looks for again to find its period.
_PERIOD_HEAD = 64
_PERIOD_TRIES = 4


def evidence_sample(data: bytes, size: int) -> tuple[bytes, bytes]:
    """``spread_sample(data, size)`` with windows around the file's runs of bytes >= 0x80 that
    its pieces missed when it holds fewer than ``ENOUGH_HIGH`` of them (at most about ``size``
    bytes more, see ``_windows``), and that spread sample: the same object when nothing was
    added. The first holds a byte >= 0x80 whenever ``data`` does.

    Every window starts and ends at a line end, a space, or the edge of a run, so a
    multi-byte character is never cut (none of the multi-byte codecs has a space, a newline or
    an ASCII byte before a lead byte as part of a character, but GB18030's four-byte ones, whose
    second byte is a digit), except within a run longer than the room left, cut after an even
    number of bytes.
    """
    if len(data) <= size:
        return data, data
    spans = spread_spans(data, size)
    spread = b"".join(data[start:end] for start, end in spans)
    have = len(spread.translate(None, _ASCII_BYTES))
    if have >= ENOUGH_HIGH:
        return spread, spread
    windows = _windows(data, spans, size, ENOUGH_HIGH - have)
    if not windows:
        return spread, spread
    return b"".join(data[start:end] for start, end in sorted(spans + windows)), spread


def _windows(
    data: bytes, spans: list[tuple[int, int]], room: int, wanted: int
) -> list[tuple[int, int]]:
    """Windows (start, end) around runs of bytes >= 0x80 outside ``spans`` (which they never
    overlap), in file order, until they hold ``wanted`` such bytes or ``room`` bytes (the last
    one may pass ``room`` by its context: at most ``2 * _CONTEXT`` bytes)."""
    windows: list[tuple[int, int]] = []
    held = used = 0
    gap_starts = [0, *(end for _, end in spans)]
    gap_ends = [*(start for start, _ in spans), len(data)]
    for gap_start, gap_end in zip(gap_starts, gap_ends, strict=True):
        position = gap_start
        while held < wanted and used < room:
            run = _next_run(data, position, gap_end, room - used)
            if run is None:
                break
            run_start, run_end = run
            start = _window_start(data, max(position, run_start - _CONTEXT), run_start)
            end = run_end  # a run cut short ends its window (no context after it)
            if run_end == len(data) or data[run_end] < 0x80:
                end = _window_end(data, run_end, min(gap_end, run_end + _CONTEXT))
            windows.append((start, end))
            held += len(data[start:end].translate(None, _ASCII_BYTES))
            used += end - start
            position = end
    return windows


def _next_run(data: bytes, position: int, stop: int, longest: int) -> tuple[int, int] | None:
    """The first run of bytes >= 0x80 in ``data[position:stop]`` (start, end), or None; at
    most ``longest`` bytes of it (at least 2), cut after an even number of bytes when it goes
    on (between two-byte characters, as a long run of CJK text is)."""
    while position < stop:
        chunk_end = min(stop, position + _CHUNK)
        if data[position:chunk_end].isascii():
            position = chunk_end
            continue
        while data[position : position + _STEP].isascii():
            position += _STEP  # the chunk has such a byte: this stops within it
        found = _HIGH_BYTE.search(data, position, chunk_end)
        if found is None:  # it is within this step: this narrows the type
            return None
        start = found.start()
        limit = min(stop, start + max(2, longest))
        run = _HIGH_RUN.match(data, start, limit)
        end = limit if run is None else run.end()
        if end == limit < stop and data[end] >= 0x80:
            end = start + (end - start) // 2 * 2
        return start, end
    return None


def _window_start(data: bytes, low: int, run_start: int) -> int:
    """Where a window before a run starting at ``run_start`` begins, no earlier than ``low``:
    at ``low`` when a line or word starts there, else after the first line end from ``low``
    on, else after the first space, else at the run."""
    if low == 0 or data[low - 1] in b"\n ":
        return low
    for separator in (b"\n", b" "):
        found = data.find(separator, low, run_start)
        if found >= 0:
            return found + 1
    return run_start


def _window_end(data: bytes, run_end: int, high: int) -> int:
    """Where a window after a run ending at ``run_end`` ends, no later than ``high``: after the
    last line end before ``high``, else after the last space, else one byte past the run (an
    ASCII byte that may end the run's last character)."""
    for separator in (b"\n", b" "):
        found = data.rfind(separator, run_end, high)
        if found >= 0:
            return found + 1
    return min(high, run_end + 1)


def windows_at(data: bytes, offsets: list[int]) -> bytes:
    """The text around each of ``offsets`` (sorted), joined in file order: the run of bytes
    >= 0x80 there with up to ``_CONTEXT`` bytes on each side, cut back to a line or word start
    and end as ``evidence_sample``'s windows are (windows that would overlap are merged)."""
    spans: list[tuple[int, int]] = []
    for offset in offsets:
        run_start = offset
        while run_start > max(0, offset - _CONTEXT) and data[run_start - 1] >= 0x80:
            run_start -= 1
        run = _HIGH_RUN.match(data, offset, offset + _CONTEXT)
        run_end = offset + 1 if run is None else run.end()
        start = _window_start(data, max(0, run_start - _CONTEXT), run_start)
        end = _window_end(data, run_end, min(len(data), run_end + _CONTEXT))
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return b"".join(data[start:end] for start, end in spans)


def one_copy(sample: bytes) -> bytes:
    """The first copy of ``sample`` when it is one text repeated (at least twice, the last copy
    perhaps cut short, then perhaps ASCII spaces or line ends), and so on while that copy is
    itself one text repeated (a line of a word x 10, repeated); else ``sample``.

    The copy is a prefix of the sample (offsets into it are offsets into the file)."""
    while True:
        copy = _first_copy(sample)
        if copy is sample:
            return sample
        sample = copy


def _first_copy(sample: bytes) -> bytes:
    """``one_copy``'s step: the first copy of ``sample`` when it is one text repeated, else
    ``sample`` (the same object).

    A copy of odd length ending in a byte >= 0x80 may end inside a two-byte character (GB 2312
    "\xb0" x 4 is two characters, "\xb0" none): two copies are kept, which end where the
    repeated text does. The period is found at C speed: where the sample's start (as much of
    it as a second copy holds) recurs, checked by comparing the sample with itself shifted by
    that much, at the first _PERIOD_TRIES places it recurs."""
    core = sample.rstrip()
    longest = len(sample) // 2  # the longest copy: at least two are wanted
    head = core[: min(_PERIOD_HEAD, len(core) - longest)]
    if not head:
        return sample
    period = 0
    for _ in range(_PERIOD_TRIES):
        period = core.find(head, period + 1)
        if not 0 < period <= longest:
            return sample
        if core[period:] == core[:-period]:
            break
    else:
        return sample
    if period % 2 and core[period - 1] >= 0x80:
        period *= 2
    return sample if period >= len(sample) else sample[:period]
