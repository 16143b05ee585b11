"""OddEye error bodies (seed: Error Codes; barlus ``PutTSDB.java``), as text for ``responses.CONTENT_TYPE``."""

from polymetric.errors import (
    InvalidInputError,
    MissingCredentialsError,
    NoValidItemsError,
    PaymentRequiredError,
    PolymetricError,
    StorageError,
    UnauthorizedError,
    UnreadableDataError,
)

from .responses import failure


def error_body(error: PolymetricError) -> str:
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
