"""Domain errors. They carry data, never HTTP: only ``api/errors.py`` maps them to status codes.

PolymetricError
 ├── InvalidInputError        bad request data; ``params`` maps field -> messages
 │    ├── PartialAcceptanceError   some items accepted, some rejected (counts + item errors)
 │    ├── MalformedInputError      the body could not be read at all (syntax, wrong JSON types)
 │    ├── ValidationFailedError    read, but semantically refused, where a dialect answers that apart (Argus)
 │    ├── EmptyDataError           nothing to read where data is required (OddEye)
 │    ├── UnreadableDataError      the data parameter is not what the dialect parses (OddEye)
 │    ├── NoValidItemsError        every item was dropped; ``items`` says why (OddEye)
 │    ├── QuotaExceededError       new metrics over the organization's metric quota; ``report`` (Anomify)
 │    └── ReadLimitError           a read would go through more stored items than one request may
 ├── UnauthorizedError        no or unknown credentials
 │    ├── MissingCredentialsError  the credential is empty (OddEye)
 │    └── UnknownAccountError      the credential names no account that may do this (OddEye)
 ├── PaymentRequiredError     the account may not store more (OddEye)
 ├── ForbiddenError           the token's role does not allow the route
 ├── RateLimitedError         the token is over its request or measurement limit (429); ``outcome`` when a
 │                            measurement post was cut short (what was accepted before the limit)
 ├── NotFoundError            the resource does not exist for this tenant
 ├── ConflictError            the resource changed underneath
 │    ├── VersionConflictError     its version moved on between the read and the write: the domain runs the
 │    │                            operation again (``domain.conflicts``); only a persistent one reaches a caller
 │    └── AlreadyExistsError       a resource of that name already exists (AppOptics 422)
 │         └── NameTakenError          ... reported as a param error (also an InvalidInputError, for its body)
 ├── UnsupportedMediaTypeError
 ├── PayloadTooLargeError
 └── StorageError             the store failed; ``cause`` keeps the original exception
"""

from dataclasses import dataclass, field
from typing import Any


class PolymetricError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidInputError(PolymetricError):
    """Bad input. ``params`` maps a field to its messages; ``request`` holds messages about the whole request."""

    def __init__(self, params: dict[str, list[str]] | None = None, request: list[str] | None = None) -> None:
        self.params = params or {}
        self.request = request or []
        super().__init__("; ".join([*self.request, *(f"{k}: {', '.join(v)}" for k, v in self.params.items())]))

    @classmethod
    def param(cls, name: str, message: str) -> "InvalidInputError":
        return cls(params={name: [message]})


@dataclass(frozen=True)
class ItemError:
    """One rejected item of a batch: the field at fault, why, and the item's position."""

    param: str
    reason: str
    index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"param": self.param, "reason": self.reason}
        if self.index is not None:
            body["index"] = self.index
        return body


@dataclass
class BatchOutcome:
    """How a batch went: counts and the errors of the rejected items."""

    total: int
    accepted: int
    failed: int
    filtered: int = 0
    errors: list[ItemError] = field(default_factory=list)
    rate_limited: int = 0  # items refused because the token was over its measurement limit


class PartialAcceptanceError(InvalidInputError):
    """Every item of a batch was rejected (nothing stored); carries the same outcome a partial success reports."""

    def __init__(self, outcome: BatchOutcome) -> None:
        self.outcome = outcome
        super().__init__(request=[e.reason for e in outcome.errors[:5]])


class MalformedInputError(InvalidInputError):
    """The body could not be read (not JSON, wrong JSON types): dialects that tell parse errors apart use it."""


class ValidationFailedError(InvalidInputError):
    """The body was read but breaks a rule; ``values`` maps a field to the offending value (Argus FIELD_ERROR)."""

    def __init__(self, params: dict[str, list[str]], values: dict[str, str] | None = None) -> None:
        super().__init__(params=params)
        self.values = values or {}


class EmptyDataError(InvalidInputError):
    pass


class UnreadableDataError(InvalidInputError):
    pass


class NoValidItemsError(InvalidInputError):
    """Nothing was left to store; ``items`` holds one message per dropped item (may be empty)."""

    def __init__(self, message: str, items: list[str] | None = None) -> None:
        super().__init__(request=[message])
        self.items = items or []


class QuotaExceededError(InvalidInputError):
    """New metrics beyond the organization's metric quota; ``report`` is the dialect's per-metric account."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(request=[message])
        self.report = report


class ReadLimitError(InvalidInputError):
    """A read would go through more stored items than its budget allows (storage stops there); the domain
    says how to narrow the request."""

    def __init__(self) -> None:
        super().__init__(request=["the request would read more stored items than one request may"])


class UnauthorizedError(PolymetricError):
    pass


class MissingCredentialsError(UnauthorizedError):
    pass


class UnknownAccountError(UnauthorizedError):
    pass


class PaymentRequiredError(PolymetricError):
    pass


class ForbiddenError(PolymetricError):
    pass


class RateLimitedError(PolymetricError):
    def __init__(self, message: str, outcome: BatchOutcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


class NotFoundError(PolymetricError):
    pass


class ConflictError(PolymetricError):
    pass


class VersionConflictError(ConflictError):
    """An optimistic write lost: the stored version is not the one read (another writer came in between,
    or the item vanished). Running the operation again from its read is safe: ``domain.conflicts.retried``."""


class AlreadyExistsError(ConflictError):
    pass


class NameTakenError(AlreadyExistsError, InvalidInputError):
    """A name another resource holds, as a param error: the status of AlreadyExistsError (first in the MRO,
    so ``status_of`` finds it before InvalidInputError) and the ``params`` body of InvalidInputError."""

    def __init__(self, param: str = "name", message: str = "has already been taken") -> None:
        super().__init__(params={param: [message]})


class UnsupportedMediaTypeError(PolymetricError):
    pass


class PayloadTooLargeError(PolymetricError):
    pass


class StorageError(PolymetricError):
    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause
