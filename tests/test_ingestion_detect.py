"""Detection: what wins and why, on bytes generated here (no shared data needed)."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest

from ingestion import Detection, detect_encoding, read_text

FRENCH = "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël. Où est la clé ?\n"
CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy. Večer jsme šli do divadla s přáteli.\n"
POLISH = "Zażółć gęślą jaźń. Wczoraj poszliśmy do kościoła, a potem na obiad.\n"
TURKISH = "Türkçe öğrenmek için İstanbul'a gittim. Şehir çok güzeldi, ılık bir gündü.\n"  # noqa: RUF001
ESTONIAN = "Öösel sadas lund ja hommikul läksime õue, šokolaad ja žürii ootasid.\n"
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю. Вчера мы были в театре.\n"
JAPANESE = "日本語のテキストです。文字コードの判定を試験しています。東京は晴れです。\n"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"


def text_of(data: bytes) -> str:
    encoding = detect_encoding(data).encoding
    assert encoding is not None
    return data.decode(encoding)


@pytest.mark.parametrize(
    ("bom", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_bom_decides_first(bom: bytes, expected: str) -> None:
    data = bom + FRENCH.encode(expected)
    assert detect_encoding(data) == Detection(expected, "bom")


def test_valid_utf8_is_utf8_even_when_a_declaration_disagrees() -> None:
    data = ('<meta charset="iso-8859-1">' + FRENCH).encode()
    assert detect_encoding(data) == Detection("utf-8", "utf-8")


def test_pure_ascii_is_utf8() -> None:
    assert detect_encoding(b"plain text\n") == Detection("utf-8", "utf-8")


@pytest.mark.parametrize(
    ("header", "codec", "text", "expected"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-2"?>\n', "iso8859-2", CZECH, "iso8859-2"),
        ('<html><meta charset="windows-1250">', "cp1250", CZECH, "cp1250"),
        (
            '<meta http-equiv="Content-Type"\ncontent="text/html; charset=koi8-r">',
            "koi8-r",
            RUSSIAN,
            "koi8-r",
        ),
        ("# -*- coding: latin-1 -*-\n", "latin-1", FRENCH, "iso8859-1"),
        # cp720 reads some bytes 0x80-0x9F as C1 controls, 0x82 as "é": that one is text.
        ('<meta charset="cp720">', "cp720", "مرحبا بكم في المقهى café\n", "cp720"),
    ],
)
def test_a_declaration_that_decodes_is_honoured(
    header: str, codec: str, text: str, expected: str
) -> None:
    data = (header + text).encode(codec)
    assert detect_encoding(data) == Detection(expected, "declared")


def test_a_declared_shift_jis_falls_back_to_its_vendor_superset() -> None:
    # "①" exists in cp932 but not in plain Shift_JIS.
    data = ('<meta charset="x-sjis">' + JAPANESE + "①").encode("cp932")
    assert detect_encoding(data) == Detection("cp932", "declared")


THAI = "ภาษาไทยเป็นภาษาราชการของประเทศไทย “ข่าว” • ราคา \u2013 100 บาท…\n"
CHINESE = "中文文本的编码检测——测试。威廉·莎士比亚是英国作家。\n"


@pytest.mark.parametrize(
    ("label", "codec", "text", "expected"),
    [
        # TIS-620 and ISO-8859-9 read bytes 0x80-0x9F as C1 controls: their Windows supersets
        # read the punctuation the text was written with (WHATWG: windows-874, windows-1254).
        ("tis-620", "cp874", THAI, "cp874"),
        ("iso-8859-11", "cp874", THAI, "cp874"),
        ("iso-8859-9", "cp1254", "“" + TURKISH + "” \u2013 …", "cp1254"),
        # GB2312 reads 0xA1AA as "―" and 0xA1A4 as "・" where GBK reads "—" and "·".
        ("gb2312", "gbk", CHINESE, "gbk"),
        # Without those bytes both read alike: the declared name stays.
        ("gb2312", "gb2312", CHINESE.replace("——", "，").replace("·", ""), "gb2312"),  # noqa: RUF001
        ("shift_jis", "shift_jis", JAPANESE, "shift_jis"),
        ("tis-620", "tis-620", THAI[:33], "tis-620"),
    ],
    ids=[
        *("tis-620", "iso-8859-11", "iso-8859-9", "gb2312"),
        *("gb2312-alike", "shift_jis-alike", "tis-620-alike"),
    ],
)
def test_a_declared_label_reads_as_its_whatwg_superset_where_they_differ(
    label: str, codec: str, text: str, expected: str
) -> None:
    data = (f'<?xml version="1.0" encoding="{label}"?>\n' + text).encode(codec)
    assert detect_encoding(data) == Detection(expected, "declared")
    assert text_of(data) == f'<?xml version="1.0" encoding="{label}"?>\n' + text


def test_a_declared_latin_label_never_reads_c1_controls() -> None:
    # 0x81 is undefined in cp1252 and a C1 control in ISO-8859-1: no declared reading is text,
    # and detection decides (here on a byte no Western code page reads as text: cp1251's "Ѓ").
    data = ('<meta charset="iso-8859-1">' + FRENCH).encode("cp1252") + b"\x81"
    assert detect_encoding(data).reason == "detector"


def pair_readings(codec: str) -> list[str | None]:
    """What ``codec`` reads each byte pair as (lead 0x81-0xFE, trail 0x40-0xFE; None where a
    strict decode fails): one decode per lead byte, each pair followed by a line end."""
    found: list[str | None] = []
    for lead in range(0x81, 0xFF):
        row = b"".join(bytes((lead, trail)) + b"\n" for trail in range(0x40, 0xFF))
        pieces = row.decode(codec, "replace").split("\n")[:-1]
        assert len(pieces) == 0xFF - 0x40  # no line end was taken into a bad sequence
        found.extend(None if "\ufffd" in piece else piece for piece in pieces)
    return found


def test_read_otherwise_lists_every_pair_the_superset_reads_differently() -> None:
    from ingestion.supersets import LABEL_SUPERSETS, READ_OTHERWISE  # noqa: PLC0415

    differing: dict[str, set[str]] = {}
    for codec in ("shift_jis", "gb2312", "euc_kr"):
        pairs = zip(pair_readings(codec), pair_readings(LABEL_SUPERSETS[codec][0]), strict=True)
        differing[codec] = {mine for mine, theirs in pairs if mine is not None and mine != theirs}
    assert differing["gb2312"] == set(READ_OTHERWISE["gb2312"])
    assert not differing["euc_kr"]  # cp949 reads every EUC-KR pair alike
    # Shift_JIS keeps JIS X 0208's readings where cp932 differs (not in READ_OTHERWISE).
    assert differing["shift_jis"] == set("\u301c\u2016\u2212\xa2\xa3\xac")
    assert "shift_jis" not in READ_OTHERWISE


def test_every_decode_superset_decodes_all_its_codec_does() -> None:
    from ingestion.supersets import DECODE_SUPERSETS  # noqa: PLC0415

    for codec, supersets in DECODE_SUPERSETS.items():
        own = pair_readings(codec)
        for superset in supersets:
            theirs = pair_readings(superset)
            assert not [pair for pair, read in enumerate(own) if read and theirs[pair] is None]


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # GBK reads GB2312 0xA1AA as an em dash and 0xA1A4 as a middle dot (as GB 18030 does).
        (CHINESE * 3, "gbk"),
        (JAPANESE * 3, "shift_jis"),  # read alike: the standard names it
        (CHINESE.replace("——", "，").replace("·", "") * 3, "gb2312"),  # noqa: RUF001
    ],
    ids=["gbk", "shift_jis", "gb2312"],
)
def test_undeclared_text_a_windows_superset_reads_otherwise_is_read_by_it(
    text: str, codec: str
) -> None:
    data = text.encode(codec)
    assert detect_encoding(data).encoding == codec
    assert text_of(data) == text


JIS_SYMBOLS = "１０〜２０、−５、‖、¢、£、¬\n"  # noqa: RUF001 - JIS X 0208's own characters


@pytest.mark.parametrize("header", ["", '<?xml version="1.0" encoding="shift_jis"?>\n'])
def test_shift_jis_text_keeps_jis_x_0208s_wave_dash_and_minus(header: str) -> None:
    # 0x8160 is JIS X 0208's wave dash (U+301C), 0x817C its minus sign: cp932 reads them as a
    # full-width tilde and hyphen-minus. Shift_JIS text (declared or not) keeps its own reading.
    text = header + JAPANESE * 3 + JIS_SYMBOLS
    data = text.encode("shift_jis")
    assert detect_encoding(data).encoding == "shift_jis"
    assert text_of(data) == text


def test_text_written_in_cp932_with_its_ibm_kanji_is_read_as_cp932() -> None:
    # The same bytes 0x8160 with a cp932-only character in the sample: only cp932 reads it.
    text = JAPANESE * 3 + "１０～２０、髙﨑\n"  # noqa: RUF001
    assert detect_encoding(text.encode("cp932")).encoding == "cp932"
    assert text_of(text.encode("cp932")) == text


def test_a_declaration_the_bytes_contradict_is_ignored() -> None:
    data = ('<meta charset="shift_jis">' + FRENCH).encode("cp1252")
    detection = detect_encoding(data)
    assert detection.reason == "detector"
    assert detection.encoding == "cp1252"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (FRENCH, "cp1252"),
        (CZECH, "cp1250"),
        (CZECH, "iso8859-2"),
        (POLISH, "iso8859-2"),
        (TURKISH, "cp1254"),
        (ESTONIAN, "cp1257"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        (JAPANESE * 3, "shift_jis"),
        ("Café crème, naïve résumé.\n", "latin-1"),
        ("Grüße\n", "cp1252"),
        ("año\n" * 4, "cp1252"),
    ],
)
def test_the_detector_returns_the_original_text(text: str, codec: str) -> None:
    data = text.encode(codec)
    assert text_of(data) == text
    assert detect_encoding(data).reason == "detector"


def test_western_text_is_not_read_as_central_european() -> None:
    # charset-normalizer alone calls this cp1250 and turns "è" into "č".
    detection = detect_encoding(FRENCH.encode("cp1252"))
    assert detection.encoding == "cp1252"
    assert detection.confidence == 1.0


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_bomless_wide_unicode_is_recognised(codec: str) -> None:
    data = ("这是一个中文文本" + "\uff0c" + "用来测试字符编码的检测。" + FRENCH).encode(codec)
    assert detect_encoding(data).encoding == codec


def test_wide_readings_probed_first_are_judged_as_judging_each_whole() -> None:
    """_wide_or_binary skips a codec whose decoded first bytes hold an unreadable character:
    the same detection as judging every codec's whole sample (binary, wide text, a surrogate
    pair cut at the probe's end)."""
    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion.utils import aligned_sample  # noqa: PLC0415

    def judged_whole(data: bytes) -> tuple[str | None, float | None]:
        sample = aligned_sample(data, e.SAMPLE_BYTES)
        shares = [
            (e._plausible_share(sample.decode(codec, "replace")), codec)  # pyright: ignore[reportPrivateUsage]
            for codec in e._WIDE_CODECS  # pyright: ignore[reportPrivateUsage]
            if not len(data) % (4 if codec.startswith("utf-32") else 2)
        ]
        share, codec = max(((s, c) for s, c in shares), key=lambda x: x[0], default=(0.0, None))
        if share < e._WIDE_PLAUSIBLE:  # pyright: ignore[reportPrivateUsage]
            return None, None
        return codec, round(share, 3)

    astral = ("a" * 511 + "\U0001f600" + FRENCH) * 30  # past the size that is probed
    inputs = [
        PNG_HEADER + bytes(range(256)) * 40,
        bytes(4) + b"ftypmp42" + bytes(range(256)) * 40,
        PNG_HEADER[:8] + bytes(range(256)),
        *((FRENCH * 300).encode(codec) for codec in ("utf-16-le", "utf-32-be")),
        *(astral.encode(codec) for codec in ("utf-16-le", "utf-16-be")),
    ]
    for data in inputs:
        found = e._wide_or_binary(data).detection  # pyright: ignore[reportPrivateUsage]
        assert (found.encoding, found.confidence) == judged_whole(data)


