"""Read a whole text file as ``str``, choosing the codec when asked to."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Literal

from ingestion.encoding_detect import SAMPLE_BYTES, Detection, guess, sniff
from ingestion.errors import BinaryFileError, TextDecodeError
from ingestion.utils import codec_name, explicit_codec, fold_newlines

Errors = Literal["strict", "replace"]

_LOSSY_HINT = "pass errors='replace' to read it with the bad bytes replaced by U+FFFD"


def read_text(
    path: os.PathLike[str] | str, encoding: str = "auto", *, errors: Errors = "strict"
) -> tuple[str, str]:
    """The file's text with newlines folded to ``\\n`` and any BOM dropped, and the codec used.

    Lossy decoding happens only on request (``errors="replace"``): a wrong guess that silently
    replaces characters is worse than an error that says where the file is broken.
    """
    _check_errors(errors)
    file = Path(path)
    if encoding != "auto":
        codec_name(encoding)  # an unknown name fails before any I/O
        data = file.read_bytes()
        codec, skip = explicit_codec(data, encoding)
        return fold_newlines(_decode(file, data, codec, skip, errors)), codec
    text, detection = read_with_detection(file, errors=errors)
    if detection.encoding is None:  # read_with_detection has raised already; this narrows the type
        raise BinaryFileError(file)
    return text, detection.encoding


def read_with_detection(
    path: os.PathLike[str] | str, *, errors: Errors = "strict"
) -> tuple[str, Detection]:
    """``read_text(path, "auto")`` that also says why the codec was chosen."""
    _check_errors(errors)
    file = Path(path)
    data = file.read_bytes()
    sniffed = sniff(data)
    detection = sniffed.detection
    if detection.encoding is None:
        raise BinaryFileError(file)
    if sniffed.text is not None:
        return fold_newlines(sniffed.text), detection
    codec = detection.encoding
    if detection.reason == "detector" and len(data) > SAMPLE_BYTES:
        codec = _confirmed_on_whole(data, codec)
        detection = replace(detection, encoding=codec)
    return fold_newlines(_decode(file, data, codec, sniffed.bom_length, errors)), detection


def _check_errors(errors: str) -> None:
    if errors not in ("strict", "replace"):
        raise ValueError(
            f"errors must be 'strict' or 'replace' (the only lossy mode), not {errors!r}"
        )


def _confirmed_on_whole(data: bytes, codec: str) -> str:
    """A codec picked from a sample must decode the rest too; otherwise detect on everything."""
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        whole = guess(data).encoding
        return codec if whole is None else whole
    return codec


def _decode(file: Path, data: bytes, codec: str, skip: int, errors: Errors) -> str:
    view = memoryview(data)[skip:]
    try:
        return str(view, codec, errors)
    except UnicodeDecodeError as error:
        offset = skip + error.start
        hint = _LOSSY_HINT if codec.startswith("utf") else f"{_LOSSY_HINT}, or name the encoding"
        raise TextDecodeError(file, codec, offset, data[offset], hint) from None
