"""Chunk rewrites (storage.tiers) that stop halfway lose nothing, splits stay under the item limit, and a
read of many series costs requests per page, not per chunk."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from polymetric.errors import StorageError
from polymetric.storage import batch, tiers

HOUR = 1_700_000_000 - 1_700_000_000 % 3600


def block(n: int, seed: int) -> tiers.Block:
    rng = np.random.default_rng(seed)
    return tiers.Block(np.arange(n, dtype=np.int64), rng.random((n, 6)) * 1e6)


def read(sids: Sequence[bytes]) -> dict[int, float]:
    """Series position -> first value read back (the newest write of that series)."""
    frame, _ = tiers.read_blocks("t", "m", 1, np.array(sids, dtype="S12"), HOUR, HOUR + 3599)
    return {int(s): float(frame.values[frame.series == s][0, 1]) for s in np.unique(frame.series)}


def store(sids: Sequence[bytes], n: int, seed: int = 0) -> dict[bytes, tiers.Block]:
    """Write blocks of these series the way the compactor does (read the chunks they fall in, rewrite)."""
    updated = {s: block(n, seed + i) for i, s in enumerate(sids)}
    tiers.write_hour("t", "m", 1, HOUR, updated, tiers.hour_chunks("t", "m", 1, HOUR, list(sids)))
    return updated


def stop_after(items: int, calls: int, real: Callable[..., int]) -> Callable[..., int]:
    """batch.write that stores all of its first ``calls`` calls, then ``items`` items of the next, then fails."""
    seen = {"calls": 0}

    def write(table: str, puts: Sequence[Any] = (), deletes: Sequence[Any] = ()) -> int:
        seen["calls"] += 1
        if seen["calls"] <= calls:
            return real(table, puts, deletes)
        real(table, puts[:items], deletes)
        raise StorageError("items still unprocessed")

    return write


def first_value(blocks: dict[bytes, tiers.Block], sid: bytes) -> float:
    return float(blocks[sid].values[0, 1])


def test_a_new_hour_whose_first_chunk_was_not_stored_is_completed_by_the_next_run(
    aws: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    sids = [bytes([i]) * 12 for i in range(1, 9)]
    real = batch.write

    def all_but_the_first(table: str, puts: Sequence[Any] = (), deletes: Sequence[Any] = ()) -> int:
        real(table, [p for p in puts if not p["sk"]["S"].endswith("#")], deletes)  # the period's first chunk
        raise StorageError("items still unprocessed")

    monkeypatch.setattr(batch, "write", all_but_the_first)
    with pytest.raises(StorageError):
        store(sids, 2000)
    monkeypatch.setattr(batch, "write", real)
    assert len(read(sids)) < len(sids)
    written = store(sids, 2000)  # the retry (it used to raise ValueError on every run)
    assert read(sids) == {i: first_value(written, s) for i, s in enumerate(sids)}


@pytest.mark.parametrize(("calls", "items"), [(0, 0), (1, 0)], ids=["split-off not stored", "shortened not stored"])
def test_a_split_stopped_halfway_loses_no_series(
    aws: object, monkeypatch: pytest.MonkeyPatch, calls: int, items: int
) -> None:
    a, b, c = b"\x10" * 12, b"\x20" * 12, b"\x30" * 12
    first = store([a, b, c], 5)
    # Late data for a makes the chunk outgrow CHUNK_MAX: a stays in it, b and c move to a new chunk.
    monkeypatch.setattr(batch, "write", stop_after(items, calls, batch.write))
    with pytest.raises(StorageError):
        store([a], 3000, seed=9)
    monkeypatch.undo()
    assert set(read([a, b, c])) == {0, 1, 2}
    late = store([a], 3000, seed=9)  # the retry: only a is in its slabs (the hour's earlier slabs expired)
    assert read([a, b, c]) == {0: first_value(late, a), 1: first_value(first, b), 2: first_value(first, c)}
    # Later rewrites of the shortened chunk never bring back the copies a stop left in it.
    newer = store([b], 5, seed=20)
    assert read([a, b, c])[1] == first_value(newer, b)


def test_series_ids_ending_in_nul_bytes_are_found(aws: object) -> None:
    sids = sorted([b"\x00" * 12, b"\x01" + b"\x00" * 11, b"\xff" * 11 + b"\x00", b"\x80" * 12])
    written = store(sids, 2000)
    assert len(tiers.hour_chunks("t", "m", 1, HOUR, sids)) > 1
    assert read(sids) == {i: first_value(written, s) for i, s in enumerate(sids)}


def test_a_split_estimated_from_a_compressible_prefix_stays_under_the_item_limit(aws: object) -> None:
    rng = np.random.default_rng(1)
    updated = {
        i.to_bytes(2, "big") + b"\x01" * 10: tiers.Block(
            np.arange(200, dtype=np.int64), np.zeros((200, 6)) if i < 100 else rng.random((200, 6)) * 1e9
        )
        for i in range(300)
    }
    puts: list[dict] = []
    real = batch.write

    def kept(table: str, items: Sequence[Any] = (), deletes: Sequence[Any] = ()) -> int:
        puts.extend(items)
        return real(table, items, deletes)

    batch.write = kept  # type: ignore[assignment]
    try:
        tiers.write_hour("t", "m", 1, HOUR, updated, [])
    finally:
        batch.write = real  # type: ignore[assignment]
    assert max(len(p["d"]["B"]) for p in puts) <= tiers.CHUNK_MAX  # one 1.6 MB item before


def test_a_read_of_many_series_reads_the_rest_of_the_hour_in_pages(
    aws: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(2)
    sids = sorted(rng.bytes(12) for _ in range(5000))
    written = {
        s: tiers.Block(np.arange(0, 3600, 60, dtype=np.int64), np.round(rng.random((60, 6)) * 100, 2)) for s in sids
    }
    tiers.write_hour("t", "m", 1, HOUR, written, [])
    calls = {"edge_between": 0, "query": 0}
    for name in calls:
        monkeypatch.setattr(batch, name, _counted(calls, name, getattr(batch, name)))
    frame, items = tiers.read_blocks("t", "m", 1, np.array(sids, dtype="S12"), HOUR, HOUR + 3599)
    assert len(np.unique(frame.series)) == len(sids) and len(frame) == 60 * len(sids)
    assert items > 100  # chunks
    assert calls == {"edge_between": tiers.WALK_STEPS, "query": 1}  # 380 Queries one after another before


def _counted(calls: dict[str, int], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return real(*args, **kwargs)

    return counted