@pytest.mark.parametrize("codec", ["iso2022_jp", "iso2022_kr"])
def test_seven_bit_iso2022_is_not_mistaken_for_ascii(codec: str) -> None:
    text = (
        JAPANESE if codec == "iso2022_jp" else "이것은 한국어 텍스트입니다. 오늘 날씨가 좋습니다.\n"
    )
    assert text_of(text.encode(codec)) == text


def test_iso2022_jp_2004_is_read_by_the_codec_that_knows_its_designation() -> None:
    # ESC $ ( Q designates JIS X 0213 plane 1 (2004), which iso2022_jp does not read: the text
    # came back as ASCII with its escapes in it
    text = "漢字とかな、それに𠀋も。\n"
    data = text.encode("iso2022_jp_2004")
    assert b"\x1b$(Q" in data
    assert detect_encoding(data).encoding == "iso2022_jp_2004"
    assert text_of(data) == text


# ISO-2022-CN: GB2312 designated to G1 (ESC $ ) A), shifted in by SO and out by SI. No Python
# codec reads it; iso2022_jp_2 "decodes" it, passing SO and SI through as controls.
_GB_IN_SEVEN_BITS = bytes(byte & 0x7F for byte in "中文的文本".encode("gb2312"))
ISO2022_CN = (
    b"\x1b$)A\x0e" + _GB_IN_SEVEN_BITS + b"\x0f Unicode \x0e" + _GB_IN_SEVEN_BITS + b"\x0f\n"
)


