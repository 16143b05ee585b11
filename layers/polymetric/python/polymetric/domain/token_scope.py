"""What the authenticated API token brings to everything it writes, whatever the dialect.

The auth middleware enters the caller's scope for the request; ``domain.ingest.write``, where every
dialect's measurements land, applies it:

- a token bound to an environment tags its measurements ``environment=<name>`` unless a measurement
  carries its own ``environment`` tag (that one wins);
- the token's measurement rate limit cuts the batch (``limit``), and the budget left is recorded in the
  request's ``budgets`` (the middleware turns them into response headers).

Writes outside a request (schedules, workers) have no scope: nothing is added, nothing is limited.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from polymetric.domain import rate_limits
from polymetric.models.limits import MEASUREMENTS, RateBudget
from polymetric.models.measurement import Measurement
from polymetric.models.tenant import Principal

ENVIRONMENT_TAG = "environment"


@dataclass
class Scope:
    principal: Principal
    budgets: dict[str, RateBudget] = field(default_factory=dict)


_scope: ContextVar[Scope | None] = ContextVar("token_scope", default=None)


@contextmanager
def writing_as(principal: Principal, budgets: dict[str, RateBudget]) -> Iterator[None]:
    token = _scope.set(Scope(principal, budgets))
    try:
        yield
    finally:
        _scope.reset(token)


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


def limit(measurements: Sequence[Measurement]) -> tuple[Sequence[Measurement], Sequence[Measurement]]:
    """(what the token may still write, what is over its measurement limit) of a batch."""
    scope = _scope.get()
    if scope is None or not measurements:
        return measurements, []
    allowed, budget = rate_limits.take_measurements(scope.principal, len(measurements))
    scope.budgets[MEASUREMENTS] = budget
    return measurements[:allowed], measurements[allowed:]
