"""The types gate's baseline (``.runbook/types/baseline.json``): the last tree pyright found
clean, with everything a later run compares against.

Written only after a run with no diagnostic at all (errors, warnings, information), atomically
(a temporary file, then ``os.replace``), so a reader sees the old baseline or the new, never a
mix. It holds the environment's digest, the selection's own digest (its code decides what the
stored imports mean), each configuration file's digest, the checked files, every checked or
resolvable file's digest and the imports of each Python file. Anything missing, truncated,
of another version or another checkout is a ``BaselineError``: the gate then checks every file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from runbook.records import atomic
from runbook.typeselect.imports import ImportRef

BASELINE = Path(".runbook") / "types" / "baseline.json"
SCHEMA = "runbook.types-baseline"
VERSION = 1


class BaselineError(Exception):
    """The baseline cannot be used; the message says why, for the gate's notice."""


def machinery() -> str:
    """The digest of the selection's own code (this folder): a baseline written by other code
    may hold imports read differently."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Baseline:
    root: str
    environment: str
    machinery: str
    config: dict[str, str]
    checked: tuple[str, ...]
    files: dict[str, str]
    imports: dict[str, tuple[ImportRef, ...]]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "root": self.root,
            "environment": self.environment,
            "machinery": self.machinery,
            "config": self.config,
            "checked": list(self.checked),
            "files": self.files,
            "imports": {n: [r.to_json() for r in refs] for n, refs in self.imports.items()},
            "diagnostics": 0,
        }


def _mapping(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cast(dict[Any, Any], value).items()
    ):
        raise BaselineError(f"the baseline's {key!r} is not a table of strings")
    return cast(dict[str, str], value)


def parse(text: str) -> Baseline:
    """The baseline in ``text``; ``BaselineError`` for anything but a whole, current one."""
    try:
        data: object = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"the baseline is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BaselineError("the baseline is not an object")
    table = cast(dict[str, Any], data)
    if table.get("schema") != SCHEMA or table.get("version") != VERSION:
        raise BaselineError("the baseline is of another kind or version")
    if table.get("diagnostics") != 0:
        raise BaselineError("the baseline's run was not clean")
    for key in ("root", "environment", "machinery"):
        if not isinstance(table.get(key), str):
            raise BaselineError(f"the baseline has no {key!r}")
    checked = table.get("checked")
    if not isinstance(checked, list) or not all(
        isinstance(n, str) for n in cast(list[Any], checked)
    ):
        raise BaselineError("the baseline's 'checked' is not a list of paths")
    raw_imports = table.get("imports")
    if not isinstance(raw_imports, dict):
        raise BaselineError("the baseline's 'imports' is not a table")
    try:
        imports = {
            str(name): tuple(ImportRef.from_json(ref) for ref in cast(list[Any], refs))
            for name, refs in cast(dict[str, Any], raw_imports).items()
            if isinstance(refs, list)
        }
    except ValueError as exc:
        raise BaselineError(f"the baseline's imports are unreadable ({exc})") from None
    if len(imports) != len(cast(dict[str, Any], raw_imports)):
        raise BaselineError("the baseline's 'imports' holds a value that is not a list")
    return Baseline(
        root=str(table["root"]),
        environment=str(table["environment"]),
        machinery=str(table["machinery"]),
        config=_mapping(table, "config"),
        checked=tuple(cast(list[str], checked)),
        files=_mapping(table, "files"),
        imports=imports,
    )


def load(root: Path) -> Baseline:
    """The baseline of the checkout at ``root``; ``BaselineError`` naming why it cannot be used."""
    path = root / BASELINE
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise BaselineError("no baseline yet (it comes from a clean full run)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read {BASELINE}: {exc}") from exc
    baseline = parse(text)
    if baseline.root != str(root.resolve()):
        raise BaselineError("the baseline is from another checkout")
    return baseline


def save(root: Path, baseline: Baseline) -> None:
    """Write the baseline atomically (OSError when it cannot be written)."""
    path = root / BASELINE
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, json.dumps(baseline.to_json(), sort_keys=True))
