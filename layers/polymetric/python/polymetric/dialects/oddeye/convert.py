"""OddEye checks -> store measurements (name as sent, tags as sent), status events and per-metric kinds."""

from polymetric.models.check import CheckEvent, CheckKind
from polymetric.models.measurement import Measurement

from .requests import Check

OK = "OK"
MAX_MESSAGE = 4096


def to_measurements(checks: list[Check]) -> list[Measurement]:
    return [Measurement(c.metric, c.tags, c.timestamp, c.value, None, {}, c.position) for c in checks if not c.special]


def to_events(checks: list[Check]) -> list[CheckEvent]:
    """Special checks whose status is not OK (an OK status only clears the message: nothing to record)."""
    return [
        CheckEvent(
            c.metric, c.status or "ERROR", (c.message or "")[:MAX_MESSAGE] or None, c.tags.get("host"), c.timestamp
        )
        for c in checks
        if c.special and (c.status or "ERROR").upper() != OK
    ]


def to_kinds(checks: list[Check]) -> list[CheckKind]:
    """The last type and reaction sent for each metric."""
    last = {c.metric.lower(): CheckKind(c.metric, c.type, c.reaction) for c in checks}
    return list(last.values())


def _message(text: str | None) -> str | None:
    return text[:MAX_MESSAGE] if text else None
