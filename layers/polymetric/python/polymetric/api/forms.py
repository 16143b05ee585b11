"""Form-encoded bodies with bracket keys, as curl users send them (``attributes[display_min]=0``, ``names[]=a``)."""

import re
from typing import Any
from urllib.parse import parse_qsl

from polymetric.errors import InvalidInputError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
MAX_DEPTH = 32  # DynamoDB's nesting limit for a document attribute, far beyond any real form


def parse_form(body: str) -> dict[str, Any]:
    """Nested dicts for ``a[b]=``, lists for ``a[]=``; a plain key given twice keeps the last value."""
    out: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True, strict_parsing=False):
        match = _KEY.match(raw_key)
        if not match:
            raise InvalidInputError(request=[f"Malformed form field {raw_key!r}."])
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        if len(path) > MAX_DEPTH:
            raise InvalidInputError(request=[f"Form field {raw_key[:64]!r}... is nested more than {MAX_DEPTH} levels."])
        _assign(out, path, value, raw_key)
    return out


def _assign(node: dict[str, Any], path: list[str], value: str, raw_key: str) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(node.get(head), list | dict):
            raise InvalidInputError(request=[f"Form field {raw_key!r} mixes a value with a list or an object."])
        node[head] = value
        return
    if rest == [""]:
        existing = node.setdefault(head, [])
        if not isinstance(existing, list):
            raise InvalidInputError(request=[f"Form field {raw_key!r} mixes a list with a value."])
        existing.append(value)
        return
    child = node.setdefault(head, {})
    if not isinstance(child, dict):
        raise InvalidInputError(request=[f"Form field {raw_key!r} mixes an object with a value."])
    _assign(child, rest, value, raw_key)
