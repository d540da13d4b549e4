"""Every legacy codec 8-bit text may be in, and which of their readings is real text.

Each codec that decodes the sample gives one reading; readings with the same text are one
(the most common codec, listed first, names it). A cheap first round scores the non-ASCII
letters alone and keeps the best few; those are scored on letters and letter pairs under each
language the codec was made for (``plausibility``). Cost is bounded by the sample, not the file.
"""

from __future__ import annotations

import bisect
import codecs
import collections
import functools
import itertools
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ingestion.ebcdic import ASCII_SPACE, EBCDIC_SPACE, punctuation_cost
from ingestion.errors import ReadingNote
from ingestion.plausibility import (
    DOTTED_CAPITAL_I,
    UNREADABLE_EBCDIC,
    ByteCounts,
    ByteTables,
    LetterTable,
    Profile,
    ascii_fits,
    ascii_prior_most,
    byte_counts,
    byte_tables,
    ebcdic_symbols_cost,
    first_round_by_table,
    first_round_score,
    foreign_letter,
    glue_counts,
    glued_on_bytes,
    is_mark,
    judge,
    language_models,
    letter_table,
    mixed_bound,
    mixed_score,
    near_pairs_bound,
    non_ascii_chars,
    pair_counts,
    pairs_bound,
    profile,
    profile_on_bytes,
    readable,
    renamed_pairs,
    skeleton,
    skeleton_score,
    unlikeliest,
)
from ingestion.sampling import evidence_sample, one_copy
from ingestion.supersets import LABEL_SUPERSETS, READ_OTHERWISE
from ingestion.utils import first_undefined, single_byte_undefined

SCORE_BYTES = 4 * 1024


# A byte value the windows brought in that occurs at most this often in the sample may be a
# stray byte (a corrupt one) rather than text; dropping it costs this much (nats, per byte: about
# what a letter no language uses costs, ``_NO_OWN_LETTER``).
_STRAY_MOST = 2
_STRAY_COST = 14.0


def score_sample(data: bytes) -> bytes:
    """The bytes every reading of ``data`` is scored on: ``SCORE_BYTES`` spread over the file,
    plus the non-ASCII bytes those missed when they hold few (``sampling.evidence_sample``),
    less any that look like corrupt bytes (``_without_stray``); one copy of it when it is one
    text repeated (``sampling.one_copy``: k copies are the evidence of one)."""
    sample, spread = evidence_sample(data, SCORE_BYTES)
    return one_copy(sample if sample is spread else _without_stray(sample, spread))


def _without_stray(sample: bytes, spread: bytes) -> bytes:
    """``sample`` (``spread`` and windows) without the rare window bytes that the code page
    reading ``spread`` best cannot read, when the best reading without them wins by more than
    ``_STRAY_COST`` per byte (and its code page cannot read them either); else ``sample``.

    Such a byte rules those code pages out, and mojibake in another may win (cp1252 text with
    one corrupt 0x81 read as cp775). Left out, the file is judged as before the windows were
    added: the pick is checked against the whole file, where the byte fails to decode
    (``read_text`` names its offset). The file's only non-ASCII bytes are never left out."""
    counts = collections.Counter(sample)
    rare = [
        value
        for value, count in counts.items()
        if value > 0x7F and count <= _STRAY_MOST and value not in spread
    ]
    pick = _best_codec(spread) if rare else None
    if pick is None or _byte_chars(pick) is None:
        return sample
    stray = bytes(value for value in rare if value in _unreadable_bytes(pick))
    cleaned = sample.translate(None, stray)
    if not stray or cleaned.isascii():
        return sample
    without = _best_reading(cleaned)
    if without is None or not _unreadable_bytes(without.encoding).issuperset(stray):
        return sample  # the rest reads best in a code page that reads those bytes
    kept = _best_reading(sample)
    cost = _STRAY_COST * sum(counts[value] for value in stray)
    return cleaned if kept is None or without.score - cost > kept.score else sample


def _best_reading(sample: bytes) -> Reading | None:
    """The best of ``rank``'s readings of ``sample`` itself (no windows added), or None; the
    others are scored only as far as their bounds reach it."""
    ranked = _ranked_down_to(sample, sample, _best_score)
    return ranked[0] if ranked else None


def _best_codec(sample: bytes) -> str | None:
    """The codec of ``_best_reading(sample)``; an ASCII sample reads alike in every code page,
    named by the first (``_distinct_readings``), without scoring it."""
    if sample.isascii():
        return SINGLE_BYTE[0][0]
    best = _best_reading(sample)
    return None if best is None else best.encoding


def _best_score(ranked: list[Reading]) -> float:
    """A ``rank_down_to`` floor that keeps the best reading only."""
    return ranked[0].score


# The first round (letters alone) keeps the best few, and more when they are about as good
# (a file with one accented letter). In our corpora and char-dataset the true reading was
# always among the first round's best four.
_FINALISTS = 4
_MAX_FINALISTS = 8
_FIRST_ROUND_SPAN = -10.0
# With this few non-ASCII bytes, letters alone say too little to keep only the best few (in
# the short-text sweep the true reading ranked up to 17th in the first round, within 30 of the
# best): all within _FEW_BYTES_SPAN reach the final, which costs little on so few letters.
_FEW_BYTES = 12
_FEW_BYTES_SPAN = -40.0
# Rounding room for comparing a bound summed in another order with exact scores.
_BOUND_SLACK = 1e-6
_ASCII_BYTES = bytes(range(0x80))
_IMPLAUSIBLE_PER_CHAR = -4.5
# With this many non-ASCII characters the average is steady: real text in our corpora, the
# public held-out set and char-dataset stays above -3.1 per character (single-byte codecs),
# while a script no candidate codec covers, read in one that maps its letters to another
# alphabet (Georgian 8-bit as KOI8-R Cyrillic), falls to about -4.1.
_LONG_EVIDENCE = 20
_IMPLAUSIBLE_PER_CHAR_LONG = -3.75
# A few characters say little: a single rare letter (the ï of naïve) is no sign of garbage.
_MIN_EVIDENCE = 4
_MOSTLY_ASCII = 4
# Letter pairs tell a script no codec covers from text better than letters do: mapped onto
# another alphabet its letters stay common (Georgian 8-bit read as cp1251 or KOI8-R: each
# Georgian letter a common Cyrillic one, -0.3 to -0.6 nats a character), but not their pairs
# ("ЕИРЖАЖУМА", -1.7 to -3.8 a pair). A reading with _MIN_PAIRS pairs or more whose pairs fall
# below their language's average by more than _IMPLAUSIBLE_PER_PAIR a pair, less a slack of
# _PAIR_SLACK times the square root of their number (the spread of a sum of n pairs: short
# texts vary more), looks like text in no language. Measured on the single-byte readings read
# right in our corpora, char-dataset, chardet's and uchardet's tests, the survey's public
# corpora and the short-text sweep (4,110 whose letters are mostly non-ASCII or in a
# non-Latin script): none that low, the lowest -1.08 a pair (archaic Thai verse, 192 pairs);
# Russian pangrams of 25 pairs reach -1.6 ("Любя, съешь щипцы"), within the slack. Georgian
# read so (windows of 12 to 244 pairs of two texts, in both its code pages): 279 of 298
# windows refused (53 before), all from 40 pairs on (-1.66 a pair at best). Latin-script
# readings whose letters are mostly ASCII are left out: their pairs that hold an accented
# letter vary too much (lists of accented letters).
_MIN_PAIRS = 12
_IMPLAUSIBLE_PER_PAIR = -1.2
_PAIR_SLACK = 2.5

# The languages each code page was made for (its standard's or vendor's own list): a reading
# is judged as text in one of them, so letters none of them uses cost what unseen letters do.
_WESTERN = (
    *("en", "fr", "de", "es", "pt", "it", "nl", "da", "sv", "nb", "fi", "is", "ca", "eu"),
    *("ga", "cy", "br", "af", "sq", "id", "ms", "et", "fo"),
)
_CENTRAL = ("cs", "sk", "pl", "hu", "hr", "sl", "bs", "ro", "sq", "de", "en")
_TURKISH = ("tr", "az", "en")
# Latin-4, Latin-6 (Nordic) and Latin-7 (Baltic Rim; Windows and DOS Baltic alike). Latin-7
# has every Croatian letter but "đ" (č ć š ž), as it has Slovenian's: without Croatian, its
# Croatian text's "ć" was judged as Polish while cp1250's reading of the same bytes ("ă", and
# "đ" for "š") was judged as Croatian, and such a file was refused or read as cp1250.
_LATIN4 = ("et", "lv", "lt", "se", "fi", "sv", "da", "nb", "de", "en")
_NORDIC = ("is", "fo", "da", "sv", "nb", "fi", "et", "lt", "lv", "se", "en")
_BALTIC_RIM = ("lt", "lv", "et", "pl", "sl", "hr", "de", "fi", "sv", "da", "nb", "en")
_SOUTH_EASTERN = ("ro", "pl", "hu", "hr", "sl", "sq", "de", "fr", "it", "fi", "ga", "en")
_SOUTH_EUROPEAN = ("mt", "eo", "tr", "en")
# Latin-8 (ISO-8859-14): Latin-1 with the Welsh circumflexed w and y (ŵ ŷ, where Latin-1 has
# ð þ) and the dotted consonants of older Irish print; otherwise read as Latin-1 and then
# judged with the Western languages too.
_CELTIC = ("cy", "ga", "br", "en")
_CYRILLIC = ("ru", "uk", "be", "bg", "sr", "mk")
_GREEK = ("el",)
_HEBREW = ("he",)
_ARABIC = ("ar", "fa", "ur")
_THAI = ("th",)

