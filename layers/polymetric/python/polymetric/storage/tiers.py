"""Compacted tiers: per-series hour blocks (32 days) and days of hourly rollups (558 days).

Both live in the series' own partition ``T#{t}#S#{sid}#{gen}``, so one Query per series reads a
range of hours (blocks, ``B{hour}``) or days (rollups, ``R{day}``). Encodings are in ``codecs.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

from polymetric.config import get_settings
from polymetric.lazy import np
from polymetric.models import window
from polymetric.models.samples import FloatArray, IntArray, SampleFrame, SidArray, SourceArray, sid_list, take_rows
from polymetric.storage import batch, codecs, keys

BLOCK_RETENTION = 32 * keys.DAY
ROLLUP_RETENTION = window.RETENTION  # the accepted window's past bound is what this tier keeps

Item = dict[str, dict[str, object]]


@dataclass(frozen=True)
class Block:
    """One series-hour of samples: offsets within the hour, six columns, optional write sources."""

    offsets: IntArray
    values: FloatArray
    sources: SourceArray | None = None


def block_item(tenant: str, sid_hex: str, generation: int, hour: int, block: Block) -> Item:
    return {
        "pk": {"S": keys.series_pk(tenant, sid_hex, generation)},
        "sk": {"S": keys.block_sk(hour)},
        "d": {"B": codecs.encode_block(block.offsets, block.values, block.sources)},
        "ttl": {"N": str(hour + keys.HOUR + BLOCK_RETENTION)},
    }


def rollup_item(tenant: str, sid_hex: str, generation: int, day: int, hours: IntArray, values: FloatArray) -> Item:
    return {
        "pk": {"S": keys.series_pk(tenant, sid_hex, generation)},
        "sk": {"S": keys.rollup_sk(day)},
        "d": {"B": codecs.encode_rollups(hours, values)},
        "ttl": {"N": str(day + keys.DAY + ROLLUP_RETENTION)},
    }


def get_blocks(tenant: str, generation: int, sid_hexes: Sequence[str], hour: int) -> dict[str, Block]:
    """The existing blocks of one hour for these series (BatchGetItem), by sid hex."""
    table = get_settings().SAMPLES_TABLE
    wanted = [{"pk": {"S": keys.series_pk(tenant, s, generation)}, "sk": {"S": keys.block_sk(hour)}} for s in sid_hexes]
    out = {}
    for item in batch.get(table, wanted):
        offsets, values, sources = codecs.decode_block(bytes(item["d"]["B"]))
        out[item["pk"]["S"].split("#")[3]] = Block(offsets, values, sources)
    return out


def get_rollups(
    tenant: str, generation: int, sid_hexes: Sequence[str], day: int
) -> dict[str, tuple[IntArray, FloatArray]]:
    table = get_settings().SAMPLES_TABLE
    wanted = [{"pk": {"S": keys.series_pk(tenant, s, generation)}, "sk": {"S": keys.rollup_sk(day)}} for s in sid_hexes]
    return {
        item["pk"]["S"].split("#")[3]: codecs.decode_rollups(bytes(item["d"]["B"])) for item in batch.get(table, wanted)
    }


def put(items: Sequence[Item]) -> int:
    return batch.write(get_settings().SAMPLES_TABLE, items)


def _series_items(tenant: str, generation: int, sid_hex: str, lo: str, hi: str) -> Iterable[batch.Item]:
    table = get_settings().SAMPLES_TABLE
    return batch.query(table, keys.series_pk(tenant, sid_hex, generation), sk_between=(lo, hi))


Decoded: TypeAlias = "tuple[IntArray, FloatArray, SourceArray | None]"  # times, six columns, write sources


def _decode_block_item(item: batch.Item) -> Decoded:
    offsets, values, sources = codecs.decode_block(bytes(item["d"]["B"]))
    return offsets + int(item["sk"]["S"][1:]), values, sources


def _decode_rollup_item(item: batch.Item) -> Decoded:
    hours, values = codecs.decode_rollups(bytes(item["d"]["B"]))
    return hours * keys.HOUR + int(item["sk"]["S"][1:]), values, None


def _read_range(
    tenant: str,
    generation: int,
    sids: SidArray,
    start: int,
    end: int,
    bounds: tuple[str, str],
    decode: Callable[[batch.Item], Decoded],
) -> tuple[SampleFrame, int]:
    """One Query per series over ``bounds``; rows with start <= time <= end; series = positions in sids.

    The Queries run concurrently (network-bound on DynamoDB); decoding stays in series order.
    """
    frames: list[SampleFrame] = []
    items_read = 0
    for index, found in enumerate(_query_each(tenant, generation, sid_list(sids), bounds)):
        for item in found:
            items_read += 1
            times, values, sources = decode(item)
            mask = (times >= start) & (times <= end)
            if mask.any():
                frames.append(
                    SampleFrame(
                        np.full(int(mask.sum()), index, dtype=np.int64),
                        times[mask],
                        take_rows(values, mask),
                        sources[mask] if sources is not None else None,
                    )
                )
    return SampleFrame.concat(frames), items_read


def _query_each(tenant: str, generation: int, sids: list[bytes], bounds: tuple[str, str]) -> Iterable[list[batch.Item]]:
    def fetch(sid: bytes) -> list[batch.Item]:
        return list(_series_items(tenant, generation, sid.hex(), *bounds))

    workers = min(get_settings().READ_CONCURRENCY, len(sids))
    if workers <= 1:
        return map(fetch, sids)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="series-read") as pool:
        return list(pool.map(fetch, sids))


def read_blocks(tenant: str, generation: int, sids: SidArray, start: int, end: int) -> tuple[SampleFrame, int]:
    """Block samples of each series with start <= time <= end."""
    bounds = keys.block_sk(keys.hour_of(max(start, 0))), keys.block_sk(keys.hour_of(max(end, 0)))
    return _read_range(tenant, generation, sids, start, end, bounds, _decode_block_item)


def read_rollups(tenant: str, generation: int, sids: SidArray, start: int, end: int) -> tuple[SampleFrame, int]:
    """Hourly rollup rows (time = start of the hour) of each series for hours in [start, end]."""
    bounds = keys.rollup_sk(keys.day_of(max(start, 0))), keys.rollup_sk(keys.day_of(max(end, 0)))
    return _read_range(tenant, generation, sids, start, end, bounds, _decode_rollup_item)


def delete_series(tenant: str, generation: int, sid_hexes: Iterable[str]) -> int:
    """Delete every block and rollup of these series. Returns items deleted."""
    table = get_settings().SAMPLES_TABLE
    doomed = [
        {"pk": i["pk"], "sk": i["sk"]}
        for sid_hex in sid_hexes
        for i in batch.query(table, keys.series_pk(tenant, sid_hex, generation), projection="pk, sk")
    ]
    batch.write(table, deletes=doomed)
    return len(doomed)
