"""Validation of alert and service bodies (seed: Alerts, Alert Conditions, Alert Attributes, Services).

Bodies come as JSON or as form fields (``conditions[0][type]=above``), so every rule accepts the
string spelling of numbers and booleans. Nulls and read-only keys (``id``, ``version``,
``created_at``, ``updated_at``) are ignored, as the clients send them. A condition's legacy ``source``
(Librato) scopes it like a tag: ``"web-*"`` becomes the tag filter ``source=web-*`` (legacy samples keep
their source as the tag ``source``); ``"*"``, the clients' default, selects every stream.
Each error names its field: ``conditions[0].threshold``, ``settings.url``.
"""

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from polymetric.errors import InvalidInputError
from polymetric.models.alert import (
    ABOVE,
    ABSENT,
    ANOMALOUS,
    BELOW,
    CONDITION_TYPES,
    DEFAULT_REARM_SECONDS,
    MAIL,
    PAGERDUTY,
    SERVICE_TYPES,
    SLACK,
    SNS,
    SUMMARY_FUNCTIONS,
    WEBHOOK,
    Condition,
    TagSpec,
)

ALERT_NAME_RE = re.compile(r"^[A-Za-z0-9.:\-_]{1,255}$")  # the seed lists .:- but its examples use _ too
METRIC_NAME_RE = re.compile(r"^[A-Za-z0-9.:\-_]{1,255}$")
EMAIL_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
SNS_ARN_RE = re.compile(r"^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
MIN_DURATION, MAX_DURATION = 60, 3600
DEFAULT_SENSITIVITY = 3.0
TRUE = ("true", "1", "yes", "t")
FALSE = ("false", "0", "no", "f")


def boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE + FALSE:
        return value.lower() in TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise InvalidInputError.param(name, "must be true or false")


def number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInputError.param(name, "must be a number")
    try:
        f = float(value)
    except ValueError:
        raise InvalidInputError.param(name, "must be a number") from None
    if not math.isfinite(f):
        raise InvalidInputError.param(name, "must be a finite number")
    return f


def whole(name: str, value: Any) -> int:
    f = number(name, value)
    if not f.is_integer():
        raise InvalidInputError.param(name, "must be a whole number")
    return int(f)


def text(name: str, value: Any, limit: int = 1024) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or len(str(value)) > limit:
        raise InvalidInputError.param(name, f"must be a string of at most {limit} characters")
    return str(value)


def url(name: str, value: Any) -> str:
    found = text(name, value, limit=2048)
    parts = urlsplit(found)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError.param(name, "must be an http or https URL")
    return found


def items(name: str, value: Any) -> list[Any]:
    """A list, or a form's ``{"0": ..., "1": ...}`` object, or a single value given as ``name=x``."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
        raise InvalidInputError.param(name, "must be a list")
    if isinstance(value, str | int):
        return [value]
    raise InvalidInputError.param(name, "must be a list")


def given(param: str, value: Any) -> Any:
    """A name or title an update gives: null or "" is a 400, not "keep the current one" (omit the key for that)."""
    if value is None or value == "":
        raise InvalidInputError.param(param, "must not be empty")
    return value


def alert_name(value: Any) -> str:
    if value is None or value == "":
        raise InvalidInputError.param("name", "is required")
    if not isinstance(value, str) or not ALERT_NAME_RE.fullmatch(value):
        raise InvalidInputError.param("name", "must be 1 to 255 characters of A-Za-z0-9.:-_")
    return value


def rearm_seconds(value: Any) -> int:
    if value is None or value == "":
        return DEFAULT_REARM_SECONDS
    seconds = whole("rearm_seconds", value)
    if seconds <= 0 or seconds % 60:
        raise InvalidInputError.param("rearm_seconds", "must be a positive multiple of 60")
    return seconds


def alert_attributes(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError.param("attributes", "must be an object of keys to values")
    clean: dict[str, Any] = {}
    for key, v in value.items():
        if v is None:
            continue
        if key == "runbook_url":
            clean[key] = url("attributes.runbook_url", v)
        elif isinstance(v, str | int | float | bool):
            clean[key] = v
        else:
            raise InvalidInputError.param(f"attributes.{key}", "must be a string, number or boolean")
    return clean


def service_ids(value: Any) -> list[int]:
    """Ids as the clients send them: numbers, numeric strings, or service objects with an ``id``."""
    if value is None:
        return []
    found: list[int] = []
    for i, raw in enumerate(items("services", value)):
        entry = raw.get("id") if isinstance(raw, dict) else raw
        try:
            found.append(whole(f"services[{i}]", entry))
        except InvalidInputError:
            raise InvalidInputError.param(f"services[{i}]", "must be the numeric id of a service") from None
    return list(dict.fromkeys(found))


def _tags(where: str, value: Any) -> tuple[TagSpec, ...]:
    if value is None or value == {} or value == []:
        return ()
    if isinstance(value, dict) and not all(k.isdigit() for k in value):
        # {"host": "web-*"}: the tags object of the librato client
        return tuple(
            TagSpec(text(f"{where}.tags.{k}", k, 255), (text(f"{where}.tags.{k}", v, 255),)) for k, v in value.items()
        )
    specs = []
    for i, raw in enumerate(items(f"{where}.tags", value)):
        at = f"{where}.tags[{i}]"
        if not isinstance(raw, dict):
            raise InvalidInputError.param(at, "must be an object with name, values and grouped")
        if not raw.get("name"):
            raise InvalidInputError.param(f"{at}.name", "is required")
        values = raw.get("values")
        patterns = tuple(text(f"{at}.values", v, 255) for v in items(f"{at}.values", values)) if values else ()
        grouped = boolean(f"{at}.grouped", raw["grouped"]) if raw.get("grouped") is not None else False
        specs.append(TagSpec(text(f"{at}.name", raw["name"], 255), patterns, grouped))
    return tuple(specs)


def _with_source(where: str, source: Any, tags: tuple[TagSpec, ...]) -> tuple[TagSpec, ...]:
    """A legacy condition's ``source`` pattern as a ``source`` tag filter, unless the tags name one already."""
    if source in (None, "", "*") or any(t.name.lower() == "source" for t in tags):
        return tags
    return (*tags, TagSpec("source", (text(f"{where}.source", source, 255),)))


def _duration(where: str, value: Any, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise InvalidInputError.param(f"{where}.duration", "is required for absent conditions")
        return None
    seconds = whole(f"{where}.duration", value)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise InvalidInputError.param(f"{where}.duration", f"must be >= {MIN_DURATION} and <= {MAX_DURATION} seconds")
    return seconds


def condition(where: str, raw: Any, condition_id: int) -> Condition:
    """One condition hash; ``condition_id`` is its kept id (an update naming it) or a fresh one."""
    if not isinstance(raw, dict):
        raise InvalidInputError.param(where, "must be an object")
    kind = raw.get("type") or raw.get("condition_type")
    if kind not in CONDITION_TYPES:
        raise InvalidInputError.param(f"{where}.type", f"must be one of {', '.join(CONDITION_TYPES)}")
    metric = raw.get("metric_name")
    if not isinstance(metric, str) or not METRIC_NAME_RE.fullmatch(metric):
        raise InvalidInputError.param(f"{where}.metric_name", "is required: a metric name of A-Za-z0-9.:-_")
    threshold: float | None = None
    summary: str | None = None
    if kind in (ABOVE, BELOW):
        if raw.get("threshold") in (None, ""):
            raise InvalidInputError.param(f"{where}.threshold", f"is required for {kind} conditions")
        threshold = number(f"{where}.threshold", raw["threshold"])
    if kind != ABSENT:
        summary = raw.get("summary_function") or "average"
        if summary not in SUMMARY_FUNCTIONS:
            raise InvalidInputError.param(f"{where}.summary_function", f"must be one of {', '.join(SUMMARY_FUNCTIONS)}")
    sensitivity = None
    if kind == ANOMALOUS:
        given = raw.get("sensitivity")
        sensitivity = DEFAULT_SENSITIVITY if given in (None, "") else number(f"{where}.sensitivity", given)
        if not 1.0 <= sensitivity <= 10.0:
            raise InvalidInputError.param(f"{where}.sensitivity", "must be between 1 and 10 (deviations)")
    detect = raw.get("detect_reset")
    return Condition(
        id=condition_id,
        type=kind,
        metric_name=metric,
        threshold=threshold,
        summary_function=summary,
        duration=_duration(where, raw.get("duration"), required=kind == ABSENT),
        tags=_with_source(where, raw.get("source"), _tags(where, raw.get("tags"))),
        detect_reset=boolean(f"{where}.detect_reset", detect) if detect is not None else False,
        sensitivity=sensitivity,
    )


def conditions(value: Any, kept_ids: set[int], fresh_id: Callable[[], int]) -> tuple[Condition, ...]:
    """The conditions list; a condition keeps its ``id`` when it names one of ``kept_ids``."""
    if value is None:
        return ()
    out = []
    for i, raw in enumerate(items("conditions", value)):
        given = raw.get("id") if isinstance(raw, dict) else None
        try:
            kept = int(given) if given is not None and int(given) in kept_ids else None
        except (TypeError, ValueError):
            kept = None
        out.append(condition(f"conditions[{i}]", raw, kept if kept is not None else fresh_id()))
    return tuple(out)


def _addresses(name: str, value: Any) -> str:
    found = [a.strip() for a in text(name, value, 4096).split(",") if a.strip()]
    if not found or not all(EMAIL_RE.fullmatch(a) for a in found):
        raise InvalidInputError.param(name, "must be a comma-separated list of e-mail addresses")
    return ",".join(found)


def _sns_arn(name: str, value: Any) -> str:
    found = text(name, value, 1024)
    if not SNS_ARN_RE.fullmatch(found):
        raise InvalidInputError.param(name, "must be an SNS topic ARN (arn:aws:sns:region:account:topic)")
    return found


def _required_text(name: str, value: Any) -> str:
    found = text(name, value, 1024).strip()
    if not found:
        raise InvalidInputError.param(name, "must not be empty")
    return found


# Per service type: the settings it needs and how each is checked. Other settings are kept as strings.
SETTINGS: dict[str, dict[str, Callable[[str, Any], str]]] = {
    WEBHOOK: {"url": url},
    SLACK: {"url": url},
    PAGERDUTY: {"service_key": _required_text},
    MAIL: {"addresses": _addresses},
    SNS: {"topic_arn": _sns_arn},
}


def service_type(value: Any) -> str:
    if value not in SERVICE_TYPES:
        raise InvalidInputError.param("type", f"must be one of {', '.join(SERVICE_TYPES)}")
    return str(value)


def service_settings(kind: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidInputError.param("settings", "must be an object of setting names to values")
    clean = {str(k): text(f"settings.{k}", v, 4096) for k, v in value.items() if v is not None}
    for key, rule in SETTINGS[kind].items():
        if clean.get(key) in (None, ""):
            raise InvalidInputError.param(f"settings.{key}", f"is required for {kind} services")
        clean[key] = rule(f"settings.{key}", clean[key])
    return clean


def title(value: Any) -> str:
    if value is None or value == "":
        raise InvalidInputError.param("title", "is required")
    return text("title", value, 255)
