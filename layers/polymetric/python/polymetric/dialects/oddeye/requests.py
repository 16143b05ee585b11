"""OddEye ``/oddeye-barlus/put/tsdb`` (seed: OddEye Api; barlus ``PutTSDB.java``): form fields and checks.

The request, in barlus' order; the first failure answers for the whole request:
1. ``UUID`` and ``data`` come from the query string, then the form body (the first value wins, as a
   servlet's ``getParameter``). The agent sends the form without URL-encoding, so ``+`` reads as a space.
2. ``UUID`` empty or missing -> EMPTY UUID; not a token that may record -> NOT VALID UUID (the caller).
3. ``data`` empty or missing -> Empty Data; not lenient JSON, not an array, an element that is not an
   object, or array ``tags`` -> the parse failure; an empty array -> NOT VALID JSON Array.
Then each check in order; a bad one is dropped with one message (``advansed``), the rest are stored:
4. ``tags`` present and an object; ``timestamp``, ``metric``, ``value`` present (barlus' messages).
5. Ours: ``metric`` is 1-255 characters of ``A-Za-z0-9.:-_`` (OpenTSDB's ``/`` and Unicode letters cannot
   be stored under the name as sent); ``timestamp`` is Unix seconds (number or numeric string, fractions
   dropped) inside the accepted window (``models.window``: 558 days ago to 1 hour ahead); ``value`` is a finite
   number or numeric string (a Special check's value is not read); tags
   follow the AppOptics tag rules (values stringified, empty ones and the credential tag ``UUID`` left out).
"""

import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pydantic_core

from polymetric.errors import EmptyDataError, NoValidItemsError, UnreadableDataError
from polymetric.models import window
from polymetric.models.measurement import HUGE
from polymetric.models.tags import MAX_TAGS, is_tag

from . import lenient

METRIC = re.compile(r"[A-Za-z0-9.:\-_]{1,255}")
TYPES = {
    t.lower(): t
    for t in ("Special", "None", "Counter", "Rate", "Percent", "Ops", "Bps", "Iec", "Metric", "Time", "Temperature")
}
REACTIONS = (0, -1, -2, -3)


@dataclass(frozen=True)
class Check:
    """One accepted check: a point, or (type Special) a status message."""

    metric: str
    timestamp: int
    value: float
    tags: dict[str, str]
    type: str
    reaction: int
    status: str | None = None
    message: str | None = None
    position: int = 0

    @property
    def special(self) -> bool:
        return self.type == "Special"


@dataclass
class Checks:
    accepted: list[Check]
    dropped: list[str] = field(default_factory=list)  # barlus' ``advansed`` messages, in request order


def parameters(query: dict[str, list[str]], body: bytes) -> dict[str, str]:
    """Invariant 1: the first value of every parameter, query string before form body."""
    found = {k: v[0] for k, v in query.items() if v}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        found.setdefault(key, value)
    return found


def checks(data: str | None, *, now: int) -> Checks:
    """Invariants 3 to 5."""
    if data is None or data == "":
        raise EmptyDataError(request=["Empty Data"])
    items = _array(data)
    if not items:
        raise NoValidItemsError("NOT VALID JSON Array")
    out = Checks(accepted=[])
    for item in items:
        if not isinstance(item, dict):
            raise UnreadableDataError(request=["Not a JSON Object"])
        if isinstance(item.get("tags"), list):
            raise UnreadableDataError(request=["Not a JSON Object: tags"])
    for i, item in enumerate(items):
        problem = _problem(item)
        if problem:
            out.dropped.append(problem)
            continue
        check = _check(item, i, now)
        if isinstance(check, str):
            out.dropped.append(check)
        else:
            out.accepted.append(check)
    if not out.accepted:
        raise NoValidItemsError("Not valid data", out.dropped)
    return out


def _array(data: str) -> list[Any]:
    try:
        doc = pydantic_core.from_json(data)
    except ValueError:
        try:
            doc = lenient.loads(data)
        except lenient.LenientJsonError as exc:
            raise UnreadableDataError(request=[f"Malformed JSON: {exc}"]) from None
    if not isinstance(doc, list):
        raise UnreadableDataError(request=["Not a JSON Array"])
    return doc


def _problem(item: dict[str, Any]) -> str | None:
    """Barlus' own checks, in its order."""
    tags = item.get("tags")
    if tags is None:
        return "tags not exist in input"
    if not isinstance(tags, dict):
        return "tags not json in input"
    for name in ("timestamp", "metric", "value"):
        if item.get(name) is None:
            return f"{name} not exist in input"
    return None


def _check(item: dict[str, Any], position: int, now: int) -> Check | str:
    metric = item["metric"]
    if not isinstance(metric, str) or not METRIC.fullmatch(metric):
        return "metric not valid in input"
    timestamp = _number(item["timestamp"])
    if timestamp is None or not window.contains(timestamp, now):
        return "timestamp not valid in input"
    kind = TYPES.get(str(item.get("type") or "None").lower(), "None")
    value = 0.0 if kind == "Special" else _number(item["value"])
    if value is None:
        return "value not numeric in input"
    tags = _tags(item["tags"])
    if tags is None:
        return "tags not valid in input"
    reaction = _number(item.get("reaction", 0))
    status, message = item.get("status"), item.get("message")
    return Check(
        metric=metric,
        timestamp=int(timestamp),
        value=value,
        tags=tags,
        type=kind,
        reaction=int(reaction) if reaction is not None and int(reaction) in REACTIONS else 0,
        status=None if status is None else _text(status),
        message=None if message is None else _text(message),
        position=position,
    )


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        x = float(raw)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(x) or abs(x) > HUGE:
        return None
    return 0.0 if abs(x) < 1e-130 else x


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw if isinstance(raw, str) else str(raw)


def _tags(raw: dict[str, Any]) -> dict[str, str] | None:
    tags: dict[str, str] = {}
    for name, value in raw.items():
        if name == "UUID" or value is None or value == "":
            continue
        if isinstance(value, dict | list):
            return None
        text = _text(value)
        if not is_tag(name, text):
            return None
        tags[name] = text
    return tags if len(tags) <= MAX_TAGS else None
