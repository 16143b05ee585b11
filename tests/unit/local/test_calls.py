"""The lock on moto's calls (calls.py): reentrant, suspendable, and taken around every call moto answers."""

import threading

import boto3
import pytest
from moto import mock_aws
from moto.sqs.models import SQSBackend

from polymetric_local import calls
from polymetric_local.calls import CallLock


def test_the_lock_is_reentrant_and_keeps_other_threads_out_until_fully_released() -> None:
    lock = CallLock()
    entered = threading.Event()

    def other() -> None:
        with lock:
            entered.set()

    with lock, lock:
        thread = threading.Thread(target=other)
        thread.start()
        assert not entered.wait(0.2)
    thread.join(5)
    assert entered.is_set()


def test_a_suspended_lock_lets_others_in_and_comes_back_as_deep_as_it_was() -> None:
    lock = CallLock()
    inside = threading.Event()

    def other() -> None:
        with lock:
            inside.set()

    with lock, lock:
        with lock.suspended():
            assert not lock.held()
            thread = threading.Thread(target=other)
            thread.start()
            assert inside.wait(5)  # would time out if the lock were still held
            thread.join(5)
        assert lock.held()
    assert not lock.held()


def test_releasing_a_lock_not_held_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        CallLock().release()


def test_every_call_into_moto_holds_the_lock(monkeypatch) -> None:
    seen: list[bool] = []
    list_queues = SQSBackend.list_queues

    def spy(self, *args, **kwargs):
        seen.append(calls.CALLS.held())
        return list_queues(self, *args, **kwargs)

    monkeypatch.setattr(SQSBackend, "list_queues", spy)
    calls.install()
    try:
        with mock_aws():
            boto3.client("sqs", region_name="us-east-1").list_queues()
    finally:
        calls.uninstall()
    assert seen == [True]
    assert not calls.CALLS.held()


def test_dynamodb_calls_into_moto_go_unsigned_and_other_services_stay_signed() -> None:
    """moto's DynamoDB checks no signature; SigV4 was ~9 % of a DynamoDB call's CPU. moto's S3 does check."""
    headers: dict[str, list[dict]] = {"dynamodb": [], "s3": []}

    def calls_of(service: str):
        client = boto3.client(service, region_name="us-east-1")
        client.meta.events.register("before-send", lambda request, **_: headers[service].append(dict(request.headers)))
        return client

    calls.install()
    try:
        with mock_aws():
            calls_of("dynamodb").list_tables()
            calls_of("s3").list_buckets()
    finally:
        calls.uninstall()
    assert "Authorization" not in headers["dynamodb"][0]
    assert "Authorization" in headers["s3"][0]
    with mock_aws():  # uninstalled: signed again
        calls_of("dynamodb").list_tables()
    assert "Authorization" in headers["dynamodb"][-1]
