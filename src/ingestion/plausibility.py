"""How much a decoded reading looks like real text in a language its codec serves.

The measure comes from per-language letter and letter-pair frequencies (derived from lingua's
models, see ``data/NOTICE``). A reading's *excess* under a language adds up, over its non-ASCII
letters and the letter pairs that touch one, how far each one's log-probability falls below the
language's own average: real text stays near zero, mojibake falls far below (rare letters in
rare pairs, symbols where letters should be). ASCII letters read the same in every candidate
codec, so they only weigh, weakly, which Latin language the non-ASCII letters are judged by.
"""

from __future__ import annotations

import codecs
import collections
import functools
import itertools
import operator
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast


class _Lazy:
    """A regex compiled on first use: Unicode classes take milliseconds to compile, and most
    programs that import ``ingestion`` never guess an encoding."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled


# Quantized -ln(p) * 10 for letters and pairs a language's model does not have.
_UNSEEN_LETTER = 140
_UNSEEN_PAIR = 100
# A pair of letters from two scripts (Latin t then Cyrillic a): readings of Latin text
# in another script's codec are full of them, real text hardly ever.
MIXED_PAIR = -20.0
# Log-probabilities of non-letters: common punctuation, and any other symbol (``Ã©``, ``Â±``).
_PUNCTUATION = -8.0
_SYMBOL = -11.5
# A non-letter glued to a letter, beyond what it costs itself: punctuation that does touch
# words (quotes, apostrophes), and any other symbol (``Lev·m``, ``ma³y``).
_GLUED_PUNCTUATION = -4.0
_GLUED = -8.0
# A symbol inside a word, on top of being glued on both sides (see ``_symbols_inside_words``).
INSIDE_WORD = -12.0
INSIDE_WORD_OK = frozenset("\u2019\u02bc\u00b7\u2010\u2011\u00ad\u2027")
# Punctuation out of its place: an opening ¡ or ¿ that opens nothing (a space or line end
# follows), and a spacing accent (U+00B4 acute, U+00A8 diaeresis, cedilla, breve, caron, ...)
# standing alone between spaces. Where ISO-8859-13 puts its quotes (“ ” at 0xB4 0xA1), cp1252
# reads these: real text has them seldom, so each costs what a symbol glued to a word does.
_MISPLACEABLE = frozenset("\u00a1\u00bf\u00b4\u00a8\u00b8\u02d8\u02c7\u02dd\u02db\u02d9\u00af")
# Each pattern below that counts single characters starts with the class of the character it
# counts and checks what comes before it by a lookbehind that includes that character: ``re``
# then skips from one candidate character to the next in C (a pattern that starts with a
# lookbehind is tried at every position). The matches are the same characters as when the
# lookbehind comes first (``(?<!\\S)[...]`` is ``[...](?<!\\S[...])``), which a test checks.
_SPACING_ACCENTS = "[\u00b4\u00a8\u00b8\u02d8\u02c7\u02dd\u02db\u02d9\u00af]"
_MISPLACED_MARKS = _Lazy(
    f"[\u00a1\u00bf](?=\\s|$)|{_SPACING_ACCENTS}(?<!\\S{_SPACING_ACCENTS})(?!\\S)"
)
_MISPLACED = _GLUED
_ASCII_WEIGHT = 0.2
# What taking a letter from another of the codec's languages than the main one costs.
_MIXTURE = -5.0
# ... but never more than this per non-ASCII character: long English around a French word
# must not make the French reading of it as unlikely as mojibake. Twice the mixture cost (what
# taking a letter and one of its pairs from another language costs): fitted on the UD dev
# sentences and the short-text sweep, where 6 nats let a short Spanish or French sentence's
# wrong reading, judged as Polish or Slovak, stay a close rival and the file was refused;
# much more lets long English around a French sentence outweigh the French letters.
_ASCII_CAP = 2 * _MIXTURE
# Non-ASCII characters that real text of any language contains without them being letters.
_PUNCTUATION_CHARS = frozenset(
    "\u00a0\u00ab\u00bb\u00b7\u00b0\u00a9\u00ae\u00a7\u00bf\u00a1\u00b4"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u2022\u2020\u2032\u2033\u20ac\u2122"
    "\u3000\u3001\u3002\u300c\u300d\u300e\u300f\u3010\u3011\u30fb\uff01\uff08\uff09\uff0c\uff0e"
    "\uff1a\uff1b\uff1f\u060c\u061b\u061f\u0640\u066a\u066b\u066c\u05be\u05f3\u05f4\u0e3f"
    "\u0e2f\u0e46\u0e5a\u0e5b\u200c\u200d\u200e\u200f\u2039\u203a\u00b2\u00b3\u00b9\u00bd\u00bc"
    "\u00be\u00d7\u00f7\u00b1\u2116\u00a3\u00a5\u00a2"
)
# Punctuation that does touch letters in real text: quotes, apostrophes, the ellipsis, marks.
_GLUES = frozenset(
    "\u00ab\u00bb\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u2039\u203a\u00b0\u00a9\u00ae\u2122\u200c\u200d\u200e\u200f\u0640\u05f3\u05f4\u0e46\u0e2f\u00b2\u00b3"
)
# Controls other than tab, line ends and the DOS end-of-file mark; private use; surrogates.
_UNREADABLE = _Lazy("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f\ud800-\uf8ff]")
# EBCDIC text maps its line ends and other controls to C1 code points (NEL, SO, SI). SUB
# (U+001A) is no end-of-file mark there: cp875 reads the bytes it has no character for
# (0xDC 0xEC 0xFC: cp500's "ü Ö Ü") as SUB, which made German "für" a cp875 "f\x1ar".
UNREADABLE_EBCDIC = _Lazy("[\x00-\x08\x0e-\x1f\x7f\ud800-\uf8ff]")
# Combining marks the models leave out (Thai vowel signs, Hebrew points, Arabic harakat, and
# Vietnamese tone marks that composition left over): they are dropped before counting.
_MARK_CLASS = (
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]"
)
_MARKS = _Lazy(_MARK_CLASS)
# What a dropped mark costs: Thai writes vowel signs on most syllables; Arabic and Hebrew
# prose mostly goes unpointed, and mojibake in their codecs is full of stray points.
_THAI_MARKS = _Lazy("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_THAI_MARK = -1.5
_OTHER_MARK = -8.0
# A mark of another script on a Latin letter (``caf\u0e49``): no language writes one there, so
# it costs what a letter no language uses costs, on top of the two scripts meeting (a Thai
# code page's reading of ``r\xe9siste`` is ``r\u0e49siste``: one mark, no Thai letter at all).
_MARK_ON_LATIN_COST = MIXED_PAIR - _UNSEEN_LETTER / 10
_MARK_ON_LATIN = _Lazy(
    "[A-Za-z\u00c0-\u024f\u1e00-\u1eff][\u0483-\u0489\u0591-\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06ed\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]"
)
# A Latin mark still on a Latin letter after composition (cp1258 reads Lithuanian ``bėgo`` as
# ``b`` + U+0301 + ``go``): Unicode composes every letter with a mark that a language of these
# code pages writes (all of Vietnamese), so what is left is a letter no language uses and costs
# as one, not as a stray mark (Turkish ``İ`` is lowered to plain ``i``: see ``profile``).
_LEFT_ON_LATIN_COST = -_UNSEEN_LETTER / 10 - _OTHER_MARK
_LEFT_ON_LATIN = _Lazy("(?<=[A-Za-z\u00c0-\u024f\u1e00-\u1eff])[\u0300-\u036f]")
# A mark on no letter (after a space or punctuation): a symbol, as mojibake makes them.
_ORPHAN_MARKS = _Lazy(rf"(?<![^\W\d_])(?<!{_MARK_CLASS}){_MARK_CLASS}")
_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class LanguageModel:
    """One language's letter and pair frequencies, and the average a text of it scores."""

    letters: dict[str, int]
    pairs: dict[str, int]
    mean_letter: float  # over all letters and pairs: for the ASCII fit
    mean_pair: float
    mean_wide_letter: float  # over non-ASCII letters and the pairs that hold one
    mean_wide_pair: float
    latin: bool


@functools.cache
def language_models() -> dict[str, LanguageModel]:
    """The shipped table, loaded on first use (a few milliseconds)."""
    import json  # noqa: PLC0415 - only the first guess pays for it

    source = Path(__file__).parent / "data" / "char_ngrams.json"
    payload: dict[str, dict[str, dict[str, object]]] = json.loads(source.read_text("utf-8"))
    models: dict[str, LanguageModel] = {}
    for language, entry in payload["languages"].items():
        letters: dict[str, int] = entry["u"]  # type: ignore[assignment]
        pairs: dict[str, int] = entry["b"]  # type: ignore[assignment]
        for same in _SPELLED_BOTH_WAYS.get(language, ()):
            letters, pairs = _alike(letters, same), _alike(pairs, same)
        models[language] = LanguageModel(
            letters=letters,
            pairs=pairs,
            mean_letter=float(entry["eu_all"]),  # type: ignore[arg-type]
            mean_pair=float(entry["eb_all"]),  # type: ignore[arg-type]
            mean_wide_letter=float(entry["eu"]),  # type: ignore[arg-type]
            mean_wide_pair=float(entry["eb"]),  # type: ignore[arg-type]
            latin="e" in letters and "a" in letters,
        )
    return models


