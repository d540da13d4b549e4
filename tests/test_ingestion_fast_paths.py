"""Issue 19, per-file speed: ingestion's shortcuts give what their plain definitions give, so
no verdict can move."""

from __future__ import annotations

import collections
import math
import operator
import random
import unicodedata

import pytest
from ingestion_corpus import DEVELOPMENT, files

from ingestion import plausibility, readings


def test_variants_is_the_family_test() -> None:
    codecs = [name for name, _ in (*readings.SINGLE_BYTE, *readings.MULTI_BYTE, *readings.EBCDIC)]
    for first in codecs:
        for second in codecs:
            expected = any(first in f and second in f for f in readings.VARIANTS)
            assert readings.variants(first, second) == expected


def _kind_as_profile_judged(pair: str, letter: dict[str, bool]) -> float | str:
    """What ``_profile``'s loop made of a pair before ``pair_share`` (``letter``: ``_is_letter``
    of each non-ASCII character of the reading): "ascii", "letters", or the glue it added."""
    if pair.isascii():
        return "ascii" if pair.isalpha() else 0.0
    if "\x00" in pair:
        return 0.0
    first = letter.get(pair[0]) or pair[0].isalpha()
    second = letter.get(pair[1]) or pair[1].isalpha()
    if first and second:
        return "letters"
    if first or second:
        other = pair[1] if first else pair[0]
        if other > "\x7f" and not other.isspace() and not letter[other]:
            return -4.0 if other in plausibility._GLUES else -8.0  # pyright: ignore[reportPrivateUsage]
    return 0.0


def test_pair_share_is_what_profile_made_of_each_pair() -> None:
    # _profile looks each pair up (pair_share, kept per pair) instead of testing its letters.
    generator = random.Random(23)  # noqa: S311 - fixed text, not a secret
    texts = [case.data.decode("latin-1") for case in files(DEVELOPMENT)[::17]]
    texts += [
        case.data.decode(encoding, "replace")
        for case in files(DEVELOPMENT)[::37]
        for encoding in ("cp1251", "cp1253", "koi8-r", "cp1256", "tis-620", "cp1258", "gbk")
    ]
    pool = "ab Z1.,'\x00\t\u00e9\u00c9\u00b4\u00a8\u00bb\u2019\u0301\u0e49\u0416\u00a0\u00b9\u4e2d"
    texts += ["".join(generator.choice(pool) for _ in range(80)) for _ in range(300)]
    seen = 0
    for text in texts:
        lowered = unicodedata.normalize("NFC", text).lower()
        letter = {char: plausibility._is_letter(char) for char in lowered if char > "\x7f"}  # pyright: ignore[reportPrivateUsage]
        for pair in {lowered[i : i + 2] for i in range(len(lowered) - 1)}:
            letters, ascii_letters, glue = plausibility.pair_share(pair)
            found = "letters" if letters else "ascii" if ascii_letters else glue
            assert found == _kind_as_profile_judged(pair, letter), pair
            assert (letters, ascii_letters, glue).count(True) <= 1, pair
            assert not (letters or ascii_letters) or glue == 0.0, pair
            seen += 1
        # and profile's pairs and ASCII pairs, and the pairs' glue summed at C speed: what the
        # loop over the pairs made of them
        profiled = plausibility.profile(text)
        low = plausibility._lowered(text)[1]  # pyright: ignore[reportPrivateUsage]
        counted = collections.Counter(map(operator.add, low, low[1:]))
        letter = {char: plausibility._is_letter(char) for char in low if char > "\x7f"}  # pyright: ignore[reportPrivateUsage]
        looped: dict[str, dict[str, int]] = {"letters": {}, "ascii": {}}
        glued = 0.0
        for pair, n in counted.items():
            kind = _kind_as_profile_judged(pair, letter)
            if isinstance(kind, str):
                looped[kind][pair] = n
            elif kind:
                glued += n * kind
        assert list(profiled.pairs.items()) == list(looped["letters"].items())
        assert list(profiled.ascii_pairs.items()) == list(looped["ascii"].items())
        shares = map(plausibility.pair_share, counted)
        summed = sum(map(operator.mul, counted.values(), (share[2] for share in shares)), 0.0)
        assert (summed, math.copysign(1.0, summed)) == (glued, math.copysign(1.0, glued))
    assert seen > 10_000


