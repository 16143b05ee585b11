import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import PutError

from polymetric.errors import ConflictError, StorageError
from polymetric.storage.failures import conditional_failed, translated


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem")


@pytest.mark.parametrize(
    "error",
    [_client_error("ProvisionedThroughputExceededException"), EndpointConnectionError(endpoint_url="x"), PutError()],
)
def test_store_errors_become_storage_errors_with_their_cause(error: Exception) -> None:
    with pytest.raises(StorageError, match="metric write failed") as caught, translated("metric write failed"):
        raise error
    assert caught.value.cause is error


def test_other_errors_pass_unchanged() -> None:
    with pytest.raises(ConflictError), translated("metric write failed"):
        raise ConflictError("changed meanwhile")


def test_as_a_decorator() -> None:
    @translated("read failed")
    def read() -> None:
        raise _client_error("InternalServerError")

    with pytest.raises(StorageError, match="read failed"):
        read()


def test_conditional_failures_are_recognised_from_botocore_and_pynamodb() -> None:
    assert conditional_failed(_client_error("ConditionalCheckFailedException"))
    assert not conditional_failed(_client_error("ValidationException"))
    put = PutError(cause=_client_error("ConditionalCheckFailedException"))
    assert conditional_failed(put)
    assert not conditional_failed(ValueError("x"))
