"""In-band encoding declarations: XML declaration, HTML meta charset, PEP 263 coding line."""

from __future__ import annotations

import functools
import re

from ingestion.supersets import LABEL_SUPERSETS, READ_OTHERWISE
from ingestion.utils import single_byte_undefined, text_codec_name

_HEAD = 4096
_XML = re.compile(rb"""\A\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_PEP263 = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")

_LABELS = {
    "x-sjis": "shift_jis",
    "sjis": "shift_jis",
    "windows-31j": "cp932",
    "x-mac-roman": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gbk",
}

# C1 control codes (U+0080-U+009F) are no text: a declared single-byte codec that reads bytes
# 0x80-0x9F so (ISO-8859-1, -9, -11, TIS-620) is a mislabel of its Windows superset, which
# reads punctuation there (cp874's bullet, dashes, quotes, ellipsis), or of something else.
# Told from the bytes (one C-level pass), not by searching the text. Multi-byte codecs read no
# byte pair as C1 (but GB18030's four-byte codes, which text does not use for them).
_C1 = re.compile("[\x80-\x9f]")
_C1_SUPERSETS: dict[str, tuple[str, ...]] = {"iso8859-1": ("cp1252",), "ascii": ("cp1252",)}


def declared_encoding(data: bytes) -> str | None:
    """The Python codec named by the file's own declaration, or None when there is none we know."""
    head = data[:_HEAD]
    match = _XML.match(head) or _META.search(head)
    if match is None:
        first_two_lines = head.split(b"\n", 2)[:2]
        match = next(filter(None, (_PEP263.match(line) for line in first_two_lines)), None)
    if match is None:
        return None
    return _known_codec(match.group(1).decode("ascii").lower())


def _known_codec(label: str) -> str | None:
    """Python's codec for a declared label, including the ``x-`` labels browsers accept.

    Labels of codecs that do not decode text as written (``base64``, ``unicode_escape``,
    ``undefined``) count as no declaration: detection decides instead.
    """
    for name in (label, _LABELS.get(label, label), label.removeprefix("x-")):
        try:
            return text_codec_name(name)
        except LookupError:
            continue
    return None


def decode_as_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    """Decode with the declared codec (or its usual superset) when the bytes agree with it.

    Agreement means a strict decode that still contains the declaration itself, which rules out
    names that cannot have been written in an ASCII-compatible file (UTF-16, EBCDIC), and holds
    no C1 control code. The declared codec is taken when its superset would read the same
    text (``READ_OTHERWISE``); otherwise the first superset that agrees, as a browser would.
    """
    if declared.startswith(("utf-16", "utf-32")):
        return None
    candidates: tuple[str, ...] = (declared, *LABEL_SUPERSETS.get(declared, ()))
    kept = _kept_of_c1(declared)
    if kept is not None and data.translate(None, kept):
        # Browsers read latin-1 labels as cp1252; C1 control codes in real text are a mislabel.
        candidates = _C1_SUPERSETS.get(declared, candidates[1:])
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeError:  # UnicodeDecodeError, or a codec that raises the bare base class
            continue
        if _read_otherwise(text, codec, candidates):
            continue
        if re.search(r"coding|charset|encoding", text[:_HEAD], re.IGNORECASE):
            return text, codec
    return None


@functools.cache
def _kept_of_c1(codec: str) -> bytes | None:
    """Every byte value but those a declared codec reads as C1 controls (``bytes.translate``
    deletes them, so what is left of a file is its bytes that do; ASCII's 0x80-0x9F too, which
    it cannot read: browsers read them as cp1252), or None when it reads none so."""
    if codec == "ascii":
        c1 = set(range(0x80, 0xA0))
    elif single_byte_undefined(codec) is None:
        return None
    else:
        c1 = {
            value
            for value in range(0x80, 0xA0)
            if _C1.match(bytes((value,)).decode(codec, "replace"))
        }
    return bytes(value for value in range(256) if value not in c1) if c1 else None


def _read_otherwise(text: str, codec: str, candidates: tuple[str, ...]) -> bool:
    """Whether a later candidate reads some of ``text`` otherwise (``READ_OTHERWISE``)."""
    differing = READ_OTHERWISE.get(codec)
    if not differing or codec == candidates[-1]:
        return False
    return any(char in text for char in differing)
