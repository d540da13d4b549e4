"""Accuracy and speed of ``read_text(encoding="auto")`` against charset-normalizer and decode.

Usage: python benchmarks/bench_ingestion.py [CHAR_DATASET_DIR]
(default: $CHAR_DATASET or /work/shared/data/char-dataset). Not a test: it prints figures.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from ingestion import BinaryFileError, TextDecodeError, read_text

DEFAULT_DATASET = "/work/shared/data/char-dataset"
SIZE = 20 * 1024 * 1024
WESTERN = (
    "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël à l'hôtel.\r\n"
    "Die Straße führt über die Brücke zum schönen Schloß; Müller äußerte sich öffentlich.\r\n"
    "Où est la clé ? Ça dépend, répondit-il — c'était très agréable, même loin du théâtre.\r\n"
)

Reader = Callable[[Path], str | None]


def fold(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.removeprefix("\ufeff")


def ours(path: Path) -> str | None:
    try:
        return read_text(path)[0]
    except (BinaryFileError, TextDecodeError):
        return None


def charset_normalizer_best(path: Path) -> str | None:
    import charset_normalizer  # noqa: PLC0415

    match = charset_normalizer.from_bytes(path.read_bytes()).best()
    return None if match is None else str(match)


def chardet_detect(path: Path) -> str | None:
    import chardet  # noqa: PLC0415  # pyright: ignore[reportMissingImports]

    data = path.read_bytes()
    encoding = str(chardet.detect(data)["encoding"] or "")  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def score(reader: Reader, files: list[Path]) -> tuple[int, float, list[str]]:
    right, misses = 0, list[str]()
    start = time.perf_counter()
    for path in files:
        folder = path.parent.name
        text = reader(path)
        if folder == "None":
            good = text is None
        else:
            good = text is not None and fold(text) == fold(path.read_bytes().decode(folder))
        right += good
        if not good:
            misses.append(f"{folder}/{path.name}")
    return right, time.perf_counter() - start, misses


def timed(reader: Callable[[], object]) -> tuple[float, float]:
    """Seconds of one untraced call, and peak traced bytes of a second (tracing slows it)."""
    start = time.perf_counter()
    reader()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    reader()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def large_files(directory: Path) -> dict[str, tuple[Path, str]]:
    western = WESTERN * (SIZE // len(WESTERN.encode("cp1252")))
    cp1252 = directory / "western-cp1252.txt"
    cp1252.write_bytes(western.encode("cp1252"))
    utf8 = directory / "mixed-utf8.txt"
    utf8.write_bytes((western + "日本語のテキスト。\r\n" * 1000).encode() + b"caf\xe9")
    return {"cp1252": (cp1252, "cp1252"), "utf8": (utf8, "utf-8")}


def bench_large(directory: Path) -> None:
    files = large_files(directory)
    path, codec = files["cp1252"]
    truth = fold(path.read_bytes().decode(codec))
    mine_s, mine_peak = timed(lambda: read_text(path))
    cn_s, _ = timed(lambda: charset_normalizer_best(path))
    print(
        f"20 MB cp1252: ours {mine_s:.3f}s, charset-normalizer {cn_s:.3f}s, "
        f"{cn_s / mine_s:.1f}x faster; correct={read_text(path)[0] == truth}; "
        f"peak {mine_peak / path.stat().st_size:.2f}x file size"
    )
    cn_text = charset_normalizer_best(path)
    print(f"  charset-normalizer correct={cn_text is not None and fold(cn_text) == truth}")
    path, _ = files["utf8"]
    mine_s, mine_peak = timed(lambda: read_text(path, errors="replace"))
    plain_s, _ = timed(lambda: path.read_bytes().decode("utf-8", "replace"))
    cn_s, _ = timed(lambda: charset_normalizer_best(path))
    print(
        f"20 MB UTF-8 + stray byte: ours {mine_s:.3f}s, plain decode {plain_s:.3f}s, "
        f"ratio {mine_s / plain_s:.2f}x; charset-normalizer {cn_s:.3f}s; "
        f"peak {mine_peak / path.stat().st_size:.2f}x file size"
    )


def main() -> None:
    root = Path(
        sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CHAR_DATASET", DEFAULT_DATASET)
    )
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.parent != root)
    readers: dict[str, Reader] = {
        "read_text(auto)": ours,
        "charset-normalizer": charset_normalizer_best,
    }
    try:
        import chardet  # noqa: F401, PLC0415  # pyright: ignore[reportUnusedImport, reportMissingImports]

        readers["chardet"] = chardet_detect
    except ImportError:
        print("chardet not installed: skipped")
    print(f"char-dataset: {len(files)} files in {root}")
    for name, reader in readers.items():
        right, seconds, misses = score(reader, files)
        print(f"  {name:20} {100 * right / len(files):5.1f}%  {seconds:6.2f}s  misses: {misses}")
    with tempfile.TemporaryDirectory() as directory:
        bench_large(Path(directory))


if __name__ == "__main__":
    main()