def _judged_in_order(
    reading: plausibility.Profile, languages: tuple[str, ...], fits: dict[str, float] | None
) -> plausibility.Verdict:
    """``judge`` by its plain definition: every language scored in order, no language skipped,
    the first with the highest score kept, then the mixture of the others."""
    p = plausibility
    models = p.language_models()
    evidence = sum(reading.chars.values())
    fixed, letters_only = _split_plainly(reading.chars)
    letter_counts = [n for _, n in letters_only]
    columns, letter_rows, letter_cost = p._columns, p._LETTER_ROWS, p._letter_cost  # pyright: ignore[reportPrivateUsage]
    letter_columns = columns(letter_rows, [c for c, _ in letters_only], languages, letter_cost)
    pair_counts = list(reading.pairs.values())
    pair_columns = columns(p._PAIR_ROWS, list(reading.pairs), languages, p.pair_log)  # pyright: ignore[reportPrivateUsage]
    found: tuple[float, float, str, float] | None = None
    for index, language in enumerate(languages):
        letters = (
            fixed
            - sum(n * c for n, c in zip(letter_counts, letter_columns[index], strict=True)) / 10
        )
        pairs = sum(n * c for n, c in zip(pair_counts, pair_columns[index], strict=True))
        letters += pairs
        score = letters + reading.glued
        if models[language].latin and fits:
            prior = p._ASCII_WEIGHT * (fits[language] - max(fits.values()))  # pyright: ignore[reportPrivateUsage]
            score += max(prior, p._ASCII_CAP * evidence)  # pyright: ignore[reportPrivateUsage]
        if found is None or score > found[0]:
            found = (score, letters, language, pairs)
    assert found is not None
    score, letters, language, pairs = found
    pairs_total = sum(pair_counts)
    expected = p._expected(models[language], evidence, pairs_total)  # pyright: ignore[reportPrivateUsage]
    pairs_expected = models[language].mean_wide_pair * pairs_total
    counted = common = 0  # a language scored on letters alone: its letters, the common ones
    if not models[language].pairs:
        counted = sum(letter_counts)
        common = sum(n for char, n in letters_only if char in p.common_letters(language))
    best = p.Verdict(
        score, language, letters - expected, pairs_total, pairs - pairs_expected, counted, common
    )
    if len(languages) < 2:
        return best
    main = languages.index(language)
    total = fixed
    for at, n in enumerate(letter_counts):
        other = min(column[at] for i, column in enumerate(letter_columns) if i != main)
        total += n * max(-letter_columns[main][at] / 10, -other / 10 + p._MIXTURE)  # pyright: ignore[reportPrivateUsage]
    mixed_pairs = 0.0
    for at, n in enumerate(pair_counts):
        likeliest = max(column[at] for i, column in enumerate(pair_columns) if i != main)
        term = n * max(pair_columns[main][at], likeliest + p._MIXTURE)  # pyright: ignore[reportPrivateUsage]
        total += term
        mixed_pairs += term
    gain = total - (best.shortfall + expected)
    if gain <= 0:
        return best
    return p.Verdict(
        best.score + gain,
        f"{language}+",
        best.shortfall + gain,
        pairs_total,
        mixed_pairs - pairs_expected,
        counted,
        common,
    )


def test_judge_is_every_language_scored_in_order() -> None:
    # judge tries languages from the smallest letter sum and stops once none can win.
    generator = random.Random(24)  # noqa: S311 - fixed bytes, not a secret
    samples = [case.data[:length] for case in files(DEVELOPMENT)[::31] for length in (24, 300)]
    samples += [bytes(generator.randrange(32, 256) for _ in range(40)) for _ in range(20)]
    everyone = tuple(plausibility.language_models())
    judged = 0
    for sample in samples:
        for encoding, languages in (*readings.SINGLE_BYTE[::3], ("cp1252", everyone)):
            text = sample.decode(encoding, "replace")
            reading = plausibility.profile(text)
            for fits in (plausibility.ascii_fits(reading), None):
                found = plausibility.judge(reading, languages, fits)
                assert found == _judged_in_order(reading, languages, fits), (encoding, sample)
                judged += 1
    assert judged > 1000


def _split_plainly(chars: dict[str, int]) -> tuple[float, list[tuple[str, int]]]:
    """``_split`` by its definition: per character in order, a letter kept, another added."""
    fixed = 0.0
    letters: list[tuple[str, int]] = []
    for char, n in chars.items():
        if plausibility._is_letter(char):  # pyright: ignore[reportPrivateUsage]
            letters.append((char, n))
        else:
            fixed += n * plausibility.char_log(char, plausibility._NO_MODEL)  # pyright: ignore[reportPrivateUsage]
    return fixed, letters


