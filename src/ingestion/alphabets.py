"""Choose among look-alike single-byte codecs by which languages' letters the text would contain.

Statistical detectors confuse codecs that differ in a handful of byte values (cp1252 vs cp1250
turns French ``è`` into ``č``). Those differences land on letters that belong to different
languages, so we decode with each look-alike and count non-ASCII characters that no single
language of that codec would write, plus symbols wedged inside words (``ma³y``, ``c½ur``).
The codec with the fewest such characters wins; ties go to the most common codec.
"""

from __future__ import annotations

import collections
import functools
import re
import unicodedata
from dataclasses import dataclass

_WESTERN = {
    "fr": "àâæçéèêëîïôœùûüÿ",
    "de": "äöüß",
    "es": "áéíóúñü",
    "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóùú",
    "nl": "áéèëïóöüú",
    "da": "æøåé",
    "sv": "åäöé",
    "fi": "äöåšž",
    "is": "áðéíóúýþæö",
    "ca": "àçéèíïòóúü",
    "et": "äõöüšž",
    "sq": "çë",
}
_WIDELY_QUOTED = frozenset({"fr", "de", "es", "it", "nl"})
_CENTRAL = {
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
    "hr": "čćđšž",
    "ro": "ăâîşţ",
    "de": "äöüß",
}
_TURKISH = {"tr": "çğıöşüâîû"}
_BALTIC = {"lt": "ąčęėįšųūž", "lv": "āčēģīķļņšūž", "et": "äõöüšž"}
_VIETNAMESE = {
    "vi": "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "\u0300\u0301\u0303\u0309\u0323"
}
_ROMANIAN_COMMA = {"ro": "ăâîșț"}
_RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_CYRILLIC = {
    "ru": _RUSSIAN,
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш",
    "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
    "kk": _RUSSIAN + "әғқңөұүһі",
}

# Most common first: the order breaks ties.
LATIN_CANDIDATES: tuple[tuple[str, dict[str, str]], ...] = (
    ("cp1252", _WESTERN),
    ("iso8859-15", _WESTERN),
    ("cp1250", _CENTRAL),
    ("iso8859-2", _CENTRAL),
    ("cp1254", _TURKISH),
    ("iso8859-9", _TURKISH),
    ("cp1257", _BALTIC),
    ("iso8859-13", _BALTIC),
    ("iso8859-4", _BALTIC),
    ("cp1258", _VIETNAMESE),
    ("iso8859-16", _ROMANIAN_COMMA),
)
CYRILLIC_CANDIDATES: tuple[tuple[str, dict[str, str]], ...] = (
    ("cp1251", _CYRILLIC),
    ("kz1048", _CYRILLIC),
    ("ptcp154", _CYRILLIC),
)
# Single-byte Cyrillic codecs that shuffle the same letters (tried when a CJK pick reads as
# half-width katakana, which is what KOI8-R looks like to a Shift_JIS detector).
CYRILLIC_8BIT: tuple[tuple[str, dict[str, str]], ...] = (
    ("koi8-r", _CYRILLIC),
    ("cp1251", _CYRILLIC),
    ("iso8859-5", _CYRILLIC),
    ("cp866", _CYRILLIC),
    ("mac-cyrillic", _CYRILLIC),
)

# Every language above, for judging a codec that has no table of its own.
ALL_LANGUAGES: dict[str, str] = {
    f"{codec}:{language}": letters
    for codec, languages in (*LATIN_CANDIDATES, *CYRILLIC_CANDIDATES)
    for language, letters in languages.items()
}

_ASCII_BYTES = bytes(range(0x80))
_C1_OR_UNDEFINED = re.compile(r"[\x80-\x9f]")
_WORD_PUNCTUATION = frozenset("’‘´·‐‑–—")  # noqa: RUF001 - these apostrophes are the point


@dataclass(frozen=True)
class AlphabetScore:
    """How well one codec's reading of the sample fits one of its languages."""

    encoding: str
    language: str
    foreign: int  # non-ASCII characters that language would not write
    total: int  # non-ASCII characters in the reading

    @property
    def foreign_share(self) -> float:
        return self.foreign / self.total if self.total else 0.0


def _with_capitals(letters: str) -> frozenset[str]:
    capitals = (letter.upper() for letter in letters)
    return frozenset(letters).union(c for c in capitals if len(c) == 1) | {"İ"}


_ALPHABET_CACHE: dict[str, frozenset[str]] = {}


def _alphabet(letters: str) -> frozenset[str]:
    cached = _ALPHABET_CACHE.get(letters)
    if cached is None:
        cached = _ALPHABET_CACHE[letters] = _with_capitals(letters)
    return cached


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


