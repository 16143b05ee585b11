"""One versioned put for every adapter: a moved version is a ConflictError, any other failure a StorageError."""

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError

from polymetric.errors import ConflictError, StorageError
from polymetric.storage.failures import save_versioned


class _Item:
    def __init__(self, code: str | None) -> None:
        self.code, self.saved = code, False

    def save(self) -> None:
        if self.code is None:
            self.saved = True
            return
        raise PutError(cause=ClientError({"Error": {"Code": self.code, "Message": "no"}}, "PutItem"))


def test_a_put_that_succeeds_is_saved() -> None:
    item = _Item(None)
    save_versioned(item, "write failed", "it changed")  # type: ignore[arg-type]
    assert item.saved


def test_a_moved_version_is_a_conflict() -> None:
    with pytest.raises(ConflictError, match="it changed"):
        save_versioned(_Item("ConditionalCheckFailedException"), "write failed", "it changed")  # type: ignore[arg-type]


def test_any_other_failure_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="write failed"):
        save_versioned(_Item("ProvisionedThroughputExceededException"), "write failed", "it changed")  # type: ignore[arg-type]
