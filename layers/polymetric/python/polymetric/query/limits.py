"""Query limits: how much one request may read and compute. Past them a query answers 400 saying how to narrow it.

1. ``PAGE_SERIES``: series per response page of GET /v1/measurements/:name (more are behind ``links``).
2. ``MAX_SERIES``: series one grouped query, or one series() of a composite, may read.
3. ``MAX_POINTS``: series × buckets one page, grouped query or composite may hold (each bucket is 48 bytes
   of summaries while it is read, 8 bytes in a composite's matrix).
4. ``MAX_INDEXED_SERIES``: series index entries one read of one metric may go through to find its series
   (about 100 bytes each: 100,000 are ~10 MB, a few seconds of Queries). A tag filter of a literal value
   reads only that value's postings, so it narrows what is read, not only what is answered.
5. ``MAX_PATTERN_METRICS``: metrics one ``series("pattern*", ...)`` of a composite may match (each is at
   least a Query of its index and one of its samples); ``MAX_SCANNED_METRICS``: metric names the pattern
   may be tried against (the names after its literal prefix, in order).
"""

from polymetric.errors import InvalidInputError

MAX_RESOLUTION = 604800  # seconds: the coarsest bucket a query may ask for (a week)
PAGE_SERIES = 100
MAX_SERIES = 2000
MAX_POINTS = 2_000_000
MAX_INDEXED_SERIES = 100_000
MAX_PATTERN_METRICS = 200
MAX_SCANNED_METRICS = 50_000

NARROW = "narrow the query: filter with tags or tags_search, shorten the time window, or raise the resolution"
NARROW_INDEX = (
    "filter with a tag of a literal value or value prefix (tags[host]=web-1, host=web*), whose series alone are read"
)


def check_series(param: str, count: int, what: str) -> None:
    if count > MAX_SERIES:
        raise InvalidInputError.param(param, f"{what} matches {count} series, more than {MAX_SERIES}; {NARROW}")


def check_points(param: str, series: int, buckets: int) -> None:
    if series * buckets > MAX_POINTS:
        raise InvalidInputError.param(
            param,
            f"the query covers {series} series × {buckets} time buckets, more than {MAX_POINTS:,} points; {NARROW}",
        )
