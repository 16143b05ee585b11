"""AppOptics ``POST /v1/measurements`` wire model and its rules (seed: Measurements, Measurement Restrictions).

Rules, each reported per measurement so that the rest of a batch is still accepted:
1. ``name``: 1-255 characters of ``A-Za-z0-9.:-_``.
2. tags: names ``/\\A[-.:_\\w]{1,64}\\z/``, values ``/\\A[-.:_?\\\\\\/\\w ]{1,255}\\z/``, at most 50, at least one.
   Per-measurement tags replace the top-level tags; an empty ``tags: {}`` adds none, so the top-level
   tags apply (statsd's Librato backend sends it on every untagged stat). Matched lower-cased, kept as written.
3. ``value`` xor (``count`` and ``sum``); ``value: null`` is allowed beside summary fields; ``min``,
   ``max``, ``last``, ``stddev`` only with ``count``. ``stddev_m2`` (Librato: the running sum of squared
   deviations from the mean, >= 0) may replace ``stddev``, never join it: population stddev = sqrt(m2 / count).
   statsd-librato-backend sends a sample stddev there instead (``dialects.stddev_m2``).
4. ``time`` and ``period`` per measurement or top-level (per measurement wins); no ``time`` = now.
   A time outside the accepted window (``models.window``: 558 days ago to 1 hour ahead) refuses the measurement.
5. Any number with |x| > 1e126 aborts the whole request; 0 < |x| < 1e-130 becomes 0.0.

The body is validated from bytes in one pass (pydantic-core, TypedDicts); only a failing batch is
validated again item by item to say which measurements failed and why.
"""

import gc
import itertools
import math
import operator
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple, Required, cast

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict

from polymetric.dialects import stddev_m2
from polymetric.errors import InvalidInputError, ItemError
from polymetric.models import window
from polymetric.models.measurement import HUGE, TINY, Measurement, MeasurementBatch, Summary
from polymetric.models.tags import MAX_TAGS, TAG_NAME_CHARS, TAG_NAME_MAX, TAG_VALUE_CHARS, TAG_VALUE_MAX

SUMMARY_FIELDS = ("count", "sum", "min", "max", "last", "stddev", "stddev_m2")
METRIC_PROPERTIES = ("period", "attributes", "display_name", "description")

MetricName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9.:\-_]+$", min_length=1, max_length=255), Field(strict=True)
]
# "+" plus max_length, not {1,255}: bounded repetition over Unicode \w blows pydantic-core's regex size limit.
TagName = Annotated[str, StringConstraints(pattern=rf"^{TAG_NAME_CHARS}+$", min_length=1, max_length=TAG_NAME_MAX)]
TagValue = Annotated[str, StringConstraints(pattern=rf"^{TAG_VALUE_CHARS}+$", min_length=1, max_length=TAG_VALUE_MAX)]
Tags = Annotated[dict[TagName, TagValue], Field(max_length=MAX_TAGS)]
# Range-checked in Rust; a failure here aborts the whole request (rule 5), see _whole_request_error.
Number = Annotated[float, Field(ge=-HUGE, le=HUGE, allow_inf_nan=False)] | None
# Unix seconds; JSON's 1e400 reads as infinity, refused here rather than failing int() later.
Time = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_NUMBER_ERRORS = {"greater_than_equal", "less_than_equal", "finite_number"}
_NUMBER_FIELDS = {"value", "count", "sum", "min", "max", "last", "stddev", "stddev_m2"}
# Integer tag values (``"instance": 3``) are read as strings.
_CONFIG = ConfigDict(coerce_numbers_to_str=True)


class MeasurementIn(TypedDict, total=False):
    __pydantic_config__ = _CONFIG  # type: ignore[misc]
    name: Required[MetricName]
    value: Number
    count: Number
    sum: Number
    min: Number
    max: Number
    last: Number
    stddev: Number
    stddev_m2: Number
    time: Time
    period: Annotated[int, Field(gt=0)] | None
    tags: Tags
    attributes: dict[str, Any] | None
    display_name: str | None
    description: str | None


class _EnvelopeFields(TypedDict, total=False):
    __pydantic_config__ = _CONFIG  # type: ignore[misc]
    tags: Tags
    time: Time
    period: Annotated[int, Field(gt=0)] | None


class MeasurementsPostIn(_EnvelopeFields, total=False):
    measurements: Required[Annotated[list[MeasurementIn], Field(min_length=1)]]


class _LooseEnvelope(_EnvelopeFields, total=False):
    measurements: Required[Annotated[list[Any], Field(min_length=1)]]


_POST = TypeAdapter(MeasurementsPostIn)
_LOOSE = TypeAdapter(_LooseEnvelope)
_ONE = TypeAdapter(MeasurementIn)
_EXTRAS_ORDER = ("min", "max", "last", "stddev", "stddev_m2")
_EXTRAS = frozenset(_EXTRAS_ORDER)
_PROPERTIES = frozenset(METRIC_PROPERTIES)
# The two common shapes parse() finishes inline; a measurement with any other key takes _normalise.
_PLAIN_KEYS = frozenset(("name", "tags", "time", "value"))
_SUMMARY_KEYS = _PLAIN_KEYS | {"count", "sum", "min", "max", "last", "stddev"}
_is_plain_shape = _PLAIN_KEYS.issuperset
_COUNT_SUM_MIN_MAX_LAST = operator.itemgetter("count", "sum", "min", "max", "last")
_NO_STDDEV = (None,)
# Builds the NamedTuple in C: Measurement(...) runs a Python-level __new__, a third of the per-measurement cost.
_new = tuple.__new__


@dataclass
class ParsedPost:
    total: int
    accepted: Sequence[Measurement]
    errors: list[ItemError]


class _Rejected(Exception):
    def __init__(self, param: str, reason: str) -> None:
        self.param, self.reason = param, reason


def _reason(err: ErrorDetails) -> tuple[str, str]:
    loc = [str(p) for p in err["loc"]]
    head = loc[0] if loc else "measurements"
    if head == "name":
        return "name", "metric names must be 1 to 255 characters of A-Za-z0-9.:-_"
    if head == "tags":
        if err["type"] == "too_long":
            return "tags", f"at most {MAX_TAGS} tags per measurement"
        if len(loc) >= 3 and loc[2] == "[key]":
            return "tags", f"tag name {loc[1]!r} must match /\\A[-.:_\\w]{{1,64}}\\z/"
        if len(loc) >= 2:
            return "tags", f"value of tag {loc[1]!r} must match /\\A[-.:_?\\\\\\/\\w ]{{1,255}}\\z/"
        return "tags", "tags must be an object of tag names to values"
    if err["type"] == "missing":
        return head, f"{head} is required"
    return head, f"{head}: {err['msg']}"


def _tiny(x: float) -> float:
    return 0.0 if -TINY < x < TINY else x


class _Defaults(NamedTuple):
    """Top-level fields, read once per request rather than once per measurement.

    ``props`` is shared by the measurements that bring no metric properties of their own; nothing
    downstream mutates a measurement's properties.
    """

    tags: dict[str, str] | None
    time: float | None
    props: dict[str, Any]
    first: int  # the accepted window (models.window), inclusive
    last: int
    m2_is_sample_stddev: bool = False  # the client is statsd-librato-backend (see rule 3)


def _defaults(top: _EnvelopeFields, now: int, user_agent: str | None) -> _Defaults:
    period = top.get("period")
    first, last = window.bounds(now)
    props = {"period": period} if period is not None else {}
    return _Defaults(top.get("tags"), top.get("time"), props, first, last, stddev_m2.sends_sample_stddev(user_agent))


