"""Issue 19, per-file speed: ingestion's shortcuts give what their plain definitions give, so
no verdict can move."""

from __future__ import annotations

from ingestion import readings


def test_variants_is_the_family_test() -> None:
    codecs = [name for name, _ in (*readings.SINGLE_BYTE, *readings.MULTI_BYTE, *readings.EBCDIC)]
    for first in codecs:
        for second in codecs:
            expected = any(first in f and second in f for f in readings.VARIANTS)
            assert readings.variants(first, second) == expected
