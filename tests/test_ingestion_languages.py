# ruff: noqa: RUF001 - natural text in Greek and Cyrillic looks like Latin to ruff
"""Detection on natural text in many languages and code pages, and the inputs it must refuse."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from ingestion_corpus import DEVELOPMENT, Case, files, write

from ingestion import AmbiguousEncodingError, TextDecodeError, closecall, read_text
from ingestion.encoding_detect import (
    Detection,
    Sniffed,
    decide,
    detect_encoding,
    floor,
    guess,
    utf8_or_legacy,
    weighs_legacy,
)
from ingestion.plausibility import (
    MIXED_PAIR,
    UNREADABLE_EBCDIC,
    ebcdic_symbols_cost,
    language_models,
    profile,
    readable,
)
from ingestion.readings import SCORE_BYTES, SINGLE_BYTE, alike_languages, rank, rank_down_to

# One code page per language and size: the whole corpus runs in the benchmark.
SAMPLED = [
    case
    for case in files(DEVELOPMENT)
    if case.name.endswith("-lf")
    and any(f"-{codecs[0]}-" in case.name for codecs, _ in DEVELOPMENT.values())
]


def outcome(path: Path) -> str | AmbiguousEncodingError | TextDecodeError:
    """The text read, or the clear error that refused it."""
    try:
        return read_text(path)[0]
    except (AmbiguousEncodingError, TextDecodeError) as error:
        return error


@pytest.mark.parametrize(
    "case", [c for c in SAMPLED if not c.name.startswith("ro-")], ids=lambda case: case.name
)
def test_each_language_reads_back_exactly(tmp_path: Path, case: Case) -> None:
    assert read_text(write(tmp_path, case.data))[0] == case.text


def test_romanian_cedilla_or_comma_below_is_refused_naming_both(tmp_path: Path) -> None:
    """Romanian in cp1250 (cedilla ş ţ) and in ISO-8859-16 (comma-below ș ț) are the same
    bytes: the text is one or the other by the writer's code page, which the bytes do not say."""
    comma = "Astăzi științele și țările învață, însă fără grabă.\n"
    cedilla = comma.translate(str.maketrans("șț", "şţ"))
    assert comma.encode("iso8859-16") == cedilla.encode("cp1250")
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, comma.encode("iso8859-16")))
    assert {refused.value.encoding, refused.value.rival} == {"cp1250", "iso8859-16"}


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # The misses that opened issue 14, each in its own code page.
        ("הבוקר יצאנו מוקדם מהבית כדי להספיק לרכבת לירושלים.\n", "cp1255"),
        ("הבוקר יצאנו מוקדם מהבית כדי להספיק לרכבת לירושלים.\n", "iso8859-8"),
        ("지난 주말에 가족과 함께 부산에 다녀왔습니다.\n", "cp949"),
        ("지난 주말에 가족과 함께 부산에 다녀왔습니다.\n", "johab"),
        ("香港嘅天氣好熱，我哋去咗海邊。\n", "big5hkscs"),
        ("上个周末我和家人一起去了杭州。\n", "hz"),
        ("Pagājušajā vasarā mēs ar ģimeni devāmies uz jūru, vakarā mēs cepām zivis.\n", "cp1257"),
    ],
)
def test_the_reported_misses_read_right(tmp_path: Path, text: str, codec: str) -> None:
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


def test_hebrew_is_never_read_as_cyrillic() -> None:
    data = DEVELOPMENT["he"][1].encode("cp1255")
    ranked = rank(data)
    assert ranked[0].encoding == "cp1255"
    cyrillic = next(reading for reading in ranked if reading.encoding == "cp1251")
    assert ranked[0].score - cyrillic.score > 100  # not a close call


# Few accented letters that read alike in cp1250 and cp1252 (0xE8: è or č, 0xF8: ø or ř).
@pytest.mark.parametrize(
    ("text", "codec"),
    [("Jan Dvořák", "cp1250"), ("Bjørn", "cp1252"), ("crème", "cp1252"), ("česky", "cp1250")],
)
def test_two_plausible_readings_give_the_right_one_or_an_error_naming_both(
    tmp_path: Path, text: str, codec: str
) -> None:
    result = outcome(write(tmp_path, text.encode(codec), "few.txt"))
    if isinstance(result, str):
        assert result == text
    else:
        assert isinstance(result, AmbiguousEncodingError)
        assert "few.txt" in str(result)
        assert codec in (result.encoding, result.rival)  # the right one is named, never a third


def test_an_ambiguous_file_names_the_path_and_both_codecs(tmp_path: Path) -> None:
    path = write(tmp_path, "שלום".encode("cp1255"), "hello.txt")
    with pytest.raises(AmbiguousEncodingError) as caught:
        read_text(path)
    message = str(caught.value)
    assert "hello.txt" in message
    assert caught.value.encoding in message
    assert caught.value.rival in message
    assert caught.value.encoding != caught.value.rival
    # Naming the encoding settles it.
    assert read_text(path, encoding="cp1255") == ("שלום", "cp1255")


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("The Russian word Привет means hello; Москва is the capital.\n" * 3, "cp1251"),
        ("Η λέξη Ελλάδα (Greece) and the word Αθήνα (Athens) in English prose.\n" * 3, "cp1253"),
        ("Hebrew שלום עליכם and English side by side, with numbers 1234.\n" * 3, "cp1255"),
    ],
)
def test_mixed_scripts_in_one_legacy_file(tmp_path: Path, text: str, codec: str) -> None:
    assert read_text(write(tmp_path, text.encode(codec))) == (text, codec)