# Most common first: among codecs that read the sample alike, the first is named.
SINGLE_BYTE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cp1252", _WESTERN),
    ("iso8859-15", _WESTERN),
    ("iso8859-1", _WESTERN),
    ("cp1250", _CENTRAL),
    ("iso8859-2", _CENTRAL),
    ("cp850", _WESTERN),
    ("cp858", _WESTERN),  # cp850 with the euro sign where cp850 has a dotless i
    ("cp437", _WESTERN),
    ("mac-roman", _WESTERN),
    ("cp1251", _CYRILLIC),
    ("koi8-r", ("ru", "bg")),
    ("koi8-u", ("uk", "ru", "be")),
    ("iso8859-5", _CYRILLIC),
    ("cp866", ("ru", "uk", "be")),
    ("mac-cyrillic", _CYRILLIC),
    ("cp855", _CYRILLIC),
    ("kz1048", ("kk", "ru")),
    ("ptcp154", ("kk", "ru")),
    ("cp1253", _GREEK),
    ("iso8859-7", _GREEK),
    ("cp737", _GREEK),
    ("cp869", _GREEK),
    ("mac-greek", _GREEK),
    ("cp1254", _TURKISH),
    ("iso8859-9", _TURKISH),
    ("cp857", _TURKISH),
    ("cp1255", _HEBREW),
    ("iso8859-8", _HEBREW),
    ("cp862", _HEBREW),
    ("cp1256", _ARABIC),
    ("iso8859-6", ("ar",)),
    ("cp720", ("ar",)),
    ("cp1257", _BALTIC_RIM),
    ("iso8859-13", _BALTIC_RIM),
    ("iso8859-4", _LATIN4),
    ("cp775", _BALTIC_RIM),
    ("cp1258", ("vi",)),
    ("tis-620", _THAI),
    ("cp874", _THAI),
    ("iso8859-16", _SOUTH_EASTERN),
    ("iso8859-3", _SOUTH_EUROPEAN),
    ("iso8859-10", _NORDIC),
    ("mac-latin2", _CENTRAL),
    ("cp852", _CENTRAL),
    ("mac-turkish", _TURKISH),
    # DOS and Mac code pages of one language each: read as a relative (cp866, cp850,
    # mac-roman), their letters come out as others' letters or box drawing inside words.
    ("cp1125", ("uk", "ru")),
    ("cp860", ("pt", "es", "en")),
    ("cp861", ("is", "en")),
    ("mac-iceland", ("is", "fo", "en")),
    ("iso8859-14", _CELTIC),
)
# EBCDIC: tried only when the sample's spaces are EBCDIC spaces (0x40) rather than ASCII ones.
EBCDIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cp037", _WESTERN),
    ("cp500", _WESTERN),
    ("cp1140", _WESTERN),
    ("cp273", ("de",)),
    ("cp1026", ("tr",)),
    ("cp875", _GREEK),
    ("cp424", _HEBREW),
)
MULTI_BYTE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shift_jis", ("ja",)),
    ("cp932", ("ja",)),
    ("shift_jis_2004", ("ja",)),  # JIS X 0213: decodes Shift_JIS, and its extra kanji too
    ("euc_jp", ("ja",)),
    ("euc_jis_2004", ("ja",)),
    ("gb2312", ("zh",)),
    ("gbk", ("zh",)),
    ("gb18030", ("zh",)),
    ("big5", ("zh",)),
    ("cp950", ("zh",)),
    ("big5hkscs", ("zh",)),
    ("euc_kr", ("ko",)),
    ("cp949", ("ko",)),
    ("johab", ("ko",)),
)
MULTI_BYTE_CODECS = tuple(codec for codec, _ in MULTI_BYTE)
_EBCDIC_NAMES = frozenset(codec for codec, _ in EBCDIC)
# The most common code page: its reading, when it has one, always reaches the final.
_MOST_COMMON = SINGLE_BYTE[0][0]
# ASCII-based code pages that read the same characters as an EBCDIC one (the first whose
# characters cover the sample's bytes serves, ``_ebcdic_twin``): an EBCDIC reading translated
# byte for byte into one is the same text, counted there on the bytes (``_Scorer.profile``).
_EBCDIC_TWINS: dict[str, tuple[str, ...]] = {
    "cp037": ("latin-1",),
    "cp500": ("latin-1",),
    "cp1140": ("latin-1", "iso8859-15"),  # the euro sign in place of the currency sign
    "cp273": ("latin-1",),  # but its overline
    "cp1026": ("iso8859-9",),
    "cp875": ("iso8859-7",),  # but its acute accent and middle dot
    "cp424": ("iso8859-8",),
}
# Single-byte codecs whose readings are counted on the text: cp1258 composes letters from
# marks (in the first round only when the sample has one: ``_COMBINING_1258``), EBCDIC puts
# ASCII letters on high bytes.
_TEXT_COUNTED = frozenset({"cp1258", *_EBCDIC_NAMES})


# How much rarer a codec is than the common ones (a log-prior, in nats): settles readings that
# differ in a letter or two (cp1250 against iso8859-16), never readings far apart.
_UNCOMMON = -2.0
_RARE = -4.0
_PRIOR: dict[str, float] = {
    **dict.fromkeys(
        (
            *("cp850", "cp858", "cp437", "cp866", "mac-roman", "mac-cyrillic", "iso8859-4"),
            *("koi8-u", "cp852", "cp855", "kz1048", "ptcp154", "cp862", "cp720", "cp737", "cp775"),
            *("cp857", "cp869", "mac-greek", "mac-latin2", "mac-turkish", "iso8859-11"),
            *("johab", "big5hkscs", "euc_jis_2004", "shift_jis_2004", "gb18030", "iso8859-1"),
        ),
        _UNCOMMON,
    ),
    **dict.fromkeys(
        (
            *("iso8859-3", "iso8859-10", "iso8859-14", "iso8859-16", "cp1125", "cp860"),
            *("cp861", "mac-iceland"),
            *(c for c, _ in EBCDIC),
        ),
        _RARE,
    ),
}
# A reading in a code page made for another script (Cyrillic, Greek, Hebrew, Arabic, Thai, CJK)
# that holds no letter of any such script is Latin text with a symbol or two where the Latin
# code pages read letters (KOI8-R reads German "sch\xf6n" as "sch\xa0n", ISO-8859-7 Spanish
# "religi\xf3n" as "religi\u2019n"): a code page whose every letter went unused. It costs what a
# letter no language uses costs.
_NO_OWN_LETTER = -14.0


@functools.cache
def _foreign_script(languages: tuple[str, ...]) -> bool:
    """Whether every language of a codec is written in a script other than Latin."""
    models = language_models()
    return not any(models[language].latin for language in languages)


# Vendor variants of one standard: they differ in a few symbols only, so when both read the
# text alike the standard one (listed first) is taken instead of refusing.
VARIANTS: tuple[tuple[str, ...], ...] = (
    ("shift_jis", "cp932", "shift_jis_2004"),
    ("euc_jp", "euc_jis_2004"),
    ("gb2312", "gbk", "gb18030"),
    ("big5", "cp950", "big5hkscs"),
    ("euc_kr", "cp949"),
    ("cp1252", "iso8859-15", "iso8859-1"),
    ("cp850", "cp858"),
)


def letter_languages(encoding: str) -> tuple[str, ...] | None:
    """The languages of a single-byte code page whose bytes each read as one character (not
    cp1258's composed letters nor EBCDIC), or None for any other codec."""
    if encoding in _TEXT_COUNTED:
        return None
    return _SINGLE_BYTE_LANGUAGES.get(encoding)


_SINGLE_BYTE_LANGUAGES: dict[str, tuple[str, ...]] = dict(SINGLE_BYTE)


def alike_languages(encoding: str, sample: bytes) -> tuple[str, ...] | None:
    """``letter_languages`` of ``encoding`` and of every other such code page that reads
    ``sample`` alike (each language once, in ``SINGLE_BYTE`` order): the languages ``rank``
    judged the reading by, where it is named by the first of those code pages (Czech read in
    cp1250 is named cp1252 when its only accented letter is ý, and is Czech all the same).
    None when ``encoding`` is no such code page or does not decode ``sample``."""
    own = letter_languages(encoding)
    if own is None:
        return None
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return None
    found = dict.fromkeys(own)
    for other, languages in SINGLE_BYTE:
        if other == encoding or letter_languages(other) is None:
            continue
        if found.keys() >= set(languages):
            continue
        try:
            alike = sample.decode(other) == text
        except UnicodeDecodeError:
            continue
        if alike:
            found.update(dict.fromkeys(languages))
    return tuple(found)


def variants(first: str, second: str) -> bool:
    """Whether two codecs are vendor variants of one standard."""
    return (first, second) in _VARIANT_PAIRS


_VARIANT_PAIRS = frozenset(
    (first, second) for family in VARIANTS for first in family for second in family
)


@dataclass(frozen=True)
class Reading:
    """One codec's reading of the sample, scored under the language that fits it best."""

    encoding: str
    score: float
    language: str
    evidence: int  # non-ASCII characters the score rests on
    shortfall: float
    ascii_letters: int
    pairs: int = 0  # letter pairs that hold a non-ASCII letter
    pair_shortfall: float = 0.0  # how far they fall below the language's average (``Verdict``)
    # A language scored on letters alone (Chinese, Japanese, Korean): its non-ASCII letters, and
    # how many of them it finds common (``Verdict``); 0 and 0 for any other language.
    letters: int = 0
    common: int = 0
    # Symbols (not punctuation) with a letter on each side: a single-byte reading's
    # ``symbols_inside_words`` (``_SYMBOL_CATEGORIES``); 0 for any other reading.
    inside_symbols: int = 0


@functools.cache
def _byte_chars(encoding: str) -> tuple[str, ...] | None:
    """What each byte reads as (lowercased; "" for undefined), or None for multi-byte codecs."""
    if single_byte_undefined(encoding) is None:
        return None
    chars: list[str] = []
    for value in range(256):
        try:
            chars.append(bytes([value]).decode(encoding).lower())
        except UnicodeDecodeError:
            chars.append("")
    return tuple(chars)


class _Candidate(NamedTuple):  # a tuple: made for every reading of every file, cheaply
    encoding: str
    languages: tuple[str, ...]
    text: str | None  # decoded on demand for single-byte codecs (finalists only)
    first_round: float
    letters: float | None = None  # a text-counted reading's first round before mixed scripts
    chars: dict[str, int] | None = None  # a text-counted reading's ``non_ascii_chars``


# What readings with the same ASCII letter pairs share their ASCII fits by, in ``rank``.
_FitKey = frozenset[tuple[str, int]]


def rank(data: bytes, *, whole_file: bool = False) -> list[Reading]:
    """Distinct readings of ``data`` by known legacy codecs, the most plausible first.

    Scoring uses a bounded sample (``score_sample``). With ``whole_file``, only codecs that
    decode all of ``data`` count (single-byte ones checked by a byte search, others by a strict
    decode).
    """
    sample = score_sample(data)
    values = collections.Counter(sample)
    scorer = _Scorer(sample, values, _finalists(data, sample, values, whole_file=whole_file))
    finalists = [scorer.reading(index) for index in range(len(scorer.finalists))]
    finalists.sort(key=lambda reading: -reading.score)
    return finalists


def rank_down_to(
    data: bytes,
    floor: Callable[[list[Reading]], float],
    *,
    whole_file: bool = False,
    given: tuple[Reading, ...] = (),
    sample: bytes | None = None,
) -> list[Reading]:
    """``rank(data, whole_file=...)`` with ``given`` added (after readings that score the same),
    cut below ``floor`` of it: the readings scoring at least that, best first, without scoring
    readings that provably score below it. ``sample``: the bytes scored, when not
    ``score_sample(data)`` (``parting.widened``'s).

    ``floor(ranked)`` (a non-empty list, best first) must be a score such that, for any
    readings scoring below it, the caller reads ``ranked`` with them added as it reads
    ``ranked`` cut below it. A single-byte reading is scored only when its upper bound
    (``_Scorer.bound``: exact terms, and for the rest the best any language can do) reaches
    the floor of the readings scored so far; the likeliest are scored first. The floor of the
    final set is checked against every bound left out (floors need not rise as readings are
    added), so that every reading left out scores below the floor of what is returned.
    """
    scored = score_sample(data) if sample is None else sample
    return _ranked_down_to(data, scored, floor, whole_file=whole_file, given=given)