def test_iso2022_designations_no_codec_reads_leave_no_codec(tmp_path: Path) -> None:
    from ingestion import UnknownEncodingError  # noqa: PLC0415

    assert detect_encoding(ISO2022_CN).encoding is None
    path = tmp_path / "cn.txt"
    path.write_bytes(ISO2022_CN)
    with pytest.raises(UnknownEncodingError, match=r"cn\.txt: .*ESC \$ \) A at offset 0") as caught:
        read_text(path)
    assert caught.value.detail
    # replace mode reads the 7-bit bytes as they are (nothing to replace), as for 8-bit text
    # that no codec reads
    assert read_text(path, errors="replace") == (ISO2022_CN.decode("ascii"), "utf-8")


def test_iso2022_jp_with_a_pair_it_cannot_decode_names_the_codec_and_the_byte(
    tmp_path: Path,
) -> None:
    # JIS X 0208 row 2 cell 15 (0x22 0x2F) is unassigned: the file is ISO-2022-JP with a bad
    # pair, not a character set no codec reads, and not ASCII
    from ingestion import TextDecodeError  # noqa: PLC0415

    data = b'abc \x1b$B$+$J"/\x1b(B\n'
    assert detect_encoding(data).encoding == "iso2022_jp"
    path = tmp_path / "jis.txt"
    path.write_bytes(data)
    with pytest.raises(TextDecodeError) as caught:
        read_text(path)
    assert (caught.value.encoding, caught.value.offset) == ("iso2022_jp", 11)


