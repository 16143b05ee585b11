"""Slabs over the item limit are split into parts: by series, then (one series alone) by write order."""

import numpy as np
import pytest

from polymetric.storage import codecs, samples


def section(sids: list[bytes], values: list[float]) -> codecs.Section:
    n = len(sids)
    return (np.array(sids, dtype="S12"), np.arange(n, dtype=np.int64) % 3600, np.array(values).reshape(n, 1))


def rows(parts: list[tuple[int, bytes]]) -> list[tuple[bytes, int, float]]:
    out = []
    for _, blob in parts:
        for sids, offsets, columns in codecs.decode_slab(blob):
            out += zip(sids.tolist(), offsets.tolist(), columns[:, 0].tolist(), strict=True)
    return out


def test_a_small_slab_is_one_part() -> None:
    parts = samples.encode_parts([section([b"a" * 12] * 3, [1.0, 2.0, 3.0])])
    assert [n for n, _ in parts] == [3]


def test_a_large_slab_splits_by_series_under_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(samples, "MAX_SLAB_BYTES", 4000)
    rnd = np.random.default_rng(1)
    sids = [f"{i:012d}".encode() for i in range(2000)]
    parts = samples.encode_parts([section(sids, rnd.random(2000).tolist())])
    assert len(parts) > 1
    assert all(len(blob) <= 4000 for _, blob in parts)
    assert sum(n for n, _ in parts) == 2000
    got = rows(parts)
    assert sorted(got) == got  # parts follow series order: a series' rows are in one part
    assert len({sid for sid, _, _ in got}) == 2000


def test_one_series_alone_splits_in_write_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(samples, "MAX_SLAB_BYTES", 2000)
    values = np.random.default_rng(2).random(1000).tolist()
    sid = b"s" * 12
    first = section([sid] * 1000, values)
    parts = samples.encode_parts([(first[0], np.zeros(1000, dtype=np.int64), first[2])])  # one offset, rewritten
    assert len(parts) > 1
    assert [v for _, _, v in rows(parts)] == values  # the last part holds the last write
