"""``python -m ingestion FILE...``: report each file's encoding, optionally write UTF-8 copies."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from ingestion.io_text import read_with_detection


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--to-utf8", type=Path, metavar="OUT_DIR", help="write UTF-8 copies here")
    return parser


def _umask_default() -> int:
    """The mode ``open`` would give a new file: 0o666 less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(target: Path, text: str, mode: int | None = None) -> None:
    """Write via a temporary file in the same directory, so readers never see half a file.

    The file gets ``mode`` (the source's permissions, say), or what a new file gets by default;
    never ``mkstemp``'s private 0600.
    """
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        os.fchmod(handle, _umask_default() if mode is None else mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _report(
    source: Path, out_dir: Path | None, protected: list[Path], written: set[Path]
) -> dict[str, str | float | None]:
    text, detection = read_with_detection(source)
    report: dict[str, str | float | None] = {
        "path": str(source),
        "encoding": detection.encoding,
        "reason": detection.reason,
        "confidence": detection.confidence,
    }
    if out_dir is not None:
        target = _target(out_dir, source, protected, written)
        write_atomically(target, text, stat.S_IMODE(source.stat().st_mode))
        written.add(target.resolve())
        report["utf8_copy"] = str(target)
    return report


def _target(out_dir: Path, source: Path, protected: list[Path], written: set[Path]) -> Path:
    """Where the copy goes, refusing to replace any input file or an earlier copy of this run.

    Every input counts, not only this one: ``a/x.txt b/x.txt --to-utf8 b`` must not replace
    ``b/x.txt`` before it is read.
    """
    target = out_dir / source.name
    if target.resolve() in written:
        raise FileExistsError(f"{target}: already written from another input named {source.name}")
    if target.exists() and any(target.samefile(path) for path in protected):
        raise FileExistsError(f"{target}: refusing to overwrite an input file")
    return target


def main(argv: list[str] | None = None) -> int:
    """Exit status 1 when any file could not be read (or converted), 0 otherwise."""
    arguments = _parser().parse_args(argv)
    out_dir: Path | None = arguments.to_utf8
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    failed = False
    sources: list[Path] = arguments.files
    protected = [path for path in sources if path.exists()]
    written: set[Path] = set()
    for source in sources:
        try:
            report = _report(source, out_dir, protected, written)
        except (OSError, ValueError, LookupError) as error:
            failed = True
            report = {"path": str(source), "error": str(error)}
            print(
                json.dumps(report) if arguments.json else f"{source}: ERROR {error}",
                file=sys.stderr,
            )
            continue
        if arguments.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            confidence = "" if report["confidence"] is None else f" ({report['confidence']:.2f})"
            print(f"{source}: {report['encoding']} [{report['reason']}]{confidence}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