@dataclass(frozen=True)
class _CodecTable:
    """What each byte means in one single-byte codec, as regexes over the raw sample.

    Every candidate codec maps one byte to one character, so positions in the bytes are
    positions in the text: the per-character checks become three C-level regex scans.
    """

    chars: tuple[str | None, ...]  # None: undefined or a C1 control
    invalid: re.Pattern[bytes]
    capital_after_small: re.Pattern[bytes]
    wedged_symbol: re.Pattern[bytes]


def _byte_class(values: list[int]) -> bytes:
    return (
        b"[" + b"".join(re.escape(bytes([value])) for value in values) + b"]" if values else b"(?!)"
    )


@functools.cache
def _table(encoding: str) -> _CodecTable:
    chars: list[str | None] = []
    for value in range(256):
        try:
            char = bytes([value]).decode(encoding)
        except UnicodeDecodeError:
            char = None
        if char is not None and (len(char) != 1 or _C1_OR_UNDEFINED.match(char)):
            char = None
        chars.append(char)
    defined = [(value, char) for value, char in enumerate(chars) if char is not None]
    high = [(value, char) for value, char in defined if value >= 0x80]
    small = _byte_class([value for value, char in defined if char.islower()])
    capitals = _byte_class([v for v, c in high if _is_letter(c) and c.isupper()])
    letters = _byte_class([value for value, char in defined if _is_letter(char)])
    symbols = _byte_class([v for v, c in high if not _is_letter(c) and c not in _WORD_PUNCTUATION])
    return _CodecTable(
        chars=tuple(chars),
        invalid=re.compile(_byte_class([v for v, c in enumerate(chars) if c is None])),
        # The rare high byte comes first so the regex engine skips to it; the lookbehind then
        # checks the byte before it (each match consumes one byte, so none are missed).
        capital_after_small=re.compile(
            capitals + b"(?<=" + small + capitals + b")(?=.)", re.DOTALL
        ),
        wedged_symbol=re.compile(symbols + b"(?<=" + letters + symbols + b")(?=" + letters + b")"),
    )


def high_byte_counts(sample: bytes) -> dict[int, int]:
    """How often each byte >= 0x80 occurs: the same for every codec, so counted once."""
    return dict(collections.Counter(sample.translate(None, _ASCII_BYTES)))


def score_codec(
    sample: bytes,
    encoding: str,
    languages: dict[str, str],
    counts: dict[int, int] | None = None,
) -> AlphabetScore | None:
    """The best-fitting language for this codec's reading, or None when it cannot be text.

    Wrong-codec marks are non-ASCII capitals right after small letters (``maŁy``) and
    non-letters wedged between letters (``ma³y``, ``c½ur``).
    """
    table = _table(encoding)
    if table.invalid.search(sample):
        return None
    if counts is None:
        counts = high_byte_counts(sample)
    total = sum(counts.values())
    letters: dict[str, int] = {}
    for value, n in counts.items():
        char = table.chars[value]
        if char is not None and _is_letter(char):
            letters[char] = letters.get(char, 0) + n
    wedged = len(table.capital_after_small.findall(sample)) + len(
        table.wedged_symbol.findall(sample)
    )
    best: AlphabetScore | None = None
    for language, known in _language_pairs(languages):
        foreign = wedged + sum(n for char, n in letters.items() if char not in known)
        if best is None or foreign < best.foreign:
            best = AlphabetScore(encoding, language, foreign, total)
    return best


def _language_pairs(languages: dict[str, str]) -> list[tuple[str, frozenset[str]]]:
    """Each language alone, and pairs of widely quoted ones (French and German in one file).

    Pairs stay within a few major languages: any pair at all would let Icelandic plus French
    explain Turkish read as cp1252.
    """
    names = list(languages)
    pairs = [(name, _alphabet(languages[name])) for name in names]
    major = [name for name in names if name in _WIDELY_QUOTED]
    pairs += [
        (f"{first}+{second}", _alphabet(languages[first]) | _alphabet(languages[second]))
        for index, first in enumerate(major)
        for second in major[index + 1 :]
    ]
    return pairs


def best_fit(
    sample: bytes, candidates: tuple[tuple[str, dict[str, str]], ...]
) -> AlphabetScore | None:
    """The candidate codec whose reading has the fewest foreign characters (earliest on ties).

    A reading with none cannot be beaten, only tied by later candidates, which lose ties:
    the search stops there (for ordinary Western text, after the first codec).
    """
    counts = high_byte_counts(sample)
    best: AlphabetScore | None = None
    for codec, languages in candidates:
        score = score_codec(sample, codec, languages, counts)
        if score is not None and (best is None or score.foreign < best.foreign):
            best = score
            if not best.foreign:
                break
    return best
