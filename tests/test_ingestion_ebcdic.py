"""EBCDIC text: variants that read letters alike are told apart by where their symbols stand,
and its own tab, new line and quote bytes are no sign of binary data."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestion_corpus import write

from ingestion import read_text
from ingestion.ebcdic import punctuation_cost


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # cp500 reads cp037's "!" (0x5A) as "]" and its "|" (0x4F) as "!".
        ("Tervetuloa kotiin! Päivän uutiset | Suomi\nSe on hyvä päivä, eikö? Kyllä!\n", "cp037"),
        ("Kirjoittaja | Päivämäärä | Hyvää päivää kaikille\n", "cp037"),
        # cp037 reads cp500's "|" (0xBB) as "]".
        ("Etusivu | Uutiset | Yhteystiedot\nHyvää päivää kaikille ystäville Suomessa.\n", "cp500"),
    ],
)
def test_ebcdic_variants_are_told_apart_by_where_their_punctuation_stands(
    tmp_path: Path, text: str, codec: str
) -> None:
    """cp037 and cp500 read every letter alike: their readings scored alike and such files
    were refused (AmbiguousEncodingError naming both)."""
    assert read_text(write(tmp_path, text.encode(codec))) == (text, codec)


def test_punctuation_costs_where_text_does_not_put_it() -> None:
    bracket = punctuation_cost("a]", "fi")
    exclamation = punctuation_cost("a !", "fi")
    assert bracket < exclamation < 0
    assert punctuation_cost("Nyt! [1][2] (!) [...] Super!, a | b!!! x", "fi") == 0
    assert punctuation_cost("a [b\nc] d", "fi") == 2 * bracket
    assert punctuation_cost("Yahoo!mail", "fi") == exclamation
    assert punctuation_cost("Bonjour ! Merci !", "fr") == 0
    assert punctuation_cost("!", "de+") == exclamation


def test_ebcdic_quotes_and_line_ends_are_not_binary(tmp_path: Path) -> None:
    """EBCDIC's double quote (0x7F), tab (0x05) and new line (0x15) are ASCII controls: a
    Welsh text with ten quotes in 1.9 KB was refused as binary (BinaryFileError)."""
    text = 'Dywedodd hi "ie" a "na" wrth y "dyn".\x85' * 4
    assert read_text(write(tmp_path, text.encode("cp037"))) == (text, "cp037")
