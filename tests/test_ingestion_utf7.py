"""Issue 19: UTF-7 is read as UTF-7 only on evidence; ASCII with a '+' stays ASCII."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestion_corpus import write

from ingestion import AmbiguousEncodingError, TextDecodeError, detect_encoding, read_text
from ingestion.io_text import read_with_detection
from ingestion.utf7 import shifts, utf7_evidence

# Sentences written for this test, in several languages and scripts; each encoded by
# Python's UTF-7 encoder (which shifts only what RFC 2152 requires).
UTF7_TEXTS = {
    "czech": "Jiří Polcar a Václav Říkal přijeli včera večer do Brna.\n",
    "french": "Nous avons préparé une tarte aux pommes; c'était délicieux, même froide.\n",
    "russian": "Вчера вечером мы долго гуляли по набережной.\n",
    "greek": "Καλημέρα, τι κάνεις σήμερα;\n",
    "japanese": "先週の日曜日に友達と京都へ行きました。\n",
    "korean": "저녁에는 바닷가를 걸었습니다.\n",
    "mixed scripts": "café naïve — Καλημέρα — Привет — שלום — 中文 — 한국어 — C:\\Temp\n",
}


@pytest.mark.parametrize("text", UTF7_TEXTS.values(), ids=list(UTF7_TEXTS))
def test_utf7_text_is_read_as_utf7(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text.encode("utf-7"))
    assert read_text(path) == (text, "utf-7")
    assert detect_encoding(path).encoding == "utf-7"


def test_utf7_surrogate_pair_literal_plus_and_windows_shifts(tmp_path: Path) -> None:
    # An emoji is a surrogate pair in one shift; '+-' is a literal plus; Windows shifts "!"
    # (set O), which is allowed but is no evidence; the letters are.
    data = b"C+- is fun +2D3eAA- Gr+APwA3w-e aus K+APY-ln und M+APw-nchen+ACE-\n"
    assert read_text(write(tmp_path, data)) == (
        "C+ is fun \U0001f600 Grüße aus Köln und München!\n",
        "utf-7",
    )


def test_utf7_byte_order_mark_decides_and_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, b"+/v8-plain words only\n")
    assert read_text(path) == ("plain words only\n", "utf-7")
    assert read_text(path, "utf-7") == ("plain words only\n", "utf-7")


# ASCII whose '+' signs are no strict UTF-7: a '+' before a character that is not base64, at
# the end, or before base64 that leaves a partial UTF-16 unit or padding bits that are not 0.
NOT_UTF7 = {
    "c++": b"Written in C++ and C#; i++ and ++i differ.\n",
    "arithmetic": b"a+b-c = 3, x+y=7, 1+1-2=0\n",
    "phone numbers": b"Call +1-555-0100 or +44 20 7946 0958 or +358401234567.\n",
    "class names": b"Use A+B-C and Foo+Bar-Baz from the A+B module.\n",
    "base64 blob": b"data:image/png;base64,iVBORw0KGgo+AAAANSUhEUgAAAAEAAAAB+CAYAAAAfFcS\n",
    "url": b"https://example.org/search?q=utf+seven&lang=en+fr-be\n",
    "git diff": b"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old\n+importabcd\n",
    "table": b"+-----+-----+\n| a   | b   |\n+-----+-----+\n",
}
# ASCII whose every '+' is strict UTF-7, but whose shifts decode to no text.
NOT_TEXT = {
    # Rare ideographs and Hangul (tokens like those in C headers and vim's help).
    "rare code points": b"#define X +xD9v33bK\nsee +abcdefgh and +lj8j1pkY\n",
    # A symbol between two letters.
    "symbol inside a word": b"some text +Xvr52yat-x\n",
    # ASCII letters, which no encoder shifts.
    "shifted letters": b"+AGEAYgBj- +AGQAZQBm- +AGcAaABp-\n",
}


@pytest.mark.parametrize("data", NOT_UTF7.values(), ids=list(NOT_UTF7))
def test_ascii_whose_plus_signs_are_no_utf7_stays_ascii(tmp_path: Path, data: bytes) -> None:
    assert shifts(data) is None
    assert read_text(write(tmp_path, data)) == (data.decode("ascii"), "utf-8")


@pytest.mark.parametrize("data", NOT_TEXT.values(), ids=list(NOT_TEXT))
def test_ascii_whose_shifts_decode_to_no_text_stays_ascii(tmp_path: Path, data: bytes) -> None:
    evidence = utf7_evidence(data)
    assert evidence is None or evidence.verdict == "ascii"
    assert data.decode("utf-7") != data.decode("ascii")
    assert read_text(write(tmp_path, data)) == (data.decode("ascii"), "utf-8")


@pytest.mark.parametrize(
    "data",
    [b"caf+AOk- au lait\n", b"Gr+APwA3w-e\n", b"In UTF-7, +ZeVnLIqe- is written so.\n"],
    ids=["one letter", "two letters", "a quoted example"],
)
def test_too_few_shifted_letters_are_refused_naming_both(tmp_path: Path, data: bytes) -> None:
    # Real UTF-7 or ASCII that quotes it: both readings are text, and either may be wrong.
    path = write(tmp_path, data)
    with pytest.raises(AmbiguousEncodingError, match="utf-8 and in utf-7") as caught:
        read_text(path)
    assert (caught.value.encoding, caught.value.rival) == ("utf-8", "utf-7")
    with pytest.raises(AmbiguousEncodingError):
        read_with_detection(path, errors="replace")
    assert read_text(path, "utf-8")[0] == data.decode("ascii")
    assert read_text(path, "utf-7")[0] == data.decode("utf-7")


@pytest.mark.parametrize(
    ("data", "offset", "replaced"),
    [(b"ok +2D0- then\n", 3, "ok \ufffd then\n"), (b"ends with +", 10, "ends with \ufffd")],
    ids=["lone surrogate", "final plus"],
)
def test_explicit_utf7_is_strict(tmp_path: Path, data: bytes, offset: int, replaced: str) -> None:
    # Python's codec passes both: a strict read names the shift, a lossy one replaces it.
    path = write(tmp_path, data)
    with pytest.raises(TextDecodeError, match=f"offset {offset}") as caught:
        read_text(path, "utf-7")
    assert caught.value.encoding == "utf-7"
    assert read_text(path, "utf-7", errors="replace") == (replaced, "utf-7")
