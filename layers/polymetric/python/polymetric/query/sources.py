"""Legacy Librato reads (GET /v1/metrics/:name with a time interval): measurements listed by source.

1. A series' source is its tag ``source``; a series without one is ``unassigned`` (``models.query.source_name``).
2. The series of one source (tag sets that differ beside ``source``, or several without a source) are combined
   per time: ``value`` is the mean of their values, ``count`` and ``sum`` add up, ``min``/``max`` fold.
3. ``summarize_sources`` adds the source ``all``: the sources combined the same way at each time.
4. ``count`` N: the window read covers 2N steps of max(resolution, the metric's period, 60 s without one),
   the interval that "covers N measurements" with room for a late report or a still-empty newest minute;
   each source keeps its first N points after start_time, or its last N before end_time. At most
   ``PAGE_POINTS`` points in all, or 400.
5. Without ``count`` a response holds at most ``PAGE_POINTS`` points, cut at a time: the points before it are
   answered and ``next_time`` is the time of the first one left out. A read covers at most
   ``limits.MAX_POINTS`` series × buckets: a longer window is read up to there and ``next_time`` is where the
   rest begins (that page may hold no point).
6. A point is ``time``, ``value`` (the mean), ``count`` (the samples in it); a summarized point (count > 1)
   also carries ``sum`` and, where known, ``min`` and ``max``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from polymetric.errors import InvalidInputError
from polymetric.lazy import np
from polymetric.models.query import SourcesQuery
from polymetric.models.samples import COUNT, MAX, MIN, SUM, FloatArray, IntArray
from polymetric.query import limits, resample

ALL = "all"
DEFAULT_PERIOD = 60  # seconds between a metric's measurements when it declares no period
PAGE_POINTS = 10_000  # points one response holds (about 1 MB of JSON)
NARROW = "narrow it: filter with source or sources[], shorten the time window, or raise the resolution"


@dataclass(frozen=True)
class Read:
    """The span one request reads, and where the next page starts when that stops short of the window."""

    start: int
    end: int
    next_time: int | None = None


@dataclass(frozen=True)
class Rows:
    """Points of several sources, sorted by (source, time); ``source`` indexes the source names."""

    source: IntArray
    times: IntArray
    value: FloatArray
    count: FloatArray
    total: FloatArray
    low: FloatArray
    high: FloatArray

    def take(self, keep: Any) -> Rows:
        return Rows(*(column[keep] for column in self.columns()))

    def columns(self) -> tuple[Any, ...]:
        return (self.source, self.times, self.value, self.count, self.total, self.low, self.high)


def window(q: SourcesQuery, period: int | None) -> tuple[int, int]:
    """[start, end] of the query; with ``count``, the span that covers ``count`` points (rule 4)."""
    if q.count is None:
        assert q.start is not None and q.end is not None
        return q.start, q.end
    # Twice the steps: N buckets ending at end_time miss points when the newest buckets are still empty.
    span = 2 * q.count * max(q.resolution, period or DEFAULT_PERIOD)
    if q.start is not None:
        end = q.start + span - 1
        return q.start, end if q.end is None else min(end, q.end)
    assert q.end is not None
    last = q.end - q.end % q.resolution  # the bucket that holds end_time, the last of the span
    return max(0, last + q.resolution - span), q.end


def plan(q: SourcesQuery, series: int, start: int, end: int) -> Read:
    """What one request reads of [start, end] for ``series`` series (rule 5), or 400 past the limits."""
    if series > limits.MAX_SERIES:
        param = "source" if q.sources.pattern is not None or not q.sources.names else "sources"
        raise InvalidInputError.param(
            param, f"the query matches {series} series, more than {limits.MAX_SERIES}; {NARROW}"
        )
    first = start - start % q.resolution
    buckets = (end - first) // q.resolution + 1
    if series * buckets <= limits.MAX_POINTS:
        return Read(start, end)
    if q.count is not None:
        raise InvalidInputError.param(
            "count",
            f"the query covers {series} series × {buckets} time buckets, more than {limits.MAX_POINTS:,}; "
            "lower count or raise the resolution",
        )
    stop = first + limits.MAX_POINTS // series * q.resolution
    return Read(start, stop - 1, stop)


def by_source(
    names: list[str], b: resample.Buckets, q: SourcesQuery, next_time: int | None = None
) -> tuple[dict[str, list[dict[str, Any]]], int | None]:
    """Each source's points (rules 1-6), and the next page's start_time (None: nothing left)."""
    labels: list[str] = []
    index: dict[str, int] = {}
    membership = np.empty(len(names), dtype=np.int64)
    for i, name in enumerate(names):  # the source namespace is case-insensitive
        membership[i] = index.setdefault(name.lower(), len(labels))
        if membership[i] == len(labels):
            labels.append(name)
    s = b.stats
    rows = _fold(b.series, b.times, s[:, SUM] / s[:, COUNT], s[:, COUNT], s[:, SUM], s[:, MIN], s[:, MAX], membership)
    if q.summarize_sources:
        r = rows
        everything = _fold(
            r.source, r.times, r.value, r.count, r.total, r.low, r.high, np.zeros(len(labels), dtype=np.int64)
        )
        everything = Rows(everything.source + len(labels), *everything.columns()[1:])
        labels.append(ALL)
        parts = [rows, everything] if q.breakout_sources else [everything]
        rows = Rows(*(np.concatenate(c) for c in zip(*(p.columns() for p in parts), strict=True)))
    if q.count is not None:
        shown = len(np.unique(rows.source))
        if q.count * shown > PAGE_POINTS:
            raise InvalidInputError.param(
                "count", f"{q.count} points of {shown} sources are more than {PAGE_POINTS:,}; lower count or {NARROW}"
            )
        rows = _trim(rows, len(labels), q.count, first=q.start is not None)
        next_time = None
    else:
        rows, cut = _cut(rows, PAGE_POINTS)
        next_time = cut if cut is not None else next_time
    return _render(labels, rows), next_time


def _fold(
    series: IntArray,
    times: IntArray,
    value: FloatArray,
    count: FloatArray,
    total: FloatArray,
    low: FloatArray,
    high: FloatArray,
    membership: IntArray,
) -> Rows:
    """Rows of several series folded into their groups per time (rule 2)."""
    b = resample.Buckets(series, times, np.empty((0, 6)))
    g, t, mean = resample.group(b, value, membership, "mean")
    return Rows(
        g,
        t,
        mean,
        resample.group(b, count, membership, "sum")[2],
        resample.group(b, total, membership, "sum")[2],
        resample.group(b, low, membership, "min")[2],
        resample.group(b, high, membership, "max")[2],
    )


def _trim(rows: Rows, sources: int, count: int, *, first: bool) -> Rows:
    keep = np.zeros(len(rows.times), dtype=bool)
    for sl in resample.split(rows.source, sources):
        if first:
            keep[sl.start : min(sl.stop, sl.start + count)] = True
        else:
            keep[max(sl.start, sl.stop - count) : sl.stop] = True
    return rows.take(keep)


def _cut(rows: Rows, most: int) -> tuple[Rows, int | None]:
    """At most ``most`` points, whole times only (at least the first time): the rows before the cut, its time."""
    if len(rows.times) <= most:
        return rows, None
    times, counts = np.unique(rows.times, return_counts=True)
    whole = max(1, int(np.searchsorted(np.cumsum(counts), most, side="right")))
    if whole >= len(times):
        return rows, None
    cut = int(times[whole])
    return rows.take(rows.times < cut), cut


def _render(labels: list[str], rows: Rows) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    columns = [c.tolist() for c in rows.columns()]
    for source, t, value, count, total, low, high in zip(*columns, strict=True):
        point: dict[str, Any] = {"time": int(t), "value": value, "count": int(count) if count.is_integer() else count}
        if count > 1:
            point["sum"] = total
            if low == low:  # NaN: a summary sent without min/max
                point["min"] = low
            if high == high:
                point["max"] = high
        out.setdefault(labels[source], []).append(point)
    return out
