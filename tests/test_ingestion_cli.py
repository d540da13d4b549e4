"""``python -m ingestion``: per-file report, JSON mode, UTF-8 copies, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.__main__ import main, write_atomically

FRENCH = "Le père de Chloé a acheté un gâteau à la crème pour fêter Noël.\r\nOù est la clé ?\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def test_prints_encoding_and_reason_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = write(tmp_path, "legacy.txt", FRENCH.encode("cp1252"))
    modern = write(tmp_path, "modern.txt", FRENCH.encode())
    assert main([str(legacy), str(modern)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"{legacy}: cp1252 [detector] (1.00)"
    assert lines[1] == f"{modern}: utf-8 [utf-8]"
    assert err == ""


def test_json_mode_prints_one_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + FRENCH.encode())
    legacy = write(tmp_path, "legacy.txt", FRENCH.encode("cp1252"))
    assert main(["--json", str(bom), str(legacy)]) == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert reports == [
        {"path": str(bom), "encoding": "utf-8", "reason": "bom", "confidence": None},
        {"path": str(legacy), "encoding": "cp1252", "reason": "detector", "confidence": 1.0},
    ]


def test_to_utf8_writes_folded_utf8_copies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, "legacy.txt", FRENCH.encode("cp1252"))
    out_dir = tmp_path / "out" / "nested"
    assert main(["--json", "--to-utf8", str(out_dir), str(source)]) == 0
    copy = out_dir / "legacy.txt"
    assert copy.read_bytes() == FRENCH.replace("\r\n", "\n").encode()
    assert json.loads(capsys.readouterr().out)["utf8_copy"] == str(copy)
    assert source.read_bytes() == FRENCH.encode("cp1252")
    assert sorted(p.name for p in out_dir.iterdir()) == ["legacy.txt"]  # no temporary left


def test_to_utf8_replaces_an_older_copy(tmp_path: Path) -> None:
    source = write(tmp_path, "note.txt", FRENCH.encode("cp1252"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    stale = write(out_dir, "note.txt", b"stale")
    assert main(["--to-utf8", str(out_dir), str(source)]) == 0
    assert stale.read_text(encoding="utf-8") == FRENCH.replace("\r\n", "\n")


def test_to_utf8_never_overwrites_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, "legacy.txt", FRENCH.encode("cp1252"))
    assert main(["--to-utf8", str(tmp_path), str(source)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert source.read_bytes() == FRENCH.encode("cp1252")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["legacy.txt"]


def test_to_utf8_never_overwrites_another_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a/x.txt's copy would land on b/x.txt, an input not yet read.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "x.txt", b"one")
    second = write(tmp_path / "b", "x.txt", FRENCH.encode("cp1252"))
    assert main(["--to-utf8", str(tmp_path / "b"), str(first), str(second)]) == 1
    assert capsys.readouterr().err.count("refusing to overwrite") == 2
    assert second.read_bytes() == FRENCH.encode("cp1252")


def test_to_utf8_refuses_two_inputs_with_one_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "x.txt", b"first\n")
    second = write(tmp_path / "b", "x.txt", b"second\n")
    out_dir = tmp_path / "out"
    assert main(["--to-utf8", str(out_dir), str(first), str(second)]) == 1
    assert "already written" in capsys.readouterr().err
    assert (out_dir / "x.txt").read_bytes() == b"first\n"


def test_missing_and_binary_files_fail_but_the_rest_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.txt"
    binary = write(tmp_path, "image.png", PNG)
    good = write(tmp_path, "good.txt", b"plain\n")
    assert main([str(missing), str(binary), str(good)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{good}: utf-8 [utf-8]\n"
    assert f"{missing}: ERROR" in err
    assert f"{binary}: ERROR" in err
    assert "not a text file" in err


def test_failures_in_json_mode_are_json_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = write(tmp_path, "image.png", PNG)
    assert main(["--json", str(binary)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    report = json.loads(err)
    assert report["path"] == str(binary)
    assert "not a text file" in report["error"]


def test_a_failed_conversion_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "copy.txt"

    def broken_replace(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "text")
    assert list(tmp_path.iterdir()) == []


def test_no_files_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path: Path) -> None:
    legacy = write(tmp_path, "legacy.txt", FRENCH.encode("cp1252"))
    missing = tmp_path / "missing.txt"
    src = str(Path(__file__).parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    ok = subprocess.run(
        [sys.executable, "-m", "ingestion", "--json", str(legacy)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["encoding"] == "cp1252"
    failed = subprocess.run(
        [sys.executable, "-m", "ingestion", str(legacy), str(missing)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert failed.returncode == 1
    assert f"{legacy}: cp1252" in failed.stdout
    assert f"{missing}: ERROR" in failed.stderr


def test_to_utf8_copy_has_the_source_files_mode(tmp_path: Path) -> None:
    # Not mkstemp's private 0600: a shared source stays shared in its copy.
    source = write(tmp_path, "shared.txt", FRENCH.encode("cp1252"))
    source.chmod(0o644)
    out_dir = tmp_path / "out"
    assert main(["--to-utf8", str(out_dir), str(source)]) == 0
    assert (out_dir / "shared.txt").stat().st_mode & 0o777 == 0o644
    source.chmod(0o640)
    assert main(["--to-utf8", str(out_dir), str(source)]) == 0
    assert (out_dir / "shared.txt").stat().st_mode & 0o777 == 0o640
