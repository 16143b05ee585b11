"""CloudWisdom samples -> measurements of the one store (names ``<element id>.<metric id>``).

1. Tags: the element's tags, then the metric's (a metric tag wins), then ``type`` = element type unless
   a tag of that name exists; pairs that break AppOptics tag rules are left out of the series (they
   stay in the element metadata); at most 50.
2. ``val`` alone is a plain value. Any of min/max/avg/sum/cnt makes a summary: count = cnt (1 when
   absent or not positive), sum = sum, else avg x count, else val x count, else the min/max midpoint x
   count (``ElementSample.count_and_total``, which the dialect also checks against 10^126); min/max
   default to the mean; last = val, else the mean. ``cnt`` alone is a plain value.
3. COUNTER metrics store increases: each raw value (val, else sum) minus the previous raw value of the
   same element metric; a decrease is a reset (the raw value is the increase); the first raw value
   ever only sets the baseline; a sample not newer than the baseline is ignored.
"""

from polymetric.models.element import Element, ElementMetric, ElementSample
from polymetric.models.measurement import Measurement
from polymetric.models.sparse import Observation
from polymetric.models.tags import MAX_TAGS, is_tag


def series_tags(element: Element, metric: ElementMetric | None) -> dict[str, str]:
    merged = {**element.tags, **(metric.tags if metric else {})}
    if element.type and not any(k.lower() == "type" for k in merged):
        merged["type"] = element.type
    valid = {k: v for k, v in merged.items() if is_tag(k, v)}
    return dict(list(valid.items())[:MAX_TAGS])


def measurement(name: str, tags: dict[str, str], sample: ElementSample, position: int) -> Measurement:
    time = sample.time_ms // 1000
    if sample.is_plain and (sample.val is not None or sample.cnt is not None):
        value = sample.val if sample.val is not None else sample.cnt
        return Measurement(name, tags, time, value, None, {}, position)
    count, total, _ = sample.count_and_total()
    mean = total / count
    lo = sample.min if sample.min is not None else mean
    hi = sample.max if sample.max is not None else mean
    last = sample.val if sample.val is not None else mean
    return Measurement(name, tags, time, None, (count, total, lo, hi, last, None), {}, position)


def counter_raw(sample: ElementSample) -> float | None:
    return sample.val if sample.val is not None else sample.sum


def counter_increase(
    baseline: tuple[int, float] | None, sample: ElementSample
) -> tuple[ElementSample | None, tuple[int, float] | None]:
    """(the sample carrying the increase or None, the new baseline)."""
    raw = counter_raw(sample)
    if raw is None:
        return sample, baseline
    if baseline is not None and sample.time_ms <= baseline[0]:
        return None, baseline
    new_baseline = (sample.time_ms, raw)
    if baseline is None:
        return None, new_baseline
    increase = raw - baseline[1] if raw >= baseline[1] else raw
    return ElementSample(sample.metric_id, sample.time_ms, val=increase), new_baseline


def observation(m: Measurement) -> Observation:
    if m.summary is None:
        assert m.value is not None
        return Observation(m.time, m.value, m.value, m.value)
    _, _, lo, hi, last, _ = m.summary
    return Observation(m.time, lo, hi, last)
