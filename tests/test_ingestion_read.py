"""read_text: the text, the codec, and the errors for each kind of bad input."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import Literal

import pytest
from ingestion_corpus import write

from ingestion import (
    BinaryFileError,
    Detection,
    TextDecodeError,
    UnknownEncodingError,
    read_text,
)
from ingestion.encoding_detect import SAMPLE_BYTES
from ingestion.utils import fold_newline_bytes, fold_newlines, newline_safe
from support import followed

FRENCH = "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël.\n"
GERMAN = "Die Straße führt über die Brücke zum schönen Schloß; Müller äußerte sich.\n"


def test_auto_reads_cp1252_and_folds_newlines(tmp_path: Path) -> None:
    path = write(tmp_path, FRENCH.replace("\n", "\r\n").encode("cp1252") + b"old mac\rend")
    assert read_text(path) == (FRENCH + "old mac\nend", "cp1252")


def test_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"))
    assert read_text(path) == (FRENCH, "utf-16-be")


def test_explicit_encoding_is_honoured_and_its_bom_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + FRENCH.encode())
    assert read_text(path, "utf-8") == (FRENCH, "utf-8")
    assert read_text(path, "utf-8-sig") == (FRENCH, "utf-8")
    # A BOM of another codec is text in the one the caller named.
    assert read_text(path, "latin-1")[0].startswith("ï»¿")


def test_explicit_utf16_takes_its_byte_order_from_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"))
    assert read_text(path, "utf-16") == (FRENCH, "utf-16-be")


def test_explicit_encoding_even_where_auto_would_differ(tmp_path: Path) -> None:
    path = write(tmp_path, FRENCH.encode("cp1252"))
    assert read_text(path, "cp1250")[0] == FRENCH.encode("cp1252").decode("cp1250")


def test_empty_file(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, b"")) == ("", "utf-8")


def test_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(FileNotFoundError, match=r"nowhere\.txt"):
        read_text(missing)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        read_text(tmp_path)


def test_binary_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "x.png")
    with pytest.raises(BinaryFileError, match=r"x\.png"):
        read_text(path)


def test_unknown_encoding_names_it_and_the_path(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match=r"file\.txt.*no-such-codec"):
        read_text(write(tmp_path, b"abc"), "no-such-codec")


@pytest.mark.parametrize(
    "codec",
    [
        "base64",
        "hex",
        "rot13",
        "zlib",
        "undefined",
        "unicode_escape",
        "raw_unicode_escape",
        "idna",
        "punycode",
    ],
)
def test_explicit_non_text_codec_is_refused_before_reading(tmp_path: Path, codec: str) -> None:
    # The file does not exist: a LookupError (not FileNotFoundError) shows nothing was read.
    missing = tmp_path / "never-read.txt"
    with pytest.raises(LookupError, match=rf"never-read\.txt.*{codec}"):
        read_text(missing, codec)


def test_undecodable_under_explicit_encoding_names_path_and_offset(tmp_path: Path) -> None:
    path = write(tmp_path, b"abc\xffdef", "bad.txt")
    with pytest.raises(TextDecodeError, match=r"bad\.txt.*offset 3") as caught:
        read_text(path, "utf-8")
    assert (caught.value.offset, caught.value.bad_byte) == (3, 0xFF)


def test_offset_counts_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + b"ab\xff")
    with pytest.raises(TextDecodeError, match="offset 5"):
        read_text(path, "utf-8")


def test_unreadable_file_raises_permission_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, so chmod cannot block the read: make the read itself refuse.
    path = write(tmp_path, b"secret", "locked.txt")
    real_read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(PermissionError, match=r"locked\.txt"):
        read_text(path)
    with pytest.raises(PermissionError, match=r"locked\.txt"):
        read_text(path, "utf-8")


@pytest.mark.parametrize("mode", ["ignore", "surrogateescape", "backslashreplace"])
def test_replace_is_the_only_lossy_mode(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ValueError, match="errors must be"):
        read_text(write(tmp_path, b"abc"), errors=mode)  # type: ignore[arg-type]


def test_mostly_utf8_with_a_stray_byte(tmp_path: Path) -> None:
    body = (FRENCH + "日本語 and ß\n") * 20
    data = body.encode() + b"caf\xe9\n"
    path = write(tmp_path, data, "mostly.txt")
    with pytest.raises(TextDecodeError, match=r"mostly\.txt.*errors='replace'") as caught:
        read_text(path)
    assert caught.value.offset == len(body.encode()) + 3
    assert caught.value.encoding == "utf-8"
    assert read_text(path, errors="replace") == (body + "caf\ufffd\n", "utf-8")


def test_large_file_detected_from_a_sample_is_decoded_whole(tmp_path: Path) -> None:
    text = (FRENCH + GERMAN) * (4 * SAMPLE_BYTES // len(FRENCH + GERMAN))
    path = write(tmp_path, text.encode("cp1252"))
    assert read_text(path) == (text, "cp1252")


def test_stray_byte_beyond_the_sample_is_not_mojibake(tmp_path: Path) -> None:
    # cp1252 cannot decode 0x81; the byte sits between the sampled chunks. Re-detection on the
    # whole file may find a codec that decodes every byte (cp775: "Le pĶre"), but its letters
    # fit no language, so it is refused: the error names the sample's codec and the offset.
    ascii_filler = "plain words only here\n" * (SAMPLE_BYTES // 10)
    data = FRENCH.encode("cp1252") + ascii_filler.encode() + b"\x81" + ascii_filler.encode()
    path = write(tmp_path, data, "stray.txt")
    with pytest.raises(TextDecodeError, match=r"stray\.txt.*cp1252") as caught:
        read_text(path)
    assert (caught.value.offset, caught.value.bad_byte) == (data.index(b"\x81"), 0x81)
    text, codec = read_text(path, errors="replace")
    assert codec == "cp1252"
    assert text == data.decode("cp1252", "replace")
    assert "père" in text


def test_a_redetected_codec_is_accepted_when_its_letters_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample says cp1252, the whole file (0x8d is undefined in cp1252) is Czech cp1250.
    from ingestion import io_text  # noqa: PLC0415

    czech = "Příliš žluťoučký kůň úpěl ďábelské ódy.\n"
    ascii_filler = "plain words only here\n" * (SAMPLE_BYTES // 10)
    data = (czech.encode("cp1250") + ascii_filler.encode()) * 2 + "Ťž\n".encode("cp1250")
    data += ascii_filler.encode()

    def pick(sample: bytes, *, confidence: bool = True) -> Detection:
        del confidence  # a stand-in: it scores no reading
        return Detection("cp1252" if len(sample) < len(data) else "cp1250", "detector", 0.9)

    monkeypatch.setattr(io_text, "guess", pick)
    monkeypatch.setattr("ingestion.encoding_detect.guess", pick)
    assert read_text(write(tmp_path, data)) == (data.decode("cp1250"), "cp1250")


def test_importing_is_cheap() -> None:
    # The language statistics are loaded only when a guess is needed; charset-normalizer never.
    import subprocess  # noqa: PLC0415

    probe = (
        "import sys, ingestion; from ingestion.plausibility import language_models; "
        "print('charset_normalizer' in sys.modules, language_models.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=followed({"PYTHONPATH": str(Path(__file__).parents[1] / "src")}),
    )
    assert result.stdout.strip() == "False 0"


def test_crlf_utf8_with_a_stray_byte_reports_the_offset_in_the_file(tmp_path: Path) -> None:
    # Newlines are folded in the bytes before decoding; the offset must still be the file's.
    body = ((FRENCH + "日本語 and ß\n") * 20).replace("\n", "\r\n")
    data = body.encode() + b"caf\xe9\r\n"
    path = write(tmp_path, data, "crlf.txt")
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.offset, caught.value.bad_byte) == (len(body.encode()) + 3, 0xE9)
    expected = body.replace("\r\n", "\n") + "caf\ufffd\n"
    assert read_text(path, errors="replace") == (expected, "utf-8")


def test_utf8_that_contains_replacement_characters_itself(tmp_path: Path) -> None:
    text = ("damaged before: \ufffd\ufffd\ufffd " + FRENCH) * 50
    path = write(tmp_path, text.replace("\n", "\r\n").encode())
    assert read_text(path) == (text, "utf-8")
    assert read_text(path, errors="replace") == (text, "utf-8")


def test_a_legacy_block_between_the_sampled_pieces_of_utf8(tmp_path: Path) -> None:
    # The sample is clean UTF-8, so the whole file is decoded as UTF-8 at once; the cp1252
    # block makes that fail and the read starts over from the bytes as stored.
    unit = (FRENCH + GERMAN).replace("\n", "\r\n")
    repeats = SAMPLE_BYTES // len(unit.encode())
    head = (unit * repeats).encode()
    data = head + (unit * (repeats // 2)).encode("cp1252") + (unit * 3 * repeats).encode()
    path = write(tmp_path, data, "mixed.txt")
    with pytest.raises(TextDecodeError, match=r"mixed\.txt") as caught:
        read_text(path)
    assert caught.value.offset == len(head) + FRENCH.encode("cp1252").index(b"\xe8")
    text, codec = read_text(path, errors="replace")
    assert codec == "utf-8"
    assert text == data.decode("utf-8", "replace").replace("\r\n", "\n")


def test_undecodable_byte_in_a_guessed_single_byte_codec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The byte search finds 0x81 (undefined in cp1252) at its offset in the file, CRs included.
    import ingestion.encoding_detect as detect  # noqa: PLC0415

    def cp1252(sample: bytes, *, confidence: bool = True) -> Detection:
        del confidence  # a stand-in: it scores no reading
        return Detection("cp1252", "detector", 0.9)

    monkeypatch.setattr(detect, "guess", cp1252)
    data = FRENCH.replace("\n", "\r\n").encode("cp1252") * 3 + b"x\x81y\r\n"
    path = write(tmp_path, data, "legacy.txt")
    with pytest.raises(TextDecodeError, match=r"legacy\.txt.*name the encoding") as caught:
        read_text(path)
    assert (caught.value.offset, caught.value.bad_byte) == (len(data) - 4, 0x81)
    assert read_text(path, errors="replace") == (FRENCH * 3 + "x\ufffdy\n", "cp1252")


@pytest.mark.parametrize(
    ("data", "folded"),
    [
        (b"a\r\nb\r\n", b"a\nb\n"),
        (b"a\rb\r\nc\r", b"a\nb\nc\n"),
        (b"no carriage returns\n", b"no carriage returns\n"),
    ],
)
def test_newlines_are_folded_in_the_bytes(data: bytes, folded: bytes) -> None:
    assert fold_newline_bytes(data) == folded
    assert folded.decode() == fold_newlines(data.decode())


@pytest.mark.parametrize(
    ("codec", "safe"),
    [
        ("utf-8", True),
        ("cp1252", True),
        ("latin-1", True),
        ("koi8-r", True),
        ("shift_jis", True),
        ("cp037", False),  # EBCDIC: LF is 0x25
        ("utf-16-le", False),
        ("iso2022_jp", False),
    ],
)
def test_which_codecs_may_fold_newlines_in_the_bytes(codec: str, safe: bool) -> None:
    assert newline_safe(codec) is safe


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detector's guess finds no codec (a stand-in that scores no reading)."""
    import ingestion.encoding_detect as detect  # noqa: PLC0415

    def nothing(sample: bytes, *, confidence: bool = True) -> Detection:
        del confidence
        return Detection(None, "detector")

    monkeypatch.setattr(detect, "guess", nothing)


