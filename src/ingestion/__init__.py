"""Read text files whose encoding is unknown: ``read_text(path)`` returns the text and its codec."""

from ingestion.encoding_detect import Detection, detect_encoding
from ingestion.errors import (
    AmbiguousEncodingError,
    BinaryFileError,
    ReadingNote,
    TextDecodeError,
    UnknownEncodingError,
)
from ingestion.io_text import read_text

__all__ = [
    "AmbiguousEncodingError",
    "BinaryFileError",
    "Detection",
    "ReadingNote",
    "TextDecodeError",
    "UnknownEncodingError",
    "detect_encoding",
    "read_text",
]
