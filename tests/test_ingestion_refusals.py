# ruff: noqa: RUF001 - natural CJK text has full-width punctuation
"""Issue 19: code pages that differ in a few letters, scripts no codec covers, and refusals
that say why. Each fixture is a real sentence written for this test, encoded in the code page
its language was written in."""

from __future__ import annotations

import collections
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from ingestion_corpus import write

from ingestion import (
    AmbiguousEncodingError,
    TextDecodeError,
    UnknownEncodingError,
    read_text,
)
from ingestion.plausibility import profile
from ingestion.utils import spread_sample

if TYPE_CHECKING:
    from ingestion.encoding_detect import Detection, Sniffed
    from ingestion.readings import Reading, _Candidate, _Scorer  # pyright: ignore[reportPrivateUsage]

MALTESE = (
    "Il-Gvern ħabbar li l-uffiċjali tal-ministeru se jiltaqgħu ġimgħa oħra biex jiddiskutu "
    "ż-żieda fil-pagi tal-ħaddiema u l-ħtiġijiet tal-iskejjel.\n"
)
ESPERANTO = "La ĉefurbo de Ĉeĥio estas Prago, kaj ĝiaj ŝoseoj estas ĉiam plenaj de aŭtoj.\n"
ESTONIAN = (
    "Pavlovitš kirjutas ajalehes, et šokolaadi hind tõusis jälle ning ülikooli õpilased "
    "ei ole sellega sugugi rahul, sest žürii otsus jäi muutmata.\n"
)
NORTH_SAMI = (
    "Sámegiella lea oassi uralalaš gielaid bearrašis, ja dan hállet Norggas, Ruoŧas ja "
    "Suomas. Mánát ohppet sámegiela skuvllas ja ođđa girjjit čállojit juohke jagi.\n"
)
POLISH = (
    "Wczoraj wieczorem poszliśmy z przyjaciółmi nad jezioro, gdzie łowiliśmy ryby i "
    "rozmawialiśmy o życiu aż do późnej nocy.\n"
)
CROATIAN = (
    "Jučer smo išli na izlet u planine, gdje smo šetali kroz šumu i ručali u maloj kući "
    "pokraj rijeke, a navečer smo se vratili kući umorni.\n"
)
LITHUANIAN = (
    "Vakar mes su šeima važiavome prie jūros, kur ilgai vaikščiojome pakrante ir "
    "rinkome gintarą, o vakare valgėme šviežią žuvį.\n"
)
GEORGIAN = (
    "საქართველო არის ქვეყანა კავკასიაში. მისი დედაქალაქია თბილისი, სადაც ცხოვრობს "
    "მოსახლეობის დიდი ნაწილი. ქართული ენა ერთ-ერთი უძველესი ენაა.\n"
)


def georgian_8bit(text: str) -> bytes:
    """Georgian as its legacy 8-bit code pages put it (letters from 0xC0 on): no Python codec
    reads it, and every candidate codec maps those bytes to another alphabet's letters."""
    return bytes(0xC0 + ord(char) - 0x10D0 if char > "\x7f" else ord(char) for char in text)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (MALTESE, "iso8859-3"),  # read as cp1252 before: "uffiåjali"
        (ESPERANTO, "iso8859-3"),
        (NORTH_SAMI, "iso8859-10"),
        (NORTH_SAMI, "iso8859-4"),
        (POLISH, "iso8859-13"),  # read as ISO-8859-16 before
        (CROATIAN, "iso8859-13"),  # read as cp1250 before
        (LITHUANIAN, "iso8859-13"),
    ],
)
def test_latin_code_pages_of_every_language_read_right(
    tmp_path: Path, text: str, codec: str
) -> None:
    # The text is what counts: cp1257 reads ISO-8859-13 text alike and is named first.
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


@pytest.mark.parametrize("codec", ["iso8859-4", "iso8859-13", "cp1257", "iso8859-10"])
def test_estonian_is_never_read_as_cp1252_mojibake(tmp_path: Path, codec: str) -> None:
    # cp1252 reads ISO-8859-4's š as ¹ ("Pavlovit¹"): a symbol glued to a word. The text is
    # right, or (its few letters that differ) refused naming the right codec; never mojibake.
    data = ESTONIAN.encode(codec)
    try:
        text, _ = read_text(write(tmp_path, data))
    except AmbiguousEncodingError as refused:
        named = (refused.encoding, refused.rival, *refused.others)
        assert any(data.decode(name) == ESTONIAN for name in named)
    else:
        assert text == ESTONIAN


def test_a_symbol_inside_a_word_costs_like_a_misread_letter() -> None:
    assert profile("Jürgen ja Tõnu").glued == 0
    assert profile("J³rgen ja Tõnu").glued < profile("Jürgen³ ja Tõnu").glued - 10


def test_a_script_no_codec_covers_is_refused_naming_the_closest_readings(
    tmp_path: Path,
) -> None:
    data = georgian_8bit(GEORGIAN)
    path = write(tmp_path, data, "georgian.txt")
    with pytest.raises(UnknownEncodingError, match=r"georgian\.txt.*closest readings") as refused:
        read_text(path)
    assert not isinstance(refused.value, TextDecodeError)  # UTF-8 was never the likely reading
    assert "utf-8" not in str(refused.value)
    readings = refused.value.readings
    assert len(readings) >= 2
    assert [note.score for note in readings] == sorted((n.score for n in readings), reverse=True)
    for note in readings:
        assert note.offset is not None
        assert data[note.offset] == note.byte
        assert data[note.offset : note.offset + 2].decode(note.encoding, "ignore")[:1].lower() in (
            note.char.lower()
        )


# Georgian's two 8-bit code pages as uchardet's test files (ka/georgian-academy.txt and
# ka/georgian-ps.txt, beside ka/utf-8.txt) write the letters of GEORGIAN_MARMOTS, and the em
# dash. Unlike ``georgian_8bit`` both put a Cyrillic-looking letter where cp1251 or KOI8-R has
# a common one, and the Latin name keeps a small letter in the text (no capitals-only cost):
# each letter reads as common Russian, only their pairs give the soup away.
GEORGIAN_LETTERS = "აბგდევზთიკლმნოპრსუფქღშცძწხ—"
GEORGIAN_CODE_PAGES = {
    "georgian-academy": bytes.fromhex("c0c1c2c3c4c5c6c7c8c9cacbcccdced0d1d3d4d5d6d8dadbdcde97"),
    "georgian-ps": bytes.fromhex("c0c1c2c3c4c5c6c8c9cacbcccdcfd0d2d3d6d7d8d9dbdddedfe197"),
}
GEORGIAN_MARMOTS = (
    "ალპური ვირზაზუნა (Marmota marmota) — მღრღნელი. ვირზაზუნები მთებში ცხოვრობენ და "
    "ზამთარში დიდხანს სძინავთ. ზაფხულში ისინი ბალახს და ფესვებს ეძებენ, ხოლო საფრთხის "
    "დროს ერთმანეთს ხმამაღლა აფრთხილებენ. ამ ცხოველებს მეცნიერები დიდი ხანია სწავლობენ.\n"
)


@pytest.mark.parametrize("code_page", sorted(GEORGIAN_CODE_PAGES))
def test_georgian_in_its_real_code_pages_is_refused(tmp_path: Path, code_page: str) -> None:
    # Read before as cp1251 capitals ("АЛПУРИ ВИРЗАЖУМА") or KOI8-R ("южрчти бирфюфчмю"), at
    # confidence 1.0: common Cyrillic letters in pairs no language has.
    table = str.maketrans(dict(zip(GEORGIAN_LETTERS, GEORGIAN_CODE_PAGES[code_page], strict=True)))
    data = GEORGIAN_MARMOTS.translate(table).encode("latin-1")
    with pytest.raises(UnknownEncodingError, match="closest readings") as refused:
        read_text(write(tmp_path, data))
    assert not isinstance(refused.value, TextDecodeError)


TAJIK = (
    "Ҷумҳурии Тоҷикистон дар Осиёи Марказӣ ҷойгир аст. Пойтахти он шаҳри Душанбе мебошад. "
    "Забони давлатӣ забони тоҷикӣ аст. Қисми зиёди қаламрави кишварро кӯҳҳо ташкил медиҳанд.\n"
)


def test_tajik_in_koi8_t_is_not_read_as_koi8_r_box_drawing(tmp_path: Path) -> None:
    """KOI8-R reads KOI8-T's Tajik letters "ҳ қ ҷ ӣ ӯ" as box drawing inside Cyrillic words
    ("Ҷумҳурии" as "▌ум┼урии"), which no text has: it was read so at confidence 1.0. The
    model has no Tajik, so no reading is text in a language it knows: refused, naming koi8-r
    and the byte of its first box."""
    with pytest.raises(UnknownEncodingError, match=r"koi8-r .*byte 0x80") as refused:
        read_text(write(tmp_path, TAJIK.encode("koi8_t")))
    assert not isinstance(refused.value, TextDecodeError)


