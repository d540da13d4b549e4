"""UTF-7 (RFC 2152) told apart from ASCII text that merely holds a ``+``.

UTF-7 is seven-bit: every UTF-7 file is also ASCII (and UTF-8), and ASCII text is full of
``+`` ("C++", "a+b-c", "+1-555", base64, diffs). A file is read as UTF-7 only when each
``+`` is real UTF-7 and the characters its shifts decode to are text:

* every ``+`` is a literal plus (``+-``) or starts a shift of base64 characters that decodes
  strictly: whole UTF-16 units, zero padding bits, surrogates in pairs (``shifts``); a
  ``+`` before any other character, or at the end, is no UTF-7 (an encoder writes ``+-``);
* no shift decodes to a character an encoder writes as itself (letters, digits, space,
  line ends: RFC 2152's set D) or to a control, private-use, unassigned or lone surrogate
  code point;
* no shift decodes to a symbol (not punctuation) between two letters, as random code points
  often do and text does not;
* the letters of the words the shifts fall in are usual in a language the models know
  (``Evidence``): each word is judged under the one language that finds most of its
  non-ASCII letters common (``plausibility.common_letters``), a Latin-script one when the
  word also holds ASCII letters; at least half of them must be usual (text in any script:
  a file that mixes Greek, Hebrew and Korean words is one valid text). Base64 or a C
  identifier after a ``+`` that happens to decode strictly reads as random BMP code points
  (rare ideographs, Hangul, Yi, private use), of which about one in twenty is a usual
  letter: 0 of 24 such files among 8,500 ASCII files with a ``+`` on a Linux install.

``_MIN_USUAL`` usual letters make the file UTF-7. Fewer (one accented letter, a short quoted
example of UTF-7 in an ASCII note) are a weak case that is refused (``AmbiguousEncodingError``
naming UTF-8 and UTF-7): both readings are then plausible text and either could be the wrong
one, and the ASCII files this refuses are rare (one usual letter by chance, about 1 in 20 of
the few ASCII files whose every ``+`` decodes strictly). A file whose shifts decode to no
usual letter at all stays ASCII: its UTF-7 reading is no text. A UTF-7 byte order mark
(``+/v8`` and kin: U+FEFF as the first character) settles it as UTF-7 on its own.

Decoded ASCII punctuation (``+AFw-`` for a backslash, which UTF-7 must encode; ``+ACE-`` for
"!", which Windows encodes) is allowed but is never evidence: markup hidden in shifts
(``+ADw-script+AD4-``) cannot make a file UTF-7 by itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ingestion.plausibility import common_letters, language_models

# '+' and the base64 characters after it, with the optional '-' that ends the shift; not "+-",
# a literal plus, which the search passes over at C speed ("5 +- 2" in a large log).
_SHIFT = re.compile(rb"\+(?!-)([A-Za-z0-9+/]*)")
# RFC 2152's set D, space and line ends: an encoder writes them as themselves, never shifted.
_DIRECT = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'(),-./:? \t\r\n"
)
_NO_TEXT = frozenset({"Cc", "Cn", "Co", "Cs"})
# Base64 characters (mod 8) that leave fewer than 6 bits after the last whole 16-bit unit.
_WHOLE_UNITS = frozenset({0, 3, 6})
_BOM = "\ufeff"
# Symbols that are not punctuation: no text puts one between two letters.
_SYMBOLS = frozenset({"So", "Sm", "Sc", "Sk", "No"})
# Usual letters that make a file UTF-7 (fewer are refused), and the share of the shifts'
# letters that must be usual for the file to be UTF-7 at all. A real text's words hold
# common letters of their language (the 56 corpus paragraphs of tests/ingestion_corpus.py in
# UTF-7: 92 % or more, Simplified Chinese judged by the Traditional and Japanese models 67 and
# 72 %); random code points about 5 %. Four usual letters from chance need four strict shifts in a
# row whose code points all land on usual letters: about (1/4 * 1/20) ** 4.
_MIN_USUAL = 4
_USUAL_SHARE = 0.5

Verdict = Literal["ascii", "utf-7", "ambiguous"]


@dataclass(frozen=True)
class Evidence:
    """What the shifts of an all-ASCII file decode to, judged as text."""

    text: str  # the file read as UTF-7, a leading BOM dropped
    letters: int  # non-ASCII letters of the distinct words the shifts fall in
    usual: int  # of those, usual in the language that reads their word best
    bom: bool

    @property
    def verdict(self) -> Verdict:
        """UTF-7 with a BOM or enough usual letters; ASCII when the shifts are no text; else
        a refusal between the two."""
        if self.bom:
            return "utf-7"
        if not self.usual or self.usual < _USUAL_SHARE * self.letters:
            return "ascii"
        return "utf-7" if self.usual >= _MIN_USUAL else "ambiguous"


def utf7_evidence(data: bytes) -> Evidence | None:
    """The UTF-7 reading of all-ASCII ``data`` and how much its shifts look like text; None
    when a ``+`` is not strict UTF-7 (``shifts``) or no shift decodes to anything."""
    first = data.find(b"+")
    if first < 0:
        return None
    decoded = shifts(data, first)
    if decoded is None:
        return None
    text, spans = decoded
    if not spans:
        return None
    if _symbol_inside_word(text, spans):
        return None
    bom = text.startswith(_BOM)
    words = _shifted_words(text, spans)
    letters = usual = 0
    for word in words:
        word_letters, word_usual = _usual_letters(word)
        letters += word_letters
        usual += word_usual
    return Evidence(text[1:] if bom else text, letters, usual, bom)


def shifts(data: bytes, first: int = 0) -> tuple[str, list[tuple[int, int]]] | None:
    """``data`` (ASCII) read as strict UTF-7 and where each shift's characters are in that
    text; None at the first ``+`` that is not UTF-7 or shift that decodes to characters no
    encoder shifts (``_DIRECT``, controls, private use, unassigned, lone surrogates).
    ``first``: where the first ``+`` is, when the caller has found it (memchr, faster than
    the regex's search).

    The shifts are checked before any text is made: most ASCII files with a ``+`` fail on
    the first one, and pay for finding it and little more."""
    found: list[tuple[int, int, str]] = []
    for match in _SHIFT.finditer(data, first):
        chars = _decoded(match.group(1))
        if chars is None:
            return None
        end = match.end()
        found.append((match.start(), end + data.startswith(b"-", end), chars))  # '-' ends it
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = done = 0
    for start, end, chars in found:
        plain = data[done:start].decode("ascii").replace("+-", "+")
        pieces += (plain, chars)
        spans.append((length + len(plain), length + len(plain) + len(chars)))
        length += len(plain) + len(chars)
        done = end
    pieces.append(data[done:].decode("ascii").replace("+-", "+"))
    return "".join(pieces), spans


def first_bad_shift(data: bytes) -> int | None:
    """Offset of the first ``+`` of ASCII ``data`` that strict UTF-7 does not read (as
    ``shifts``: decoding to a direct character is allowed here, a lone surrogate not), for a
    read under an explicit ``utf-7``: Python's codec passes lone surrogates and a final
    ``+``."""
    for match in _SHIFT.finditer(data):
        chars = _python_decoded(match.group(1))
        if chars is None or any("\ud800" <= char <= "\udfff" for char in chars):
            return match.start()
    return None


def _python_decoded(run: bytes) -> str | None:
    """A shift's base64 characters as Python's codec decodes them; None when there are none
    or the codec rejects them."""
    if not run:
        return None
    try:
        return (b"+" + run + b"-").decode("utf-7")
    except UnicodeDecodeError:
        return None


def _decoded(run: bytes) -> str | None:
    """One shift's base64 characters decoded (Python's codec checks the units and padding),
    or None when they are not UTF-7 text: none ('+' before a character that is not base64 or
    '-', or at the end), or a count that leaves part of a 16-bit unit (6 bits a character:
    only 0, 3 or 6 more than a multiple of 8 do not), found without raising an error."""
    if len(run) % 8 not in _WHOLE_UNITS:
        return None
    chars = _python_decoded(run)
    if chars is None:
        return None
    for char in chars:
        if char in _DIRECT or unicodedata.category(char) in _NO_TEXT:
            return None  # a lone surrogate is category Cs; a pair decodes to one character
    return chars


def _symbol_inside_word(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a shift decodes to a symbol (``_SYMBOLS``) with a letter on each side, which
    no text has (``readings``' symbols inside words) and random code points often do."""
    for start, end in spans:
        for at in range(max(start, 1), min(end, len(text) - 1)):
            if (
                unicodedata.category(text[at]) in _SYMBOLS
                and text[at - 1].isalpha()
                and text[at + 1].isalpha()
            ):
                return True
    return False


