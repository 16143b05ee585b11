"""Anomify error bodies (seed: HTTP Status Code Error Messages): ``{"code": <status>, "message": <text>}``."""

from typing import Any

from polymetric.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PolymetricError,
    QuotaExceededError,
    StorageError,
    UnauthorizedError,
)
from polymetric.models.dialect import ErrorDialect


def error_body(error: PolymetricError, status: int) -> dict[str, Any]:
    if isinstance(error, QuotaExceededError):
        return {**error.report, "code": status}
    if isinstance(error, InvalidInputError):
        message = error.request[0] if error.request else str(error)
    elif isinstance(error, UnauthorizedError):
        message = "invalid key"
    elif isinstance(error, PayloadTooLargeError):
        message = "payload too large"
    elif isinstance(error, NotFoundError):
        message = "not found"
    elif isinstance(error, StorageError):
        message = "service unavailable, please retry"
    else:
        message = str(error)
    return {"code": status, "message": message}


ERRORS = ErrorDialect(error_body)
