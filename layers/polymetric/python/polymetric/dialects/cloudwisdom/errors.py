"""CloudWisdom error bodies: ``{status, message, detail, errors[], serverTimestamp, iso8601DateTime}``."""

from http import HTTPStatus
from typing import Any

from polymetric import clock
from polymetric.errors import InvalidInputError, MalformedInputError, PolymetricError, StorageError
from polymetric.models.dialect import ErrorDialect

from .responses import stamp

PARSE_ERROR = "Error Parsing JSON Request"
VALIDATION_ERROR = "Input Validation Failed"


def error_body(error: PolymetricError, status: int) -> dict[str, Any]:
    """The envelope of every non-2xx answer; ``detail`` tells parse errors from validation errors."""
    if isinstance(error, MalformedInputError):
        detail, errors = PARSE_ERROR, list(error.request)
    elif isinstance(error, InvalidInputError):
        detail = VALIDATION_ERROR
        errors = [*error.request, *(f"{k}: {m}" for k, msgs in error.params.items() for m in msgs)]
    elif isinstance(error, StorageError):
        detail, errors = "The service is temporarily unavailable, please retry.", []
    else:
        detail, errors = str(error), [str(error)]
    try:
        message = HTTPStatus(status).name
    except ValueError:
        message = "ERROR"
    return {
        "status": status,
        "message": message,
        "detail": detail,
        "errors": errors,
        **stamp(clock.now_ms()),
    }


ERRORS = ErrorDialect(error_body)
