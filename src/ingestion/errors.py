"""Errors that say which file failed and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class BinaryFileError(ValueError):
    """Raised instead of returning mojibake for bytes that are not text in any encoding we know."""

    def __init__(self, path: Path | str, detail: str = "it looks like binary data") -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: not a text file ({detail})")


class TextDecodeError(ValueError):
    """A decode failure that names the file and the byte offset, not just the codec's position."""

    def __init__(
        self, path: Path | str, encoding: str, offset: int, bad_byte: int, hint: str = ""
    ) -> None:
        self.path = str(path)
        self.encoding = encoding
        self.offset = offset
        self.bad_byte = bad_byte
        message = (
            f"{self.path}: byte 0x{bad_byte:02x} at offset {offset} does not decode as {encoding}"
        )
        super().__init__(f"{message}; {hint}" if hint else message)


_SHOWN_OTHERS = 5


@dataclass(frozen=True)
class ReadingNote:
    """One codec's reading as an error names it: its score (log-likelihood in nats, higher is
    more plausible) and its first offending byte: where in the file the least likely character
    of that reading comes from (``None`` when it has none to show)."""

    encoding: str
    score: float
    offset: int | None = None
    byte: int | None = None
    char: str = ""

    def __str__(self) -> str:
        where = (
            f", first offending byte 0x{self.byte:02x} at offset {self.offset} reads {self.char!r}"
            if self.offset is not None and self.byte is not None
            else ""
        )
        return f"{self.encoding} (score {self.score:.1f}{where})"


def _closest(readings: tuple[ReadingNote, ...]) -> str:
    return f"; closest readings: {'; '.join(map(str, readings))}" if readings else ""


class AmbiguousEncodingError(ValueError):
    """Two codecs read the file as different, equally plausible texts: naming one would be a guess.

    Silent mojibake is worse than a refusal: the caller names the encoding instead. The
    error names the closest readings, not every plausible one (a 2-byte file reads as text in
    dozens of codecs): ``encoding`` (the best), ``rival`` (the closest other text), ``others``
    (from ``read_text``: the next closest, at most three) and ``more`` (whether still more
    codecs read the file about as plausibly); ``readings`` describes the closest three (scores,
    first offending bytes), best first.
    """

    def __init__(
        self,
        path: Path | str,
        encoding: str,
        rival: str,
        *,
        others: tuple[str, ...] = (),
        readings: tuple[ReadingNote, ...] = (),
        more: bool = False,
    ) -> None:
        self.path = str(path)
        self.encoding = encoding
        self.rival = rival
        self.others = others  # further codecs about as plausible, the closest first
        self.more = more  # still more codecs about as plausible, beyond ``others``
        self.readings = readings  # the closest readings, best first, with scores and bytes
        hidden = len(others) - _SHOWN_OTHERS
        beyond = " and others" if more else f" and {hidden} more" if hidden > 0 else ""
        shown = ", ".join(others[:_SHOWN_OTHERS])
        also = f" (also in {shown}{beyond})" if others else ""
        super().__init__(
            f"{self.path}: reads as plausible text both in {encoding} and in {rival}{also}; "
            f"name the encoding (read_text(path, encoding=...)){_closest(readings)}"
        )


class UnknownEncodingError(ValueError):
    """8-bit text that no known codec reads as text in any language it serves (a script no
    Python codec covers, such as Georgian in its legacy 8-bit code pages, VISCII or EUC-TW).

    Returning the least bad reading would be mojibake: the error names the closest readings,
    each with its score and first offending byte, and the caller names the encoding.
    """

    def __init__(
        self, path: Path | str, readings: tuple[ReadingNote, ...] = (), detail: str = ""
    ) -> None:
        self.path = str(path)
        self.readings = readings
        self.detail = detail  # what rules every codec out, when no reading was scored
        why = f": {detail}" if detail else " in a language it serves"
        super().__init__(
            f"{self.path}: no known encoding reads it as text{why}; "
            f"name the encoding (read_text(path, encoding=...)){_closest(readings)}"
        )
