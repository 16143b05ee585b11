"""BatchWriteItem calls of one write go out concurrently; unprocessed items are retried per batch."""

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from polymetric.config import Settings, get_settings
from polymetric.storage import batch


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for field in dataclasses.fields(Settings):
        if field.default is dataclasses.MISSING:  # the resource names, which have no defaults
            monkeypatch.setenv(field.name, "x")
    monkeypatch.setenv("WRITE_CONCURRENCY", "4")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class Client:
    def __init__(self, barrier: threading.Barrier | None, unprocessed_once: bool = False) -> None:
        self.barrier = barrier
        self.unprocessed_once = unprocessed_once
        self.written: list[Any] = []
        self.lock = threading.Lock()

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        if self.barrier is not None:
            self.barrier.wait()
        ((table, requests),) = RequestItems.items()
        with self.lock:
            if self.unprocessed_once:
                self.unprocessed_once = False
                self.written += requests[1:]
                return {"UnprocessedItems": {table: requests[:1]}}
            self.written += requests
        return {}


def test_batches_run_concurrently(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Four batches of 25 that each wait for all four to be in flight: sequential calls break the barrier.
    client = Client(threading.Barrier(4, timeout=10))
    monkeypatch.setattr(batch, "dynamodb", lambda: client)
    items = [{"pk": {"S": str(i)}} for i in range(100)]
    assert batch.write("s", items) == 4
    assert sorted(r["PutRequest"]["Item"]["pk"]["S"] for r in client.written) == sorted(str(i) for i in range(100))


def test_unprocessed_items_are_retried(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(None, unprocessed_once=True)
    monkeypatch.setattr(batch, "dynamodb", lambda: client)
    monkeypatch.setattr(batch, "_backoff", lambda attempt: None)
    assert batch.write("s", [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}], deletes=[{"pk": {"S": "c"}}]) == 2
    assert len(client.written) == 3