SHORT_WORDS = [
    "été",
    "Łódź",
    "Ελλάδα",
    "Привет",
    "שלום",
    "مرحبا",
    "ÀÉÈ",
    "ça",
    "naïve",
    "日本",
    "한국",
]
SHORT_CODECS = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1255", "cp1256", "shift_jis", "cp949"]


@pytest.mark.parametrize("word", SHORT_WORDS)
def test_a_very_short_file_reads_right_or_fails_clearly(tmp_path: Path, word: str) -> None:
    for codec in SHORT_CODECS:
        try:
            data = word.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(data) > 8:  # Cyrillic in Shift_JIS: two bytes a letter
            continue
        path = write(tmp_path, data, f"{codec}.txt")
        result = outcome(path)
        if isinstance(result, str):
            assert result == word, codec
        else:
            assert path.name in str(result)


def named_codecs(error: AmbiguousEncodingError) -> tuple[str, ...]:
    return (error.encoding, error.rival, *error.others)


@pytest.fixture
def every_close_reading_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refusals name every codec that reads within the margin, not only the closest few
    (``_OTHERS_NAMED``, and ``more`` for the rest): a test that uses it checks that the right
    codec is among the plausible readings, wherever it ranks among them."""
    from ingestion import encoding_detect  # noqa: PLC0415

    monkeypatch.setattr(encoding_detect, "_OTHERS_NAMED", 1 << 20)


# Tiny files that came back as other text, silently: legacy bytes that are also another
# script's letters (Hebrew as Cyrillic), and legacy bytes that happen to be valid UTF-8 (Big5
# "Ж" is the bytes of "Ǵ"; Thai in tis-620, Russian in cp866, Japanese in EUC-JP).
@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("עם עוג", "cp1255"),
        ("Ж", "big5"),
        ("ำกับ", "tis-620"),
        ("าน", "tis-620"),
        ("только", "cp866"),
        ("町", "euc_jp"),
        ("。奶奶", "gb2312"),
    ],
)
@pytest.mark.usefixtures("every_close_reading_named")
def test_a_tiny_file_that_reads_as_other_text_is_refused_naming_the_right_codec(
    tmp_path: Path, text: str, codec: str
) -> None:
    data = text.encode(codec)
    assert len(data) <= 8
    result = outcome(write(tmp_path, data, "tiny.txt"))
    if isinstance(result, str):
        assert result == text
    else:
        assert isinstance(result, AmbiguousEncodingError)
        assert "tiny.txt" in str(result)
        assert any(data.decode(named) == text for named in named_codecs(result))


def test_valid_utf8_that_is_also_legacy_text_names_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two bytes, one character either way: nothing can tell Big5 "Ж" from UTF-8 "Ǵ". Dozens
    # of code pages read them about as plausibly: the error names UTF-8 and the closest of
    # them, says there are others, and Big5 is one of those.
    path = write(tmp_path, "Ж".encode("big5"), "zhe.txt")
    with pytest.raises(AmbiguousEncodingError) as caught:
        read_text(path)
    assert (caught.value.encoding, caught.value.more) == ("utf-8", True)
    assert "zhe.txt" in str(caught.value)
    assert "and others); name the encoding" in str(caught.value)
    from ingestion import encoding_detect  # noqa: PLC0415

    monkeypatch.setattr(encoding_detect, "_OTHERS_NAMED", 1 << 20)
    with pytest.raises(AmbiguousEncodingError) as every:
        read_text(path)
    assert {"utf-8", "big5"} <= set(named_codecs(every.value))
    assert read_text(path, encoding="big5") == ("Ж", "big5")


@pytest.mark.parametrize("text", ["été", "Привет", "ça va", "naïve café", "→ 5 €", "日本語"])
def test_short_utf8_with_few_multi_byte_characters_stays_utf8(tmp_path: Path, text: str) -> None:
    assert read_text(write(tmp_path, text.encode())) == (text, "utf-8")


def test_utf8_is_weighed_against_legacy_readings_only_when_small_and_not_ascii() -> None:
    """``read_text`` takes UTF-8 that ``weighs_legacy`` rules out as UTF-8 without searching
    its text for U+FFFD or scoring it: ``utf8_or_legacy`` reads such bytes as UTF-8 whatever
    they hold (Big5 "Ж", a close call when the file is that small, included)."""
    zhe = "Ж".encode("big5")
    assert weighs_legacy(zhe)
    assert utf8_or_legacy(zhe, zhe.decode()).detection.rival is not None
    for data in (zhe * (SCORE_BYTES // len(zhe) + 1), b"plain ASCII text"):
        assert not weighs_legacy(data)
        assert utf8_or_legacy(data, data.decode()) == Sniffed(
            Detection("utf-8", "utf-8"), data.decode()
        )


@pytest.mark.usefixtures("every_close_reading_named")
def test_short_texts_in_every_language_are_never_read_wrong(tmp_path: Path) -> None:
    # A slice of benchmarks/sweep_short_texts.py (which runs all of it): words and fragments
    # of every corpus language in its first code page and in UTF-8. Each is read right or
    # refused by an error that names a codec reading it right; none is other text.
    right = refused = 0
    for language, (codecs, paragraph) in DEVELOPMENT.items():
        for codec in (codecs[0], "utf-8"):
            words = [paragraph[start : start + 3] for start in range(0, 60, 7)]
            words += paragraph.split()[:6]
            for text in words:
                try:
                    data = text.encode(codec)
                except UnicodeEncodeError:  # a slice through a decomposed Vietnamese letter
                    continue
                if data.isascii():
                    continue
                result = outcome(write(tmp_path, data, f"{language}.txt"))
                if isinstance(result, str):
                    assert result == text, (language, codec, text)
                    right += 1
                else:
                    assert isinstance(result, AmbiguousEncodingError), (language, codec, text)
                    assert any(data.decode(c) == text for c in named_codecs(result))
                    refused += 1
    assert right > refused / 4  # refusing everything would pass the loop above


def test_seven_bit_hz_is_decoded_and_ascii_tildes_are_not() -> None:
    assert detect_encoding("上个周末我和家人".encode("hz")).encoding == "hz"
    assert detect_encoding(b"cost ~{ about ~} 5 euros").encoding == "utf-8"


def test_random_high_bytes_are_not_text() -> None:
    noise = bytes((value * 73 + 41) % 128 + 128 for value in range(2048))
    assert guess(noise).encoding is None


def test_the_statistics_are_loaded_and_cover_every_codec_language() -> None:
    from ingestion.readings import EBCDIC, MULTI_BYTE, SINGLE_BYTE  # noqa: PLC0415

    models = language_models()
    for _, languages in (*SINGLE_BYTE, *EBCDIC, *MULTI_BYTE):
        assert set(languages) <= set(models)
    assert models["fr"].latin
    assert not models["ru"].latin


def test_controls_and_private_use_make_a_reading_unreadable() -> None:
    assert readable("plain\ttext\r\n")
    assert not readable("C1 \x85 control")
    assert not readable("private \ue000 use")


def test_marks_on_the_wrong_script_cost_like_a_letter_no_language_uses() -> None:
    thai_mark_on_latin = profile("caf\u0e49")
    assert thai_mark_on_latin.glued < profile("café").glued
    assert thai_mark_on_latin.glued <= MIXED_PAIR - 14.0  # mixed scripts plus an unseen letter


@pytest.mark.parametrize(
    "text",
    [
        # One accented letter in a short Latin sentence: TIS-620 reads it as a Thai mark on a
        # Latin letter (no Thai letter at all), which used to stay close enough to refuse.
        "Pourtant, le vieux marin résiste bien.\n",
        "Ana dijo que su gato comía mucho pescado.\n",
    ],
)
def test_a_thai_mark_on_a_latin_letter_is_no_rival(tmp_path: Path, text: str) -> None:
    assert read_text(write(tmp_path, text.encode("cp1252")))[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "Vlada je objavila da će plaće porasti iduće godine.\n",
        "Gradonačelnik je rekao da će se cesta uskoro popraviti.\n",
        "Kostelić je išao na skijanje sa svojim prijateljima.\n",
    ],
)
def test_croatian_without_dj_in_iso8859_13_is_judged_as_croatian(tmp_path: Path, text: str) -> None:
    """ISO-8859-13 has Croatian's č ć š ž (not đ): judged without Croatian, its "ć" was a
    Polish letter while cp1250's reading ("ă", "đ" for "š") was Croatian, and the first two
    were read silently as cp1252 and cp1250, the third refused."""
    assert "hr" in dict(SINGLE_BYTE)["iso8859-13"]
    data = text.encode("iso8859-13")
    assert read_text(write(tmp_path, data))[0] == text


@pytest.mark.parametrize(
    "text",
    [
        "Übermorgen fahren wir nach Berlin und besuchen die Familie.\n",
        "Über den Wolken muss die Freiheit wohl grenzenlos sein.\n",
    ],
)
@pytest.mark.parametrize("codec", ["cp1252", "iso8859-1"])
def test_a_capital_dotted_i_is_a_letter_to_pay_for(tmp_path: Path, text: str, codec: str) -> None:
    """Mac-turkish reads Latin-1 "Ü" as Turkish "İ", which lowers to ASCII "i": counted as
    nothing, "İbermorgen" was free ASCII text with no language prior, and the file a close
    call between cp1252 and mac-turkish (refused). As the letter "i" it is evidence."""
    assert profile("İber").chars == {"i": 1}
    data = text.encode(codec)
    assert read_text(write(tmp_path, data))[0] == text
    turkish = "İki gün sonra İstanbul'a döndüler.\n".encode("cp1254")
    assert read_text(write(tmp_path, turkish))[0] == turkish.decode("cp1254")


def test_sentences_in_six_languages_in_one_file(tmp_path: Path) -> None:
    # Each letter may come from another of the codec's languages: å, ñ, ã and ß in one cp1252
    # file are Western text, not iso8859-16 mojibake (å read as ć), which a single-language
    # first round made of this very sample.
    sentences = [
        sentence.strip()
        for name in ("fr", "de", "es", "pt", "it", "sv")
        for sentence in DEVELOPMENT[name][1].replace(". ", ".|").split("|")
    ]
    generator = random.Random(14)  # noqa: S311 - a fixed shuffle, not a secret
    lines: list[str] = []
    while sum(map(len, lines)) < 20_000:
        lines.append(" ".join(generator.choices(sentences, k=generator.randint(1, 4))))
    text = "\n".join(lines) + "\n"
    assert read_text(write(tmp_path, text.encode("cp1252"))) == (text, "cp1252")


def test_script_switches_counted_at_c_speed_match_the_pattern() -> None:
    # _switches counts what _SWITCHES finds, without a regex pass per reading; runs of spaces
    # of any length, at either end too, and Latin letters of both kinds.
    from ingestion.plausibility import _SWITCHES, _switches  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage]

    generator = random.Random(14)  # noqa: S311 - fixed shapes, not a secret
    shapes = ["", "a n", "an", "a  n l", "n a n a", "l   n", "aaa lll", " n a "]
    shapes += ["".join(generator.choice("aln  ") for _ in range(30)) for _ in range(2000)]
    shapes += ["n" + " " * 70 + "l", *(" " * n + "l n" for n in range(5))]
    shapes += [
        "".join(generator.choice("aln") + " " * generator.randint(0, 70) for _ in range(12))
        for _ in range(300)
    ]
    for shape in shapes:
        assert _switches(shape.encode("ascii")) == len(_SWITCHES.findall(shape)), shape


def test_skeleton_score_skips_counting_only_where_the_count_is_nothing() -> None:
    # skeleton_score returns at once without both "n" and "a" or "l": the counted float, -0.0
    # included.
    from ingestion.plausibility import _SWITCH, _SWITCHES, skeleton_score  # noqa: PLC0415  # pyright: ignore[reportPrivateUsage]

    generator = random.Random(15)  # noqa: S311 - fixed shapes, not a secret
    shapes = ["", "a", "aal l", "  ", "n", "an", "l n", "nn n", "n  l"]
    shapes += [
        "".join(generator.choice(kinds) for _ in range(20))
        for kinds in ("al  ", "aln ", "n  ", "nnnnnnnl  ")
        for _ in range(200)
    ]
    for shape in shapes:
        data = shape.encode("ascii")
        mixed = data.count(b"an") + data.count(b"na")
        counted = MIXED_PAIR * mixed + _SWITCH * len(_SWITCHES.findall(shape))
        found = skeleton_score(data)
        assert (found, math.copysign(1.0, found)) == (counted, math.copysign(1.0, counted)), shape


def test_mixed_score_of_a_single_byte_reading_on_its_bytes_is_the_texts() -> None:
    # The first round makes a text-counted single-byte reading's skeleton on the bytes.
    from ingestion import readings  # noqa: PLC0415
    from ingestion.plausibility import mixed_score  # noqa: PLC0415

    generator = random.Random(16)  # noqa: S311 - fixed bytes, not a secret
    samples = [case.data for case in files(DEVELOPMENT)[::7]]
    samples += [bytes(generator.randrange(256) for _ in range(60)) for _ in range(200)]
    codecs = ["cp1258", *(name for name, _ in readings.EBCDIC)]
    for sample in samples:
        for encoding in codecs:
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            found = readings._mixed_score(sample, encoding, text)  # pyright: ignore[reportPrivateUsage]
            expected = mixed_score(text)
            assert (found, math.copysign(1.0, found)) == (expected, math.copysign(1.0, expected))
    assert readings._raw_skeleton("gbk") is None  # pyright: ignore[reportPrivateUsage]


def test_a_sentence_of_ascii_letters_shrinks_the_short_text_margin(tmp_path: Path) -> None:
    """One accented letter in a sentence: its ASCII letters count for about a third of one
    non-ASCII letter toward the evidence (they weigh the language), enough to read this
    Croatian sentence, whose cp1252 rival reads ``će`` as ``æe``. Tiny files are unchanged."""
    text = "Ona je rekla da će doći sutra navečer.\n"
    assert read_text(write(tmp_path, text.encode("iso8859-2")))[0] == text
    with pytest.raises(AmbiguousEncodingError):
        read_text(write(tmp_path, "će".encode("iso8859-2"), "tiny.txt"))


def test_a_reading_with_no_letter_of_its_code_pages_script_pays_for_it(tmp_path: Path) -> None:
    """KOI8-R reads German ``schön`` as ``sch\\xa0n`` and ISO-8859-7 Spanish ``canción`` as
    ``canci'n`` (a right single quote): no Cyrillic or Greek letter in either. Such a reading
    costs what a letter no language uses costs, so it no longer leads (KOI8-R did, refused
    only by the margin) nor stays a close rival (ISO-8859-7 was one)."""
    german = "Wir haben gestern im Garten gearbeitet, schön.\n".encode("mac-roman")
    ranked = {reading.encoding: reading.score for reading in rank(german)}
    assert max(ranked, key=ranked.__getitem__) == "mac-roman"
    assert ranked["koi8-r"] <= ranked["mac-roman"] - 5.0
    spanish = "La canción era muy bonita y larga.\n"
    assert read_text(write(tmp_path, spanish.encode("cp850")))[0] == spanish


@pytest.mark.parametrize(
    "text",
    ["Ta ütles: ¡ tere ! ja läks.\n", "Real text: \u00b4 stands alone.\n"],
    ids=["opening-mark-before-a-space", "spacing-accent-alone"],
)
def test_punctuation_out_of_its_place_costs_like_a_glued_symbol(text: str) -> None:
    quoted = text.replace("\u00a1", "\u201d").replace("\u00b4", "\u201c")  # the same, as quotes
    assert profile(text).glued <= profile(quoted).glued - 8.0


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Hij zei het wéér: het is slechts één keer gebeurd, en daarna nooit meer.\n", "cp850"),
        (
            "De trein had wéér vertraging. Volgens de vervoerder is er slechts één oorzaak,"
            " maar reizigers zijn boos.\n",
            "cp437",
        ),
    ],
)
def test_a_run_of_symbols_inside_a_word_costs_as_a_symbol_there(
    tmp_path: Path, text: str, codec: str
) -> None:
    """DOS Dutch "wéér" (0x82 twice) reads in cp1252 as w, two low-9 quotes (U+201A) and r:
    neither quote has a letter on each side, so the run cost only what quotes next to a word
    cost, and cp1252's reading outscored cp850's prior (refused on main, cp1252 -44.0 against
    cp850 -47.3)."""
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text
    assert profile("w\u201a\u201ar").glued <= profile("w\u201a r").glued - 12.0


def test_baltic_quotes_are_not_read_as_an_accent_and_an_inverted_mark(tmp_path: Path) -> None:
    """ISO-8859-13 writes “ ” at 0xB4 0xA1, where cp1252 has an acute accent and ¡: with
    spaces inside the quotes (as tokenized text has them) both readings cost the same and the
    file was refused."""
    text = "Ema küsis: “ Kas sa tuled täna koju ? ”\nIsa vastas: “ Jah . ”\n"
    assert read_text(write(tmp_path, text.encode("iso8859-13")))[0] == text


def test_a_language_keeps_only_the_letters_of_its_own_alphabet() -> None:
    """The web text behind the statistics holds mojibake: Hungarian ``û`` for ``ű`` (ISO-8859-2
    read as Latin-1), Croatian ``æ`` for ``ć`` (cp1250 read as cp1252). The table keeps only
    each language's own letters, so such a letter costs what borrowing it from a language
    that writes it costs (``scripts/derive_char_ngrams.py``, ``ALPHABETS``)."""
    models = language_models()
    assert "ű" in models["hu"].letters
    assert "û" not in models["hu"].letters
    assert not any("û" in pair for pair in models["hu"].pairs)
    assert "ć" in models["hr"].letters
    assert "æ" not in models["hr"].letters
    assert "û" in models["fr"].letters  # a language that writes it keeps it


@pytest.mark.parametrize(
    "text",
    ["A gyűlés után hazament.\n", "Ez a szép gyümölcs nagyon drága, mondta a tűzoltó.\n"],
)
def test_hungarian_double_acute_is_not_a_rival_circumflex(tmp_path: Path, text: str) -> None:
    """cp1250 ``ű`` is ISO-8859-16's ``û``: both readings were Hungarian to the statistics, and
    the file was refused."""
    assert read_text(write(tmp_path, text.encode("cp1250")))[0] == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("El niño jugaba con su perro en la plaza del pueblo.\n", "cp850"),
        ("Les enfants jouaient dans le jardin derrière la maison.\n", "cp1252"),
    ],
)
def test_the_ascii_letters_say_the_language_of_a_short_sentence(
    tmp_path: Path, text: str, codec: str
) -> None:
    """Forty ASCII letters of Spanish or French say which language a sentence is in: a wrong
    reading judged as another language (cp775 ``ni\u017co`` as Polish) pays for the misfit up
    to 10 nats per non-ASCII letter. Capped at 6, it stayed a close rival: the file was refused."""
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


def test_turkish_dotted_capital_i_is_a_letter_not_a_stray_mark(tmp_path: Path) -> None:
    """``"İ".lower()`` is ``i`` plus a combining dot above: counted as a stray mark, it cost
    8 nats in each Turkish reading that holds ``İ`` and a cp1254 sentence was refused."""
    assert profile("İyi akşamlar dedi.\n").glued == profile("Iyi akşamlar dedi.\n").glued
    text = "İyi akşamlar dedi.\n"
    assert read_text(write(tmp_path, text.encode("cp1254")))[0] == text


def test_a_latin_mark_left_over_after_composition_costs_like_a_letter_no_one_uses(
    tmp_path: Path,
) -> None:
    """cp1258 writes Vietnamese tones as combining marks; on Lithuanian ISO-8859-4 text it
    reads ``ė`` (0xEC) as an acute accent on the letter before: ``b\\u0301go``, a letter no
    language writes (Unicode has no ``b`` with an acute), where it cost as a stray mark."""
    assert profile("b\u0301go").glued == -14.0  # an unseen letter's cost (a stray mark: 8)
    assert profile("be\u0301go").glued == 0.0  # composes: \u00e9
    text = "Vaikas bėgo per kiemą.\n"
    data = text.encode("iso8859-4")
    assert rank(data)[0].encoding == "iso8859-4"
    assert read_text(write(tmp_path, data))[0] == text


@pytest.mark.parametrize(
    ("text", "codec", "rival"),
    [
        # Estonian ä (cp1252) or õ (cp850): "lähevad" is a word, "lõhevad" hardly.
        ("Homme hommikul lähevad nad koos poistega linna kinno.\n", "cp1252", "cp850"),
        # Esperanto ĉ (ISO-8859-3) or Bosnian ć (cp1250): the ASCII words are Esperanto.
        ("Ni vidis ĉiujn amikojn en la urbo hieraux vespere.\n", "iso8859-3", "cp1250"),
        # Slovenian š (cp1257) or đ (cp1250): "vprašanja" is Slovenian, "vprađanja" nothing.
        ("Nismo vedeli, kaj naj naredimo, in vprašanja so ostala.\n", "iso8859-13", "cp1250"),
        # Slovenian č (cp852) or ü (mac-roman): "črto".
        ("Ljudje so narisali črto, da bi razdelili polje na dva dela.\n", "cp852", "mac-roman"),
        # German ö (mac-roman) or a Cyrillic letter (KOI8-R, whose languages have no trigrams:
        # their letter pairs chain the words).
        ("Wir wollen das Problem heute noch gemeinsam lösen.\n", "mac-roman", "koi8-r"),
        # Guillemets (ISO-8859-1) or ISO-8859-3 letters: a reading with letters where another
        # has punctuation pays for those letters, the other for its punctuation.
        ("Il a dit : « nous partirons demain matin » (selon lui).\n", "iso8859-1", "iso8859-3"),
    ],
)
def test_words_settle_a_close_call_the_letters_left_open(
    tmp_path: Path, text: str, codec: str, rival: str
) -> None:
    """Letters and pairs alone put these readings within the margin (the file was refused);
    the words of the best one score ``closecall.CONFIRM`` nats above the rival's."""
    data = text.encode(codec)
    letters_only = decide(rank_down_to(data, floor))
    assert letters_only.rival == rival
    assert data.decode(str(letters_only.encoding)) == text
    assert read_text(write(tmp_path, data))[0] == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # cp1257 "kužas" is the letters' best: the words prefer the right reading, which the
        # rule never picks over the letters' best, so the file stays refused.
        ("Li kuŝas en la lito kaj legas libron pri historio.\n", "iso8859-3"),
        # Romanian cedilla or comma-below: one text to the words, as to the letters.
        ("Astăzi științele și țările învață, însă fără grabă.\n", "iso8859-16"),
    ],
)
def test_words_never_overturn_the_letters_and_twins_stay_refused(
    tmp_path: Path, text: str, codec: str
) -> None:
    with pytest.raises(AmbiguousEncodingError):
        read_text(write(tmp_path, text.encode(codec)))


