"""read_text: the text, the codec, and the errors for each kind of bad input."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest

from ingestion import BinaryFileError, Detection, TextDecodeError, read_text
from ingestion.encoding_detect import SAMPLE_BYTES
from ingestion.utils import fold_newline_bytes, fold_newlines, newline_safe

FRENCH = "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël.\n"
GERMAN = "Die Straße führt über die Brücke zum schönen Schloß; Müller äußerte sich.\n"


def write(tmp_path: Path, data: bytes, name: str = "file.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


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


def test_unknown_encoding_names_it(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="no-such-codec"):
        read_text(write(tmp_path, b"abc"), "no-such-codec")


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


def test_sample_pick_that_fails_later_is_rechecked_on_the_whole(tmp_path: Path) -> None:
    # cp1252 cannot decode 0x81; the byte sits between the sampled chunks.
    ascii_filler = "plain words only here\n" * (SAMPLE_BYTES // 10)
    data = FRENCH.encode("cp1252") + ascii_filler.encode() + b"\x81" + ascii_filler.encode()
    text, codec = read_text(write(tmp_path, data))
    assert codec != "cp1252"
    assert text == data.decode(codec)


def test_fallback_without_charset_normalizer_is_strict_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)
    path = write(tmp_path, FRENCH.encode("cp1252"), "legacy.txt")
    with pytest.raises(TextDecodeError, match=r"legacy\.txt.*utf-8"):
        read_text(path)
    assert read_text(write(tmp_path, FRENCH.encode(), "new.txt")) == (FRENCH, "utf-8")


def test_importing_is_cheap() -> None:
    # charset-normalizer is loaded only when a guess is needed.
    import subprocess  # noqa: PLC0415

    probe = "import sys, ingestion; print('charset_normalizer' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    assert result.stdout.strip() == "False"


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

    def cp1252(sample: bytes) -> Detection:
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


def test_eight_bit_bytes_no_codec_reads_are_refused_as_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingestion.encoding_detect as detect  # noqa: PLC0415

    def nothing(sample: bytes) -> Detection:
        return Detection(None, "detector")

    monkeypatch.setattr(detect, "guess", nothing)
    path = write(tmp_path, FRENCH.encode("cp1252"), "odd.bin")
    with pytest.raises(BinaryFileError, match=r"odd\.bin"):
        read_text(path)


def test_bom_utf8_with_crlf_and_a_bad_byte_reports_the_offset_in_the_file(
    tmp_path: Path,
) -> None:
    body = codecs.BOM_UTF8 + (FRENCH * 5).replace("\n", "\r\n").encode()
    path = write(tmp_path, body + b"\xff\r\n", "bom.txt")
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.offset, caught.value.bad_byte) == (len(body), 0xFF)
    assert read_text(path, errors="replace") == (FRENCH * 5 + "\ufffd\n", "utf-8")