def _normalise(m: MeasurementIn, top: _Defaults, now: int, index: int) -> Measurement:
    """Cross-field rules on a measurement pydantic already validated; kept lean, it runs per measurement."""
    tags = m.get("tags") or top.tags
    if not tags:
        raise _Rejected("tags", "Must have at least one tag")
    t = m.get("time", top.time)
    if t is not None and not top.first <= t <= top.last:
        raise _Rejected("time", f"time {t:.0f} {window.refusal(t, now)}")
    value, count, total = m.get("value"), m.get("count"), m.get("sum")
    summary = None
    if count is None and total is None:
        if value is None:
            raise _Rejected("value", "value (or count and sum) is required")
        if not _EXTRAS.isdisjoint(m):
            extras = [k for k in _EXTRAS_ORDER if m.get(k) is not None]
            if extras:
                raise _Rejected(extras[0], f"{extras[0]} requires count and sum")
        if -TINY < value < TINY:
            value = 0.0
    else:
        if value is not None:
            raise _Rejected("value", "value cannot be combined with count and sum")
        if count is None or total is None:
            raise _Rejected("count" if count is None else "sum", "count and sum must be given together")
        count = _tiny(count)
        if count <= 0:
            raise _Rejected("count", "count must be greater than 0")
        lo, hi, last, sd = m.get("min"), m.get("max"), m.get("last"), m.get("stddev")
        if m.get("stddev_m2") is not None:
            sd = _stddev_from_m2(m, count, sample=top.m2_is_sample_stddev)
        summary = (count, _tiny(total), _nan(lo), _nan(hi), _nan(last), None if sd is None else _tiny(sd))
    props = top.props
    if not _PROPERTIES.isdisjoint(m):
        fields: dict[str, Any] = dict(m)
        props = {**top.props, **{k: fields[k] for k in METRIC_PROPERTIES if fields.get(k) is not None}}
    return Measurement(m["name"], tags, int(t) if t is not None else now, value, summary, props, index)


def _stddev_from_m2(m: MeasurementIn, count: float, *, sample: bool) -> float:
    if m.get("stddev") is not None:
        raise _Rejected("stddev_m2", "only one of stddev and stddev_m2 may be set")
    m2 = m.get("stddev_m2") or 0.0
    if m2 < 0:
        raise _Rejected("stddev_m2", "stddev_m2 must not be negative")
    return stddev_m2.population_stddev(m2, count, sample_stddev=sample)


def _nan(x: float | None) -> float:
    return math.nan if x is None else _tiny(x)


def _common_summaries(rows: list[MeasurementIn]) -> list[Summary] | None:
    """count, sum, min, max, last, stddev of each row, column by column, when every row is a valid summary of
    the common shape (no stddev_m2, no metric properties); None: let _normalise decide, row by row."""
    dicts = cast(list[dict[str, Any]], rows)
    keys = set().union(*dicts)
    if not keys <= _SUMMARY_KEYS:
        return None
    if keys.isdisjoint(("stddev", "value")) and (whole := _whole_summaries(dicts)) is not None:
        return whole
    counts, totals, values = (list(map(dict.get, dicts, itertools.repeat(k))) for k in ("count", "sum", "value"))
    if None in counts or None in totals or min(cast(list[float], counts)) < TINY or values.count(None) != len(values):
        return None
    lo, hi, last = (
        [math.nan if x is None else 0.0 if -TINY < x < TINY else x for x in map(dict.get, dicts, itertools.repeat(k))]
        for k in ("min", "max", "last")
    )
    sd = [
        None if x is None else 0.0 if -TINY < x < TINY else x for x in map(dict.get, dicts, itertools.repeat("stddev"))
    ]
    total = [0.0 if -TINY < x < TINY else x for x in cast(list[float], totals)]
    return list(zip(cast(list[float], counts), total, lo, hi, last, sd, strict=True))


def _whole_summaries(rows: list[dict[str, Any]]) -> list[Summary] | None:
    """The summaries of rows that all give count, sum, min, max and last, every one positive and not tiny (as
    most clients' counts, sums and extremes are: no rule changes them, and count > 0 holds), a tuple per
    row made in C; None: take the column-by-column way."""
    try:
        five = list(map(_COUNT_SUM_MIN_MAX_LAST, rows))
        if min(itertools.chain.from_iterable(five)) < TINY:  # a null (None) raises TypeError
            return None
    except (KeyError, TypeError):
        return None
    return list(map(tuple.__add__, five, itertools.repeat(_NO_STDDEV)))


def parse(body: bytes | str, *, now: int, user_agent: str | None = None) -> ParsedPost:
    """Validate a POST body. Raises InvalidInputError when the body as a whole is unusable.

    pydantic-core checks every field from the bytes in one pass; a batch it refuses is validated again
    item by item, to say which measurements failed and why.
    """
    with _cycle_collector_paused():
        try:
            doc = _POST.validate_json(body)
        except ValidationError:
            top, items = _parse_item_by_item(body)
            return _finish(items, _defaults(top, now, user_agent), now)
        parsed = _finish_valid(doc["measurements"], _defaults(doc, now, user_agent), now)
        # Freed while the collector is paused: the body's dicts never reach a collection.
        del doc
        return parsed


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A 1,000-measurement body makes ~5,000 containers, none in a cycle: the collector passes that their
    allocations trigger find nothing and cost a tenth of the parse."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _finish_valid(items: list[MeasurementIn], top: _Defaults, now: int) -> ParsedPost:
    """The cross-field rules over measurements pydantic-core accepted, the hot path of every POST.

    A batch of the two shapes nearly every client sends (a plain value; count and sum with min, max, last,
    stddev), every one with tags and a time in the window, becomes a ``MeasurementBatch`` through list
    operations that run in C, column by column. Any other batch, invalid ones included, goes measurement
    by measurement (``_finish_rows``), which applies every rule and says what is wrong.
    """
    n = len(items)
    rows = cast(list[dict[str, Any]], items)
    # Own tags and time or the envelope's. An empty own ``tags: {}`` reads as none: _normalise applies the
    # envelope's then (the fast path leaves such a batch to it).
    tags = list(map(dict.get, rows, itertools.repeat("tags"), itertools.repeat(top.tags)))
    # Floats, the default too: float.__trunc__ makes the integer times in half the time int() takes.
    default_time = float(now) if top.time is None else top.time
    times = list(map(dict.get, rows, itertools.repeat("time"), itertools.repeat(default_time)))
    if not n or not all(tags) or min(times) < top.first or max(times) > top.last:
        return _finish_rows(items, top, now)
    # A row without a value must be a summary, and the others plain values: key sets are checked by
    # unions in C, a batch at a time, rather than row by row.
    values = list(map(dict.get, rows, itertools.repeat("value")))
    is_summary = list(map(operator.is_, values, itertools.repeat(None)))
    if not _PLAIN_KEYS.issuperset(set().union(*itertools.compress(rows, map(operator.not_, is_summary)))):
        return _finish_rows(items, top, now)
    summaries: list[Summary | None] = [None] * n
    if any(is_summary):
        at = list(itertools.compress(range(n), is_summary))
        found = _common_summaries(list(itertools.compress(items, is_summary)))
        if found is None:
            return _finish_rows(items, top, now)
        for i, summary in zip(at, found, strict=True):
            summaries[i] = summary
    batch = MeasurementBatch(
        list(map(operator.itemgetter("name"), rows)),
        tags,
        list(map(float.__trunc__, times)),
        [0.0 if v is not None and -TINY < v < TINY else v for v in values],
        summaries,
        [top.props] * n,
        list(range(n)),
    )
    return ParsedPost(total=n, accepted=batch, errors=[])


