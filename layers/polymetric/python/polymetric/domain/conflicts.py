"""Optimistic concurrency, settled in one place.

Metrics, alerts, services and spaces are written conditioned on the version they were read at; a writer that
came in between makes the write fail with ``VersionConflictError``. That is no error of the request: two PUTs
of the same resource at once are both valid, and the later one wins, as with any PUT. So a domain operation
that reads, changes and writes runs again from its read, after a short random pause (the writers that met
spread apart), up to ``ATTEMPTS`` times. Only a conflict that outlasts them reaches the caller.

``@retrying`` wraps a whole read-change-write operation; ``retried(operation)`` runs one written inline. The
operation must read what it changes inside itself (a retry with a stale read would conflict again), and do
nothing before its write that may not be done twice.
"""

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from polymetric.errors import VersionConflictError

# N writers at once settle in N rounds at worst (each round one of them wins): 10 covers a burst of clients
# that update the same metric at startup; the pauses add up to under 2 s.
ATTEMPTS = 10
PAUSE = 0.02  # seconds: the longest first pause; it doubles each attempt, up to MAX_PAUSE
MAX_PAUSE = 0.25

P = ParamSpec("P")
T = TypeVar("T")


def retried(operation: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``operation()``, run again while it raises ``VersionConflictError``; the last attempt's conflict is raised."""
    for attempt in range(1, attempts):
        try:
            return operation()
        except VersionConflictError:
            time.sleep(random.uniform(0, min(MAX_PAUSE, PAUSE * 2 ** (attempt - 1))))
    return operation()


def retrying(function: Callable[P, T]) -> Callable[P, T]:
    """The decorator form of ``retried``: the whole function is the operation."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return retried(lambda: function(*args, **kwargs))

    return wrapper