def test_a_close_call_is_confirmed_only_for_the_letters_best_and_on_enough_letters() -> None:
    text = "Homme hommikul lähevad nad koos poistega linna kinno.\n"
    data = text.encode("cp1252")
    estonian = ("et",)
    assert closecall.confirmed([("cp1252", estonian), ("cp850", estonian)], data)
    assert not closecall.confirmed([("cp850", estonian), ("cp1252", estonian)], data)
    short = "Nad lähevad.\n".encode("cp1252")  # fewer than MIN_LETTERS letters
    assert not closecall.confirmed([("cp1252", estonian), ("cp850", estonian)], short)
    undefined = b"\x81" + data  # cp1252 leaves 0x81 undefined: no reading, no confirmation
    assert not closecall.confirmed([("cp1252", estonian), ("cp850", estonian)], undefined)
    # ``settle`` asks ``enough_letters`` first: False exactly where ``confirmed`` fails for it
    assert closecall.enough_letters(data, "cp1252")
    assert not closecall.enough_letters(short, "cp1252")
    assert not closecall.enough_letters(undefined, "cp1252")


def test_the_word_statistics_load_only_on_a_close_call(tmp_path: Path) -> None:
    closecall.trigrams.cache_clear()
    text = "Les enfants jouaient dans le jardin derrière la maison.\n"
    assert read_text(write(tmp_path, text.encode("cp1252")))[0] == text
    assert closecall.trigrams.cache_info().currsize == 0
    table = closecall.trigrams()
    assert {"et", "eo", "sl", "pl", "de", "fr"} <= set(table)
    for language, grams in table.items():
        assert all(len(gram) == 3 and not gram.isascii() for gram in grams), language
    assert not any(char in gram for gram in table["ro"] for char in "şţ")  # folded