@pytest.mark.usefixtures("no_reading")
def test_utf8_with_a_legacy_block_no_codec_reads_is_a_decode_error_not_binary(
    tmp_path: Path,
) -> None:
    # Nothing looks binary (no NUL, no control bytes); only the guess found no codec.
    head = (FRENCH * 50).encode()
    data = head + (FRENCH * 50).encode("cp1252")
    path = write(tmp_path, data, "appended.txt")
    with pytest.raises(TextDecodeError, match=r"appended\.txt.*errors='replace'") as caught:
        read_text(path)
    assert caught.value.encoding == "utf-8"
    assert caught.value.offset == len(head) + FRENCH.encode("cp1252").index(b"\xe8")
    assert read_text(path, errors="replace") == (data.decode("utf-8", "replace"), "utf-8")


@pytest.mark.usefixtures("no_reading")
def test_legacy_bytes_that_form_utf8_by_chance_are_not_blamed_on_utf8(tmp_path: Path) -> None:
    # Big5 text whose bytes hold two valid UTF-8 sequences by chance (E4 A8 AB, D1 A1) among
    # 14 bad bytes: when no reading looks like text, UTF-8 was never the likely one.
    data = "一邊走一邊聊天，中午".encode("big5")  # noqa: RUF001 - Chinese full-width comma
    assert data.decode("utf-8", "ignore") != data.decode("ascii", "ignore")
    with pytest.raises(UnknownEncodingError, match=r"chance\.txt: no known encoding"):
        read_text(write(tmp_path, data, "chance.txt"))


