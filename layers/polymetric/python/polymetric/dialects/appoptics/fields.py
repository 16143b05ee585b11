"""Field readers for AppOptics bodies, JSON or form-encoded (where every value arrives as a string).

Each reader names the offending field in its 400 (``errors.params``).
"""

import math
from typing import Any

from polymetric.errors import InvalidInputError

TRUE = ("true", "1", "yes", "t")
FALSE = ("false", "0", "no", "f")


def text(doc: dict[str, Any], name: str, *, limit: int = 255, required: bool = False, param: str = "") -> str | None:
    value = doc.get(name)
    param = param or name
    if value is None or value == "":
        if required:
            raise InvalidInputError.param(param, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInputError.param(param, "must be a string")
    value = str(value)
    if len(value) > limit:
        raise InvalidInputError.param(param, f"must be at most {limit} characters")
    return value


def rename(doc: dict[str, Any], name: str, *, limit: int = 255, param: str = "") -> str | None:
    """A new name on an update: omitted keeps the current one (None); given but empty or null is a 400, since a
    client that sends ``"name": ""`` means to rename, and a name cannot be empty."""
    if name in doc and doc[name] in (None, ""):
        raise InvalidInputError.param(param or name, "must not be empty")
    return text(doc, name, limit=limit, param=param)


def number(doc: dict[str, Any], name: str, *, param: str = "") -> int | float | None:
    value = doc.get(name)
    param = param or name
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInputError.param(param, "must be a number")
    try:
        f = float(value) if isinstance(value, int | float) else float(str(value))
    except ValueError:
        raise InvalidInputError.param(param, "must be a number") from None
    if not math.isfinite(f):
        raise InvalidInputError.param(param, "must be a finite number")
    if isinstance(value, int):
        return value
    return int(f) if f.is_integer() else f


def whole(
    doc: dict[str, Any], name: str, *, minimum: int | None = None, maximum: int | None = None, param: str = ""
) -> int | None:
    """A whole number (``"1234567890"`` from a form or the Python client's string times is fine)."""
    found = number(doc, name, param=param)
    param = param or name
    if found is None:
        return None
    if not float(found).is_integer():
        raise InvalidInputError.param(param, "must be a whole number")
    found = int(found)
    if minimum is not None and found < minimum:
        raise InvalidInputError.param(param, f"must be at least {minimum}")
    if maximum is not None and found > maximum:
        raise InvalidInputError.param(param, f"must be at most {maximum}")
    return found


def boolean(doc: dict[str, Any], name: str, *, param: str = "") -> bool | None:
    value = doc.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE + FALSE:
        return value.lower() in TRUE
    raise InvalidInputError.param(param or name, "must be true or false")


def items(doc: dict[str, Any], name: str, *, param: str = "") -> list[Any] | None:
    """A list, or a form's ``name[0][k]=`` object keyed by position (``{"0": {...}, "1": {...}}``)."""
    value = doc.get(name)
    param = param or name
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        if not all(isinstance(k, str) and k.isdigit() for k in value):
            raise InvalidInputError.param(param, "must be a list")
        return [value[k] for k in sorted(value, key=int)]
    if not isinstance(value, list):
        raise InvalidInputError.param(param, "must be a list")
    return value


def query_whole(values: dict[str, list[str]], name: str, *, minimum: int | None = None) -> int | None:
    found = values.get(name)
    return whole({name: found[-1]}, name, minimum=minimum) if found else None
