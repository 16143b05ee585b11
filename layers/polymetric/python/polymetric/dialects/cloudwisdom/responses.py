"""CloudWisdom ingest answers (seed: Ingest Responses)."""

from datetime import UTC, datetime
from typing import Any


def stamp(now_ms: int) -> dict[str, Any]:
    iso = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z"
    return {"serverTimestamp": now_ms, "iso8601DateTime": iso}


def accepted(count: int, noun: str, now_ms: int) -> dict[str, Any]:
    """The 202 body sent with SEND_RESPONSE_BODY: ``"2 elements received"``."""
    return {"status": 202, "message": "ACCEPTED", "detail": f"{count} {noun} received", **stamp(now_ms)}
