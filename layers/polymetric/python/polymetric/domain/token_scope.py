"""What the authenticated API token adds to everything it writes, whatever the dialect.

The auth middleware enters the caller's scope for the request; ``domain.ingest.write``, where every
dialect's measurements land, applies it. A token bound to an environment tags its measurements
``environment=<name>`` unless a measurement carries its own ``environment`` tag (that one wins).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from polymetric.models.measurement import Measurement
from polymetric.models.tenant import Principal

ENVIRONMENT_TAG = "environment"

_environment: ContextVar[str | None] = ContextVar("token_environment", default=None)


@contextmanager
def writing_as(principal: Principal) -> Iterator[None]:
    token = _environment.set(principal.environment)
    try:
        yield
    finally:
        _environment.reset(token)


def apply(measurements: Sequence[Measurement]) -> Sequence[Measurement]:
    environment = _environment.get()
    if not environment:
        return measurements
    return [
        m
        if any(k.lower() == ENVIRONMENT_TAG for k in m.tags)
        else m._replace(tags={**m.tags, ENVIRONMENT_TAG: environment})
        for m in measurements
    ]
