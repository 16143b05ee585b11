"""OddEye error bodies (seed: Error Codes; barlus ``PutTSDB.java``), as text for ``responses.CONTENT_TYPE``."""

from polymetric.errors import (
    EmptyDataError,
    InvalidInputError,
    MissingCredentialsError,
    NoValidItemsError,
    PaymentRequiredError,
    PolymetricError,
    StorageError,
    UnauthorizedError,
    UnknownAccountError,
    UnreadableDataError,
)
from polymetric.models.dialect import ErrorDialect

from .responses import CONTENT_TYPE, failure


def error_body(error: PolymetricError, _status: int) -> str:
    if isinstance(error, MissingCredentialsError):
        return failure("EMPTY UUID", misspelt=True)
    if isinstance(error, UnauthorizedError):
        return failure("NOT VALID UUID", misspelt=True)
    if isinstance(error, NoValidItemsError):
        return failure(error.request[0], dropped=error.items)
    if isinstance(error, UnreadableDataError):
        return failure(f"{error.request[0]} ")  # barlus appends a space to the exception text
    if isinstance(error, PaymentRequiredError):
        return failure("Payment Required")
    if isinstance(error, InvalidInputError):
        return failure(error.request[0] if error.request else str(error))
    if isinstance(error, StorageError):
        return failure("Unknown error")
    return failure(str(error) or type(error).__name__)


# OddEye's own codes (seed: Error Codes); its bodies are text, not JSON.
ERRORS = ErrorDialect(
    error_body,
    statuses={
        MissingCredentialsError: 406,
        NoValidItemsError: 411,
        UnreadableDataError: 415,
        EmptyDataError: 424,
        UnknownAccountError: 424,
    },
    content_type=CONTENT_TYPE,
)
