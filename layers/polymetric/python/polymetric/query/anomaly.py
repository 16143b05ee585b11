"""Anomaly model of a stream (our ``anomalous`` condition): a seasonal baseline plus a robust band.

1. History is the stream's hourly values (rollup means) before the tick; with fewer than
   ``MIN_HISTORY_HOURS`` of them the model does not exist and the condition never fires.
2. Baseline: the median of the history's values in the same hour of the week (168 slots); a slot
   without history falls back to the median of the same hour of the day, then of everything.
3. Band: the noise is measured week over week (an hour minus the same hour a week before, whose
   spread is sqrt(2) noise deviations) as 1.4826 x the median absolute deviation, robust to the
   anomalies in the history; a value's deviation from a median of n weeks adds the median's own
   error, sqrt(1 + pi / 2n). Floored so that a flat stream still has a band.
4. A value is anomalous when it lies more than ``sensitivity`` deviations from its slot's baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from polymetric.lazy import np

if TYPE_CHECKING:
    from polymetric.models.samples import FloatArray, IntArray

HOUR = 3600
WEEK_HOURS = 168
MIN_HISTORY_HOURS = 168
MAD_TO_SIGMA = 1.4826
EPOCH_MONDAY = 4 * 24  # 1970-01-01 was a Thursday: hour-of-week 0 is Monday 00:00 UTC


def hour_of_week(times: IntArray) -> IntArray:
    hours: IntArray = (times // HOUR + EPOCH_MONDAY) % WEEK_HOURS
    return hours


@dataclass(frozen=True)
class Model:
    weekly: FloatArray  # baseline per hour of week (NaN: no history in that slot)
    counts: IntArray  # history values per hour of week
    daily: FloatArray  # baseline per hour of day
    overall: float
    deviation: float  # of the noise

    def baseline(self, t: int) -> float:
        slot = int(hour_of_week(np.array([t], dtype=np.int64))[0])
        for value in (self.weekly[slot], self.daily[slot % 24]):
            if not np.isnan(value):
                return float(value)
        return self.overall

    def score(self, t: int, value: float) -> float:
        """How many deviations ``value`` lies from its baseline (signed)."""
        slot = int(hour_of_week(np.array([t], dtype=np.int64))[0])
        n = max(int(self.counts[slot]), 1)
        return (value - self.baseline(t)) / (self.deviation * float(np.sqrt(1 + np.pi / (2 * n))))


def _slot_medians(slots: IntArray, values: FloatArray, size: int) -> FloatArray:
    out = np.full(size, np.nan)
    order = np.argsort(slots, kind="stable")
    sorted_slots, sorted_values = slots[order], values[order]
    bounds = np.flatnonzero(np.diff(sorted_slots)) + 1
    for group_slots, group_values in zip(np.split(sorted_slots, bounds), np.split(sorted_values, bounds), strict=True):
        if len(group_slots):
            out[int(group_slots[0])] = float(np.median(group_values))
    return out


def fit(times: IntArray, values: FloatArray) -> Model | None:
    """The model of a history of hourly values; None until it holds ``MIN_HISTORY_HOURS`` of them."""
    keep = ~np.isnan(values)
    times, values = times[keep], values[keep]
    if len(values) < MIN_HISTORY_HOURS:
        return None
    week = hour_of_week(times)
    weekly = _slot_medians(week, values, WEEK_HOURS)
    daily = _slot_medians(week % 24, values, 24)
    overall = float(np.median(values))
    counts = np.bincount(week, minlength=WEEK_HOURS).astype(np.int64)
    by_time = dict(zip(times.tolist(), values.tolist(), strict=True))
    weekly_diffs = np.array(
        [v - by_time[t - WEEK_HOURS * HOUR] for t, v in by_time.items() if t - WEEK_HOURS * HOUR in by_time]
    )
    if len(weekly_diffs) >= 24:
        spread = np.abs(weekly_diffs - np.median(weekly_diffs))
        deviation = MAD_TO_SIGMA * float(np.median(spread)) / float(np.sqrt(2))
    else:  # less than two weeks: the spread around the slot medians (an underestimate, hence the floor)
        residuals = values - weekly[week]
        deviation = MAD_TO_SIGMA * float(np.median(np.abs(residuals - np.median(residuals))))
    floor = max(1e-9, 1e-3 * abs(overall))
    return Model(weekly, counts, daily, overall, max(deviation, floor))


def is_anomalous(model: Model | None, t: int, value: float, sensitivity: float) -> bool:
    return model is not None and abs(model.score(t, value)) > sensitivity
