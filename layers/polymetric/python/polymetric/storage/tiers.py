"""Compacted tiers, stored in chunks: hour blocks (raw samples, 32 days) and days of hourly rollups (558 days).

A chunk holds a run of one metric's series, sorted by series id, for one hour (blocks) or one day
(rollups): ``{hour}#{sid}`` in the metric's block partition, ``{day}#{sid}`` in its rollup partition
(``keys.py``). One item per series-hour would cost at least a write unit and ~180 bytes of keys and
overhead for ~40 samples, and series that come and go (pods, deploys) would multiply both; a chunk
of ~8 KB spreads them over a few thousand samples.

A chunk covers the sids from its key's up to the next chunk's (the first chunk of a period is keyed
with no sid: it covers every sid below the others). A read of some series walks down from the
greatest wanted sid: the chunk with the greatest key at or below it (one Query, newest first,
``Limit 1``) holds every wanted sid from its key up to that one, so each chunk the wanted series fall
in is read once, and the others not at all; past ``WALK_STEPS`` chunks (many series), the rest of the
range is read in pages. The compactor finds the chunks of its series the same way and rewrites only
those. Encodings are in ``chunk_codec.py``.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

from polymetric.config import get_settings
from polymetric.lazy import np
from polymetric.models import window
from polymetric.models.samples import FloatArray, IntArray, SampleFrame, SidArray, SourceArray, sid_list, take_rows
from polymetric.storage import batch, chunk_codec, keys

BLOCK_RETENTION = 32 * keys.DAY
ROLLUP_RETENTION = window.RETENTION  # the accepted window's past bound is what this tier keeps
# A chunk aims at 8 KB: a one-series read pays 1 read unit for it, and a metric-hour's items fill their
# write units (a 300-byte series-hour alone would still cost a whole one).
CHUNK_TARGET = 8 * 1024
CHUNK_MAX = 2 * CHUNK_TARGET  # a chunk that grows past this (late data, new series, a day's rows) is split
_ESTIMATE_ROWS = 20_000  # rows encoded to estimate a run's bytes per row
WALK_STEPS = 8  # chunks a read finds one Query each before it reads the rest of the range at once

Item = dict[str, dict[str, object]]


@dataclass(frozen=True)
class Block:
    """Rows of one series in a chunk: offsets (seconds in the hour, or hours in the day for rollups),
    six columns, optional write sources."""

    offsets: IntArray
    values: FloatArray
    sources: SourceArray | None = None


@dataclass(frozen=True)
class Chunk:
    """One stored chunk: its sort key and the rows of its series, by sid in sid order."""

    sk: str
    series: dict[bytes, Block]


@dataclass(frozen=True)
class _Tier:
    """Where one tier keeps a metric's chunks of a period (an hour of blocks, a day of rollups)."""

    pk: str
    start: int  # the period's start (epoch seconds)
    step: int  # seconds an offset stands for: 1 in an hour block, 3600 in a day of rollups
    ttl: int

    def sk(self, sid_hex: str = "") -> str:
        return keys.chunk_sk(self.start, sid_hex)


def _blocks(tenant: str, metric_lower: str, generation: int, hour: int) -> _Tier:
    pk = keys.block_chunks_pk(tenant, metric_lower, generation)
    return _Tier(pk, hour, 1, hour + keys.HOUR + BLOCK_RETENTION)


def _rollups(tenant: str, metric_lower: str, generation: int, day: int) -> _Tier:
    pk = keys.rollup_chunks_pk(tenant, metric_lower, generation)
    return _Tier(pk, day, keys.HOUR, day + keys.DAY + ROLLUP_RETENTION)


# --- compaction: read a period's chunks, rewrite those the updated series fall in -----------------------------------


def hour_chunks(tenant: str, metric_lower: str, generation: int, hour: int, sids: Sequence[bytes]) -> list[Chunk]:
    """The block chunks of one metric-hour that these series fall in, in sid order (``_holding``)."""
    return _holding(_blocks(tenant, metric_lower, generation, hour), sids)


