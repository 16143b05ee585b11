"""Measurement queries and their results: what a dialect parses a request into and renders a response from."""

from dataclasses import dataclass, field
from typing import Any

from polymetric.models.metric import Metric
from polymetric.models.tags import TagFilter, TagMatcher

SortKey = tuple[tuple[str, str], ...]  # a series' (tag, value) pairs, sorted: its place in a listing


@dataclass
class ReadBudget:
    """How many more stored index items one request may go through (shared by the metrics it reads)."""

    remaining: int


@dataclass(frozen=True)
class MeasurementsQuery:
    """GET /v1/measurements/:name: one metric's series over [start, end] in buckets of ``resolution`` s."""

    name: str
    start: int
    end: int
    resolution: int
    tags: TagFilter = field(default_factory=TagFilter)
    group_by: tuple[str, ...] = ()  # ("*",) folds everything into one series
    group_by_function: str | None = None
    summary_function: str | None = None
    search: TagMatcher | None = None  # tags_search, in place of ``tags``
    after: SortKey | None = None  # series pagination: the last sort key already returned


@dataclass(frozen=True)
class SeriesResult:
    tags: dict[str, str]
    points: list[dict[str, Any]]


@dataclass(frozen=True)
class QueryResult:
    metric: Metric
    resolution: int
    series: list[SeriesResult]
    items_read: int = 0
    next_key: SortKey | None = None  # more series follow this sort key


@dataclass(frozen=True)
class ComposeQuery:
    """A ``compose=`` expression evaluated over [start, end] in buckets of ``resolution`` s."""

    expression: str
    start: int
    end: int
    resolution: int


@dataclass(frozen=True)
class CompositeSeries:
    tags: dict[str, str]
    points: list[dict[str, Any]]
    metric: Metric | None  # None when the series folds several metrics
    period: int