# Letters a language writes two ways depending on the code page: Romanian has comma-below
# ș ț (ISO-8859-16, Unicode) and, where a code page lacks them (cp1250, ISO-8859-2), cedilla
# ş ţ. Both spellings cost the same, so text that differs only there reads alike in both
# code pages: the detector refuses it and names both, rather than pick one by a prior.
_SPELLED_BOTH_WAYS: dict[str, tuple[str, ...]] = {"ro": ("şș", "ţț")}


def _alike(table: dict[str, int], same: str) -> dict[str, int]:
    """``table`` with each gram that holds a letter of ``same`` at the cheapest spelling's cost."""
    alike = dict(table)
    for gram, cost in table.items():
        for char in same:
            if char not in gram:
                continue
            spellings = [gram.replace(char, other) for other in same]
            cheapest = min(table.get(spelling, cost) for spelling in spellings)
            for spelling in spellings:
                alike[spelling] = cheapest
    return alike


_NO_MODEL = LanguageModel({}, {}, 0.0, 0.0, 0.0, 0.0, latin=False)


@dataclass(frozen=True)
class Profile:
    """What one reading is made of: its non-ASCII characters, and letter pairs split by kind."""

    chars: dict[str, int]  # non-ASCII characters, lowercased
    pairs: dict[str, int]  # letter pairs with at least one non-ASCII letter
    ascii_letters: dict[str, int]
    ascii_pairs: dict[str, int]
    glued: float  # the cost of non-letters glued to letters, and of script switches


def _is_letter(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char) == "Mn"


def is_mark(char: str) -> bool:
    """A combining mark the models leave out (see ``_MARKS``)."""
    return _MARKS.get().match(char) is not None


def readable(text: str, allowed: _Lazy | None = None) -> bool:
    """No control, surrogate or private-use character that no text file contains."""
    return (allowed or _UNREADABLE).get().search(text) is None


def _capitals_after_small(text: str) -> int:
    """Non-ASCII capitals right after a small letter (``pËre``, ``maŁy``), or alone between
    small letters (``детей \u0415 залог``): mojibake's mark.

    Counted as the pattern ``[small letters][capitals]`` counts it, without compiling one per
    text. With no small letter at all that pattern was ``[][...]``, a class of every capital
    and of ``[`` and ``]``: each of those counts (all-capitals readings, such as Georgian 8-bit
    text read as cp1251 Cyrillic, pay for every capital). Kept as the verdicts were tuned so.
    """
    capitals = [c for c in set(text) if c > "\x7f" and c.isupper()]
    if not capitals:
        return 0
    # map, not a generator: where a generator over a set stopped depended on the set's order
    # (the hash seed), and with it the arcs coverage recorded for this line from run to run.
    if not any(map(str.islower, set(text))):
        return sum(map(text.count, capitals)) + text.count("[") + text.count("]")
    found = 0
    for capital in capitals:
        found += sum(1 for piece in text.split(capital)[:-1] if piece and piece[-1].islower())
    return found + sum(1 for match in _LONE.finditer(text) if _lone_capital(*match.groups()))


# A one-character word between two others (``_lone_capital`` judges the three characters).
_LONE = re.compile(r"(?<=(\S) )(\S)(?= (\S))")


def _lone_capital(before: str, char: str, after: str) -> bool:
    """A non-ASCII capital standing alone between small letters (mac-cyrillic "детей ≈ залог"
    read as cp1251 "детей \u0415 залог"): a symbol or dash read as a letter. Counted with the
    capitals after small letters (``_capitals_after_small``)."""
    return char > "\x7f" and char.isupper() and before.islower() and after.islower()


def _inside_word_symbol(char: str) -> bool:
    """A character that does not belong inside a word (``_symbols_inside_words``)."""
    return not char.isspace() and not _is_letter(char) and char not in INSIDE_WORD_OK


def _symbols_inside_words(lowered: str, chars: dict[str, int]) -> int:
    """Runs of non-ASCII symbols with a letter on each side (``J³rgen``, ``Pavlovi¹a``, and
    cp1252's two low-9 quotes between ``w`` and ``r`` for DOS Dutch ``wéér``), each counted
    once: a letter or two read in the wrong code page. Only apostrophes, hyphens and the
    middle dot sit there in text."""
    symbols = [char for char in chars if _inside_word_symbol(char)]
    if not symbols:
        return 0
    return len(_inside_word_pattern("".join(sorted(symbols))).findall(lowered))


# ASCII symbols that EBCDIC national code pages put where others have letters (cp273 reads
# cp037's "ä ö ü ß" as "{ ¦ } ~", cp875 reads cp1026's "ç ğ ş" as "{ } |"): in a reading
# whose ASCII comes from the sample's own bytes, such a symbol next to a letter is a letter
# read in the wrong code page, and costs what a non-ASCII symbol there costs (itself, glued
# on each side it touches a letter, and inside a word). Not "@ # $ \\ ' ! -", which real
# text puts next to letters (addresses, paths, names, contractions).
_A_LETTER = r"[^\W\d_]"
# Each of those symbols and square brackets (which do stand next to words, "[Nota]": only one
# inside a word costs), with the letter before it and the letter after it ("" for none): one
# scan for ``ebcdic_symbols_cost``, led by the symbols' class, which ``re`` finds at C speed.
_VARIANT_NEIGHBOURS = _Lazy(rf"([{{}}|~^`\[\]])(?:(?<=({_A_LETTER}).)|)(?:(?=({_A_LETTER}))|)")


def ebcdic_symbols_cost(lowered: str) -> float:
    """What the ASCII symbols ``{ } | ~ ^ ` `` next to letters cost (``f}r``, ``k{se``,
    ``mahdollisuuks{``), and square brackets inside words (``a[b``): counted in
    EBCDIC readings only, whose ASCII characters are read from bytes like any other (in an
    ASCII-based code page they read alike in every reading). Each costs ``_SYMBOL``, and
    ``_GLUED`` per side it touches a letter; with a letter on each side, ``INSIDE_WORD`` too."""
    if not any(map(lowered.__contains__, "[]{}|~^`")):
        return 0.0
    touching = glued = inside = 0
    for symbol, before, after in _VARIANT_NEIGHBOURS.get().findall(lowered):
        if symbol in "[]":  # a bracket costs inside a word only
            if before and after:
                touching, glued, inside = touching + 1, glued + 2, inside + 1
        elif before or after:
            touching += 1
            glued += (before != "") + (after != "")
            inside += before != "" and after != ""
    return _SYMBOL * touching + _GLUED * glued + INSIDE_WORD * inside


@functools.lru_cache(maxsize=4096)
def _inside_word_pattern(symbols: str) -> re.Pattern[str]:
    """``symbols`` with a letter on each side, compiled once per set of symbols (sorted: the
    class means the same in any order). Short files each bring new sets, more than ``re``'s
    own cache keeps: compiling was about 8 % of the time per short file."""
    symbol = f"[{re.escape(symbols)}]"  # led by its class (see _MISPLACED_MARKS)
    return re.compile(rf"{symbol}(?<=[^\W\d_]{symbol}){symbol}*(?=[^\W\d_])")


def non_ascii_chars(text: str) -> dict[str, int]:
    """``profile(text).chars`` alone: the non-ASCII characters, composed, lowercased, without
    the marks the models leave out."""
    lowered = _MARKS.get().sub("", unicodedata.normalize("NFC", text).lower())
    # Counted on the non-ASCII runs alone: the same characters in the same order of first
    # occurrence, without counting (mostly ASCII) text only to drop it.
    chars = dict(collections.Counter("".join(_NON_ASCII_RUN.findall(lowered))))
    _count_dotted_capital_i(text, chars)
    return chars


def _count_dotted_capital_i(text: str, chars: dict[str, int]) -> None:
    """Count Turkish capital ``İ`` in ``chars`` as the letter ``i`` (what Turkish lowers it to,
    at that letter's cost): lowered, it is ASCII and would go uncounted, so a reading whose
    only non-ASCII byte reads as ``İ`` had no evidence at all, and no language prior either
    (its cap is per non-ASCII character). Mac-turkish reads Latin-1 "Ü" as "İ": cp1252
    "Überall waren Leute." was a close call with mac-turkish "İberall", a free ASCII word."""
    dotted = text.count(DOTTED_CAPITAL_I)
    if dotted:
        chars["i"] = dotted


