"""What running a gate produced: the rows of the gate table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    FAIL = "fail"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"
    ERROR = "error"
    NOT_RUN = "not run"

    @property
    def failed(self) -> bool:
        """A gate with this status did not let the change through."""
        return self in {Status.FAIL, Status.TIMEOUT, Status.ERROR}


@dataclass(frozen=True)
class GateResult:
    name: str
    projector: str
    status: Status
    seconds: float = 0.0
    reason: str = ""
    exit_code: int | None = None
    command: str = ""
    log: str = ""
    """Path of the gate's log, relative to the project root."""
    required: bool = True
    step: int = 0
    """1-based position in the gate table: the STEP_NUMBER of an error capture."""
    cached: bool = False
    coverage: float | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GateResult:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["status"] = Status(fields["status"])
        return cls(**fields)
