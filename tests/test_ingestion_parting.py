# ruff: noqa: RUF001, RUF003 - natural text in Greek looks like Latin to ruff
"""A large file's bytes beyond the sample that code pages reading the sample alike read apart
decide between them (``parting``): a Greek page with "Ά" only past the sample is ISO-8859-7."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion import read_text
from ingestion.parting import parting_bytes, widened
from ingestion.readings import score_sample

# Lowercase Greek with accents: ISO-8859-7 and cp1253 read every one of these bytes alike.
_GREEK = (
    "η γλώσσα μας είναι παλιά και όμορφη, με λέξεις που ακούγονται ακόμη σήμερα.\n",
    "το πρωί πήγαμε στη θάλασσα και το βράδυ φάγαμε ψάρι στην ταβέρνα του λιμανιού.\n",
    "οι φίλοι μου έρχονται αύριο από την πόλη για να δουν το σπίτι και τον κήπο.\n",
)
# Estonian whose accents are only "ä ö ü" reads alike in cp1252 and cp1257; "š ž" do not.
_ESTONIAN = (
    "öösel sadas lund ja hommikul läksime välja, kõik oli valge ja vaikne.\n",
    "täna on ilus ilm, päike paistab ja lapsed mängivad õues kuni õhtuni.\n",
)


def _file(lines: tuple[str, ...], middle: str, size: int = 120_000) -> str:
    """``size`` characters of ``lines`` with ``middle`` halfway: between the spread sample's
    pieces (at 0, 1/3, 2/3 and the end), never in the sample."""
    half = "".join(lines) * (size // 2 // len("".join(lines)))
    return half + middle + half


@pytest.mark.parametrize(
    ("lines", "middle", "codec"),
    [
        (_GREEK, "Άργος και Άνδρος, δύο τόποι που αγαπώ.\n", "iso8859-7"),
        (_ESTONIAN, "šokolaad ja žürii ootasid meid seal.\n", "cp1257"),
    ],
)
def test_bytes_beyond_the_sample_decide_between_code_pages_that_read_it_alike(
    tmp_path: Path, lines: tuple[str, ...], middle: str, codec: str
) -> None:
    text = _file(lines, middle)
    data = text.encode(codec)
    assert middle.encode(codec) not in score_sample(data)
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    assert read_text(path) == (text, codec)


def test_parting_bytes_are_those_the_sample_lacks_that_alike_code_pages_read_apart() -> None:
    sample = "".join(_GREEK).encode("iso8859-7")
    parting = parting_bytes(sample, "cp1253")
    assert 0xB6 in parting  # cp1253 "¶", ISO-8859-7 "Ά"
    assert 0xE1 not in parting  # "α" in both, and in the sample
    assert parting_bytes(sample + b"\xb6", "cp1253").find(0xB6) < 0
    assert parting_bytes(sample, "gbk") == b""


def test_a_file_without_such_bytes_keeps_its_sample() -> None:
    data = _file(_GREEK, "").encode("iso8859-7")
    assert widened(data, "cp1253") is None


def test_an_ebcdic_byte_beyond_the_sample_decides_between_cp037_and_cp500(tmp_path: Path) -> None:
    # cp037 and cp500 read letters alike and part on punctuation: 0x4F is "!" in cp500, "|"
    # in cp037. With the only one past the sample, cp037 (listed first) read "install|".
    lines = (
        "The installer copies the files and then writes a short report to the log.\n",
        "Run it again after an update, and keep the old report beside the new one.\n",
    )
    text = _file(lines, "It is an easy install! Then it asks for a restart.\n", 20_000)
    path = tmp_path / "readme.txt"
    path.write_bytes(text.encode("cp500"))
    assert read_text(path) == (text, "cp500")
