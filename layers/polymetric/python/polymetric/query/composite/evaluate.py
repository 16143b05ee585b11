"""Evaluate a checked composite expression on an aligned time grid, reading series through a ``Reader``.

1. The grid is every ``resolution`` seconds from the start (floored to the resolution) to the end; every
   series of every set is a row of NaN-padded values on it, so functions are matrix operations.
2. Each series() call reads once (``Reader.load``) per matching metric; group_by()/map() re-use that read and
   filter rows in memory; timeshift() reads again with the window moved by its offset, rounded to the grid.
3. ``period`` of s() downsamples to that period (rounded up to a multiple of the resolution); rate() and
   fill() use the series' period: the s() period, else the metric's period, else the resolution.
4. Tags of a folded series are the tags all its inputs share; its metric is theirs when they share one.
5. A composite metric cannot be read by series(): nesting composites is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from polymetric.errors import InvalidInputError
from polymetric.lazy import np
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.samples import FloatArray, IntArray
from polymetric.models.series import Series
from polymetric.models.tags import TagFilter, TagMatcher, wildcard
from polymetric.query import limits, resample
from polymetric.query.composite import ops
from polymetric.query.composite.ast import Call, MapLit, Node, SetLit
from polymetric.query.composite.functions import AGGREGATORS, canonical, options, parse_shifts, text_of

if TYPE_CHECKING:
    import numpy.typing as npt


class Reader(Protocol):
    """Storage as the evaluator sees it (the domain implements it over the read seam)."""

    def select(self, metric: str, tags: TagMatcher) -> list[tuple[Metric, list[Series]]]:
        """Metrics matching the name or ``*`` pattern, each with its series whose tags match."""
        ...

    def load(self, metric: Metric, series: list[Series], start: int, end: int, step: int) -> resample.Buckets:
        """Buckets of ``step`` seconds in [start, end] for ``series`` (Buckets.series indexes it)."""
        ...


@dataclass(frozen=True)
class Grid:
    start: int  # floored to the resolution
    end: int
    resolution: int

    @classmethod
    def of(cls, start: int, end: int, resolution: int) -> Grid:
        return cls(start - start % resolution, end, resolution)

    @property
    def size(self) -> int:
        return max(0, (self.end - self.start) // self.resolution + 1)

    @property
    def times(self) -> IntArray:
        return self.start + np.arange(self.size, dtype=np.int64) * self.resolution


@dataclass(frozen=True)
class Meta:
    tags: dict[str, str]
    metric: Metric | None
    period: int


@dataclass(frozen=True)
class SeriesSet:
    values: FloatArray  # (series, grid times)
    metas: tuple[Meta, ...]

    @classmethod
    def empty(cls, n: int) -> SeriesSet:
        return cls(np.empty((0, n)), ())

    def __len__(self) -> int:
        return len(self.metas)

    def rows(self, keep: list[int]) -> SeriesSet:
        return SeriesSet(self.values[keep], tuple(self.metas[i] for i in keep))

    def with_values(self, values: FloatArray) -> SeriesSet:
        return SeriesSet(values, self.metas)


class _Exact:
    """The tag ``name`` is present with exactly ``value`` (case-insensitive): one group of group_by()/map()."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.pairs = pairs

    def matches(self, tags: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v.lower() for k, v in tags.items()}
        return all(lowered.get(k) == v for k, v in self.pairs)


@dataclass
class _Context:
    grid: Grid
    reader: Reader
    dynamic: TagMatcher | None
    param: str
    shift: int = 0
    scope: tuple[_Exact, ...] = ()
    selected: dict[Call, list[tuple[Metric, list[Series]]]] = field(default_factory=dict)
    loaded: dict[tuple[Call, int], tuple[SeriesSet, list[dict[str, str]]]] = field(default_factory=dict)
    rows_read: int = 0


def evaluate(
    node: Node, grid: Grid, reader: Reader, *, dynamic: TagMatcher | None = None, param: str = "compose"
) -> SeriesSet:
    """The set of series ``node`` (already ``check``-ed) denotes on ``grid``.

    ``dynamic`` narrows every series() call: the tags_search of a persisted composite's query, and what
    the ``"%"`` dynamic tag of series() stands for.
    """
    # The grid alone (its times, an empty result's row) grows with the window: one matching no series still
    # may not span more buckets than a query may hold (a 1 s resolution since 1970 is 1.8 billion).
    limits.check_points(param, 1, grid.size)
    return _eval(node, _Context(grid, reader, dynamic, param))


