"""Reads of chunks: periods run concurrently, and the walk down from the greatest wanted sid reads each
chunk holding wanted series once and no other chunk."""

import bisect
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from polymetric.config import get_settings
from polymetric.models.samples import from_values
from polymetric.storage import chunk_codec, keys, tiers

HOUR = 3600 * 500_000


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


def test_periods_are_read_concurrently_and_keep_the_series_order(
    settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every Query waits until all eight hours are in flight at once: sequential Queries would break the barrier.
    barrier = threading.Barrier(8, timeout=10)

    def edge_between(table: str, pk: str, lo: str, hi: str, **_: object) -> dict | None:
        barrier.wait()
        return None

    monkeypatch.setattr(tiers.batch, "edge_between", edge_between)
    frame, items = tiers.read_blocks("t", "m", 1, np.array([b"a" * 12], dtype="S12"), HOUR, HOUR + 8 * 3600 - 1)
    assert (len(frame), items) == (0, 0)


def test_a_single_period_is_read_without_a_pool(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = []

    def edge_between(table: str, pk: str, lo: str, hi: str, **_: object) -> dict | None:
        threads.append(threading.current_thread())
        return None

    monkeypatch.setattr(tiers.batch, "edge_between", edge_between)
    tiers.read_blocks("t", "m", 1, np.array([b"a" * 12], dtype="S12"), HOUR, HOUR + 59)
    assert threads == [threading.main_thread()]


def _store(series_per_chunk: list[list[int]]) -> dict[str, dict]:
    """Chunks of one hour; series n has sid bytes([n]) * 12 and one row at offset n with value n."""
    items = {}
    for run in series_per_chunk:
        encoded = [
            (bytes([n]) * 12, np.array([n], dtype=np.int64), from_values(np.array([float(n)])), None) for n in run
        ]
        sk = keys.chunk_sk(HOUR, encoded[0][0].hex())
        items[sk] = {"sk": {"S": sk}, "d": {"B": chunk_codec.encode_chunk(encoded)}}
    return items


def test_each_chunk_holding_wanted_series_is_read_once(settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store([[10, 20, 30], [40, 50], [60, 70, 80], [90]])
    asked: list[str] = []

    def edge_between(table: str, pk: str, lo: str, hi: str, **_: object) -> dict | None:
        # As DynamoDB answers sk BETWEEN lo AND hi, newest first, Limit 1.
        ordered = sorted(store)
        at = bisect.bisect_right(ordered, hi) - 1
        found = store[ordered[at]] if at >= 0 and ordered[at] >= lo else None
        asked.append(found["sk"]["S"] if found else "none")
        return found

    monkeypatch.setattr(tiers.batch, "edge_between", edge_between)
    # 5 and 45 are in no chunk; 5 is below every chunk. 60 and 80 share a chunk; the chunk of 90 holds none.
    wanted = [80, 5, 20, 45, 60, 10]
    sids = np.array([bytes([n]) * 12 for n in wanted], dtype="S12")
    frame, items = tiers.read_blocks("t", "m", 1, sids, HOUR, HOUR + 3599)
    assert asked == [keys.chunk_sk(HOUR, (bytes([n]) * 12).hex()) for n in (60, 40, 10)] + ["none"]
    assert items == 3
    got = sorted(zip(frame.series.tolist(), frame.times.tolist(), frame.values[:, 1].tolist(), strict=True))
    assert got == sorted((wanted.index(n), HOUR + n, float(n)) for n in (80, 20, 60, 10))
