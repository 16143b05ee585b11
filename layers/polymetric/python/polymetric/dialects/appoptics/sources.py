"""Legacy Librato ``GET /v1/metrics/:name`` with a time interval (seed: Retrieve Metric): the query string, the answer.

1. Without ``start_time``, ``end_time`` or ``count`` the route answers the metric alone, as it always has.
2. ``start_time`` is required unless ``count`` is given; ``end_time`` defaults to now, except with both
   ``start_time`` and ``count`` (the first ``count`` points after start_time, up to end_time when given).
3. ``resolution``: seconds per point, default 1 (the raw samples, as librato-metrics' Ruby client asks).
4. ``source``: a source name or ``*`` pattern; ``sources[]``: names (or patterns), any of them; both: both hold.
5. ``summarize_sources=true`` adds the source ``all`` (``breakout_sources=false``: ``all`` alone);
   ``summarize_time`` and ``group_by`` are not supported and answer 400 naming the parameter.
"""

import re
from typing import Any

from polymetric.dialects import contract
from polymetric.dialects.appoptics import responses
from polymetric.dialects.params import integer, one
from polymetric.errors import InvalidInputError
from polymetric.models.query import SourceFilter, SourcesQuery, SourcesResult
from polymetric.query.limits import MAX_RESOLUTION

TIME_INTERVAL = ("start_time", "end_time", "count")
MAX_TIME = 9_999_999_999  # Unix seconds, as a legacy measure_time
MAX_COUNT = 10_000
MAX_SOURCES = 100  # names in sources[]
# A source name or pattern: the characters a legacy source may have (dialects/librato), and ``*``.
_SOURCE = re.compile(r"[-.:_?\\/\w *]{1,255}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

PARAMS = (
    contract.integer("start_time", "Unix seconds; required unless count is given", minimum=0, maximum=MAX_TIME),
    contract.integer("end_time", "Unix seconds; default now", minimum=0, maximum=MAX_TIME),
    contract.integer(
        "count", "The first N points after start_time, or the last N before end_time", minimum=1, maximum=MAX_COUNT
    ),
    contract.integer("resolution", "Seconds per point; default 1 (raw)", minimum=1, maximum=MAX_RESOLUTION),
    contract.string("source", "A source name or * pattern (unassigned: the series without a source)"),
    contract.Param(
        "sources",
        {"type": "array", "items": {"type": "string"}, "maxItems": MAX_SOURCES},
        description="Only these sources (sources[]=a&sources[]=b)",
    ),
    contract.Param("summarize_sources", {"type": "boolean"}, description="Add the source all: every source per time"),
    contract.Param("breakout_sources", {"type": "boolean"}, description="false: only the source all"),
    contract.Param("summarize_time", {"type": "boolean"}, description="Not supported: true answers 400"),
    contract.string("group_by", "Not supported: answers 400"),
)


def asks_measurements(values: dict[str, list[str]]) -> bool:
    """Whether the request names a time interval (rule 1)."""
    return any(one(values, key) not in (None, "") for key in TIME_INTERVAL)


def sources_query(name: str, values: dict[str, list[str]], now: int) -> SourcesQuery:
    if one(values, "group_by") not in (None, ""):
        raise InvalidInputError.param("group_by", "is not supported on GET /v1/metrics/{name}; use summarize_sources")
    if _boolean(values, "summarize_time", False):
        raise InvalidInputError.param("summarize_time", "is not supported on GET /v1/metrics/{name}")
    start = integer(values, "start_time", minimum=0, maximum=MAX_TIME)
    end = integer(values, "end_time", minimum=0, maximum=MAX_TIME)
    count = integer(values, "count", minimum=1, maximum=MAX_COUNT)
    resolution = integer(values, "resolution", minimum=1, maximum=MAX_RESOLUTION) or 1
    if start is None and count is None:
        raise InvalidInputError.param("start_time", "is required unless count is given")
    if start is not None and end is None and count is None:
        if start > now:
            raise InvalidInputError.param("start_time", f"must not be after the current time ({now}) without end_time")
        end = now
    elif start is None:
        end = end if end is not None else now
    if start is not None and end is not None and end < start:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    summarize = _boolean(values, "summarize_sources", False)
    breakout = _boolean(values, "breakout_sources", True)
    if not breakout and not summarize:
        raise InvalidInputError.param("breakout_sources", "false needs summarize_sources=true (else nothing is left)")
    return SourcesQuery(
        name=name,
        start=start,
        end=end,
        resolution=resolution,
        count=count,
        sources=_sources(values),
        summarize_sources=summarize,
        breakout_sources=breakout,
    )


def _sources(values: dict[str, list[str]]) -> SourceFilter:
    pattern = one(values, "source") or None  # empty: no filter
    if pattern is not None and not _SOURCE.fullmatch(pattern):
        raise InvalidInputError.param("source", "must be 1 to 255 characters of A-Za-z0-9 .:-_?\\/ and *")
    names = [n for n in values.get("sources[]", []) + values.get("sources", []) if n != ""]
    if len(names) > MAX_SOURCES:
        raise InvalidInputError.param("sources", f"at most {MAX_SOURCES} sources")
    for n in names:
        if not _SOURCE.fullmatch(n):
            raise InvalidInputError.param("sources", f"{n[:50]!r} must be 1 to 255 characters of A-Za-z0-9 .:-_?\\/")
    return SourceFilter(pattern, tuple(names))


def _boolean(values: dict[str, list[str]], name: str, default: bool) -> bool:
    raw = one(values, name)
    if raw is None or raw == "":
        return default
    found = _BOOLEANS.get(raw.strip().lower())
    if found is None:
        raise InvalidInputError.param(name, "must be true or false")
    return found


def metric_measurements(result: SourcesResult) -> dict[str, Any]:
    """The metric, its ``resolution`` and ``measurements`` by source (``measure_time`` for ``time``), and
    ``query.next_time`` when more points follow."""
    body = responses.metric(result.metric)
    body["resolution"] = result.resolution
    body["measurements"] = {
        source: [{"measure_time": p["time"], **{k: v for k, v in p.items() if k != "time"}} for p in points]
        for source, points in result.measurements.items()
    }
    if result.next_time is not None:
        body["query"] = {"next_time": result.next_time}
    return body
