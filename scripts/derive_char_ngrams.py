"""Derive ``src/ingestion/data/char_ngrams.json`` from lingua's language models (Apache-2.0).

Usage: python scripts/derive_char_ngrams.py LINGUA_MODELS_DIR
   or: python scripts/derive_char_ngrams.py --text LANGUAGE=FILE [LANGUAGE=FILE ...]
   or: python scripts/derive_char_ngrams.py --trigrams LINGUA_MODELS_DIR
   or: python scripts/derive_char_ngrams.py --text-trigrams LANGUAGE=FILE [LANGUAGE=FILE ...]
where LINGUA_MODELS_DIR is ``lingua/language-models`` unpacked from the pure-Python wheel
``lingua-language-detector==1.3.5`` (``pip download --no-deps``); reading its brotli-packed
files needs the ``brotli`` package. Run offline, once; the output is committed with
``src/ingestion/data/NOTICE``. Only unigram and bigram relative frequencies are kept, rounded
to tenths of a nat, and only for the languages whose legacy code pages the detector knows.

Languages lingua has no model for (Maltese, North Sami, Faroese, Breton: served by ISO-8859-3,
ISO-8859-10/-4 and the Western pages) come from plain text instead: ``--text`` counts the
letters and in-word letter pairs of a UTF-8 file the same way (unigram frequencies, pair
frequencies given the first letter) and merges those languages into the existing table,
leaving the others as they are.
The text used for the shipped table was the training and development parts of the Universal
Dependencies treebanks UD_Maltese-MUDT, UD_North_Sami-Giella and UD_Faroese-FarPaHC (CC BY-SA
4.0 / CC BY 4.0; only rounded letter statistics are kept, no text); their test parts were not
used, so they stay fit for held-out checks. UD_Breton-KEB (CC BY-SA 4.0) has a test part only:
its first 708 sentences (``# text =`` lines, in file order) were counted, its last 176 kept
apart for held-out checks.

``--trigrams`` writes ``src/ingestion/data/char_trigrams.json`` from the same models: for each
Latin-script language lingua has (not Vietnamese, whose code page composes letters from marks),
the letter trigrams that hold a non-ASCII letter of its alphabet, as P(third | first two),
kept where the trigram's joint frequency is at least ``MIN_TRIGRAM_JOINT``; Romanian's cedilla
letters are folded into comma-below ones (as ``_SPELLED_BOTH_WAYS`` makes them cost the same).
Only ``ingestion.closecall`` reads it, when two readings that differ in a few letters are close.
``--trigrams`` keeps the languages counted from text from the shipped file.
``--text-trigrams`` adds the languages lingua lacks (mt, se, fo, br) the same way from plain text:
the in-word trigrams of the file that hold a non-ASCII letter of the language's alphabet, as
count(trigram) / count(its first two letters followed by a letter), kept where the trigram is
seen ``MIN_TEXT_TRIGRAM_COUNT`` times and its share of the text's trigrams is at least
``MIN_TRIGRAM_JOINT``. The shipped ones come from the same treebank parts as their letters.

The detector scores a candidate reading by how far its letters and letter pairs fall below what
the language's own text scores on average; the averages (``eu``, ``eb``) are computed here
from the full models, before pruning.

A Latin-script language keeps only the non-ASCII letters of its own alphabet (``ALPHABETS``),
and the pairs made of those and ASCII letters. lingua's models were counted from web text that
holds mojibake: Hungarian has ``û`` at 60 % of the frequency of ``ű`` (ISO-8859-2 ``ű`` read as
Latin-1), Croatian ``æ`` for ``ć`` (cp1250 read as cp1252). Kept, those letters made the wrong
code page's reading cost nearly what the right one does. Dropped, a letter foreign to the
language is scored as taken from another language of the code page that writes it (the
detector's mixture cost), or as unseen. Run as ``python scripts/derive_char_ngrams.py
LINGUA_MODELS_DIR``, the script re-derives lingua's languages and keeps the languages counted
from text (mt, se, fo, br) from the shipped table, restricted to their alphabets the same way.
"""

from __future__ import annotations

import json
import math
import operator
import re
import sys
import unicodedata
from collections import Counter
from fractions import Fraction
from pathlib import Path

