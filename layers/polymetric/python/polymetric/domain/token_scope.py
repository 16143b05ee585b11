"""What the authenticated API token brings to everything it writes, whatever the dialect.

The auth middleware enters the caller's scope for the request; ``domain.ingest.write``, where every
dialect's measurements land, applies it:

- a token bound to an environment tags its measurements ``environment=<name>`` unless a measurement
  carries its own ``environment`` tag (that one wins);
- the token's measurement rate limit cuts the batch (``limit``), or refuses a whole request up front
  (``reserve``, for the atomic dialects), and the budget left is recorded in the request's ``budgets``
  (the middleware turns them into response headers).

Writes outside a request (schedules, workers) have no scope: nothing is added, nothing is limited.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from polymetric import clock
from polymetric.domain import rate_limits
from polymetric.errors import PolymetricError, RateLimitedError, StorageError
from polymetric.models.limits import REQUESTS, RateBudget
from polymetric.models.measurement import Measurement
from polymetric.models.tenant import Principal
from polymetric.observability import logger

ENVIRONMENT_TAG = "environment"


@dataclass
class Scope:
    principal: Principal
    budgets: dict[str, RateBudget] = field(default_factory=dict)
    request_pending: bool = False  # the request is counted with the first measurements it writes
    reserved: int = 0  # measurements of the budget taken by ``reserve``, spent by the writes that follow
    reserved_at: float = 0.0  # when they were taken (their rate-limit window)


_scope: ContextVar[Scope | None] = ContextVar("token_scope", default=None)


@contextmanager
def writing_as(
    principal: Principal, budgets: dict[str, RateBudget], *, request_pending: bool = False
) -> Iterator[None]:
    """The request's scope. ``request_pending``: the caller has not counted the request; ``limit`` counts it
    with the measurements (one counter update, not two). A request that wrote none (an invalid body, an empty
    batch) is counted on the way out, and refused (429) when over the limit, as if counted first: only routes
    that write nothing before their measurements may leave it pending. A server error stays what it is."""
    scope = Scope(principal, budgets, request_pending)
    token = _scope.set(scope)
    try:
        yield
    except PolymetricError as exc:
        if not isinstance(exc, StorageError) and not isinstance(exc, RateLimitedError):
            _count_pending(scope)
        raise
    else:
        _count_pending(scope)
    finally:
        _scope.reset(token)
        _return_unspent(scope)


def _return_unspent(scope: Scope) -> None:
    """A reservation the writes did not spend (Argus duplicates, measurements refused before the limit) goes
    back to the token's budget. Best effort: a failure here must not hide the request's own outcome."""
    if scope.reserved <= 0:
        return
    unspent, scope.reserved = scope.reserved, 0
    try:
        rate_limits.give_back_measurements(scope.principal, unspent, scope.reserved_at)
    except StorageError:
        logger.warning("unspent measurement reservation not returned", unspent=unspent)


def _count_pending(scope: Scope) -> None:
    if scope.request_pending:
        scope.request_pending = False
        scope.budgets[REQUESTS], within = rate_limits.take_request(scope.principal)
        if not within:
            raise RateLimitedError(rate_limits.OVER_REQUESTS)


def apply(measurements: Sequence[Measurement]) -> Sequence[Measurement]:
    scope = _scope.get()
    environment = scope.principal.environment if scope else None
    if not environment:
        return measurements
    return [
        m
        if any(k.lower() == ENVIRONMENT_TAG for k in m.tags)
        else m._replace(tags={**m.tags, ENVIRONMENT_TAG: environment})
        for m in measurements
    ]


def reserve(count: int) -> None:
    """Take ``count`` measurements of the token's budget, all or none: past the limit the request is refused
    (429) before it stores anything. For dialects whose requests are atomic; the writes that follow spend the
    reservation first."""
    scope = _scope.get()
    if scope is None or count <= 0:
        return
    now = clock.now_float()
    if _take(scope, count, whole=True, now=now) < count:
        raise RateLimitedError(rate_limits.OVER_MEASUREMENTS)
    scope.reserved += count
    scope.reserved_at = now


def limit(measurements: Sequence[Measurement]) -> tuple[Sequence[Measurement], Sequence[Measurement]]:
    """(what the token may still write, what is over its measurement limit) of a batch."""
    scope = _scope.get()
    if scope is None or not measurements:
        return measurements, []
    spent = min(scope.reserved, len(measurements))
    scope.reserved -= spent
    if spent == len(measurements):
        return measurements, []
    allowed = _take(scope, len(measurements) - spent, whole=False)
    return measurements[: spent + allowed], measurements[spent + allowed :]


def _take(scope: Scope, count: int, *, whole: bool, now: float | None = None) -> int:
    with_request, scope.request_pending = scope.request_pending, False  # counted once, even if this fails
    allowed, budgets, within = rate_limits.take_measurements(
        scope.principal, count, now, with_request=with_request, whole=whole
    )
    scope.budgets.update(budgets)
    if not within:
        raise RateLimitedError(rate_limits.OVER_REQUESTS)
    return allowed