def test_symbols_inside_words_are_symbols_between_two_letters() -> None:
    from ingestion.readings import symbols_inside_words  # noqa: PLC0415

    assert symbols_inside_words("Ум┼урии ┼ам то┼".encode("koi8_r"), "koi8-r") == 1
    # Punctuation is not counted (an en dash between names), nor a symbol beside a digit.
    assert symbols_inside_words("Paris–Berlin, 20°C, 3×4, m² a".encode("cp1252"), "cp1252") == 0
    assert symbols_inside_words("Pavlovi¹a".encode("cp1252"), "cp1252") == 1


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # Pangrams: real sentences made of rare letter pairs, the closest genuine text comes to
        # the letter-pair bar (-1.6 nats a pair on 26 pairs, the bar there -1.69).
        ("Любя, съешь щипцы, — вздохнёт мэр, — кайф жгуч.\n", "cp1251"),
        ("Эх, чужак, общий съём цен шляп (юфть) — вдрызг!\n", "cp1251"),
        ("Ѕидарски пејзаж: шугав билмез со чудење џвака ќофте и кељ на туѓ цех.\n", "cp1251"),
        ("Ταχίστη αλώπηξ βαφής ψημένη γη, δρασκελίζει υπέρ νωθρού κυνός.\n", "iso8859-7"),
        # Latin text whose letters are mostly accented ones is held to the bar too.
        ("Zażółć gęślą jaźń, pchnąć w tę łódź jeża lub ośm skrzyń fig.\n", "cp1250"),
    ],
)
def test_short_texts_of_rare_letter_pairs_still_read(tmp_path: Path, text: str, codec: str) -> None:
    assert read_text(write(tmp_path, text.encode(codec)))[0] == text


# Seeded random byte pairs in 0xA1-0xFE between ASCII words, as a script no codec covers looks
# in a CJK codec. In euc_jis_2004 the pair A4 F7 reads as two code points (U+304B U+309A), and
# the second was the reading's least likely character: encoding it alone to find its byte
# raised UnicodeEncodeError out of read_text.
_TWO_CODE_POINTS_IN_ONE_PAIR = (
    b"EUC \xde\xbe\xef\xeb\xb9\xdfEUC \xb9\xe7\xbd\xbf\xe8\xaaEUC \xdf\xb1\xc7\xda\xa4\xf9"
    b"\xed\xc0\xa1\xdb\xe7\xf7\xa2\xbb\xc7\xd62024\xcc\xb9\xf3\xedEUC \n\xb0\xe4\xda\xfe"
    b"\xc6\xb7\xe9\xcb\xd4\xc3\xea\xf2, \xe2\xdd\xd6\xe9EUC , \xcf\xf0\xd9\xbb2024\xcb\xac"
    b"EUC 2024\n"
)


def test_a_refusal_names_a_byte_that_reads_as_two_code_points(tmp_path: Path) -> None:
    from ingestion import detect_encoding  # noqa: PLC0415

    data = _TWO_CODE_POINTS_IN_ONE_PAIR
    notes = detect_encoding(data).readings  # raised UnicodeEncodeError before
    assert notes
    with pytest.raises((AmbiguousEncodingError, UnknownEncodingError, TextDecodeError)):
        read_text(write(tmp_path, data))
    for note in notes:
        if note.offset is not None:
            assert data[note.offset] == note.byte
            piece = data[note.offset : note.offset + 2].decode(note.encoding, "ignore")
            assert note.char in piece


def test_the_bytes_of_a_character_are_found_by_decoding() -> None:
    from ingestion.readings import _char_span  # noqa: PLC0415 # pyright: ignore[reportPrivateUsage]

    pair = "か゚".encode("euc_jis_2004")  # one byte pair, two code points
    assert _char_span(b"a" + pair + b"b", "euc_jis_2004", 2) == (1, 3)
    assert _char_span(b"a" + pair + b"b", "euc_jis_2004", 3) == (3, 4)
    # あい△ in EUC-JP: △ is A2 A4, which also sits across あ and い (bytes 1-2)
    assert _char_span(b"\xa4\xa2\xa4\xa4\xa2\xa4", "euc_jp", 2) == (4, 6)
    assert _char_span(b"abc", "cp1252", 1) == (1, 2)


def test_an_ambiguous_refusal_names_each_reading_with_its_score_and_byte(
    tmp_path: Path,
) -> None:
    comma = "Astăzi științele și țările învață, însă fără grabă.\n"
    data = comma.encode("iso8859-16")
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, data))
    notes = {note.encoding: note for note in refused.value.readings}
    assert set(notes) == {"cp1250", "iso8859-16"}
    assert (notes["cp1250"].char, notes["iso8859-16"].char) == ("ş", "ș")
    assert notes["cp1250"].offset == notes["iso8859-16"].offset == data.index(b"\xba")
    assert "score" in str(refused.value)
    assert "first offending byte 0xba" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "codec"),
    [("ça", "cp1252"), ("ок", "cp1251"), ("ő", "iso8859-2"), ("καλά", "cp1253")],
)
def test_a_refusal_names_the_closest_readings_of_the_full_ranking_scoring_fewer(
    tmp_path: Path, text: str, codec: str
) -> None:
    """A tiny file reads within the margin in a dozen code pages or more. The refusal names
    the closest: the detection ``guess`` makes (which scores readings only as far as the few
    a refusal names) is the one made on the full ranking (``rank``: every finalist scored),
    its others the closest three of the full ranking's close readings, ``more`` set; and it
    scores fewer readings than there are close ones (before, every one was scored in full)."""
    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    data = text.encode(codec)
    ranked = r.rank(data)
    every = e.decide(ranked, confidence=False)
    assert every.rival is not None
    close = (every.rival, *every.others)
    assert len(close) > 5
    scored = [0]
    counting = r._Scorer.reading  # pyright: ignore[reportPrivateUsage]

    def counted(self: object, index: int) -> r.Reading:
        scored[0] += 1
        return counting(self, index)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(r._Scorer, "reading", counted)  # pyright: ignore[reportPrivateUsage]
        found = e.guess(data, confidence=False)
    assert found == e.explained(data, ranked, e.settle(data, every))
    assert (found.rival, found.others, found.more) == (close[0], close[1:4], True)
    assert [note.encoding for note in found.readings] == [every.encoding, *close[:2]]
    assert scored[0] < len(close)
    with pytest.raises(AmbiguousEncodingError) as refused:
        read_text(write(tmp_path, data))
    assert (refused.value.encoding, refused.value.rival) == (every.encoding, close[0])
    assert (refused.value.others, refused.value.more) == (close[1:4], True)
    assert f"(also in {', '.join(close[1:4])} and others)" in str(refused.value)


def test_the_floor_keeps_every_close_reading_when_words_may_settle_the_call() -> None:
    """``verdict_floor`` rises to the last close reading a refusal needs (the fifth: three
    others named, and whether there are more) only when the best reading lacks the letters
    ``settle`` needs to weigh every close rival (``enough_letters``); with them, or without
    the data, it stays a margin below the best, where every close reading scores above it."""
    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    codecs = [codec for codec, _ in r.SINGLE_BYTE]
    distinct = [c for c in codecs if not any(r.variants(c, o) for o in codecs if o != c)]
    # Mostly ASCII letters: plausible whatever the score. Nine close rivals, 1 nat apart.
    ranked = [
        r.Reading(codec, -float(place), "en", 1, 0.0, 20)
        for place, codec in enumerate(distinct[:10])
    ]
    margin = e._margin(ranked[0])  # pyright: ignore[reportPrivateUsage]
    assert margin > 10
    assert e.verdict_floor(ranked) == -margin
    assert e.verdict_floor(ranked, b"caf\xe9") == ranked[5].score  # five close rivals needed
    assert e.verdict_floor(ranked[:5], b"caf\xe9") == -margin  # fewer: every one counts
    letters = b"un caf\xe9 au lait et deux croissants"
    assert e.verdict_floor(ranked, letters) == -margin
    assert e.floor(ranked, b"caf\xe9") == min(ranked[5].score, ranked[1].score)


def test_an_ambiguous_error_says_when_it_names_only_some_codecs() -> None:
    named = AmbiguousEncodingError("f.txt", "cp1252", "cp850", others=("cp437",), more=True)
    assert "(also in cp437 and others);" in str(named)
    assert named.more
    every = AmbiguousEncodingError("f.txt", "cp1252", "cp850", others=("cp437",))
    assert "(also in cp437);" in str(every)
    listed = AmbiguousEncodingError("f.txt", "a", "b", others=tuple("cdefghi"))
    assert "(also in c, d, e, f, g and 2 more);" in str(listed)


