"""The one place where store failures become ``StorageError`` (503 to the caller; the cause is kept for the log).

``with translated("metric read failed"):`` (or ``@translated(...)`` on a function): a PynamoDB or botocore error
raised inside becomes ``StorageError(message, cause=error)``; anything else, the domain's own errors included,
passes unchanged.
"""

from contextlib import ContextDecorator
from types import TracebackType

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model

from polymetric.errors import StorageError, VersionConflictError

FAILURES = (PynamoDBException, ClientError, BotoCoreError)
CONDITIONAL = "ConditionalCheckFailedException"


class translated(ContextDecorator):
    def __init__(self, message: str) -> None:
        self.message = message

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if isinstance(error, FAILURES):
            raise StorageError(self.message, cause=error) from error


def conditional_failed(error: BaseException) -> bool:
    """Whether a write was refused by its condition (the item exists already, its version moved on)."""
    if isinstance(error, PynamoDBException):
        return error.cause_response_code == CONDITIONAL
    if isinstance(error, ClientError):
        return bool(error.response.get("Error", {}).get("Code") == CONDITIONAL)
    return False


def failed_condition_at(error: TransactWriteError, index: int) -> bool:
    """Whether item ``index`` of a cancelled transaction was refused by its condition."""
    reasons = error.cancellation_reasons or []
    reason = reasons[index] if index < len(reasons) else None
    return reason is not None and reason.code == "ConditionalCheckFailed"


def save_versioned(item: Model, failure: str, conflict: str) -> None:
    """Put ``item``, conditioned by PynamoDB on the version it was read at: ``VersionConflictError(conflict)`` when
    that version moved on (or the item vanished) meanwhile, ``StorageError(failure)`` on any other failure."""
    with translated(failure):
        try:
            item.save()
        except PutError as exc:
            if conditional_failed(exc):
                raise VersionConflictError(conflict) from exc
            raise
