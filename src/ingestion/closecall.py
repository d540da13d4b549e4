"""Settle a close call between readings that differ only in which letter a few bytes are.

Letters and letter pairs (``plausibility``) cannot tell Estonian "lähevad" from "lõhevad", nor
Esperanto "ĉiuj" (ISO-8859-3) from Bosnian "ćiuj" (cp1250) in a sentence of ASCII words: the
readings score within the margin and the file is refused. Word statistics can: each reading's
words are scored letter by letter under a trigram chain (P(letter | two before) where the
trigram holds a non-ASCII letter, P(letter | one before) elsewhere) in the language of its code
page that explains them best, so the ASCII words weigh the language too, in full. The best
reading is kept only when it also wins this way, by ``CONFIRM`` nats over every close rival;
otherwise the refusal stands. It never picks a reading the letters did not already put first.

A non-ASCII character that is no letter costs what the letter scores charge for it (a
reading with a symbol or a no-break space where another has a letter, "Kiedy÷" for "Kiedyś",
has that letter fewer to pay for). Only single-byte code pages whose bytes each read as one
character take part, on text with at least ``MIN_LETTERS`` letters. Fitted on the
development parts of Universal Dependencies treebanks (``benchmarks/public_texts.py``) and
the development part of the short-text sweep, to no wrong reading; checked on the treebanks'
test parts and the sweep's held-out part. The
trigram table (``data/char_trigrams.json``, from lingua's models by
``scripts/derive_char_ngrams.py --trigrams``, and for Maltese, North Sami and Faroese from the
text their letters were counted from, by ``--text-trigrams``) is loaded on the first close call
only.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from pathlib import Path

from ingestion.plausibility import LanguageModel, char_log, language_models

# How far (in nats) the best reading's words must score above each close rival's.
CONFIRM = 3.0
MIN_LETTERS = 20
# A trigram with a non-ASCII letter that the table lacks: its pair's cost and this much more.
_UNSEEN_TRIGRAM = -2.0
# A letter the language never uses (Estonian "døunglites" for "džunglites"), first in a word or
# after another: what an unseen letter costs, more than an unseen pair of the language's own
# letters ("žu"), so a foreign letter weighs against its reading in words as in letters.
_UNSEEN_LETTER = -14.0
_UNSEEN_PAIR = -10.0
_WORDS = re.compile(r"[^\W\d_]+")
# A one-letter word with the letters before and after it (``_lone_capital``).
_LONE_LETTER = re.compile(r"(?<=([^\W\d_]) )([^\W\d_])(?= ([^\W\d_]))")
_COMMA_BELOW = str.maketrans("şţ", "șț")  # Romanian's two spellings cost the same
# What a non-letter costs does not depend on the language (``char_log``).
_ANY_LANGUAGE = LanguageModel({}, {}, 0.0, 0.0, 0.0, 0.0, latin=False)


@functools.cache
def trigrams() -> dict[str, dict[str, int]]:
    """The shipped trigram table (``-ln P(third | first two) * 10``), loaded on first use."""
    import json  # noqa: PLC0415 - only a close call pays for it

    source = Path(__file__).parent / "data" / "char_trigrams.json"
    payload: dict[str, dict[str, dict[str, int]]] = json.loads(source.read_text("utf-8"))
    return payload["languages"]


def words(text: str) -> Counter[str]:
    """The text's words, lowercased (Turkish dotted capital I as i), with their counts."""
    return Counter(_WORDS.findall(text.lower().replace("i\u0307", "i")))


# Readings of one file share most words, and files share common ones: each word's score in a
# language is kept (the languages of two Western code pages are 21).
@functools.lru_cache(maxsize=1 << 16)
def word_score(word: str, language: str) -> float:
    """Log-probability of a word's letters in ``language``, by the chain of trigrams (where
    the trigram holds a non-ASCII letter and the language has trigrams) and pairs; an unseen
    pair costs ``_UNSEEN_PAIR``, or ``_UNSEEN_LETTER`` when its second letter is foreign to the
    language."""
    model = language_models()[language]
    table = trigrams().get(language)
    if language == "ro":
        word = word.translate(_COMMA_BELOW)
    score = -model.letters[word[0]] / 10 if word[0] in model.letters else _UNSEEN_LETTER
    for end in range(2, len(word) + 1):
        pair = word[end - 2 : end]
        cost = model.pairs.get(pair)
        if cost is not None:
            pair_log = -cost / 10
        elif pair[1] in model.letters:
            pair_log = _UNSEEN_PAIR
        else:
            pair_log = _UNSEEN_LETTER
        if table is None or end < 3 or word[end - 3 : end].isascii():
            score += pair_log
            continue
        known = table.get(word[end - 3 : end])
        score += pair_log + _UNSEEN_TRIGRAM if known is None else -known / 10
    return score


def text_score(text: str, languages: tuple[str, ...]) -> float:
    """The text's words under the one of ``languages`` that explains them best, and its
    non-ASCII characters that are no letters at what ``plausibility`` charges for them (a
    reading with a symbol where another has a letter has fewer letters to pay for). A non-ASCII
    capital right after a small letter (mac-roman "sztukÍ" for cp1250 "sztukę": mojibake's
    mark, which the letter scores charge too), inside a word before a small one ("GÜtter"), or
    alone between small words ("повезло Ц тот") costs an unseen letter: the words are
    lowercased, so they alone would take "sztukí" for a word."""
    counted = words(text)
    capitals = _UNSEEN_LETTER * (
        sum(_misplaced(text.split(capital)) for capital in _capitals(text))
        + sum(1 for match in _LONE_LETTER.finditer(text) if _lone_capital(match))
    )
    symbols = capitals + sum(
        char_log(char, _ANY_LANGUAGE) for char in text if char > "\x7f" and not char.isalpha()
    )
    return symbols + max(
        sum(n * word_score(word, language) for word, n in counted.items()) for language in languages
    )


def _capitals(text: str) -> set[str]:
    return {char for char in text if char > "\x7f" and char.isupper()}


def _misplaced(pieces: list[str]) -> int:
    """How many times the capital that split the text into ``pieces`` stands right after a
    small letter (``sztukÍ``), or after a capital and before a small letter (cp850 "GÜtter"
    for mac-roman "Götter"): a capital inside a word in small letters."""
    found = 0
    for before, after in itertools.pairwise(pieces):
        if before and (before[-1].islower() or (before[-1].isupper() and after[:1].islower())):
            found += 1
    return found


def _lone_capital(match: re.Match[str]) -> bool:
    """A one-letter word that is a non-ASCII capital between words in small letters (mac-
    cyrillic "повезло Ц тот" for cp1251's en dash, "повезло \u2013 тот"): a dash or symbol
    read as a letter."""
    before, letter, after = match.groups()
    return letter > "\x7f" and letter.isupper() and before.islower() and after.islower()


def enough_letters(sample: bytes, encoding: str) -> bool:
    """Whether ``sample`` read in ``encoding`` has the ``MIN_LETTERS`` letters a close call
    needs: without them ``confirmed`` is False whatever the readings' languages, so a caller
    gathers those only after this (a tiny file's close call costs one decode, not one per code
    page)."""
    try:
        text = sample.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return _enough(text)


def _enough(text: str) -> bool:
    return sum(map(str.isalpha, text)) >= MIN_LETTERS


def confirmed(readings: list[tuple[str, tuple[str, ...]]], sample: bytes) -> bool:
    """Whether the first of ``readings`` (single-byte codec, its languages), the best by
    letters, wins by words over every other by ``CONFIRM`` nats on ``sample``, a text of at
    least ``MIN_LETTERS`` letters."""
    texts: list[str] = []
    for encoding, _ in readings:
        try:
            texts.append(sample.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            return False
    if not _enough(texts[0]):
        return False
    if any(_glued_for_a_letter(texts[0], text) for text in texts[1:]):
        return False
    scores = [
        text_score(text, languages) for text, (_, languages) in zip(texts, readings, strict=True)
    ]
    return all(scores[0] - score >= CONFIRM for score in scores[1:])


def _glued_for_a_letter(best: str, rival: str) -> bool:
    """Whether ``best`` has a non-letter glued to a letter where ``rival`` reads a letter
    (mojibake's mark: cp1252 "Kosteli\u201e" for "Kosteli\u0107"); the words cannot weigh that
    fairly (the word loses a letter), so the letters' verdict stands. One character per byte:
    the texts align."""
    for at, (mine, theirs) in enumerate(zip(best, rival, strict=True)):
        if mine == theirs or mine.isalpha() or not theirs.isalpha():
            continue
        if best[max(0, at - 1) : at].isalpha() or best[at + 1 : at + 2].isalpha():
            return True
    return False