def _ranked_down_to(
    data: bytes,
    sample: bytes,
    floor: Callable[[list[Reading]], float],
    *,
    whole_file: bool = False,
    given: tuple[Reading, ...] = (),
) -> list[Reading]:
    """``rank_down_to`` on this ``sample`` of ``data``."""
    values = collections.Counter(sample)
    if given:
        alone = sorted(given, key=lambda reading: -reading.score)  # stable: ``given``'s order
        if _none_reach(sample, values, floor(alone) - _BOUND_SLACK):
            low = floor(alone)
            return [reading for reading in alone if reading.score >= low]
    scorer = _Scorer(sample, values, _finalists(data, sample, values, whole_file=whole_file))
    count = len(scorer.finalists)
    # (-score, index, reading), kept sorted: best first, readings that score the same in
    # ``rank``'s order (``given`` after them); indices are unique, so readings are never compared.
    order = sorted((-reading.score, count + at, reading) for at, reading in enumerate(given))
    bounds = [scorer.rough_bound(index) for index in range(count)]
    low = floor(_readings(order)) - _BOUND_SLACK if order else -math.inf
    for index in sorted(range(count), key=bounds.__getitem__, reverse=True):  # stable
        if order:
            if bounds[index] < low:
                break  # and every reading after it: their bounds are no higher
            bounds[index] = scorer.bound(index, bounds[index])  # from its rough bound
            if bounds[index] < low:
                continue
        reading = scorer.reading(index)
        bisect.insort(order, (-reading.score, index, reading))
        low = floor(_readings(order)) - _BOUND_SLACK
    while order:  # the floor may have fallen below a bound left out: score those too
        done = {index for _, index, _ in order}
        missing = [index for index in range(count) if index not in done and bounds[index] >= low]
        if not missing:
            break
        for index in missing:
            reading = scorer.reading(index)
            bisect.insort(order, (-reading.score, index, reading))
        low = floor(_readings(order)) - _BOUND_SLACK
    ranked = _readings(order)
    if not ranked:
        return ranked
    low = floor(ranked)
    return [reading for reading in ranked if reading.score >= low]


def _none_reach(sample: bytes, values: dict[int, int], low: float) -> bool:
    """Whether every reading of ``sample`` (each of ``_distinct_readings``) is bounded below
    ``low`` (``_Scorer.rough_bound``), found without a first round.

    ``rank_down_to``'s finalists are some of those readings, each bounded as here (a bound
    rests on the reading and the sample alone), and with ``given`` it scores only finalists
    whose bound reaches the floor of ``given`` (less ``_BOUND_SLACK``): when none can, it
    returns ``given`` cut below its floor, and the first round (every reading scored on its
    letters, ``_finalists``) can be skipped. That is the common case for UTF-8 with a few
    multi-byte characters (``encoding_detect.utf8_or_legacy``), whose own reading is given
    with a prior that legacy readings of the same bytes rarely come near.
    ``values``: the sample's ``collections.Counter``."""
    readings, texts = _distinct_readings(sample, values, sorted(values))
    unscored: list[_Candidate] = []
    for encoding, languages in readings.values():
        text = texts.get(encoding)
        if text is None:  # counted by table: bounded on the sample's bytes
            unscored.append(_Candidate(encoding, languages, None, 0.0))
            continue
        chars = non_ascii_chars(text)
        letters = first_round_score(chars, languages)  # as ``_first_round`` counts it
        unscored.append(_Candidate(encoding, languages, text, 0.0, letters, chars))
    scorer = _Scorer(sample, values, unscored)
    return all(scorer.rough_bound(index) < low for index in range(len(unscored)))


def _readings(order: list[tuple[float, int, Reading]]) -> list[Reading]:
    """The readings of ``rank_down_to``'s sorted ``order``, best first."""
    return list(map(_READING, order))


_READING = operator.itemgetter(2)


def _finalists(
    data: bytes, sample: bytes, values: dict[int, int], *, whole_file: bool
) -> list[_Candidate]:
    """The readings ``rank`` scores in full, in the first round's order (best first);
    ``values``: the sample's ``collections.Counter``."""
    candidates = _first_round(sample, not whole_file, values)
    candidates.sort(key=lambda candidate: -candidate.first_round)
    finalists: list[_Candidate] = []
    top = candidates[0].first_round if candidates else 0.0
    # The best multi-byte reading always reaches the final: letters alone undersell kana-heavy
    # Japanese against Latin mojibake, which letter pairs then expose.
    multi_byte = next((c for c in candidates if _byte_chars(c.encoding) is None), None)
    # So does the most common code page's (cp1252's, or of a group it leads): its non-letters
    # cost as punctuation, which letters alone undersell (Italian with guillemets ranked sixth,
    # behind ISO-8859-2's Slovak "Ť ť" for "« »", which letter pairs then expose).
    common = next((c for c in candidates if c.encoding == _MOST_COMMON), None)
    kept = [c for c in (multi_byte, common) if c is not None]
    # Few non-ASCII bytes: every reading within _FEW_BYTES_SPAN of the best, at least the best
    # _MAX_FINALISTS. Otherwise the best _FINALISTS, or _MAX_FINALISTS when they are close.
    # A vendor variant of a finalist takes no place of its own: the two differ in a symbol
    # or two, so their first-round scores are alike (cp858's euro sign where cp850 has a
    # dotless i), and counted apart they crowded out a reading unlike both (mac-roman's).
    few_bytes = len(sample.translate(None, _ASCII_BYTES)) < _FEW_BYTES
    span = _FEW_BYTES_SPAN if few_bytes else _FIRST_ROUND_SPAN
    families = _Families(())  # of the finalists so far: their places are the others
    cut_short = whole_file and len(data) > len(sample)  # the sample is not the whole file
    unread: set[str] = set()  # codecs found not to decode the whole file
    for candidate in candidates:
        close = candidate.first_round >= top + span
        places = len(finalists) - families.placeless
        if few_bytes:
            full = not close and places >= _MAX_FINALISTS
        else:
            full = places >= (_MAX_FINALISTS if close else _FINALISTS)
        if full:
            if all(any(c.encoding == k.encoding for c in finalists) for k in kept):
                break
            if not any(candidate is k for k in kept):
                continue
        if cut_short and not _decodes_whole(data, candidate.encoding):
            unread.add(candidate.encoding)
            continue
        families.add(candidate.encoding)
        finalists.append(candidate)
    # The vendor variants of the finalists join them, however low their first round: it counts
    # letters only, so ISO-8859-15's "Œ œ Š š Ž ž Ÿ" (letters) ranked below cp1252's "¼ ½ ¦ ¨"
    # and accents (symbols, not counted), and a Latin-9 file that also has "naïve" and
    # "façade" was read as cp1252, or as ISO-8859-13 ("naļve"), without its own reading ever
    # being scored. They are bounded and scored like the others (``rank_down_to``), and take
    # no place.
    # Finalists already, or found not to decode the whole file: not asked again.
    settled = {candidate.encoding for candidate in finalists} | unread
    for candidate in candidates:
        encoding = candidate.encoding
        if encoding in settled or _FAMILY_OF.get(encoding) not in families.seen:
            continue
        if cut_short and not _decodes_whole(data, encoding):
            continue
        finalists.append(candidate)
    return finalists


