"""Judging alert conditions on the samples of a tick: pure functions from samples to violations.

The seed's rules, as implemented here (``now`` is the tick's time, ``since`` when tracking of the
alert's conditions started: its creation, the last change of its conditions, or its reactivation):

1. ``above`` / ``below`` without ``duration``: a stream is beyond when its latest sample in the
   look-back window (5 minutes, or the metric's period and two ticks if longer) is beyond the
   threshold, or, while the alert is not triggered, any sample of the last tick period is (a single
   spike fires). A triggered alert clears on its latest samples.
   Samples older than ``since`` are not judged.
2. With ``duration`` D: every sample in (now - D, now] is beyond, there is at least one, the first
   comes within one reporting period of the window's start, and the alert existed for the whole
   window (tracking starts after a create or update).
3. ``absent`` D: a stream seen at least once (registered) has no sample in (now - D, now], and the
   alert existed for D seconds.
4. ``summary_function`` picks the statistic of each (possibly aggregated) sample: average (the value
   of a plain sample), min, max, sum, count, or derivative (difference to the previous sample; with
   ``detect_reset`` a decrease counts as a reset and gives 0).
5. ``anomalous`` (our extension): a stream is beyond when the mean of its samples in the look-back
   window lies more than ``sensitivity`` deviations from its seasonal baseline (``query.anomaly``,
   fitted on its hourly history); a stream without enough history never is.
6. ``grouped`` tags fold the matching streams into one: samples are bucketed by minute and combined
   (average: mean of the streams, sum and count: sum, min: min, max: max, derivative: sum).
7. A point stands for ``span`` seconds from its time: a raw sample for 1, a minute bucket (a grouped
   fold, a composite's value) for 60. It is judged when its span reaches ``since``: tracking starts at
   the alert's creation, so the minute it was created in counts (for a grouped fold, with only the
   samples at or after ``since``; a composite's minute is computed whole).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from polymetric.lazy import np
from polymetric.models.alert import ABOVE, ABSENT, ANOMALOUS, BELOW, Condition, Violation
from polymetric.models.samples import COUNT, MAX, MIN, SUM, FloatArray, IntArray
from polymetric.query import anomaly

if TYPE_CHECKING:
    import numpy.typing as npt

TICK_SECONDS = 60  # the evaluator's schedule: samples newer than this are "new" at a tick
LOOKBACK_SECONDS = 300  # how far back the latest sample of a stream without duration is looked for
GROUP_BUCKET_SECONDS = 60


@dataclass(frozen=True)
class StreamSamples:
    """One stream's samples in the read window, sorted by time: six-column stats (``models.samples``)."""

    label: str
    tags: dict[str, str]
    times: IntArray
    stats: FloatArray
    span: int = 1  # seconds each point stands for from its time: 60 for a composite's minute values (rule 7)


def _tracked(times: IntArray, span: int, since: int) -> npt.NDArray[np.bool_]:
    """Points whose span reaches ``since`` (rule 7). Not ``times >= since``: a minute bucket is labelled with
    the minute's start, so the minute the alert was created in would never be judged."""
    tracked: npt.NDArray[np.bool_] = times + span > since
    return tracked


def label(tags: dict[str, str]) -> str:
    """A stream's name in notifications: its tag set as text, ``host=web-1,region=us-east``."""
    return ",".join(f"{k}={v}" for k, v in sorted(tags.items(), key=lambda kv: kv[0].lower())) or "*"


def filter_label(condition: Condition) -> str:
    """A grouped condition's name in notifications: its tag filter as text, ``host=web-*|api-*,region=us-east``."""
    tags = sorted(condition.tags, key=lambda t: t.name.lower())
    return ",".join(f"{t.name}={'|'.join(t.values) or '*'}" for t in tags) or "*"


def lookback(period: int) -> int:
    """How far back the latest sample of a stream is looked for (rule 1): a stream that reports every
    ``period`` seconds, a tick or two late, always has one, so it does not clear between two reports."""
    return max(LOOKBACK_SECONDS, period + 2 * TICK_SECONDS)


def window(condition: Condition, period: int = 60) -> int:
    """Seconds of samples a condition needs before the tick (a derivative needs the sample before too)."""
    return max(condition.duration or 0, lookback(period)) + TICK_SECONDS


def statistic(stats: FloatArray, function: str | None, detect_reset: bool = False) -> FloatArray:
    """One value per sample; for ``derivative`` the first sample has none (NaN)."""
    count = stats[:, COUNT]
    mean = np.divide(stats[:, SUM], count, out=np.full(len(count), np.nan), where=count > 0)
    if function == "sum":
        return stats[:, SUM].copy()
    if function == "count":
        return count.copy()
    if function == "min":
        return np.where(np.isnan(stats[:, MIN]), mean, stats[:, MIN])
    if function == "max":
        return np.where(np.isnan(stats[:, MAX]), mean, stats[:, MAX])
    if function == "derivative":
        out = np.full(len(mean), np.nan)
        if len(mean) > 1:
            delta = np.diff(mean)
            out[1:] = np.where(delta < 0, 0.0, delta) if detect_reset else delta
        return out
    result: FloatArray = mean
    return result


