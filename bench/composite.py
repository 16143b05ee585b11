"""Composite compute: a per-host counter rate summed over 100 series × 1 day @60 s, beside pure Python.

Expression: ``scale(sum(derive(s("requests", "*"), {detect_reset: "true"})), {factor: "1/60"})``. Both sides
start from the series' one-minute buckets, as the read seam hands them over (reading and bucketing are the
plain-query path, measured in the storage and compute sections): the engine parses, checks, places the
buckets on the aligned grid and evaluates; the baseline walks the same buckets in Python.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from polymetric.models.metric import Metric
from polymetric.models.samples import SampleFrame, from_values
from polymetric.models.series import Series, series_id
from polymetric.query import resample
from polymetric.query.composite import evaluate, functions, parser

EXPRESSION = 'scale(sum(derive(s("requests", "*"), {detect_reset: "true"})), {factor: "1/60"})'
SERIES, MINUTES = 100, 1440
START = 1_795_000_000 // 86400 * 86400


def dataset() -> SampleFrame:
    """Counters growing by 0..20 a minute, each resetting to 0 about once a day; 5 % of minutes missing."""
    rnd = np.random.default_rng(4)
    steps = rnd.integers(0, 20, size=(SERIES, MINUTES)).astype(np.float64)
    resets = rnd.uniform(size=(SERIES, MINUTES)) < 1 / MINUTES
    counters = np.zeros((SERIES, MINUTES))
    for i in range(SERIES):  # dataset building only: cumulative sums restarting at each reset
        run = 0.0
        for j in range(MINUTES):
            run = 0.0 if resets[i, j] else run + steps[i, j]
            counters[i, j] = run
    keep = rnd.uniform(size=SERIES * MINUTES) >= 0.05
    rows_series = np.repeat(np.arange(SERIES, dtype=np.int64), MINUTES)
    rows_t = np.tile(np.arange(MINUTES, dtype=np.int64) * 60, SERIES) + START
    return SampleFrame(rows_series[keep], rows_t[keep], from_values(counters.reshape(-1)[keep]))


class _FrameReader:
    def __init__(self, buckets: resample.Buckets) -> None:
        self.buckets = buckets
        self.metric = Metric(name="requests")
        self.series = [
            Series(series_id("bench", "requests", {"host": f"h{i:03d}"}), {"host": f"h{i:03d}"}) for i in range(SERIES)
        ]

    def select(self, metric: str, tags: Any) -> list[tuple[Metric, list[Series]]]:
        if metric != self.metric.name:
            return []
        return [(self.metric, [s for s in self.series if tags.matches(s.tags)])]

    def load(self, metric: Metric, series: list[Series], start: int, end: int, step: int) -> resample.Buckets:
        assert metric is self.metric and len(series) == SERIES and step == 60  # the bench reads every series
        assert start <= int(self.buckets.times.min()) and int(self.buckets.times.max()) <= end
        return self.buckets


def engine(reader: "_FrameReader") -> tuple[Any, Any]:
    node = parser.parse(EXPRESSION)
    functions.check(node)
    grid = evaluate.Grid.of(START, START + (MINUTES - 1) * 60, 60)
    result = evaluate.evaluate(node, grid, reader)
    return grid.times, result.values[0]


def python_buckets(b: resample.Buckets) -> dict[int, list[tuple[int, float, float]]]:
    """Each series' (time, count, sum) buckets, in time order."""
    out: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for s, t, c, total in zip(
        b.series.tolist(), b.times.tolist(), b.stats[:, 0].tolist(), b.stats[:, 1].tolist(), strict=True
    ):
        out[s].append((t, c, total))
    return out


def pure_python(per_series: dict[int, list[tuple[int, float, float]]]) -> dict[int, float]:
    total: dict[int, float] = defaultdict(float)
    for buckets in per_series.values():
        previous = None
        for t, count, bucket_sum in buckets:
            value = bucket_sum / count
            if previous is not None:
                change = value - previous
                total[t] += value if change < 0 else change
            previous = value
    return {t: v / 60 for t, v in total.items()}


def run(median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    buckets = resample.downsample(dataset(), 60)
    rows = python_buckets(buckets)
    reader = _FrameReader(buckets)
    times, values = engine(reader)
    reference = pure_python(rows)
    present = ~np.isnan(values)
    assert sorted(reference) == times[present].tolist()
    assert np.allclose(values[present], [reference[int(t)] for t in times[present]])
    ours = median_seconds(lambda: engine(reader), 30) * 1000
    base = median_seconds(lambda: pure_python(rows), 5) * 1000
    return (
        {"composite_100x1d_ms": round(ours, 3), "composite_100x1d_python_ms": round(base, 3)},
        [
            (
                "composite sum(derive(...)), 100 series × 1 d (ms)",
                f"{ours:.2f}",
                f"{base:.2f} pure Python ({base / ours:.0f}×)",
            )
        ],
    )
