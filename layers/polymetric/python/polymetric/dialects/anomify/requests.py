"""Anomify ``/flux`` requests (seed: Anomify HTTP API; Skyline ``flux/listen.py``), validated in Skyline's order.

Invariants, checked in this order; the first failure rejects the whole request (nothing is stored):
1. A body over 1024 KiB is refused before it is read; a gzip body is inflated (at most 10 MiB).
2. The body is a non-empty JSON object (``invalid json data`` / ``no POST data received``).
3. The key comes from the body's ``key`` or the ``key`` header (``no key passed``); the caller checks it.
4. ``metrics`` is a list of objects, or the body itself carries ``metric``, ``timestamp`` and ``value``.
5. Each metric in order: the name (after Skyline's rewrites) is 1-255 characters that both Skyline and the
   store allow (``A-Za-z0-9.:-_``: Skyline's ``+ % / =`` cannot be stored under the name as sent, so they
   are refused); the timestamp, when given and ``fill`` is not set, is a 10-digit Unix time no older than
   3600 s and at most 60 s ahead (with ``fill``: inside the accepted window's past, ``models.window``,
   and at most 60 s ahead); the value is a finite number or numeric string (no booleans, NaN, Inf).
"""

import math
import re
import zlib
from typing import Any, NamedTuple

import pydantic_core

from polymetric.errors import InvalidInputError, PayloadTooLargeError
from polymetric.models import window
from polymetric.models.measurement import HUGE, TINY

MAX_BODY = 1024 * 1024
MAX_INFLATED = 10 * MAX_BODY
MAX_AGE = 3600
MAX_AHEAD = 60
MAX_NAME = 255
SKYLINE_CHARS = re.compile(r"[A-Za-z0-9+\-%._/=:]+")
STORE_CHARS = re.compile(r"[A-Za-z0-9.:\-_]+")
FILL = ("true", "True")
GET_PARAMETERS = frozenset({"metric", "timestamp", "value", "key", "fill"})


class FluxPoint(NamedTuple):
    metric: str
    timestamp: int
    value: float
    position: int


def refuse(message: str) -> InvalidInputError:
    return InvalidInputError(request=[message])


def read_body(raw: bytes, content_encoding: str | None) -> dict[str, Any]:
    """Invariants 1 and 2: the body as a JSON object."""
    if len(raw) > MAX_BODY:
        raise PayloadTooLargeError("payload too large")
    if content_encoding and content_encoding.strip().lower() in ("gzip", "x-gzip", "deflate"):
        raw = _inflate(raw)
    try:
        doc = pydantic_core.from_json(raw)
    except ValueError:
        raise refuse("invalid json data") from None
    if not doc:
        raise refuse("no POST data received")
    if not isinstance(doc, dict):
        raise refuse("invalid json data")
    return doc


def _inflate(raw: bytes) -> bytes:
    # wbits 47: gzip or zlib header, detected; the output is capped so a small bomb cannot exhaust memory.
    inflater = zlib.decompressobj(47)
    try:
        out = inflater.decompress(raw, MAX_INFLATED)
    except zlib.error:
        raise refuse("invalid json data") from None
    if inflater.unconsumed_tail:
        raise PayloadTooLargeError("payload too large")
    return out


def key_of(doc: dict[str, Any], header_key: str | None) -> str:
    """Invariant 3. A body key that is not text is still a key (Skyline str()s it), and an invalid one."""
    key = doc.get("key")
    if key is not None and key != "":
        return key if isinstance(key, str) else str(key)
    if header_key:
        return header_key
    raise refuse("no key passed")


def points(doc: dict[str, Any], *, now: int) -> tuple[list[FluxPoint], bool]:
    """Invariants 4 and 5: every point of the body, and whether it used the single-metric form."""
    if "metrics" in doc:
        metrics = doc["metrics"]
        if not isinstance(metrics, list) or not all(isinstance(m, dict) for m in metrics):
            raise refuse("invalid metrics element")
        if not metrics:
            raise refuse("no metric data passed")
        return [point(m, i, now=now) for i, m in enumerate(metrics)], False
    if not all(k in doc for k in ("metric", "timestamp", "value")):
        raise refuse("no metric data passed")
    return [point(doc, 0, now=now)], True


def point(m: dict[str, Any], position: int, *, now: int) -> FluxPoint:
    name = metric_name(m.get("metric"))
    fill = m.get("fill") in FILL or m.get("fill") is True
    timestamp = timestamp_of(m["timestamp"], now=now, fill=fill) if "timestamp" in m else now
    if "value" not in m:
        raise refuse("no value parameter present")
    return FluxPoint(name, timestamp, value_of(m["value"]), position)


def metric_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw:
        raise refuse(f"invalid metric - {raw!r}")
    name = raw.replace(" ", "_").replace("..", ".").replace("*", "_").replace("'", "_")
    if not SKYLINE_CHARS.fullmatch(name):
        raise refuse(f"invalid metric - {raw} - invalid characters in name")
    if len(name) > MAX_NAME or len(name.rsplit(".", 1)[-1]) + 4 > MAX_NAME:
        raise refuse(f"invalid metric - {raw} - longer than {MAX_NAME} characters")
    if not STORE_CHARS.fullmatch(name):
        raise refuse(f"invalid metric - {raw} - invalid characters in name")
    return name


def timestamp_of(raw: Any, *, now: int, fill: bool = False) -> int:
    text = str(raw)
    try:
        ts = int(text) if not isinstance(raw, bool) else int("not an int")
    except ValueError:
        raise refuse(f"invalid timestamp - {text} - timestamp is not an int") from None
    if fill:
        if not 0 <= ts < 10_000_000_000:
            raise refuse(f"invalid timestamp - {text} - timestamp is not a valid current unix timestamp")
        if ts < now - window.RETENTION:
            raise refuse(f"invalid timestamp - {text} - timestamp is too old, older than {window.RETENTION} seconds")
        if ts > now + MAX_AHEAD:
            raise refuse(f"invalid timestamp - {text} - timestamp is more than 1 minute in the future")
        return ts
    if len(str(ts)) != 10:
        raise refuse(f"invalid timestamp - {text} - timestamp is not a valid current unix timestamp")
    if ts < now - MAX_AGE:
        raise refuse(f"invalid timestamp - {text} - timestamp is too old, older than {MAX_AGE} seconds")
    if ts > now + MAX_AHEAD:
        raise refuse(f"invalid timestamp - {text} - timestamp is more than 1 minute in the future")
    return ts


def value_of(raw: Any) -> float:
    number: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw) if abs(raw) <= HUGE else math.inf
    elif isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or abs(number) > HUGE:
        raise refuse(f"invalid value - {raw}")
    return 0.0 if -TINY < number < TINY else number


def query_key(query: dict[str, list[str]]) -> str:
    """``GET /flux/metric_data``: unknown parameters, then the key (the caller checks it)."""
    for name in query:
        if name not in GET_PARAMETERS:
            raise refuse(f"Invalid parameter received - {name}")
    key = (query.get("key") or [""])[-1]
    if not key:
        raise refuse("no key parameter passed")
    return key


def query_point(query: dict[str, list[str]], *, now: int) -> FluxPoint:
    """The one point of ``GET /flux/metric_data?metric=&timestamp=&value=&key=[&fill=true]``."""
    one = {k: v[-1] for k, v in query.items() if v}
    if "metric" not in one:
        raise refuse("no metric parameter passed")
    if "value" not in one:
        raise refuse("no value parameter passed")
    return point(one, 0, now=now)
