"""Chunking a round's metrics: bounded chunks, one message group each, stable ids."""

import pytest

from polymetric.domain.compaction import ChunkJob, HourJob, job_from_message
from polymetric.storage import keys, rounds, samples


def test_chunks_are_bounded_and_each_within_one_message_group() -> None:
    names = (
        [f"m{i:04d}" for i in range(1000)]
        + ["x" * 255 for _ in range(1)]
        + [f"long.{'y' * 200}.{i}" for i in range(40)]
    )
    chunks = rounds.chunked("t1", names)
    assert sorted(n for c in chunks for n in c) == sorted(names)
    for chunk in chunks:
        assert 0 < len(chunk) <= rounds.CHUNK_METRICS
        assert sum(len(n) + 3 for n in chunk) <= rounds.CHUNK_BYTES
        assert len({keys.compaction_group("t1", n) for n in chunk}) == 1
    # Full chunks: about names / 25, plus at most one partial chunk per group.
    assert len(chunks) <= len(names) // rounds.CHUNK_METRICS + 2 * keys.COMPACTION_SHARDS


def test_chunk_ids_depend_only_on_the_metrics() -> None:
    a = [rounds.chunk_id(c) for c in rounds.chunked("t1", ["b", "a", "c"])]
    b = [rounds.chunk_id(c) for c in rounds.chunked("t1", ["c", "b", "a"])]
    assert a == b
    assert rounds.chunk_id(["a"]) != rounds.chunk_id(["a", "b"])


def test_a_round_is_complete_when_every_chunk_is_marked() -> None:
    assert rounds.Round().complete  # no HEAD: an hour without metrics
    assert not rounds.Round(chunks={"a", "b"}, compacted={"a"}).complete
    assert rounds.Round(chunks={"a", "b"}, compacted={"a", "b", "old"}).complete
    assert rounds.Round(chunks=set()).complete


def test_messages_round_trip() -> None:
    chunk = ChunkJob("t1", 3600, "abc", ("cpu", "disk"))
    late = HourJob("t1", "cpu", 7200)
    assert job_from_message(chunk.as_message()) == chunk
    assert job_from_message(late.as_message()) == late
    assert chunk.group_metric == late.group_metric == "cpu"
    with pytest.raises(ValueError):
        job_from_message({"tenant": "t1", "hour": 1, "chunk": "a", "metrics": "cpu"})


@pytest.mark.parametrize(
    ("created", "first"),
    [
        (7200, 3600),  # at 02:00 the hour 01:00 still takes live writes (it closes at 02:05)
        (7200 + 299, 3600),
        (7200 + 300, 7200),  # 01:00 closed: later writes to it are late data
        (7200 + 3599, 7200),
    ],
)
def test_the_first_round_is_the_first_hour_open_at_creation(created: int, first: int) -> None:
    assert rounds.first_round(created) == first
    assert not samples.hour_is_closed(first, created) and samples.hour_is_closed(first - keys.HOUR, created)