def test_shift_jis_2004_reads_right(tmp_path: Path) -> None:
    # 鷗 is JIS X 0213 only: Shift_JIS and cp932 cannot decode it (refused as "not UTF-8" before).
    text = "森鷗外の作品を図書館で読んだ。今日は晴れていて、とても気持ちがいいです。\n"
    assert read_text(write(tmp_path, text.encode("shift_jis_2004")))[0] == text


@pytest.mark.parametrize(
    "text",
    ["香港嘅天氣好熱，我哋去咗海邊。", "佢哋喺度食緊飯。", "呢個係乜嘢？", "1932年（昭和7年）"],
)
def test_tiny_big5_hkscs_is_right_or_refused_never_gbk(tmp_path: Path, text: str) -> None:
    data = text.encode("big5hkscs")
    try:
        got, codec = read_text(write(tmp_path, data))
    except AmbiguousEncodingError as refused:
        named = (refused.encoding, refused.rival, *refused.others)
        assert any(data.decode(name, "replace") == text for name in named)
    else:
        assert (got, codec in ("big5", "cp950", "big5hkscs")) == (text, True)


def _judge_every_language(text: str, languages: tuple[str, ...]) -> tuple[float, str]:
    """``judge`` without its shortcut: every language scored in order (pairs included)."""
    from ingestion import plausibility as p  # noqa: PLC0415

    reading = profile(text)
    fits = p.ascii_fits(reading)
    models = p.language_models()
    evidence = sum(reading.chars.values())
    fixed, letters_only = p._split(reading.chars)  # pyright: ignore[reportPrivateUsage]
    best = (float("-inf"), "")
    for language in languages:
        model = models[language]
        score = fixed - sum(n * model.letters.get(c, 140) for c, n in letters_only) / 10
        score += p.pair_score(reading.pairs, model) + reading.glued
        if model.latin:
            prior = 0.2 * (fits[language] - max(fits.values()))
            score += max(prior, -10.0 * evidence)
        if score > best[0]:
            best = (score, language)
    return best


@pytest.mark.parametrize(
    "text",
    [
        MALTESE,
        ESTONIAN,
        POLISH,
        CROATIAN,
        NORTH_SAMI,
        ESTONIAN.encode("iso8859-4").decode("cp1252"),
    ],
)
def test_judge_skips_only_languages_that_cannot_win(text: str) -> None:
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion.readings import SINGLE_BYTE  # noqa: PLC0415

    reading = profile(text)
    fits = p.ascii_fits(reading)
    for languages in {languages for _, languages in SINGLE_BYTE}:
        if not all(p.language_models()[language].latin for language in languages):
            continue
        single = tuple(languages[:1])
        for tried in (languages, single):
            verdict = p.judge(reading, tried, fits)
            score, language = _judge_every_language(text, tried)
            assert verdict.language.rstrip("+") == language
            if not verdict.language.endswith("+"):
                assert abs(verdict.score - score) < 1e-9


SHAPES = [
    MALTESE,
    ESTONIAN,
    ESTONIAN.encode("iso8859-4").decode("cp1252"),
    GEORGIAN,
    georgian_8bit(GEORGIAN).decode("cp1251"),
    "ΑΘΗΝΑ [ΚΕΝΤΡΟ] ΚΑΙ ΠΕΙΡΑΙΑΣ",
    "Вчера вечером мы с друзьями собрались на даче.\nПогода была прекрасная, éxé 12Ł3.",
    "เมื่อวานนี้ฉันไปเที่ยวตลาดน้ำกับครอบครัว abc",
    "pËre maŁy Ä",
    "İstanbul'da İKİ gün, Übermorgen",
    "детей Е залог, а Ж б В г",
]


@pytest.mark.parametrize("text", SHAPES)
def test_counting_shortcuts_count_what_the_whole_text_counts(text: str) -> None:
    import re  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415

    whole = profile(text)
    assert p.non_ascii_chars(text) == whole.chars
    near = profile(text, p.ascii_letter_pairs(text))
    assert (near.chars, near.pairs, near.glued) == (whole.chars, whole.pairs, whole.glued)
    # The capitals count is the pattern [small letters][capitals], compiled per text before,
    # and the capitals alone between small letters.
    capitals = [c for c in set(text) if c > "\x7f" and c.isupper()]
    small = "".join(c for c in set(text) if c.islower())
    pattern = f"[{re.escape(small)}][{re.escape(''.join(capitals))}]"
    lone = f"(?<=[{re.escape(small)}] )[{re.escape(''.join(capitals))}](?= [{re.escape(small)}])"
    expected = len(re.findall(pattern, text)) if capitals else 0
    expected += len(re.findall(lone, text)) if capitals and small else 0
    assert p._capitals_after_small(text) == expected  # pyright: ignore[reportPrivateUsage]


@pytest.mark.parametrize("text", SHAPES[:5])
def test_first_round_score_is_the_letter_by_letter_sum(text: str) -> None:
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion.readings import SINGLE_BYTE  # noqa: PLC0415

    chars = p.non_ascii_chars(text)
    fixed, letters = p._split(chars)  # pyright: ignore[reportPrivateUsage]
    for languages in {languages for _, languages in SINGLE_BYTE}:
        tables = [p.language_models()[language].letters for language in languages]
        sums = [sum(n * table.get(c, 140) for c, n in letters) for table in tables]
        main = tables[sums.index(min(sums))]
        mixed = sum(
            n * min(main.get(c, 140), min(t.get(c, 140) for t in tables) + 50) for c, n in letters
        )
        assert p.first_round_score(chars, languages) == fixed - mixed / 10


