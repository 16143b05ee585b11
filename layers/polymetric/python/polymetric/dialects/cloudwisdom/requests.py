"""CloudWisdom ingest wire format: element arrays, external events, the check path, the options header.

Reading follows the real service (Jackson binding ``List<IngestElement>``), in two passes:
1. Parse: the body must be a JSON array of objects; fields must have bindable types (strings take
   numbers, numbers take numeric strings, ``null`` is absent; timestamps are epoch ms or ISO-8601 with
   an offset). Any failure rejects the request as ``Error Parsing JSON Request`` and quotes the value.
2. Validate: required fields (element ``id`` and ``type``, metric ``id``, sample ``metricId``,
   ``timestamp`` unless INJECT_TIMESTAMP, one non-null value), ids non-empty after sanitising, sample
   times inside the store's retention (558 days, the hourly rollups) up to 1 hour ahead of the server,
   values and the sum a summary derives from them (avg x cnt, ...) at most 10^126 in magnitude, as the
   other dialects take (a finite Double beyond it is valid JSON, so this is a validation error).
   Every failure is listed; the request is rejected as ``Input Validation Failed``.
Ids are sanitised: spaces become ``_`` and characters outside ``[a-zA-Z0-9._-]`` are removed. Unknown
properties are ignored.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from polymetric.errors import InvalidInputError, MalformedInputError
from polymetric.models import window
from polymetric.models.element import (
    BEYOND,
    VALUES,
    Element,
    ElementMetric,
    ElementPost,
    ElementSample,
    ExternalEvent,
)
from polymetric.models.measurement import HUGE
from polymetric.models.sparse import STRATEGIES

SEND_RESPONSE_BODY = "SEND_RESPONSE_BODY"
INJECT_TIMESTAMP = "INJECT_TIMESTAMP"
FUTURE_MS = window.AHEAD * 1000
RETENTION_MS = window.RETENTION * 1000  # the longest the store keeps anything (hourly rollups)
MAX_NAME = 255
MISSING_TIMESTAMP = (
    "Missing required field on Sample, 'timestamp'. "
    "See ingest documentation to see how to send in samples without timestamps."
)
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})")
_INVALID_ID = re.compile(r"[^A-Za-z0-9._-]")
_ELEMENT = "com.metricly.ingest.entity.IngestElement"


@dataclass(frozen=True)
class Options:
    send_response_body: bool = False
    inject_timestamp: bool = False


def options(header: str | None) -> Options:
    """``X-Netuitive-Api-Options``: comma-separated, spaces trimmed, unknown options ignored."""
    found = {part.strip().upper() for part in (header or "").split(",")}
    return Options(SEND_RESPONSE_BODY in found, INJECT_TIMESTAMP in found)


def sanitize(raw: str) -> str:
    return _INVALID_ID.sub("", raw.replace(" ", "_"))


def _unreadable(message: str, path: str) -> MalformedInputError:
    return MalformedInputError(request=[f"Could not read JSON: {message} (through reference chain: {path})"])


def _document(body: bytes) -> list[Any]:
    if not body.strip():
        raise MalformedInputError(request=["Could not read JSON: No content to map due to end-of-input"])
    try:
        doc = json.loads(body, parse_constant=lambda c: c)  # NaN/Infinity stay strings: not numbers to Jackson
    except (ValueError, RecursionError) as exc:
        raise MalformedInputError(request=[f"Could not read JSON: {exc}"]) from None
    if not isinstance(doc, list):
        raise MalformedInputError(
            request=[f"Could not read JSON: Can not deserialize instance of java.util.ArrayList out of {_token(doc)}"]
        )
    return doc


def _token(value: Any) -> str:
    if isinstance(value, dict):
        return "START_OBJECT token"
    if isinstance(value, list):
        return "START_ARRAY token"
    if isinstance(value, str):
        return "VALUE_STRING token"
    if isinstance(value, bool):
        return "VALUE_TRUE token" if value else "VALUE_FALSE token"
    return "VALUE_NUMBER token"


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _unreadable(f"Can not deserialize instance of {path.rsplit('->', 1)[-1]} out of {_token(value)}", path)
    return value


def _array(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _unreadable(f"Can not deserialize instance of java.util.HashSet out of {_token(value)}", path)
    return value


def _text(value: Any, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise _unreadable(f"Can not deserialize instance of java.lang.String out of {_token(value)}", path)


def _number(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = _float(value)
        if math.isfinite(number):
            return number
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except (ValueError, OverflowError):
            number = math.nan
        if math.isfinite(number):
            return number
    shown = value if isinstance(value, str) else json.dumps(value)
    raise _unreadable(
        f"Can not construct instance of java.lang.Double from value '{shown}': not a valid Double value", path
    )


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range
        return math.inf


def timestamp_ms(value: Any, path: str) -> int | None:
    """Epoch ms (number or numeric string) or ISO-8601 with ``Z`` or an offset; None when absent."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(_float(value)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d{1,16}", text):
            return int(text)
        match = _ISO.fullmatch(text)
        if match:
            base, fraction, zone = match.groups()
            zone = "+00:00" if zone == "Z" else zone
            try:
                moment = datetime.fromisoformat(f"{base}{zone}")
            except ValueError:
                moment = None
            if moment is not None:
                millis = int((fraction or "0")[:3].ljust(3, "0"))
                return int(moment.astimezone(UTC).timestamp()) * 1000 + millis
    shown = value if isinstance(value, str) else json.dumps(value)
    raise _unreadable(
        f"Can not construct instance of java.util.Date from String value '{shown}': not a valid representation "
        f"(error: Failed to parse Date value '{shown}')",
        path,
    )


