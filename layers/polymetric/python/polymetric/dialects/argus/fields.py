"""Argus metrics v1 request bodies: shared field readers and limits (argus-api 5.1.0).

1. A body that is not JSON, or not a JSON object, is ``Invalid JSON request received.`` (400).
2. Every other violation is one FIELD_ERROR (412) naming the field path and the offending value; all
   of a request's violations are reported together. Unknown fields are ignored.
3. Times: epoch ms (number or numeric string), ``now``, ``now-<n>(ms|s|m|h|d|w)``, or ISO-8601 in UTC
   (``Z``) only.
"""

import json
import math
import re
from typing import Any

from polymetric.errors import MalformedInputError, ValidationFailedError

NAME_RE = re.compile(r"[a-zA-Z0-9_:\-.]+")
HOSTNAME_RE = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)
KEY_TYPES = {"ip": "ip", "hostname": "hostName", "integer": "integer", "string": "string", "uuid": "uuid"}
RESERVED_KEYS = {"customer"}
DEDUPLICATION = ("none", "first", "last")
CATEGORIES = ("CASE", "EVENT", "ASSET", "SAMPLE", "OTHER")
LANGUAGES = ("english", "norwegian")
UNITS = ("count", "milliseconds", "seconds", "minutes", "hours", "bytes")
FUNCTIONS = ("sum", "avg", "min", "max", "wavg", "sumOfSquares", "last")
RESOLUTION_UNITS = {"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000}
CALENDAR = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
INT64 = 2**63
MAX_TIMESTAMP = 10**13  # epoch ms of 2286: records sort by a 13-digit timestamp
INVALID_JSON = "Invalid JSON request received."


def whole(value: Any) -> bool:
    """A JSON number with an integral, finite value (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return True
    return math.isfinite(value) and value == int(value)


class Problems:
    """FIELD_ERRORs collected while reading a body; ``check`` raises them together."""

    def __init__(self) -> None:
        self.params: dict[str, list[str]] = {}
        self.values: dict[str, str] = {}

    def add(self, path: str, message: str, value: Any = None) -> None:
        self.params.setdefault(path, []).append(message)
        if value is not None:
            self.values.setdefault(path, value if isinstance(value, str) else json.dumps(value, default=str))

    def __bool__(self) -> bool:
        return bool(self.params)

    def check(self) -> None:
        if self.params:
            raise ValidationFailedError(self.params, self.values)


def document(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedInputError(request=[INVALID_JSON]) from None
    if not isinstance(doc, dict):
        raise MalformedInputError(request=[INVALID_JSON])
    return doc


def text(doc: dict[str, Any], name: str, p: Problems, *, required: bool = False, path: str = "") -> str | None:
    value = doc.get(name)
    where = f"{path}{name}"
    if value is None:
        if required:
            p.add(where, f"{where} is required.")
        return None
    if not isinstance(value, str):
        p.add(where, "JSON field has an invalid type.", value)
        return None
    if required and not value.strip():
        p.add(where, f"{where} may not be empty.", value)
        return None
    return value


def flag(doc: dict[str, Any], name: str, default: bool, p: Problems, path: str = "") -> bool:
    value = doc.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return default
    return value


def integer(
    doc: dict[str, Any], name: str, default: int | None, p: Problems, *, low: int | None = None, high: int | None = None
) -> int | None:
    value = doc.get(name)
    if value is None:
        return default
    if not whole(value):
        p.add(name, "JSON field has an invalid type.", value)
        return default
    number = int(value)
    if low is not None and number < low:
        p.add(name, f"{name} must be at least {low}.", value)
    if high is not None and number > high:
        p.add(name, f"{name} must be at most {high}.", value)
    return number


def choice(doc: dict[str, Any], name: str, options: tuple[str, ...], default: str, p: Problems, path: str = "") -> str:
    value = text(doc, name, p, path=path)
    if value is None:
        return default
    found = next((o for o in options if o.lower() == value.lower()), None)
    if found is None:
        p.add(f"{path}{name}", f"{path}{name} must be one of {', '.join(options)}.", value)
        return default
    return found


def objects(doc: dict[str, Any], name: str, p: Problems, *, required: bool = False) -> list[dict[str, Any]]:
    value = doc.get(name)
    if value is None:
        if required:
            p.add(name, f"{name} is required.")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add(name, "JSON field has an invalid type.", value)
        return []
    if required and not value:
        p.add(name, f"{name} needs at least one entry.", value)
    return value


def strings(doc: dict[str, Any], name: str, p: Problems, path: str = "") -> tuple[str, ...]:
    value = doc.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return ()
    return tuple(str(v) for v in value)


def string_map(doc: dict[str, Any], name: str, p: Problems, path: str = "") -> dict[str, str]:
    value = doc.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()
    ):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return {}
    return {str(k): str(v) for k, v in value.items()}