def test_faroese_is_known_in_both_spellings_of_its_o_with_stroke(tmp_path: Path) -> None:
    """The Faroese statistics were counted from older printings that write "ö" for today's
    "ø": counted so only, Faroese had no "ø", and one "ø" put ISO-8859-16's Hungarian "ű"
    within the margin of cp1252's right reading (the file was refused)."""
    faroese = language_models()["fo"]
    assert {"ø", "ö"} <= set(faroese.letters)
    assert any("ø" in gram for gram in closecall.trigrams()["fo"])
    assert {"mt", "se", "fo"} <= set(closecall.trigrams())
    text = "Hann fer til Føroya at vitja familjuna um jólini.\n"
    assert read_text(write(tmp_path, text.encode("cp1252"))) == (text, "cp1252")


def test_a_trigram_the_table_lacks_costs_its_pair_and_more() -> None:
    pair = -language_models()["et"].pairs["õh"] / 10
    seen = closecall.word_score("läh", "et")
    assert closecall.word_score("lõh", "et") < seen
    unseen = closecall.word_score("xõh", "et") - closecall.word_score("xõ", "et")
    assert abs(unseen - (pair - 2.0)) < 1e-9


def test_a_letter_foreign_to_the_language_costs_more_in_words_than_an_unseen_pair() -> None:
    """Estonian has "ž" (not "žu") and no "ø": "døunglites" pays an unseen letter where
    "džunglites" pays an unseen pair, so the words tell the ISO-8859-15 reading from cp1257's."""
    estonian = language_models()["et"]
    assert "ž" in estonian.letters
    assert "ø" not in estonian.letters
    assert "žu" not in estonian.pairs
    assert closecall.word_score("dø", "et") - closecall.word_score("d", "et") == -14.0
    assert closecall.word_score("la", "et") - closecall.word_score("l", "et") > -10.0
    assert closecall.word_score("lž", "et") - closecall.word_score("l", "et") == -10.0
    assert closecall.word_score("džunglites", "et") > closecall.word_score("døunglites", "et") + 3