# The languages served by some legacy code page (see ingestion.candidates).
LANGUAGES = [
    "en",
    "fr",
    "de",
    "es",
    "pt",
    "it",
    "nl",
    "da",
    "sv",
    "nb",
    "fi",
    "is",
    "ca",
    "eu",
    "ga",
    "cy",
    "af",
    "sq",
    "id",
    "ms",
    "et",
    "cs",
    "sk",
    "pl",
    "hu",
    "hr",
    "sl",
    "bs",
    "ro",
    "tr",
    "az",
    "lt",
    "lv",
    "vi",
    "eo",
    "ru",
    "uk",
    "be",
    "bg",
    "sr",
    "mk",
    "kk",
    "el",
    "he",
    "ar",
    "fa",
    "ur",
    "th",
    "ja",
    "zh",
    "ko",
]
# Each Latin-script language's non-ASCII letters (lowercase): the main exemplar sets of Unicode
# CLDR 42 (as ICU 72 gives them: ``icu.LocaleData(language).getExemplarSet(0, ES_STANDARD)``),
# NFC, lowercased; Turkish and Azerbaijani ``İ`` lowercases to ``i`` plus a mark the detector
# drops. Turkish also writes ``â î û`` (``hâlâ``, ``millî``: the Turkish Language Association's
# spelling; CLDR lists them as auxiliary). Romanian also writes ``ş ţ`` with a cedilla where a
# code page lacks the comma-below letters (cp1250, ISO-8859-2: see
# ``ingestion.plausibility._SPELLED_BOTH_WAYS``). English, Indonesian and Malay have none.
# Languages in other scripts are left as counted.
ALPHABETS = {
    "en": "",
    "fr": "àâæçèéêëîïôùûüÿœ",
    "de": "ßäöü",
    "es": "áéíñóúü",
    "pt": "àáâãçéêíòóôõú",
    "it": "àèéìòóù",
    "nl": "áäéëíïóöúü",
    "da": "åæø",
    "sv": "àäåéö",
    "nb": "àåæéòóôø",
    "fi": "äåöšž",
    "is": "áæéíðóöúýþ",
    "ca": "àçèéíïòóúü",
    "eu": "çñ",
    "ga": "áéíóú",
    "af": "áâèéêëîïôöû",
    "sq": "çë",
    "id": "",
    "ms": "",
    "et": "äõöüšž",
    "cs": "áéíóúýčďěňřšťůž",
    "sk": "áäéíóôúýčďĺľňŕšťž",
    "pl": "óąćęłńśźż",
    "hu": "áéíóöúüőű",
    "hr": "ćčđšž",
    "sl": "čšž",
    "bs": "ćčđšž",
    "ro": "âîășțşţ",
    "tr": "çöüğışâîû",
    "az": "çöüğışə",
    "lt": "ąčėęįšūųž",
    "lv": "āčēģīķļņšūž",
    "vi": "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    "eo": "ĉĝĥĵŝŭ",
    "mt": "àèìòùċġħż",
    "se": "áčđŋšŧž",
    "fo": "áæíðóöøúý",  # and ``ö``, the older spelling of ``ø`` (``OLDER_SPELLINGS``)
    "cy": "áàâäéèêëíìîïóòôöúùûüẃẁŵẅýỳŷÿ",
    "br": "êñù",
}
# Faroese printed before the spelling settled on ``ø`` (the Bible translations of
# UD_Faroese-FarPaHC, the shipped Faroese text) write ``ö``; today's Faroese writes ``ø``
# (CLDR's alphabet), so counted only as printed, Faroese had no ``ø`` at all.
OLDER_SPELLINGS = {"fo": str.maketrans("ö", "ø")}
MIN_UNIGRAM = 2e-6
MIN_BIGRAM_JOINT = 2e-6
MIN_TRIGRAM_JOINT = 1e-5
MIN_TEXT_TRIGRAM_COUNT = 2  # a trigram seen once in a small text is as likely a name as a word
OUT = Path(__file__).resolve().parents[1] / "src" / "ingestion" / "data" / "char_ngrams.json"
TRIGRAMS_OUT = OUT.with_name("char_trigrams.json")
_COMMA_BELOW = str.maketrans("şţ", "șț")
_SOURCE = (
    "lingua-language-detector 1.3.5 language models (Apache-2.0); mt, se, fo, br counted from "
    "Universal Dependencies treebank text; see NOTICE"
)


def load(models: Path, language: str, kind: str) -> dict[str, Fraction]:
    path = models / language / f"{kind}.json.br"
    if not path.exists():
        return {}
    import brotli  # noqa: PLC0415  # pyright: ignore[reportMissingImports]  # lingua's files only

    raw: bytes = brotli.decompress(path.read_bytes())  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    ngrams: dict[str, str] = json.loads(raw)["ngrams"]  # pyright: ignore[reportUnknownArgumentType]
    return {
        gram: Fraction(probability)
        for probability, grams in ngrams.items()
        for gram in grams.split(" ")
    }


def quantized(probability: float) -> int:
    return round(-math.log(probability) * 10)


def derive(models: Path, language: str) -> dict[str, object]:
    unigrams = {gram: float(p) for gram, p in load(models, language, "unigrams").items()}
    bigrams = {gram: float(p) for gram, p in load(models, language, "bigrams").items()}
    return derive_from(unigrams, bigrams)


