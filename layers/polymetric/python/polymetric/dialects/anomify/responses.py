"""Anomify success bodies: 204 (no body), the 207 quota report, the control-field answers."""

from typing import Any

from .requests import FluxPoint


def quota_report(points: list[FluxPoint], refused: set[str], quota: int, *, code: int = 207) -> dict[str, Any]:
    """Seed: HTTP status code 207. One ``data`` entry per submitted metric, in request order."""
    rejected = [p.metric for p in points if p.metric.lower() in refused]
    processed = [p.metric for p in points if p.metric.lower() not in refused]
    new_rejected = len({p.metric.lower() for p in points if p.metric.lower() in refused})
    return {
        "code": code,
        "data": [{"metric": p.metric, "status": 400 if p.metric.lower() in refused else 204} for p in points],
        "error": (
            f"over quota - this account is allowed {quota} metrics and an additional {new_rejected} "
            "new metrics were posted that have been rejected"
        ),
        "message": f"{len(processed)} metrics were processed and {len(rejected)} metrics were rejected",
        "rejected metrics": rejected,
        "rejected metrics count": len(rejected),
        "processed metrics": processed,
        "processed metrics count": len(processed),
        "submitted metrics count": len(points),
    }


def test_only(points: list[FluxPoint]) -> dict[str, Any]:
    """Skyline's ``"test": true`` / ``x-test-only``: validated, counted, nothing stored."""
    return {
        "code": 200,
        "message": f"test only - {len(points)} metrics were validated and none were stored",
        "submitted metrics count": len(points),
        "processed metrics count": 0,
    }


KEY_VALID = {"status": "key valid"}
STATUS_OK = {"status": "ok"}