class _Scorer:
    """Scores ``rank``'s finalists of one sample, in any order, each as ``rank`` scores it.

    Single-byte readings are counted on the sample's bytes (counted once). ``judge`` takes the
    ASCII letters' fit to each language from the first finalist (in the first round's order)
    whose profile has the same ASCII letter pairs: every single-byte profile has the sample's
    own pairs (the same dict), so their key is known without profiling them; the owner of a
    key is profiled when a reading needs its fit (once a reading with a Latin-script language
    does: ``judge`` reads the fit for no other).
    """

    def __init__(self, sample: bytes, values: dict[int, int], finalists: list[_Candidate]) -> None:
        self.sample = sample
        self.finalists = finalists
        self.counts: ByteCounts | None = None
        if any(candidate.text is None for candidate in finalists):
            self.counts = byte_counts(sample, values)
        self.shared_key: _FitKey | None = None  # made when a key is compared with it
        self.values = values
        self.present = sum(map((1).__lshift__, values))  # distinct values: the sum is the OR
        self.high = [value for value in values if value > 0x7F]
        self.high_counts = [values[value] for value in self.high]
        self.high_weights = list(map(float, self.high_counts))  # for float-by-float products
        self.profiles: dict[int, Profile] = {}
        self.keys: dict[int, _FitKey | None] = {}
        self.fits: dict[int, dict[str, float]] = {}
        self.glues: dict[int, tuple[int, int, int]] = {}
        self.texts: dict[int, str] = {}
        self.shared_ebcdic_pairs: dict[str, int] | None = None
        self.twins: dict[int, _Twin | None] = {}
        self.twin_byte_counts: dict[int, ByteCounts] = {}
        self.ebcdic_keys: bytes | None = None  # the shared pairs' keys, joined, as bytes

    def glue(self, index: int) -> tuple[int, int, int]:
        """``glue_counts`` of a byte-counted finalist, or of an EBCDIC one's twin (made once:
        its bound and its profile both take it)."""
        found = self.glues.get(index)
        if found is None:
            twin = self.twins.get(index)
            if twin is not None:
                counts = self.twin_counts(index, twin)
                found = self.glues[index] = glue_counts(counts, _tables(twin.target))
                return found
            assert self.counts is not None  # noqa: S101 - made for any single-byte finalist
            encoding = self.finalists[index].encoding
            found = self.glues[index] = glue_counts(self.counts, _tables(encoding))
        return found

    def reading(self, index: int) -> Reading:
        """The finalist's ``Reading``, as ``rank`` scores it."""
        candidate = self.finalists[index]
        reading = self.profile(index)
        verdict = judge(reading, candidate.languages, self.fit(index))
        prior = _PRIOR.get(candidate.encoding, 0.0)
        if _foreign_script(candidate.languages) and not any(map(foreign_letter, reading.chars)):
            prior += _NO_OWN_LETTER
        if candidate.encoding in _EBCDIC_NAMES and candidate.text is not None:
            # Variants read letters alike and symbols apart: where the text puts them.
            prior += punctuation_cost(candidate.text, verdict.language)
        return Reading(
            candidate.encoding,
            verdict.score + prior,
            verdict.language,
            sum(reading.chars.values()),
            verdict.shortfall,
            sum(reading.ascii_letters.values()),
            verdict.pairs,
            verdict.pair_shortfall,
            verdict.letters,
            verdict.common,
            self.inside_symbols(index),
        )

    def inside_symbols(self, index: int) -> int:
        """``symbols_inside_words`` of a single-byte finalist but EBCDIC (0 for others, and
        without a search when the sample has no byte the codec reads as such a symbol)."""
        encoding = self.finalists[index].encoding
        if encoding in _EBCDIC_NAMES or _byte_chars(encoding) is None:
            return 0
        if not self.present & _symbol_mask(encoding):
            return 0
        return symbols_inside_words(self.sample, encoding)

    def profile(self, index: int) -> Profile:
        """The finalist's ``profile`` (made once)."""
        found = self.profiles.get(index)
        if found is not None:
            return found
        candidate, counts = self.finalists[index], self.counts
        if candidate.text is None:  # single-byte: counted on the sample's bytes
            assert counts is not None  # noqa: S101 - made for any single-byte finalist
            tables = _tables(candidate.encoding)
            if not self.present & _unsafe_mask(candidate.encoding):
                found = profile_on_bytes(counts, tables, self.glue(index))  # not decoded
            else:
                text = self.text(index)
                found = profile(text, counts.ascii_pairs, counts=counts, tables=tables)
        else:
            found = self.twin_profile(index)
            if found is None:
                found = profile(candidate.text, ebcdic=candidate.encoding in _EBCDIC_NAMES)
        self.profiles[index] = found
        # Readings counted on the bytes share the sample's ASCII pairs (one dict): keyed by None.
        shared = counts is not None and found.ascii_pairs is counts.ascii_pairs
        self.keys[index] = None if shared else frozenset(found.ascii_pairs.items())
        return found

    def twin_profile(self, index: int) -> Profile | None:
        """An EBCDIC finalist's ``profile``, counted on the sample's bytes translated into an
        ASCII-based code page that reads them as the same characters (``twin``), or None when
        no such code page serves this sample (or the finalist is not EBCDIC)."""
        twin = self.twin(index)
        if twin is None:
            return None
        counts = self.twin_counts(index, twin)
        return profile_on_bytes(counts, _tables(twin.target), self.glue(index), ebcdic=True)

    def twin(self, index: int) -> _Twin | None:
        """An EBCDIC finalist's ``_Twin`` (``_ebcdic_twin``: its sample translated into an
        ASCII-based code page that reads it alike), or None when no such code page serves
        this sample (or the finalist is not EBCDIC); made once."""
        if index in self.twins:
            return self.twins[index]
        found = None
        twin = _ebcdic_twin(self.finalists[index].encoding, self.present)
        if twin is not None:
            target, table = twin
            # The byte values renamed: the same counts, in the same order of first occurrence.
            values = dict(
                zip(map(table.__getitem__, self.values), self.values.values(), strict=True)
            )
            high = [value for value in values if value > 0x7F]
            present = sum(1 << value for value in values)  # distinct values: the sum is the OR
            found = _Twin(target, table, values, high, [values[value] for value in high], present)
        self.twins[index] = found
        return found

    def twin_counts(self, index: int, twin: _Twin) -> ByteCounts:
        """The ``ByteCounts`` of an EBCDIC finalist's ``twin`` (made once): its pairs are the
        sample's shared pair count renamed (``ebcdic_pairs``), not counted again."""
        found = self.twin_byte_counts.get(index)
        if found is None:
            pairs = renamed_pairs(self.ebcdic_pairs(), twin.table)
            data = self.sample.translate(twin.table)
            found = self.twin_byte_counts[index] = byte_counts(data, twin.values, pairs)
        return found

    def twin_pairs_bound(self, index: int, twin: _Twin) -> float:
        """``pairs_bound`` of an EBCDIC finalist's twin counts (``twin_counts``), without
        making them: the sample's shared pair count (``ebcdic_pairs``) picked at C speed for
        the pairs the twin reads a byte >= 0x80 in, each read through the twin's lowering
        after its translation (``_twin_lowering``), in the same order."""
        shared = self.ebcdic_pairs()
        if self.ebcdic_keys is None:
            self.ebcdic_keys = "".join(shared).encode("latin-1")
        lowering, wide = _twin_lowering(self.finalists[index].encoding, twin.target)
        marks = self.ebcdic_keys.translate(wide)  # 1 where the twin reads a byte >= 0x80
        near = dict(itertools.compress(shared.items(), map(int.__or__, marks[::2], marks[1::2])))
        return near_pairs_bound(near, lowering, self.finalists[index].languages)

    def ebcdic_pairs(self) -> dict[str, int]:
        """``pair_counts`` of the sample with its ASCII capitals (as EBCDIC reads them) made
        small (``_ebcdic_lowering``), counted once: each twin's pairs are these renamed
        through its table (``renamed_pairs``), the same counts in the same order as its
        translated bytes lowered would give (a test checks this for every twin)."""
        if self.shared_ebcdic_pairs is None:
            lowered = self.sample.translate(_ebcdic_lowering())
            self.shared_ebcdic_pairs = pair_counts(lowered)
        return self.shared_ebcdic_pairs

    def key(self, index: int) -> _FitKey | None:
        """What the finalist shares its ASCII fit by: None for the sample's own pairs (those of
        every single-byte reading), else the reading's pairs."""
        if index not in self.keys and self.finalists[index].text is None:
            return None
        self.profile(index)
        return self.keys[index]

    def same(self, first: _FitKey | None, second: _FitKey | None) -> bool:
        """Whether two keys are the same pairs (None: the sample's own, made into a key only
        when compared with another reading's: hundreds of pairs)."""
        if first is second:
            return True
        if self.shared_key is None and self.counts is not None:
            self.shared_key = frozenset(self.counts.ascii_pairs.items())
        shared = self.shared_key
        return (shared if first is None else first) == (shared if second is None else second)

    def fit(self, index: int) -> dict[str, float] | None:
        """``ascii_fits`` of the first finalist with this one's key, for a Latin-script one."""
        if _foreign_script(self.finalists[index].languages):
            return None
        key = self.key(index)
        owner = next(at for at in range(index + 1) if self.same(self.key(at), key))
        if owner not in self.fits:
            self.fits[owner] = ascii_fits(self.profile(owner))
        return self.fits[owner]

    def text(self, index: int) -> str:
        """A single-byte finalist's sample decoded (made once: its bound and its profile
        both take it when ``profile`` does not count it on the bytes)."""
        found = self.texts.get(index)
        if found is None:
            found = self.texts[index] = self.sample.decode(self.finalists[index].encoding)
        return found

    def rough_bound(self, index: int) -> float:
        """At least the finalist's score (``math.inf`` when no bound is known): for a
        single-byte reading that ``profile`` counts on the bytes, its characters each at the
        cost of the language that finds them likeliest, its pairs likewise, non-letters glued
        to letters, and the codec's priors; ``judge``'s other terms are costs (see ``bound``).
        A reading counted on its text is bounded by ``text_bound``."""
        candidate, counts = self.finalists[index], self.counts
        encoding, languages = candidate.encoding, candidate.languages
        if candidate.text is not None:
            return self.text_bound(index)
        if counts is None:
            return math.inf
        if self.present & _unsafe_mask(encoding):  # not counted on the bytes: on its text
            return _chars_bound(non_ascii_chars(self.text(index)), encoding, languages)
        letters = _final_weights(encoding, languages)
        bound = sum(map(operator.mul, self.high_weights, map(letters.__getitem__, self.high)), 0.0)
        bound += pairs_bound(counts, _tables(encoding), languages)
        return _with_priors(bound, encoding, languages, self.present, encoding)

    def text_bound(self, index: int) -> float:
        """``rough_bound`` of a finalist counted on its text: by its letters alone for one
        scored so (``_letters_only_bound``), on its twin's bytes for EBCDIC with one, else by
        its characters (``_chars_bound``; ``math.inf`` when the first round did not count
        them)."""
        candidate = self.finalists[index]
        encoding, languages = candidate.encoding, candidate.languages
        letters = _letters_only_bound(candidate)
        if letters < math.inf:
            return letters
        twin = self.twin(index) if encoding in _EBCDIC_NAMES else None
        if twin is not None:  # counted on its twin's bytes: bounded there
            weights = _final_weights(twin.target, languages)
            high = map(weights.__getitem__, twin.high)
            bound = sum(map(operator.mul, twin.high_counts, high), 0.0)
            bound += self.twin_pairs_bound(index, twin)
            return _with_priors(bound, encoding, languages, twin.present, twin.target)
        if candidate.chars is None:
            return math.inf
        return _chars_bound(candidate.chars, encoding, languages)

    def bound(self, index: int, rough: float | None = None) -> float:
        """``rough_bound`` with the script switches, capitals after small letters and symbols
        inside words that ``profile`` counts on the bytes (exact terms); for a reading scored
        on letters alone (``_letters_only_bound``), with its mixed-script pairs and script
        switches (``mixed_bound``): most such readings of Latin text in a CJK codec are
        mojibake glued to ASCII words, and their letters alone rarely fall below the floor.
        A byte-counted one also gets the most its ASCII prior adds among its languages
        (``ascii_prior_most``), once its ASCII fit is made (another reading needed it).

        Why it bounds the score: ``judge`` scores a reading under one language with, where it
        explains them better, letters and pairs taken from another at a cost; each letter's
        and pair's share is then at most its best language's. Its other terms never add: the
        ASCII prior (a fit worse than the best, or the cap: at most its most among the
        languages, the main language being one of them), ``profile``'s other costs (marks,
        misplaced accents, letters glued to digits), and the codec's own-letter cost.

        ``rough``: ``rough_bound(index)`` when the caller has it already (not made again).
        """
        bound = self.rough_bound(index) if rough is None else rough
        candidate = self.finalists[index]
        if bound == math.inf:
            return bound
        if candidate.text is not None:
            return bound + self.text_glue(index)
        if self.present & _unsafe_mask(candidate.encoding):
            return bound  # its characters alone (``_chars_bound``)
        assert self.counts is not None  # noqa: S101 - a finite rough bound needs the counts
        bound += glued_on_bytes(self.glue(index))
        fits = self.known_fit(index)
        if fits is None:
            return bound
        languages = self.finalists[index].languages
        return bound + ascii_prior_most(fits, languages, sum(self.high_counts))

    def text_glue(self, index: int) -> float:
        """What ``bound`` adds to a text-counted finalist's rough bound: for one scored on
        letters alone, what its mixed scripts cost (``mixed_bound``); for an EBCDIC one
        bounded on its twin's bytes, its glue there; else nothing (its characters alone,
        ``_chars_bound``)."""
        candidate = self.finalists[index]
        if _letters_only_bound(candidate) < math.inf:
            assert candidate.text is not None  # noqa: S101 - a letters-only bound needs it
            return mixed_bound(candidate.text)
        if self.twins.get(index) is not None:
            return glued_on_bytes(self.glue(index))
        return 0.0

    def known_fit(self, index: int) -> dict[str, float] | None:
        """``fit(index)`` of a byte-counted finalist with a Latin-script language when it is
        made already (its owner was scored), else None: found without profiling a reading.

        Its key is the sample's own pairs (None); each finalist before it has that key when it
        is byte-counted and not profiled, else its key is known once it is profiled: one that
        is not yet ends the search (its key is not known without profiling it)."""
        if _foreign_script(self.finalists[index].languages):
            return None
        own = self.keys.get(index)
        for at in range(index + 1):
            if at in self.keys:
                key = self.keys[at]
            elif self.finalists[at].text is None:
                key = None
            else:
                return None
            if self.same(key, own):
                return self.fits.get(at)
        return None


class _Twin(NamedTuple):
    """An EBCDIC finalist's sample as translated into its twin code page (``_ebcdic_twin``):
    ``profile_on_bytes`` counts it there (``_Scorer.twin_counts``), and ``rough_bound``
    bounds it so."""

    target: str  # the twin code page
    table: bytes  # the ``bytes.translate`` table into it
    values: dict[int, int]  # the translated sample's byte values, counted (in order)
    high: list[int]  # the translated sample's bytes >= 0x80
    high_counts: list[int]  # how often each occurs
    present: int  # the translated sample's byte values (bit ``value`` set)


def _with_priors(
    bound: float, encoding: str, languages: tuple[str, ...], present: int, counted_in: str
) -> float:
    """``bound`` with ``encoding``'s prior and, for a code page of another script whose
    bytes ``present`` (bit ``value`` set) read as no letter of it in ``counted_in`` (the code
    page the bytes are counted in), the cost of that (``_NO_OWN_LETTER``)."""
    bound += _PRIOR.get(encoding, 0.0)
    if _foreign_script(languages) and not present & _foreign_mask(counted_in):
        bound += _NO_OWN_LETTER
    return bound