@pytest.mark.usefixtures("no_reading")
def test_chance_utf8_glued_to_bad_bytes_is_not_blamed_on_utf8(tmp_path: Path) -> None:
    # EUC-TW-like pairs (lead 0xC4-0xDF, trail 0xA1-0xFE, as its common hanzi are): 44 valid
    # UTF-8 sequences among 158 bad bytes, beyond the one-per-four bar, but 36 of them touch a
    # bad byte. UTF-8 was never the likely reading: it was blamed ("does not decode as utf-8").
    pairs = (bytes([0xC4 + i * 7 % 28, 0xA1 + i * 13 % 94]) for i in range(120))
    data = b"".join(pair + (b"\n" if i % 20 == 19 else b"") for i, pair in enumerate(pairs))
    with pytest.raises(UnknownEncodingError, match=r"euc\.txt: no known encoding") as refused:
        read_text(write(tmp_path, data, "euc.txt"))
    assert not isinstance(refused.value, TextDecodeError)


def test_strict_and_replace_agree_on_the_codec_of_utf8_with_a_legacy_block(
    tmp_path: Path,
) -> None:
    # Three-byte characters before the bad bytes: a window counted in characters (not bytes)
    # used to see three times as many of them in replace mode and call the file UTF-8.
    japanese = "日本語のテキストです。文字コードの判定を試験しています。東京は晴れです。\n"
    data = (japanese * 200).encode() + (FRENCH * 150).encode("cp1252")
    path = write(tmp_path, data, "mixed.txt")

    def codec_of(errors: Literal["strict", "replace"]) -> str:
        try:
            return read_text(path, errors=errors)[1]
        except TextDecodeError as error:
            return error.encoding

    assert codec_of("strict") == codec_of("replace")


