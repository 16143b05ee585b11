"""What a route takes and answers, declared beside the code that parses it, for the OpenAPI document.

The query-string readers (``appoptics/pages.py``, ``listing.py``, ``queries.py``...) declare the parameters they
read as ``Param`` tuples; each dialect's ``contract.py`` maps its routes to an ``Operation`` (parameters, the
body type, the answers and the error statuses), with TypedDicts for the bodies that pydantic turns into JSON
Schema. Only the document builder (``dialects/openapi.py``) imports the ``contract.py`` modules; this module
is plain data so that the readers stay cheap to import.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TEXT = "text/plain"
# What an empty body says it is (``api/render.EMPTY``): API Gateway would label it JSON otherwise.
EMPTY = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Param:
    """A query (or header) parameter: its JSON Schema, whether it is required."""

    name: str
    schema: Mapping[str, Any]
    required: bool = False
    description: str = ""
    location: str = "query"
    example: Any = None  # a value the reader accepts (the fuzz run's explicit phase sends it)


def integer(name: str, description: str = "", *, minimum: int | None = None, maximum: int | None = None) -> Param:
    schema: dict[str, Any] = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return Param(name, schema, description=description)


def string(name: str, description: str = "", *, enum: tuple[str, ...] = (), min_length: int = 0) -> Param:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = list(enum)
    if min_length:
        schema["minLength"] = min_length
    return Param(name, schema, description=description)


def required(param: Param) -> Param:
    return dataclasses.replace(param, required=True)


def example(param: Param, value: Any) -> Param:
    return dataclasses.replace(param, example=value)


@dataclass(frozen=True)
class Answer:
    """One success status: its body type (a TypedDict, a pydantic model, any type pydantic adapts; None: an
    empty body, sent as ``EMPTY``) and media type ("": not described, OddEye's text). ``or_empty``: the body
    is sent only when asked for (CloudWisdom's SEND_RESPONSE_BODY)."""

    body: Any = None
    description: str = "Success"
    media: str = JSON
    or_empty: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    answers: Mapping[int, Answer]
    params: tuple[Param, ...] = ()
    body: Any = None  # the request body's type; None: the route reads no body
    body_required: bool = False
    media: tuple[str, ...] = (JSON,)
    errors: tuple[int, ...] = ()  # beyond the dialect's common ones
    path_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    example: Any = None  # a body the route accepts (from the seed), the document's requestBody example


# The API Gateway's own refusal of a body over its 10 MB limit (every dialect): {"message": "Request Too Long"}.
GATEWAY_TOO_LARGE = 413
