"""Space and chart bodies of the AppOptics API (seed: Spaces, Charts), and their responses.

What the Librato-family clients send is accepted as they send it (real-clients.md): ``tags: false`` on a
space, streams with legacy ``source: "*"`` and their own ``type``/``id`` echoed back, chart PUTs whose
streams lost ``tags`` and ``color`` (the stream ``id`` keeps them), bignumber charts without thresholds.
Every composite is parsed and type-checked when saved: a bad one is a 400 naming the stream and position.
"""

import dataclasses
import re
from typing import Any

from polymetric.dialects.appoptics import fields
from polymetric.errors import InvalidInputError
from polymetric.models.dashboard import (
    CHART_TYPES,
    DOWNSAMPLE_FUNCTIONS,
    GROUP_FUNCTIONS,
    SUMMARY_FUNCTIONS,
    THRESHOLD_OPERATORS,
    THRESHOLD_TYPES,
    Chart,
    ChartInput,
    ChartType,
    Space,
    SpacePage,
    Stream,
    StreamInput,
    TagSelector,
    Threshold,
)

METRIC_RE = re.compile(r"^[A-Za-z0-9.:\-_]{1,255}$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Seed: digits, whitespace, parentheses, x, p and + - * / (a linear formula); "." for decimals.
TRANSFORM_RE = re.compile(r"^[\d\sxp()+\-*/.]+$")
MAX_STREAMS = 100
MAX_FORMULA = 100
MAX_TAGS = 20


def space_name(doc: dict[str, Any], *, required: bool) -> str | None:
    """``required`` on create; on a rename an omitted name keeps the current one, an empty or null one is a 400."""
    return fields.text(doc, "name", required=True) if required else fields.rename(doc, "name")


def space_tags(doc: dict[str, Any]) -> bool:
    return bool(fields.boolean(doc, "tags"))


def numeric_id(raw: str, what: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInputError.param("id", f"must be a {what} id (a whole number)")
    return int(raw)


def _choice(doc: dict[str, Any], name: str, allowed: tuple[str, ...], param: str) -> str | None:
    value = fields.text(doc, name, param=param)
    if value is None:
        return None
    if value not in allowed:
        raise InvalidInputError.param(param, f"must be one of {', '.join(allowed)}")
    return value


def tag_selectors(raw: Any, param: str) -> list[TagSelector]:
    found = fields.items({"tags": raw}, "tags", param=param) or []
    if len(found) > MAX_TAGS:
        raise InvalidInputError.param(param, f"at most {MAX_TAGS} tags per stream")
    out = []
    for i, tag in enumerate(found):
        where = f"{param}[{i}]"
        if not isinstance(tag, dict):
            raise InvalidInputError.param(where, 'must be an object such as {"name": "region", "values": ["us-*"]}')
        name = fields.text(tag, "name", required=True, param=f"{where}.name") or ""
        values = fields.items(tag, "values", param=f"{where}.values") or []
        if not all(isinstance(v, str) and v and len(v) <= 255 for v in values):
            raise InvalidInputError.param(f"{where}.values", "must be a list of non-empty tag value patterns")
        grouped = fields.boolean(tag, "grouped", param=f"{where}.grouped")
        dynamic = fields.boolean(tag, "dynamic", param=f"{where}.dynamic")
        if not values and not dynamic and not grouped:
            raise InvalidInputError.param(f"{where}.values", "is required unless the tag is dynamic or grouped")
        out.append(TagSelector(name=name, values=values, grouped=grouped, dynamic=dynamic))
    return out


def composite(text: str, param: str) -> str:
    # The composite parser loads with the first stream that has one: chart reads and snapshots never need it.
    from polymetric.query.composite import functions, parser

    functions.check(parser.parse(text, param=param), param)
    return text


def stream(doc: Any, param: str) -> StreamInput:
    """One stream's fields, each checked; which ones it carried is kept for the merge by ``id``."""
    if not isinstance(doc, dict):
        raise InvalidInputError.param(param, "must be an object with a metric or a composite")
    values = {**_what(doc, param), **_display(doc, param), **_numbers(doc, param)}
    if "composite" in values and ("metric" in values or values.get("tags") or doc.get("group_function")):
        raise InvalidInputError.param(param, "a composite stream may not also give a metric, tags or group_function")
    stream_id = fields.whole(doc, "id", minimum=1, param=f"{param}.id")
    return StreamInput(id=stream_id, given=frozenset(values), values=values)


def _what(doc: dict[str, Any], param: str) -> dict[str, object]:
    """metric, composite, tags: what the stream reads."""
    values: dict[str, object] = {}
    if doc.get("metric") not in (None, ""):
        metric = fields.text(doc, "metric", param=f"{param}.metric") or ""
        if not METRIC_RE.fullmatch(metric):
            raise InvalidInputError.param(f"{param}.metric", "metric names are 1 to 255 characters of A-Za-z0-9.:-_")
        values["metric"] = metric
    if doc.get("composite") not in (None, ""):
        text = fields.text(doc, "composite", limit=4096, param=f"{param}.composite") or ""
        values["composite"] = composite(text, f"{param}.composite")
    if doc.get("tags") is not None:
        values["tags"] = tag_selectors(doc["tags"], f"{param}.tags")
    return values


_CHOICES = {
    "group_function": GROUP_FUNCTIONS,
    "summary_function": SUMMARY_FUNCTIONS,
    "downsample_function": DOWNSAMPLE_FUNCTIONS,
}


def _display(doc: dict[str, Any], param: str) -> dict[str, object]:
    """Names, functions, colour, units and transform: how the stream is drawn."""
    values: dict[str, object] = {}
    for key in ("source", "name", "units_short", "units_long"):
        if key in doc:
            values[key] = fields.text(doc, key, param=f"{param}.{key}")
    for key, allowed in _CHOICES.items():
        if key in doc:
            values[key] = _choice(doc, key, allowed, f"{param}.{key}")
    if doc.get("color") is not None:
        color = fields.text(doc, "color", param=f"{param}.color")
        if color is not None and not COLOR_RE.fullmatch(color):
            raise InvalidInputError.param(f"{param}.color", "must be a seven character hex color code such as #52D74C")
        values["color"] = color
    if "transform_function" in doc:
        transform = fields.text(doc, "transform_function", param=f"{param}.transform_function")
        if transform is not None and not _linear_formula(transform):
            raise InvalidInputError.param(
                f"{param}.transform_function",
                "must be a formula of x (and p) with digits, parentheses and + - * / only, such as x/1000",
            )
        values["transform_function"] = transform
    return values


def _linear_formula(text: str) -> bool:
    if not TRANSFORM_RE.fullmatch(text) or "**" in text or len(text) > MAX_FORMULA:
        return False
    try:
        compile(text, "<transform_function>", "eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _numbers(doc: dict[str, Any], param: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in ("min", "max"):
        if key in doc:
            values[key] = fields.number(doc, key, param=f"{param}.{key}")
    if "period" in doc:
        values["period"] = fields.whole(doc, "period", minimum=1, param=f"{param}.period")
    if "position" in doc:
        values["position"] = fields.whole(doc, "position", minimum=0, param=f"{param}.position")
    for key in ("split_axis", "gap_detection"):
        if key in doc:
            values[key] = fields.boolean(doc, key, param=f"{param}.{key}")
    return values


def chart_type(doc: dict[str, Any], name: str, param: str = "") -> ChartType | None:
    value = fields.text(doc, name, param=param or name)
    if value is None:
        return None
    for known in CHART_TYPES:
        if value == known:
            return known
    raise InvalidInputError.param(param or name, f"must be one of {', '.join(CHART_TYPES)}")


def _thresholds(doc: dict[str, Any]) -> list[Threshold] | None:
    found = fields.items(doc, "thresholds")
    if found is None:
        return None
    out = []
    for i, raw in enumerate(found):
        where = f"thresholds[{i}]"
        if not isinstance(raw, dict):
            raise InvalidInputError.param(
                where, 'must be an object such as {"operator": ">", "value": 90, "type": "red"}'
            )
        operator = _choice(raw, "operator", THRESHOLD_OPERATORS, f"{where}.operator")
        value = fields.number(raw, "value", param=f"{where}.value")
        kind = _choice(raw, "type", THRESHOLD_TYPES, f"{where}.type")
        if operator is None or value is None or kind is None:
            raise InvalidInputError.param(where, "needs operator (>, <, =), value and type (red, yellow)")
        out.append(Threshold(operator=operator, value=float(value), type=kind))
    return out


def chart(doc: dict[str, Any], *, creating: bool) -> ChartInput:
    given = {
        k
        for k in (
            "name",
            "type",
            "streams",
            "min",
            "max",
            "label",
            "related_space",
            "use_log_yaxis",
            "use_last_value",
            "thresholds",
        )
        if k in doc
    }
    streams = None
    if "streams" in doc:
        raw = fields.items(doc, "streams") or []
        if len(raw) > MAX_STREAMS:
            raise InvalidInputError.param("streams", f"at most {MAX_STREAMS} streams per chart")
        streams = [stream(s, f"streams[{i}]") for i, s in enumerate(raw)]
    return ChartInput(
        given=frozenset(given),
        name=fields.text(doc, "name", required=True) if creating else fields.rename(doc, "name"),
        type=chart_type(doc, "type"),
        streams=streams,
        min=fields.number(doc, "min"),
        max=fields.number(doc, "max"),
        label=fields.text(doc, "label"),
        related_space=fields.whole(doc, "related_space", minimum=1),
        use_log_yaxis=fields.boolean(doc, "use_log_yaxis"),
        use_last_value=fields.boolean(doc, "use_last_value"),
        thresholds=_thresholds(doc),
    )


def stream_body(s: Stream) -> dict[str, Any]:
    body: dict[str, Any] = {"id": s.id}
    if s.composite is not None:
        body["composite"] = s.composite
    else:
        body["metric"] = s.metric
    body["type"] = s.type
    if s.composite is None:
        body["tags"] = [_tag_body(t) for t in s.tags]
    extra = {
        k: v
        for k, v in dataclasses.asdict(s).items()
        if v is not None and k not in ("id", "metric", "composite", "tags")
    }
    if extra.get("source") == "*":
        del extra["source"]
    body.update(extra)
    return body


def _tag_body(t: TagSelector) -> dict[str, Any]:
    body = {k: v for k, v in dataclasses.asdict(t).items() if v is not None}
    if not t.values:  # a dynamic or grouped tag without value patterns
        del body["values"]
    return body


def chart_body(c: Chart) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "type": c.type,
        "streams": [stream_body(s) for s in c.streams],
        "thresholds": [dataclasses.asdict(t) for t in c.thresholds] if c.thresholds is not None else None,
    }
    for key in ("min", "max", "label", "related_space", "use_log_yaxis", "use_last_value"):
        value = getattr(c, key)
        if value is not None:
            body[key] = value
    return body


def space_body(s: Space, *, with_charts: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": s.id, "name": s.name}
    if with_charts:
        body["charts"] = [{"id": cid} for cid in s.chart_ids]
        body["tags"] = s.tags
    return body


def space_page(page: SpacePage) -> dict[str, Any]:
    return {
        "query": {"found": page.found, "length": page.length, "offset": page.offset, "total": page.total},
        "spaces": [space_body(s, with_charts=False) for s in page.spaces],
    }
