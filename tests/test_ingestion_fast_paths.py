"""Issue 19, per-file speed: ingestion's shortcuts give what their plain definitions give, so
no verdict can move."""

from __future__ import annotations

import collections
import math
import operator
import random
import unicodedata

from ingestion_corpus import DEVELOPMENT, files

from ingestion import plausibility, readings


def test_variants_is_the_family_test() -> None:
    codecs = [name for name, _ in (*readings.SINGLE_BYTE, *readings.MULTI_BYTE, *readings.EBCDIC)]
    for first in codecs:
        for second in codecs:
            expected = any(first in f and second in f for f in readings.VARIANTS)
            assert readings.variants(first, second) == expected


def _kind_as_profile_judged(pair: str, letter: dict[str, bool]) -> float | str:
    """What ``_profile``'s loop made of a pair before ``pair_share`` (``letter``: ``_is_letter``
    of each non-ASCII character of the reading): "ascii", "letters", or the glue it added."""
    if pair.isascii():
        return "ascii" if pair.isalpha() else 0.0
    if "\x00" in pair:
        return 0.0
    first = letter.get(pair[0]) or pair[0].isalpha()
    second = letter.get(pair[1]) or pair[1].isalpha()
    if first and second:
        return "letters"
    if first or second:
        other = pair[1] if first else pair[0]
        if other > "\x7f" and not other.isspace() and not letter[other]:
            return -4.0 if other in plausibility._GLUES else -8.0  # pyright: ignore[reportPrivateUsage]
    return 0.0


def test_pair_share_is_what_profile_made_of_each_pair() -> None:
    # _profile looks each pair up (pair_share, kept per pair) instead of testing its letters.
    generator = random.Random(23)  # noqa: S311 - fixed text, not a secret
    texts = [case.data.decode("latin-1") for case in files(DEVELOPMENT)[::17]]
    texts += [
        case.data.decode(encoding, "replace")
        for case in files(DEVELOPMENT)[::37]
        for encoding in ("cp1251", "cp1253", "koi8-r", "cp1256", "tis-620", "cp1258", "gbk")
    ]
    pool = "ab Z1.,'\x00\t\u00e9\u00c9\u00b4\u00a8\u00bb\u2019\u0301\u0e49\u0416\u00a0\u00b9\u4e2d"
    texts += ["".join(generator.choice(pool) for _ in range(80)) for _ in range(300)]
    seen = 0
    for text in texts:
        lowered = unicodedata.normalize("NFC", text).lower()
        letter = {char: plausibility._is_letter(char) for char in lowered if char > "\x7f"}  # pyright: ignore[reportPrivateUsage]
        for pair in {lowered[i : i + 2] for i in range(len(lowered) - 1)}:
            letters, ascii_letters, glue = plausibility.pair_share(pair)
            found = "letters" if letters else "ascii" if ascii_letters else glue
            assert found == _kind_as_profile_judged(pair, letter), pair
            assert (letters, ascii_letters, glue).count(True) <= 1, pair
            assert not (letters or ascii_letters) or glue == 0.0, pair
            seen += 1
        # and profile's pairs and ASCII pairs, and the pairs' glue summed at C speed: what the
        # loop over the pairs made of them
        profiled = plausibility.profile(text)
        low = plausibility._lowered(text)[1]  # pyright: ignore[reportPrivateUsage]
        counted = collections.Counter(map(operator.add, low, low[1:]))
        letter = {char: plausibility._is_letter(char) for char in low if char > "\x7f"}  # pyright: ignore[reportPrivateUsage]
        looped: dict[str, dict[str, int]] = {"letters": {}, "ascii": {}}
        glued = 0.0
        for pair, n in counted.items():
            kind = _kind_as_profile_judged(pair, letter)
            if isinstance(kind, str):
                looped[kind][pair] = n
            elif kind:
                glued += n * kind
        assert list(profiled.pairs.items()) == list(looped["letters"].items())
        assert list(profiled.ascii_pairs.items()) == list(looped["ascii"].items())
        shares = map(plausibility.pair_share, counted)
        summed = sum(map(operator.mul, counted.values(), (share[2] for share in shares)), 0.0)
        assert (summed, math.copysign(1.0, summed)) == (glued, math.copysign(1.0, glued))
    assert seen > 10_000


def test_byte_counts_characters_and_letters_are_every_byte_renamed_and_split() -> None:
    # profile on the bytes renames the bytes >= 0x80 alone and takes the sample's ASCII letters
    # (ByteCounts.high, .ascii_letters): what renaming every byte and splitting them gave.
    generator = random.Random(26)  # noqa: S311 - fixed bytes, not a secret
    samples = [case.data[:length] for case in files(DEVELOPMENT)[::19] for length in (30, 900)]
    samples += [bytes(generator.randrange(1, 256) for _ in range(60)) for _ in range(40)]
    samples += [b"Aa aA ZzZ \xc9\xe9 \xc0bc"]
    compared = 0
    for sample in samples:
        given = collections.Counter(sample)
        for counts in (plausibility.byte_counts(sample), plausibility.byte_counts(sample, given)):
            for encoding, _ in readings.SINGLE_BYTE:
                if encoding in readings._TEXT_COUNTED:  # pyright: ignore[reportPrivateUsage]
                    continue
                lowering = readings._tables(encoding).lowering  # pyright: ignore[reportPrivateUsage]
                every = plausibility._renamed(counts.values, lowering, 1)  # pyright: ignore[reportPrivateUsage]
                chars = plausibility._renamed(counts.high, lowering, 1)  # pyright: ignore[reportPrivateUsage]
                assert list(chars.items()) == [(c, n) for c, n in every.items() if c > "\x7f"]
                letters = [(c, n) for c, n in every.items() if c in "abcdefghijklmnopqrstuvwxyz"]
                assert list(counts.ascii_letters.items()) == letters
                compared += 1
    assert compared > 1000
