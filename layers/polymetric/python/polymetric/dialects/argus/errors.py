"""Argus error bodies: the envelope with ``data: null`` and one message per problem.

Field violations are FIELD_ERRORs (field path + offending ``parameter``); everything else is an
ACTION_ERROR (bad JSON, unknown descriptor, authentication, access).
"""

from typing import Any

from polymetric import clock
from polymetric.errors import (
    ForbiddenError,
    InvalidInputError,
    MalformedInputError,
    NotFoundError,
    PolymetricError,
    StorageError,
    UnauthorizedError,
    ValidationFailedError,
)
from polymetric.models.dialect import ErrorDialect

from .responses import envelope

_TEMPLATES = {
    MalformedInputError: "invalid.json.request",
    UnauthorizedError: "authentication.failed",
    ForbiddenError: "access.denied",
    NotFoundError: "object.not.found",
    StorageError: "service.unavailable",
}


def _message(kind: str, message: str, template: str, field: str | None = None, parameter: Any = None) -> dict[str, Any]:
    return {
        "type": kind,
        "message": message,
        "messageTemplate": template,
        "field": field,
        "parameter": parameter,
        "timestamp": clock.now_ms(),
    }


def error_body(error: PolymetricError, status: int) -> dict[str, Any]:
    messages: list[dict[str, Any]]
    if isinstance(error, ValidationFailedError):
        messages = [
            _message("FIELD_ERROR", m, "validation.failed", f, error.values.get(f))
            for f, msgs in error.params.items()
            for m in msgs
        ]
    elif isinstance(error, InvalidInputError) and not isinstance(error, MalformedInputError):
        messages = [
            _message("FIELD_ERROR", m, "validation.failed", f) for f, msgs in error.params.items() for m in msgs
        ]
        messages += [_message("ACTION_ERROR", m, "invalid.request") for m in error.request]
    else:
        template = next((t for cls, t in _TEMPLATES.items() if isinstance(error, cls)), "action.error")
        text = str(error) if not isinstance(error, InvalidInputError) else "; ".join(error.request)
        messages = [_message("ACTION_ERROR", text, template)]
    return envelope(None, status=status, messages=messages)


# A semantically refused request (ValidationFailedError) is 412 in Argus; 400 is a request it could not read.
ERRORS = ErrorDialect(error_body, statuses={ValidationFailedError: 412})
