# ruff: noqa: RUF001 - natural text in Greek and Cyrillic looks like Latin to ruff
"""A large file whose few non-ASCII bytes lie away from the spread sample's pieces is judged on
them: ``readings.score_sample`` adds windows around them (``sampling.evidence_sample``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ingestion_corpus import write

from ingestion import AmbiguousEncodingError, TextDecodeError, read_text
from ingestion.readings import SCORE_BYTES, rank, score_sample
from ingestion.sampling import ENOUGH_HIGH, evidence_sample
from ingestion.utils import spread_sample, spread_spans

# Plain English lines (a log, a listing, a README): many KB without a byte >= 0x80.
_LINES = (
    "The device reported its state to the registry after the driver loaded.\n",
    "Every entry below lists a service, its class and the properties it keeps.\n",
    '    | | |   "IOReportLegend" = ({"IOReportGroupName"="Interrupt statistics"})\n',
    "Nothing here needs a second look unless the count of errors keeps growing.\n",
    "A short note on the build: run the tests before you push, then tag it.\n",
)


def _filler(size: int) -> str:
    """At least ``size`` characters of ASCII lines, in a fixed shuffled order."""
    order = random.Random(19)  # noqa: S311 - a fixed shuffle, not a secret
    lines: list[str] = []
    length = 0
    while length < size:
        lines.append(order.choice(_LINES))
        length += len(lines[-1])
    return "".join(lines)


def _between_pieces(text: str, inserted: str, where: float = 0.5) -> str:
    """``text`` with the line ``inserted`` at the first line start after ``where`` of the
    gap between the spread sample's second and third pieces."""
    spans = spread_spans(text.encode("ascii", "replace"), SCORE_BYTES)
    gap_start, gap_end = spans[1][1], spans[2][0]
    cut = text.index("\n", gap_start + int((gap_end - gap_start) * where)) + 1
    return text[:cut] + inserted + text[cut:]


def _high_count(data: bytes) -> int:
    return len(data.translate(None, bytes(range(0x80))))


# One word or a few in a large ASCII file, in code pages other than the first one tried (which
# a sample with no byte >= 0x80 read as: cp1252, at confidence 1.0).
SPARSE = [
    ("Daniel Blanchard’s Trackpad", "mac-roman"),
    ("a café in town", "mac-roman"),
    ("Привет, мир", "cp1251"),
    ("Москва", "koi8-r"),
    ("Antonín Dvořák", "cp1250"),
    ("Łódź and Kraków", "iso8859-2"),
    ("Αθήνα", "cp1253"),
    ("İstanbul ve Boğaz", "cp1254"),
    ("שלום", "cp1255"),
    ("東京タワー", "shift_jis"),
    ("北京欢迎你", "gbk"),
]


@pytest.mark.parametrize(("word", "codec"), SPARSE)
@pytest.mark.parametrize("size", [6 * 1024, 40 * 1024])
def test_a_few_non_ascii_bytes_outside_the_sample_are_read_right_or_refused(
    tmp_path: Path, word: str, codec: str, size: int
) -> None:
    text = _between_pieces(_filler(size), f"And then {word} was here.\n")
    data = text.encode(codec)
    assert spread_sample(data, SCORE_BYTES).isascii()
    try:
        read = read_text(write(tmp_path, data))[0]
    except AmbiguousEncodingError as error:
        named = (error.encoding, error.rival, *error.others)
        assert any(data.decode(other) == text for other in named), (codec, named)
    else:
        assert read == text, codec


def test_a_cluster_between_the_pieces_is_read_right(tmp_path: Path) -> None:
    # A Czech paragraph (dozens of non-ASCII bytes) in the middle of an English file, none in
    # the spread sample's pieces; and a file whose pieces hold one byte that every code page
    # reads as a symbol (© in cp1251 too) while its Russian lines lie elsewhere.
    czech = "Příliš žluťoučký kůň úpěl ďábelské ódy. Večer jsme šli do divadla s přáteli.\n"
    text = _between_pieces(_filler(30 * 1024), czech * 2)
    data = text.encode("cp1250")
    assert spread_sample(data, SCORE_BYTES).isascii()
    assert read_text(write(tmp_path, data)) == (text, "cp1250")
    russian = "Съешь же ещё этих мягких французских булок, да выпей чаю.\n"
    text = _between_pieces("Copyright © 2026\n" + _filler(30 * 1024), russian, 0.8)
    data = text.encode("cp1251")
    assert _high_count(spread_sample(data, SCORE_BYTES)) == 1
    assert read_text(write(tmp_path, data)) == (text, "cp1251")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Le père est allé au marché.", "cp1252"),
        ("Daniel Blanchard’s Trackpad", "mac-roman"),
        ("Привет, мир", "cp1251"),
    ],
)
def test_the_readings_rest_on_the_files_non_ascii_characters(text: str, codec: str) -> None:
    # Without the windows the sample is ASCII: every code page reads it alike, one reading
    # with no evidence, taken at confidence 1.0 whatever the file's code page.
    data = _between_pieces(_filler(20 * 1024), text + "\n").encode(codec)
    ranked = rank(data)
    assert len(ranked) > 1
    assert ranked[0].evidence == sum(char > "\x7f" for char in text)


def test_a_sample_with_enough_non_ascii_bytes_is_the_spread_sample() -> None:
    # Dense legacy text: nothing is scanned or added, its verdicts and cost stay as they were.
    data = "".join(
        f"{line}: Le père de Chloé a acheté un gâteau à la crème pour fêter Noël.\n"
        for line in range(2000)
    ).encode("cp1252")
    assert _high_count(spread_sample(data, SCORE_BYTES)) >= ENOUGH_HIGH
    assert score_sample(data) == spread_sample(data, SCORE_BYTES)
    sample, spread = evidence_sample(data, SCORE_BYTES)
    assert sample is spread
    small = data[:SCORE_BYTES]
    assert evidence_sample(small, SCORE_BYTES) == (small, small)


def test_the_sample_holds_the_files_non_ascii_bytes_wherever_they_are() -> None:
    # Seeded placements of a few bytes in long lines and in a file with no line ends at all:
    # the sample holds each of them (room for all of them here), is made of the file's own
    # bytes in order, and stays bounded.
    chooser = random.Random(35)  # noqa: S311 - fixed placements, not a secret
    for trial in range(30):
        size = chooser.choice([5 * 1024, 50 * 1024, 200 * 1024])
        body = bytearray(_filler(size).encode() if trial % 2 else b"x" * size)
        count = chooser.randint(1, 12)
        for offset in chooser.sample(range(len(body)), count):
            body[offset] = chooser.randrange(0x80, 0x100)
        data = bytes(body)
        sample = evidence_sample(data, SCORE_BYTES)[0]
        assert _high_count(sample) == _high_count(data), trial
        assert len(sample) <= 2 * SCORE_BYTES + 256
        rest = iter(data)
        assert all(value in rest for value in sample)  # a subsequence of the file
    # Bytes that look corrupt may be left out of the scored sample, never all of them: a lone
    # byte cp1252 lacks stays, the file's only evidence.
    data = _between_pieces(_filler(20 * 1024), "x\udc81y\n").encode("ascii", "surrogateescape")
    assert b"\x81" in score_sample(data)


@pytest.mark.parametrize("codec", ["shift_jis", "big5", "gbk", "euc_kr", "euc_jp"])
def test_windows_never_cut_a_multi_byte_character(codec: str) -> None:
    # Kana and hanzi whose second byte is ASCII ("ソ" is 0x83 0x5C in Shift_JIS) on a line with
    # no spaces, and a run longer than the room for windows (cut between two-byte characters).
    phrase = {"euc_kr": "한국어입니다", "shift_jis": "ソフト表示"}.get(codec, "中文字體表示")
    for inserted in (f"x{phrase}x" * 3, phrase * 1000):
        data = _between_pieces(_filler(60 * 1024), inserted + "\n").encode(codec)
        sample = score_sample(data)
        assert _high_count(sample) > _high_count(spread_sample(data, SCORE_BYTES))
        assert sample.decode(codec)


@pytest.mark.parametrize(
    ("text", "codec"), [("Le père est allé au marché.", "cp1252"), ("Antonín Dvořák", "cp1250")]
)
def test_a_corrupt_byte_in_a_window_is_reported_not_read_as_another_code_page(
    tmp_path: Path, text: str, codec: str
) -> None:
    # Both lines lie between the spread sample's pieces. 0x81 is undefined in cp1252 and
    # cp1250: scored with it, cp775 and cp857 read the letters as mojibake; left out, the
    # whole file is checked and the error names the code page and the byte's offset.
    body = _between_pieces(_filler(12 * 1024), "x\udc81y\n", 0.8)
    body = _between_pieces(body, text + "\n", 0.2)
    data = body.encode(codec, "surrogateescape")
    path = write(tmp_path, data)
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.encoding, caught.value.offset) == (codec, data.index(b"\x81"))
    assert read_text(path, errors="replace") == (data.decode(codec, "replace"), codec)
