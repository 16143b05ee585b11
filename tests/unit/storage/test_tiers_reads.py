"""Per-series Queries of a read run concurrently, and their results keep the series order."""

import threading
from collections.abc import Iterator

import pytest

from polymetric.config import get_settings
from polymetric.storage import tiers


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("META_TABLE", "m")
    monkeypatch.setenv("SAMPLES_TABLE", "s")
    monkeypatch.setenv("COMPACTION_QUEUE_URL", "q")
    monkeypatch.setenv("NOTIFICATIONS_QUEUE_URL", "q")
    monkeypatch.setenv("SNAPSHOTS_BUCKET", "b")
    monkeypatch.setenv("SNAPSHOT_QUEUE_URL", "q")
    monkeypatch.setenv("READ_CONCURRENCY", "8")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_queries_run_concurrently_and_keep_the_series_order(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sids = [bytes([i]) * 12 for i in range(8)]
    # Every Query waits until all eight are in flight at once: sequential Queries would break the barrier.
    barrier = threading.Barrier(len(sids), timeout=10)

    def query(tenant: str, generation: int, sid_hex: str, lo: str, hi: str) -> list[dict]:
        barrier.wait()
        return [{"sid": sid_hex}]

    monkeypatch.setattr(tiers, "_series_items", query)
    found = list(tiers._query_each("t", 1, sids, ("a", "b")))
    assert [f[0]["sid"] for f in found] == [s.hex() for s in sids]


def test_a_single_series_is_read_without_a_pool(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = []

    def query(tenant: str, generation: int, sid_hex: str, lo: str, hi: str) -> list[dict]:
        threads.append(threading.current_thread())
        return []

    monkeypatch.setattr(tiers, "_series_items", query)
    assert list(tiers._query_each("t", 1, [b"x" * 12], ("a", "b"))) == [[]]
    assert threads == [threading.main_thread()]