def test_byte_counts_characters_and_letters_are_every_byte_renamed_and_split() -> None:
    # profile on the bytes renames the bytes >= 0x80 alone and takes the sample's ASCII letters
    # (ByteCounts.high, .ascii_letters): what renaming every byte and splitting them gave.
    generator = random.Random(26)  # noqa: S311 - fixed bytes, not a secret
    samples = [case.data[:length] for case in files(DEVELOPMENT)[::19] for length in (30, 900)]
    samples += [bytes(generator.randrange(1, 256) for _ in range(60)) for _ in range(40)]
    samples += [b"Aa aA ZzZ \xc9\xe9 \xc0bc"]
    compared = 0
    for sample in samples:
        given = collections.Counter(sample)
        for counts in (plausibility.byte_counts(sample), plausibility.byte_counts(sample, given)):
            for encoding, _ in readings.SINGLE_BYTE:
                if encoding in readings._TEXT_COUNTED:  # pyright: ignore[reportPrivateUsage]
                    continue
                lowering = readings._tables(encoding).lowering  # pyright: ignore[reportPrivateUsage]
                every = plausibility._renamed(counts.values, lowering, 1)  # pyright: ignore[reportPrivateUsage]
                chars = plausibility._renamed(counts.high, lowering, 1)  # pyright: ignore[reportPrivateUsage]
                assert list(chars.items()) == [(c, n) for c, n in every.items() if c > "\x7f"]
                letters = [(c, n) for c, n in every.items() if c in "abcdefghijklmnopqrstuvwxyz"]
                assert list(counts.ascii_letters.items()) == letters
                compared += 1
    assert compared > 1000


def test_column_sums_are_each_columns_sum() -> None:
    # judge and first_round_score sum each language's column in C: the same values and types.
    generator = random.Random(27)  # noqa: S311 - fixed numbers, not a secret
    for size in (0, 1, 2, 7):
        counts = [generator.randrange(1, 30) for _ in range(size)]
        for languages in (1, 2, 21):
            columns: list[tuple[float, ...]] = [
                tuple(generator.choice((140, 37, 0, -1.5, -20.0, 0.1)) for _ in range(size))
                for _ in range(languages)
            ]
            found = plausibility._column_sums(counts, columns)  # pyright: ignore[reportPrivateUsage]
            expected = [
                sum(n * c for n, c in zip(counts, column, strict=True)) for column in columns
            ]
            assert [(x, type(x)) for x in found] == [(x, type(x)) for x in expected]


def test_utf8_with_few_multi_byte_characters_is_ranked_without_a_first_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``rank_down_to`` with UTF-8's own reading given (``utf8_or_legacy``, as ``read_text``
    asks: ``verdict_floor``) returns every reading's ranking cut at the floor; when no legacy
    reading's bound reaches it, the given reading alone, without a first round."""
    from dataclasses import replace  # noqa: PLC0415

    from ingestion import encoding_detect  # noqa: PLC0415

    def given_with(text: str) -> tuple[readings.Reading, ...]:
        own = readings.utf8_reading(text)
        return (replace(own, score=own.score + encoding_detect._UTF8_PRIOR),)  # pyright: ignore[reportPrivateUsage]

    def every_reading_cut(
        data: bytes, given: tuple[readings.Reading, ...]
    ) -> list[readings.Reading]:
        ranked = sorted([*readings.rank(data), *given], key=lambda reading: -reading.score)
        low = encoding_detect.verdict_floor(ranked)
        return [reading for reading in ranked if reading.score >= low]

    floor = encoding_detect.verdict_floor
    unreached = ("héllo wörld", "año nuevo", "naïve café", "Grüße aus Köln")
    reached = ("Zürich", "пр", "会")  # a legacy reading's bound reaches the floor: ranked in full
    for text in (*unreached, *reached):
        data, given = text.encode(), given_with(text)
        assert readings.rank_down_to(data, floor, given=given) == every_reading_cut(data, given)

    def no_first_round(*args: object, **kwargs: object) -> list[readings.Reading]:
        raise AssertionError("a first round")

    monkeypatch.setattr(readings, "_finalists", no_first_round)
    for text in unreached:
        given = given_with(text)
        assert readings.rank_down_to(text.encode(), floor, given=given) == list(given)


