"""Agent checks beside their points: a status message (OddEye Special) and how a check is read."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckEvent:
    """A non-OK status an agent reported for a check (e.g. ERROR with its message)."""

    metric: str
    status: str
    message: str | None
    host: str | None
    time: int


@dataclass(frozen=True)
class CheckKind:
    """How a metric's values are meant (OddEye ``type``) and how it alerts (``reaction``: 0, -1, -2, -3)."""

    metric: str
    type: str
    reaction: int