def _finish_rows(items: list[MeasurementIn], top: _Defaults, now: int) -> ParsedPost:
    """Measurement by measurement: the common shapes inline, any other through ``_normalise``."""
    accepted: list[Measurement] = []
    errors: list[ItemError] = []
    add = accepted.append
    first, last, props = top.first, top.last, top.props
    # Own tags and time or the envelope's, read by C loops rather than a .get per measurement. An empty
    # own ``tags: {}`` reads as no tags here; _normalise applies the envelope's then.
    rows = cast(list[dict[str, Any]], items)
    tags = map(dict.get, rows, itertools.repeat("tags"), itertools.repeat(top.tags))
    times = map(dict.get, rows, itertools.repeat("time"), itertools.repeat(now if top.time is None else top.time))
    for i, m, tag_set, t in zip(itertools.count(), items, tags, times, strict=False):
        if tag_set and first <= t <= last:
            if _is_plain_shape(m) and (v := m.get("value")) is not None:
                add(_new(Measurement, (m["name"], tag_set, int(t), 0.0 if -TINY < v < TINY else v, None, props, i)))
                continue
            if (found := _common_summaries([m])) is not None:
                add(_new(Measurement, (m["name"], tag_set, int(t), None, found[0], props, i)))
                continue
        try:
            add(_normalise(m, top, now, i))
        except _Rejected as r:
            errors.append(ItemError(r.param, r.reason, i))
    return ParsedPost(total=len(items), accepted=accepted, errors=errors)


def _finish(items: list[tuple[int, MeasurementIn | ItemError]], top: _Defaults, now: int) -> ParsedPost:
    """A batch with invalid measurements: their errors in order, every rule on the others."""
    accepted: list[Measurement] = []
    errors: list[ItemError] = []
    for i, m in items:
        if isinstance(m, ItemError):
            errors.append(m)
            continue
        try:
            accepted.append(_normalise(m, top, now, i))
        except _Rejected as r:
            errors.append(ItemError(r.param, r.reason, i))
    return ParsedPost(total=len(items), accepted=accepted, errors=errors)


def _parse_item_by_item(body: bytes | str) -> tuple[_EnvelopeFields, list[tuple[int, MeasurementIn | ItemError]]]:
    try:
        loose = _LOOSE.validate_json(body)
    except ValidationError as exc:
        raise _envelope_error(exc) from None
    items: list[tuple[int, MeasurementIn | ItemError]] = []
    for i, raw in enumerate(loose["measurements"]):
        try:
            items.append((i, _ONE.validate_python(raw)))
        except ValidationError as exc:
            errors = exc.errors()
            for err in errors:
                if err["type"] in _NUMBER_ERRORS and err["loc"] and err["loc"][0] in _NUMBER_FIELDS:
                    name, shown = str(err["loc"][0]), err["input"]
                    if isinstance(shown, float) and not math.isfinite(shown):  # JSON's NaN, Infinity, 1e400
                        reason = "is not a finite number: exponents above 10^126 are not allowed"
                    else:
                        reason = "is out of range: exponents above 10^126 are not allowed"
                    raise InvalidInputError.param(name, f"{name} {shown!r} {reason}") from None
            param, reason = _reason(errors[0])
            items.append((i, ItemError(param, reason, i)))
    return loose, items


def _envelope_error(exc: ValidationError) -> InvalidInputError:
    params: dict[str, list[str]] = {}
    for err in exc.errors():
        if err["type"] in ("json_invalid", "json_type", "model_type", "dict_type") and not err["loc"]:
            return InvalidInputError(request=["The request body must be a JSON object with a measurements array."])
        loc = [str(p) for p in err["loc"]]
        head = loc[0] if loc else "measurements"
        if head == "measurements" and err["type"] in ("missing", "too_short"):
            msg = "must include at least one measurement"
        elif head == "tags":
            msg = _reason(err)[1]
        else:
            msg = err["msg"]
        params.setdefault(head, []).append(msg)
    return InvalidInputError(params=params)
