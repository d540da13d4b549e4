"""Repeated text is the evidence of one copy: a text said k times gets the verdict one copy
gets (``sampling.one_copy``), not a surer one (issue 19: "呵呵哒" x 310 in GB 2312 was read as
EUC-JP mojibake at confidence 1.0, where one copy is refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion import AmbiguousEncodingError, read_text
from ingestion.encoding_detect import detect_encoding
from ingestion.readings import score_sample
from ingestion.sampling import one_copy

# Short texts whose verdict one copy and many differed on: a refusal, or a pick at a
# confidence well below 1.0 (which k copies raised to 1.0, and the wrong pick with it).
SHORT_TEXTS = [
    ("呵呵哒", "gb2312"),  # refused: EUC-JP "最最炙" reads as well
    ("简体中文", "gb18030"),
    ("繁體中文", "big5"),
    ("日本語", "shift_jis"),
    ("Ærø\n", "cp1252"),
    ("Привет\n", "koi8-r"),
    ("Αθήνα\r\n", "cp1253"),
]


@pytest.mark.parametrize(("text", "codec"), SHORT_TEXTS)
@pytest.mark.parametrize("copies", [2, 7, 310])
def test_copies_of_a_text_get_one_copys_verdict(text: str, codec: str, copies: int) -> None:
    one = text.encode(codec)
    assert detect_encoding(one * copies) == detect_encoding(one)


def test_lines_of_a_repeated_word_repeated_are_refused_as_the_word_is(tmp_path: Path) -> None:
    # The public file's shape (jschardet's gb2312-untitled.txt): lines of the word x 10, each
    # ending in CR LF.
    word = "呵呵哒".encode("gb2312")
    path = tmp_path / "untitled.txt"
    path.write_bytes((word * 10 + b"\r\n") * 31)
    detection = detect_encoding(path)
    assert detection == detect_encoding(word)
    assert detection.rival == "gb2312"
    with pytest.raises(AmbiguousEncodingError, match="gb2312"):
        read_text(path)


@pytest.mark.parametrize(
    ("sample", "copy"),
    [
        (b"abc\xe9" * 3, b"abc\xe9"),
        (b"abc\xe9" * 3 + b"ab", b"abc\xe9"),  # the last copy cut short
        (b"caf\xe9\n" * 5 + b"\n\n", b"caf\xe9\n"),  # line ends after the last copy
        ((b"\xba\xc7" * 10 + b"\r\n") * 3, b"\xba\xc7"),  # a line of copies, repeated
        (b"\xb0" * 4, b"\xb0\xb0"),  # a copy that may end inside a two-byte character
        (b"x\xe9y" * 4, b"x\xe9y"),  # odd, but ending in ASCII: one copy
    ],
)
def test_one_copy_is_the_first_copy_of_a_repeated_text(sample: bytes, copy: bytes) -> None:
    assert one_copy(sample) == copy
    assert sample.startswith(copy)  # offsets into the copy are offsets into the file


@pytest.mark.parametrize(
    "sample",
    [
        b"",
        b"\xe9",
        b"caf\xe9 caf\xe9 au lait",  # a word said twice in a sentence
        b"abc\xe9abc",  # not two copies
        b"abc\xe9" * 3 + b"abd",  # the last copy differs
        "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël.".encode("cp1252"),
    ],
)
def test_text_that_is_no_repetition_is_kept_whole(sample: bytes) -> None:
    assert one_copy(sample) is sample


def test_prose_is_scored_whole() -> None:
    prose = "\n".join(
        f"{number}. Le père de Chloé a acheté {number} gâteaux à la crème pour fêter Noël."
        for number in range(40)
    ).encode("cp1252")
    assert score_sample(prose) is prose
