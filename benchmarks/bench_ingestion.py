"""Accuracy and speed of ``read_text(encoding="auto")`` against charset-normalizer and decode.

Usage: python benchmarks/bench_ingestion.py [CHAR_DATASET_DIR]
(default: $CHAR_DATASET or /work/shared/data/char-dataset). Not a test: it prints figures.

Times are the best of ``REPEATS`` runs (the machine is shared); peaks are tracemalloc's, as a
multiple of the file size, for us and for the baseline doing the same job.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ingestion import BinaryFileError, TextDecodeError, read_text

DEFAULT_DATASET = "/work/shared/data/char-dataset"
SIZE = 20 * 1024 * 1024
REPEATS = 5
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
    """Right answers, best-of-N seconds for reading every file, and the misses.

    The expected texts are computed outside the timing, so only the reader is timed.
    """
    expected = {
        path: None
        if path.parent.name == "None"
        else fold(path.read_bytes().decode(path.parent.name))
        for path in files
    }
    seconds = best_of(lambda: [reader(path) for path in files], REPEATS)
    right, misses = 0, list[str]()
    for path in files:
        text, truth = reader(path), expected[path]
        good = text is None if truth is None else text is not None and fold(text) == truth
        right += good
        if not good:
            misses.append(f"{path.parent.name}/{path.name}")
    return right, seconds, misses


def best_of(call: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def timed(reader: Callable[[], object]) -> tuple[float, float]:
    """Best-of-N seconds of untraced calls, and peak traced bytes of one more (tracing slows it)."""
    seconds = best_of(reader, REPEATS)
    tracemalloc.start()
    reader()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def large_files(directory: Path) -> dict[str, tuple[Path, str]]:
    western = WESTERN * (SIZE // len(WESTERN.encode("cp1252")))
    cp1252 = directory / "western-cp1252.txt"
    cp1252.write_bytes(western.encode("cp1252"))
    mixed = (western + "日本語のテキスト。\r\n" * 1000).encode() + b"caf\xe9"
    utf8 = directory / "mixed-utf8-crlf.txt"
    utf8.write_bytes(mixed)
    utf8_lf = directory / "mixed-utf8-lf.txt"
    utf8_lf.write_bytes(mixed.replace(b"\r\n", b"\n"))
    return {
        "cp1252": (cp1252, "cp1252"),
        "utf8": (utf8, "utf-8"),
        "utf8-lf": (utf8_lf, "utf-8"),
    }


def bench_large(directory: Path) -> None:
    files = large_files(directory)
    path, codec = files["cp1252"]
    size = path.stat().st_size
    truth = fold(path.read_bytes().decode(codec))
    mine_s, mine_peak = timed(lambda: read_text(path))
    cn_s, _ = timed(lambda: charset_normalizer_best(path))
    plain_s, plain_peak = timed(lambda: fold(path.read_bytes().decode(codec)))
    cn_text = charset_normalizer_best(path)
    print(
        f"20 MB cp1252: ours {mine_s:.3f}s, charset-normalizer {cn_s:.3f}s -> "
        f"{cn_s / mine_s:.1f}x faster (target >= 10x); correct={read_text(path)[0] == truth}, "
        f"charset-normalizer correct={cn_text is not None and fold(cn_text) == truth}; "
        f"known-codec decode+fold {plain_s:.3f}s; "
        f"peak {mine_peak / size:.2f}x file size "
        f"(target <= 4x; decode+fold {plain_peak / size:.2f}x)"
    )
    bench_stray_byte(files["utf8"][0], "CRLF lines")
    bench_stray_byte(files["utf8-lf"][0], "LF lines")


def bench_stray_byte(path: Path, label: str) -> None:
    """UTF-8 with one stray latin-1 byte at the end, read lossy; plain decode does no newline
    folding, so with CRLF lines decode+fold is the like-for-like baseline."""
    size = path.stat().st_size
    truth = fold(path.read_bytes().decode("utf-8", "replace"))
    mine_s, mine_peak = timed(lambda: read_text(path, errors="replace"))
    plain_s, plain_peak = timed(lambda: path.read_bytes().decode("utf-8", "replace"))
    folded_s, folded_peak = timed(lambda: fold(path.read_bytes().decode("utf-8", "replace")))
    cn_s, _ = timed(lambda: charset_normalizer_best(path))
    print(
        f"20 MB UTF-8 + stray byte, {label}: ours {mine_s:.3f}s, plain decode {plain_s:.3f}s -> "
        f"{mine_s / plain_s:.2f}x (target <= 1.5x); plain decode+fold {folded_s:.3f}s -> "
        f"{mine_s / folded_s:.2f}x; charset-normalizer {cn_s:.3f}s; "
        f"correct={read_text(path, errors='replace')[0] == truth}; "
        f"peak {mine_peak / size:.2f}x file size (target <= 4x; plain decode "
        f"{plain_peak / size:.2f}x, decode+fold {folded_peak / size:.2f}x)"
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
    print(f"char-dataset: {len(files)} files in {root} (best of {REPEATS})")
    seconds_of: dict[str, float] = {}
    for name, reader in readers.items():
        right, seconds, misses = score(reader, files)
        seconds_of[name] = seconds
        print(
            f"  {name:20} {right}/{len(files)} {100 * right / len(files):5.1f}%  "
            f"{seconds:6.3f}s  misses: {misses}"
        )
    ratio = seconds_of["read_text(auto)"] / seconds_of["charset-normalizer"]
    print(f"  ours / charset-normalizer time: {ratio:.2f}x (target <= 1x)")
    with tempfile.TemporaryDirectory() as directory:
        bench_large(Path(directory))


if __name__ == "__main__":
    main()
