"""Query limits: how much one request may read and compute. Past them a query answers 400 saying how to narrow it.

1. ``PAGE_SERIES``: series per response page of GET /v1/measurements/:name (more are behind ``links``).
2. ``MAX_SERIES``: series one grouped query, or one series() of a composite, may read.
3. ``MAX_POINTS``: series × buckets one page, grouped query or composite may hold (each bucket is 48 bytes
   of summaries while it is read, 8 bytes in a composite's matrix).
"""

from polymetric.errors import InvalidInputError

MAX_RESOLUTION = 604800  # seconds: the coarsest bucket a query may ask for (a week)
PAGE_SERIES = 100
MAX_SERIES = 2000
MAX_POINTS = 2_000_000

NARROW = "narrow the query: filter with tags or tags_search, shorten the time window, or raise the resolution"


def check_series(param: str, count: int, what: str) -> None:
    if count > MAX_SERIES:
        raise InvalidInputError.param(param, f"{what} matches {count} series, more than {MAX_SERIES}; {NARROW}")


def check_points(param: str, series: int, buckets: int) -> None:
    if series * buckets > MAX_POINTS:
        raise InvalidInputError.param(
            param,
            f"the query covers {series} series × {buckets} time buckets, more than {MAX_POINTS:,} points; {NARROW}",
        )
