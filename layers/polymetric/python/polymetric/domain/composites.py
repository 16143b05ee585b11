"""Composite queries: ``compose=`` expressions and persisted composite metrics, read through ``series``.

Parsing and evaluation are pure (``polymetric.query.composite``); this module supplies the storage reader:
metric lookup (``*`` patterns skip composite metrics), series selection and ``load_buckets``, the same
tiered read plain queries use, one call per series() call and metric.
"""

from polymetric.domain.series import load_buckets, select_series
from polymetric.errors import InvalidInputError
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.query import (
    ComposeQuery,
    CompositeSeries,
    MeasurementsQuery,
    QueryResult,
    ReadBudget,
    SeriesResult,
)
from polymetric.models.series import Series
from polymetric.models.tags import TagMatcher, wildcard
from polymetric.query import limits, resample
from polymetric.query.composite import evaluate, functions, parser
from polymetric.query.composite.ast import Node
from polymetric.storage import metrics as store


def expression(text: str, param: str = "compose") -> Node:
    """Parse and type-check ``text``; an ExpressionError (400) names ``param`` and the position."""
    node = parser.parse(text, param=param)
    functions.check(node, param)
    return node


class _StoreReader:
    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.items_read = 0
        self.budget = ReadBudget(limits.MAX_INDEXED_SERIES)  # every series() of the expression together

    def select(self, metric: str, tags: TagMatcher) -> list[tuple[Metric, list[Series]]]:
        if "*" in metric:
            found = _matching(self.tenant, metric)
        else:
            one = store.get(self.tenant, metric.lower())
            found = [one] if one is not None else []
        return [
            (m, select_series(self.tenant, m, tags, budget=self.budget) if m.type != COMPOSITE else []) for m in found
        ]

    def load(self, metric: Metric, series: list[Series], start: int, end: int, step: int) -> resample.Buckets:
        buckets, items = load_buckets(self.tenant, metric, series, start, end, step)
        self.items_read += items
        return buckets


def _matching(tenant: str, pattern: str) -> list[Metric]:
    """The plain metrics a ``series()`` pattern matches: the names after its literal prefix are read, at most
    ``limits.MAX_SCANNED_METRICS`` of them, and it may match at most ``limits.MAX_PATTERN_METRICS``."""
    prefix = pattern.lower().split("*", 1)[0]
    scanned = store.list_prefixed(tenant, prefix, limit=limits.MAX_SCANNED_METRICS)
    if len(scanned) > limits.MAX_SCANNED_METRICS:
        raise InvalidInputError(
            request=[
                f"series({pattern!r}): more than {limits.MAX_SCANNED_METRICS:,} metric names start with {prefix!r};"
                " give the pattern a longer literal prefix"
            ]
        )
    matcher = wildcard(pattern)
    found = [m for m in scanned if m.type != COMPOSITE and matcher.match(m.key)]
    if len(found) > limits.MAX_PATTERN_METRICS:
        raise InvalidInputError(
            request=[
                f"series({pattern!r}) matches {len(found)} metrics, more than {limits.MAX_PATTERN_METRICS};"
                " narrow the pattern"
            ]
        )
    return found


def _run(
    tenant: str, node: Node, start: int, end: int, resolution: int, dynamic: TagMatcher | None, param: str
) -> tuple[list[CompositeSeries], int]:
    grid = evaluate.Grid.of(start, end, resolution)
    reader = _StoreReader(tenant)
    result = evaluate.evaluate(node, grid, reader, dynamic=dynamic, param=param)
    times = grid.times.tolist()
    out = []
    for row, meta in zip(result.values.tolist(), result.metas, strict=True):
        points = [{"time": t, "value": v} for t, v in zip(times, row, strict=True) if v == v]
        if points:  # as plain queries do, a series without points in the window is left out
            out.append(CompositeSeries(meta.tags, points, meta.metric, meta.period))
    return out, reader.items_read


def compose(tenant: str, q: ComposeQuery) -> list[CompositeSeries]:
    """Evaluate a ``compose=`` expression (GET /v1/measurements?compose=, GET /v1/metrics?compose=)."""
    return _run(tenant, expression(q.expression), q.start, q.end, q.resolution, None, "compose")[0]


def measure(tenant: str, metric: Metric, q: MeasurementsQuery) -> QueryResult:
    """GET /v1/measurements/:name on a persisted composite: its expression, narrowed by ``tags_search``."""
    if q.tags.terms:
        raise InvalidInputError.param("tags", f"{metric.name} is a composite metric: filter it with tags_search")
    if q.group_by:
        raise InvalidInputError.param(
            "group_by", f"{metric.name} is a composite metric: group inside its expression with group_by()"
        )
    node = expression(metric.composite or "", "composite")
    found, items_read = _run(tenant, node, q.start, q.end, q.resolution, q.search, "composite")
    series = [SeriesResult(s.tags, s.points) for s in found]
    return QueryResult(metric, q.resolution, series, items_read)