def count_text(path: Path, language: str) -> tuple[dict[str, float], dict[str, float]]:
    """Letter frequencies and P(second | first) of the in-word pairs of a UTF-8 text file."""
    letters: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for word in re.findall(r"[^\W\d_]+", spelled(path, language)):
        letters.update(word)
        pairs.update(map(operator.add, word, word[1:]))
    total = sum(letters.values())
    unigrams = {g: n / total for g, n in letters.items()}
    bigrams = {g: n / letters[g[0]] for g, n in pairs.items()}
    return unigrams, bigrams


def spelled(path: Path, language: str) -> str:
    """A text file's text, NFC and lowercased; where the language's older printings write a
    letter another way (``OLDER_SPELLINGS``), the text a second time in today's spelling, so
    both spellings count (at half the letter's frequency each)."""
    text = unicodedata.normalize("NFC", path.read_text("utf-8")).lower()
    older = OLDER_SPELLINGS.get(language)
    return text if older is None else text + "\n" + text.translate(older)


def derive_from(unigrams: dict[str, float], bigrams: dict[str, float]) -> dict[str, object]:
    """The table entry for one language (averages before pruning, as ``derive``)."""
    expected_unigram = sum(p * math.log(p) for p in unigrams.values())
    joint = {gram: unigrams.get(gram[0], 0.0) * p for gram, p in bigrams.items()}
    total_joint = sum(joint.values()) or 1.0
    expected_bigram = sum(
        joint[gram] / total_joint * math.log(p) for gram, p in bigrams.items() if joint[gram]
    )
    wide = {g: p for g, p in unigrams.items() if not g.isascii()}
    wide_total = sum(wide.values()) or 1.0
    expected_wide_unigram = sum(p / wide_total * math.log(p) for p in wide.values())
    wide_pairs = {g: j for g, j in joint.items() if not g.isascii() and j}
    wide_pairs_total = sum(wide_pairs.values()) or 1.0
    expected_wide_bigram = sum(
        j / wide_pairs_total * math.log(bigrams[g]) for g, j in wide_pairs.items()
    )
    return {
        "eu": round(expected_wide_unigram, 3),
        "eb": round(expected_wide_bigram, 3),
        "eu_all": round(expected_unigram, 3),
        "eb_all": round(expected_bigram, 3),
        "u": {g: quantized(p) for g, p in unigrams.items() if p >= MIN_UNIGRAM},
        "b": {
            g: quantized(p)
            for g, p in bigrams.items()
            if joint[g] / total_joint >= MIN_BIGRAM_JOINT
        },
    }


def own_letters(entry: dict[str, object], language: str) -> dict[str, object]:
    """``entry`` without the Latin letters foreign to the language's alphabet (``ALPHABETS``),
    nor the pairs that hold one; the averages stay as counted. Other languages unchanged."""
    alphabet = ALPHABETS.get(language)
    if alphabet is None:
        return entry

    def own(gram: str) -> bool:
        return all(char.isascii() or not latin(char) or char in alphabet for char in gram)

    def kept(gram: str) -> bool:  # uncased letters (the ordinals ª º) are no one's alphabet
        return own(gram) or all(char.isascii() or char.upper() == char for char in gram)

    letters: dict[str, int] = entry["u"]  # type: ignore[assignment]
    pairs: dict[str, int] = entry["b"]  # type: ignore[assignment]
    return {
        **entry,
        "u": {g: cost for g, cost in letters.items() if kept(g)},
        "b": {g: cost for g, cost in pairs.items() if own(g)},
    }


def latin(char: str) -> bool:
    """A Latin letter as ``ingestion.plausibility.latin_letter`` counts one (no marks here)."""
    return char < "\u0250" or "\u1e00" <= char <= "\u1eff"


def merge_text(arguments: list[str]) -> None:
    """``--text LANGUAGE=FILE ...``: those languages from text, merged into the shipped table."""
    payload = json.loads(OUT.read_text("utf-8"))
    for argument in arguments:
        language, _, file = argument.partition("=")
        entry = derive_from(*count_text(Path(file), language))
        payload["languages"][language] = own_letters(entry, language)
    payload["source"] = _SOURCE
    OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(payload['languages'])} languages)")