# Turkish capital dotted I: lowered to plain ``i`` (see ``profile``), counted as one letter.
DOTTED_CAPITAL_I = "\u0130"


def ascii_letter_pairs(text: str) -> dict[str, int]:
    """Pairs of adjacent ASCII letters, lowercased (what ``profile`` counts as ``ascii_pairs``)."""
    lowered = text.lower()
    counted = collections.Counter(map(operator.add, lowered, lowered[1:]))
    return {pair: n for pair, n in counted.items() if pair.isascii() and pair.isalpha()}


_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_PAIRS = re.compile("..", re.DOTALL)


@dataclass(frozen=True)
class ByteTables:
    """What ``profile`` needs of a single-byte codec to count a reading on the sample's bytes.

    ``lowering`` is a 256-character decoding table: each byte's character as ``profile``
    counts it (composed, lowercased, marks dropped) where that is one character, ASCII exactly
    for bytes < 0x80; U+FFFE (undecodable, so no shortcut) elsewhere; byte 0 reads as NUL (it
    joins the pieces of ``ByteCounts.near_pairs``). ``profile`` checks each sample against it.
    ``kinds`` gives each byte the ``skeleton`` kind of its lowered character (a
    ``bytes.translate`` table); ``capital_after_small`` is ``[small letters][non-ASCII
    capitals]`` (or such a capital alone between small letters) as the codec reads the bytes,
    on latin-1 characters; ``capitals``, ``small`` and ``brackets`` are the latin-1 characters
    of the bytes that read as such (brackets: ``[`` and ``]``).
    ``symbol_inside_word`` is ``_symbols_inside_words``'s pattern on latin-1 characters, for
    every byte that reads as such a symbol: one compiled pattern per codec, not one per text.
    """

    lowering: str
    kinds: bytes
    capital_after_small: re.Pattern[str]
    capitals: str
    small: str
    brackets: str
    symbol_inside_word: re.Pattern[str]


def byte_tables(table: tuple[str, ...]) -> ByteTables:
    """``ByteTables`` of a single-byte codec, from ``table``: each byte's character ("" where
    it does not decode)."""
    lowering = ["\x00"]
    for value, char in enumerate(table[1:], 1):
        counted = _MARKS.get().sub("", unicodedata.normalize("NFC", char).lower()) if char else ""
        same_kind = len(counted) == 1 and (value < 0x80) == counted.isascii()
        lowering.append(counted if same_kind else "\ufffe")
    kinds = "".join(skeleton(char) if char != "\ufffe" else " " for char in lowering)
    capitals = "".join(chr(v) for v, c in enumerate(table) if c > "\x7f" and c.isupper())
    small = "".join(chr(v) for v, c in enumerate(table) if c.islower())
    brackets = "".join(chr(v) for v, c in enumerate(table) if c in "[]" and c)
    # [small][capital], led by the capital (see _MISPLACED_MARKS): no capital is small, so the
    # pairs never overlap and each is one capital right after a small letter; or a capital
    # alone between small letters, "[small] [capital] [small]" (``_lone_capital``).
    capital, lower = f"[{re.escape(capitals)}]", f"[{re.escape(small)}]"
    pattern = (
        f"{capital}(?:(?<={lower}{capital})|(?<={lower} {capital})(?= {lower}))"
        if small and capitals
        else "(?!)"
    )
    return ByteTables(
        "".join(lowering),
        kinds.encode("ascii"),
        re.compile(pattern),
        capitals,
        small,
        brackets,
        _symbol_inside_word_on_bytes(lowering),
    )


def _symbol_inside_word_on_bytes(lowering: list[str]) -> re.Pattern[str]:
    """``_symbols_inside_words``'s pattern as the bytes read through ``lowering``: a letter is
    a byte whose character matches ``[^\\W\\d_]``, a symbol a byte >= 0x80 whose character
    is one (which symbols are present no longer matters: absent bytes never match)."""
    usable = [(chr(value), char) for value, char in enumerate(lowering) if char != "\ufffe"]
    letters = "".join(byte for byte, char in usable if _WORD_LETTER.fullmatch(char))
    symbols = "".join(byte for byte, char in usable if char > "\x7f" and _inside_word_symbol(char))
    if not letters or not symbols:
        return re.compile("(?!)")
    letter, symbol = f"[{re.escape(letters)}]", f"[{re.escape(symbols)}]"
    return re.compile(f"{symbol}(?<={letter}{symbol}){symbol}*(?={letter})")  # led by its class


_WORD_LETTER = re.compile(r"[^\W\d_]")


def _through(data: bytes, table: str) -> str | None:
    """``data`` decoded through a 256-character table (None when a byte has U+FFFE there)."""
    try:
        # A 256-character str is what the stdlib's own charmap codecs decode with (typeshed
        # lists only the dict forms).
        return codecs.charmap_decode(data, "strict", table)[0]  # pyright: ignore[reportArgumentType]
    except UnicodeDecodeError:
        return None


def _renamed(counted: dict[str, int], table: str, size: int) -> dict[str, int]:
    """Counts of latin-1 grams of ``size`` characters under their names through ``table``:
    grams that become one are added up, in order of first occurrence (as counting the
    renamed text would order them)."""
    renamed_keys = "".join(counted).translate(table)
    names = list(renamed_keys) if size == 1 else _PAIRS.findall(renamed_keys)
    return _renamed_grams(names, counted)


def _pairs_near_non_ascii(lowered: str) -> collections.Counter[str]:
    """The adjacent pairs of ``lowered`` that hold a non-ASCII character, each counted once:
    every run of non-ASCII characters with one character of context on each side."""
    pieces = [
        lowered[max(0, m.start() - 1) : m.end() + 1] for m in _NON_ASCII_RUN.finditer(lowered)
    ]
    joined = "\x00".join(pieces)
    return collections.Counter(map(operator.add, joined, joined[1:]))


@dataclass(frozen=True)
class ByteCounts:
    """A sample's counts taken once on its bytes (as latin-1 characters, in order of first
    occurrence), shared by all its single-byte readings: each byte value, each pair of
    adjacent bytes that holds a byte >= 0x80 (ASCII letters lowercased), and the ASCII letter
    pairs (lowercased). ``high`` is ``values``' bytes >= 0x80 alone, and ``ascii_letters`` the
    ASCII letters lowercased (each spelling's count added up, in order of first occurrence):
    what ``profile`` counts on the bytes as its characters and ASCII letters, through any
    lowering table (each reads ASCII as ASCII, lowercased, and no other byte as ASCII)."""

    data: bytes
    text: str  # the bytes as latin-1 characters
    values: dict[str, int]
    near_pairs: dict[str, int]
    ascii_pairs: dict[str, int]
    high: dict[str, int]
    ascii_letters: dict[str, int]


def byte_counts(
    sample: bytes, values: dict[int, int] | None = None, pairs: dict[str, int] | None = None
) -> ByteCounts:
    """Count ``sample`` once for ``profile(..., counts=...)`` (C-level counting); ``values``,
    when given, is ``collections.Counter(sample)`` (each byte value, in order of first
    occurrence, as ``ByteCounts.values`` counts them as characters), and ``pairs``
    ``pair_counts(sample.lower())``, counted already."""
    text = sample.decode("latin-1")
    # Pairs are counted on the bytes with ASCII letters lowercased (``bytes.lower`` touches
    # nothing else): every lowering table reads an ASCII capital as its small letter, so the
    # near pairs renamed through one are the same, and the ASCII letter pairs come out
    # lowercased, each first met where its first spelling was (as ``ascii_letter_pairs``).
    if pairs is None:
        pairs = pair_counts(sample.lower())
    ascii_pairs: dict[str, int] = {}
    near: dict[str, int] = {}
    for pair, n in pairs.items():
        if not pair.isascii():
            near[pair] = n
        elif pair.isalpha():
            ascii_pairs[pair] = n
    if values is None:
        named: dict[str, int] = collections.Counter(text)
    else:
        named = dict(zip(map(chr, values), values.values(), strict=True))
    high = {char: n for char, n in named.items() if char > "\x7f"}
    letters = {char: n for char, n in named.items() if char in _ASCII_LETTER_BYTES}
    ascii_letters = _renamed(letters, _ASCII_LOWERING, 1)
    return ByteCounts(sample, text, named, near, ascii_pairs, high, ascii_letters)


def pair_counts(data: bytes) -> dict[str, int]:
    """Each pair of adjacent bytes of ``data`` (two latin-1 characters), counted in order of
    first occurrence."""
    chars = data.decode("latin-1")
    return collections.Counter(map(operator.add, chars, chars[1:]))


def renamed_pairs(pairs: dict[str, int], table: bytes) -> dict[str, int]:
    """``pair_counts`` of some bytes, as counted on those bytes translated through ``table``
    (a ``bytes.translate`` table): each pair renamed byte for byte at C speed, in the same
    order; pairs that become one are added up (in order of first occurrence, as counting the
    translated bytes would order them)."""
    keys = "".join(pairs).encode("latin-1").translate(table).decode("latin-1")
    return _renamed_grams(_PAIRS.findall(keys), pairs)


def _renamed_grams(names: list[str], counted: dict[str, int]) -> dict[str, int]:
    """``counted``'s counts under ``names`` (one per gram, in order), grams that became one
    added up where the first of them stood."""
    if len(set(names)) == len(names):  # no two became one: the same counts, in order
        return dict(zip(names, counted.values(), strict=True))
    renamed: dict[str, int] = {}
    for name, n in zip(names, counted.values(), strict=True):
        renamed[name] = renamed.get(name, 0) + n
    return renamed


_ASCII_LETTER_BYTES = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# A 256-character table that lowercases ASCII letters and keeps every other character.
_ASCII_LOWERING = "".join(
    chr(value).lower() if value < 0x80 else chr(value) for value in range(256)
)


def profile(
    text: str,
    ascii_pairs: dict[str, int] | None = None,
    *,
    counts: ByteCounts | None = None,
    tables: ByteTables | None = None,
    ebcdic: bool = False,
) -> Profile:
    """Count a reading's characters and letter pairs (C-level counting, Python per distinct key).

    ``ascii_pairs``, when given, are the ASCII letter pairs already counted on the sample's
    bytes (the same in every single-byte reading): only pairs near non-ASCII text are counted.

    ``counts`` and ``tables`` (``text`` is ``counts.data`` in a single-byte codec, ``tables``
    that codec's) spare counting the text: when the lowered text is character for character
    the sample's bytes through ``tables.lowering`` (checked here, at C speed), its characters
    and pairs are the byte counts renamed (equal counts, in the same order), and its skeleton
    and capitals are counted on the bytes.

    Turkish ``İ`` is lowered to ``i``, as Turkish lowers it: ``str.lower`` gives ``i`` plus a
    combining dot, which would cost as a stray mark in every Turkish sentence that opens with
    ``İ`` (capitals after small letters, ``bulursanİz``, still cost: they are counted on the
    text as read). It is still a non-ASCII letter of the reading: ``chars`` counts it as an
    ``i`` (``_count_dotted_capital_i``).

    ``ebcdic``: the reading is in an EBCDIC code page, whose ASCII characters are read from the
    bytes like any other: ASCII symbols next to letters cost too (``ebcdic_symbols_cost``).
    """
    composed, lowered, marks = _lowered(text)
    marks_cost = 0.0
    if marks:  # the searches below find marks only (a whole-sample scan each: skipped without)
        orphans = len(_ORPHAN_MARKS.get().findall(composed))
        thai = len(_THAI_MARKS.get().findall(composed))
        marks_cost = thai * _THAI_MARK + (marks - thai) * _OTHER_MARK
        marks_cost += _MARK_ON_LATIN_COST * len(_MARK_ON_LATIN.get().findall(composed))
        marks_cost += _LEFT_ON_LATIN_COST * len(_LEFT_ON_LATIN.get().findall(composed))
        marks_cost += orphans * (_SYMBOL + _GLUED)
    if ebcdic:  # never counted on the bytes (EBCDIC is counted on its text): a cost like marks
        marks_cost += ebcdic_symbols_cost(lowered)
    return _profile(text, lowered, marks_cost, _on_bytes(lowered, counts, tables), ascii_pairs)


def profile_on_bytes(
    counts: ByteCounts,
    tables: ByteTables,
    glue: tuple[int, int, int] | None = None,
    *,
    ebcdic: bool = False,
) -> Profile:
    """``profile(counts.data decoded, counts.ascii_pairs, counts=counts, tables=tables)`` of a
    single-byte reading whose sample has no byte the codec reads unsafely (``readings``'s
    ``_unsafe_mask``), without decoding: its text then lowers, composed and without marks, to
    the bytes through ``tables.lowering`` (a test checks every pair of such bytes), with no
    mark to drop and no Turkish ``İ`` (which lowers to two characters: never safe).
    ``glue``: ``glue_counts(counts, tables)``, when the caller has it already. ``ebcdic``: the
    bytes are an EBCDIC reading translated into this code page (``readings``'s
    ``_ebcdic_twin``): its ASCII symbols next to letters cost, as ``profile``'s ``ebcdic``."""
    lowered = _through(counts.data, tables.lowering)
    if lowered is None:  # a byte with no lowering is never safe; this narrows the type
        raise ValueError("profile_on_bytes: a byte with no lowering (not a safe sample)")
    marks_cost = ebcdic_symbols_cost(lowered) if ebcdic else 0.0
    return _profile("", lowered, marks_cost, (counts, tables), counts.ascii_pairs, glue=glue)


def _profile(
    text: str,
    lowered: str,
    marks_cost: float,
    on_bytes: tuple[ByteCounts, ByteTables] | None,
    ascii_pairs: dict[str, int] | None,
    *,
    glue: tuple[int, int, int] | None = None,
) -> Profile:
    """``profile`` from its lowered text, the cost of its marks and, when ``lowered`` is the
    sample through the lowering table, the byte counts. ``text`` (the reading as decoded) is
    read for Turkish ``İ`` and, without byte counts, capitals after small letters only.
    ``glue``: ``glue_counts`` of the byte counts, when already made."""
    chars, ascii_letters, counted_pairs, ascii_pairs = _counted(lowered, ascii_pairs, on_bytes)
    _count_dotted_capital_i(text, chars)
    # Each pair's share looked up, the three kinds picked at C speed (the same keys, counts and
    # order); glue costs are whole numbers, so their sum is exact: 0.0 adds nothing to it.
    if len(_PAIR_SHARES) > _ROWS_KEPT:
        _PAIR_SHARES.clear()
    shares = list(map(_PAIR_SHARES.__getitem__, counted_pairs))
    items = counted_pairs.items()
    pairs = dict(itertools.compress(items, map(_LETTERS_OF, shares)))
    ascii_pairs.update(itertools.compress(items, map(_ASCII_OF, shares)))
    glued = sum(map(operator.mul, counted_pairs.values(), map(_GLUE_OF, shares)), 0.0)
    if on_bytes is None:
        glued += switch_score(lowered) + marks_cost
        glued += _CAPITAL_AFTER_SMALL * _capitals_after_small(text)
        glued += INSIDE_WORD * _symbols_inside_words(lowered, chars)
    else:  # the same positions: the bytes are the lowered text's characters one for one
        switches, capitals, inside = glue or glue_counts(*on_bytes)
        glued += _SWITCH * switches + marks_cost
        glued += _CAPITAL_AFTER_SMALL * capitals
        glued += INSIDE_WORD * inside
    if not _MISPLACEABLE.isdisjoint(chars):
        glued += _MISPLACED * len(_MISPLACED_MARKS.get().findall(lowered))
    if _DIGIT.search(lowered):
        glued += _GLUED_DIGIT * len(_LETTER_DIGIT.get().findall(lowered))
    return Profile(chars, pairs, ascii_letters, ascii_pairs, glued)


# What ``_profile`` makes of an adjacent pair of its lowered text (``pair_share``): whether
# it is a pair of letters with one non-ASCII (judged by the models), whether a pair of ASCII
# letters, and what it adds to ``glued``.
_PairShare = tuple[bool, bool, float]
_LETTERS_OF = operator.itemgetter(0)
_ASCII_OF = operator.itemgetter(1)
_GLUE_OF = operator.itemgetter(2)


def pair_share(pair: str) -> _PairShare:
    """What ``_profile`` makes of one adjacent pair of its lowered text (``_PairShare``): a
    non-letter >= 0x80, not a space, next to a letter adds ``_GLUED_PUNCTUATION`` or
    ``_GLUED``. A pair with NUL (it joins the pieces of ``ByteCounts.near_pairs``) is none of
    them. A character is a letter by ``_is_letter`` when non-ASCII, by ``str.isalpha`` when
    ASCII."""
    if pair.isascii():
        return False, pair.isalpha(), 0.0
    if "\x00" in pair:
        return False, False, 0.0
    first, second = (_is_letter(char) if char > "\x7f" else char.isalpha() for char in pair)
    if first and second:
        return True, False, 0.0
    other = pair[1] if first else pair[0]
    if (first or second) and other > "\x7f" and not other.isspace() and not _is_letter(other):
        return False, False, _GLUED_PUNCTUATION if other in _GLUES else _GLUED
    return False, False, 0.0


class _PairShares(dict[str, _PairShare]):
    """``pair_share`` of each pair, worked out on first use: ``_profile`` asks it of every
    distinct pair of every reading it counts, and the same few thousand pairs recur across
    readings and files (one lookup, not two letter tests and a category lookup per pair)."""

    def __missing__(self, pair: str) -> _PairShare:
        share = self[pair] = pair_share(pair)
        return share


_PAIR_SHARES = _PairShares()


def _lowered(text: str) -> tuple[str, str, int]:
    """``profile``'s text composed and lowercased, that text without the marks the models
    leave out (what ``profile`` counts), and how many marks it dropped."""
    composed = unicodedata.normalize("NFC", text).replace(DOTTED_CAPITAL_I, "i").lower()
    lowered, marks = _MARKS.get().subn("", composed)
    return composed, lowered, marks


def mixed_bound(text: str) -> float:
    """At least what ``profile``'s pairs and glue add to a reading's letters under a language
    whose model has no letter pairs (Chinese, Japanese, Korean: ``pair_log`` is ``MIXED_PAIR``
    for a pair of letters of two scripts, else 0): ``mixed_score`` of the text ``profile``
    counts. Each ``an``/``na`` in its skeleton is an ASCII letter next to a non-Latin letter,
    a pair ``profile`` keeps (it holds a non-ASCII letter) and ``pair_log`` prices at
    ``MIXED_PAIR``; every other pair costs 0 or less. Its switches are ``profile``'s own
    (``switch_score`` of the same text), and ``profile``'s other glue terms never add."""
    return skeleton_score(skeleton(_lowered(text)[1]).encode("ascii"))


def _counted(
    lowered: str,
    ascii_pairs: dict[str, int] | None,
    on_bytes: tuple[ByteCounts, ByteTables] | None,
) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """``profile``'s non-ASCII characters, ASCII letters, pairs to judge and ASCII letter pairs
    of ``lowered``: the byte counts renamed when ``lowered`` is the sample through the lowering
    table (``on_bytes``), else counted on the text.

    On the bytes, the table reads each byte >= 0x80 as a non-ASCII character and every other
    byte as ASCII (lowercased), so the characters are the bytes >= 0x80 renamed, and the ASCII
    letters are the sample's own (``ByteCounts.ascii_letters``, shared by its readings): what
    renaming every byte and picking the two kinds apart gives, in the same order."""
    if on_bytes is not None:
        counts, lowering = on_bytes[0], on_bytes[1].lowering
        pairs = _renamed(counts.near_pairs, lowering, 2)
        chars = _renamed(counts.high, lowering, 1)
        return chars, counts.ascii_letters, pairs, counts.ascii_pairs
    counted = collections.Counter(lowered)
    chars = {char: n for char, n in counted.items() if char > "\x7f"}
    letters = {char: n for char, n in counted.items() if char in _LATIN_LETTERS}
    if ascii_pairs is None:
        return chars, letters, collections.Counter(map(operator.add, lowered, lowered[1:])), {}
    return chars, letters, _pairs_near_non_ascii(lowered), ascii_pairs


def _on_bytes(
    lowered: str, counts: ByteCounts | None, tables: ByteTables | None
) -> tuple[ByteCounts, ByteTables] | None:
    """The byte counts and tables when ``lowered`` is the sample through ``tables.lowering``."""
    if counts is None or tables is None or _through(counts.data, tables.lowering) != lowered:
        return None
    return counts, tables


def _capitals(counts: ByteCounts, tables: ByteTables) -> int:
    """``_capitals_after_small`` of a single-byte reading ``profile`` counts on the bytes,
    counted on the latin-1 sample: a capital is never small, so the non-overlapping matches of
    ``[small][capital]`` are every capital right after a small letter (and the pattern's other
    branch every capital alone between small letters)."""
    present = counts.values.keys()
    if present.isdisjoint(tables.capitals):
        return 0
    if present.isdisjoint(tables.small):
        found = sum(map(counts.values.get, tables.capitals, itertools.repeat(0)))
        return found + sum(map(counts.values.get, tables.brackets, itertools.repeat(0)))
    return len(tables.capital_after_small.findall(counts.text))


def glue_counts(counts: ByteCounts, tables: ByteTables) -> tuple[int, int, int]:
    """The script switches, capitals after small letters and symbols inside words of a reading
    ``profile`` counts on the bytes (``_on_bytes``), counted on the bytes without decoding.
    ``profile`` and ``glued_on_bytes`` both take them: a reading that is bounded and then
    scored counts them once."""
    return (
        _switches(counts.data.translate(tables.kinds)),
        _capitals(counts, tables),
        len(tables.symbol_inside_word.findall(counts.text)),
    )


def glued_on_bytes(glue: tuple[int, int, int]) -> float:
    """What ``profile`` adds to ``glued`` for script switches, capitals after small letters and
    symbols inside words (``glue``: ``glue_counts``), for a reading it counts on the bytes.
    (Its other ``glued`` terms are costs, never gains.)"""
    switches, capitals, inside = glue
    glued = _SWITCH * switches
    glued += _CAPITAL_AFTER_SMALL * capitals
    return glued + INSIDE_WORD * inside


def pairs_bound(counts: ByteCounts, tables: ByteTables, languages: tuple[str, ...]) -> float:
    """At least what ``judge`` takes for the letter pairs of a reading ``profile`` counts on the
    bytes, plus ``profile``'s cost of non-letters glued to letters: per pair of adjacent bytes
    that holds one >= 0x80, read through ``tables.lowering``, its log-probability in the
    language of ``languages`` that finds it likeliest (``judge`` takes each pair from one of
    them, at most that), or its glue cost (``_PairBounds``). Pairs that read alike add up
    (a sum: in any order, the same value to rounding)."""
    return near_pairs_bound(counts.near_pairs, tables.lowering, languages)


def near_pairs_bound(near: dict[str, int], lowering: str, languages: tuple[str, ...]) -> float:
    """``pairs_bound`` of these pairs (``ByteCounts.near_pairs``, or pairs of other bytes that
    ``lowering`` reads as those would be read) through a 256-character ``lowering`` table."""
    bounds = _PAIR_BOUNDS.get((lowering, languages))
    if bounds is None:
        if len(_PAIR_BOUNDS) > _ROWS_KEPT // 1000:
            _PAIR_BOUNDS.clear()
        bounds = _PAIR_BOUNDS[lowering, languages] = _PairBounds(lowering, languages)
    return sum(map(operator.mul, near.values(), map(bounds.__getitem__, near)), 0.0)


class _PairBounds(dict[str, float]):
    """``pairs_bound``'s term of each byte pair (two latin-1 characters), worked out on first
    use: the same few hundred pairs recur across readings and files."""

    def __init__(self, lowering: str, languages: tuple[str, ...]) -> None:
        super().__init__()
        self.lowering = lowering
        self.models = [language_models()[language] for language in languages]
        # By the pair's two characters, shared by every code page with these languages.
        self.by_chars = _CHAR_PAIR_BOUNDS.setdefault(languages, {})

    def __missing__(self, pair: str) -> float:
        if len(self) > _ROWS_KEPT:
            self.clear()
        chars = pair.translate(self.lowering)  # what the bytes read as, one character each
        bound = self.by_chars.get(chars)
        if bound is None:
            if len(self.by_chars) > _ROWS_KEPT:
                self.by_chars.clear()
            bound = self.by_chars[chars] = _pair_bound(chars, self.models)
        self[pair] = bound
        return bound


def _pair_bound(chars: str, models: list[LanguageModel]) -> float:
    """``pairs_bound``'s term of a pair of characters (as a lowering table reads two bytes):
    a letter pair's log-probability in the model that finds it likeliest, or the glue cost of
    a letter next to a non-letter >= 0x80 (not a space); else 0 (U+FFFE or NUL: none)."""
    first, second = chars
    if "\ufffe" in chars or "\x00" in chars:
        return 0.0
    first_letter = _is_letter(first) if first > "\x7f" else first.isalpha()
    second_letter = _is_letter(second) if second > "\x7f" else second.isalpha()
    other = second if first_letter else first
    if first_letter and second_letter:
        return max(pair_log(chars, model) for model in models)
    if (first_letter or second_letter) and other > "\x7f" and not other.isspace():
        return _GLUED_PUNCTUATION if other in _GLUES else _GLUED
    return 0.0


_PAIR_BOUNDS: dict[tuple[str, tuple[str, ...]], _PairBounds] = {}
_CHAR_PAIR_BOUNDS: dict[tuple[str, ...], dict[str, float]] = {}


def char_log(char: str, model: LanguageModel) -> float:
    """Log-probability of one non-ASCII character: a letter by the model, others fixed."""
    if _is_letter(char):
        return -model.letters.get(char, _UNSEEN_LETTER) / 10
    if char in _PUNCTUATION_CHARS or char.isspace():
        return _PUNCTUATION
    return _SYMBOL


def unlikeliest(chars: set[str], language: str) -> str | None:
    """The character of ``chars`` least likely in ``language`` (first by code point on ties)."""
    model = language_models().get(language, _NO_MODEL)
    return min(sorted(chars), key=lambda char: char_log(char, model), default=None)


