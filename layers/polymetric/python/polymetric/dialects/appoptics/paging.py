"""Series pagination of GET /v1/measurements/:name (seed: Measurement Pagination).

The ``next`` link repeats the request's query string plus ``session_key``: an opaque, URL-safe base64 of the
last returned series' sort key (its sorted, lower-cased tag pairs). The next page starts after that key.
"""

import base64
import binascii
import json
from urllib.parse import quote, urlencode

from polymetric.errors import InvalidInputError

PARAM = "session_key"

SortKey = tuple[tuple[str, str], ...]


def encode(key: SortKey) -> str:
    raw = json.dumps([list(pair) for pair in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> SortKey:
    try:
        pairs = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs
        ):
            raise ValueError
        return tuple((k, v) for k, v in pairs)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InvalidInputError.param(PARAM, "is not a key from a links entry of this API; start without it") from None


def links(name: str, values: dict[str, list[str]], key: SortKey | None, base: str = "") -> list[dict[str, str]]:
    """``[{rel: next, href}]`` when more series follow, else ``[]``; ``base``: the API's URL as the caller
    reached it (the seed's hrefs are absolute, and a deployed API's paths start with its stage)."""
    if key is None:
        return []
    pairs = [(k, v) for k, vs in values.items() if k != PARAM for v in vs]
    pairs.append((PARAM, encode(key)))
    return [{"rel": "next", "href": f"{base}/v1/measurements/{quote(name, safe='')}?{urlencode(pairs)}"}]