def test_a_capital_after_a_small_letter_costs_an_unseen_letter_in_words() -> None:
    """Mac-roman reads cp1250 "sztukę" as "sztukÍ": lowercased, its word is Spanish-looking
    "sztukí"; the capital after a small letter is what gives the reading away."""
    languages = ("es", "pl")
    lowered = closecall.text_score("Grano sztuk\u00ed o krolu.", languages)
    assert closecall.text_score("Grano sztuk\u00cd o krolu.", languages) == lowered - 14.0
    assert closecall.text_score("GRANO SZTUK\u00cd.", languages) == closecall.text_score(
        "grano sztuk\u00ed.", languages
    )


def test_a_symbol_glued_to_a_word_where_a_rival_reads_a_letter_is_never_confirmed() -> None:
    """Mojibake's mark: the words of "Kosteli\u201e" lose a letter to pay for, so they would
    beat "Kostelić"; the letters' verdict (a refusal) stands. Punctuation apart from words,
    where a rival reads letters (guillemets against ISO-8859-3's), is weighed as usual."""
    assert closecall._glued_for_a_letter("Kosteli\u201e je", "Kosteli\u0107 je")  # pyright: ignore[reportPrivateUsage]
    assert not closecall._glued_for_a_letter("dit \u00ab nous", "dit \u0124 nous")  # pyright: ignore[reportPrivateUsage]
    text = "Kiedyś mieszkali tam razem z dziadkiem i babcią w dużym domu.\n"
    data = text.encode("iso8859-16")  # cp1250 reads ś as ÷, glued to "Kiedy"
    polish = ("pl",)
    assert not closecall.confirmed([("cp1250", polish), ("iso8859-16", polish)], data)


