# ruff: noqa: RUF001, RUF002 - natural text: quotes, dashes and the dotless i are meant
"""Welsh and Breton in the Western code pages and ISO-8859-14 (Latin-8, Celtic), and cp858.

The model had neither language: a Welsh or Breton reading was judged as text in other
languages of its code page, where their letters are rare, so the Baltic page's mojibake of
the same bytes scored as well or better (Welsh "storïau" read as cp1257 "storļau").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestion_corpus import write

from ingestion import read_text
from ingestion.plausibility import language_models

# Welsh (written for these tests): circumflexes and a diaeresis, all in cp1252.
_WELSH = "Cafodd y storïau eu copïo heb ganiatâd. Mae'r tân yn y gegin a'r ffôn ar y bwrdd.\n"
# Welsh with the circumflexed w and y that only ISO-8859-14 has among 8-bit code pages.
_WELSH_LATIN8 = (
    "Roedd y tŷ ar y bryn yn wag, ond mae'r dŵr yn dal i redeg drwy'r cwm. Aeth y plant i'r"
    " ŵyl yn y dref, lle roedd y côr yn canu a'r bobl yn dawnsio tan yn hwyr.\n"
)
# Breton (written for these tests; the statistics came from other sentences).
_BRETON = (
    "Ar brezhoneg a vez komzet gant tud e Breizh. Ret eo deskiñ ar yezh d'ar vugale er"
    " skolioù, hag ur gêr vras eo Naoned.\n"
)


def test_the_model_knows_welsh_and_breton() -> None:
    models = language_models()
    assert {"ŵ", "ŷ", "â"} <= set(models["cy"].letters)
    assert {"ñ", "ù", "ê"} <= set(models["br"].letters)


def test_welsh_in_cp1252_reads_back_exactly(tmp_path: Path) -> None:
    """Main read it as cp1257 ("storļau", "ganiatād") at full confidence."""
    assert read_text(write(tmp_path, _WELSH.encode("cp1252"))) == (_WELSH, "cp1252")


def test_welsh_with_circumflexed_w_and_y_is_read_as_latin_8(tmp_path: Path) -> None:
    """ISO-8859-14 was no candidate: main read this as cp1252, "tþ" for "tŷ" and "dð" for
    "dŵ", silently."""
    data = _WELSH_LATIN8.encode("iso8859-14")
    assert read_text(write(tmp_path, data)) == (_WELSH_LATIN8, "iso8859-14")


@pytest.mark.parametrize("codec", ["cp1252", "cp850", "mac-roman"])
def test_breton_reads_back_exactly(tmp_path: Path, codec: str) -> None:
    """Main refused these (cp850 against mac-roman and cp775, whose "ś" stood for "ù")."""
    assert read_text(write(tmp_path, _BRETON.encode(codec)))[0] == _BRETON


@pytest.mark.parametrize(
    "text",
    [
        "Le prix est de 25 € par personne, ou 40 € pour deux. Réservez avant le 3 mai.\n",
        "Hinta on 25 € henkilöltä, tai 40 € kahdelta. Varaa ennen toukokuuta.\n",
    ],
)
def test_the_euro_sign_of_cp858_reads_back(tmp_path: Path, text: str) -> None:
    """cp858 is cp850 with "€" where cp850 has a dotless "ı"; no candidate on main, which
    read the French as cp437 ("╒" for "€") and refused the Finnish."""
    assert read_text(write(tmp_path, text.encode("cp858"))) == (text, "cp858")


def test_a_vendor_variant_does_not_crowd_a_reading_out_of_the_final(tmp_path: Path) -> None:
    """cp850's and cp858's readings differ in one byte and score alike in the first round;
    counted as two of its four places they left mac-roman's reading of this symbol list out,
    and cp858's "cafÄ naòve" was returned."""
    text = (
        "Sample: a classic Mac text file\nWritten on: an old Macintosh\n"
        "Compare with the Windows code page.\n---\n"
        "01: Accents: café naïve façade jalapeño año Niño.\n02: Symbols: © ® ™ •\n"
        "03: Quotes/dash: “quotes” ‘single’ – en dash — em dash …\n04: Math: ≤ ≥ ≠ ≈ ∞ √\n"
        "05: Calculus: ∑ ∫ ∂\n06: Greek: π Ω µ\n07: Nordic: Æ Ø Å æ ø å\n08: Ligatures: Œ œ\n"
        "09: Punctuation: ¡ ¿ « »\n10: End.\n"
    )
    assert read_text(write(tmp_path, text.encode("mac-roman"))) == (text, "mac-roman")