def test_a_file_rewritten_between_the_two_reads_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CRLF UTF-8 with a legacy block between the sampled pieces: the folded bytes fail to decode
    # and the file is read again as stored. Here it is rewritten just before that second read.
    from ingestion import io_text  # noqa: PLC0415

    unit = (FRENCH + GERMAN).replace("\n", "\r\n")
    repeats = SAMPLE_BYTES // len(unit.encode())
    data = (unit * repeats).encode() + (unit * (repeats // 2)).encode("cp1252")
    data += (unit * 3 * repeats).encode()
    path = write(tmp_path, data, "growing.txt")
    real_fold = io_text.fold_newline_bytes

    def fold_then_rewrite(data: bytes) -> bytes:
        folded = real_fold(data)
        path.write_bytes(b"something else entirely\r\n" * 10)
        return folded

    monkeypatch.setattr(io_text, "fold_newline_bytes", fold_then_rewrite)
    with pytest.raises(OSError, match=r"growing\.txt.*changed while being read"):
        read_text(path)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_bomless_wide_text_with_long_lines_over_the_sample_size(tmp_path: Path, codec: str) -> None:
    # No newline to cut the sample at: its pieces must still start on a code unit.
    english = "The quick brown fox jumps over the lazy dog while the cat sleeps.\n"
    text = (FRENCH + english).replace("\n", " ") * 2000
    data = text.encode(codec)
    assert len(data) > SAMPLE_BYTES
    assert read_text(write(tmp_path, data)) == (text, codec)


def test_bom_utf8_with_crlf_and_a_bad_byte_reports_the_offset_in_the_file(
    tmp_path: Path,
) -> None:
    body = codecs.BOM_UTF8 + (FRENCH * 5).replace("\n", "\r\n").encode()
    path = write(tmp_path, body + b"\xff\r\n", "bom.txt")
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.offset, caught.value.bad_byte) == (len(body), 0xFF)
    assert read_text(path, errors="replace") == (FRENCH * 5 + "\ufffd\n", "utf-8")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_bad_byte_past_the_sample_of_a_multi_byte_file(tmp_path: Path, newline: str) -> None:
    # A multi-byte codec picked from the sample is decoded once, on the folded bytes; when that
    # fails, the file is read again and the error names the offset in the file as stored.
    from ingestion.utils import spread_sample  # noqa: PLC0415

    line = "昨日は友達と一緒に京都へ行きました。お寺を見て、抹茶を飲みました。" + newline
    data = (line * 4000).encode("shift_jis")
    for share in range(2, 40):
        at = data.index(newline.encode(), len(data) * share // 41) + len(newline)
        bad = data[:at] + b"\x81\x20" + data[at:]
        if b"\x81\x20" not in spread_sample(bad, SAMPLE_BYTES):
            break
    else:
        pytest.fail("no offset outside the sample")
    path = write(tmp_path, bad)
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.encoding, caught.value.offset) == ("shift_jis", at)
    text, encoding = read_text(path, errors="replace")
    assert encoding == "shift_jis"
    assert text.count("\ufffd") == 1
    clean = (line * 4000).replace("\r\n", "\n")
    assert read_text(write(tmp_path, data, "clean.txt")) == (clean, "shift_jis")


def test_a_shift_jis_pick_whose_file_holds_cp932_kanji_past_the_sample(tmp_path: Path) -> None:
    # Shift_JIS was picked on the sample; the file holds IBM extension kanji (cp932 only) where
    # the sample did not look: cp932, which decodes every sequence Shift_JIS decodes, reads it.
    from ingestion.readings import SCORE_BYTES  # noqa: PLC0415
    from ingestion.utils import spread_sample  # noqa: PLC0415

    line = "昨日は友達と一緒に京都へ行きました。お寺を見て、抹茶を飲みました。\n"
    data = (line * 400).encode("shift_jis")
    extra = "髙﨑".encode("cp932")
    for share in range(2, 40):
        at = data.index(b"\n", len(data) * share // 41) + 1
        mixed = data[:at] + extra + data[at:]
        if extra not in spread_sample(mixed, SCORE_BYTES):
            break
    else:
        pytest.fail("no offset outside the sample")
    path = write(tmp_path, mixed)
    text = mixed.decode("cp932")
    assert read_text(path) == (text, "cp932")
    assert read_text(path, errors="replace") == (text, "cp932")


def test_cjk_text_in_lines_longer_than_a_sample_piece_is_read(tmp_path: Path) -> None:
    # Paragraphs of GB2312 text with no line end or ASCII byte where a piece of the sample
    # starts: the piece may start on a character's second byte, and then no multi-byte codec
    # decodes the sample; the codec that decodes the whole file is sampled on its characters.
    from ingestion.readings import SCORE_BYTES  # noqa: PLC0415
    from ingestion.utils import spread_sample  # noqa: PLC0415

    paragraph = "道者令民与上同意可与之死可与之生而不畏危也天者阴阳寒暑时制也" * 40 + "\n"
    for head in range(4):
        text = "x" * head + "\n" + paragraph * 3
        data = text.encode("gb2312")
        try:
            spread_sample(data, SCORE_BYTES).decode("gb2312")
        except UnicodeDecodeError:
            break
    else:
        pytest.fail("every sample decodes")
    assert read_text(write(tmp_path, data)) == (text, "gb2312")
