"""AppOptics ``POST /v1/measurements`` wire model and its rules (seed: Measurements, Measurement Restrictions).

Rules, each reported per measurement so that the rest of a batch is still accepted:
1. ``name``: 1-255 characters of ``A-Za-z0-9.:-_``.
2. tags: names ``/\\A[-.:_\\w]{1,64}\\z/``, values ``/\\A[-.:_?\\\\\\/\\w ]{1,255}\\z/``, at most 50, at least one.
   Per-measurement tags replace the top-level tags; they are matched lower-cased, kept as written.
3. ``value`` xor (``count`` and ``sum``); ``value: null`` is allowed beside summary fields; ``min``,
   ``max``, ``last``, ``stddev`` only with ``count``.
4. ``time`` and ``period`` per measurement or top-level (per measurement wins); no ``time`` = now.
5. Any number with |x| > 1e126 aborts the whole request; 0 < |x| < 1e-130 becomes 0.0.

The body is validated from bytes in one pass (pydantic-core, TypedDicts); only a failing batch is
validated again item by item to say which measurements failed and why.
"""

import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Required

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict

from polymetric.errors import InvalidInputError, ItemError

MAX_TAGS = 50
HUGE = 1e126
TINY = 1e-130
SUMMARY_FIELDS = ("count", "sum", "min", "max", "last", "stddev")
METRIC_PROPERTIES = ("period", "attributes", "display_name", "description")

MetricName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.:\-_]+$", min_length=1, max_length=255)]
# "+" plus max_length, not {1,255}: bounded repetition over Unicode \w blows pydantic-core's regex size limit.
TagName = Annotated[str, StringConstraints(pattern=r"^[-.:_\w]+$", min_length=1, max_length=64)]
TagValue = Annotated[str, StringConstraints(pattern=r"^[-.:_?\\/\w ]+$", min_length=1, max_length=255)]
Tags = Annotated[dict[TagName, TagValue | int], Field(max_length=MAX_TAGS)]
Number = float | None


class MeasurementIn(TypedDict, total=False):
    name: Required[MetricName]
    value: Number
    count: Number
    sum: Number
    min: Number
    max: Number
    last: Number
    stddev: Number
    time: Annotated[float, Field(ge=0)]
    period: Annotated[int, Field(gt=0)] | None
    tags: Tags
    attributes: dict[str, Any] | None
    display_name: str | None
    description: str | None


class _EnvelopeFields(TypedDict, total=False):
    tags: Tags
    time: Annotated[float, Field(ge=0)]
    period: Annotated[int, Field(gt=0)] | None


class MeasurementsPostIn(_EnvelopeFields, total=False):
    measurements: Required[Annotated[list[MeasurementIn], Field(min_length=1)]]


class _LooseEnvelope(_EnvelopeFields, total=False):
    measurements: Required[Annotated[list[Any], Field(min_length=1)]]


_POST = TypeAdapter(MeasurementsPostIn)
_LOOSE = TypeAdapter(_LooseEnvelope)
_ONE = TypeAdapter(MeasurementIn)


@dataclass(frozen=True)
class Measurement:
    """One accepted measurement, normalised: tags as written, integer time, plain value or summary."""

    name: str
    tags: dict[str, str]
    time: int
    value: float | None
    summary: tuple[float, float, float, float, float, float | None] | None  # count, sum, min, max, last, stddev
    properties: dict[str, Any] = field(default_factory=dict)
    index: int = 0  # position in the request, for error reports


@dataclass
class ParsedPost:
    total: int
    accepted: list[Measurement]
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


def _check_number(name: str, x: float | None) -> float | None:
    if x is None:
        return None
    if not math.isfinite(x) or abs(x) > HUGE:
        raise InvalidInputError.param(name, f"{name} {x!r} is out of range: exponents above 10^126 are not allowed")
    return 0.0 if abs(x) < TINY else x


def _normalise(m: MeasurementIn, top: _EnvelopeFields, now: int, index: int) -> Measurement:
    fields: dict[str, Any] = dict(m)
    numbers = {k: _check_number(k, fields.get(k)) for k in ("value", *SUMMARY_FIELDS)}
    tags_in = m["tags"] if "tags" in m else top.get("tags", {})
    if not tags_in:
        raise _Rejected("tags", "Must have at least one tag")
    tags = {k: str(v) for k, v in tags_in.items()}
    for v in tags.values():
        if not v.strip(" ") or len(v) > 255:
            raise _Rejected("tags", f"tag value {v!r} must be 1 to 255 characters")
    t = m.get("time", top.get("time"))
    at = int(t) if t is not None else now
    value, count, total = numbers["value"], numbers["count"], numbers["sum"]
    extras = [k for k in ("min", "max", "last", "stddev") if numbers[k] is not None]
    if count is not None or total is not None:
        if value is not None:
            raise _Rejected("value", "value cannot be combined with count and sum")
        if count is None or total is None:
            raise _Rejected("count" if count is None else "sum", "count and sum must be given together")
        if count <= 0:
            raise _Rejected("count", "count must be greater than 0")
        summary = (count, total, _nan(numbers["min"]), _nan(numbers["max"]), _nan(numbers["last"]), numbers["stddev"])
        measurement_value = None
    else:
        if value is None:
            raise _Rejected("value", "value (or count and sum) is required")
        if extras:
            raise _Rejected(extras[0], f"{extras[0]} requires count and sum")
        summary = None
        measurement_value = value
    props: dict[str, Any] = {k: fields[k] for k in METRIC_PROPERTIES if fields.get(k) is not None}
    if "period" not in props and top.get("period") is not None:
        props["period"] = top["period"]
    return Measurement(m["name"], tags, at, measurement_value, summary, props, index)


def _nan(x: float | None) -> float:
    return math.nan if x is None else x


def parse(body: bytes | str, *, now: int) -> ParsedPost:
    """Validate a POST body. Raises InvalidInputError when the body as a whole is unusable."""
    try:
        doc = _POST.validate_json(body)
        items: list[tuple[int, MeasurementIn | ItemError]] = list(enumerate(doc["measurements"]))
        top: _EnvelopeFields = doc
    except ValidationError:
        top, items = _parse_item_by_item(body)
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
            param, reason = _reason(exc.errors()[0])
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