def test_terminal_escape_codes_are_not_iso2022() -> None:
    # colours, and the reset ``tput sgr0`` writes (ESC ( B designates ASCII)
    data = b"\x1b[31merror\x1b(B\x1b[m: disk full\n"
    assert detect_encoding(data).encoding == "utf-8"


@pytest.mark.parametrize(
    "data",
    [
        PNG_HEADER + bytes(range(256)) * 4,
        b"GIF89a\x01\x00\x01\x00\x80\x01\x00\x00\x00\x00",
        b"a\x00b",
    ],
)
def test_binary_data_has_no_encoding(data: bytes) -> None:
    assert detect_encoding(data).encoding is None


def test_one_stray_control_byte_does_not_make_text_binary() -> None:
    data = (FRENCH * 50).encode("cp1252") + b"\x1a"
    assert detect_encoding(data).encoding == "cp1252"


def test_a_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(CZECH.encode("cp1250"))
    assert detect_encoding(path).encoding == "cp1250"
    assert detect_encoding(str(path)).encoding == "cp1250"


def test_detection_needs_no_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    # The detector ships its own statistics; charset-normalizer is only benchmarked against.
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)
    assert detect_encoding(FRENCH.encode("cp1252")).encoding == "cp1252"
    assert detect_encoding(FRENCH.encode()) == Detection("utf-8", "utf-8")


