"""What tells EBCDIC code pages apart where they read the same letters: punctuation, and
which bytes are controls.

The Western EBCDIC code pages (cp037, cp500, cp1140) read every letter alike and differ in a
few ASCII symbols: cp037 reads 0x5A as "!", 0x4F as "|", 0xBA 0xBB as "[ ]"; cp500 reads
0x4F as "!", 0x5A as "]", 0x4A as "[", 0xBB as "|". A text read in the wrong one of them has
its exclamation marks turned into closing brackets or bars, its bars into exclamation marks,
its brackets into "¢ ¬ |": letters say nothing, and the two readings scored alike (the file
was refused). Where each of these symbols stands in text does: "!" ends a word ("Super!",
"gut!\\n"), "]" closes a "[" of its line, "|" stands apart (" | ", menus, titles). A symbol
where text does not put it costs what a misplaced non-ASCII symbol costs (``plausibility``):
a bracket no bracket matches costs as a symbol; an exclamation mark glued to the start of a
word, or standing apart after a space (which French typography does, and no other language
the model knows), costs as a symbol glued to a letter.
"""

from __future__ import annotations

# What ``plausibility`` charges for a non-ASCII symbol (``_SYMBOL``) and for one glued to a
# letter (``_GLUED``): a misplaced ASCII symbol of an EBCDIC reading costs the same.
_UNMATCHED_BRACKET = -11.5
_MISPLACED_EXCLAMATION = -8.0
# Languages that put a space before "!" (French: "Bonjour !").
_SPACED_EXCLAMATION = frozenset({"fr"})
_VARIANT_PUNCTUATION = "![]"

# Bytes that are controls in ASCII but text in EBCDIC: 0x05 tab, 0x15 new line (NEL), 0x7F
# the double quote. EBCDIC text with quotes or NEL line ends looked binary to a count of
# ASCII controls (a Welsh news text with ten quotes in 1.9 KB).
EBCDIC_TEXT_CONTROLS = bytes([0x05, 0x15, 0x7F])
EBCDIC_SPACE = 0x40
ASCII_SPACE = 0x20


def looks_ebcdic(sample: bytes) -> bool:
    """Whether a sample's spaces are EBCDIC spaces (0x40) rather than ASCII ones."""
    return sample.count(EBCDIC_SPACE) > sample.count(ASCII_SPACE)


def punctuation_cost(text: str, language: str) -> float:
    """What the symbols that EBCDIC variants swap cost where ``text`` puts them (never
    positive): brackets no bracket of their line matches, exclamation marks glued to the start
    of a word or, but in ``_SPACED_EXCLAMATION``'s languages, standing after a space.

    ``language``: the one the reading's letters were judged as (a ``+`` suffix is ignored)."""
    if not any(map(text.__contains__, _VARIANT_PUNCTUATION)):
        return 0.0
    spaced_ok = language.rstrip("+") in _SPACED_EXCLAMATION
    cost = 0.0
    for line in text.splitlines():
        cost += _brackets_cost(line) + _exclamations_cost(line, spaced_ok=spaced_ok)
    return cost


def _brackets_cost(line: str) -> float:
    """Square brackets of a line that no bracket of it matches."""
    if "[" not in line and "]" not in line:
        return 0.0
    unmatched = depth = 0
    for char in line:
        if char == "[":
            depth += 1
        elif char == "]":
            if depth:
                depth -= 1
            else:
                unmatched += 1
    return _UNMATCHED_BRACKET * (unmatched + depth)


def _exclamations_cost(line: str, *, spaced_ok: bool) -> float:
    """Exclamation marks of a line that start a word ("!x") or, unless ``spaced_ok``, stand
    after a space or at the line's start."""
    if "!" not in line:
        return 0.0
    misplaced = 0
    at = line.find("!")
    while at >= 0:
        before = line[at - 1] if at else " "
        after = line[at + 1] if at + 1 < len(line) else " "
        if after.isalnum() or (before.isspace() and not spaced_ok):
            misplaced += 1
        at = line.find("!", at + 1)
    return _MISPLACED_EXCLAMATION * misplaced
