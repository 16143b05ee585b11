"""The accepted time window: a sample is stored for its tier's full retention, or refused.

Past: what the longest tier keeps (hourly rollups, 558 days; ``storage.tiers`` takes its TTL from here).
Future: one hour ahead of the server's clock, for clients whose clocks run a little fast.
Every dialect's reader checks its times against this window and refuses in its own words;
``domain.ingest.write`` refuses anything outside it again, so no reader can let one through.
"""

import math

DAY = 86_400
RETENTION_DAYS = 558
RETENTION = RETENTION_DAYS * DAY  # seconds the longest tier keeps a sample
AHEAD = 3_600  # seconds a sample may be dated after the server's clock
GRACE = 300  # what ingest's backstop adds both ways: the reader and the write read the clock apart
DESCRIPTION = f"{RETENTION_DAYS} days ago to 1 hour ahead of server time"


def bounds(now: float) -> tuple[int, int]:
    """The first and last accepted Unix second, both included."""
    return math.ceil(now) - RETENTION, int(now) + AHEAD


def refusal(t: float, now: float) -> str | None:
    """Why a sample dated ``t`` (Unix seconds) cannot be kept, or None when it is inside the window."""
    if not math.isfinite(t):
        return "must be a finite number of Unix seconds"
    first, last = bounds(now)
    if t < first:
        return f"is older than {RETENTION_DAYS} days (the longest retention); accepted: {DESCRIPTION}"
    if t > last:
        return f"is more than 1 hour ahead of server time; accepted: {DESCRIPTION}"
    return None


def contains(t: float, now: float, *, grace: int = 0) -> bool:
    """Inside the window; ``grace`` widens it both ways (a backstop reading the clock after the reader did)."""
    first, last = bounds(now)
    return math.isfinite(t) and first - grace <= t <= last + grace