def _chars_bound(chars: dict[str, int], encoding: str, languages: tuple[str, ...]) -> float:
    """At least the score of a reading whose ``profile`` counts ``chars`` (its non-ASCII
    characters): each at its weight in the language that finds it likeliest (a letter) or at
    its fixed cost, plus the codec's priors. ``judge`` takes each letter from one language,
    at most that, and each of its other terms is a cost: letter pairs (every pair's
    log-probability is at most 0), non-letters glued to letters, marks, script switches,
    the ASCII prior. For readings ``profile`` counts on their text (multi-byte codecs with
    letter pairs or several languages, cp1258, EBCDIC; single-byte ones whose sample has a
    byte in ``_unsafe_mask``), which had no bound: Latin text's readings in such codecs score
    far below the floor, and the likeliest reading is scored first."""
    weight = _char_weights(languages)
    bound = sum(map(operator.mul, chars.values(), map(weight.__getitem__, chars)), 0.0)
    bound += _PRIOR.get(encoding, 0.0)
    if _foreign_script(languages) and not any(map(foreign_letter, chars)):
        bound += _NO_OWN_LETTER
    return bound


def _letters_only_bound(candidate: _Candidate) -> float:
    """At least a text-counted reading's score when its one language is scored on letters
    alone (Chinese, Japanese, Korean: their pairs cost nothing, or a mixed-script pair's cost):
    its first round's letters (the same characters ``profile`` counts, each at that language's
    cost) and its prior; ``judge``'s pairs and ``profile``'s costs never add. Else
    ``math.inf``."""
    languages = candidate.languages
    if candidate.letters is None or len(languages) != 1:
        return math.inf
    if language_models()[languages[0]].pairs:
        return math.inf
    return candidate.letters + _PRIOR.get(candidate.encoding, 0.0)


@functools.lru_cache(maxsize=4096)
def _final_weights(encoding: str, languages: tuple[str, ...]) -> tuple[float, ...]:
    """Per byte >= 0x80, the most its character (as ``profile`` counts it on the bytes: read
    through the lowering table) adds to ``judge``'s score: a letter's cost in the language that
    finds it likeliest, another character's fixed cost."""
    lowering, kept = _tables(encoding).lowering, _kept_chars(encoding)
    same = _bound_weights(encoding, languages)  # the same character's weight, where it is one
    weight = _char_weights(languages)
    return tuple(
        same[value]
        if char == kept[value]
        else weight[char]
        if value > 0x7F and char != "\ufffe"
        else 0.0
        for value, char in enumerate(lowering)
    )


@functools.cache
def _unsafe_mask(encoding: str) -> int:
    """Bytes (bit ``value`` set) that may keep ``profile`` from counting a reading on the bytes:
    any that reads as a combining character, as capital sigma (``str.lower`` makes it final
    sigma at a word's end) or as no single character after lowering. Without them ``profile``'s
    lowered text is the bytes through its lowering table, character for character: ``str.lower``
    acts on each character alone, and so does NFC composition here (no character of these code
    pages starts with a mark or composes with the character before it; a test checks this)."""
    lowering, raw = _tables(encoding).lowering, _raw_chars(encoding)
    return sum(
        1 << value
        for value, char in enumerate(raw)
        if char and (lowering[value] == "\ufffe" or unicodedata.combining(char) or char == "\u03a3")
    )


@functools.cache
def _foreign_mask(encoding: str) -> int:
    """Bytes >= 0x80 (bit ``value`` set) that ``profile`` counts as a letter of a script other
    than Latin (``foreign_letter``)."""
    lowering = _tables(encoding).lowering
    return sum(
        1 << value
        for value, char in enumerate(lowering)
        if value > 0x7F and char != "\ufffe" and foreign_letter(char)
    )


def plausible(reading: Reading) -> bool:
    """Whether the best reading looks like text at all (random high bytes read as nothing).

    A multi-byte codec's strict decode is itself evidence (random bytes rarely pass it), so
    its readings are held to a looser bar: katakana-heavy Japanese is atypical, not garbage.
    Neither is mostly-ASCII text with a few odd accents (several languages quoted at once).
    A single-byte reading's letter pairs are judged apart (``_pairs_plausible``): a script no
    codec covers, read as another alphabet, has common letters in pairs no language has.
    Text in a language scored on letters alone must hold common letters (``_common_enough``).
    """
    if not _common_enough(reading):
        return False
    if reading.ascii_letters >= _MOSTLY_ASCII * reading.evidence:
        return True
    per_char = _IMPLAUSIBLE_PER_CHAR
    if reading.evidence >= _LONG_EVIDENCE:
        per_char = _IMPLAUSIBLE_PER_CHAR_LONG
    single_byte = _byte_chars(reading.encoding) is not None
    bar = per_char * (1 if single_byte else 2)
    if reading.shortfall < bar * max(reading.evidence, _MIN_EVIDENCE):
        return False
    return not single_byte or (_pairs_plausible(reading) and _symbols_plausible(reading))


# Symbols that are not punctuation (box drawing, math, currency, superscripts, modifier
# signs): no text puts one between two letters, as mojibake does (KOI8-R reads Tajik's "ҳ қ ҷ"
# as box drawing inside Cyrillic words, cp1252 Estonian "š" as "¹"). Of every single-byte file
# read right in the survey's 19 public corpora, chardet's old tests and char-dataset, none
# holds one; CJK text does (full-width bars and tildes between ideographs: no spaces there),
# and is not judged so. A reading with _MIN_INSIDE_SYMBOLS of them, one per
# _INSIDE_SYMBOL_SHARE of its non-ASCII characters, is no text.
_SYMBOL_CATEGORIES = frozenset({"So", "Sm", "Sc", "Sk", "No"})
_MIN_INSIDE_SYMBOLS = 3
_INSIDE_SYMBOL_SHARE = 50


@functools.cache
def _symbol_mask(encoding: str) -> int:
    """Bytes >= 0x80 (bit ``value`` set) a single-byte codec reads as a ``_SYMBOL_CATEGORIES``
    symbol."""
    return sum(1 << value for value in _symbol_bytes(encoding))


@functools.cache
def _symbol_bytes(encoding: str) -> bytes:
    """``_symbol_mask``'s bytes."""
    raw = _raw_chars(encoding)
    return bytes(
        value
        for value in range(0x80, 0x100)
        if len(raw[value]) == 1 and unicodedata.category(raw[value]) in _SYMBOL_CATEGORIES
    )


@functools.cache
def _inside_symbol_pattern(encoding: str) -> re.Pattern[bytes]:
    """A symbol byte (``_symbol_bytes``) between two letter bytes, in a single-byte codec."""
    raw = _raw_chars(encoding)
    letters = bytes(value for value in range(256) if raw[value].isalpha())
    symbol = b"[" + re.escape(_symbol_bytes(encoding)) + b"]"
    letter = b"[" + re.escape(letters) + b"]"
    return re.compile(symbol + b"(?<=" + letter + symbol + b")(?=" + letter + b")")


def symbols_inside_words(sample: bytes, encoding: str) -> int:
    """How many symbols of ``_SYMBOL_CATEGORIES`` a single-byte codec reads between two
    letters of ``sample`` (counted on the bytes)."""
    if not _symbol_bytes(encoding):
        return 0
    return len(_inside_symbol_pattern(encoding).findall(sample))


def _symbols_plausible(reading: Reading) -> bool:
    """Whether a reading has few symbols inside words (``_MIN_INSIDE_SYMBOLS``)."""
    inside = reading.inside_symbols
    return inside < _MIN_INSIDE_SYMBOLS or inside * _INSIDE_SYMBOL_SHARE < reading.evidence


def _pairs_plausible(reading: Reading) -> bool:
    """Whether a single-byte reading's letter pairs look like its language's
    (``_IMPLAUSIBLE_PER_PAIR``): always with few pairs, and for Latin-script text whose
    letters are mostly ASCII."""
    if reading.pairs < _MIN_PAIRS:
        return True
    if (
        reading.ascii_letters >= reading.evidence
        and language_models()[reading.language.rstrip("+")].latin
    ):
        return True
    slack = _PAIR_SLACK * math.sqrt(reading.pairs)
    return reading.pair_shortfall >= _IMPLAUSIBLE_PER_PAIR * reading.pairs - slack


# Random double-byte characters (a script no codec covers read in a CJK one, such as EUC-TW
# read as EUC-JP or Big5) are seldom common ones: of every character the 94 x 94 grid of
# EUC-JP, EUC-JIS-2004, GB2312, Big5, Big5-HKSCS or EUC-KR holds, read as its language, 8 to
# 14 % (``COMMON_COST``). Real text is mostly common characters: in our corpora, chardet's,
# uchardet's and char-dataset's CJK files, over half (a list of rare name kanji, with their
# kana: 28 %). A reading with no more of them than such noise, by _NOISE_SPREAD standard
# deviations, is no text (its per-character bar is loose: rare characters cost little more
# than the language's average, and a noise reading's score is the best of several codecs).
# The spread and the fewest letters judged so were fitted on 7,287 windows of 6 to 30 letters
# of those CJK files and our corpus (4 newly refused: 10-letter Simplified Chinese, whose
# commonest characters the Chinese model, made from Traditional text, lacks; 16 silently wrong
# readings refused, 10 refusals for a noise rival read right) and on random text: of 200 with
# 10 letters, 20 read (131 before), with 20 letters none (76 before). With fewer letters, real
# text and noise overlap: 8 letters of real Simplified Chinese may hold 2 common ones.
_NOISE_COMMON = 0.14
_NOISE_SPREAD = 1.75
_MIN_USUAL_LETTERS = 9


def _common_enough(reading: Reading) -> bool:
    """Whether a reading in a language scored on letters alone holds more common letters than
    random characters would (``_NOISE_COMMON``); always for other languages and short texts."""
    letters = reading.letters
    if letters < _MIN_USUAL_LETTERS:
        return True
    noise = letters * _NOISE_COMMON
    spread = math.sqrt(noise * (1 - _NOISE_COMMON))
    return reading.common >= noise + _NOISE_SPREAD * spread


def read_as(text: str, encoding: str, languages: tuple[str, ...]) -> Reading:
    """Score one given reading (for codecs recognised by their escapes, such as HZ). Its
    letters are not held to ``_common_enough``: escapes (and valid UTF-8) are evidence of their
    own, which random high bytes that a double-byte codec decodes are not; short Simplified
    Chinese in HZ, with a few common letters, is text."""
    reading = profile(text)
    verdict = judge(reading, languages, ascii_fits(reading))
    evidence = sum(reading.chars.values())
    letters = sum(reading.ascii_letters.values())
    return Reading(encoding, verdict.score, verdict.language, evidence, verdict.shortfall, letters)


def utf8_reading(text: str) -> Reading:
    """UTF-8's reading of bytes that are also legacy text, scored under every language."""
    return read_as(text, "utf-8", tuple(language_models()))


