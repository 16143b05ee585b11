"""The one clock of the layer: every "now" Polymetric reads comes from here.

A module of its own so that a route needing only "now" does not import the query engine for it. Wall time
is read from ``time.time`` at each call, so a test that moves ``time.time`` moves every reader.
"""

import time


def now() -> int:
    """Epoch seconds."""
    return int(time.time())


def now_ms() -> int:
    """Epoch milliseconds."""
    return int(time.time() * 1000)


def now_float() -> float:
    """Epoch seconds with their fraction (deadlines and hour arithmetic that must not round early)."""
    return time.time()


def monotonic() -> float:
    """Seconds of a clock that never goes back: for cache ages and elapsed time, never for timestamps."""
    return time.monotonic()
