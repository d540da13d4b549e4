"""Issue 19, per-file speed: ingestion's C-level shortcuts give what their plain Python
definitions give (same keys, same order, same values), so no verdict can move."""

from __future__ import annotations

import collections
import operator

import pytest

from ingestion import plausibility, readings

SAMPLES = [
    b"",
    b"plain ASCII, Twice: AB ab Ab aB.",
    "Größe café naïve ĉiuj Ærø".encode("latin-1", "replace"),
    "Žluťoučký kůň úpěl ďábelské ódy".encode("cp1250"),
    "Съешь же ещё этих мягких булок".encode("koi8-r"),
    bytes(range(256)),
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_byte_counts_splits_pairs_as_the_loop_does(sample: bytes) -> None:
    lowered = sample.lower().decode("latin-1")
    pairs = collections.Counter(map(operator.add, lowered, lowered[1:]))
    near: dict[str, int] = {}
    ascii_pairs: dict[str, int] = {}
    for pair, n in pairs.items():
        if not pair.isascii():
            near[pair] = n
        elif pair.isalpha():
            ascii_pairs[pair] = n
    counts = plausibility.byte_counts(sample)
    assert list(counts.near_pairs.items()) == list(near.items())
    assert list(counts.ascii_pairs.items()) == list(ascii_pairs.items())


@pytest.mark.parametrize("sample", SAMPLES)
def test_profile_picks_characters_as_the_comprehensions_do(sample: bytes) -> None:
    for encoding in ("cp1252", "cp1250", "koi8-r", "cp437"):
        text = sample.decode(encoding, "replace")
        found = plausibility.profile(text)
        counted = collections.Counter(plausibility._lowered(text)[1])  # pyright: ignore[reportPrivateUsage]
        letters = {c: n for c, n in counted.items() if c in "abcdefghijklmnopqrstuvwxyz"}
        assert list(found.ascii_letters.items()) == list(letters.items())
        high = [c for c in counted if c > "\x7f"]
        assert list(found.chars)[: len(high)] == high


def test_variants_is_the_family_test() -> None:
    codecs = [name for name, _ in (*readings.SINGLE_BYTE, *readings.MULTI_BYTE)]
    for first in codecs:
        for second in codecs:
            expected = any(first in f and second in f for f in readings.VARIANTS)
            assert readings.variants(first, second) == expected