def test_first_round_by_table_is_the_same_float_as_by_characters() -> None:
    """A table-counted reading's first-round score from its byte columns (``LetterTable``)
    is exactly ``first_round_score`` of its characters, for every single-byte codec with its own
    languages and a merged set, on corpus paragraphs (and their halves)."""
    import collections  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    compared = with_letters = 0
    for data in _byte_counted_samples()[::4]:
        for sample in (data, data[: len(data) // 2]):
            counted = collections.Counter(sample)
            high = sorted((value, n) for value, n in counted.items() if value > 0x7F)
            values, counts = [v for v, _ in high], [n for _, n in high]
            for encoding, own in r.SINGLE_BYTE:
                for languages in (own, ("el", *own, "ru")):  # merged sets too
                    table = r._letter_table(encoding, languages)  # pyright: ignore[reportPrivateUsage]
                    assert table is not None
                    assert len(sample) <= table.most_bytes
                    chars = r._table_counts(encoding, high)  # pyright: ignore[reportPrivateUsage]
                    expected = p.first_round_score(chars, languages)
                    assert p.first_round_by_table(table, values, counts) == expected
                    compared += 1
                    with_letters += bool(p._split(chars)[1])  # pyright: ignore[reportPrivateUsage]
    assert with_letters > 1000
    assert compared > with_letters


def test_packed_letter_sums_are_read_field_by_field() -> None:
    """A packed letter sum's language fields, read from its bytes (``LetterTable.sums``), are
    each the field a shift and a mask give, fields at their largest and at 0 included, the
    letter count's field left out: ``first_round_by_table`` picks its main language so."""
    from ingestion import plausibility as p  # noqa: PLC0415

    bits = p._FIELD_BITS  # pyright: ignore[reportPrivateUsage]
    mask = (1 << bits) - 1
    spread = (0, 1, mask, mask - 1, 1 << (bits - 1), 0x9E3779B9, 12345)  # some fields, edges
    for languages in (1, 3, 23):
        fields = p._language_fields(languages)  # pyright: ignore[reportPrivateUsage]
        for turn in range(len(spread)):
            values = [spread[(turn + at * 3) % len(spread)] for at in range(languages + 1)]
            packed = sum(value << (bits * at) for at, value in enumerate(values))
            shifted = tuple((packed >> (bits * at)) & mask for at in range(1, languages + 1))
            assert fields.unpack(packed.to_bytes(fields.size, "little")) == shifted


def test_single_byte_codecs_read_each_byte_as_at_most_one_character() -> None:
    """The first round keys a single-byte reading by the present bytes decoded (a str): two
    such keys are equal exactly when each byte reads alike only if no byte reads as more
    than one character."""
    from ingestion import readings as r  # noqa: PLC0415

    for encoding, _ in (*r.SINGLE_BYTE, *r.EBCDIC):
        assert max(map(len, r._raw_chars(encoding))) == 1  # pyright: ignore[reportPrivateUsage]


def _led_by_class_texts() -> list[str]:
    """Texts for the patterns led by their class: edge cases, and corpus paragraphs read in
    their own and in wrong single-byte code pages, lowered as ``profile`` lowers them."""
    from ingestion import readings as r  # noqa: PLC0415

    texts = [
        *("a\u00b2\u00b2b", "x\u00b9y\u00b9z", "\u00a1 a", "a \u00b4 b", "\u00b4", "x\u00b4"),
        *("\u00b4x", "\n\u00b4\n", "\u00bf", "\u00a1\n", "\u00e91", "1\u00e9", "1\u00e92"),
        *(
            "\u00e9\u00e91",
            "\u044f2\u044f",
            "\u4e002",
            "\u00b2\u00e91",
            "p\u00cbre ma\u0141y \u00c4",
            "\u0434 \u0415 \u0437 \u0416 \u0425",
        ),
    ]
    for data in _byte_counted_samples()[::3]:
        for encoding, _ in r.SINGLE_BYTE[::5]:
            texts.append(data.decode(encoding, "replace").lower())
    return texts


def test_patterns_led_by_their_class_find_what_lookbehind_first_finds() -> None:
    """The counting patterns that start with their character class (so ``re`` skips ahead
    in C) match the same characters as the same patterns written lookbehind first."""
    import re  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    accents = p._SPACING_ACCENTS  # pyright: ignore[reportPrivateUsage]
    wide = "[\x00-\x7f\u2e80-\ud7ff\uf900-\ufaff\uff00-\uffef]"
    lookbehind_first = {
        p._MISPLACED_MARKS.get(): f"[\u00a1\u00bf](?=\\s|$)|(?<!\\S){accents}(?!\\S)",  # pyright: ignore[reportPrivateUsage]
        p._LETTER_DIGIT.get(): (  # pyright: ignore[reportPrivateUsage]
            f"(?!{wide})[^\\W\\d_](?=[0-9])|(?<=[0-9])(?!{wide})[^\\W\\d_]"
        ),
    }
    found = 0
    for text in _led_by_class_texts():
        for pattern, first in lookbehind_first.items():
            expected = [m.start() for m in re.finditer(first, text)]
            assert [m.start() for m in pattern.finditer(text)] == expected
            found += len(expected)
        symbols = "".join(sorted({c for c in text if c > "\x7f" and p._inside_word_symbol(c)}))  # pyright: ignore[reportPrivateUsage]
        if symbols:
            inside = rf"(?<=[^\W\d_])[{re.escape(symbols)}]+(?=[^\W\d_])"
            expected = [m.start() for m in re.finditer(inside, text)]
            led = p._inside_word_pattern(symbols)  # pyright: ignore[reportPrivateUsage]
            assert [m.start() for m in led.finditer(text)] == expected
            found += len(expected)
        for encoding, _ in r.SINGLE_BYTE[::7]:  # capitals after small letters, on latin-1 text
            tables = r._tables(encoding)  # pyright: ignore[reportPrivateUsage]
            latin1 = text.encode(encoding, "replace").decode("latin-1")
            if tables.small and tables.capitals:
                small, capital = f"[{re.escape(tables.small)}]", f"[{re.escape(tables.capitals)}]"
                expected = [m.start() + 1 for m in re.finditer(small + capital, latin1)]
                lone = f"(?<={small} ){capital}(?= {small})"
                expected = sorted(expected + [m.start() for m in re.finditer(lone, latin1)])
                led = tables.capital_after_small
                assert [m.start() for m in led.finditer(latin1)] == expected
                found += len(expected)
    assert found > 100


def _first_round_by_decoding(sample: bytes) -> list[tuple[str, tuple[str, ...], float]]:
    """The first round as it was written first: every codec decodes the sample, the same
    text is one reading, each scored on its decoded text."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    ebcdic = sample.count(0x40) > sample.count(0x20)
    codecs = (*r.SINGLE_BYTE, *r.MULTI_BYTE, *(r.EBCDIC if ebcdic else ()))
    found: dict[str, tuple[str, tuple[str, ...]] | None] = {}
    for encoding, languages in codecs:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text in found:
            earlier = found[text]
            if earlier is not None:
                more = tuple(x for x in languages if x not in earlier[1])
                found[text] = (earlier[0], earlier[1] + more)
            continue
        ebcdic_codec = encoding in {name for name, _ in r.EBCDIC}
        allowed = p.UNREADABLE_EBCDIC if ebcdic_codec else None
        found[text] = (encoding, languages) if p.readable(text, allowed) else None
    scored: list[tuple[str, tuple[str, ...], float]] = []
    for text, named in found.items():
        if named is None:
            continue
        encoding, languages = named
        table = r._byte_chars(encoding)  # pyright: ignore[reportPrivateUsage]
        if table is None or encoding in ("cp1258", *(name for name, _ in r.EBCDIC)):
            chars: dict[str, int] = p.profile(text).chars
            shape = p.mixed_score(text)
        else:  # counted by table on the bytes, as the first round always did
            chars = {}
            for value in sample:
                char = table[value]
                if char == p.DOTTED_CAPITAL_I.lower():  # "i" and a dot: profile counts an "i"
                    chars["i"] = chars.get("i", 0) + 1
                elif char > "\x7f" and not p.is_mark(char):
                    chars[char] = chars.get(char, 0) + 1
            skeleton = r._byte_skeleton(encoding)  # pyright: ignore[reportPrivateUsage]
            shape = p.skeleton_score(sample.translate(skeleton))
        scored.append((encoding, languages, p.first_round_score(chars, languages) + shape))
    return scored


@pytest.mark.parametrize(
    "data",
    [
        MALTESE.encode("iso8859-3"),
        ESTONIAN.encode("iso8859-4"),
        POLISH.encode("cp852"),
        "Вчера вечером мы с друзьями собрались.".encode("koi8-r"),
        "今日は晴れです。".encode("shift_jis"),
        b"only ASCII here, as in a sample of a large file",
        "Café crème, déjà vu.".encode("cp037"),
        "Tôi đi làm, ông ấy ở nhà.".encode("cp1258", "ignore"),
    ],
)
def test_first_round_by_table_finds_the_readings_decoding_finds(data: bytes) -> None:
    from ingestion import readings as r  # noqa: PLC0415

    expected = _first_round_by_decoding(data)
    found = r._first_round(data)  # pyright: ignore[reportPrivateUsage]
    assert [(c.encoding, c.languages) for c in found] == [(e, ls) for e, ls, _ in expected]
    for candidate, (_, _, score) in zip(found, expected, strict=True):
        assert abs(candidate.first_round - score) < 1e-9


def test_single_byte_readings_by_byte_classes_are_those_by_codec() -> None:
    """``_distinct_readings`` groups the single-byte codecs by byte classes: the same readings
    (codec, languages, text-counted text: cp1258's only with a tone mark) in the same order as
    keying each codec's decoded present bytes, on corpus samples whole and cut short; and what
    the grouping rests on holds: every single-byte codec reads bytes < 0x80 alike, and a
    character is readable in all of them or in none."""
    from ingestion import readings as r  # noqa: PLC0415

    readable: dict[str, set[bool]] = {}
    for encoding, _ in r.SINGLE_BYTE:
        bad = r._unreadable_bytes(encoding)  # pyright: ignore[reportPrivateUsage]
        for value, char in enumerate(r._raw_chars(encoding)):  # pyright: ignore[reportPrivateUsage]
            readable.setdefault(char, set()).add(value in bad)
            if value < 0x80 and value not in bad:
                assert char == chr(value)
    assert all(len(kinds) == 1 for kinds in readable.values())

    def by_codec(sample: bytes) -> tuple[list[tuple[str, tuple[str, ...]]], dict[str, str]]:
        present = sorted(set(sample))
        mask = sum(1 << value for value in present)
        readings: dict[object, tuple[str, tuple[str, ...]]] = {}
        texts: dict[str, str] = {}
        for encoding, languages in (*r.SINGLE_BYTE, *r.MULTI_BYTE):
            key = r._reading_key(sample, encoding, bytes(present), mask, True)  # pyright: ignore[reportPrivateUsage]
            if key is None:
                continue
            marks = encoding == "cp1258" and any(
                value in b"\xcc\xd2\xde\xec\xf2" for value in present
            )
            if key[1] is not None and key[0] not in readings and (encoding != "cp1258" or marks):
                texts[encoding] = key[1]  # cp1258 without a tone mark: counted by table
            earlier = readings.get(key[0])
            readings[key[0]] = (
                (encoding, languages)
                if earlier is None
                else (earlier[0], earlier[1] + tuple(x for x in languages if x not in earlier[1]))
            )
        return list(readings.values()), texts

    samples = _byte_counted_samples()
    samples += ["Tôi đi làm, ông ấy ở nhà.".encode("cp1258", "ignore")]
    samples += [sample[:n] for sample in samples for n in (3, 12, 40)]
    compared = 0
    for sample in samples:
        counts = collections.Counter(sample)
        if sample.isascii() or counts[0x40] > counts[0x20]:
            continue
        readings, texts = r._distinct_readings(sample, counts, sorted(counts))  # pyright: ignore[reportPrivateUsage]
        assert (list(readings.values()), texts) == by_codec(sample)
        compared += 1
    assert compared > 100


def _byte_counted_samples() -> list[bytes]:
    """Every corpus paragraph in its first code page, and the shapes above in cp1252."""
    from ingestion_corpus import DEVELOPMENT, HELD_OUT  # noqa: PLC0415

    found = [text.encode("cp1252", "replace") for text in SHAPES]
    found += [  # capitals after small letters; capitals with no small letter at all
        "pËre maŁy Ä".encode("cp1250"),
        SHAPES[5].encode("cp1253"),
        "ПРИВЕТ [МИР] ИЗ МОСКВЫ".encode("cp1251"),
    ]
    for corpus in (DEVELOPMENT, HELD_OUT):
        for codecs, paragraph in corpus.values():
            found.append(paragraph.encode(codecs[0], "replace"))
    return found


def test_byte_counted_profile_is_the_text_counted_profile() -> None:
    """A single-byte reading counted on the sample's bytes (``profile(..., counts=...)``) has
    the characters, pairs (in the same order), letters and costs of counting its text, for
    every single-byte codec and every corpus paragraph; and the byte counts are used."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    counted_on_bytes = symbols_on_bytes = 0
    for data in _byte_counted_samples():
        counts = p.byte_counts(data)
        # alike in every code page: counted once per sample (profile may add to its copy)
        ascii_pairs = p.ascii_letter_pairs(data.decode("latin-1"))
        for encoding, _ in r.SINGLE_BYTE:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            tables = r._tables(encoding)  # pyright: ignore[reportPrivateUsage]
            fast = profile(text, counts.ascii_pairs, counts=counts, tables=tables)
            whole = profile(text, dict(ascii_pairs))
            assert list(fast.chars.items()) == list(whole.chars.items())
            assert list(fast.pairs.items()) == list(whole.pairs.items())
            assert list(fast.ascii_letters.items()) == list(whole.ascii_letters.items())
            assert (fast.ascii_pairs, fast.glued) == (whole.ascii_pairs, whole.glued)
            lowered = p._MARKS.get().sub("", text.lower())  # pyright: ignore[reportPrivateUsage]
            on_bytes = p._through(data, tables.lowering) == lowered  # pyright: ignore[reportPrivateUsage]
            counted_on_bytes += on_bytes
            symbols = p._symbols_inside_words(lowered, whole.chars)  # pyright: ignore[reportPrivateUsage]
            symbols_on_bytes += on_bytes and symbols > 0
    assert counted_on_bytes > 100
    assert symbols_on_bytes > 10  # the per-codec symbol-inside-word pattern is exercised


def _finalists_from(
    data: bytes, values: dict[int, int], first_round: list[_Candidate]
) -> list[_Candidate]:
    """``rank``'s finalists of ``data`` (not whole file) had its first round been
    ``first_round``: ``_finalists`` with ``_first_round`` standing in for it."""
    from ingestion import readings as r  # noqa: PLC0415

    def given(*_: object) -> list[_Candidate]:
        return list(first_round)

    sample = spread_sample(data, r.SCORE_BYTES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(r, "_first_round", given)
        return r._finalists(data, sample, values, whole_file=False)  # pyright: ignore[reportPrivateUsage]


def test_first_round_leaves_out_only_readings_rank_has_no_use_for(
    ranked_samples: list[_Ranked],
) -> None:
    """``rank`` with the first round's bound gives the same readings and scores as scoring
    every reading in the first round: ``_finalists`` picks the same finalists (the same
    readings with the same first-round scores, in the same order) from every reading as
    ``rank`` picked from the bounded round, and ``rank`` scores its finalists alone; and the
    bound does leave readings out. (Comparing the finalists, not ``rank``'s lists: scoring
    each sample's finalists again cost two thirds of this test's CPU, issue 21.) Both rounds
    are those ``ranked_samples`` saw ``rank`` take of the sample, with the bound and (with
    ``whole_file``) without it, not taken again."""
    from ingestion import readings as r  # noqa: PLC0415

    left_out = 0
    for ranked in ranked_samples:  # corpus samples, UTF-8 read as legacy (mojibake), pieces
        data = ranked.data
        values = collections.Counter(spread_sample(data, r.SCORE_BYTES))
        kept, every = list(ranked.bounded_round), list(ranked.every_round)
        assert [c for c in every if c in kept] == kept
        left_out += len(every) - len(kept)
        finalists = _finalists_from(data, values, every)
        assert finalists == ranked.scorer.finalists  # rank's own, from the bounded round
    assert left_out > 100


def _ranked_samples() -> list[bytes]:
    """Byte-counted samples, UTF-8 read as legacy text, and short pieces (few non-ASCII bytes)."""
    samples = _byte_counted_samples()
    samples += [text.encode("utf-8") for text in SHAPES]
    samples += [sample[:n] for sample in samples[:40] for n in (12, 40)]
    return [data for data in samples if not data.isascii()]


@dataclass(frozen=True)
class _Ranked:
    """What the properties below check on each of ``_ranked_samples``, computed once for the
    module: ``rank``'s scorer with every finalist scored (so every ASCII fit is made), each
    finalist's score in the scorer's order, ``rank`` with and without ``whole_file``,
    ``floor`` of ``rank``, and the first rounds ``rank`` took: with its bound, and (with
    ``whole_file``) of every reading."""

    data: bytes
    scorer: _Scorer
    scores: tuple[float, ...]
    ranked: tuple[Reading, ...]
    whole: tuple[Reading, ...]
    floor: float
    bounded_round: tuple[_Candidate, ...]
    every_round: tuple[_Candidate, ...]


@pytest.fixture(scope="module")
def ranked_samples() -> list[_Ranked]:
    """``_ranked_samples`` ranked and scored once: five properties check them, each
    recomputed the same rankings before (issue 21: less CPU for the same proof). The scorer
    is the one ``rank`` made and scored every finalist with (kept as ``rank`` makes it), not
    a second one scored again; a finalist's score is its reading's in ``rank``'s list (one
    reading per codec)."""
    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    made: list[_Scorer] = []
    real = r._Scorer  # pyright: ignore[reportPrivateUsage]
    rounds: list[tuple[bytes, bool, tuple[_Candidate, ...]]] = []
    first_round = r._first_round  # pyright: ignore[reportPrivateUsage]

    def kept(sample: bytes, values: dict[int, int], finalists: list[_Candidate]) -> _Scorer:
        scorer = real(sample, values, finalists)
        made.append(scorer)
        return scorer

    def seen(
        sample: bytes, bounded: bool = False, values: dict[int, int] | None = None
    ) -> list[_Candidate]:
        candidates = first_round(sample, bounded, values)
        rounds.append((sample, bounded, tuple(candidates)))  # _finalists sorts the list
        return candidates

    found: list[_Ranked] = []
    for data in _ranked_samples():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(r, "_Scorer", kept)
            patch.setattr(r, "_first_round", seen)
            ranked = r.rank(data)
            whole = r.rank(data, whole_file=True)
        scorer = made[0]
        sample = spread_sample(data, r.SCORE_BYTES)
        # rank's round with the bound, then rank's with whole_file: every reading
        assert [(x, bounded) for x, bounded, _ in rounds] == [(sample, True), (sample, False)]
        score = {reading.encoding: reading.score for reading in ranked}
        assert len(score) == len(ranked) == len(scorer.finalists)
        scores = tuple(score[candidate.encoding] for candidate in scorer.finalists)
        found.append(
            _Ranked(
                data,
                scorer,
                scores,
                tuple(ranked),
                tuple(whole),
                e.floor(ranked),
                rounds[0][2],
                rounds[1][2],
            )
        )
        made.clear()
        rounds.clear()
    return found


def _no_floor(ranked: list[Reading]) -> float:
    """A ``rank_down_to`` floor that keeps every reading."""
    del ranked
    return -math.inf


def _every_reading(samples: list[_Ranked]) -> Callable[..., list[Reading]]:
    """A stand-in for ``rank_down_to`` that hands back every reading, not only those above the
    floor: ``rank``'s whole list, taken once for each sample by the fixture (any other input is
    ranked when asked)."""
    from ingestion import readings as r  # noqa: PLC0415

    known = {(x.data, False): x.ranked for x in samples}
    known.update({(x.data, True): x.whole for x in samples})

    def every_reading(
        data: bytes,
        floor: object,
        *,
        whole_file: bool = False,
        given: tuple[Reading, ...] = (),
        sample: bytes | None = None,
    ) -> list[Reading]:
        del floor  # the whole list
        if sample is not None and sample != r.score_sample(data):  # a widened sample
            return r.rank_down_to(data, _no_floor, whole_file=whole_file, sample=sample)
        ranked = known.get((data, whole_file))
        if ranked is None:
            ranked = tuple(r.rank(data, whole_file=whole_file))
        return sorted([*ranked, *given], key=lambda x: -x.score)

    return every_reading


@dataclass(frozen=True)
class _Detected:
    """What ``read_with_detection`` detects of one of ``_ranked_samples`` (with confidence):
    ``guess``, ``guess`` with ``whole_file`` and ``utf8_or_legacy`` (``found``), how many
    readings they scored, and ``rank_down_to``'s readings for each of their calls with the
    floor ``guess`` takes and nothing given: (whole_file, the readings, how many it scored)."""

    found: tuple[Detection, Detection, Sniffed]
    scored: int
    cuts: tuple[tuple[bool, tuple[Reading, ...], int], ...]


@pytest.fixture(scope="module")
def detected_samples(ranked_samples: list[_Ranked]) -> list[_Detected]:
    """``_ranked_samples`` detected with confidence once, each ``rank_down_to`` call seen: two
    properties check them (issue 21: the rank_down_to property made the same calls again)."""
    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    scored = [0]
    counting = r._Scorer.reading  # pyright: ignore[reportPrivateUsage]
    real = e.rank_down_to
    cuts: list[tuple[bool, tuple[Reading, ...], int]] = []

    def counted(self: object, index: int) -> r.Reading:
        scored[0] += 1
        return counting(self, index)  # type: ignore[arg-type]

    def seen(
        data: bytes,
        floor: Callable[[list[Reading]], float],
        *,
        whole_file: bool = False,
        given: tuple[Reading, ...] = (),
        sample: bytes | None = None,
    ) -> list[Reading]:
        before = scored[0]
        ranked = real(data, floor, whole_file=whole_file, given=given, sample=sample)
        if getattr(floor, "func", None) is e.floor and not given:  # floor, data=data
            cuts.append((whole_file, tuple(ranked), scored[0] - before))
        return ranked

    found: list[_Detected] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(r._Scorer, "reading", counted)  # pyright: ignore[reportPrivateUsage]
        patch.setattr(e, "rank_down_to", seen)
        for item in ranked_samples:
            data = item.data
            text = data.decode("utf-8", "replace")
            scored[0] = 0
            cuts.clear()
            detected = (
                e.guess(data, confidence=True),
                e.guess(data, whole_file=True, confidence=True),
                e.utf8_or_legacy(data, text, confidence=True),
            )
            found.append(_Detected(detected, scored[0], tuple(cuts)))
    return found


def test_rank_down_to_is_rank_cut_at_the_floor(
    ranked_samples: list[_Ranked], detected_samples: list[_Detected]
) -> None:
    """``rank_down_to`` returns ``rank``'s readings (same scores, same order) down to the
    floor, with and without ``whole_file``, and it does leave readings unscored: each call
    ``guess`` made of it with the floor (in ``detected_samples``: both, for every sample). That
    ``guess`` and ``utf8_or_legacy`` detect on it what they detect on every reading is
    ``test_detection_without_confidence_is_the_full_detection_but_the_confidence``'s first
    comparison."""
    from ingestion import encoding_detect as e  # noqa: PLC0415

    # readings scored by rank (each of its readings is one finalist scored), by rank_down_to
    scored = [0, 0]
    for item, detected in zip(ranked_samples, detected_samples, strict=True):
        for whole_file, full in ((False, list(item.ranked)), (True, list(item.whole))):
            calls = [(cut, n) for made, cut, n in detected.cuts if made == whole_file]
            assert calls  # guess's first call, with whole_file as guess was asked
            scored[0] += len(full)
            scored[1] += calls[0][1]
            for cut, _ in calls:
                low = e.floor(full, item.data) if full else 0.0
                assert list(cut) == [x for x in full if x.score >= low]
    assert scored[1] < 0.7 * scored[0]


def test_detection_without_confidence_is_the_full_detection_but_the_confidence(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    ranked_samples: list[_Ranked],
    detected_samples: list[_Detected],
) -> None:
    """With ``confidence`` (what ``read_with_detection`` asks, in ``detected_samples``) and
    without it (what ``read_text`` asks: it returns none), ``guess`` and ``utf8_or_legacy``
    detect what they detect on every reading, without it with confidence None; they score
    fewer readings without it; and ``read_text`` returns what ``read_with_detection`` does
    (text and codec, or the same error)."""
    from dataclasses import replace  # noqa: PLC0415

    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415
    from ingestion.io_text import read_with_detection  # noqa: PLC0415

    scored = [0, 0, 0]  # readings scored with and without the confidence, and the rest
    counting = r._Scorer.reading  # pyright: ignore[reportPrivateUsage]
    which = [1]

    def counted(self: object, index: int) -> r.Reading:
        scored[which[0]] += 1
        return counting(self, index)  # type: ignore[arg-type]

    every_reading = _every_reading(ranked_samples)

    def unsure(sniffed: e.Sniffed) -> e.Sniffed:
        return replace(sniffed, detection=replace(sniffed.detection, confidence=None))

    def outcome(call: Callable[[], tuple[str, object]]) -> tuple[str, object]:
        try:
            return call()
        except (AmbiguousEncodingError, TextDecodeError, UnknownEncodingError) as error:
            return type(error).__name__, str(error)

    monkeypatch.setattr(r._Scorer, "reading", counted)  # pyright: ignore[reportPrivateUsage]
    path = tmp_path / "sample.txt"
    for item, detected in zip(ranked_samples, detected_samples, strict=True):
        data = item.data
        text = data.decode("utf-8", "replace")
        scored[0] += detected.scored
        which[0] = 1
        unconfident = (
            e.guess(data, confidence=False),
            e.guess(data, whole_file=True, confidence=False),
            e.utf8_or_legacy(data, text, confidence=False),
        )
        which[0] = 2
        with monkeypatch.context() as patch:
            patch.setattr(e, "rank_down_to", every_reading)
            every = (e.guess(data), e.guess(data, whole_file=True))
            every_utf8 = e.utf8_or_legacy(data, text)
        assert detected.found == (*every, every_utf8)
        unsure_every = tuple(replace(x, confidence=None) for x in every)
        assert unconfident == (*unsure_every, unsure(every_utf8))
        write(tmp_path, data, "sample.txt")
        full = outcome(lambda: read_with_detection(path))
        if isinstance(full[1], e.Detection):
            full = full[0], full[1].encoding
        assert outcome(lambda: read_text(path)) == full
    assert scored[1] < 0.9 * scored[0]  # 1145 of 1394 when written


def test_bounds_are_at_least_the_scores(ranked_samples: list[_Ranked]) -> None:
    """Every finalist's upper bounds (rough, then with the exact glue terms) are at least its
    score, and most finalists have one."""

    bounded = scored = by_letters = 0
    for ranked in ranked_samples:
        scorer = ranked.scorer
        for index, score in enumerate(ranked.scores):
            bound = scorer.bound(index)
            assert scorer.rough_bound(index) >= bound >= score - 1e-9 * max(1.0, abs(score))
            assert scorer.bound(index, scorer.rough_bound(index)) == bound  # given, as made
            scored += 1
            bounded += bound < float("inf")
            by_letters += bound < float("inf") and scorer.finalists[index].text is not None
    assert bounded > 0.8 * scored
    assert by_letters > 10  # multi-byte readings scored on letters alone have one too


def _every_ordered_pair(values: bytes) -> bytes:
    """Every ordered pair of ``values`` (first, second), first by first then by second, one
    after another: built by slices at C speed (a generator over the ~30,000 bytes a code page
    makes took 0.26 of the 0.30 s of CPU the test below took, three times that under coverage)."""
    count = len(values)
    pairs = bytearray(2 * count * count)
    pairs[0::2] = b"".join(bytes((first,)) * count for first in values)
    pairs[1::2] = values * count
    return bytes(pairs)


def test_every_ordered_pair_is_each_first_byte_with_each_second() -> None:
    values = b"\x01\x80\xff"
    expected = bytes(value for first in values for second in values for value in (first, second))
    assert _every_ordered_pair(values) == expected
    assert _every_ordered_pair(b"") == b""


def test_safe_bytes_read_through_the_lowering_table_as_profile_lowers_them() -> None:
    """For every byte-counted codec, text made of every ordered pair of the bytes a bound takes
    (none in ``_unsafe_mask``) lowers, composed and without marks, as ``profile`` lowers it, to
    the bytes through the lowering table: NFC and ``str.lower`` act on each character alone.
    It has no mark to drop and no Turkish capital dotted I (``profile_on_bytes`` takes both)."""
    import unicodedata  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    for encoding, _ in r.SINGLE_BYTE:  # cp1258 too: its combining bytes are unsafe
        unsafe = r._unsafe_mask(encoding)  # pyright: ignore[reportPrivateUsage]
        raw = r._raw_chars(encoding)  # pyright: ignore[reportPrivateUsage]
        safe = bytes(value for value in range(1, 256) if raw[value] and not unsafe >> value & 1)
        data = _every_ordered_pair(safe)
        text = data.decode(encoding)
        composed = unicodedata.normalize("NFC", text).replace("\u0130", "i").lower()
        lowered = p._MARKS.get().sub("", composed)  # pyright: ignore[reportPrivateUsage]
        tables = r._tables(encoding)  # pyright: ignore[reportPrivateUsage]
        assert p._through(data, tables.lowering) == lowered, encoding  # pyright: ignore[reportPrivateUsage]
        assert composed == lowered, encoding  # no mark dropped
        assert "\u0130" not in text, encoding


def test_profile_on_bytes_is_the_profile_of_the_decoded_reading(
    ranked_samples: list[_Ranked],
) -> None:
    """Each byte-counted finalist with no unsafe byte in its sample (``_Scorer.profile`` then
    counts it on the bytes, with the glue counts its bound took) profiles as its decoded text
    does, and its glue counts give the same floats as counting them again."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    checked = 0
    for ranked in ranked_samples:
        scorer = ranked.scorer
        for index, candidate in enumerate(scorer.finalists):
            unsafe = r._unsafe_mask(candidate.encoding)  # pyright: ignore[reportPrivateUsage]
            if candidate.text is not None or scorer.present & unsafe or scorer.counts is None:
                continue
            tables = r._tables(candidate.encoding)  # pyright: ignore[reportPrivateUsage]
            text = scorer.sample.decode(candidate.encoding)
            full = p.profile(text, scorer.counts.ascii_pairs, counts=scorer.counts, tables=tables)
            assert scorer.profile(index) == full
            assert p.profile_on_bytes(scorer.counts, tables) == full
            assert scorer.glue(index) == p.glue_counts(scorer.counts, tables)
            checked += 1
    assert checked > 500  # 843 when written


def test_counts_taken_once_are_the_counts_taken_apart() -> None:
    """``byte_counts`` given the sample's ``Counter`` counts what it counts alone (same order),
    and ``non_ascii_chars`` counted on the non-ASCII runs is the whole text's count of them."""
    import unicodedata  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415

    texts = 0
    for data in _ranked_samples()[:60]:
        alone, given = p.byte_counts(data), p.byte_counts(data, collections.Counter(data))
        assert list(alone.values.items()) == list(given.values.items())
        for encoding in ("gbk", "big5", "shift_jis", "cp1258", "cp1251", "utf-8"):
            text = data.decode(encoding, "replace")
            lowered = p._MARKS.get().sub("", unicodedata.normalize("NFC", text).lower())  # pyright: ignore[reportPrivateUsage]
            whole = [(c, n) for c, n in collections.Counter(lowered).items() if c > "\x7f"]
            assert list(p.non_ascii_chars(text).items()) == whole
            texts += bool(whole)
    assert texts > 100


def test_ascii_fits_by_rows_are_the_per_language_sums() -> None:
    """``ascii_fits`` (rows transposed) gives each language the same float as summing its
    terms gram by gram in the reading's order, also with no ASCII letter at all."""
    from ingestion import plausibility as p  # noqa: PLC0415

    terms = p._ascii_terms()  # pyright: ignore[reportPrivateUsage]
    checked = 0
    for data in [*_ranked_samples()[:80], b"\xe9\xe8"]:
        reading = profile(data.decode("cp1252", "replace"))
        grams = [*reading.ascii_letters, *reading.ascii_pairs]
        counts = [*reading.ascii_letters.values(), *reading.ascii_pairs.values()]
        expected = {
            language: sum(n * table[gram] for n, gram in zip(counts, grams, strict=True))
            for language, table in terms.items()
        }
        assert p.ascii_fits(reading) == expected
        checked += bool(grams)
    assert checked > 50


def test_judge_picks_the_language_scoring_every_language_picks() -> None:
    """``judge`` skips a language whose letters plus the most any language's pairs can add
    cannot beat the best so far: it picks the language (and score) that scoring each language
    on its own picks, the first best, on corpus paragraphs read in every single-byte codec."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    compared = 0
    for data in _byte_counted_samples()[::3]:
        for encoding, languages in r.SINGLE_BYTE[::2]:
            try:
                reading = profile(data.decode(encoding))
            except UnicodeDecodeError:
                continue
            fits = p.ascii_fits(reading)
            alone = [p.judge(reading, (language,), fits) for language in languages]
            best = max(alone, key=lambda verdict: verdict.score)  # the first best
            verdict = p.judge(reading, languages, fits)
            assert verdict.language.rstrip("+") == best.language
            if not verdict.language.endswith("+"):
                assert verdict == best
            compared += 1
    assert compared > 100


def test_final_weights_are_each_lowered_characters_own_weight() -> None:
    """``_final_weights`` (reusing the first round's weight where the byte's character is the
    same) is, per byte >= 0x80, the first round's score of its lowered character alone; and
    ``_bound_weights`` that of its character (both through the per-languages weights kept
    across code pages)."""
    from ingestion import readings as r  # noqa: PLC0415
    from ingestion.plausibility import first_round_score  # noqa: PLC0415

    for encoding, languages in r.SINGLE_BYTE:
        lowering = r._tables(encoding).lowering  # pyright: ignore[reportPrivateUsage]
        expected = tuple(
            first_round_score({char: 1}, languages) if value > 0x7F and char != "\ufffe" else 0.0
            for value, char in enumerate(lowering)
        )
        assert r._final_weights(encoding, languages) == expected  # pyright: ignore[reportPrivateUsage]
        kept = r._kept_chars(encoding)  # pyright: ignore[reportPrivateUsage]
        first = tuple(first_round_score({char: 1}, languages) if char else 0.0 for char in kept)
        assert r._bound_weights(encoding, languages) == first  # pyright: ignore[reportPrivateUsage]


def _letters_only_bound_misses(
    ranked_samples: list[_Ranked], bound: Callable[[str], float]
) -> tuple[int, int, int]:
    """For every multi-byte finalist scored on letters alone in ``_ranked_samples``: how many
    score above their letters-only bound plus ``bound(text)`` (misses), how many that bound
    puts below ``rank_down_to``'s final floor, and how many there are."""
    from ingestion import readings as r  # noqa: PLC0415

    misses = below = checked = 0
    for ranked in ranked_samples:
        low = ranked.floor
        for index, candidate in enumerate(ranked.scorer.finalists):
            letters = r._letters_only_bound(candidate)  # pyright: ignore[reportPrivateUsage]
            if candidate.text is None or letters == float("inf"):
                continue
            checked += 1
            score = ranked.scores[index]
            tight = letters + bound(candidate.text)
            misses += tight < score - 1e-9 * max(1.0, abs(score))
            below += tight < low
    return misses, below, checked


def test_a_letters_only_bound_with_its_mixed_scripts_is_at_least_the_score(
    ranked_samples: list[_Ranked],
) -> None:
    """A multi-byte reading scored on letters alone is bounded by its letters plus
    ``mixed_bound`` (its mixed-script pairs and switches, as ``profile`` counts them):
    never below its score, and low enough to leave most such readings unscored; the same
    check catches a bound a few nats too tight, or one counting mixed pairs twice."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    misses, below, checked = _letters_only_bound_misses(ranked_samples, p.mixed_bound)
    assert misses == 0
    assert checked > 20
    assert below > checked // 4
    assert _letters_only_bound_misses(ranked_samples, lambda text: p.mixed_bound(text) - 3.0)[0] > 0
    assert _letters_only_bound_misses(ranked_samples, lambda text: 2 * p.mixed_bound(text))[0] > 0
    sample = "ab\u00e9\u4e00c \u4e00d".encode("gbk")  # the bound is rank_down_to's
    scorer = r._Scorer(  # pyright: ignore[reportPrivateUsage]
        sample,
        collections.Counter(sample),
        r._finalists(sample, sample, collections.Counter(sample), whole_file=False),  # pyright: ignore[reportPrivateUsage]
    )
    for index, candidate in enumerate(scorer.finalists):
        letters = r._letters_only_bound(candidate)  # pyright: ignore[reportPrivateUsage]
        if candidate.text is not None and letters < float("inf"):
            assert scorer.bound(index) == letters + p.mixed_bound(candidate.text)


def _ascii_bound_misses(
    ranked_samples: list[_Ranked],
    most: Callable[[dict[str, float], tuple[str, ...], int], float],
) -> tuple[int, int, int]:
    """For every byte-counted finalist of ``_ranked_samples`` whose ASCII fit is made (every
    finalist scored first): how many score above ``bound`` with ``most`` in place of
    ``ascii_prior_most`` (misses), how many that bound puts below the final floor where the
    bound without an ASCII term does not, and how many there are."""
    from ingestion import readings as r  # noqa: PLC0415

    def without(fits: dict[str, float], languages: tuple[str, ...], evidence: int) -> float:
        del fits, languages, evidence
        return 0.0

    misses = below = checked = 0
    for ranked in ranked_samples:
        scorer, low = ranked.scorer, ranked.floor
        for index, score in enumerate(ranked.scores):
            if scorer.finalists[index].text is not None or scorer.known_fit(index) is None:
                continue
            checked += 1
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(r, "ascii_prior_most", most)
                bound = scorer.bound(index)
                patch.setattr(r, "ascii_prior_most", without)
                plain = scorer.bound(index)
            misses += bound < score - 1e-9 * max(1.0, abs(score))
            below += bound < low <= plain
    return misses, below, checked


def test_the_ascii_prior_term_keeps_byte_counted_bounds_at_least_the_scores(
    ranked_samples: list[_Ranked],
) -> None:
    """A byte-counted reading's bound with the most its ASCII prior adds among its languages
    (``ascii_prior_most``, once its fit is made) is never below its score and leaves more
    readings unscored; the same check catches a term taken from the language the prior
    costs most instead, or one a nat too low."""
    from ingestion import plausibility as p  # noqa: PLC0415

    def least(fits: dict[str, float], languages: tuple[str, ...], evidence: int) -> float:
        return min(p.ascii_prior_most(fits, (language,), evidence) for language in languages)

    def too_low(fits: dict[str, float], languages: tuple[str, ...], evidence: int) -> float:
        return p.ascii_prior_most(fits, languages, evidence) - 1.0

    misses, below, checked = _ascii_bound_misses(ranked_samples, p.ascii_prior_most)
    assert misses == 0
    assert checked > 200
    assert below > 10
    assert _ascii_bound_misses(ranked_samples, least)[0] > 0
    assert _ascii_bound_misses(ranked_samples, too_low)[0] > 0
    # the term is judge's own: one language, so no mixture (the same terms, to rounding)
    reading = profile("le chat est sur la table, \u00e9t\u00e9 comme hiver")
    fits = p.ascii_fits(reading)
    evidence = sum(reading.chars.values())
    for language in ("fr", "en", "pl"):
        term = p.judge(reading, (language,), fits).score - p.judge(reading, (language,)).score
        assert abs(term - p.ascii_prior_most(fits, (language,), evidence)) < 1e-9
    singles = [p.ascii_prior_most(fits, (language,), evidence) for language in ("en", "fr")]
    assert p.ascii_prior_most(fits, ("en", "fr"), evidence) == max(singles)
    assert p.ascii_prior_most(fits, ("pl",), evidence) < max(singles)
    assert p.ascii_prior_most(fits, ("ru",), evidence) == 0.0
    assert p.ascii_prior_most({}, ("fr",), evidence) == 0.0


def _chars_bound_misses(
    scored: list[tuple[_Scorer, tuple[float, ...], float]],
) -> tuple[int, int, int]:
    """For every finalist bounded by its characters (``_chars_bound``) of ``scored`` (a scorer
    with every finalist scored, their scores, ``floor`` of its ranking): how many score above
    that bound (misses), how many the bound puts below the floor, and how many
    there are; each one's characters are its ``profile``'s own, and its bounds (rough, and
    with the exact terms) are that bound. (An EBCDIC finalist with a twin is bounded on the
    twin's bytes: ``test_ingestion_ebcdic`` checks it.)"""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    misses = below = checked = 0
    for scorer, scores, floor in scored:
        for index, candidate in enumerate(scorer.finalists):
            if candidate.text is not None:
                if r._letters_only_bound(candidate) < float("inf"):  # pyright: ignore[reportPrivateUsage]
                    continue
                if scorer.twin(index) is not None:  # bounded on its twin's bytes instead
                    continue
                text = candidate.text
            elif scorer.present & r._unsafe_mask(candidate.encoding):  # pyright: ignore[reportPrivateUsage]
                text = scorer.text(index)
            else:
                continue
            chars = p.non_ascii_chars(text)
            assert chars == scorer.profile(index).chars
            bound = r._chars_bound(chars, candidate.encoding, candidate.languages)  # pyright: ignore[reportPrivateUsage]
            assert scorer.rough_bound(index) == bound == scorer.bound(index)
            score = scores[index]
            misses += bound < score - 1e-9 * max(1.0, abs(score))
            below += bound < floor
            checked += 1
    return misses, below, checked


def _scored_paragraphs() -> list[tuple[_Scorer, tuple[float, ...], float]]:
    """Each development paragraph in each of its code pages, six times over (a file of a few KB,
    as most judged files are), ranked with every finalist scored: its scorer, the finalists'
    scores and ``floor`` of the ranking."""
    from ingestion_corpus import DEVELOPMENT  # noqa: PLC0415

    from ingestion import encoding_detect as e  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    made: list[_Scorer] = []
    real = r._Scorer  # pyright: ignore[reportPrivateUsage]

    def kept(sample: bytes, values: dict[int, int], finalists: list[_Candidate]) -> _Scorer:
        made.append(real(sample, values, finalists))
        return made[-1]

    found: list[tuple[_Scorer, tuple[float, ...], float]] = []
    for codecs, paragraph in DEVELOPMENT.values():
        for codec in codecs:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(r, "_Scorer", kept)
                ranked = r.rank((paragraph + "\n").encode(codec, "replace") * 6)
            if not ranked:  # no legacy reading (UTF-16)
                continue
            score = {reading.encoding: reading.score for reading in ranked}
            scores = tuple(score[candidate.encoding] for candidate in made[-1].finalists)
            found.append((made[-1], scores, e.floor(ranked)))
    return found


def test_readings_counted_on_their_text_are_bounded_by_their_characters(
    ranked_samples: list[_Ranked],
) -> None:
    """A finalist ``profile`` counts on its text (cp1258, EBCDIC, a single-byte sample with a
    byte in ``_unsafe_mask``, a multi-byte codec not scored on letters alone) is bounded by its
    characters, each at its likeliest language's weight, and its codec's priors: never below
    its score, and on files of a few KB low enough to leave many unscored (Greek and Thai code
    pages' readings of other scripts, EBCDIC's of Chinese)."""
    samples = [(x.scorer, x.scores, x.floor) for x in ranked_samples]
    paragraphs = _scored_paragraphs()
    misses, _, checked = _chars_bound_misses(samples)
    assert misses == 0
    assert checked > 50
    misses, below, checked = _chars_bound_misses(paragraphs)
    assert misses == 0
    assert below > 2  # 4 of 32 when written


def test_cp1258_without_its_tone_marks_is_counted_by_table_as_on_its_text() -> None:
    """A cp1258 reading of a sample with none of its combining tone marks (each byte one
    character, none composed) is counted by table in the first round, with the float counting
    its text gave (sign of zero included), and profiled on the bytes as its text profiles
    (every field, in order; the same verdict); with a mark it is still counted on its text."""
    import math  # noqa: PLC0415
    import random  # noqa: PLC0415

    from ingestion_corpus import DEVELOPMENT, HELD_OUT  # noqa: PLC0415

    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    generator = random.Random(19)  # noqa: S311 - fixed bytes, not a secret
    marks = b"\xcc\xd2\xde\xec\xf2"
    samples = [
        paragraph.encode(codec, "replace")
        for codecs, paragraph in (*DEVELOPMENT.values(), *HELD_OUT.values())
        for codec in codecs
        if codec in dict(r.SINGLE_BYTE)
    ]
    high = bytes(value for value in range(0x80, 0x100) if value not in marks)
    letters = b"abcdefghij klmnopqrstuvwxyz ., "
    samples += [
        bytes(
            generator.choice(letters + high[: generator.randint(4, len(high))]) for _ in range(90)
        )
        for _ in range(150)
    ]
    by_table = 0
    for sample in samples:
        found = [c for c in r._first_round(sample) if c.encoding == "cp1258"]  # pyright: ignore[reportPrivateUsage]
        if not found:
            continue  # read alike by a code page listed before it, or not readable
        text = sample.decode("cp1258")
        if any(value in marks for value in sample):
            assert found[0].text == text
            continue
        assert found[0].text is None
        languages = found[0].languages  # of every code page that reads the sample alike
        chars = p.non_ascii_chars(text)
        expected = p.first_round_score(chars, languages)
        expected += r._mixed_score(sample, "cp1258", text)  # pyright: ignore[reportPrivateUsage]
        first = found[0].first_round
        assert (first, math.copysign(1.0, first)) == (expected, math.copysign(1.0, expected))
        whole = p.profile(text)
        counts = p.byte_counts(sample)
        on_bytes = p.profile_on_bytes(counts, r._tables("cp1258"))  # pyright: ignore[reportPrivateUsage]
        for field in ("chars", "pairs", "ascii_letters", "ascii_pairs"):
            assert list(getattr(on_bytes, field).items()) == list(getattr(whole, field).items())
        assert on_bytes.glued == whole.glued
        fits = p.ascii_fits(whole)
        assert p.judge(on_bytes, languages, fits) == p.judge(whole, languages, fits)
        by_table += 1
    assert by_table > 15  # 24 when written
