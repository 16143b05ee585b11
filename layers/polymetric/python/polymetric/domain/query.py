"""Read measurements of one metric: select series, read samples, downsample, summarise, group."""

from __future__ import annotations

from typing import Any

from polymetric import clock
from polymetric.domain import composites, sparse
from polymetric.domain.metrics import get as get_metric
from polymetric.domain.series import load_buckets, select_series
from polymetric.errors import InvalidInputError
from polymetric.lazy import np
from polymetric.models.metric import COMPOSITE
from polymetric.models.query import (
    MeasurementsQuery,
    QueryResult,
    SeriesResult,
    SortKey,
    SourcesQuery,
    SourcesResult,
    source_name,
)
from polymetric.models.samples import COUNT, LAST, MAX, MIN, SUM
from polymetric.models.series import Series
from polymetric.query import limits, resample, sources

# The metric attribute ``summarize_function`` speaks "average"; queries speak "mean".
_PERSISTED = {"average": "mean", "sum": "sum", "count": "count", "min": "min", "max": "max"}


def measurements(tenant: str, q: MeasurementsQuery) -> QueryResult:
    metric = get_metric(tenant, q.name)
    if metric.type == COMPOSITE:
        return composites.measure(tenant, metric, q)
    function = q.summary_function or _PERSISTED.get(str(metric.attributes.get("summarize_function")), "mean")
    if function == "all" and q.group_by:
        raise InvalidInputError.param("group_by", "may not be combined with summary_function=all")
    series = select_series(tenant, metric, q.search or q.tags, q.group_by, since=q.start)
    series, next_key = _page(series, q)
    if not series:
        return QueryResult(metric, q.resolution, [])
    buckets, items_read = load_buckets(tenant, metric, series, q.start, q.end, q.resolution)
    if function == "all":
        return QueryResult(metric, q.resolution, _all_summaries(series, buckets), items_read, next_key)
    buckets, values = resample.summarize(buckets, function)
    # CloudWisdom sparseDataStrategy: buckets without samples show the metric's injected value.
    buckets, values = sparse.fill(
        tenant, metric, len(series), buckets, values, start=q.start, end=q.end, resolution=q.resolution, now=clock.now()
    )
    if q.group_by:
        return QueryResult(metric, q.resolution, _grouped(series, buckets, values, q), items_read)
    out = []
    for i, sl in enumerate(resample.split(buckets.series, len(series))):
        if sl.stop > sl.start:
            out.append(SeriesResult(series[i].tags, _points(buckets.times[sl], values[sl])))
    return QueryResult(metric, q.resolution, out, items_read, next_key)


def by_source(tenant: str, q: SourcesQuery) -> SourcesResult:
    """Legacy Librato: the metric's measurements listed by source (``query/sources.py``), read as ``measurements``
    reads: the same series selection, index budget and storage tiers."""
    metric = get_metric(tenant, q.name)
    if metric.type == COMPOSITE:
        raise InvalidInputError.param(
            "start_time", "a composite metric has no sources: read it with GET /v1/measurements/{name}"
        )
    start, end = sources.window(q, metric.period)
    series = select_series(tenant, metric, q.sources.narrowest(), since=start)
    read = sources.plan(q, len(series), start, end)
    if not series:
        return SourcesResult(metric, q.resolution, {})
    buckets, _ = load_buckets(tenant, metric, series, read.start, read.end, q.resolution)
    found, next_time = sources.by_source([source_name(s.tags) for s in series], buckets, q, read.next_time)
    return SourcesResult(metric, q.resolution, found, next_time)


def _page(series: list[Series], q: MeasurementsQuery) -> tuple[list[Series], SortKey | None]:
    """Ungrouped queries return ``limits.PAGE_SERIES`` series per page, resuming after ``q.after``.

    Keyed on the sort key (unique per series), not an offset, so a series registered between two pages
    neither repeats a series nor hides one that was already due. Grouped queries read every series at once.
    """
    buckets = (q.end - (q.start - q.start % q.resolution)) // q.resolution + 1
    if q.group_by:
        limits.check_series("group_by", len(series), "the query")
        limits.check_points("resolution", len(series), buckets)
        return series, None
    if q.after is not None:
        after = q.after
        series = [s for s in series if s.sort_key > after]
    page = series[: limits.PAGE_SERIES]
    limits.check_points("resolution", len(page), buckets)
    return page, page[-1].sort_key if len(series) > len(page) else None


def _points(times: Any, values: Any) -> list[dict[str, Any]]:
    return [
        {"time": int(t), "value": float(v)} for t, v in zip(times.tolist(), values.tolist(), strict=True) if v == v
    ]  # NaN never leaves the engine


def _grouped(series: list[Series], buckets: resample.Buckets, values: Any, q: MeasurementsQuery) -> list[SeriesResult]:
    keys_of: list[tuple[tuple[str, str], ...]]
    if q.group_by == ("*",):
        keys_of = [()] * len(series)
    else:
        wanted = [g.lower() for g in q.group_by]
        keys_of = [tuple(_tag(s.tags, g) for g in wanted) for s in series]
    groups: dict[tuple[str, ...], int] = {}
    tags_of_group: list[dict[str, str]] = []
    membership = np.empty(len(series), dtype=np.int64)
    for i, key in enumerate(keys_of):
        lowered = tuple(v.lower() for _, v in key)
        if lowered not in groups:
            groups[lowered] = len(groups)
            tags_of_group.append(dict(key))
        membership[i] = groups[lowered]
    g, times, out = resample.group(buckets, values, membership, q.group_by_function or "sum")
    results = [
        SeriesResult(tags_of_group[gi], _points(times[sl], out[sl]))
        for gi, sl in enumerate(resample.split(g, len(groups)))
        if sl.stop > sl.start
    ]
    return sorted(results, key=lambda r: sorted((k.lower(), v.lower()) for k, v in r.tags.items()))


def _tag(tags: dict[str, str], name: str) -> tuple[str, str]:
    for k, v in tags.items():
        if k.lower() == name:
            return k, v
    raise KeyError(name)


def _all_summaries(series: list[Series], b: resample.Buckets) -> list[SeriesResult]:
    s = b.stats
    mean = s[:, SUM] / s[:, COUNT]
    sd = resample.stddev(s)
    out = []
    for i, sl in enumerate(resample.split(b.series, len(series))):
        if sl.stop <= sl.start:
            continue
        points = []
        for j in range(sl.start, sl.stop):
            points.append(
                {
                    "time": int(b.times[j]),
                    "value": float(mean[j]),
                    "count": float(s[j, COUNT]),
                    "sum": float(s[j, SUM]),
                    "min": float(s[j, MIN]) if s[j, MIN] == s[j, MIN] else float(mean[j]),
                    "max": float(s[j, MAX]) if s[j, MAX] == s[j, MAX] else float(mean[j]),
                    "last": float(s[j, LAST]),
                    "stddev": float(sd[j]),
                }
            )
        out.append(SeriesResult(series[i].tags, points))
    return out
