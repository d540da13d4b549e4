"""Which codec reads a superset of which: one table for declared labels, sample picks and
whole-file fallbacks (``declared``, ``readings`` and ``io_text`` all read it from here).

Three questions, three answers, all from ``DECODE_SUPERSETS``:

* a multi-byte pick made on a sample fails on the whole file: which codecs decode every byte
  sequence it does, to the same characters but for a few symbols (``DECODE_SUPERSETS``; a test
  checks every byte pair), so they are its natural second choice (cp932's IBM kanji past a
  Shift_JIS sample);
* a file declares a label: what the label means in practice (``LABEL_SUPERSETS``: those, plus
  the WHATWG Encoding Standard's decoders that read bytes the label's codec reads as C1
  controls, tis-620 as windows-874, ISO-8859-9 as windows-1254, and the extended sets of EUC-JP
  and Big5);
* the standard and its superset read the same bytes as different characters: which reading is
  the text (``READ_OTHERWISE``).

Only GB2312 yields there. GB 18030, the binding Chinese standard that replaced GB 2312 (and
GBK, which browsers use for both labels), reads 0xA1AA as the em dash Chinese writes its dash
with (U+2014) and 0xA1A4 as the middle dot (U+00B7), where Python's GB2312 table has a
horizontal bar and a katakana middle dot. Shift_JIS keeps its own reading: 0x8160 is JIS X
0208's wave dash (U+301C), the character Japanese text means, which cp932 maps to a full-width
tilde (U+FF5E) by a vendor quirk, and so for 0x817C (minus sign) and five more. The labelled
corpora agree: every Shift_JIS-labelled file with such a pair (63 files in chardet's old and new
tests and char-dataset) reads right as Shift_JIS, one cp932-labelled file as cp932; the
declared GB2312 files with 0xA1AA are labelled GB18030 in chardet's new tests.
"""

from __future__ import annotations

DECODE_SUPERSETS: dict[str, tuple[str, ...]] = {
    "shift_jis": ("cp932",),
    "gb2312": ("gbk", "gb18030"),
    "gbk": ("gb18030",),
    "euc_kr": ("cp949",),
    "big5": ("cp950",),
}

_LABEL_ONLY: dict[str, tuple[str, ...]] = {
    "euc_jp": ("euc_jis_2004",),
    "big5": ("big5hkscs",),
    "tis-620": ("cp874",),
    "iso8859-9": ("cp1254",),
    "iso8859-11": ("cp874",),
}

# What a declared name means in practice: the first codec that decodes the whole file strictly
# (and reads no C1 control, and no pair otherwise than its superset) wins, the declared one first.
LABEL_SUPERSETS: dict[str, tuple[str, ...]] = {
    codec: (*DECODE_SUPERSETS.get(codec, ()), *_LABEL_ONLY.get(codec, ()))
    for codec in DECODE_SUPERSETS | _LABEL_ONLY
}

# The characters a standard reads where its first superset reads others from the same bytes: text
# holding one is read by the superset, declared or not (a test checks the set against every byte
# pair).
READ_OTHERWISE: dict[str, str] = {"gb2312": "\u30fb\u2015"}