def test_a_close_call_judges_a_reading_by_every_code_page_that_reads_it_alike(
    tmp_path: Path,
) -> None:
    """Czech in cp1250 whose only accented letter is "ý" reads alike in cp1252, which names the
    reading; the letters judge it as Czech too (the languages of every code page that reads it
    so), and so must the words: judged by cp1252's Western languages alone, Turkish cp1254
    "Minul\u0131 t\u0131den" won by words and the slice was read silently wrong."""
    sample = "Minulý týden jsme se vydali na vý".encode("cp1250")
    assert "cs" not in SINGLE_BYTE[0][1]
    assert {"cs", "sk", "pl"} <= set(alike_languages("cp1252", sample) or ())
    assert alike_languages("cp1258", sample) is None  # no letter code page
    assert alike_languages("cp1252", b"\x81") is None  # does not decode
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, sample))
    assert {refused.value.encoding, refused.value.rival} == {"cp1254", "cp1252"}
    text = "Minulý týden jsme se vydali na výlet do Krkonoš. C\n"  # refused before
    assert read_text(write(tmp_path, text.encode("cp1250"))) == (text, "cp1252")


def test_a_capital_inside_a_small_word_or_alone_between_small_words_costs_in_words(
    tmp_path: Path,
) -> None:
    """cp850 reads mac-roman "Götter" as "GÜtter" (a capital after a capital, before a small
    letter), mac-cyrillic reads cp1251's en dash in "повезло \u2013 тот" as a lone "Ц": the
    words, lowercased, took both for words and confirmed the wrong reading; each now costs an
    unseen letter, and the close call is refused, naming both readings."""
    german = ("de",)
    assert closecall.text_score("Die G\u00dctter", german) == (
        closecall.text_score("Die G\u00fctter", german) - 14.0
    )
    assert closecall.text_score("DIE G\u00dcTTER", german) == closecall.text_score(
        "die g\u00fctter", german
    )
    russian = ("ru",)
    lone = closecall.text_score("повезло Ц тот", russian)
    assert lone == closecall.text_score("повезло ц тот", russian) - 14.0
    assert closecall.text_score("Сказал Я тот", russian) == (
        closecall.text_score("Сказал я тот", russian) - 14.0
    )
    assert closecall.text_score("ПОВЕЗЛО Ц ТОТ", russian) == (
        closecall.text_score("повезло ц тот", russian)
    )
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, "Die Götter stellten unverwechselb".encode("mac-roman")))
    named = {refused.value.encoding, refused.value.rival, *refused.value.others}
    assert {"cp850", "mac-roman"} <= named


