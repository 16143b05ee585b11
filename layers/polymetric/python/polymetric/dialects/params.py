"""Query-string parameters every dialect reads the same way: the last value of a key, a bounded whole number.

``values`` maps each key to all its values (``api.requests.query_values``).
"""

from polymetric.errors import InvalidInputError


def one(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[-1] if found else None


def integer(
    values: dict[str, list[str]], name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    raw = one(values, name)
    if raw is None or raw == "":
        return None
    try:
        number = int(float(raw))
    except (ValueError, OverflowError):  # "abc", or "inf" / "1e999"
        raise InvalidInputError.param(name, "must be a whole number") from None
    if minimum is not None and number < minimum:
        raise InvalidInputError.param(name, f"must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise InvalidInputError.param(name, f"must be at most {maximum}")
    return number
