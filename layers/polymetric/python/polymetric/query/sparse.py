"""Inject values into the buckets of a read that got no samples (CloudWisdom ``sparseDataStrategy``).

Rules:
1. Only buckets that have ended (start + resolution <= now) and lie in [since, end] are filled, since
   being the metric's first sample: a metric is not sparse before it existed.
2. ReplaceWithZero injects 0, ReplaceWithHistoricalMax/Min the lifetime maximum/minimum, ReplaceWithLast
   the last value before the bucket (within the read, else the lifetime last when it is older).
3. More than ``MAX_FILL`` buckets per series is not filled (a fine resolution over a long range).
"""

from __future__ import annotations

from polymetric.lazy import np
from polymetric.models.samples import FloatArray, IntArray, from_values
from polymetric.models.sparse import HISTORICAL_MAX, HISTORICAL_MIN, LAST, ZERO, SparseSetting
from polymetric.query.resample import Buckets

MAX_FILL = 10_000


def fill(
    b: Buckets,
    values: FloatArray,
    series_count: int,
    setting: SparseSetting,
    *,
    start: int,
    end: int,
    resolution: int,
    now: int,
) -> tuple[Buckets, FloatArray]:
    if setting.strategy not in (ZERO, HISTORICAL_MAX, HISTORICAL_MIN, LAST) or setting.since is None:
        return b, values
    first = max(start, setting.since)
    first -= first % resolution
    last = min(end, now - resolution)
    last -= last % resolution
    if last < first or (last - first) // resolution + 1 > MAX_FILL:
        return b, values
    grid = np.arange(first, last + 1, resolution, dtype=np.int64)
    add_series: list[IntArray] = []
    add_times: list[IntArray] = []
    add_values: list[FloatArray] = []
    for i in range(series_count):
        mine = b.series == i
        times, vals = b.times[mine], values[mine]
        missing = grid[~np.isin(grid, times)]
        if len(missing) == 0:
            continue
        injected = _values(setting, missing, times, vals)
        keep = ~np.isnan(injected)
        add_series.append(np.full(int(keep.sum()), i, dtype=np.int64))
        add_times.append(missing[keep])
        add_values.append(injected[keep])
    if not add_times:
        return b, values
    new_values = np.concatenate(add_values)
    series = np.concatenate([b.series, *add_series])
    times = np.concatenate([b.times, *add_times])
    order = np.lexsort((times, series))
    stats = np.concatenate([b.stats, from_values(new_values)])
    return Buckets(series[order], times[order], stats[order]), np.concatenate([values, new_values])[order]


def _values(setting: SparseSetting, missing: IntArray, times: IntArray, vals: FloatArray) -> FloatArray:
    if setting.strategy == ZERO:
        return np.zeros(len(missing))
    if setting.strategy in (HISTORICAL_MAX, HISTORICAL_MIN):
        fixed = setting.high if setting.strategy == HISTORICAL_MAX else setting.low
        return np.full(len(missing), np.nan if fixed is None else fixed)
    # ReplaceWithLast: the latest bucket before each gap, else the lifetime last when it is older.
    before = np.searchsorted(times, missing) - 1
    out = np.where(before >= 0, vals[np.maximum(before, 0)] if len(vals) else np.nan, np.nan)
    if setting.last is not None and setting.last_time is not None:
        out = np.where((before < 0) & (setting.last_time < missing), setting.last, out)
    return np.asarray(out, dtype=np.float64)
