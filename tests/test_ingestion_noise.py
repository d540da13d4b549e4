"""Issue 19 item 3: random characters in a CJK codec (a script no codec covers, such as
EUC-TW, looks so in EUC-JP or Big5) are refused, and real short text is still read."""

from __future__ import annotations

import random

import pytest
from ingestion_corpus import DEVELOPMENT, HELD_OUT

from ingestion import detect_encoding
from ingestion.plausibility import common_letters
from ingestion.readings import MULTI_BYTE

# Where each codec's letters are drawn from: CJK ideographs, and Hangul syllables for Korean.
_IDEOGRAPHS = range(0x4E00, 0x9FA6)
_HANGUL = range(0xAC00, 0xD7A4)
_ASCII_BETWEEN = (" ", ", ", "\n", "1", ". ")


def _random_letters(codec: str, letters: int, seed: int) -> bytes:
    """``letters`` characters drawn uniformly from those ``codec`` encodes (ideographs, and
    Hangul for a Korean codec), with a little ASCII between them (seeded)."""
    generator = random.Random(seed)  # noqa: S311 - fixed noise, not a secret
    korean = dict(MULTI_BYTE)[codec] == ("ko",)
    pool = [*_IDEOGRAPHS, *(_HANGUL if korean else ())]
    text: list[str] = []
    while len(text) < letters:
        char = chr(generator.choice(pool))
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            continue
        text.append(char)
        if generator.random() < 0.2:
            text.append(generator.choice(_ASCII_BETWEEN))
    return "".join(text).encode(codec)


@pytest.mark.parametrize("codec", [codec for codec, _ in MULTI_BYTE])
def test_random_letters_of_each_cjk_codec_are_refused(codec: str) -> None:
    # Most such readings scored above the per-character bar: rare letters cost little more
    # than a language's average one, and the best of several codecs' readings was taken.
    for letters in (12, 30, 80):
        data = _random_letters(codec, letters, seed=letters)
        detection = detect_encoding(data)
        assert detection.encoding is None or detection.rival is not None, (letters, detection)


def test_halfwidth_katakana_are_the_common_kana_they_stand_for() -> None:
    common = common_letters("ja")
    assert {"ｱ", "ﾉ", "ア", "の"} <= common
    assert "鷗" not in common
    assert "ｻ" not in common_letters("zh")
    # Shift_JIS text in halfwidth katakana (single bytes) is text, not noise.
    text = "東ﾆ病気ﾉｺﾄﾞﾓｱﾚﾊﾞ\n行ｯﾃ看病ｼﾃﾔﾘ\n西ﾆ疲ﾚﾀ母ｱﾚﾊﾞ\n"
    assert detect_encoding(text.encode("shift_jis")).encoding in ("shift_jis", "cp932")


def _sentences(language: str) -> list[tuple[str, str]]:
    """Each sentence of the corpus's paragraphs in ``language``, in each code page of it."""
    found: dict[bytes, tuple[str, str]] = {}  # codecs that encode a sentence alike: once
    for corpus in (DEVELOPMENT, HELD_OUT):
        codecs, paragraph = corpus[language]
        for sentence in paragraph.replace("。", "。\n").replace(". ", ".\n").splitlines():
            for codec in codecs:
                if not codec.startswith("iso"):
                    found.setdefault(sentence.encode(codec), (sentence, codec))
    return list(found.values())


def test_short_real_text_is_read_and_noise_is_no_rival_to_it() -> None:
    # An Arabic sentence's EUC-KR reading is random Hangul and Hanja: it was a close rival,
    # and the sentence was refused. Short CJK sentences still read, in HZ too (escapes are
    # evidence of their own: few common letters, as short Simplified Chinese has, are text).
    cases = [("شراء الخضار والفواكه", "cp1256"), ("شراء الخضار والفواكه", "iso8859-6")]
    cases += [("一个头文件来实现堆栈", "hz")]
    for language in ("ja", "zh-hans", "zh-hant", "ko"):
        cases += _sentences(language)
    for text, codec in cases:
        detection = detect_encoding(text.encode(codec))
        assert detection.rival is None, (text, codec, detection)
        assert detection.encoding is not None
        assert text.encode(codec).decode(detection.encoding) == text, (text, codec)