def day_rollups(tenant: str, metric_lower: str, generation: int, day: int, sids: Sequence[bytes]) -> list[Chunk]:
    """The rollup chunks of one metric-day that these series fall in; offsets are hours of the day."""
    return _holding(_rollups(tenant, metric_lower, generation, day), sids)


def all_day_rollups(tenant: str, metric_lower: str, generation: int, day: int) -> list[Chunk]:
    """Every rollup chunk of one metric-day (one Query)."""
    tier = _rollups(tenant, metric_lower, generation, day)
    return [Chunk(i["sk"]["S"], _decoded(i)) for i in _query(tier.pk, tier.sk(), tier.sk("~"))]


def day_blocks(tenant: str, metric_lower: str, generation: int, day: int) -> dict[int, list[Chunk]]:
    """Every block chunk of one metric-day, by hour (one Query, paginated)."""
    pk = keys.block_chunks_pk(tenant, metric_lower, generation)
    out: dict[int, list[Chunk]] = {}
    for item in _query(pk, keys.chunk_sk(day), keys.chunk_sk(day + keys.DAY - keys.HOUR, "~")):
        out.setdefault(int(item["sk"]["S"].split("#")[0]), []).append(Chunk(item["sk"]["S"], _decoded(item)))
    return out


def write_hour(
    tenant: str, metric_lower: str, generation: int, hour: int, updated: dict[bytes, Block], existing: list[Chunk]
) -> int:
    """Store the new blocks of these series. Returns items written."""
    return _write(_blocks(tenant, metric_lower, generation, hour), updated, existing)


def write_day_rollups(
    tenant: str, metric_lower: str, generation: int, day: int, updated: dict[bytes, Block], existing: list[Chunk]
) -> int:
    """Store the new rollup rows of these series for the day. Returns items written."""
    return _write(_rollups(tenant, metric_lower, generation, day), updated, existing)


def _query(pk: str, lo: str, hi: str) -> Iterable[batch.Item]:
    # Consistent: the compactor reads what its previous run wrote.
    return batch.query(get_settings().SAMPLES_TABLE, pk, sk_between=(lo, hi), consistent=True)


def _holding(tier: _Tier, sids: Sequence[bytes]) -> list[Chunk]:
    """The chunks these sids fall in, in sid order (the walk of reads). When the period has no first
    chunk (none yet, or its write failed while later ones were stored), an empty one stands for it."""
    steps, below = _walk(tier, sorted((sid, i) for i, sid in enumerate(sids)), consistent=True)
    chunks = [Chunk(item["sk"]["S"], _decoded(item)) for item, _, _ in steps]
    if below:
        chunks.append(Chunk(tier.sk(), {}))
    return sorted(chunks, key=lambda c: c.sk)


def _decoded(item: batch.Item) -> dict[bytes, Block]:
    return {sid: Block(o, v, s) for sid, o, v, s in chunk_codec.decode_chunk(bytes(item["d"]["B"]))}


def _write(tier: _Tier, updated: dict[bytes, Block], existing: list[Chunk]) -> int:
    """Rewrite the chunks the updated series fall in (``existing``: at least those); returns items written.

    A series goes into the chunk whose range holds its sid. A chunk grown past ``CHUNK_MAX`` is split:
    its first run keeps its key, the others are keyed by their first sid. The period's first chunk is
    keyed with no sid (it covers every sid below the others), so no key ever changes. A stop halfway
    leaves every row readable: the new chunks of a split are stored before the chunk they came from
    is shortened, and a rewrite drops the rows such a stop left behind in it (those at or past the next
    chunk's key, which reads find in that chunk).
    """
    table = get_settings().SAMPLES_TABLE
    chunks = existing or [Chunk(tier.sk(), {})]
    firsts = [bytes.fromhex(keys.chunk_sid(c.sk)) for c in chunks]
    groups: dict[int, dict[bytes, Block]] = {}
    for sid, block in updated.items():
        groups.setdefault(bisect.bisect_right(firsts, sid) - 1, {})[sid] = block
    if -1 in groups:
        raise ValueError("a series below every chunk given: the period's first chunk must be among them")
    ttl = {"N": str(tier.ttl)}
    split_off: list[batch.Item] = []
    rewritten: list[batch.Item] = []
    for index, changed in sorted(groups.items()):
        chunk = chunks[index]
        content = {**_below_next(tier, chunk), **changed} if chunk.series else changed
        runs = _split(sorted(content.items()))
        sks = [chunk.sk] + [tier.sk(run[0][0].hex()) for run, _ in runs[1:]]
        items = [
            {"pk": {"S": tier.pk}, "sk": {"S": sk}, "d": {"B": blob}, "ttl": ttl}
            for sk, (_, blob) in zip(sks, runs, strict=True)
        ]
        rewritten.append(items[0])
        split_off += items[1:]
    batch.write(table, split_off)
    batch.write(table, rewritten)
    return len(split_off) + len(rewritten)