def _first_round(
    sample: bytes, bounded: bool = False, values: dict[int, int] | None = None
) -> list[_Candidate]:
    """Each distinct strict, readable reading, scored on its non-ASCII letters alone.

    With ``bounded`` (and at least _FEW_BYTES bytes >= 0x80), a table-counted reading is left
    out when even its best possible score (``_bound``) is below ``_reach`` of the scores so far:
    ``_finalists`` (without ``whole_file``) has no use for it. (The others are returned in the
    same order.)

    A single-byte codec is judged on the byte values present, by table, without decoding: it
    decodes the sample and reads as text exactly when no present byte is undefined in it or
    reads as a control (``_unreadable_bytes``), and two such codecs read the sample alike
    exactly when they read each present byte alike. Only multi-byte codecs, and those counted
    on the text, are decoded here. ``values``: the sample's ``collections.Counter``, if made.
    """
    byte_counts = collections.Counter(sample) if values is None else values
    present = sorted(byte_counts)
    present_bytes = bytes(present)
    high_present = [value for value in present if value > 0x7F]
    readings, texts = _distinct_readings(sample, byte_counts, present)
    high = [(value, byte_counts[value]) for value in high_present]
    high_columns = (high_present, [n for _, n in high])
    # With few bytes (fewer than _FEW_BYTES, as ``_finalists`` tells it) every reading within
    # _FEW_BYTES_SPAN of the best is a finalist, and on so few letters most are: bounding each
    # (to score the likeliest first and leave out those that cannot reach) costs more than
    # scoring the few it leaves out.
    bounded = bounded and sum(high_columns[1]) >= _FEW_BYTES
    # The counts as floats for ``_bound``'s products (float by float: the same products, faster).
    high_weights = list(map(float, high_columns[1])) if bounded else []
    shapes: dict[bytes, float] = {}  # skeleton costs by the present bytes' kinds (``_shape``)
    found: dict[int, _Candidate] = {}
    pending: list[tuple[float, int, str, tuple[str, ...]]] = []
    for index, (encoding, languages) in enumerate(readings.values()):
        text = texts.get(encoding)
        if text is not None and not (bounded and encoding in _COMPOSING):
            found[index] = _text_candidate(
                sample, encoding, languages, text, values=byte_counts, present=present
            )
            continue
        # Counted by table, or bounded on its bytes first: scored below, the likeliest first.
        bound = math.inf
        if bounded:
            bound = (
                _bound(encoding, languages, high_present, high_weights)
                if text is None
                else _composing_bound(sample, encoding, languages, high_present, high_weights)
            )
        pending.append((bound, index, encoding, languages))
    pending.sort(key=_BOUND_OF, reverse=True)  # stable: equal bounds keep their order
    scores = sorted(-candidate.first_round for candidate in found.values())  # best first
    families = _Families(candidate.encoding for candidate in found.values())
    reach = -math.inf  # what falls below it is no finalist, whatever is scored after it
    # ``_finalists`` may take the most common code page and any vendor variant (of a finalist)
    # whatever their scores: they are scored in any case, and left out by no bound.
    kept_pending = sum(encoding in _ALWAYS_SCORED for _, _, encoding, _ in pending)
    kept_only = False  # past the reach: only the kept ones are still scored
    for bound, index, encoding, languages in pending:
        kept = encoding in _ALWAYS_SCORED
        if kept_only and not kept:
            continue
        if bounded:
            reach = _reach(scores, families.placeless)
            if kept:
                kept_pending -= 1
            elif bound < reach:
                if kept_pending:
                    kept_only = True  # as ``break``, for this one and the others after it
                    continue
                break  # this reading and all after it: ``_finalists`` takes none of them
        if (text := texts.get(encoding)) is not None:  # cp1258 with its marks: by its text
            candidate = _text_candidate(
                sample, encoding, languages, text, values=byte_counts, present=present
            )
        else:
            shape = _shape(sample, encoding, present_bytes, shapes)
            if bound + shape < reach and not kept:
                continue  # with its skeleton's cost (never positive), this one too
            letters = _letters_by_table(len(sample), encoding, languages, high, high_columns)
            candidate = _Candidate(encoding, languages, None, letters + shape)
        found[index] = candidate
        bisect.insort(scores, -candidate.first_round)
        families.add(encoding)
    return [found[index] for index in sorted(found)]


def _shape(sample: bytes, encoding: str, present: bytes, shapes: dict[bytes, float]) -> float:
    """``skeleton_score`` of a table-counted reading of ``sample`` (``present``: its byte
    values), on the bytes' skeleton: a skeleton depends only on what the present bytes are in
    the codec, so codecs that agree there (most Latin ones on Latin text) share one count in
    ``shapes``."""
    table = _byte_skeleton(encoding)
    kinds = present.translate(table)
    found = shapes.get(kinds)
    if found is None:  # the same costs, counted on the bytes' skeleton
        found = shapes[kinds] = skeleton_score(sample.translate(table))
    return found


# Single-byte codecs with combining marks (cp1258's tones): a reading of a sample holding one
# is counted on its text (the marks compose with the letter before them), and in a bounded
# first round it is bounded on its bytes first (``_composing_bound``): Cyrillic, Greek or
# Hebrew text read as cp1258 (Vietnamese) is Latin mojibake whose text need not be counted.
_COMPOSING = frozenset({"cp1258"})


def _composing_bound(
    sample: bytes,
    encoding: str,
    languages: tuple[str, ...],
    values: list[int],
    counts: Sequence[float],
) -> float:
    """The most a reading in a ``_COMPOSING`` codec can score in the first round
    (``_text_candidate``: its letters and mixed scripts), found on the bytes: each byte >=
    0x80 (``values``, each ``counts`` times) at ``_composing_weights``, and the mixed scripts'
    cost itself (``_mixed_score`` counts it on the bytes)."""
    weights = _composing_weights(encoding, languages)
    bound = sum(map(operator.mul, counts, map(weights.__getitem__, values)), 0.0)
    return bound + skeleton_score(sample.translate(_raw_skeleton_table(encoding)))


def _raw_skeleton_table(encoding: str) -> bytes:
    """``_raw_skeleton`` of a single-byte codec (which has one)."""
    table = _raw_skeleton(encoding)
    assert table is not None  # noqa: S101 - only single-byte codecs are ``_COMPOSING``
    return table


@functools.lru_cache(maxsize=256)
def _composing_weights(encoding: str, languages: tuple[str, ...]) -> _LeadWeights:
    """The one ``_LeadWeights`` of a ``_COMPOSING`` codec's readings under ``languages``."""
    return _LeadWeights(encoding, languages)


class _LeadWeights(dict[int, float]):
    """Per byte value, the most its character adds to ``first_round_score`` of a
    ``_COMPOSING`` codec's text: the best of the letters it can lead once marks follow it (0.0
    for the marks and ASCII), worked out on first use (a sample holds a few dozen of them).
    The text's ``non_ascii_chars`` are each one such letter of one byte, or a mark left alone
    or a letter composed on an ASCII one, which cost, never add (a test checks), so the sum
    over the bytes bounds the letters' score as ``_bound`` does."""

    def __init__(self, encoding: str, languages: tuple[str, ...]) -> None:
        super().__init__()
        self.chars = _raw_chars(encoding)
        self.marks = [char for char in self.chars if char and is_mark(char)]
        self.weight = _char_weights(languages)

    def __missing__(self, value: int) -> float:
        char = self.chars[value]
        if value < 0x80 or not char or is_mark(char):
            self[value] = 0.0
            return 0.0
        # NFC (as ``non_ascii_chars`` counts the text) takes the character apart and puts it
        # together with the marks after it in their canonical order: "î" and a dot below lead
        # as "ị" (a circumflex left over). What leads after each further mark, from any lead.
        more = {*self.marks, *unicodedata.normalize("NFD", char)[1:]}
        leads, unseen = {char}, [char]
        while unseen:
            lead = unseen.pop()
            for mark in more:
                after = unicodedata.normalize("NFC", lead + mark)[0]
                if after not in leads:
                    leads.add(after)
                    unseen.append(after)
        weight = self.weight
        found = self[value] = max(
            sum(weight[c] * n for c, n in non_ascii_chars(lead).items()) for lead in leads
        )
        return found


def _letters_by_table(
    size: int,
    encoding: str,
    languages: tuple[str, ...],
    high: list[tuple[int, int]],
    columns: tuple[list[int], list[int]],
) -> float:
    """A table-counted reading's first-round letter score, from the sample's ``size`` and its
    bytes >= 0x80 with their counts (``high``, and as two ``columns``): by the codec's letter
    table when it has one that holds such a sample, else from the characters counted."""
    table = _letter_table(encoding, languages)
    if table is not None and size <= table.most_bytes:
        return first_round_by_table(table, *columns)
    return first_round_score(_table_counts(encoding, high), languages)


def _text_candidate(
    sample: bytes,
    encoding: str,
    languages: tuple[str, ...],
    text: str,
    *,
    values: dict[int, int],
    present: list[int],
) -> _Candidate:
    """``_first_round``'s candidate of a reading counted on its ``text`` (``values``: the
    sample's byte counts, ``present`` their keys sorted): its letters (by the twin's table for
    EBCDIC, ``_twin_letters``), mixed scripts and, for EBCDIC, symbols next to letters."""
    chars = None
    letters = _twin_letters(len(sample), encoding, languages, values, present)
    if letters is None:
        chars = non_ascii_chars(text)
        letters = first_round_score(chars, languages)
    first = letters + _mixed_score(sample, encoding, text)
    if encoding in _EBCDIC_NAMES:  # ASCII read from high bytes: a symbol for a letter
        first += ebcdic_symbols_cost(text.lower())
    return _Candidate(encoding, languages, text, first, letters, chars)


def _twin_letters(
    size: int,
    encoding: str,
    languages: tuple[str, ...],
    values: dict[int, int],
    present: list[int],
) -> float | None:
    """An EBCDIC reading's first-round letter score, by the letter table of its twin code page
    (``_ebcdic_twin``) on the sample's byte values translated into it (``values``: how often
    each of ``present`` occurs; ``size`` bytes in all): the same float as ``first_round_score``
    of its text's ``non_ascii_chars`` (the twin reads each byte as the same character, and
    none as a mark or as two characters; ``LetterTable``'s sums are exact). None for any other
    reading, or when no twin serves the sample or no letter table holds it."""
    if encoding not in _EBCDIC_NAMES:
        return None
    twin = _ebcdic_twin(encoding, sum(map((1).__lshift__, present)))  # distinct: sum is OR
    if twin is None:
        return None
    target, table = twin
    letters = _letter_table(target, languages)
    if letters is None or size > letters.most_bytes:
        return None
    counts = list(map(values.__getitem__, present))
    return first_round_by_table(letters, list(map(table.__getitem__, present)), counts)


# Each vendor variant's family (its index in ``VARIANTS``).
_FAMILY_OF = {codec: number for number, family in enumerate(VARIANTS) for codec in family}
# Readings the bounded first round never leaves out (``_finalists`` may take them whatever
# their first-round scores).
_ALWAYS_SCORED = frozenset({_MOST_COMMON, *_FAMILY_OF})


