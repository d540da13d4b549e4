"""A thin adapter over ``transformers.AutoTokenizer`` that refuses to fail silently.

transformers quietly drops ``padding="max_length"`` and truncation when it has no length to work
with, ignores or silently applies ``max_length`` depending on other flags, and returns ragged
object arrays for ``return_tensors="np"``. Each of those becomes a ``ValueError`` here (all but
the last before any work is done), so a wrong call is found at the call site, not in a model.

transformers is imported inside :func:`load_tokenizer` so that importing this module stays cheap,
and nothing here imports torch: ``return_tensors="pt"`` is handed to transformers untouched.
"""

from __future__ import annotations

import numbers
import operator
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, SupportsIndex, cast

__all__ = [
    "HFTokenizer",
    "Padding",
    "ReturnTensors",
    "TokenizerNotFoundError",
    "load_tokenizer",
    "offline_requested",
]

Padding = bool | Literal["longest", "max_length", "do_not_pad"]
ReturnTensors = Literal["np", "pt"] | None

# transformers stores int(1e30) as the length of a tokenizer without a limit and compares against
# int(1e20); anything above that is "no real limit".
_NO_LIMIT_ABOVE = int(1e20)
_PADDING_NAMES = ("longest", "max_length", "do_not_pad")
_RETURN_TENSORS: frozenset[object] = frozenset({None, "np", "pt"})
_TRUTHY = frozenset({"1", "on", "yes", "true"})
_FALSY = frozenset({"0", "off", "no", "false"})


class TokenizerNotFoundError(OSError):
    """The tokenizer files could not be found locally (and the network was not, or could not be,
    used). An ``OSError`` like the one transformers raises, so existing handlers still catch it."""


def offline_requested() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or the older ``TRANSFORMERS_OFFLINE``) asks for offline mode.

    huggingface_hub reads the variable once at import; reading it again per call lets a program
    set it late (or a test flip it) and still get ``local_files_only=True`` passed explicitly.
    An empty variable counts as unset; any value other than true/false/1/0/yes/no/on/off (any
    case, surrounding blanks ignored) raises ``ValueError`` rather than silently meaning online.
    """
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        raw = os.environ.get(name, "")
        value = raw.strip().lower()
        if not value:
            continue
        if value in _TRUTHY:
            return True
        if value in _FALSY:
            return False
        raise ValueError(
            f"{name}={raw!r} is not a recognised value: use one of true/false/1/0/yes/no/on/off "
            "(any case), or leave it empty or unset for online"
        )
    return False


def _looks_like_path(name_or_path: str | os.PathLike[str]) -> bool:
    """A name that can only mean a folder: never worth asking the Hub about."""
    if isinstance(name_or_path, os.PathLike):
        return True
    return (
        name_or_path.startswith((".", "~", os.sep))
        or (os.altsep is not None and os.altsep in name_or_path)
        or Path(name_or_path).is_absolute()
        or name_or_path.count("/") > 1
    )


# Files whose presence in the cache marks a downloaded repository (used to find its snapshot).
_MARKER_FILES = ("tokenizer_config.json", "tokenizer.json", "config.json")
# Files that carry a vocabulary. transformers 5 given a folder with none of them (say, only a
# config.json) builds a tokenizer that knows nothing but its special tokens, without a word.
_VOCAB_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.tiktoken",
)


def _cached_snapshot(repo_id: str, revision: str | None, cache_dir: object) -> Path | None:
    """The Hub cache folder holding ``repo_id``'s tokenizer, found without any network call.

    Handing transformers a Hub name with ``local_files_only=True`` is not enough: huggingface_hub
    still builds request headers, and that can reach the network (agent detection) unless
    ``HF_HUB_OFFLINE`` was set before it was imported. A folder path never does.
    """
    # From its defining module, not the package root: the root's lazy-import table makes pyright
    # bind every huggingface_hub module (tests/test_import_boundaries.py keeps it that way).
    from huggingface_hub.file_download import try_to_load_from_cache  # noqa: PLC0415

    lookup: Any = try_to_load_from_cache
    for filename in _MARKER_FILES:
        found: object = lookup(repo_id, filename, cache_dir=cache_dir, revision=revision)
        if isinstance(found, str):
            return Path(found).parent
    return None


def _resolve_folder(
    name_or_path: str | os.PathLike[str], offline: bool, revision: str | None, cache_dir: object
) -> Path | None:
    """The local folder to load from, None for "ask the Hub"; raise when offline finds nothing."""
    where = os.fspath(name_or_path)
    folder = Path(where).expanduser()
    if folder.is_dir():
        return _checked_folder(folder, where)
    if _looks_like_path(name_or_path):
        raise TokenizerNotFoundError(
            f"no tokenizer folder at {where!r}: looked locally and found no such directory"
        )
    if not offline:
        return None
    try:
        snapshot = _cached_snapshot(where, revision, cache_dir)
    except ValueError as exc:  # huggingface_hub rejects malformed repo ids with a ValueError
        raise TokenizerNotFoundError(f"{where!r} is neither a folder nor a Hub name") from exc
    if snapshot is None:
        raise TokenizerNotFoundError(
            f"no tokenizer for {where!r}: looked locally (no such folder, and not in the Hugging "
            "Face cache) and did not use the network because offline mode is on "
            "(local_files_only or HF_HUB_OFFLINE=1)"
        )
    return _checked_folder(snapshot, where)


def _checked_folder(folder: Path, where: str) -> Path:
    if not any((folder / name).is_file() for name in _VOCAB_FILES):
        raise TokenizerNotFoundError(
            f"no tokenizer vocabulary for {where!r}: looked in the folder {str(folder)!r} and "
            f"found none of {', '.join(_VOCAB_FILES)}"
        )
    return folder


def load_tokenizer(
    name_or_path: str | os.PathLike[str],
    *,
    local_files_only: bool | None = None,
    revision: str | None = None,
    **kwargs: Any,
) -> HFTokenizer:
    """Load a (fast) tokenizer by Hub name or local folder.

    ``local_files_only=None`` follows ``HF_HUB_OFFLINE`` at call time. An existing folder is
    always loaded from disk. A missing path fails at once, without asking the Hub, when it can
    only be a path: a ``PathLike``, or a string that starts with ``.``, ``~`` or a separator, is
    absolute, or has more than one ``/``. Any other name is a Hub id: offline it is resolved to
    its cache folder first, so nothing reaches for the network; online it is looked up on the
    Hub. So a missing relative path with one slash, such as ``models/bert``, reads as the Hub id
    ``org/name`` and is looked up on the Hub when online (write ``./models/bert`` to keep it
    local).
    Extra keyword arguments go to ``AutoTokenizer.from_pretrained`` (e.g. ``pad_token="[PAD]"``
    or ``cache_dir=...``).
    """
    offline = offline_requested() if local_files_only is None else local_files_only
    folder = _resolve_folder(name_or_path, offline, revision, kwargs.get("cache_dir"))

    # Heavy, so imported on first use; from its defining module, not the package root, whose
    # lazy-import table makes pyright bind all of transformers (about 3,000 files, ~12 s).
    from transformers.models.auto.tokenization_auto import AutoTokenizer  # noqa: PLC0415

    auto: Any = AutoTokenizer  # partly untyped library: the boundary is this one name
    try:
        backend: Any = auto.from_pretrained(
            os.fspath(name_or_path) if folder is None else str(folder),
            local_files_only=offline or folder is not None,
            revision=revision,
            **kwargs,
        )
    except OSError as exc:
        if folder is None:
            raise
        raise TokenizerNotFoundError(
            f"could not load a tokenizer for {os.fspath(name_or_path)!r}: looked in the folder "
            f"{str(folder)!r} and found no usable tokenizer files ({exc})"
        ) from exc
    return HFTokenizer(backend)


def _positive_int(name: str, value: object) -> int | None:
    """``value`` as a plain ``int`` if it is a positive integral (not a bool); None stays None."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, SupportsIndex) and not isinstance(value, bool):
        try:
            number = operator.index(value)
        except TypeError:  # numpy.bool_ has __index__ but refuses to be an integer
            number = None
    if number is None or number <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return number


