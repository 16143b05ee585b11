"""The wall clock, read in one place: whole Unix seconds, or milliseconds for the dialects that count them.

A module of its own so that a route needing only "now" does not import the query engine for it.
"""

import time


def now() -> int:
    return int(time.time())


def now_ms() -> int:
    return int(time.time() * 1000)