def pair_log(pair: str, model: LanguageModel) -> float:
    """Log-probability of a pair's second letter given its first; mixed scripts cost most.

    Chinese, Japanese and Korean are scored on letters only: their pairs cost nothing.
    """
    known = model.pairs.get(pair)
    if known is not None:
        return -known / 10
    if latin_letter(pair[0]) != latin_letter(pair[1]):
        return MIXED_PAIR
    return -_UNSEEN_PAIR / 10 if model.pairs else 0.0


def char_score(chars: dict[str, int], model: LanguageModel) -> float:
    """Log-probability of the non-ASCII characters."""
    return sum(n * char_log(char, model) for char, n in chars.items())


def pair_score(pairs: dict[str, int], model: LanguageModel) -> float:
    """Log-probability of the letter pairs that hold a non-ASCII letter."""
    return sum(n * pair_log(pair, model) for pair, n in pairs.items())


def foreign_letter(char: str) -> bool:
    """A letter (or mark) of a script other than Latin."""
    return char > "\x7f" and _is_letter(char) and not latin_letter(char)


def latin_letter(char: str) -> bool:
    """Whether a letter is Latin script (ASCII, Latin-1 to Latin Extended-B, Vietnamese), or a
    mark Latin letters take (cp1258 writes tones as combining marks)."""
    return char < "\u0250" or "\u1e00" <= char <= "\u1eff" or "\u0300" <= char <= "\u036f"


_SWITCH = -6.0
_CAPITAL_AFTER_SMALL = -10.0
# A non-ASCII letter glued to a digit (``Ł825`` for ``£825``); not CJK, kana or Hangul, which
# sit next to digits in real text (``1932年``).
# (``(?![...])[^\\W\\d_](?=[0-9])|(?<=[0-9])(?![...])[^\\W\\d_]``, led by its class, as above.)
_LETTER_DIGIT = _Lazy(
    "[^\x00-\x7f\u2e80-\ud7ff\uf900-\ufaff\uff00-\uffef](?<=[^\\W\\d_])"
    "(?:(?=[0-9])|(?<=[0-9][^\\W\\d_]))"
)
_GLUED_DIGIT = -6.0
_DIGIT = re.compile("[0-9]")
# Words in one script followed by words in another, on the text's skeleton (below): real text
# switches seldom, Latin text read in another script's codec at every accented word.
_SWITCHES = re.compile("[al] +(?=n)|n +(?=[al])")  # what ``_switches`` counts


def skeleton(text: str) -> str:
    """The text with each character replaced by its kind: ``a`` an ASCII letter, ``l`` another
    Latin letter, ``n`` a letter or mark of another script, a space anything else."""
    if len(_KINDS) > _ROWS_KEPT:
        _KINDS.clear()
    return text.translate(_KINDS)


class _Kinds(dict[int, str]):
    """Each code point's ``skeleton`` kind, worked out on first use and kept across texts (the
    same few hundred characters recur; ``str.translate`` looks each one up)."""

    def __missing__(self, point: int) -> str:
        char = chr(point)
        if char.isascii():
            kind = "a" if char.isalpha() else " "
        elif not _is_letter(char):
            kind = " "
        else:
            kind = "l" if latin_letter(char) else "n"
        self[point] = kind
        return kind


_KINDS = _Kinds()


def mixed_score(text: str) -> float:
    """What mixed-script letter pairs and script switches cost (for the first round)."""
    return skeleton_score(skeleton(text).encode("ascii"))


def skeleton_score(shape: bytes) -> float:
    """``mixed_score`` on a skeleton already made (from bytes, for single-byte codecs).

    Without both a letter of another script (``n``) and a Latin one (``a``, ``l``) there is
    no mixed pair and no switch: the same float (``_NO_MIXED``) without counting (most
    readings of Latin text, and of other scripts' text without Latin words)."""
    if b"n" not in shape or (b"a" not in shape and b"l" not in shape):
        return _NO_MIXED
    mixed = shape.count(b"an") + shape.count(b"na")
    return MIXED_PAIR * mixed + _SWITCH * _switches(shape)


# ``skeleton_score``'s float with no mixed pair and no switch (-0.0: kept as it was computed).
_NO_MIXED = MIXED_PAIR * 0 + _SWITCH * 0


def switch_score(text: str) -> float:
    """The cost of switching script between words (mixed pairs are in ``pair_score``)."""
    return _SWITCH * _switches(skeleton(text).encode("ascii"))


def _switches(shape: bytes) -> int:
    """Words of one script followed by words of another (``_SWITCHES``), counted at C speed:
    with each run of spaces made one, a switch is a letter, a space, a letter of the other
    kind (no such pattern can overlap itself, so ``count`` finds each). ASCII and other Latin
    letters (``a``, ``l``) are one kind here, so ``l`` is read as ``a``: two counts, not four
    (each a pass over the sample's shape)."""
    if b"n" not in shape:
        return 0
    words = b" ".join(shape.translate(_LATIN_AS_ASCII).split())
    return words.count(b"a n") + words.count(b"n a")


_LATIN_AS_ASCII = bytes.maketrans(b"l", b"a")


def _expected(model: LanguageModel, chars: int, pairs: int) -> float:
    """What text of the language scores on ``chars`` non-ASCII characters and ``pairs`` letter
    pairs that hold one, on average."""
    return model.mean_wide_letter * chars + model.mean_wide_pair * pairs


def ascii_fit(reading: Profile, model: LanguageModel) -> float:
    """How well the ASCII letters read as this language (only Latin-script languages differ)."""
    if not model.latin:
        return 0.0
    letters = sum(
        n * (model.mean_letter - model.letters.get(c, _UNSEEN_LETTER) / 10)
        for c, n in reading.ascii_letters.items()
    )
    pairs = sum(
        n * (model.mean_pair - model.pairs.get(p, _UNSEEN_PAIR) / 10)
        for p, n in reading.ascii_pairs.items()
    )
    return letters + pairs


@dataclass(frozen=True)
class Verdict:
    """A reading's score under the language that explains it best."""

    score: float
    language: str
    shortfall: float  # how far the letters fall below the language's average (>= 0: typical)
    # The letter pairs that hold a non-ASCII letter, and how far they alone fall below the
    # language's average (part of ``shortfall``): ``readings.plausible`` judges them apart.
    pairs: int = 0
    pair_shortfall: float = 0.0
    # For a language scored on letters alone (``scored_on_letters``: Chinese, Japanese,
    # Korean), its non-ASCII letters and how many it finds common (``common_letters``); else 0.
    letters: int = 0
    common: int = 0


# A letter a language finds common: quantized -ln(p) * 10 at most this (p >= e^-9), about the
# 1,500 likeliest of Chinese, 1,800 of Japanese (kana and kanji), 900 of Korean syllables.
COMMON_COST = 90


def scored_on_letters(model: LanguageModel) -> bool:
    """Whether a language is scored on its letters alone: its model has no letter pairs
    (Chinese, Japanese, Korean: thousands of letters, each a syllable or a word)."""
    return not model.pairs


@functools.cache
def common_letters(language: str) -> frozenset[str]:
    """The letters ``language`` finds common (``COMMON_COST``), with their halfwidth and
    fullwidth forms, which NFKC makes the letters they stand for: the models count Japanese
    halfwidth katakana (Shift_JIS's single bytes) as unseen letters, and text written in them
    is common words all the same."""
    model = language_models()[language]
    common = {char for char, cost in model.letters.items() if cost <= COMMON_COST}
    forms = map(chr, range(0xFF00, 0xFFF0))
    return frozenset(common.union(f for f in forms if unicodedata.normalize("NFKC", f) in common))


def _common_count(
    model: LanguageModel, language: str, grams: list[str], counts: list[int]
) -> tuple[int, int]:
    """``Verdict``'s letters and common letters of a reading judged as ``language`` (``grams``
    its letters, each ``counts`` times): (0, 0) unless it is scored on letters alone."""
    if not scored_on_letters(model):
        return 0, 0
    usual = map(common_letters(language).__contains__, grams)  # at C speed
    return sum(counts), sum(itertools.compress(counts, usual))