@pytest.mark.parametrize(
    "codec", ["base64", "hex", "rot13", "zlib", "undefined", "unicode_escape", "raw_unicode_escape"]
)
def test_a_declared_non_text_codec_is_ignored(tmp_path: Path, codec: str) -> None:
    # Neither an error nor a decode that rewrites escapes: detection decides, as if undeclared.
    # (French enough to tell cp1252 from cp1250: "café crème" alone reads as well as "crčme")
    source = f"# -*- coding: {codec} -*-\nname = '\\u0041 café crème, à la française, très élevé'\n"
    path = tmp_path / "declared.py"
    path.write_bytes(source.encode("cp1252"))
    assert detect_encoding(path).reason != "declared"
    text, encoding = read_text(path)
    assert (text, encoding) == (source, "cp1252")


@pytest.mark.parametrize("text", [FRENCH * 3, TURKISH * 3])
def test_text_gb18030_encodes_in_four_bytes_is_judged_in_its_own_language(text: str) -> None:
    # GB 18030 reaches every code point: "â" or "ğ" in four bytes. Judged as Chinese only, its
    # reading of French was no text, and the file was refused.
    data = text.encode("gb18030")
    assert detect_encoding(data).encoding == "gb18030"
    assert text_of(data) == text


def test_cyrillic_in_a_cjk_character_set_is_judged_as_russian() -> None:
    # GB 2312 and JIS X 0208 hold the Cyrillic alphabet (in the same row: EUC-JP and GBK read
    # these bytes alike). Judged as Chinese only, Russian in GBK was read as Big5 mojibake.
    data = (RUSSIAN * 2).encode("gbk")
    assert detect_encoding(data).encoding in ("gb2312", "gbk", "euc_jp")
    assert text_of(data) == RUSSIAN * 2


def test_a_chance_gb18030_four_byte_sequence_does_not_win_over_latin_text() -> None:
    # "é1é1" is a four-byte GB 18030 sequence; the rest of the bytes read as CJK mojibake.
    text = FRENCH * 2 + "Prix : é1é1 et à2à3.\n"
    assert detect_encoding(text.encode("cp1252")).encoding == "cp1252"


def test_a_lead_byte_glued_to_an_ascii_letter_is_no_latin_letter() -> None:
    # Big5-HKSCS reads 0x88 before "t" as "ō": judged as French, "l'ōre" rivalled cp850's
    # "l'être" and the sentence was refused.
    data = "Le risque potentiel chez l'être humain n'est pas connu.".encode("cp437")
    assert detect_encoding(data).encoding == "cp850"


# Written for this test: a Latin-9 character list with a few words. Its letters "Œ œ Š š Ž ž
# Ÿ" read as symbols in cp1252 ("¼ ½ ¦ ¨" and spacing accents), which the first round,
# counting letters only, does not count: ISO-8859-15 ranked below the finalists and was never
# scored.
LATIN9_LIST = """Kind: a Latin-9 sample with the euro and the OE ligatures.
---
01: Words: crème brûlée, naïve garçon, piñata, São Paulo.
02: Money: € 3  €2.75  €250
03: Ligatures: Œdipe, nœud, vœu (Œ/œ).
04: Names: Šárka, Živa, Žofie (Š/š/Ž/ž).
05: Diaeresis: Ÿ
06: Money signs: € £ ¥ ¢
07: Quotes: ¡ ¿ « »
08: Signs: ± × ÷
09: Plain quotes: "Hi" and 'there' and - dash
10: Brackets: ( ) [ ] { } < >
11: End
"""  # noqa: RUF001 - the multiplication sign is the text


def test_a_vendor_variant_ranked_low_by_letters_is_still_scored(tmp_path: Path) -> None:
    path = tmp_path / "latin9.txt"
    path.write_bytes(LATIN9_LIST.encode("iso8859-15"))
    assert read_text(path) == (LATIN9_LIST, "iso8859-15")
