"""Errors that say which file failed and what to do about it."""

from __future__ import annotations

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


class AmbiguousEncodingError(ValueError):
    """Two codecs read the file as different, equally plausible texts: naming one would be a guess.

    Silent mojibake is worse than a refusal: the caller names the encoding instead.
    """

    def __init__(
        self, path: Path | str, encoding: str, rival: str, *, others: tuple[str, ...] = ()
    ) -> None:
        self.path = str(path)
        self.encoding = encoding
        self.rival = rival
        self.others = others  # further codecs about as plausible (short files have several)
        # A 2-byte file reads as text in dozens of codecs: the message names the first few.
        shown = ", ".join(others[:_SHOWN_OTHERS])
        more = f" and {len(others) - _SHOWN_OTHERS} more" if len(others) > _SHOWN_OTHERS else ""
        also = f" (also in {shown}{more})" if others else ""
        super().__init__(
            f"{self.path}: reads as plausible text both in {encoding} and in {rival}{also}; "
            f"name the encoding (read_text(path, encoding=...))"
        )