def derive_trigrams(models: Path, language: str) -> dict[str, int]:
    """One language's trigrams that hold a non-ASCII letter of its alphabet (see the docstring)."""
    alphabet = ALPHABETS[language]
    unigrams = load(models, language, "unigrams")
    bigrams = load(models, language, "bigrams")
    kept: dict[str, int] = {}
    for gram, probability in load(models, language, "trigrams").items():
        if gram.isascii() or not all(char.isascii() or char in alphabet for char in gram):
            continue
        joint = unigrams.get(gram[0], Fraction(0)) * bigrams.get(gram[:2], Fraction(0))
        if joint * probability < MIN_TRIGRAM_JOINT:
            continue
        key = gram.translate(_COMMA_BELOW) if language == "ro" else gram
        cost = quantized(float(probability))
        kept[key] = min(cost, kept.get(key, cost))
    return dict(sorted(kept.items()))


def write_trigrams(models: Path) -> None:
    """``--trigrams LINGUA_MODELS_DIR``: ``char_trigrams.json``."""
    table = {
        language: derive_trigrams(models, language)
        for language in LANGUAGES
        if ALPHABETS.get(language) and language != "vi"
    }
    if TRIGRAMS_OUT.exists():  # the languages counted from text (mt, se, fo, br) stay
        shipped: dict[str, dict[str, int]] = json.loads(TRIGRAMS_OUT.read_text("utf-8"))[
            "languages"
        ]
        for language, grams in shipped.items():
            table.setdefault(language, grams)
    payload = {
        "source": _SOURCE,
        "scale": "-ln(P(third letter | first two)) * 10, rounded",
        "languages": {language: grams for language, grams in table.items() if grams},
    }
    TRIGRAMS_OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = TRIGRAMS_OUT.stat().st_size
    print(f"wrote {TRIGRAMS_OUT} ({size} bytes, {sum(map(len, table.values()))} trigrams)")


def count_trigrams(path: Path, language: str) -> dict[str, int]:
    """``--text-trigrams``: one language's trigrams from a UTF-8 text file (see the docstring).
    With an older spelling (``OLDER_SPELLINGS``) the text counts in both spellings, as for the
    letters; the thresholds apply to the text as printed."""
    alphabet = ALPHABETS[language]
    printed: Counter[str] = Counter()
    text = unicodedata.normalize("NFC", path.read_text("utf-8")).lower()
    for word in re.findall(r"[^\W\d_]+", text):
        printed.update(map("".join, zip(word, word[1:], word[2:], strict=False)))
    older = OLDER_SPELLINGS.get(language)
    both: Counter[str] = Counter(printed)
    if older is not None:
        for gram, count in printed.items():
            both[gram.translate(older)] += count
    prefixes: Counter[str] = Counter()
    for gram, count in both.items():
        prefixes[gram[:2]] += count
    total = sum(printed.values()) or 1
    kept: dict[str, int] = {}
    for gram, count in sorted(printed.items()):
        if count < MIN_TEXT_TRIGRAM_COUNT or count / total < MIN_TRIGRAM_JOINT:
            continue
        for spelled_gram in {gram, gram.translate(older) if older else gram}:
            if spelled_gram.isascii() or not all(
                c.isascii() or c in alphabet for c in spelled_gram
            ):
                continue
            kept[spelled_gram] = quantized(both[spelled_gram] / prefixes[spelled_gram[:2]])
    return dict(sorted(kept.items()))


def merge_text_trigrams(arguments: list[str]) -> None:
    """``--text-trigrams LANGUAGE=FILE ...``: those languages from text, merged into
    ``char_trigrams.json``, leaving lingua's as they are."""
    payload = json.loads(TRIGRAMS_OUT.read_text("utf-8"))
    for argument in arguments:
        language, _, file = argument.partition("=")
        payload["languages"][language] = count_trigrams(Path(file), language)
    payload["source"] = _SOURCE
    TRIGRAMS_OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = TRIGRAMS_OUT.stat().st_size
    count = sum(map(len, payload["languages"].values()))
    print(f"wrote {TRIGRAMS_OUT} ({size} bytes, {count} trigrams)")


def main() -> None:
    if sys.argv[1] == "--text-trigrams":
        merge_text_trigrams(sys.argv[2:])
        return
    if sys.argv[1] == "--trigrams":
        write_trigrams(Path(sys.argv[2]))
        return
    if sys.argv[1] == "--text":
        merge_text(sys.argv[2:])
        return
    models = Path(sys.argv[1])
    table = {language: own_letters(derive(models, language), language) for language in LANGUAGES}
    if OUT.exists():  # the languages counted from text (mt, se, fo, br) stay as they are
        shipped: dict[str, dict[str, object]] = json.loads(OUT.read_text("utf-8"))["languages"]
        for language, entry in shipped.items():
            table.setdefault(language, own_letters(entry, language))
    payload = {
        "source": _SOURCE,
        "scale": "-ln(probability) * 10, rounded; b is P(second letter | first letter)",
        "languages": table,
    }
    OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(table)} languages)")


if __name__ == "__main__":
    main()
