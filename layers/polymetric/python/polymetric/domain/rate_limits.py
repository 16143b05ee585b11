"""Per-token rate limits (settings RATE_LIMIT_*): requests on every route, measurements through every dialect.

A request over the request limit is refused (429). A measurement post is cut at the limit: what fits
is stored, the rest is refused and reported (seed: 429, "it's possible some data was permitted").
"""

from polymetric import clock
from polymetric.config import get_settings
from polymetric.models.limits import MEASUREMENTS, REQUESTS, RateBudget
from polymetric.models.tenant import Principal
from polymetric.storage import ratelimits as store


def _window(now: float) -> tuple[int, int]:
    size = get_settings().RATE_LIMIT_WINDOW
    start = int(now) - int(now) % size
    return start, start + size


def take_request(principal: Principal, now: float | None = None) -> tuple[RateBudget, bool]:
    """Count one request; the budget left and whether the request is within the limit."""
    start, reset = _window(clock.now_float() if now is None else now)
    limit = get_settings().RATE_LIMIT_REQUESTS
    used = store.consume(principal.tenant, principal.token_id, REQUESTS, 1, start)
    return RateBudget(limit, max(0, limit - used), reset), used <= limit


def take_measurements(principal: Principal, count: int, now: float | None = None) -> tuple[int, RateBudget]:
    """Reserve up to ``count`` measurements; how many may be stored, and the budget left after them."""
    start, reset = _window(clock.now_float() if now is None else now)
    limit = get_settings().RATE_LIMIT_MEASUREMENTS
    used = store.consume(principal.tenant, principal.token_id, MEASUREMENTS, count, start)
    before = used - count
    allowed = max(0, min(count, limit - before))
    store.give_back(principal.tenant, principal.token_id, MEASUREMENTS, count - allowed, start)
    return allowed, RateBudget(limit, max(0, limit - before - allowed), reset)


def limits() -> dict[str, int]:
    """The per-token limits in force (GET /v1/organization shows them)."""
    settings = get_settings()
    return {
        "window_seconds": settings.RATE_LIMIT_WINDOW,
        "requests_per_window": settings.RATE_LIMIT_REQUESTS,
        "measurements_per_window": settings.RATE_LIMIT_MEASUREMENTS,
    }
