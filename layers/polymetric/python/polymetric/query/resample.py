"""Downsampling, summary functions and grouping, vectorised across series with numpy.

Input rows are six-column summaries (``models.samples``) in write order. Steps:
1. Sort by (series, time), stably, and keep the last write of each (series, time).
2. Bucket times to the resolution and merge each (series, bucket): counts, sums and sums of squares
   add up, min/max fold, ``last`` is the latest sample's.
3. A summary function turns each merged bucket into one value.
4. ``group_by`` folds the series of a group bucket by bucket with the group function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from polymetric.lazy import np
from polymetric.models.samples import COUNT, LAST, MAX, MIN, SUM, SUMSQ, FloatArray, IntArray, SampleFrame, take_rows

SUMMARY_FUNCTIONS = ("mean", "sum", "min", "max", "count", "derivative", "stddev", "all")
GROUP_FUNCTIONS = ("sum", "min", "max", "mean")


@dataclass(frozen=True)
class Buckets:
    """One row per (series, bucket), sorted by series then time."""

    series: IntArray
    times: IntArray
    stats: FloatArray  # count, sum, min, max, last, sumsq

    def __len__(self) -> int:
        return len(self.times)


def deduplicate(frame: SampleFrame, aggregate_period: int | None = None) -> SampleFrame:
    """Rows sorted by (series, time); overwritten samples dropped.

    Without service-side aggregation a later write of the same (series, time) replaces the earlier.
    With it (``aggregate_period`` seconds), every write counts once: only repeats of the same
    write (same source, e.g. a slab read again after compaction) are dropped, and times are
    floored to the period so that the writes of a period merge into one sample.
    """
    if len(frame) == 0:
        return frame
    t0 = int(frame.times.min())
    span = int(frame.times.max()) - t0 + 1
    key = frame.series * span + (frame.times - t0)
    if aggregate_period:
        sources = frame.source_ids()
        order = np.lexsort((np.arange(len(key)), sources, key))
        key, sources = key[order], sources[order]
        keep = np.ones(len(key), dtype=bool)
        keep[:-1] = (key[1:] != key[:-1]) | (sources[1:] != sources[:-1])
    elif np.all(key[1:] > key[:-1]):
        return frame  # already in (series, time) order without repeats, as blocks are read: nothing to move
    else:
        # One int64 key per row: a stable radix sort keeps write order among equal keys.
        order = np.argsort(key, kind="stable")
        key = key[order]
        keep = np.ones(len(key), dtype=bool)
        keep[:-1] = key[1:] != key[:-1]
    rows = order[keep]  # gather each column once, after dropping overwritten samples
    times = frame.times[rows]
    if aggregate_period:
        times = times // aggregate_period * aggregate_period
    kept = frame.sources[rows] if frame.sources is not None else None
    return SampleFrame(frame.series[rows], times, take_rows(frame.values, rows), kept)


def downsample(
    frame: SampleFrame, resolution: int, aggregate_period: int | None = None, *, deduplicated: bool = False
) -> Buckets:
    """Merge samples into buckets of ``resolution`` seconds aligned on the epoch.

    ``deduplicated``: the rows already went through ``deduplicate`` (or are rollup rows, which
    never overlap each other) and are sorted by (series, time).
    """
    if len(frame) == 0:
        return Buckets(np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 6)))
    unique = frame if deduplicated else deduplicate(frame, aggregate_period)
    sidx, times, values = unique.series, unique.times, unique.values
    buckets = times // resolution * resolution
    change = np.ones(len(times), dtype=bool)
    change[1:] = (sidx[1:] != sidx[:-1]) | (buckets[1:] != buckets[:-1])
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(times)) - 1
    stats = np.empty((len(starts), 6))
    stats[:, COUNT] = np.add.reduceat(values[:, COUNT], starts)
    stats[:, SUM] = np.add.reduceat(values[:, SUM], starts)
    stats[:, SUMSQ] = np.add.reduceat(values[:, SUMSQ], starts)
    stats[:, MIN] = np.fmin.reduceat(values[:, MIN], starts)
    stats[:, MAX] = np.fmax.reduceat(values[:, MAX], starts)
    last = values[ends, LAST]
    last_mean = values[ends, SUM] / values[ends, COUNT]
    stats[:, LAST] = np.where(np.isnan(last), last_mean, last)
    return Buckets(sidx[starts], buckets[starts], stats)


def summarize(b: Buckets, function: str) -> tuple[Buckets, FloatArray]:
    """One value per bucket. ``derivative`` drops each series' first bucket (it has no predecessor)."""
    s = b.stats
    mean = s[:, SUM] / s[:, COUNT]
    if function == "mean":
        return b, mean
    if function == "sum":
        return b, s[:, SUM].copy()
    if function == "count":
        return b, s[:, COUNT].copy()
    if function == "min":
        return b, np.where(np.isnan(s[:, MIN]), mean, s[:, MIN])
    if function == "max":
        return b, np.where(np.isnan(s[:, MAX]), mean, s[:, MAX])
    if function == "stddev":
        return b, stddev(s)
    if function == "derivative":
        same = np.zeros(len(b), dtype=bool)
        same[1:] = b.series[1:] == b.series[:-1]
        diffs = np.empty(len(b))
        diffs[1:] = s[1:, LAST] - s[:-1, LAST]
        keep = same
        return Buckets(b.series[keep], b.times[keep], s[keep]), diffs[keep]
    raise ValueError(f"unknown summary function {function}")


def stddev(s: FloatArray) -> FloatArray:
    mean = s[:, SUM] / s[:, COUNT]
    variance = np.maximum(s[:, SUMSQ] / s[:, COUNT] - mean * mean, 0.0)
    return np.asarray(np.sqrt(variance))


def group(
    b: Buckets, values: FloatArray, group_of_series: IntArray, function: str
) -> tuple[IntArray, IntArray, FloatArray]:
    """Fold series into groups bucket by bucket. ``group_of_series[i]`` is series i's group or -1 (left out)."""
    g = group_of_series[b.series]
    keep = g >= 0
    g, times, values = g[keep], b.times[keep], values[keep]
    if len(g) == 0:
        return g, times, values
    t0 = int(times.min())
    order = np.argsort(g * (int(times.max()) - t0 + 1) + (times - t0), kind="stable")
    g, times, values = g[order], times[order], values[order]
    change = np.ones(len(g), dtype=bool)
    change[1:] = (g[1:] != g[:-1]) | (times[1:] != times[:-1])
    starts = np.flatnonzero(change)
    if function == "sum":
        out = np.add.reduceat(values, starts)
    elif function == "min":
        out = np.fmin.reduceat(values, starts)
    elif function == "max":
        out = np.fmax.reduceat(values, starts)
    elif function == "mean":
        out = np.add.reduceat(values, starts) / np.diff(np.append(starts, len(values)))
    else:
        raise ValueError(f"unknown group function {function}")
    return g[starts], times[starts], out


def split(ids: IntArray, count: int) -> Sequence[slice]:
    """Slices of a sorted id array, one per id in 0..count-1 (empty slices for absent ids)."""
    bounds = np.searchsorted(ids, np.arange(count + 1))
    return [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(count)]
