"""AppOptics response bodies: metric objects, metric pages, measurement series."""

from typing import Any

from polymetric.models.metric import COMPOSITE, Metric, MetricPage
from polymetric.models.query import CompositeSeries, QueryResult


def metric(m: Metric) -> dict[str, Any]:
    """Always name, type, period and attributes (the clients dereference them), composites too."""
    body: dict[str, Any] = {
        "name": m.name,
        "display_name": m.display_name,
        "type": m.type,
        "description": m.description,
        "period": m.period,
        "source_lag": None,
        "attributes": dict(m.attributes),
    }
    if m.type == COMPOSITE:
        body["composite"] = m.composite
    return body


def metric_page(page: MetricPage) -> dict[str, Any]:
    return {
        "query": {"found": page.found, "length": page.length, "offset": page.offset, "total": page.total},
        "metrics": [metric(m) for m in page.metrics],
    }


def measurements(result: QueryResult, links: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "name": result.metric.name,
        "resolution": result.resolution,
        "series": [{"tags": s.tags, "measurements": s.points} for s in result.series],
        "links": links or [],
    }


def composite(series: list[CompositeSeries]) -> list[dict[str, Any]]:
    """The seed's composite response: a bare list of series with tags, measurements, metric and period."""
    return [
        {
            "tags": s.tags,
            "measurements": s.points,
            "metric": _source_metric(s.metric, s.period),
            "period": s.period,
        }
        for s in series
    ]


def _source_metric(m: Metric | None, period: int) -> dict[str, Any]:
    if m is None:  # the series folds several metrics together
        return {"name": "composite", "type": COMPOSITE, "attributes": {}, "period": period}
    return {"name": m.name, "type": m.type, "attributes": dict(m.attributes), "period": m.period}