def judge(
    reading: Profile, languages: tuple[str, ...], ascii_fits: dict[str, float] | None = None
) -> Verdict:
    """The best score over ``languages``: non-ASCII letters and pairs, plus a weak Latin fit.

    ``ascii_fits`` (``ascii_fits(reading)``, shared by readings with the same ASCII letters)
    says how well each Latin language reads the ASCII letters; one that fits them worse than
    the best pays a fifth of the difference, at most ``_ASCII_CAP`` per non-ASCII character:
    a prior on the language, never the whole verdict.
    """
    models = language_models()
    evidence = sum(reading.chars.values())
    pairs_total = sum(reading.pairs.values())
    fixed, letters_only = _split(reading.chars)
    ascii_best = max(ascii_fits.values()) if ascii_fits else 0.0
    letter_counts = list(map(_COUNT, letters_only))
    letter_grams = list(map(_GRAM, letters_only))
    letter_columns = _columns(_LETTER_ROWS, letter_grams, languages, _letter_cost)
    pair_counts = list(map(float, reading.pairs.values()))  # float by float: faster, same products
    pair_grams = list(reading.pairs)
    pair_columns = _columns(_PAIR_ROWS, pair_grams, languages, pair_log)
    glued = reading.glued
    cap = _ASCII_CAP * evidence
    # The best so far as plain values: a Verdict is made once, for the best language only.
    best_score, best_letters, best_model, best_language = float("-inf"), 0.0, _NO_MODEL, ""
    best_index, best_pairs = len(languages), 0.0
    # The most any language's pairs can add: a language whose letters plus that, plus the
    # glue, fall below the best so far cannot win (its ASCII prior never adds); the same
    # floats in the same order, each term no smaller, so the sums are no smaller either.
    pairs_most = sum(map(operator.mul, pair_counts, map(max, *pair_columns, pair_columns[0])))
    # Each language's letter costs, summed as before; its letters' score falls as its sum
    # rises, so languages are tried from the smallest sum and the rest are skipped once even
    # their most (letters, ``pairs_most``, glue) falls below the best. The winner is the
    # first language (in ``languages``' order) with the highest score, as when every
    # language was tried in order: a tie goes to the earlier one.
    sums = _column_sums(letter_counts, letter_columns)
    for index in sorted(range(len(languages)), key=sums.__getitem__):  # stable: ties in order
        letters = fixed - sums[index] / 10
        if letters + pairs_most + glued < best_score:
            break  # and every language after it: their sums are no smaller
        language = languages[index]
        model = models[language]
        pairs = sum(map(operator.mul, pair_counts, pair_columns[index]))
        letters += pairs
        score = letters + glued
        if model.latin and ascii_fits:
            prior = _ASCII_WEIGHT * (ascii_fits[language] - ascii_best)
            score += max(prior, cap)
        if score > best_score or (best_language and score == best_score and index < best_index):
            best_score, best_letters, best_model, best_language = score, letters, model, language
            best_index, best_pairs = index, pairs
    if not best_language:
        return Verdict(float("-inf"), "", 0.0)
    expected = _expected(best_model, evidence, pairs_total)
    counted, common = _common_count(best_model, best_language, letter_grams, letter_counts)
    pairs_expected = best_model.mean_wide_pair * pairs_total
    best = Verdict(
        best_score,
        best_language,
        best_letters - expected,
        pairs_total,
        best_pairs - pairs_expected,
        counted,
        common,
    )
    if len(languages) < 2 or not best.language:
        return best
    # A letter or pair taken from another of the languages where that explains it better by
    # more than _MIXTURE (sentences in six languages in one file).
    main = languages.index(best.language)
    letter_mix, pair_mix = (
        _LETTER_MIX.setdefault(languages, {}),
        _PAIR_MIX.setdefault(languages, {}),
    )
    letter_terms = _mixed_terms(letter_mix, letter_grams, letter_columns, main, _letter_mixed)
    total = sum(map(operator.mul, letter_counts, letter_terms), fixed)
    pair_terms = _mixed_terms(pair_mix, pair_grams, pair_columns, main, _pair_mixed)
    total = sum(map(operator.mul, pair_counts, pair_terms), total)  # the same sums, in order
    gain = total - (best.shortfall + expected)
    if gain <= 0:
        return best
    mixed_pairs = sum(map(operator.mul, pair_counts, pair_terms)) - pairs_expected
    return Verdict(
        best.score + gain,
        f"{best.language}+",
        best.shortfall + gain,
        pairs_total,
        mixed_pairs,
        best.letters,
        best.common,
    )


def ascii_prior_most(fits: dict[str, float], languages: tuple[str, ...], evidence: int) -> float:
    """The most ``judge``'s ASCII prior adds to a reading of ``evidence`` non-ASCII characters
    judged under ``languages`` with these ``ascii_fits``: its term (the same floats) for the
    language of ``languages`` it costs least, 0 for one not in Latin script. Never positive.

    The term grows with the fit (a weight times the fit less the best, each step rounding up
    or down alike), so the largest is the best-fitting language's."""
    if not fits:
        return 0.0
    latin, other = _by_script(languages)
    most = 0.0 if other else float("-inf")
    if not latin:
        return most
    best = max(fits.values())
    term = max(_ASCII_WEIGHT * (max(map(fits.__getitem__, latin)) - best), _ASCII_CAP * evidence)
    return max(term, most)


