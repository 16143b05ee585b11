"""A chart's streams read through the query engine over a window, laid on one time grid: a ``Plot``.

1. A metric stream reads its tag selectors (a snapshot's tags replace the selectors of the same name);
   ``grouped`` tags give a line per value, ``breakout`` a line per series, any other group_function one
   line (average by default, as AppOptics draws it). A snapshot's ``sources`` other than ``*`` replace each
   stream's legacy ``source`` (a tag named source).
2. A composite stream is evaluated as ``compose=`` is.
3. An unknown metric draws nothing (charts may name metrics before they report).
4. ``transform_function`` (digits, x, p, + - * / and parentheses, checked when the chart was saved) maps
   every value; x is the value, p the resolution in seconds.
"""

import math
import re
from collections.abc import Callable

from polymetric.domain import composites, query
from polymetric.errors import NotFoundError
from polymetric.models.dashboard import Chart, ChartType, Stream, TagSelector
from polymetric.models.query import ComposeQuery, MeasurementsQuery
from polymetric.models.snapshot import Plot, PlotSeries
from polymetric.models.tags import TagFilter

# Resolutions a snapshot reads at: the finest that keeps a window at or under MAX_POINTS buckets.
RESOLUTIONS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
MAX_POINTS = 360
MAX_FORMULA = 100
_FUNCTIONS = {"average": "mean", "sum": "sum", "min": "min", "max": "max", "count": "count", "derivative": "derivative"}
_TRANSFORM = re.compile(r"^[\d\sxp()+\-*/.]+$")


def resolution_for(duration: int) -> int:
    return next((r for r in RESOLUTIONS if duration / r <= MAX_POINTS), RESOLUTIONS[-1])


def selectors(stream: Stream, overrides: list[TagSelector]) -> list[TagSelector]:
    names = {t.name.lower() for t in overrides}
    return [t for t in stream.tags if t.name.lower() not in names] + list(overrides)


def _metric_series(
    tenant: str, stream: Stream, tags: list[TagSelector], sources: list[str], start: int, end: int, step: int
) -> list[tuple[dict[str, str], list[dict[str, float]]]]:
    pairs = [(t.name, v) for t in tags for v in t.values]
    # The legacy Librato source is a tag named source: the snapshot's patterns (any of them), else the stream's.
    chosen = [p for p in sources if p != "*"] or [stream.source or "*"]
    pairs += [("source", p) for p in chosen if p != "*"]
    grouped = tuple(t.name for t in tags if t.grouped)
    function = stream.group_function or "average"
    group_by: tuple[str, ...] = grouped or (() if function == "breakout" else ("*",))
    q = MeasurementsQuery(
        name=stream.metric or "",
        start=start,
        end=end,
        resolution=step,
        tags=TagFilter.from_pairs(pairs),
        group_by=group_by,
        group_by_function=_FUNCTIONS.get(function, "mean") if group_by else None,
        summary_function=_FUNCTIONS.get(stream.summary_function or "average", "mean"),
    )
    try:
        result = query.measurements(tenant, q)
    except NotFoundError:
        return []
    return [(s.tags, s.points) for s in result.series]


def _tags_of(series_tags: dict[str, str], filters: list[TagSelector]) -> dict[str, str]:
    """A series' own tags; for a line folding several series, the filters that narrowed it."""
    if series_tags:
        return dict(series_tags)
    return {t.name: "|".join(t.values) for t in filters if t.values and t.values != ["*"]}


Transform = Callable[[float], float | None] | None


def _transform(formula: str | None, step: int) -> Transform:
    # "**" is refused: 9**9**9 would make one evaluation run for hours (the seed's operators are + - * /).
    if not formula or not _TRANSFORM.fullmatch(formula) or "**" in formula or len(formula) > MAX_FORMULA:
        return None
    try:
        code = compile(formula, "<transform_function>", "eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None

    def apply(x: float) -> float | None:
        try:
            value = float(eval(code, {"__builtins__": {}}, {"x": x, "p": step}))  # checked: digits, x, p, operators
        except (ArithmeticError, SyntaxError, TypeError, ValueError):
            return None
        return value if math.isfinite(value) else None

    return apply


def plot(
    tenant: str,
    chart: Chart,
    *,
    start: int,
    end: int,
    overrides: list[TagSelector],
    chart_type: ChartType | None,
    sources: list[str] | None = None,
) -> Plot:
    """The chart's data over [start, end] (one stream for a bignumber chart)."""
    step = resolution_for(end - start)
    first = start - start % step
    times = list(range(first, end + 1, step))
    index = {t: i for i, t in enumerate(times)}
    kind = chart_type or chart.type
    streams = chart.streams[:1] if kind == "bignumber" else chart.streams
    out: list[PlotSeries] = []
    for stream in streams:
        tags = selectors(stream, overrides)
        if stream.composite is not None:
            found = [
                (s.tags, s.points) for s in composites.compose(tenant, ComposeQuery(stream.composite, start, end, step))
            ]
        else:
            found = _metric_series(tenant, stream, tags, sources or [], start, end, step)
        transform = _transform(stream.transform_function, step)
        for series_tags, points in found:
            values: list[float | None] = [None] * len(times)
            for p in points:
                i = index.get(int(p["time"]))
                if i is not None:
                    values[i] = transform(float(p["value"])) if transform else float(p["value"])
            out.append(
                PlotSeries(
                    name=stream.name or stream.metric or "composite",
                    tags=_tags_of(series_tags, tags),
                    values=values,
                    color=stream.color if len(found) == 1 else None,
                    units=stream.units_short,
                )
            )
    first_stream = streams[0] if streams else None
    return Plot(
        title=chart.name,
        type=kind,
        start=start,
        end=end,
        times=times,
        series=out,
        y_label=(first_stream.units_long if first_stream else None) or chart.label,
        units_short=first_stream.units_short if first_stream else None,
        y_min=chart.min,
        y_max=chart.max,
        log_y=chart.use_log_yaxis is True,
        thresholds=chart.thresholds or [],
        use_last_value=chart.use_last_value is not False,
    )
