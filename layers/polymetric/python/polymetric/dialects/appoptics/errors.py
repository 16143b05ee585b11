"""AppOptics error bodies (seed: Error Messages): params, request and system errors."""

from typing import Any

from polymetric.errors import (
    InvalidInputError,
    PartialAcceptanceError,
    PolymetricError,
    RateLimitedError,
    StorageError,
)
from polymetric.models.dialect import ErrorDialect


def error_body(error: PolymetricError, _status: int) -> dict[str, Any]:
    if isinstance(error, RateLimitedError) and error.outcome is not None:
        return measurements_summary(error.outcome)
    if isinstance(error, PartialAcceptanceError):
        return measurements_summary(error.outcome)
    if isinstance(error, InvalidInputError):
        if error.params:
            body: dict[str, Any] = {"params": error.params}
            if error.request:
                body["request"] = error.request
            return {"errors": body}
        return {"errors": {"request": error.request or ["The request is invalid."]}}
    if isinstance(error, StorageError):
        return {"errors": {"system": ["The service is temporarily unavailable, please retry."]}}
    return {"errors": {"request": [str(error)]}}


def measurements_summary(outcome: Any) -> dict[str, Any]:
    return {
        "measurements": {
            "summary": {
                "total": outcome.total,
                "accepted": outcome.accepted,
                "failed": outcome.failed,
                "filtered": outcome.filtered,
            }
        },
        "errors": [e.as_dict() for e in outcome.errors],
    }


ERRORS = ErrorDialect(error_body)
