"""GitHub annotations: ``::error file=PATH,line=N,col=M,title=GATE CODE::MESSAGE``.

Printed when ``GITHUB_ACTIONS=true`` (by the runbook and by CI's collect step), so a pull
request shows the findings on its diff. GitHub shows ten annotations of a kind per step, so the
gates take turns: every gate's first finding comes before any gate's second.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TextIO

from runbook.records.findings import Finding
from runbook.records.result import GateResult

PER_GATE = 10
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(gate: str, finding: Finding) -> str:
    props = [f"file={_property(finding.path)}"]
    if finding.line is not None:
        props.append(f"line={finding.line}")
        if finding.column is not None:
            props.append(f"col={finding.column}")
    props.append(f"title={_property(f'{gate} {finding.code}')}")
    command = _COMMANDS.get(finding.severity, "error")
    return f"::{command} {','.join(props)}::{_data(finding.message)}"


def annotation_lines(results: Sequence[GateResult], per_gate: int = PER_GATE) -> list[str]:
    """The first ``per_gate`` findings of each gate, gates taking turns."""
    queues = [[(r.name, f) for f in r.findings[:per_gate]] for r in results]
    turns = itertools.zip_longest(*queues)
    return [annotation(gate, f) for turn in turns for item in turn if item for gate, f in [item]]


def in_github_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def emit(results: Sequence[GateResult], env: Mapping[str, str], stream: TextIO) -> None:
    """Print the annotations when running in GitHub Actions; nothing otherwise."""
    if in_github_actions(env):
        for line in annotation_lines(results):
            stream.write(line + "\n")
        stream.flush()