def _eval(node: Node, ctx: _Context) -> SeriesSet:
    if isinstance(node, SetLit):
        parts = [_eval(item, ctx) for item in node.items]
        if not parts:
            return SeriesSet.empty(ctx.grid.size)
        return SeriesSet(np.vstack([p.values for p in parts]), tuple(m for p in parts for m in p.metas))
    assert isinstance(node, Call)
    name = canonical(node.name)
    if name == "series":
        return _series(node, ctx)
    if name == "timeshift":
        return _timeshift(node, ctx)
    if name in ("group_by", "map"):
        return _enumerate(node, name, ctx)
    inner = _eval(node.args[0], ctx)
    opts = options(node, ctx.param)
    return _apply(name, inner, opts, ctx)


def _apply(name: str, s: SeriesSet, opts: dict[str, Any], ctx: _Context) -> SeriesSet:
    if name in AGGREGATORS:
        return _folded(s, ops.aggregate(s.values, name)) if len(s) else s
    if name in ("divide", "subtract"):
        if len(s) != 2:
            return SeriesSet.empty(ctx.grid.size)
        return _folded(s, ops.pairwise(s.values[0], s.values[1], name))
    if name == "abs":
        return s.with_values(np.abs(s.values))
    if name == "scale":
        return s.with_values(s.values * float(opts["factor"]))
    if name == "derive":
        return s.with_values(ops.derive(s.values, bool(opts.get("detect_reset", False))))
    if name == "integrate":
        return s.with_values(ops.integrate(s.values))
    if name == "rate":
        per = np.array([m.period for m in s.metas], dtype=np.float64).reshape(-1, 1)
        return s.with_values(s.values / per * float(opts.get("duration", 1.0)))
    if name in ("window", "moving_average"):
        size = int(opts.get("size", 1))
        return s.with_values(ops.window(s.values, size, str(opts.get("function", "mean"))))
    if name in ("fill", "zero_fill", "last_fill"):
        value: float | str = 0.0 if name == "zero_fill" else "last" if name == "last_fill" else opts["value"]
        periods = np.array([_grid_period(m.period, ctx.grid.resolution) for m in s.metas], dtype=np.int64)
        return s.with_values(ops.fill(s.values, ctx.grid.times - ctx.shift, periods, value))
    if name in ("top", "bottom"):
        scores = ops.rank(s.values, str(opts.get("function", "mean")))
        # One order for both, so that top(n) and bottom(rest) partition a set even when scores tie.
        ranked = [int(i) for i in np.argsort(scores, kind="stable") if scores[i] == scores[i]]
        ranked = ranked[::-1] if name == "top" else ranked
        return s.rows([int(i) for i in ranked[: int(opts.get("count", 10))]])
    if name == "filter":
        return s.rows(_filtered(s, opts))
    raise ValueError(f"no evaluation for {name}")


def _filtered(s: SeriesSet, opts: Mapping[str, Any]) -> list[int]:
    scores = ops.rank(s.values, str(opts.get("function", "mean")))
    keep: npt.NDArray[np.bool_] = ~np.isnan(scores)
    for key, test in (("gt", np.greater), ("gte", np.greater_equal), ("lt", np.less), ("lte", np.less_equal)):
        if key in opts:
            keep &= test(np.nan_to_num(scores), float(opts[key]))
    return [int(i) for i in np.flatnonzero(keep)]


