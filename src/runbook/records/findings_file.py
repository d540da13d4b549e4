"""``.runbook/findings.jsonl``: every finding of the last run, where report.json keeps 100.

The table, the error capture and the annotations cut findings for a person to read; this file
keeps all of them, so ``runbook findings`` (and anyone with ``jq``) can reach the 5,000th. It
is one JSON object per line: first a header naming the run (``mode``, ``started_at``,
``commit``, as report.json does) and how many findings each gate has, then one finding per
line with its gate. A reader checks the header against report.json, so the file of another run
is never shown as this one's.

It is written once per run, next to report.json, atomically (a temporary file, then a rename).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from runbook.records import atomic
from runbook.records.findings import Finding

FINDINGS_FILE = "findings.jsonl"


class FindingsFileError(Exception):
    """The findings file is missing, truncated or not in the shape ``write`` gives it."""


def write(
    path: Path, run: Mapping[str, str], gates: Sequence[tuple[str, Sequence[Finding]]]
) -> None:
    """Every finding of every gate in ``gates`` (name, findings) under a header for ``run``."""
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    header = {"run": dict(run), "gates": {name: len(found) for name, found in gates}}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.writing(path) as out:
        out.write(encode(header) + "\n")
        for name, found in gates:
            out.writelines(
                f'{{"gate":{encode(name)},{encode(finding.to_json())[1:]}\n' for finding in found
            )


def read(path: Path) -> tuple[dict[str, str], dict[str, list[Finding]]]:
    """The run the file belongs to and every gate's findings, in the order they were written.

    Raises ``FindingsFileError`` when the file is missing, a line is not a finding, or a
    gate's count in the header does not match its lines (a file cut short).
    """
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise FindingsFileError(f"no {path.name}") from None
    except OSError as exc:
        raise FindingsFileError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    with handle:
        try:
            header = cast(dict[str, Any], json.loads(handle.readline() or "null"))
            run = cast(dict[str, str], header["run"])
            counts = cast(dict[str, int], header["gates"])
            found: dict[str, list[Finding]] = {name: [] for name in counts}
            for number, line in enumerate(handle, start=2):
                data = cast(dict[str, Any], json.loads(line))
                gate = data.pop("gate")
                if gate not in found:
                    raise FindingsFileError(f"{path.name}:{number}: unknown gate {gate!r}")
                found[gate].append(Finding.from_json(data))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FindingsFileError(f"{path.name} is not a findings file ({exc})") from exc
    short = [name for name, count in counts.items() if len(found[name]) != count]
    if short:
        raise FindingsFileError(f"{path.name} is cut short ({', '.join(short)})")
    return run, found