class _Families:
    """The vendor-variant families (``_FAMILY_OF``) of the readings added so far, and how
    many of those readings take no place among the finalists (``placeless``): all but the
    first of each family. ``_finalists`` counts its places so, and ``_first_round`` bounds by
    it. Counted as readings are added, not recounted."""

    __slots__ = ("placeless", "seen")

    def __init__(self, encodings: Iterable[str]) -> None:
        self.seen: set[int] = set()
        self.placeless = 0
        for encoding in encodings:
            self.add(encoding)

    def add(self, encoding: str) -> None:
        family = _FAMILY_OF.get(encoding)
        if family is None:
            return
        if family in self.seen:
            self.placeless += 1
        else:
            self.seen.add(family)


_BOUND_OF = operator.itemgetter(0)


def _mixed_score(sample: bytes, encoding: str, text: str) -> float:
    """``mixed_score(text)`` of a reading of ``sample``; for a single-byte codec (cp1258,
    EBCDIC: counted on the text for their letters) its skeleton is made on the bytes, one
    ``bytes.translate`` (each byte decodes to one character, whose kind it takes), not a
    lookup per character of the text."""
    table = _raw_skeleton(encoding)
    if table is None:
        return mixed_score(text)
    return skeleton_score(sample.translate(table))


@functools.cache
def _raw_skeleton(encoding: str) -> bytes | None:
    """A ``bytes.translate`` table giving each byte the ``skeleton`` kind of the character a
    single-byte codec decodes it to, as is (not lowered: ``mixed_score`` reads the text as
    decoded); None for multi-byte codecs."""
    if _byte_chars(encoding) is None:
        return None
    return "".join(skeleton(char or "\x00") for char in _raw_chars(encoding)).encode("ascii")


def _reach(scores: list[float], placeless: int = 0) -> float:
    """A first-round score below which ``_finalists`` takes no table-counted reading, given
    ``scores`` (negated first-round scores so far, sorted: best first), ``placeless`` of
    which may take no place (``_Families``). Only samples with at least ``_FEW_BYTES`` bytes
    >= 0x80 are bounded (``_first_round``), so this is ``_finalists``'s rule for them.

    ``_finalists`` (without ``whole_file``) takes the readings in order, best first, and one
    that takes the ``n``-th place (from 0) only when ``n < _FINALISTS``, or ``n <
    _MAX_FINALISTS`` within ``_FIRST_ROUND_SPAN`` of the best (and in any case the best
    multi-byte reading, which is text-counted, never left out, and ``_MOST_COMMON``'s, which
    ``_first_round`` scores before it leaves any out). A reading scoring below the
    ``k + placeless``-th best score so far has at least ``k`` readings that take a place
    before it (those placeless are among the scores so far), whatever is scored later."""
    reach = -math.inf
    most, least = _MAX_FINALISTS + placeless, _FINALISTS + placeless
    if len(scores) >= most:
        reach = -scores[most - 1]
    if len(scores) >= least:
        reach = max(reach, min(-scores[least - 1], -scores[0] + _FIRST_ROUND_SPAN))
    return reach - _BOUND_SLACK


def _distinct_readings(
    sample: bytes, byte_counts: dict[int, int], present: list[int]
) -> tuple[dict[object, tuple[str, tuple[str, ...]]], dict[str, str]]:
    """Each distinct readable reading's codec and languages (those of every codec that reads
    the sample alike), and the text of those counted on the text."""
    present_mask = sum(map((1).__lshift__, present))  # distinct values: the sum is the OR
    present_bytes = bytes(present)
    has_high = present[-1] > 0x7F if present else False
    ebcdic = byte_counts.get(EBCDIC_SPACE, 0) > byte_counts.get(ASCII_SPACE, 0)
    readings: dict[object, tuple[str, tuple[str, ...]]] = {}
    texts: dict[str, str] = {}
    codecs = (*SINGLE_BYTE, *MULTI_BYTE, *(EBCDIC if ebcdic else ()))
    if has_high and not ebcdic:  # the single-byte readings by byte classes, in the same order
        readings.update(_single_byte_groups(present))
        for encoding, _ in readings.values():
            if encoding in _TEXT_COUNTED and present_mask & _COMBINING_1258:
                texts[encoding] = sample.decode(encoding)
        codecs = MULTI_BYTE
    keys: dict[str, object] = {}
    for encoding, languages in codecs:
        found_key = _reading_key(sample, encoding, present_bytes, present_mask, has_high)
        if found_key is None:
            continue
        key, text = found_key
        keys[encoding] = key
        if text is not None and key not in readings:
            texts[encoding] = text
        if key in readings:  # the same reading: judged by the languages of both codecs
            earlier = readings[key]
            more = tuple(x for x in languages if x not in earlier[1])
            readings[key] = (earlier[0], earlier[1] + more)
            continue
        if text is not None and encoding in _MULTI_BYTE_NAMES and _other_script(text, encoding):
            readings[key] = (encoding, _every_language(languages))
            continue
        readings[key] = (encoding, languages)
    for standard in READ_OTHERWISE:
        own = keys.get(standard)
        if own is not None and keys.get(LABEL_SUPERSETS[standard][0], own) != own:
            # Read otherwise than the superset reads it: its reading (and those alike) yields.
            del readings[own]
            texts.pop(standard, None)
    return readings, texts


# CJK character sets hold more than CJK: GB 2312, JIS X 0208 and KS X 1001 have the Greek
# and Cyrillic alphabets (GB 2312 pinyin's accented Latin too), and GB 18030 reaches every
# code point in four bytes (French "â"). A multi-byte reading whose letters are mostly of
# those scripts is text in their languages (Russian in GBK, French in GB 18030): it is judged
# under every language, as UTF-8's reading is, its codec's own first. Judged as Chinese alone
# it was no text: French in GB 18030 was refused, Russian in GBK read as Big5 mojibake. CJK
# text with a few such letters (pinyin, a Greek symbol) is judged as before. Only letters whose
# bytes are all >= 0x80 or digits (GB 18030's four-byte form) count: a lead byte glued to the
# ASCII letter after it reads as a Latin or Cyrillic letter by chance in Big5-HKSCS and
# Shift_JIS (French "l'\x88tre" in cp437 as Big5-HKSCS "l'ōre", German cp1252 "\x84Das" as
# Shift_JIS Cyrillic), and such readings are mojibake.
_MULTI_BYTE_NAMES = frozenset(MULTI_BYTE_CODECS)
_OTHER_SCRIPT_LETTER = re.compile("[\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u1e00-\u1eff]")
_CJK_LETTER = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff]")
_HIGH_OR_DIGIT = frozenset(range(0x80, 0x100)) | frozenset(b"0123456789")


def _other_script(text: str, encoding: str) -> bool:
    """Whether most of a multi-byte reading's letters beyond ASCII are Latin, Greek or
    Cyrillic ones (made of bytes >= 0x80 and digits) rather than CJK ones."""
    found = _OTHER_SCRIPT_LETTER.findall(text)
    if not found:
        return False
    counts = collections.Counter(found)
    others = sum(n for char, n in counts.items() if _apart_from_ascii(char, encoding))
    return others > 0 and others > len(_CJK_LETTER.findall(text))


@functools.lru_cache(maxsize=4096)
def _apart_from_ascii(char: str, encoding: str) -> bool:
    """Whether ``encoding`` writes ``char`` with bytes >= 0x80 and digits only."""
    try:
        encoded = char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return _HIGH_OR_DIGIT.issuperset(encoded)


@functools.cache
def _every_language(own: tuple[str, ...]) -> tuple[str, ...]:
    """``own`` and then every other language of the model, each once."""
    return tuple(dict.fromkeys((*own, *language_models())))


# cp1258's combining tone marks (bit ``value`` set for each byte): only a sample with one of
# them has a cp1258 reading that must be counted on its text (marks compose with the letter
# before them). Without them each byte reads as one character, as in the other code pages:
# its reading is counted by table (the same float, the same profile: tests check both).
_COMBINING_1258 = sum(1 << value for value in b"\xcc\xd2\xde\xec\xf2")


def _single_byte_groups(present: list[int]) -> _Groups:
    """``_distinct_readings``'s single-byte readings of a sample with a byte >= 0x80 (its
    first entries, keyed apart from the multi-byte ones), as (key, reading) pairs: the same
    readings in the same order, without decoding per codec.

    Every single-byte codec reads bytes < 0x80 alike, and whether a byte is readable depends
    on its character alone (a test checks both): so two codecs read the sample
    alike exactly when they read each present byte >= 0x80 alike, and such codecs are
    readable or not together. A codec is dropped when one of the present bytes is unreadable
    in it (one OR over the present bytes), and the others are grouped by their class numbers
    of those bytes (``_groups_by_classes``)."""
    unreadable, rows = _byte_classes()
    rejected = functools.reduce(int.__or__, map(unreadable.__getitem__, present), 0)
    # Row after row, one class number per codec: codec ``index``'s are ``[index::count]``.
    matrix = b"".join([rows[value] for value in present if value > 0x7F])
    return _groups_by_classes(matrix, rejected)


# ``_single_byte_groups``'s pairs: a group's members (bit ``i`` for ``SINGLE_BYTE[i]``) and its
# reading (``_group``).
_Groups = tuple[tuple[int, tuple[str, tuple[str, ...]]], ...]


@functools.lru_cache(maxsize=4096)
def _groups_by_classes(matrix: bytes, rejected: int) -> _Groups:
    """``_single_byte_groups`` of a sample whose present bytes >= 0x80 have the class rows
    ``matrix`` (joined) and rule out the codecs ``rejected`` (bit ``i`` for ``SINGLE_BYTE[i]``):
    the codecs left grouped by their class numbers (codec ``i``'s a C-level slice, one bytes
    key), in ``SINGLE_BYTE`` order. Worked out once for each such pair: the groups depend on
    nothing else, and short files of one language in one code page share their set of high
    bytes (a step per codec was a tenth of the first round of a file of a few words)."""
    count = len(SINGLE_BYTE)
    groups: dict[bytes, int] = {}
    for index in range(count):
        if not rejected >> index & 1:
            key = matrix[index::count]
            groups[key] = groups.get(key, 0) | 1 << index
    kept = list(groups.values())
    return tuple(zip(kept, map(_group, kept), strict=True))


@functools.cache
def _byte_classes() -> tuple[tuple[int, ...], tuple[bytes, ...]]:
    """Per byte value: the single-byte codecs (bit ``i`` for ``SINGLE_BYTE[i]``) that cannot
    read it (``_unreadable_bytes``), and a class number per codec of what it decodes to (equal
    numbers: the same character)."""
    codecs = [encoding for encoding, _ in SINGLE_BYTE]
    unreadable: list[int] = []
    rows: list[bytes] = []
    for value in range(256):
        chars = [_raw_chars(encoding)[value] for encoding in codecs]
        bad = [value in _unreadable_bytes(encoding) for encoding in codecs]
        classes: dict[str, int] = {}
        rows.append(bytes(classes.setdefault(char, len(classes)) for char in chars))
        unreadable.append(sum(1 << index for index, no in enumerate(bad) if no))
    return tuple(unreadable), tuple(rows)


@functools.cache
def _group(members: int) -> tuple[str, tuple[str, ...]]:
    """The first codec of ``SINGLE_BYTE`` with bit ``members`` set, with the languages of all
    of them (in order, each once)."""
    chosen = [SINGLE_BYTE[index] for index in range(len(SINGLE_BYTE)) if members >> index & 1]
    languages = dict.fromkeys(language for _, own in chosen for language in own)
    return chosen[0][0], tuple(languages)