def test_a_capital_alone_between_small_letters_costs_what_one_after_a_small_letter_does(
    tmp_path: Path,
) -> None:
    """cp1251 reads mac-cyrillic "детей ≈ залог" as "детей \u0415 залог", a one-letter capital
    word between small words where the other reading has a symbol: the letters took it for
    the better reading, by more than the margin (read silently wrong). It now costs what a
    capital right after a small letter costs, in the letters as in the words."""
    small = profile("детей е залог").glued
    assert profile("детей Е залог").glued == small - 10.0
    assert profile("ДЕТЕЙ Е ЗАЛОГ").glued == profile("ДЕТЕЙ Ж ЗАЛОГ").glued
    text = " наших детей ≈ залог вашей безгра"
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, text.encode("mac-cyrillic")))
    named = {refused.value.encoding, refused.value.rival, *refused.value.others}
    assert {"cp1251", "mac-cyrillic"} <= named
    text = "е — динамическое, разноместное и подвижное[14][15]"  # cp1251 "Ч" for the dash
    assert read_text(write(tmp_path, text.encode("mac-cyrillic"))) == (text, "mac-cyrillic")
    text = "у повезло – тот еще поел и потрах"  # the dash read as a lone capital: refused
    for codec in ("cp1251", "mac-cyrillic"):  # before, now read right by letters and words
        assert read_text(write(tmp_path, text.encode(codec))) == (text, codec)