def test_a_sample_with_few_non_ascii_bytes_is_not_bounded_in_the_first_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With fewer than ``_FEW_BYTES`` bytes >= 0x80 every reading within ``_FEW_BYTES_SPAN`` of
    the best is a finalist: the first round scores every reading without bounding any, the
    same candidates as the unbounded round; with more, it still bounds them."""
    few = ("Übung".encode("cp1252"), "Дом".encode("koi8-r"), "日本".encode("euc_jp"))
    every = {data: readings._first_round(data) for data in few}  # pyright: ignore[reportPrivateUsage]
    many = "Straße über Äcker, Öfen und Brücken. ".encode("cp1252") * 3
    assert len(many.translate(None, bytes(range(0x80)))) >= readings._FEW_BYTES  # pyright: ignore[reportPrivateUsage]
    bounds = [0]
    bound = readings._bound  # pyright: ignore[reportPrivateUsage]

    def counted(
        encoding: str, languages: tuple[str, ...], values: list[int], counts: list[int]
    ) -> float:
        bounds[0] += 1
        return bound(encoding, languages, values, counts)

    monkeypatch.setattr(readings, "_bound", counted)
    for data in few:
        assert readings._first_round(data, bounded=True) == every[data]  # pyright: ignore[reportPrivateUsage]
    assert bounds[0] == 0
    readings._first_round(many, bounded=True)  # pyright: ignore[reportPrivateUsage]
    assert bounds[0] > 0


def _cp1258_samples() -> list[bytes]:
    """Samples with cp1258's combining marks among their bytes: Russian, Greek and Italian
    text in their code pages, and random cp1258 bytes thick with marks (a lead and its marks
    in any order: "î" and a dot below compose as "ị" and a circumflex)."""
    texts = [  # natural text: Cyrillic and Greek letters look like Latin ones to ruff
        ("Мы стояли у моря, и тёмные волны били о камни. ", "cp1251"),  # noqa: RUF001
        ("Τα μικρά παιδιά παίζουν στην αυλή με τις μπάλες. ", "cp1253"),  # noqa: RUF001
        ("La città è più bella però ogni sera, perché sì. ", "cp1252"),
    ]
    samples = [(text * 4).encode(codec) for text, codec in texts]
    defined = [value for value in range(0x80, 0x100) if _cp1258_reads(value)]
    marks = list(b"\xcc\xd2\xde\xec\xf2")
    rng = random.Random(1258)  # noqa: S311 - fixed test bytes, not a secret
    for _ in range(30):
        values = rng.choices(defined + marks * 8 + list(b"aeiou "), k=rng.randint(20, 120))
        samples.append(bytes(values))
    return samples


def _cp1258_reads(value: int) -> bool:
    try:
        bytes([value]).decode("cp1258")
    except UnicodeDecodeError:
        return False
    return True


def test_a_cp1258_reading_is_bounded_on_its_bytes_before_its_text_is_counted() -> None:
    """A bounded first round bounds cp1258's reading of a sample with its marks on the bytes
    (``_composing_bound``): at least the score its text gets (``_text_candidate``), so Russian
    read as Vietnamese is left out uncounted; the readings kept are the unbounded round's."""
    languages = dict(readings.SINGLE_BYTE)["cp1258"]
    for sample in _cp1258_samples():
        text = sample.decode("cp1258")
        values = collections.Counter(sample)
        present = sorted(values)
        high = [value for value in present if value > 0x7F]
        counts = [float(values[value]) for value in high]
        bound = readings._composing_bound(sample, "cp1258", languages, high, counts)  # pyright: ignore[reportPrivateUsage]
        scored = readings._text_candidate(  # pyright: ignore[reportPrivateUsage]
            sample, "cp1258", languages, text, values=values, present=present
        )
        assert bound >= scored.first_round
    russian = _cp1258_samples()[0]
    every = readings._first_round(russian)  # pyright: ignore[reportPrivateUsage]
    bounded = readings._first_round(russian, bounded=True)  # pyright: ignore[reportPrivateUsage]
    assert "cp1258" in {candidate.encoding for candidate in every}
    assert "cp1258" not in {candidate.encoding for candidate in bounded}
    assert all(candidate in every for candidate in bounded)


def test_what_cp1258_marks_make_of_ascii_or_alone_never_adds() -> None:
    """``_composing_bound`` leaves out the letters cp1258's marks compose on ASCII letters and
    the marks left alone: under every language each costs, never adds (the best of all
    languages is at least that of any of them)."""
    every = readings._every_language(("vi",))  # pyright: ignore[reportPrivateUsage]
    weight = readings._char_weights(every)  # pyright: ignore[reportPrivateUsage]
    marks = b"\xcc\xd2\xde\xec\xf2".decode("cp1258")
    made: set[str] = set()
    for lead in ("", *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        for mark in marks:
            made.update(plausibility.non_ascii_chars(lead + mark))
    assert made
    assert all(weight[char] <= 0 for char in made)
