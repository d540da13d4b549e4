"""EBCDIC text: variants that read letters alike are told apart by where their symbols stand,
and its own tab, new line and quote bytes are no sign of binary data."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from ingestion_corpus import write

from ingestion import read_text
from ingestion.ebcdic import punctuation_cost


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # cp500 reads cp037's "!" (0x5A) as "]" and its "|" (0x4F) as "!".
        ("Tervetuloa kotiin! Päivän uutiset | Suomi\nSe on hyvä päivä, eikö? Kyllä!\n", "cp037"),
        ("Kirjoittaja | Päivämäärä | Hyvää päivää kaikille\n", "cp037"),
        # cp037 reads cp500's "|" (0xBB) as "]".
        ("Etusivu | Uutiset | Yhteystiedot\nHyvää päivää kaikille ystäville Suomessa.\n", "cp500"),
    ],
)
def test_ebcdic_variants_are_told_apart_by_where_their_punctuation_stands(
    tmp_path: Path, text: str, codec: str
) -> None:
    """cp037 and cp500 read every letter alike: their readings scored alike and such files
    were refused (AmbiguousEncodingError naming both)."""
    assert read_text(write(tmp_path, text.encode(codec))) == (text, codec)


def test_punctuation_costs_where_text_does_not_put_it() -> None:
    bracket = punctuation_cost("a]", "fi")
    exclamation = punctuation_cost("a !", "fi")
    assert bracket < exclamation < 0
    assert punctuation_cost("Nyt! [1][2] (!) [...] Super!, a | b!!! x", "fi") == 0
    assert punctuation_cost("a [b\nc] d", "fi") == 2 * bracket
    assert punctuation_cost("Yahoo!mail", "fi") == exclamation
    assert punctuation_cost("Bonjour ! Merci !", "fr") == 0
    assert punctuation_cost("!", "de+") == exclamation


def test_ebcdic_quotes_and_line_ends_are_not_binary(tmp_path: Path) -> None:
    """EBCDIC's double quote (0x7F), tab (0x05) and new line (0x15) are ASCII controls: a
    Welsh text with ten quotes in 1.9 KB was refused as binary (BinaryFileError)."""
    text = 'Dywedodd hi "ie" a "na" wrth y "dyn".\x85' * 4
    assert read_text(write(tmp_path, text.encode("cp037"))) == (text, "cp037")


def _ebcdic_samples() -> list[tuple[str, str]]:
    """Every corpus paragraph in each EBCDIC code page (what it lacks as "?"), and text with
    the symbols an EBCDIC variant puts next to letters (``ebcdic_symbols_cost``)."""
    from ingestion_corpus import DEVELOPMENT, HELD_OUT  # noqa: PLC0415

    from ingestion import readings as r  # noqa: PLC0415

    texts = [paragraph for corpus in (DEVELOPMENT, HELD_OUT) for _, paragraph in corpus.values()]
    texts.append("Det var en k{se f}r alle, sa mahdollisuuks{ [Nota] og ~ | ^ ` her.\n")
    return [
        (text.encode(encoding, "replace").decode(encoding), encoding)  # "?" for what it lacks
        for encoding in r._EBCDIC_TWINS  # pyright: ignore[reportPrivateUsage]
        for text in texts
    ]


def test_an_ebcdic_reading_counted_in_its_twin_code_page_is_its_text_profile() -> None:
    """An EBCDIC sample translated byte for byte into its twin (Latin-1, ISO-8859-9, -7, -8)
    profiles on the bytes exactly as its decoded text does with ``ebcdic`` costs (the same
    characters and pairs in the same order, letters, costs): the scorer counts it so."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    twins = costly = 0
    for text, encoding in _ebcdic_samples():
        data = text.encode(encoding)
        values = collections.Counter(data)
        twin = r._ebcdic_twin(encoding, sum(1 << value for value in values))  # pyright: ignore[reportPrivateUsage]
        if twin is None:
            continue
        target, table = twin
        renamed = {table[value]: n for value, n in values.items()}
        tables = r._tables(target)  # pyright: ignore[reportPrivateUsage]
        counts = p.byte_counts(data.translate(table), renamed)
        # Its pairs renamed from the one count every twin of the sample shares: the same.
        shared = p.pair_counts(data.translate(r._ebcdic_lowering()))  # pyright: ignore[reportPrivateUsage]
        pairs = p.renamed_pairs(shared, table)
        assert list(pairs.items()) == list(p.pair_counts(data.translate(table).lower()).items())
        assert p.byte_counts(data.translate(table), renamed, pairs) == counts
        fast = p.profile_on_bytes(counts, tables, ebcdic=True)
        whole = p.profile(text, ebcdic=True)
        assert list(fast.chars.items()) == list(whole.chars.items()), (encoding, text)
        assert list(fast.pairs.items()) == list(whole.pairs.items()), (encoding, text)
        assert list(fast.ascii_letters.items()) == list(whole.ascii_letters.items())
        assert (fast.ascii_pairs, fast.glued) == (whole.ascii_pairs, whole.glued)
        twins += 1
        costly += p.ebcdic_symbols_cost(text.lower()) < 0
    assert twins > 200, twins
    assert costly >= 5  # the EBCDIC symbol cost is counted on the twin's bytes too