def _pairs(value: Any, path: str) -> dict[str, str]:
    """``[{name, value}]`` -> dict (values coerced to strings; entries without a name are ignored)."""
    out: dict[str, str] = {}
    for i, entry in enumerate(_array(value, path)):
        pair = _object(entry, f"{path}[{i}]->com.metricly.ingest.entity.IngestTag")
        name = _text(pair.get("name"), f'{path}[{i}]["name"]')
        if name:
            out[name] = _text(pair.get("value"), f'{path}[{i}]["value"]') or ""
    return out


def elements(body: bytes, *, now_ms: int, inject_timestamp: bool = False) -> list[ElementPost]:
    """Read and validate an element array (the whole request fails on the first parse error)."""
    doc = _document(body)
    posts = [_element(raw, i, now_ms if inject_timestamp else None) for i, raw in enumerate(doc)]
    problems: list[str] = []
    for post in posts:
        problems.extend(_problems(post, now_ms))
    if problems:
        raise InvalidInputError(request=problems)
    return posts


def _element(raw: Any, i: int, inject_ms: int | None) -> ElementPost:
    path = f"java.util.ArrayList[{i}]->{_ELEMENT}"
    doc = _object(raw, path)
    metrics: dict[str, ElementMetric] = {}
    for j, m in enumerate(_array(doc.get("metrics"), f'{path}["metrics"]')):
        mpath = f'{path}["metrics"]->java.util.HashSet[{j}]->com.metricly.ingest.entity.IngestMetric'
        metric = _object(m, mpath)
        mid = sanitize(_text(metric.get("id"), f'{mpath}["id"]') or "")
        metrics[mid] = ElementMetric(
            id=mid,
            name=_text(metric.get("name"), f'{mpath}["name"]'),
            unit=_text(metric.get("unit"), f'{mpath}["unit"]'),
            type=_text(metric.get("type"), f'{mpath}["type"]'),
            sparse_data_strategy=_strategy(_text(metric.get("sparseDataStrategy"), f'{mpath}["sparseDataStrategy"]')),
            tags=_pairs(metric.get("tags"), f'{mpath}["tags"]'),
        )
    samples = [
        _sample(s, f'{path}["samples"]->java.util.HashSet[{j}]->com.metricly.ingest.entity.IngestSample', inject_ms)
        for j, s in enumerate(_array(doc.get("samples"), f'{path}["samples"]'))
    ]
    relations = []
    for j, r in enumerate(_array(doc.get("relations"), f'{path}["relations"]')):
        fqn = _text(_object(r, f'{path}["relations"][{j}]').get("fqn"), f'{path}["relations"][{j}]["fqn"]')
        if fqn:
            relations.append(fqn)
    raw_id = _text(doc.get("id"), f'{path}["id"]')
    element = Element(
        id=sanitize(raw_id or ""),
        type=_text(doc.get("type"), f'{path}["type"]'),
        name=_text(doc.get("name"), f'{path}["name"]'),
        location=_text(doc.get("location"), f'{path}["location"]'),
        attributes=_pairs(doc.get("attributes"), f'{path}["attributes"]'),
        tags=_pairs(doc.get("tags"), f'{path}["tags"]'),
        relations=relations,
        metrics=metrics,
    )
    return ElementPost(element, samples)


def _strategy(raw: str | None) -> str | None:
    """Strategies match case-insensitively; an unknown one is kept as sent for the validation message."""
    if raw is None:
        return None
    return next((s for s in STRATEGIES if s.lower() == raw.strip().lower()), raw)


def _sample(raw: Any, path: str, inject_ms: int | None) -> ElementSample:
    doc = _object(raw, path)
    stamp = timestamp_ms(doc.get("timestamp"), f'{path}["timestamp"]')
    values = {k: _number(doc.get(k), f'{path}["{k}"]') for k in VALUES}
    return ElementSample(
        metric_id=sanitize(_text(doc.get("metricId"), f'{path}["metricId"]') or ""),
        time_ms=inject_ms if inject_ms is not None else (stamp if stamp is not None else -1),
        **values,
    )


