"""Measurement queries and their results: what a dialect parses a request into and renders a response from."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from polymetric.models.metric import Metric
from polymetric.models.tags import TagFilter, TagMatcher, wildcard

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


# The legacy Librato source of a series that has no tag ``source`` (seed: Retrieve Metric).
UNASSIGNED = "unassigned"


def source_name(tags: Mapping[str, str]) -> str:
    """A series' legacy source: its tag ``source`` (any case of the name), else ``unassigned``."""
    for k, v in tags.items():
        if k.lower() == "source":
            return v
    return UNASSIGNED


@dataclass(frozen=True)
class SourceFilter:
    """Legacy ``source=pattern`` and ``sources[]=name``: both must hold when both are given; case-insensitive,
    ``*`` a wildcard; a series without a source is matched as ``unassigned``."""

    pattern: str | None = None
    names: tuple[str, ...] = ()

    def matches(self, tags: Mapping[str, str]) -> bool:
        return self._matches_name(source_name(tags).lower())

    def _matches_name(self, name: str) -> bool:
        if self.pattern is not None and not wildcard(self.pattern).match(name):
            return False
        return not self.names or any(wildcard(n).match(name) for n in self.names)

    def narrowest(self) -> TagMatcher:
        """The same selection as a ``TagFilter`` on the tag ``source`` when it cannot match ``unassigned`` and has
        one kind of term (its postings then narrow the read to those sources), else this filter."""
        if self._matches_name(UNASSIGNED) or (self.pattern is not None and self.names):
            return self
        if self.pattern is not None:
            return TagFilter.from_pairs([("source", self.pattern)])
        if self.names:
            return TagFilter.from_pairs([("source", n) for n in self.names])
        return self


@dataclass(frozen=True)
class SourcesQuery:
    """Legacy GET /v1/metrics/:name with a time interval: one metric's measurements listed by source.

    ``count`` with ``start``: the first ``count`` points after start (until ``end`` when given); ``count`` without
    ``start``: the last ``count`` before ``end``; no count: every point in [start, end], paged by ``next_time``.
    """

    name: str
    start: int | None
    end: int | None
    resolution: int
    count: int | None = None
    sources: SourceFilter = field(default_factory=SourceFilter)
    summarize_sources: bool = False  # adds the source ``all``: every source combined per time
    breakout_sources: bool = True  # False: ``all`` alone


@dataclass(frozen=True)
class SourcesResult:
    metric: Metric
    resolution: int
    measurements: dict[str, list[dict[str, Any]]]  # source -> points (time, value, count; min, max, sum)
    next_time: int | None = None  # more points follow: the start_time of the next page
