"""Rate-limit response headers (documented in the README):

- ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``: the token's request allowance for
  the window, what is left of it, and when it is whole again (epoch seconds);
- ``X-Librato-RateLimit-Std``: the same, the way Librato wrote it (``limit=..,remaining=..,reset=..``);
- ``X-Librato-RateLimit-Measurements``: the token's measurement allowance, on responses that wrote some;
- ``Retry-After`` (seconds) on a 429.
"""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from polymetric import clock
from polymetric.models.limits import MEASUREMENTS, REQUESTS, RateBudget

BUDGETS = "rate_limits"


def _librato(budget: RateBudget) -> str:
    return f"limit={budget.limit},remaining={budget.remaining},reset={budget.reset}"


def headers_for(budgets: dict[str, RateBudget], *, refused: bool = False) -> dict[str, str]:
    out: dict[str, str] = {}
    requests = budgets.get(REQUESTS)
    if requests is not None:
        out["X-RateLimit-Limit"] = str(requests.limit)
        out["X-RateLimit-Remaining"] = str(requests.remaining)
        out["X-RateLimit-Reset"] = str(requests.reset)
        out["X-Librato-RateLimit-Std"] = _librato(requests)
    measurements = budgets.get(MEASUREMENTS)
    if measurements is not None:
        out["X-Librato-RateLimit-Measurements"] = _librato(measurements)
    if refused and budgets:
        reset = min(b.reset for b in budgets.values())
        out["Retry-After"] = str(max(1, reset - clock.now()))
    return out


def rate_limit_headers(app: APIGatewayRestResolver, *, refused: bool = False) -> dict[str, str] | None:
    """The headers of the request's budgets (none before authentication)."""
    budgets = app.context.get(BUDGETS)
    return headers_for(budgets, refused=refused) if isinstance(budgets, dict) and budgets else None
