"""Per-token rate limits (settings RATE_LIMIT_*): requests on every route, measurements through every dialect.

A request over the request limit is refused (429). A measurement post counts its request together with its
measurements, in one update of the counters (``take_measurements(with_request=True)``). An AppOptics measurement
post is cut at the limit: what fits is stored, the rest is refused and reported (seed: 429, "it's possible
some data was permitted"). The other dialects' requests are atomic: all their measurements fit, or the
request is refused (429) and stores nothing (``token_scope.reserve``).
"""

from polymetric import clock
from polymetric.config import get_settings
from polymetric.models.limits import MEASUREMENTS, REQUESTS, RateBudget
from polymetric.models.tenant import Principal
from polymetric.storage import ratelimits as store

OVER_REQUESTS = "This API token is over its request rate limit: retry after the reset."
OVER_MEASUREMENTS = "over this API token's measurement rate limit: retry after the reset"


def _window(now: float) -> tuple[int, int]:
    size = get_settings().RATE_LIMIT_WINDOW
    start = int(now) - int(now) % size
    return start, start + size


def take_request(principal: Principal, now: float | None = None) -> tuple[RateBudget, bool]:
    """Count one request; the budget left and whether the request is within the limit."""
    start, reset = _window(clock.now_float() if now is None else now)
    used = store.consume(principal.tenant, principal.token_id, {REQUESTS: 1}, start)
    return _requests_budget(used[REQUESTS], reset), used[REQUESTS] <= get_settings().RATE_LIMIT_REQUESTS


def take_measurements(
    principal: Principal, count: int, now: float | None = None, *, with_request: bool = False, whole: bool = False
) -> tuple[int, dict[str, RateBudget], bool]:
    """Reserve up to ``count`` measurements: how many may be stored, the budgets left after them, and whether
    the request is within the request limit (always, unless ``with_request``).

    ``with_request``: the request is counted in the same write (a measurement post counts its request only
    here, one DynamoDB update instead of two); a request over the request limit may store none.
    ``whole``: all ``count`` or none (dialects whose requests are atomic).
    """
    start, reset = _window(clock.now_float() if now is None else now)
    limit = get_settings().RATE_LIMIT_MEASUREMENTS
    used = store.consume(
        principal.tenant, principal.token_id, {MEASUREMENTS: count, **({REQUESTS: 1} if with_request else {})}, start
    )
    budgets: dict[str, RateBudget] = {}
    within = True
    if with_request:
        budgets[REQUESTS] = _requests_budget(used[REQUESTS], reset)
        within = used[REQUESTS] <= get_settings().RATE_LIMIT_REQUESTS
    before = used[MEASUREMENTS] - count
    allowed = max(0, min(count, limit - before)) if within else 0
    if whole and allowed < count:
        allowed = 0
    store.give_back(principal.tenant, principal.token_id, MEASUREMENTS, count - allowed, start)
    if within:  # a request refused whole wrote no measurements: no measurement budget to show
        budgets[MEASUREMENTS] = RateBudget(limit, max(0, limit - before - allowed), reset)
    return allowed, budgets, within


def give_back_measurements(principal: Principal, count: int, taken_at: float) -> None:
    """Return ``count`` measurements taken at ``taken_at`` and not written (to that window only: a window that
    has moved on starts from zero anyway)."""
    store.give_back(principal.tenant, principal.token_id, MEASUREMENTS, count, _window(taken_at)[0])


def _requests_budget(used: int, reset: int) -> RateBudget:
    limit = get_settings().RATE_LIMIT_REQUESTS
    return RateBudget(limit, max(0, limit - used), reset)


def limits() -> dict[str, int]:
    """The per-token limits in force (GET /v1/organization shows them)."""
    settings = get_settings()
    return {
        "window_seconds": settings.RATE_LIMIT_WINDOW,
        "requests_per_window": settings.RATE_LIMIT_REQUESTS,
        "measurements_per_window": settings.RATE_LIMIT_MEASUREMENTS,
    }