def _grid_period(period: int, resolution: int) -> int:
    return max(1, -(-period // resolution)) * resolution


def _common_tags(metas: tuple[Meta, ...]) -> dict[str, str]:
    first = metas[0].tags
    shared = set.intersection(*({(k.lower(), v.lower()) for k, v in m.tags.items()} for m in metas))
    return {k: v for k, v in first.items() if (k.lower(), v.lower()) in shared}


def _folded(s: SeriesSet, values: FloatArray) -> SeriesSet:
    names = {m.metric.key if m.metric else None for m in s.metas}
    metric = s.metas[0].metric if len(names) == 1 else None
    meta = Meta(_common_tags(s.metas), metric, max(m.period for m in s.metas))
    return SeriesSet(values.reshape(1, -1), (meta,))


def _tag_filter(call: Call) -> TagFilter | None:
    """The tags argument of series(): a map of patterns, or "*"/"%" (every series, or the dynamic tags)."""
    if len(call.args) < 2 or not isinstance(call.args[1], MapLit):
        return None
    return TagFilter.from_pairs((k, text_of(v)) for k, v in call.args[1].entries)


class _AllOf:
    def __init__(self, matchers: list[TagMatcher]) -> None:
        self.matchers = matchers

    def matches(self, tags: Mapping[str, str]) -> bool:
        return all(m.matches(tags) for m in self.matchers)


def _select(call: Call, ctx: _Context) -> list[tuple[Metric, list[Series]]]:
    if call not in ctx.selected:
        matchers: list[TagMatcher] = [m for m in (_tag_filter(call), ctx.dynamic) if m is not None]
        name = text_of(call.args[0])
        found = ctx.reader.select(name, _AllOf(matchers))
        nested = [m.name for m, _ in found if m.type == COMPOSITE]
        if nested:
            raise InvalidInputError.param(
                ctx.param, f"series() cannot read composite metric {nested[0]}: composite metrics cannot be nested"
            )
        limits.check_series(ctx.param, sum(len(s) for _, s in found), f"series({name!r})")
        ctx.selected[call] = found
    return ctx.selected[call]


def _series(call: Call, ctx: _Context) -> SeriesSet:
    key = (call, ctx.shift)
    if key not in ctx.loaded:
        ctx.loaded[key] = _load(call, ctx)
    full, tags = ctx.loaded[key]
    if not ctx.scope:
        return full
    return full.rows([i for i, t in enumerate(tags) if all(e.matches(t) for e in ctx.scope)])


def _load(call: Call, ctx: _Context) -> tuple[SeriesSet, list[dict[str, str]]]:
    opts = options(call, ctx.param)
    function = str(opts.get("function", "mean"))
    grid = ctx.grid
    step = _grid_period(int(opts["period"]), grid.resolution) if "period" in opts else grid.resolution
    chunks: list[FloatArray] = []
    metas: list[Meta] = []
    tags: list[dict[str, str]] = []
    for metric, series in _select(call, ctx):
        ctx.rows_read += len(series)
        limits.check_points(ctx.param, ctx.rows_read, grid.size)
        if not series:
            continue
        buckets = ctx.reader.load(metric, series, grid.start - ctx.shift, grid.end - ctx.shift, step)
        buckets, values = resample.summarize(buckets, function)
        matrix = np.full((len(series), grid.size), np.nan)
        cols = (buckets.times - (grid.start - ctx.shift)) // grid.resolution
        cells = buckets.series * grid.size + cols
        if len(cols) and (cols.min() < 0 or cols.max() >= grid.size):  # a period bucket begun before the start
            inside = (cols >= 0) & (cols < grid.size)
            cells, values = cells[inside], values[inside]
        matrix.reshape(-1)[cells] = values
        period = max(int(opts.get("period", metric.period or grid.resolution)), grid.resolution)
        chunks.append(matrix)
        metas.extend(Meta(dict(s.tags), metric, period) for s in series)
        tags.extend(s.tags for s in series)
    if not chunks:
        return SeriesSet.empty(grid.size), []
    return SeriesSet(np.vstack(chunks), tuple(metas)), tags


def _timeshift(call: Call, ctx: _Context) -> SeriesSet:
    parts = []
    saved = ctx.shift
    for seconds in parse_shifts(text_of(call.args[0])):
        ctx.shift = saved + round(seconds / ctx.grid.resolution) * ctx.grid.resolution
        try:
            parts.append(_eval(call.args[1], ctx))
        finally:
            ctx.shift = saved
    return SeriesSet(np.vstack([p.values for p in parts]), tuple(m for p in parts for m in p.metas))


def _leaves(node: Node) -> list[Call]:
    if isinstance(node, SetLit):
        return [c for item in node.items for c in _leaves(item)]
    if not isinstance(node, Call):
        return []
    if canonical(node.name) == "series":
        return [node]
    return [c for arg in node.args for c in _leaves(arg)]


def _enumerate(call: Call, name: str, ctx: _Context) -> SeriesSet:
    """group_by(): run the set once per combination of the tags' values; map(): per value matching a pattern."""
    if name == "group_by":
        wanted = [(t.strip().lower(), "*") for t in text_of(call.args[0]).split(",") if t.strip()]
    else:
        assert isinstance(call.args[0], MapLit)
        wanted = [(k.lower(), text_of(v)) for k, v in call.args[0].entries]
    groups: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for leaf in _leaves(call.args[1]):
        for _, series in _select(leaf, ctx):
            for s in series:
                if not all(e.matches(s.tags) for e in ctx.scope):
                    continue
                written = {k.lower(): (k, v) for k, v in s.tags.items()}
                if not all(t in written and wildcard(p).match(written[t][1].lower()) for t, p in wanted):
                    continue
                key = tuple((t, written[t][1].lower()) for t, _ in wanted)
                groups.setdefault(key, dict(written[t] for t, _ in wanted))
    parts = []
    saved = ctx.scope
    for key in sorted(groups):
        ctx.scope = (*saved, _Exact(key))
        try:
            part = _eval(call.args[1], ctx)
        finally:
            ctx.scope = saved
        metas = tuple(Meta({**m.tags, **groups[key]}, m.metric, m.period) for m in part.metas)
        parts.append(SeriesSet(part.values, metas))
    if not parts:
        return SeriesSet.empty(ctx.grid.size)
    return SeriesSet(np.vstack([p.values for p in parts]), tuple(m for p in parts for m in p.metas))