def _problems(post: ElementPost, now_ms: int) -> list[str]:
    element, out = post.element, []
    if not element.id:
        out.append("Missing required field on Element, 'id'.")
    if not element.type:
        out.append("Missing required field on Element, 'type'.")
    if any(not mid for mid in element.metrics):
        out.append("Missing required field on Metric, 'id'.")
    for metric in element.metrics.values():
        if metric.sparse_data_strategy is not None and metric.sparse_data_strategy not in STRATEGIES:
            out.append(
                f"Metric '{metric.id}' has an unknown sparseDataStrategy '{metric.sparse_data_strategy}' "
                f"(one of {', '.join(STRATEGIES)})."
            )
    for sample in post.samples:
        if not sample.metric_id:
            out.append("Missing required field on Sample, 'metricId'.")
            continue
        if sample.time_ms == -1:
            out.append(MISSING_TIMESTAMP)
        elif not now_ms - RETENTION_MS <= sample.time_ms <= now_ms + FUTURE_MS:
            out.append(
                f"Sample for metric '{sample.metric_id}' has timestamp {sample.time_ms}, outside the accepted range "
                f"({window.DESCRIPTION})."
            )
        if all(getattr(sample, k) is None for k in VALUES):
            out.append(f"Sample for metric '{sample.metric_id}' has no value (val, min, max, avg, sum, cnt).")
        else:
            out.extend(_magnitude(sample))
        if element.id and len(element.id) + 1 + len(sample.metric_id) > MAX_NAME:
            out.append(f"Element id and metric id '{sample.metric_id}' together exceed {MAX_NAME - 1} characters.")
    return out


def _magnitude(sample: ElementSample) -> list[str]:
    """Values beyond 10^126, else a derived sum beyond it (each value within it, the product stays finite)."""
    huge = [(k, x) for k in VALUES if (x := getattr(sample, k)) is not None and abs(x) > HUGE]
    if huge:
        return [f"Sample for metric '{sample.metric_id}' has {k} {x:g}, {BEYOND}." for k, x in huge]
    if sample.is_plain:
        return []
    _, total, origin = sample.count_and_total()
    if origin != "sum" and not abs(total) <= HUGE:
        return [f"Sample for metric '{sample.metric_id}' has a sum ({origin}) of {total:g}, {BEYOND}."]
    return []


def events(body: bytes, *, now_ms: int, inject_timestamp: bool = False) -> list[ExternalEvent | None]:
    """Read and validate an event array (contract §2 Event).

    Parsing covers every event. An event without ``data.elementId`` is accepted and dropped, as the real
    service does; one without ``title`` too (the contract leaves it open; an annotation needs a title):
    both come back as None, unvalidated. The others need ``timestamp`` (unless INJECT_TIMESTAMP) inside
    the accepted window, or the request is rejected as ``Input Validation Failed``.
    """
    doc = _document(body)
    out: list[ExternalEvent | None] = []
    problems: list[str] = []
    for i, raw in enumerate(doc):
        path = f"java.util.ArrayList[{i}]->com.metricly.ingest.entity.IngestEvent"
        event = _object(raw, path)
        stamp = timestamp_ms(event.get("timestamp"), f'{path}["timestamp"]')
        data_raw = event.get("data")
        data = {
            str(k): _text(v, f'{path}["data"]["{k}"]') or ""
            for k, v in (_object(data_raw, f'{path}["data"]->java.util.Map') if data_raw is not None else {}).items()
        }
        title = _text(event.get("title"), f'{path}["title"]')
        kind = _text(event.get("type"), f'{path}["type"]')
        tags = _pairs(event.get("tags"), f'{path}["tags"]')
        source = _text(event.get("source"), f'{path}["source"]')
        time_ms = now_ms if inject_timestamp else stamp
        if not title or not data.get("elementId"):
            out.append(None)  # accepted and dropped, unvalidated
            continue
        if time_ms is None:
            problems.append("Missing required field on Event, 'timestamp'.")
        elif not now_ms - RETENTION_MS <= time_ms <= now_ms + FUTURE_MS:
            problems.append(f"Event timestamp {time_ms} is outside the accepted range.")
        else:
            out.append(ExternalEvent(title, (kind or "INFO").upper(), time_ms, source, tags, data))
    if problems:
        raise InvalidInputError(request=problems)
    return out


def check(name: str, element_fqn: str, ttl: str) -> tuple[str, str, int]:
    """The path of ``POST /check/{apiId}/{name}/{elementFqn}/{ttl}``: sanitised names, a TTL of whole seconds."""
    problems = []
    clean_name, clean_fqn = sanitize(name), sanitize(element_fqn)
    if not clean_name:
        problems.append("Missing required field on Check, 'name'.")
    if not clean_fqn:
        problems.append("Missing required field on Check, 'elementFqn'.")
    if not re.fullmatch(r"\d{1,9}", ttl) or int(ttl) <= 0:
        problems.append(f"Check TTL must be a positive whole number of seconds, not '{ttl}'.")
    if problems:
        raise InvalidInputError(request=problems)
    return clean_name, clean_fqn, int(ttl)