_GERMAN = (
    "Die Bürger müssen für die Größe der Brücke zahlen, schön wäre es, wenn die Straße führte.\n"
)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (_GERMAN, "cp037"),
        (_GERMAN, "cp273"),
        ("Hyväksyttäväksi esitys, jonka mukaan päätös on käytetty tänään hyödyksi.\n", "cp500"),
        ("Türkiye'nin güzel şehirlerinde çok büyük bir değişim yaşanıyor, çünkü\n", "cp1026"),
    ],
)
def test_ebcdic_national_code_pages_are_told_apart_by_symbols_next_to_letters(
    tmp_path: Path, text: str, codec: str
) -> None:
    """EBCDIC code pages read ASCII from high bytes too: cp273 reads cp037's "ä ö ü ß" as
    "{ ¦ } ~", cp875 (Greek) reads cp1026's "ç ğ ş" as "{ } |" and cp500's "ü" as SUB.
    Such a symbol next to a letter costs what a non-ASCII one does, and SUB is unreadable."""
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


def test_ebcdic_symbols_cost_only_next_to_letters_and_brackets_only_inside_words() -> None:
    glued = ebcdic_symbols_cost("f}r")
    assert glued < ebcdic_symbols_cost("f}") < 0
    assert ebcdic_symbols_cost("[Nota] a {x} b") == 2 * ebcdic_symbols_cost("a{")
    assert ebcdic_symbols_cost("a[b") == glued
    assert ebcdic_symbols_cost("C:\\Temp\\Viewer, user@example, don't, x - y") == 0
    assert not readable("f\x1ar", UNREADABLE_EBCDIC)


@pytest.mark.parametrize(
    ("lowered", "glued_sides"),
    [
        ("a{}b", (1, 1)),  # two symbols, each touching one letter
        ("a[]b", ()),  # a bracket beside a bracket is inside no word
        ("ä~ß", (2,)),  # non-ASCII letters are letters
        ("1{2 _|_", ()),  # digits and underscores are not
        ("{a^", (1, 1)),  # at either end of the text
        ("a|b|c\nd`", (2, 2, 1)),
    ],
)
def test_ebcdic_symbols_cost_sums_each_symbol_by_the_letters_beside_it(
    lowered: str, glued_sides: tuple[int, ...]
) -> None:
    one, inside = ebcdic_symbols_cost("a{"), ebcdic_symbols_cost("a{b")
    assert ebcdic_symbols_cost(lowered) == sum(
        one if sides == 1 else inside for sides in glued_sides
    )


_ICELANDIC = (
    "Þetta er íslenskur texti með bókstöfunum ð, þ og æ, sem eru algengir í íslensku máli.\n"
)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Її історія і культура єднають українців, які живуть у різних країнах.\n", "cp1125"),
        ("A educação não é só informação: as lições e as canções são importantes.\n", "cp860"),
        (_ICELANDIC, "cp861"),
        (_ICELANDIC, "mac-iceland"),
    ],
)
def test_dos_and_mac_code_pages_of_one_language_are_candidates(
    tmp_path: Path, text: str, codec: str
) -> None:
    """Read as their nearest relative, these came back wrong at high confidence (cp1125 as
    cp866, which reads Ukrainian letters as Belarusian or symbols; cp861 as cp850, "ð" as "î")
    or were refused (cp860, mac-iceland)."""
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


def test_the_most_common_code_pages_reading_always_reaches_the_final(tmp_path: Path) -> None:
    """Letters alone undersell punctuation: Italian whose non-ASCII characters are mostly
    guillemets ranked sixth in the first round, behind ISO-8859-2's Slovak "Ť ť" for "« »",
    and was read so at confidence 0.87; its cp1252 reading wins once it is scored in full."""
    text = (
        "Home » È missione » Storia e vita\n«Aveva fabbricato tutte le chiese». Tantardini"
        " era «conosciuto da tutti», come «fabbro di Dio». Disse: «Sforzarmi di essere amico"
        " di tutti». In missione è rimasto, oggi «è amico di Dio, nemico di nessuno».\n"
    )
    assert read_text(write(tmp_path, text.encode("cp1252")))[0] == text