class HFTokenizer:
    """A loaded tokenizer with checked ``encode``/``decode``; ``backend`` is the raw one."""

    __slots__ = ("_backend",)

    def __init__(self, backend: Any) -> None:
        self._backend: Any = backend

    def __repr__(self) -> str:
        return (
            f"HFTokenizer({self.name_or_path!r}, vocab_size={self.vocab_size}, "
            f"model_max_length={self.model_max_length})"
        )

    @property
    def backend(self) -> Any:
        """The transformers tokenizer, for what this adapter does not cover."""
        return self._backend

    @property
    def name_or_path(self) -> str:
        return str(self._backend.name_or_path)

    @property
    def vocab_size(self) -> int:
        """Number of ids the tokenizer can produce, added tokens included.

        transformers' own ``vocab_size`` leaves out added tokens, which undersizes an embedding
        table; ``len(tokenizer)`` is the bound that matters.
        """
        return len(self._backend)

    @property
    def pad_token_id(self) -> int | None:
        value = self._backend.pad_token_id
        return None if value is None else int(value)

    @property
    def model_max_length(self) -> int | None:
        """The tokenizer's length limit, or None when it has none (transformers reports 1e30)."""
        value = int(self._backend.model_max_length)
        return None if value > _NO_LIMIT_ABOVE else value

    @property
    def padding_side(self) -> Literal["left", "right"]:
        return cast(Literal["left", "right"], self._backend.padding_side)

    @property
    def truncation_side(self) -> Literal["left", "right"]:
        return cast(Literal["left", "right"], self._backend.truncation_side)

    def _check(
        self,
        padding: object,
        truncation: object,
        max_length_arg: object,
        pad_to_multiple_of_arg: object,
        return_tensors: object,
    ) -> tuple[int | None, int | None]:
        """Raise for every combination transformers would quietly ignore or rewrite.

        Arguments are typed ``object`` because they come from callers that type checkers may
        not have seen; each one is checked at run time. Returns ``max_length`` and
        ``pad_to_multiple_of`` as plain ``int`` (any integral type, e.g. ``numpy.int64``, is
        accepted; ``bool`` is not).
        """
        if not (isinstance(padding, bool) or padding in _PADDING_NAMES):
            raise ValueError(
                f"padding={padding!r} is not one of False, True, 'longest', 'max_length'"
            )
        if not isinstance(truncation, bool):
            raise TypeError(f"truncation must be True or False, got {truncation!r}")
        if return_tensors not in _RETURN_TENSORS:
            raise ValueError(f"return_tensors={return_tensors!r} is not one of None, 'np', 'pt'")
        max_length = _positive_int("max_length", max_length_arg)
        pad_to_multiple_of = _positive_int("pad_to_multiple_of", pad_to_multiple_of_arg)
        pads = padding not in (False, "do_not_pad")
        if pad_to_multiple_of is not None and not pads:
            raise ValueError("pad_to_multiple_of has no effect without padding")
        if max_length is not None and not truncation and padding != "max_length":
            raise ValueError(
                f"max_length={max_length} has no effect without truncation=True or "
                "padding='max_length'; say which one you mean"
            )
        length = max_length if max_length is not None else self.model_max_length
        if length is None and (padding == "max_length" or truncation):
            wanted = "padding='max_length'" if padding == "max_length" else "truncation=True"
            raise ValueError(
                f"{wanted} needs a length, but no max_length was given and the tokenizer "
                f"{self.name_or_path!r} has no model_max_length; pass max_length=..."
            )
        if (
            pad_to_multiple_of is not None
            and length is not None
            and (padding == "max_length" or truncation)
            and length % pad_to_multiple_of
        ):
            raise ValueError(
                f"pad_to_multiple_of={pad_to_multiple_of} does not divide max_length={length}"
            )
        if pads and self._backend.pad_token_id is None:
            raise ValueError(
                f"padding needs a pad token and {self.name_or_path!r} has none; load it with "
                "load_tokenizer(..., pad_token='[PAD]') to add one, or reuse an existing token "
                "with tokenizer.backend.pad_token = tokenizer.backend.eos_token"
            )
        return max_length, pad_to_multiple_of

    def encode(
        self,
        texts: str | Sequence[str],
        *,
        padding: Padding = False,
        truncation: bool = False,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        return_tensors: ReturnTensors = None,
        add_special_tokens: bool = True,
    ) -> Mapping[str, Any]:
        """Encode one string or a batch; the result is transformers' ``BatchEncoding``.

        A batch asked for as tensors must come out rectangular: numpy would otherwise give an
        array of arrays (dtype object) that fails much later, inside a model.
        """
        length, multiple = self._check(
            padding, truncation, max_length, pad_to_multiple_of, return_tensors
        )
        batch: str | list[str] = texts if isinstance(texts, str) else list(texts)
        if not batch and not isinstance(batch, str):
            raise ValueError("empty batch: encode needs at least one text (or a single string)")
        ragged_possible = (
            return_tensors is not None
            and not isinstance(batch, str)
            and padding not in (True, "longest")
            and not (padding == "max_length" and truncation)
        )
        encoded: Any = self._backend(
            batch,
            padding=padding,
            truncation=truncation,
            max_length=length,
            pad_to_multiple_of=multiple,
            return_tensors=None if ragged_possible else return_tensors,
            add_special_tokens=add_special_tokens,
        )
        if ragged_possible:
            lengths = {len(ids) for ids in cast(list[list[int]], encoded["input_ids"])}
            if len(lengths) > 1:
                raise ValueError(
                    f"return_tensors={return_tensors!r} needs sequences of one length, got "
                    f"lengths {sorted(lengths)}; pass padding=True (or padding='max_length' "
                    "with truncation=True)"
                )
            encoded = encoded.convert_to_tensors(tensor_type=return_tensors)
        return cast(Mapping[str, Any], encoded)

    def decode(self, ids: Sequence[int] | Any, *, skip_special_tokens: bool = True) -> str:
        """Decode one sequence of ids (a list, or a 1-D numpy array or tensor) to a string."""
        text: Any = self._backend.decode(ids, skip_special_tokens=skip_special_tokens)
        if not isinstance(text, str):
            raise TypeError("decode takes one sequence of ids; use batch_decode for a batch")
        return text

    def batch_decode(
        self, batch: Sequence[Sequence[int]] | Any, *, skip_special_tokens: bool = True
    ) -> list[str]:
        """Decode a batch of id sequences (nested lists, or a 2-D array or tensor).

        A flat sequence of ids raises ``TypeError``: transformers would decode it as one text
        (with only a deprecation warning), hiding a missing batch dimension.
        """
        flat = getattr(batch, "ndim", None) == 1 or (
            isinstance(batch, Sequence)
            and any(isinstance(item, numbers.Integral) for item in cast(Sequence[object], batch))
        )
        if flat:
            raise TypeError(
                "batch_decode takes a batch of id sequences, got one flat sequence of ids; "
                "use decode for a single sequence"
            )
        texts: Any = self._backend.batch_decode(batch, skip_special_tokens=skip_special_tokens)
        return [str(text) for text in cast(list[Any], texts)]
