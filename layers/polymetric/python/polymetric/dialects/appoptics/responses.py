"""AppOptics response bodies: metric objects, metric pages, measurement series."""

from typing import Any

from polymetric.domain.metrics import MetricPage
from polymetric.domain.query import QueryResult
from polymetric.models.metric import COMPOSITE, Metric


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


def measurements(result: QueryResult) -> dict[str, Any]:
    return {
        "name": result.metric.name,
        "resolution": result.resolution,
        "series": [{"tags": s.tags, "measurements": s.points} for s in result.series],
        "links": [],
    }