def _below_next(tier: _Tier, chunk: Chunk) -> dict[bytes, Block]:
    """The chunk's series below the next chunk's key: a split stopped before it shortened this chunk
    left copies of the series it moved (older than theirs, and never read)."""
    after = batch.edge_between(
        get_settings().SAMPLES_TABLE, tier.pk, chunk.sk + "0", tier.sk("~"), last=False, consistent=True
    )
    if after is None:
        return chunk.series
    limit = bytes.fromhex(keys.chunk_sid(after["sk"]["S"]))
    return {sid: block for sid, block in chunk.series.items() if sid < limit}


def _encode(run: Sequence[tuple[bytes, Block]]) -> bytes:
    return chunk_codec.encode_chunk([(sid, b.offsets, b.values, b.sources) for sid, b in run])


Run: TypeAlias = "tuple[list[tuple[bytes, Block]], bytes]"  # series in sid order, and their encoding


def _split(run: list[tuple[bytes, Block]]) -> list[Run]:
    """Runs of series each encoding to about ``CHUNK_TARGET`` bytes (one run if the whole fits ``CHUNK_MAX``).

    Bytes per row are estimated from a prefix of the run (rows of one metric look alike); every piece is
    encoded, and one past ``CHUNK_MAX`` is split again (in halves when the estimate kept it whole).
    """
    if not run:
        return []
    rows = np.cumsum([len(b.offsets) for _, b in run])
    sample = run[: int(np.searchsorted(rows, _ESTIMATE_ROWS)) + 1]
    blob = _encode(sample)
    if len(sample) == len(run) and (len(blob) <= CHUNK_MAX or len(run) == 1):
        return [(run, blob)]
    per_row = len(blob) / max(int(rows[len(sample) - 1]), 1)
    # Cut after the series where the running estimate passes each multiple of the target.
    cuts = np.unique(np.searchsorted(rows * per_row, np.arange(CHUNK_TARGET, rows[-1] * per_row, CHUNK_TARGET)))
    bounds = sorted({0, *(cuts + 1).tolist(), len(run)})
    if len(bounds) == 2:  # the estimate kept it whole, but the run is past its sample: halve it
        bounds = [0, len(run) // 2, len(run)]
    out: list[Run] = []
    for lo, hi in itertools.pairwise(bounds):
        piece = run[lo:hi]
        encoded = _encode(piece)
        out += _split(piece) if len(piece) > 1 and len(encoded) > CHUNK_MAX else [(piece, encoded)]
    return out


# --- reads --------------------------------------------------------------------------------------------------------


def read_blocks(
    tenant: str, metric_lower: str, generation: int, sids: SidArray, start: int, end: int
) -> tuple[SampleFrame, int]:
    """Block samples of each series with start <= time <= end (``series`` = positions in sids), items read."""
    hours = range(keys.hour_of(max(start, 0)), keys.hour_of(max(end, 0)) + 1, keys.HOUR)
    tiers = [_blocks(tenant, metric_lower, generation, hour) for hour in hours]
    return _read(tiers, sids, start, end)


def read_rollups(
    tenant: str, metric_lower: str, generation: int, sids: SidArray, start: int, end: int
) -> tuple[SampleFrame, int]:
    """Hourly rollup rows (time = start of the hour) of each series for hours in [start, end], items read."""
    days = range(keys.day_of(max(start, 0)), keys.day_of(max(end, 0)) + 1, keys.DAY)
    tiers = [_rollups(tenant, metric_lower, generation, day) for day in days]
    return _read(tiers, sids, start, end)


def _read(tiers: list[_Tier], sids: SidArray, start: int, end: int) -> tuple[SampleFrame, int]:
    """Each period's chunks holding the wanted series; the periods are read concurrently (network-bound)."""
    wanted = sorted(zip(sid_list(sids), range(len(sids)), strict=True))

    def period(tier: _Tier) -> tuple[list[SampleFrame], int]:
        return _period_frames(tier, wanted, start, end)

    workers = min(get_settings().READ_CONCURRENCY, len(tiers))
    if workers <= 1:
        results = list(map(period, tiers))
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chunk-read") as pool:
            results = list(pool.map(period, tiers))
    return SampleFrame.concat([f for frames, _ in results for f in frames]), sum(n for _, n in results)


def _period_frames(tier: _Tier, wanted: list[tuple[bytes, int]], start: int, end: int) -> tuple[list[SampleFrame], int]:
    steps, _ = _walk(tier, wanted)
    frames = []
    for item, bottom, top in steps:
        blocks = _decoded(item)
        for sid, index in wanted[bottom:top]:
            if (block := blocks.get(sid)) is not None and (frame := _frame(tier, block, index, start, end)):
                frames.append(frame)
    return frames, len(steps)


def _walk(
    tier: _Tier, wanted: list[tuple[bytes, int]], *, consistent: bool = False
) -> tuple[list[tuple[batch.Item, int, int]], bool]:
    """Walk down from the greatest wanted sid (see the module's docstring); after ``WALK_STEPS`` chunks,
    the rest of the range is read in one paginated Query (many series: one request per page, not per chunk).

    Returns each chunk read with the range of ``wanted`` (sorted) it covers, and whether wanted sids
    below every chunk were left.
    """
    table = get_settings().SAMPLES_TABLE
    steps: list[tuple[batch.Item, int, int]] = []
    top = len(wanted)
    while top and len(steps) < WALK_STEPS:
        item = batch.edge_between(table, tier.pk, tier.sk(), tier.sk(wanted[top - 1][0].hex()), consistent=consistent)
        if item is None:
            return steps, True  # no chunk at or below the smallest sids left
        bottom = bisect.bisect_left(wanted, (bytes.fromhex(keys.chunk_sid(item["sk"]["S"])), -1), hi=top)
        steps.append((item, bottom, top))
        top = bottom
    if not top:
        return steps, False
    rest = list(
        batch.query(table, tier.pk, sk_between=(tier.sk(), tier.sk(wanted[top - 1][0].hex())), consistent=consistent)
    )
    bounds = [bisect.bisect_left(wanted, (bytes.fromhex(keys.chunk_sid(i["sk"]["S"])), -1), hi=top) for i in rest]
    steps += [(item, lo, hi) for item, lo, hi in zip(rest, bounds, [*bounds[1:], top], strict=True)]
    return steps, not rest or bounds[0] > 0


def _frame(tier: _Tier, block: Block, index: int, start: int, end: int) -> SampleFrame | None:
    times = tier.start + block.offsets * tier.step
    mask = (times >= start) & (times <= end)
    if not mask.any():
        return None
    sources = block.sources[mask] if block.sources is not None else None
    return SampleFrame(
        np.full(int(mask.sum()), index, dtype=np.int64), times[mask], take_rows(block.values, mask), sources
    )


def delete_metric(tenant: str, metric_lower: str, generation: int) -> int:
    """Delete every chunk of a metric, blocks and rollups (two partitions). Returns items deleted."""
    table = get_settings().SAMPLES_TABLE
    doomed = [
        {"pk": i["pk"], "sk": i["sk"]}
        for pk in (
            keys.block_chunks_pk(tenant, metric_lower, generation),
            keys.rollup_chunks_pk(tenant, metric_lower, generation),
        )
        for i in batch.query(table, pk, projection="pk, sk")
    ]
    batch.write(table, deletes=doomed)
    return len(doomed)