def _bound(
    encoding: str, languages: tuple[str, ...], values: list[int], counts: Sequence[float]
) -> float:
    """The most a table-counted reading can score in the first round (``values``: the sample's
    bytes >= 0x80, ``counts`` how often each occurs, floats from ``_first_round``: a float
    times a float is one C call, an int times a float first asks the int): each letter at the
    cost of the language that finds it likeliest, with no mixture cost (which only lowers a
    score); the caller adds the skeleton's cost."""
    weights = _bound_weights(encoding, languages)
    return sum(map(operator.mul, counts, map(weights.__getitem__, values)))


@functools.lru_cache(maxsize=4096)
def _bound_weights(encoding: str, languages: tuple[str, ...]) -> tuple[float, ...]:
    """Per byte, its character's share of ``_bound``: the first round's score of that one
    character alone (a letter: its cost in the likeliest language; else its fixed cost)."""
    weight = _char_weights(languages)
    return tuple(weight[char] if char else 0.0 for char in _kept_chars(encoding))


class _CharWeights(dict[str, float]):
    """``first_round_score({char: 1}, languages)`` of each character, worked out on first use:
    code pages with the same languages share most of their characters."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        super().__init__()
        self.languages = languages

    def __missing__(self, char: str) -> float:
        weight = self[char] = first_round_score({char: 1}, self.languages)
        return weight


@functools.lru_cache(maxsize=1024)
def _char_weights(languages: tuple[str, ...]) -> _CharWeights:
    """The one ``_CharWeights`` of these languages."""
    return _CharWeights(languages)


def _reading_key(
    sample: bytes, encoding: str, present: bytes, present_mask: int, has_high: bool
) -> tuple[object, str | None] | None:
    """What identifies this codec's reading of the sample (equal keys, equal texts), and the
    text when it is counted on the text; None when the codec has no readable reading.

    Single-byte codecs are keyed by what the present byte values (``present``, each once)
    read as, one character each (undecodable or unreadable bytes, by table, rule them out);
    multi-byte codecs by their decoded text (in a 1-tuple: never equal to a single-byte
    key), or, on an ASCII sample, like the ASCII-compatible single-byte codecs (all read it
    alike). ``present_mask`` has bit ``value`` set for each present byte value.
    """
    if _byte_chars(encoding) is not None:
        if present_mask & _unreadable_mask(encoding):
            return None
        return present.decode(encoding), sample.decode(
            encoding
        ) if encoding in _TEXT_COUNTED else None
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return None
    if not readable(text):
        return None
    return ((text,) if has_high else present.decode("latin-1")), text


@functools.cache
def _raw_chars(encoding: str) -> tuple[str, ...]:
    """What each byte decodes to in a single-byte codec, as is ("" where it does not)."""
    chars: list[str] = []
    for value in range(256):
        try:
            chars.append(bytes([value]).decode(encoding))
        except UnicodeDecodeError:
            chars.append("")
    return tuple(chars)


def _ebcdic_twin(encoding: str, present: int) -> tuple[str, bytes] | None:
    """The first of ``_EBCDIC_TWINS[encoding]`` that reads each byte value in ``present`` (bit
    ``value`` set) as the EBCDIC code page reads it, its translation making every one of them
    a byte ``profile_on_bytes`` counts (none in its ``_unsafe_mask``), and the
    ``bytes.translate`` table into it; None when none does (or ``encoding`` has none)."""
    for target in _EBCDIC_TWINS.get(encoding, ()):
        table, blocked = _twin_table(encoding, target)
        if not present & blocked:
            return target, table
    return None


@functools.cache
def _twin_lowering(encoding: str, target: str) -> tuple[str, bytes]:
    """How an EBCDIC code page's bytes read through its twin ``target``: a 256-character table
    giving each byte ``target``'s lowering (``ByteTables.lowering``) of its translation, and a
    ``bytes.translate`` table giving 1 for each byte translated to one >= 0x80, else 0."""
    table, _ = _twin_table(encoding, target)
    lowering = _tables(target).lowering
    return "".join(lowering[byte] for byte in table), bytes(byte >> 7 for byte in table)


@functools.cache
def _ebcdic_lowering() -> bytes:
    """A ``bytes.translate`` table that makes each byte an EBCDIC code page reads as an ASCII
    capital the byte it reads as that small letter (every EBCDIC code page of ``EBCDIC`` puts
    them at the same bytes: a test checks this), and keeps every other byte. Translated into a
    twin afterwards, a sample is its translation lowered by ``bytes.lower``: a twin is
    ASCII-based, so it reads only ASCII capitals at the bytes ``bytes.lower`` changes."""
    chars = _raw_chars(EBCDIC[0][0])
    table = bytearray(range(256))
    for value, char in enumerate(chars):
        if char.isascii() and char.isupper():
            table[value] = chars.index(char.lower())
    return bytes(table)


@functools.cache
def _twin_table(encoding: str, target: str) -> tuple[bytes, int]:
    """The ``bytes.translate`` table from an EBCDIC code page into ``target`` (each byte to
    the byte ``target`` reads as the same character), and the bytes it cannot serve (bit
    ``value`` set): undefined in ``encoding``, a character ``target`` lacks, or one that
    ``target`` reads unsafely for ``profile_on_bytes`` (``_unsafe_mask``)."""
    theirs = {char: value for value, char in enumerate(_raw_chars(target)) if char}
    unsafe = _unsafe_mask(target)
    table = bytearray(range(256))
    blocked = 0
    for value, char in enumerate(_raw_chars(encoding)):
        if char in theirs and not unsafe >> theirs[char] & 1:
            table[value] = theirs[char]
        else:
            blocked |= 1 << value
    return bytes(table), blocked


@functools.cache
def readable_chars(encoding: str) -> tuple[str, ...]:
    """What each byte reads as in a single-byte codec, as decoded, "" where it has no reading
    (``_unreadable_bytes``: undefined, or a character no text holds)."""
    unreadable = _unreadable_bytes(encoding)
    return tuple(
        "" if value in unreadable else char for value, char in enumerate(_raw_chars(encoding))
    )


@functools.cache
def _unreadable_bytes(encoding: str) -> frozenset[int]:
    """Byte values a single-byte codec does not decode, or decodes to a character no text
    file contains (``readable``): a sample with one of them has no reading in that codec."""
    allowed = UNREADABLE_EBCDIC if encoding in _EBCDIC_NAMES else None
    return frozenset(
        value
        for value, char in enumerate(_raw_chars(encoding))
        if not char or not readable(char, allowed)
    )


@functools.cache
def _tables(encoding: str) -> ByteTables:
    """``byte_tables`` of a single-byte codec: its readings are counted on the bytes."""
    return byte_tables(_raw_chars(encoding))


@functools.cache
def _unreadable_mask(encoding: str) -> int:
    """``_unreadable_bytes`` as a bit mask (bit ``value`` set for each), tested in one AND."""
    return sum(1 << value for value in _unreadable_bytes(encoding))


@functools.cache
def _byte_skeleton(encoding: str) -> bytes:
    """A ``bytes.translate`` table giving each byte's kind in this codec (see ``skeleton``)."""
    table = _byte_chars(encoding) or ()
    return "".join(skeleton(char[:1] or "\x00") for char in table).encode("ascii")


@functools.lru_cache(maxsize=4096)
def _letter_table(encoding: str, languages: tuple[str, ...]) -> LetterTable | None:
    """The first round's ``letter_table`` of a table-counted codec read as ``languages``."""
    return letter_table(_kept_chars(encoding), languages)


def _table_counts(encoding: str, high: list[tuple[int, int]]) -> dict[str, int]:
    """A single-byte reading's non-ASCII characters as ``profile`` counts them, by table
    (``high``: the sample's bytes >= 0x80 and their counts)."""
    kept = _kept_chars(encoding)
    counts: dict[str, int] = {}
    for value, n in high:
        char = kept[value]
        if char:
            counts[char] = counts.get(char, 0) + n
    return counts


@functools.cache
def _kept_chars(encoding: str) -> tuple[str, ...]:
    """What each byte reads as, where ``profile`` counts it: "" for ASCII and dropped marks,
    "i" for Turkish capital dotted I (lowered, "i" and a dot above: counted as an "i")."""
    table = _byte_chars(encoding) or ()
    dotted = DOTTED_CAPITAL_I.lower()
    return tuple(
        "i" if char == dotted else char if char > "\x7f" and not is_mark(char) else ""
        for char in table
    )


def _decodes_whole(data: bytes, encoding: str) -> bool:
    undefined = single_byte_undefined(encoding)
    if undefined is not None:
        return first_undefined(data, undefined) is None
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def notes(
    data: bytes, readings: list[Reading], sample: bytes | None = None
) -> tuple[ReadingNote, ...]:
    """What an error says of each reading: its score and its first offending byte, the byte
    (earliest in the file) that reads as the character its language finds least likely.
    ``sample``: the bytes the readings were scored on, when not ``score_sample(data)``."""
    if not readings:
        return ()
    sample = score_sample(data) if sample is None else sample
    return tuple(_note(data, sample, reading) for reading in readings)


def _note(data: bytes, sample: bytes, reading: Reading) -> ReadingNote:
    score = round(reading.score, 1)
    table = _byte_chars(reading.encoding)
    language = reading.language.rstrip("+")
    if table is not None and reading.encoding not in _TEXT_COUNTED:
        present = {value for value in set(sample) if value > 0x7F and len(table[value]) == 1}
        worst = unlikeliest({table[value] for value in present}, language)
        if worst is None:
            return ReadingNote(reading.encoding, score)
        offsets = [data.find(value) for value in present if table[value] == worst]
        offset = min(at for at in offsets if at >= 0)
        return ReadingNote(reading.encoding, score, offset, data[offset], worst)
    try:
        text = sample.decode(reading.encoding)
    except UnicodeDecodeError:  # a reading always decodes its sample; this narrows the type
        return ReadingNote(reading.encoding, score)
    lowered = {char.lower() for char in text if char > "\x7f"}
    worst = unlikeliest({char for char in lowered if len(char) == 1}, language)
    if worst is None:
        return ReadingNote(reading.encoding, score)
    index = next(i for i, char in enumerate(text) if char.lower() == worst)
    start, end = _char_span(sample, reading.encoding, index)
    # The sample is the file when the file is small; otherwise the first place in the file
    # with the same bytes.
    offset = start if len(sample) == len(data) else data.find(sample[start:end])
    if offset < 0:
        return ReadingNote(reading.encoding, score)
    return ReadingNote(reading.encoding, score, offset, data[offset], text[index])


def _char_span(sample: bytes, encoding: str, index: int) -> tuple[int, int]:
    """The bytes of ``sample`` that decode to character ``index`` of its text.

    Found by decoding, not by encoding the character again: some codecs map one byte sequence
    to two code points (JIS X 0213's か゚ is U+304B U+309A), and the second one alone does not
    encode; an encoded character searched for in the bytes can also match across two others.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    produced = start = 0
    for at in range(len(sample)):
        out = len(decoder.decode(sample[at : at + 1]))
        if produced + out > index:
            return start, at + 1
        if out:
            produced += out
            start = at + 1
    return start, len(sample)
