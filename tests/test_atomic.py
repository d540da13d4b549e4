"""Files written whole or not at all (runbook.records.atomic): the target holds the old content or
the new, a failed write leaves it as it was and no temporary file behind, the error reaches the
caller, and two writers never share a temporary file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runbook.records import atomic


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_write_text_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    atomic.write_text(target, "first\n")
    assert target.read_text("utf-8") == "first\n"
    atomic.write_text(target, "ünïcode second\n")
    assert target.read_bytes() == "ünïcode second\n".encode()
    assert names(tmp_path) == ["result.json"]


def test_writing_streams_and_replaces_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "findings.jsonl"
    target.write_text("old\n", "utf-8")
    with atomic.writing(target) as out:
        out.write("a\n")
        assert target.read_text("utf-8") == "old\n"  # a reader still sees the old file whole
        out.writelines(["b\n", "c\n"])
    assert target.read_text("utf-8") == "a\nb\nc\n"
    assert names(tmp_path) == ["findings.jsonl"]


def test_an_error_in_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "findings.jsonl"
    target.write_text("old\n", "utf-8")

    def write_half() -> None:
        with atomic.writing(target) as out:
            out.write("new, half\n")
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError, match="half way"):
        write_half()
    assert target.read_text("utf-8") == "old\n"
    assert names(tmp_path) == ["findings.jsonl"]


def test_text_that_cannot_be_encoded_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    target.write_text("old", "utf-8")
    with pytest.raises(UnicodeEncodeError):
        atomic.write_text(target, "a lone surrogate \udc80")
    assert target.read_text("utf-8") == "old"
    assert names(tmp_path) == ["baseline.json"]


def test_a_missing_directory_is_the_callers_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic.write_text(tmp_path / "absent" / "result.json", "x")
    assert names(tmp_path) == []


def test_copy_file_replaces_or_keeps_the_old_file(tmp_path: Path) -> None:
    source, target = tmp_path / "run.db", tmp_path / "stored.db"
    source.write_bytes(b"\x00new data")
    target.write_bytes(b"old")
    atomic.copy_file(source, target)
    assert target.read_bytes() == b"\x00new data"
    with pytest.raises(FileNotFoundError):
        atomic.copy_file(tmp_path / "missing.db", target)
    assert target.read_bytes() == b"\x00new data"
    assert names(tmp_path) == ["run.db", "stored.db"]


def test_two_writers_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    with atomic.writing(target) as first, atomic.writing(target) as second:
        first.write("first")
        second.write("second")
        temporaries = [n for n in names(tmp_path) if n.endswith(".tmp")]
        assert len(temporaries) == 2
        assert all(n.startswith(f".result.json.{os.getpid()}.") for n in temporaries)
    # The inner block ends first: the outer writer's file, whole, is the one left.
    assert target.read_text("utf-8") == "first"
    assert names(tmp_path) == ["result.json"]


def test_the_file_mode_is_a_plain_writes(tmp_path: Path) -> None:
    """Not mkstemp's 0600: the SARIF, the findings and the durations are read by other users
    (CI's upload, a reviewer)."""
    plain = tmp_path / "plain"
    plain.write_text("x", "utf-8")
    atomic.write_text(tmp_path / "atomic", "x")
    assert (tmp_path / "atomic").stat().st_mode == plain.stat().st_mode