@functools.lru_cache(maxsize=1024)
def _by_script(languages: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The Latin-script languages of ``languages``, and whether any other is among them."""
    models = language_models()
    latin = tuple(language for language in languages if models[language].latin)
    return latin, len(latin) < len(languages)


# Per code page's languages, each letter's and letter pair's cost in every one of them, kept
# across readings and files (the same letters and pairs recur); emptied when it grows large.
_ROWS_KEPT = 200_000
_LETTER_ROWS: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {}
_PAIR_ROWS: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {}
# Per code page's languages, each letter's and letter pair's term in ``judge``'s mixture with
# each language as the main one (``_letter_mixed``, ``_pair_mixed``), kept likewise; a code
# page's languages are a handful of tuples (those of ``readings``), each kept once.
_LETTER_MIX: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {}
_PAIR_MIX: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {}


def _letter_mixed(row: tuple[float, ...], main: int) -> float:
    """A letter's mixture term (per occurrence) in ``judge`` with ``main`` the main language:
    its log-probability there, or the likeliest other language's less ``_MIXTURE``' cost
    (``row``: its cost in each language, as ``_columns`` gives them)."""
    other = min(row[:main] + row[main + 1 :])
    return max(-row[main] / 10, -other / 10 + _MIXTURE)


def _pair_mixed(row: tuple[float, ...], main: int) -> float:
    """A letter pair's mixture term in ``judge``, as ``_letter_mixed`` (``row``: its
    log-probability in each language)."""
    return max(row[main], max(row[:main] + row[main + 1 :]) + _MIXTURE)


def _mixed_terms(
    cache: dict[str, tuple[float, ...]],
    grams: list[str],
    columns: list[tuple[float, ...]],
    main: int,
    term: Callable[[tuple[float, ...], int], float],
) -> list[float]:
    """Each gram's ``term`` (``_letter_mixed``, ``_pair_mixed``) with language ``main`` the
    main one, ``columns`` being the grams' ``_columns``: looked up in ``cache`` (those of one
    code page's languages), where a gram keeps its term with each language as the main one,
    worked out on first use from its costs. The same floats as working them out each time."""
    if len(cache) > _ROWS_KEPT:
        cache.clear()
    found = list(map(cache.get, grams))
    if None in found:
        for at, gram in enumerate(grams):
            if found[at] is None:
                row = tuple(column[at] for column in columns)
                found[at] = cache[gram] = tuple(term(row, index) for index in range(len(row)))
    return list(map(operator.itemgetter(main), found))  # pyright: ignore[reportArgumentType]


def _letter_cost(char: str, model: LanguageModel) -> float:
    return model.letters.get(char, _UNSEEN_LETTER)


def _columns(
    rows: dict[tuple[str, ...], dict[str, tuple[float, ...]]],
    grams: list[str],
    languages: tuple[str, ...],
    cost: Callable[[str, LanguageModel], float],
) -> list[tuple[float, ...]]:
    """For each of ``languages``, the cost of each of ``grams`` in order: one column each."""
    if not grams:
        return [() for _ in languages]
    known = rows.get(languages)
    if known is None or len(known) > _ROWS_KEPT:
        known = rows[languages] = {}
    found = list(map(known.get, grams))
    if None in found:
        models = [language_models()[language] for language in languages]
        for at, gram in enumerate(grams):
            if found[at] is None:
                found[at] = known[gram] = tuple(cost(gram, model) for model in models)
    return list(zip(*found, strict=True))  # pyright: ignore[reportArgumentType]


def _column_sums(counts: list[int], columns: list[tuple[float, ...]]) -> list[float]:
    """``sum(map(operator.mul, counts, column))`` of each column (each language's costs of the
    grams), the same values, made in C: no Python-level step per language (a code page has up
    to 21), where a comprehension took one."""
    multiplied = cast(_Products, functools.partial(map, operator.mul, counts))
    return list(map(_SUM, map(multiplied, columns)))


# ``map(operator.mul, counts, column)`` of a column (typeshed types no ``partial`` of ``map``).
_Products = Callable[[tuple[float, ...]], Iterator[float]]


_SUM: Callable[[Iterable[float]], float] = sum


_GRAM = operator.itemgetter(0)  # of a (gram, count) pair
_COUNT = operator.itemgetter(1)


def _split(chars: dict[str, int]) -> tuple[float, list[tuple[str, int]]]:
    """The fixed cost of the non-letters, and the letters left for each model to score."""
    fixed = 0.0
    letters: list[tuple[str, int]] = []
    for char, n in chars.items():
        cost = _FIXED_COSTS.get(char)
        if cost is None:
            if len(_FIXED_COSTS) > _ROWS_KEPT:
                _FIXED_COSTS.clear()
            cost = _FIXED_COSTS[char] = _LETTER if _is_letter(char) else char_log(char, _NO_MODEL)
        if cost is _LETTER:
            letters.append((char, n))
        else:
            fixed += n * cost
    return fixed, letters


# Each character's fixed cost (``char_log`` of a non-letter), or ``_LETTER``, kept across
# readings and files: the same few hundred characters recur, and each costs a category lookup.
_LETTER = float("nan")
_FIXED_COSTS: dict[str, float] = {}


def first_round_score(chars: dict[str, int], languages: tuple[str, ...]) -> float:
    """The letters-only score (the cheap first round): the best language, each letter taken
    from another of ``languages`` where that is better by more than ``_MIXTURE`` costs."""
    fixed, letters = _split(chars)
    if not letters:
        return fixed
    counts = list(map(_COUNT, letters))
    columns = _columns(_LETTER_ROWS, list(map(_GRAM, letters)), languages, _letter_cost)
    sums = _column_sums(counts, columns)
    main = columns[sums.index(min(sums))]
    cheapest = map(min, *columns, columns[0])
    # The mixture's terms at C speed: the same floats in the same order.
    others = map(operator.sub, cheapest, itertools.repeat(10 * _MIXTURE))
    mixed = sum(map(operator.mul, counts, map(min, main, others)))
    return fixed - mixed / 10


# A letter table's fields: a letter count, then each language's letter costs (see ``LetterTable``).
_FIELD_BITS = 32
_FIELD_MASK = (1 << _FIELD_BITS) - 1


@dataclass(frozen=True)
class LetterTable:
    """``first_round_score`` of a single-byte codec's readings as per-byte columns, so that a
    reading is scored on its byte counts by a few C-level sums (``first_round_by_table``)
    instead of a dictionary of characters and a sum per language.

    Per byte: ``fixed``, its character's cost when that is no letter (0.0 for letters, and for
    bytes the first round does not count); ``packed``, for a letter, 1 plus its cost in each
    language shifted into its own ``_FIELD_BITS`` field (one sum over the bytes adds up every
    language's letter cost at once); ``mixed[main]``, the letter's cost with the main language
    ``main`` when another language may supply it (``_MIXTURE``). ``most_bytes``: the longest
    sample whose sums cannot overflow a field; ``sums``, what reads the language fields of
    such a sum (``_language_fields``).

    The scores are the same floats as ``first_round_score``'s, not just close: letter costs are
    integers and the fixed costs multiples of one half (``letter_table`` checks both), so every
    sum is exact in any order, and a character read from two bytes costs the same either way.
    """

    fixed: tuple[float, ...]
    packed: tuple[int, ...]
    mixed: tuple[tuple[float, ...], ...]
    sums: struct.Struct
    most_bytes: int


def letter_table(chars: tuple[str, ...], languages: tuple[str, ...]) -> LetterTable | None:
    """The ``LetterTable`` of a codec whose byte ``value`` the first round counts as
    ``chars[value]`` ("" for bytes it does not count); None when a cost is not exact (then
    ``first_round_score`` scores its readings)."""
    entries = _letter_entries(languages)
    found = [entries[char] for char in chars]
    exact = [entry for entry in found if entry is not None]
    if len(exact) < len(found):
        return None
    highest = max((entry[3] for entry in exact), default=0)
    return LetterTable(
        tuple(entry[0] for entry in exact),
        tuple(entry[1] for entry in exact),
        tuple(zip(*(entry[2] for entry in exact), strict=True)),
        _language_fields(len(languages)),
        _FIELD_MASK // max(highest, 1),
    )


@functools.cache
def _language_fields(languages: int) -> struct.Struct:
    """What reads a packed letter sum's language fields (little-endian bytes of the sum: the
    letter count's field skipped, then one unsigned ``_FIELD_BITS`` field per language), each
    the same integer as ``(packed >> shift) & _FIELD_MASK``: a field never overflows
    (``LetterTable.most_bytes``), so the sum fits in these fields' bytes."""
    width = _FIELD_BITS // 8
    return struct.Struct(f"<{width}x{languages}I")


# A character's share of a ``LetterTable``: its fixed cost, its packed letter costs, its
# ``mixed`` cost with each language as the main one, and its highest letter cost (0 for no
# letter); None when a cost is not exact.
_LetterEntry = tuple[float, int, tuple[float, ...], int] | None


class _LetterEntries(dict[str, _LetterEntry]):
    """Each character's ``_LetterEntry`` under some languages, worked out on first use: code
    pages with the same languages share most of their characters."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        super().__init__()
        self.languages = languages

    def __missing__(self, char: str) -> _LetterEntry:
        entry = self[char] = _letter_entry(char, self.languages)
        return entry


@functools.lru_cache(maxsize=1024)
def _letter_entries(languages: tuple[str, ...]) -> _LetterEntries:
    """The one ``_LetterEntries`` of these languages."""
    return _LetterEntries(languages)


def _letter_entry(char: str, languages: tuple[str, ...]) -> _LetterEntry:
    """``char``'s share of a ``LetterTable`` under ``languages`` ("": a byte not counted)."""
    cost = None if not char or _is_letter(char) else char_log(char, _NO_MODEL)
    if cost is not None and (2 * cost) % 1:
        return None
    if not char or cost is not None:  # no letter: a fixed cost (or none), no letter costs
        return (0.0 if cost is None else cost, 0, (0.0,) * len(languages), 0)
    models = [language_models()[language] for language in languages]
    raw = [_letter_cost(char, model) for model in models]
    row = tuple(x for x in raw if isinstance(x, int) and x >= 0)
    if len(row) < len(raw):
        return None
    packed = 1 + sum(x << (_FIELD_BITS * (i + 1)) for i, x in enumerate(row))
    other = min(row) - 10 * _MIXTURE
    return (0.0, packed, tuple(min(own, other) for own in row), max(row))


def first_round_by_table(table: LetterTable, values: list[int], counts: list[int]) -> float:
    """``first_round_score`` of the characters the bytes ``values`` (each ``counts`` times,
    at most ``table.most_bytes`` in all) read as, by ``table``: the same float."""
    fixed = sum(map(operator.mul, counts, map(table.fixed.__getitem__, values)), 0.0)
    packed = sum(map(operator.mul, counts, map(table.packed.__getitem__, values)))
    if not packed & _FIELD_MASK:
        return fixed
    # Each language's letter costs, read from the sum's bytes in one C call (a shift and a
    # mask per language made two integers of hundreds of bits each: half this function's time).
    sums = table.sums.unpack(packed.to_bytes(table.sums.size, "little"))
    main = table.mixed[sums.index(min(sums))]
    return fixed - sum(map(operator.mul, counts, map(main.__getitem__, values))) / 10


def ascii_fits(reading: Profile) -> dict[str, float]:
    """How well each Latin-script language reads the ASCII letters (``ascii_fit`` for each).

    Each gram's terms in every language are one row (``_ascii_rows``): the rows of the
    reading's grams, transposed at C speed, give each language's terms in the grams' order,
    summed in that order (the same floats as summing gram by gram)."""
    grams = [*reading.ascii_letters, *reading.ascii_pairs]
    languages, rows = _ascii_rows()
    if not grams:
        return dict.fromkeys(languages, 0)
    # As floats: a float times a float is one C call, an int times a float first asks the
    # int (NotImplemented); the products are the same floats (each count is exact as one).
    counts = list(map(float, [*reading.ascii_letters.values(), *reading.ascii_pairs.values()]))
    columns = zip(*map(rows.__getitem__, grams), strict=True)
    sums = [sum(map(operator.mul, counts, column)) for column in columns]
    return dict(zip(languages, sums, strict=True))


@functools.cache
def _ascii_rows() -> tuple[tuple[str, ...], dict[str, tuple[float, ...]]]:
    """The Latin-script languages, and each ASCII letter's and letter pair's ``_ascii_terms``
    term in each of them, in that order."""
    terms = _ascii_terms()
    languages = tuple(terms)
    grams = terms[languages[0]] if languages else {}
    return languages, {
        gram: tuple(terms[language][gram] for language in languages) for gram in grams
    }


@functools.cache
def _ascii_terms() -> dict[str, dict[str, float]]:
    """Each Latin-script language's ``ascii_fit`` term of every ASCII letter and letter pair."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    terms: dict[str, dict[str, float]] = {}
    for language, model in language_models().items():
        if not model.latin:
            continue
        table = {c: model.mean_letter - model.letters.get(c, _UNSEEN_LETTER) / 10 for c in letters}
        for first in letters:
            for second in letters:
                pair = first + second
                table[pair] = model.mean_pair - model.pairs.get(pair, _UNSEEN_PAIR) / 10
        terms[language] = table
    return terms
