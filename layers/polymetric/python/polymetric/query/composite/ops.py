"""Vectorised transforms of a set of series held as one matrix: a row per series, a column per grid time.

A missing point is NaN. Nothing here loops over points; window() and the pairwise functions loop over no
series either. Numpy's nan-aware reductions warn on all-NaN slices, so reductions mask explicitly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from polymetric.lazy import np
from polymetric.models.samples import FloatArray

if TYPE_CHECKING:
    import numpy.typing as npt

BoolArray: TypeAlias = "npt.NDArray[np.bool_]"


def aggregate(v: FloatArray, function: str) -> FloatArray:
    """One series from many, time by time, over the series that have a point then (multiply: all of them)."""
    if function == "sum":
        return np.where(np.isnan(v).all(axis=0), np.nan, np.nan_to_num(v, nan=0.0).sum(axis=0))
    present = ~np.isnan(v)
    n = present.sum(axis=0)
    any_point = n > 0
    if function == "mean":
        total = np.where(present, v, 0.0).sum(axis=0)
        return np.where(any_point, total / np.maximum(n, 1), np.nan)
    if function == "min":
        return np.asarray(np.fmin.reduce(v, axis=0), dtype=np.float64)
    if function == "max":
        return np.asarray(np.fmax.reduce(v, axis=0), dtype=np.float64)
    if function == "count":
        return np.where(any_point, n.astype(np.float64), np.nan)
    if function == "multiply":
        return np.where(present.all(axis=0), np.where(present, v, 1.0).prod(axis=0), np.nan)
    raise ValueError(function)


def _previous_present(present: BoolArray) -> npt.NDArray[np.int64]:
    """For each cell, the column of the row's previous present point (strictly before it), or -1."""
    cols = np.where(present, np.arange(present.shape[1]), -1)
    upto = np.maximum.accumulate(cols, axis=1)
    prev = np.full(present.shape, -1, dtype=np.int64)
    prev[:, 1:] = upto[:, :-1]
    return prev


def derive(v: FloatArray, detect_reset: bool) -> FloatArray:
    """Each point minus the series' previous point; the first point has none and is dropped.

    With ``detect_reset`` a decrease is a counter reset: the counter restarted from zero, so the change is
    the point's own value.
    """
    flat = v.reshape(-1)
    present = flat == flat  # not NaN, in one pass
    at = np.flatnonzero(present)  # present cells in row-major order: each row's points in time order
    values = flat[at]
    change = values[1:] - values[:-1]
    if detect_reset:
        np.copyto(change, values[1:], where=change < 0)
    row_starts = np.cumsum(present.reshape(v.shape).sum(axis=1))[:-1]  # where each next row begins in ``at``
    change[row_starts[(row_starts > 0) & (row_starts < len(at))] - 1] = np.nan  # no change across two series
    out = np.full(v.shape, np.nan)
    out.reshape(-1)[at[1:]] = change
    return out


def integrate(v: FloatArray) -> FloatArray:
    """Running sum of each series' points (the spec: the cumulative sum); gaps stay gaps."""
    present = ~np.isnan(v)
    return np.where(present, np.cumsum(np.where(present, v, 0.0), axis=1), np.nan)


def window(v: FloatArray, size: int, function: str) -> FloatArray:
    """The function over each point and the ``size - 1`` points before it (points, not grid times).

    The first ``size - 1`` points of a series have too few predecessors and are dropped (spec of window()).
    """
    if size == 1 or v.size == 0:
        return v.copy()
    present = ~np.isnan(v)
    rank = np.cumsum(present, axis=1) - 1  # position of each point among its series' points
    rows, cols = np.nonzero(present)
    packed = np.full((v.shape[0], v.shape[1] + size), np.nan)
    packed[rows, rank[rows, cols]] = v[rows, cols]  # each row's points, left-aligned
    windows = np.lib.stride_tricks.sliding_window_view(packed, size, axis=1)  # windows[r, k] = points k .. k+size-1
    if function == "mean":
        reduced = windows.mean(axis=2)
    elif function == "sum":
        reduced = windows.sum(axis=2)
    elif function == "min":
        reduced = windows.min(axis=2)
    elif function == "max":
        reduced = windows.max(axis=2)
    elif function == "median":
        reduced = np.median(windows, axis=2)
    else:
        raise ValueError(function)
    out = np.full(v.shape, np.nan)
    full = rank[rows, cols] >= size - 1
    rows, cols = rows[full], cols[full]
    out[rows, cols] = reduced[rows, rank[rows, cols] - (size - 1)]
    return out


def fill(v: FloatArray, times: npt.NDArray[np.int64], periods: npt.NDArray[np.int64], value: float | str) -> FloatArray:
    """Missing points at each series' period steps get ``value``, or with "last" the last point seen before."""
    present = ~np.isnan(v)
    due = (times[None, :] % periods[:, None]) == 0
    missing = due & ~present
    if value != "last":
        return np.where(missing, float(value), v)
    prev = _previous_present(present)
    before = np.take_along_axis(v, np.maximum(prev, 0), axis=1)
    return np.where(missing & (prev >= 0), before, v)


def rank(v: FloatArray, function: str) -> FloatArray:
    """One number per series over all its points (NaN for a series without points)."""
    present = ~np.isnan(v)
    n = present.sum(axis=1)
    if function == "sum":
        out = np.where(present, v, 0.0).sum(axis=1)
    elif function == "mean":
        out = np.where(present, v, 0.0).sum(axis=1) / np.maximum(n, 1)
    elif function == "min":
        out = np.where(present, v, np.inf).min(axis=1, initial=np.inf)
    elif function == "max":
        out = np.where(present, v, -np.inf).max(axis=1, initial=-np.inf)
    else:
        raise ValueError(function)
    return np.where(n > 0, out, np.nan)


def pairwise(a: FloatArray, b: FloatArray, function: str) -> FloatArray:
    """divide / subtract where both series have a point; a zero divisor leaves the point out."""
    both = ~np.isnan(a) & ~np.isnan(b)
    if function == "subtract":
        return np.where(both, a - b, np.nan)
    ok = both & (b != 0)
    return np.where(ok, a / np.where(ok, b, 1.0), np.nan)