def test_an_ebcdic_reading_is_bounded_on_its_twin_bytes() -> None:
    """An EBCDIC finalist with a twin is bounded as a byte-counted reading of the twin: its
    pairs' bound, picked from the sample's shared pair count, is the twin counts' own, and
    its bounds are at least its score and at most what its characters alone gave
    (``_chars_bound``), far less for mojibake (cp875 Greek, cp424 Hebrew of Latin text)."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    checked = far = 0
    for text, encoding in _ebcdic_samples()[::20]:
        data = text.encode(encoding)
        values = collections.Counter(data)
        finalists = r._finalists(data, data, values, whole_file=False)  # pyright: ignore[reportPrivateUsage]
        scorer = r._Scorer(data, values, finalists)  # pyright: ignore[reportPrivateUsage]
        for index, candidate in enumerate(finalists):
            twin = scorer.twin(index)
            if twin is None or candidate.text is None:
                continue
            near = scorer.twin_pairs_bound(index, twin)
            tables = r._tables(twin.target)  # pyright: ignore[reportPrivateUsage]
            whole = p.pairs_bound(scorer.twin_counts(index, twin), tables, candidate.languages)
            assert abs(near - whole) <= 1e-9 * max(1.0, abs(whole))
            rough, score = scorer.rough_bound(index), scorer.reading(index).score
            assert rough >= scorer.bound(index) >= score - 1e-9 * max(1.0, abs(score))
            found = p.non_ascii_chars(candidate.text)
            chars = r._chars_bound(found, candidate.encoding, candidate.languages)  # pyright: ignore[reportPrivateUsage]
            assert rough <= chars + 1e-9 * max(1.0, abs(chars))
            far += rough < chars - 100
            checked += 1
    assert checked > 25, checked
    assert far > 5, far


def test_an_ebcdic_reading_s_first_round_letters_are_its_twin_table_s() -> None:
    """The first round scores an EBCDIC reading's letters by its twin's letter table: the same
    float as on its decoded text, for every corpus paragraph in every EBCDIC code page whose
    sample a twin serves (and the text's own count where none does)."""
    from ingestion import plausibility as p  # noqa: PLC0415
    from ingestion import readings as r  # noqa: PLC0415

    by_table = 0
    for text, encoding in _ebcdic_samples():
        data = text.encode(encoding)
        values = collections.Counter(data)
        languages = dict(r.EBCDIC)[encoding]
        letters = r._twin_letters(len(data), encoding, languages, values, sorted(values))  # pyright: ignore[reportPrivateUsage]
        if letters is None:
            assert r._ebcdic_twin(encoding, sum(1 << value for value in values)) is None  # pyright: ignore[reportPrivateUsage]
            continue
        assert letters == p.first_round_score(p.non_ascii_chars(text), languages), (encoding, text)
        by_table += 1
    assert by_table > 300, by_table
    assert r._twin_letters(3, "cp1252", ("en",), {0xE9: 1}, [0xE9]) is None  # pyright: ignore[reportPrivateUsage]


def test_every_ebcdic_code_page_reads_ascii_capitals_where_the_shared_lowering_expects() -> None:
    """``_ebcdic_lowering`` (one table, made from the first EBCDIC code page) makes each byte
    that any EBCDIC code page reads as an ASCII capital the byte it reads as that small
    letter, and keeps every other byte: the twins' pairs are renamed from one count of it."""
    from ingestion import readings as r  # noqa: PLC0415

    lowering = r._ebcdic_lowering()  # pyright: ignore[reportPrivateUsage]
    for encoding, _ in r.EBCDIC:
        for value in range(256):
            char = bytes([value]).decode(encoding, "replace")
            want = char.lower() if char.isascii() and char.isupper() else char
            assert bytes([lowering[value]]).decode(encoding, "replace") == want, (encoding, value)
    assert len(r.EBCDIC) == len(r._EBCDIC_TWINS)  # pyright: ignore[reportPrivateUsage]


def test_renamed_pairs_add_up_pairs_that_become_one() -> None:
    """cp875 reads two bytes as one character each for six characters: a twin translation may
    make two pairs one, whose counts then add up where the first of them stood."""
    from ingestion import plausibility as p  # noqa: PLC0415

    table = bytes(range(256)).replace(b"b", b"a")
    assert p.renamed_pairs(p.pair_counts(b"xbxaxb"), table) == {"xa": 3, "ax": 2}
    assert list(p.renamed_pairs({"bx": 1, "ax": 2, "xb": 4}, table)) == ["ax", "xa"]


@pytest.mark.parametrize(
    ("encoding", "text", "twin"),
    [
        ("cp037", "Grüße, ¼ und ½!", "latin-1"),
        ("cp1140", "Preis: 5 € für alle", "iso8859-15"),  # Latin-1 has no euro sign
        ("cp1140", "Preis: 5 € für ½ Liter", None),  # ISO-8859-15 has no one half
        ("cp273", "Grüße‾", None),  # no overline in Latin-1
        ("cp1026", "Türkçe çok güzel, ağaç", "iso8859-9"),
        ("cp1026", "İstanbul", None),  # capital dotted I lowers to two characters
        ("cp875", "Καλημέρα κόσμε", "iso8859-7"),
        ("cp875", "ΣΠΙΤΙ", None),  # capital sigma lowers as final sigma at a word's end
        ("cp424", "שלום עולם", "iso8859-8"),
    ],
)
def test_an_ebcdic_sample_has_a_twin_only_where_one_reads_every_byte_alike(
    encoding: str, text: str, twin: str | None
) -> None:
    """A twin serves a sample only when it reads each of its bytes as the EBCDIC code page
    does and counts each on the bytes; otherwise the reading is counted on its text."""
    from ingestion import readings as r  # noqa: PLC0415

    data = text.encode(encoding)
    found = r._ebcdic_twin(encoding, sum(1 << value for value in set(data)))  # pyright: ignore[reportPrivateUsage]
    assert (found and found[0]) == twin
    if found is not None:
        assert data.translate(found[1]).decode(found[0]) == text
