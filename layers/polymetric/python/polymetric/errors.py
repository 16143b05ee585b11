"""Domain errors. They carry data, never HTTP: only ``api/errors.py`` maps them to status codes.

PolymetricError
 ├── InvalidInputError        bad request data; ``params`` maps field -> messages
 │    └── PartialAcceptanceError   some items accepted, some rejected (counts + item errors)
 ├── UnauthorizedError        no or unknown credentials
 ├── ForbiddenError           the token's role does not allow the route
 ├── NotFoundError            the resource does not exist for this tenant
 ├── ConflictError            the resource already exists / changed underneath
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


class PartialAcceptanceError(InvalidInputError):
    """Every item of a batch was rejected (nothing stored); carries the same outcome a partial success reports."""

    def __init__(self, outcome: BatchOutcome) -> None:
        self.outcome = outcome
        super().__init__(request=[e.reason for e in outcome.errors[:5]])


class UnauthorizedError(PolymetricError):
    pass


class ForbiddenError(PolymetricError):
    pass


class NotFoundError(PolymetricError):
    pass


class ConflictError(PolymetricError):
    pass


class UnsupportedMediaTypeError(PolymetricError):
    pass


class PayloadTooLargeError(PolymetricError):
    pass


class StorageError(PolymetricError):
    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause
