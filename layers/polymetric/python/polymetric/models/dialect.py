"""How a dialect answers a refused request: declared in ``dialects/<name>/errors.py``, read by ``api/errors.py``."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from polymetric.errors import PolymetricError

JSON = "application/json"


@dataclass(frozen=True)
class ErrorDialect:
    """``body`` builds the error document from the error and its status; ``statuses`` overrides the status of
    the error classes this dialect answers apart (the rest keep ``api/errors.py``'s map); ``content_type``
    is that of the body: a JSON body is serialised, any other is sent as the text it is."""

    body: Callable[[PolymetricError, int], Any]
    statuses: Mapping[type[PolymetricError], int] = field(default_factory=dict)
    content_type: str = JSON