def _fold(keys: IntArray, values: FloatArray, function: str | None) -> tuple[IntArray, FloatArray]:
    """One value per distinct key: min, max, sum (sum, count, derivative) or mean (average)."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    out: FloatArray
    if function == "min":
        out = np.full(len(uniq), np.inf)
        np.minimum.at(out, inverse, values)
    elif function == "max":
        out = np.full(len(uniq), -np.inf)
        np.maximum.at(out, inverse, values)
    else:
        out = np.bincount(inverse, weights=values, minlength=len(uniq)).astype(np.float64)
        if function in (None, "average"):
            out = out / np.bincount(inverse, minlength=len(uniq)).astype(np.float64)
    return uniq.astype(np.int64), out


def group(
    streams: Sequence[StreamSamples], function: str | None, detect_reset: bool, since: int = 0
) -> list[tuple[IntArray, FloatArray]]:
    """The streams folded into one series of per-minute values (rule 6): each stream's minute first, then
    the streams of a minute together. Samples from before ``since`` are left out (rule 7)."""
    times_parts, value_parts = [], []
    for s in streams:
        v = statistic(s.stats, function, detect_reset)
        keep = ~np.isnan(v) & _tracked(s.times, s.span, since)
        minute, value = _fold(s.times[keep] - s.times[keep] % GROUP_BUCKET_SECONDS, v[keep], function)
        times_parts.append(minute)
        value_parts.append(value)
    if not sum(len(t) for t in times_parts):
        return []
    return [_fold(np.concatenate(times_parts), np.concatenate(value_parts), function)]


def _beyond(condition: Condition, values: FloatArray) -> npt.NDArray[np.bool_]:
    threshold = float(condition.threshold if condition.threshold is not None else np.nan)
    return values > threshold if condition.type == ABOVE else values < threshold


def judge(
    condition: Condition,
    streams: Sequence[StreamSamples],
    *,
    now: int,
    since: int,
    period: int = 60,
    fresh_after: int | None = None,
    models: Mapping[str, anomaly.Model | None] | None = None,
) -> list[Violation]:
    """The streams beyond ``condition`` at ``now`` (one Violation each); empty when it does not hold.

    ``fresh_after``: samples after this time are new at this tick (a spike among them fires); default
    one tick period. A triggered alert passes ``now`` (it clears on its latest samples), a cleared one
    the time it cleared (the spike it already judged does not fire again).
    ``models``: the anomaly model of each stream (by label), for ``anomalous`` conditions.
    """
    if condition.type == ABSENT:
        return _absent(condition, streams, now, since)
    if condition.type == ANOMALOUS:
        return _anomalous(condition, streams, now, since, models or {})
    if condition.type not in (ABOVE, BELOW):
        return []
    if condition.grouped:
        folded = group(streams, condition.summary_function, condition.detect_reset, since)
        span = max([GROUP_BUCKET_SECONDS, *(s.span for s in streams)])
        series = [(filter_label(condition), t, v, span) for t, v in folded]
    else:
        series = [
            (s.label, s.times, statistic(s.stats, condition.summary_function, condition.detect_reset), s.span)
            for s in streams
        ]
    out = []
    for name, times, values, span in series:
        fresh = now - TICK_SECONDS if fresh_after is None else fresh_after
        violation = _threshold(condition, name, times, values, now, since, period, fresh, span)
        if violation is not None:
            out.append(violation)
    return out


def _threshold(
    condition: Condition,
    name: str,
    times: IntArray,
    values: FloatArray,
    now: int,
    since: int,
    period: int,
    fresh_after: int,
    span: int = 1,
) -> Violation | None:
    judged = _tracked(times, span, since) & (times <= now) & ~np.isnan(values)
    if condition.duration:
        begin = now - condition.duration
        if since > begin:
            return None
        judged &= times > begin
        if not judged.any():
            return None
        t, v = times[judged], values[judged]
        if int(t[0]) > begin + max(period, TICK_SECONDS) or not _beyond(condition, v).all():
            return None
        return Violation(condition.id, condition.metric_name, name, float(v[-1]), int(t[-1]), len(v), begin, now)
    begin = now - lookback(period)
    judged &= times > begin
    if not judged.any():
        return None
    t, v = times[judged], values[judged]
    beyond = _beyond(condition, v)
    fresh = beyond & (t > fresh_after)
    if beyond[-1]:
        at = len(v) - 1
    elif fresh.any():
        at = int(np.flatnonzero(fresh)[-1])
    else:
        return None
    return Violation(condition.id, condition.metric_name, name, float(v[at]), int(t[at]), len(v), begin, now)


def _anomalous(
    condition: Condition,
    streams: Sequence[StreamSamples],
    now: int,
    since: int,
    models: Mapping[str, anomaly.Model | None],
) -> list[Violation]:
    begin = now - LOOKBACK_SECONDS
    sensitivity = condition.sensitivity or 3.0
    out = []
    for s in streams:
        values = statistic(s.stats, condition.summary_function, condition.detect_reset)
        judged = (s.times > max(begin, since - 1)) & (s.times <= now) & ~np.isnan(values)
        if not judged.any():
            continue
        value = float(values[judged].mean())
        if anomaly.is_anomalous(models.get(s.label), now, value, sensitivity):
            out.append(
                Violation(
                    condition.id,
                    condition.metric_name,
                    s.label,
                    value,
                    int(s.times[judged][-1]),
                    int(judged.sum()),
                    begin,
                    now,
                )
            )
    return out


def _absent(condition: Condition, streams: Sequence[StreamSamples], now: int, since: int) -> list[Violation]:
    duration = condition.duration or 0
    begin = now - duration
    if since > begin:
        return []
    out = []
    for s in streams:
        recent = s.times[(s.times > begin) & (s.times <= now)]
        if len(recent) == 0:
            seen = s.times[s.times <= begin]
            last = int(seen[-1]) if len(seen) else begin
            out.append(Violation(condition.id, condition.metric_name, s.label, None, last, 0, begin, now))
    return out