def _in_word(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char).startswith("M")


def _shifted_words(text: str, spans: list[tuple[int, int]]) -> set[str]:
    """The distinct words (letters and marks) that hold a shifted character, NFC-lowered:
    a word is evidence once however often it recurs."""
    words: set[str] = set()
    for shift_start, shift_end in spans:
        start, end = shift_start, shift_end
        while start > 0 and _in_word(text[start - 1]):
            start -= 1
        while end < len(text) and _in_word(text[end]):
            end += 1
        word: list[str] = []
        for char in text[start:end] + " ":
            if _in_word(char):
                word.append(char)
            elif word:
                words.add(unicodedata.normalize("NFC", "".join(word)).lower())
                word = []
    return words


def _usual_letters(word: str) -> tuple[int, int]:
    """A word's non-ASCII letters and how many of them the language that finds most of them
    common does (a Latin-script language when the word holds ASCII letters too)."""
    letters = [char for char in word if not char.isascii() and char.isalpha()]
    if not letters:
        return 0, 0
    languages = _latin_languages() if any(char.isascii() for char in word) else _languages()
    usual = max(sum(char in common_letters(language) for char in letters) for language in languages)
    return len(letters), usual


@functools.cache
def _languages() -> tuple[str, ...]:
    return tuple(language_models())


@functools.cache
def _latin_languages() -> tuple[str, ...]:
    return tuple(name for name, model in language_models().items() if model.latin)
