"""Legacy Librato ``POST /v1/metrics``: ``gauges`` and ``counters``, as librato-metrics sends untagged submits.

Rules; any failure rejects the whole request (nothing is stored), answered in the AppOptics error shape:
1. ``gauges`` / ``counters`` are lists of objects, or objects keyed by metric name (the legacy hash form);
   a form body's ``gauges[0][name]=`` arrives as an object keyed by index and is read the same way.
2. ``name``: 1-255 characters of ``A-Za-z0-9.:-_``; ``source`` (per item, else top-level) becomes the tag
   ``source`` and follows the AppOptics tag-value rule; an item's empty or null ``source`` is no source of
   its own (the top-level one applies); no source at all means an untagged series.
3. A gauge has ``value``, or ``count`` (> 0) and ``sum`` with optional ``min``, ``max``, ``sum_squares``
   (stored as a summary; the population stddev is derived from ``sum_squares``, or from ``stddev_m2``, the
   sum of squared deviations from the mean: sqrt(m2 / count); at most one of the two). A counter has ``value``;
   counters are stored as the raw values sent.
4. ``measure_time`` per item, else top-level, else now; numbers may be numeric strings (form bodies).
5. ``period``, ``attributes``, ``display_name``, ``description`` on an item set up a metric created by it.
"""

import math
import re
from typing import Any

from polymetric.dialects import stddev_m2
from polymetric.dialects.appoptics.measurements import METRIC_PROPERTIES
from polymetric.errors import InvalidInputError
from polymetric.models import window
from polymetric.models.measurement import HUGE, TINY, Measurement

NAME = re.compile(r"[A-Za-z0-9.:\-_]{1,255}")
SOURCE = re.compile(r"[-.:_?\\/\w ]+")
KINDS = ("gauges", "counters")


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


def parse(doc: dict[str, Any], *, now: int, user_agent: str | None = None) -> list[Measurement]:
    """Every gauge and counter as a measurement; InvalidInputError names each offending field."""
    sample_m2 = stddev_m2.sends_sample_stddev(user_agent)
    params: dict[str, list[str]] = {}
    out: list[Measurement] = []
    top_source, top_time = doc.get("source"), doc.get("measure_time")
    for kind in KINDS:
        for label, item in _items(doc.get(kind), kind, params):
            try:
                out.append(_measurement(kind, item, top_source, top_time, now, len(out), sample_m2))
            except _Refused as r:
                params.setdefault(f"{label}.{r.field}", []).append(r.message)
    if not out and not params:
        params["gauges"] = ["must include at least one gauge or counter"]
    if params:
        raise InvalidInputError(params=params)
    return out


def _items(raw: Any, kind: str, params: dict[str, list[str]]) -> list[tuple[str, dict[str, Any]]]:
    if raw is None:
        return []
    if isinstance(raw, list):
        pairs = [(f"{kind}[{i}]", item) for i, item in enumerate(raw)]
    elif isinstance(raw, dict):
        pairs = [(f"{kind}[{key}]", _named(key, item)) for key, item in raw.items()]
    else:
        params.setdefault(kind, []).append("must be a list of objects or an object keyed by metric name")
        return []
    items: list[tuple[str, dict[str, Any]]] = []
    for label, item in pairs:
        if isinstance(item, dict):
            items.append((label, item))
        else:
            params.setdefault(label, []).append("must be an object")
    return items


def _named(key: str, item: Any) -> Any:
    if isinstance(item, dict) and "name" not in item and not key.isdigit():
        return {**item, "name": key}
    return item


def _measurement(
    kind: str, item: dict[str, Any], top_source: Any, top_time: Any, now: int, position: int, sample_m2: bool
) -> Measurement:
    name = item.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise _Refused("name", "metric names must be 1 to 255 characters of A-Za-z0-9.:-_")
    source = item.get("source")
    if source is None or source == "":
        source = top_source
    tags: dict[str, str] = {}
    if source is not None and source != "":
        if isinstance(source, bool) or not isinstance(source, str | int | float):
            raise _Refused("source", "must be a string")
        text = str(source)
        if len(text) > 255 or not SOURCE.fullmatch(text):
            raise _Refused("source", "must be 1 to 255 characters of A-Za-z0-9 .:-_?\\/")
        tags["source"] = text
    when = item.get("measure_time", top_time)
    at = now if when is None or when == "" else int(_number("measure_time", when))
    if not 0 <= at < 10_000_000_000:
        raise _Refused("measure_time", "must be a Unix time in seconds")
    if not window.contains(at, now):
        raise _Refused("measure_time", f"{at} {window.refusal(at, now)}")
    props = {k: item[k] for k in METRIC_PROPERTIES if item.get(k) is not None}
    count, total = item.get("count"), item.get("sum")
    if kind == "counters" or (count is None and total is None):
        if item.get("value") is None:
            raise _Refused("value", "is required" if kind == "counters" else "value (or count and sum) is required")
        return Measurement(name, tags, at, _number("value", item["value"]), None, props, position)
    if count is None or total is None:
        raise _Refused("count" if count is None else "sum", "count and sum must be given together")
    n, s = _number("count", count), _number("sum", total)
    if n <= 0:
        raise _Refused("count", "must be greater than 0")
    lo, hi = (_number(k, item[k]) if item.get(k) is not None else math.nan for k in ("min", "max"))
    return Measurement(name, tags, at, None, (n, s, lo, hi, math.nan, _stddev(item, n, s, sample_m2)), props, position)


def _stddev(item: dict[str, Any], n: float, s: float, sample_m2: bool) -> float | None:
    squares, m2 = item.get("sum_squares"), item.get("stddev_m2")
    if squares is not None and m2 is not None:
        raise _Refused("stddev_m2", "only one of sum_squares and stddev_m2 may be set")
    if m2 is not None:
        deviations = _number("stddev_m2", m2)
        if deviations < 0:
            raise _Refused("stddev_m2", "must not be negative")
        return stddev_m2.population_stddev(deviations, n, sample_stddev=sample_m2)
    if squares is not None:
        mean = s / n
        return math.sqrt(max(0.0, _number("sum_squares", squares) / n - mean * mean))
    return None


def _number(field: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise _Refused(field, "must be a number")
    try:
        x = float(raw) if isinstance(raw, int | float) else float(str(raw))
    except (ValueError, OverflowError):
        raise _Refused(field, "must be a number") from None
    if not math.isfinite(x) or abs(x) > HUGE:
        raise _Refused(field, "must be a finite number of at most 10^126")
    return 0.0 if -TINY < x < TINY else x
