"""Hot sample storage: per-request slabs in, samples out (layout in ``keys.py``, encoding in ``codecs.py``).

Invariants:
1. One POST writes one slab item per (metric, hour), all with BatchWriteItem; plain values and
   summaries are two sections of the same item. A slab over ``MAX_SLAB_BYTES`` is split into parts
   (a 35,000-measurement POST of one metric-hour would pass DynamoDB's 400 KB item limit).
2. A slab is never updated in place: later writes are new items that sort after it, so "last write
   wins" is the item order plus the row order inside a slab.
3. Live writes register nothing: every hour of every metric is compacted by its organization's
   round once it closes (``storage.rounds``). A write to an hour the compactor may already have
   started on ("closed": past ``COMPACTION_DELAY - WRITE_MARGIN``), or to an hour further ahead
   than the next, is late data: it (re)writes that hour's HOURS item with a new token, so the
   compactor, which deletes it only if the token is unchanged, never forgets it.
4. Slabs are not deleted by the compactor: their TTL (hour + 2 days, or arrival + 2 days when backdated)
   removes them for free. Reads
   take an hour from blocks only once its round is done and it has no HOURS item.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from polymetric import clock
from polymetric.config import get_settings
from polymetric.lazy import np
from polymetric.models.samples import (
    FloatArray,
    IntArray,
    SampleFrame,
    SidArray,
    SourceArray,
    from_values,
    sid_list,
    take_rows,
)
from polymetric.storage import batch, codecs, keys

# The compactor takes an hour this long after it ends; writers treat it as closed a margin earlier.
COMPACTION_DELAY = 600
WRITE_MARGIN = 300
SLAB_TTL = 2 * keys.DAY
# Encoded rows per slab item: keys and attributes fit in the rest of DynamoDB's 400 KB item limit.
MAX_SLAB_BYTES = 380_000
# A POST with this many rows for one metric-hour writes them by shard (256, each some 1 KB or more), so
# that reading a few series of a metric with 100,000s reads their shards, not every row of the hour.
SHARD_ROWS = 16_384


@dataclass(frozen=True)
class Slab:
    """Rows of one (metric, hour) of one request: plain values and summaries, each row
    (series id, seconds into the hour, value) — a summary's value is its 6 columns (``models.samples`` order)."""

    metric_lower: str
    hour: int
    plain: Sequence[tuple[bytes, int, float]] = ()
    summaries: Sequence[tuple[bytes, int, Sequence[float]]] = ()

    @property
    def rows(self) -> int:
        return len(self.plain) + len(self.summaries)

    def sections(self) -> list[codecs.Section]:
        """The codec's sections: plain values (1 column), then summaries (6 columns)."""
        out: list[codecs.Section] = []
        for rows, width in ((self.plain, 1), (self.summaries, 6)):
            if rows:
                sids, offsets, values = zip(*rows, strict=True)
                out.append(
                    (
                        np.array(sids, dtype="S12"),
                        np.array(offsets, dtype=np.int64),
                        np.array(values, dtype=np.float64).reshape(len(rows), width),
                    )
                )
        return out


@dataclass(frozen=True)
class WriteReport:
    items: list[dict[str, dict[str, object]]]
    requests: int


def hour_is_closed(hour: int, now: float) -> bool:
    return now >= hour + keys.HOUR + COMPACTION_DELAY - WRITE_MARGIN


def is_late(hour: int, now: float) -> bool:
    """Slabs of this hour need an HOURS item: closed already, or beyond the hours reads look at as live."""
    return hour_is_closed(hour, now) or hour > keys.hour_of(int(now)) + keys.HOUR


def hour_item(tenant: str, metric_lower: str, hour: int) -> dict[str, dict[str, object]]:
    gpk, gsk = keys.pending_gsi(tenant, metric_lower, hour)
    return {
        "pk": {"S": keys.hours_pk(tenant, metric_lower)},
        "sk": {"S": keys.hour_sk(hour)},
        "token": {"S": uuid.uuid4().hex[:16]},
        "gpk": {"S": gpk},
        "gsk": {"S": gsk},
    }


def write_slabs(tenant: str, slabs: Sequence[Slab], *, request_id: str, received_ms: int | None = None) -> WriteReport:
    """Store the slabs of one request, and an HOURS item per late (metric, hour)."""
    table = get_settings().SAMPLES_TABLE
    now = clock.now_float()
    received_ms = received_ms if received_ms is not None else int(now * 1000)
    items: list[dict[str, dict[str, object]]] = []
    late: set[tuple[str, int]] = set()
    for slab in slabs:
        # A backdated slab lives SLAB_TTL past its arrival too, so the compactor finds it before it expires.
        ttl: dict[str, object] = {"N": str(max(slab.hour + keys.HOUR, int(now)) + SLAB_TTL)}
        sections = slab.sections()
        sharded = slab.rows >= SHARD_ROWS
        for shard, rows_of_shard in _shards(sections) if sharded else [(None, sections)]:
            for part, (rows, blob) in enumerate(encode_parts(rows_of_shard)):
                items.append(
                    {
                        "pk": {"S": keys.hot_slab_pk(tenant, slab.metric_lower, slab.hour, shard)},
                        "sk": {"S": keys.hot_slab_sk(received_ms, request_id, part)},
                        "n": {"N": str(rows)},
                        "d": {"B": blob},
                        "ttl": ttl,
                    }
                )
        if sharded:
            pk = keys.hot_slab_pk(tenant, slab.metric_lower, slab.hour)
            items.append({"pk": {"S": pk}, "sk": {"S": keys.SHARDED_SK}, "ttl": ttl})
        if is_late(slab.hour, now):
            late.add((slab.metric_lower, slab.hour))
    items.extend(hour_item(tenant, metric_lower, hour) for metric_lower, hour in sorted(late))
    return WriteReport(items=items, requests=batch.write(table, items))


def _shards(sections: list[codecs.Section]) -> list[tuple[int, list[codecs.Section]]]:
    """The sections' rows by shard (``keys.slab_shard``: the series id's first byte)."""
    by_shard: dict[int, list[codecs.Section]] = {}
    for sids, offsets, columns in sections:
        first = np.frombuffer(sids.tobytes(), dtype=np.uint8)[:: sids.itemsize]
        for shard in np.unique(first).tolist():
            mask = first == shard
            by_shard.setdefault(int(shard), []).append((sids[mask], offsets[mask], columns[mask]))
    return sorted(by_shard.items())


def encode_parts(sections: list[codecs.Section]) -> list[tuple[int, bytes]]:
    """A slab's rows encoded as one blob, or as several when one would pass ``MAX_SLAB_BYTES``: (rows, blob).

    Parts split along series ids (a series' rows stay in one part while it fits), then, for one series
    alone too large, along write order; parts are stored in that order, so later rows still win.
    """
    blob = codecs.encode_slab(sections)
    rows = sum(len(offsets) for _, offsets, _ in sections)
    if len(blob) <= MAX_SLAB_BYTES or rows <= 1:
        return [(rows, blob)]
    distinct = np.unique(np.concatenate([sids for sids, _, _ in sections]))
    halves: tuple[list[codecs.Section], list[codecs.Section]] = ([], [])
    for sids, offsets, columns in sections:
        # By series (the lower half of the ids), or, one series alone, by write order (the earlier half).
        low = sids < distinct[len(distinct) // 2] if len(distinct) > 1 else np.arange(len(sids)) < len(sids) // 2
        for half, mask in zip(halves, (low, ~low), strict=True):
            if mask.any():
                half.append((sids[mask], offsets[mask], columns[mask]))
    return [part for half in halves for part in encode_parts(half)]


def write_hour_marker(tenant: str, metric_lower: str, hour: int) -> None:
    """(Re)register an hour as holding late data, with a new token."""
    batch.write(get_settings().SAMPLES_TABLE, [hour_item(tenant, metric_lower, hour)])


@dataclass(frozen=True)
class LateHour:
    """An hour of one metric that took writes after it closed and waits to be compacted again."""

    tenant: str
    metric_lower: str
    hour: int


def late_hours(before: int | None = None) -> list[LateHour]:
    """Every organization's late hours starting before ``before`` (all with None), from the sparse PendingIndex."""
    table = get_settings().SAMPLES_TABLE
    below = keys.pending_gsk_below(before)
    out = []
    for shard in range(keys.PENDING_SHARDS):
        for item in batch.query_index(table, "PendingIndex", "gpk", keys.pending_gpk(shard), "gsk", below):
            hour, tenant, metric_lower = keys.parse_pending_sk(item["gsk"]["S"])
            out.append(LateHour(tenant, metric_lower, hour))
    return out


def pending_hours_all() -> dict[str, int]:
    """Hours of late data per metric partition, over every tenant (operations and tests; scans the index)."""
    counts: dict[str, int] = {}
    for late in late_hours():
        counts[f"{late.tenant}#{late.metric_lower}"] = counts.get(f"{late.tenant}#{late.metric_lower}", 0) + 1
    return counts


def pending_hours(tenant: str, metric_lower: str, start: int, end: int) -> dict[int, str]:
    """Hours in [start, end] with late data not compacted yet, with their current token."""
    table = get_settings().SAMPLES_TABLE
    bounds = (keys.hour_sk(keys.hour_of(max(start, 0))), keys.hour_sk(max(end, 0)))
    return {
        int(i["sk"]["S"]): i.get("token", {}).get("S", "")
        for i in batch.query(table, keys.hours_pk(tenant, metric_lower), sk_between=bounds, consistent=True)
    }


@dataclass(frozen=True)
class HourSlabs:
    """Every slab of one (metric, hour), in write order: their keys and decoded sections."""

    keys: list[str]
    sections: list[list[codecs.Section]]


def read_hour(tenant: str, metric_lower: str, hour: int, sids: Sequence[bytes] | None = None) -> HourSlabs:
    """Every slab of the hour, in write order; with ``sids``, of sharded slabs only the shards of those series."""
    table = get_settings().SAMPLES_TABLE
    found = list(batch.query(table, keys.hot_slab_pk(tenant, metric_lower, hour), consistent=True))
    if found and found[-1]["sk"]["S"] == keys.SHARDED_SK:
        shards = range(keys.SLAB_SHARDS) if sids is None else sorted({keys.slab_shard(s) for s in sids})
        pks = [keys.hot_slab_pk(tenant, metric_lower, hour, shard) for shard in shards]
        found = found[:-1] + [i for items in _query_all(table, pks) for i in items]
        found.sort(key=lambda i: i["sk"]["S"])  # write order: a POST's shards share its sort key
    main = keys.hot_slab_pk(tenant, metric_lower, hour)
    # A row's write source (service-side aggregation) derives from its slab's key: shards of one POST differ.
    return HourSlabs(
        [i["sk"]["S"] if i["pk"]["S"] == main else f"{i['sk']['S']}@{i['pk']['S']}" for i in found],
        [codecs.decode_slab(bytes(i["d"]["B"])) for i in found],
    )


def _query_all(table: str, pks: list[str]) -> list[list[batch.Item]]:
    def one(pk: str) -> list[batch.Item]:
        return list(batch.query(table, pk, consistent=True))

    workers = min(get_settings().READ_CONCURRENCY, len(pks))
    if workers <= 1:
        return [one(pk) for pk in pks]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slab-read") as pool:
        return list(pool.map(one, pks))


def slab_sids(slabs: HourSlabs) -> list[bytes]:
    """The distinct series ids of an hour's slabs, sorted."""
    found: set[bytes] = set()
    for sections in slabs.sections:
        for sids, _, _ in sections:
            found.update(sid_list(np.unique(sids)))
    return sorted(found)


def slab_frame(position: dict[bytes, int], hour: int, slabs: HourSlabs, start: int, end: int) -> SampleFrame | None:
    """The rows of an hour's slabs that belong to the wanted series (``position``: sid -> series index)."""
    frames = []
    for sk, sections in zip(slabs.keys, slabs.sections, strict=True):
        base = zlib.crc32(sk.encode())
        row = 0
        for sids, offsets, columns in sections:
            frame = _section_frame(position, sids, offsets + hour, columns, start, end, base + row)
            row += len(offsets)
            if frame is not None:
                frames.append(frame)
    return SampleFrame.concat(frames) if frames else None


def read_hot(
    tenant: str, metric_lower: str, sids: SidArray, start: int, end: int, hours: Sequence[int]
) -> tuple[SampleFrame, int]:
    """Slab samples of ``hours`` for the given series with start <= time <= end, in write order.

    Returns the frame (``series`` are positions in ``sids``) and the number of items read.
    """
    position = {sid: i for i, sid in enumerate(sid_list(sids))}
    frames: list[SampleFrame] = []
    items_read = 0
    for hour in hours:
        slabs = read_hour(tenant, metric_lower, hour, list(position))
        items_read += len(slabs.keys)
        frame = slab_frame(position, hour, slabs, start, end)
        if frame is not None:
            frames.append(frame)
    return SampleFrame.concat(frames), items_read


def _section_frame(
    position: dict[bytes, int],
    sids: SidArray,
    times: IntArray,
    columns: FloatArray,
    start: int,
    end: int,
    first_source: int,
) -> SampleFrame | None:
    # Rows are sorted by sid, so each distinct sid is looked up once.
    unique, inverse = np.unique(sids, return_inverse=True)
    series = np.array([position.get(u, -1) for u in sid_list(unique)], dtype=np.int64)[inverse]
    mask = (series >= 0) & (times >= start) & (times <= end)
    if not mask.any():
        return None
    values = from_values(columns[mask, 0]) if columns.shape[1] == 1 else take_rows(columns, mask)
    sources: SourceArray = ((first_source + np.arange(len(times), dtype=np.int64)) % 2**32).astype(np.uint32)
    return SampleFrame(series[mask], times[mask], values, sources[mask])


def forget_hour(tenant: str, metric_lower: str, hour: int, token: str) -> bool:
    """Drop an hour's HOURS item if no write touched it since ``token`` was read. False if one did."""
    table = get_settings().SAMPLES_TABLE
    return batch.delete_if(
        table,
        {"pk": {"S": keys.hours_pk(tenant, metric_lower)}, "sk": {"S": keys.hour_sk(hour)}},
        "#token = :token",
        {"#token": "token"},
        {":token": {"S": token}},
    )


def delete_metric(tenant: str, metric_lower: str, now: float | None = None, *, created: int | None = None) -> int:
    """Delete a metric's hot slabs and HOURS items. Returns items deleted.

    Slabs of compacted hours have no HOURS item but live until their TTL, so the hours a slab can
    still exist in (the TTL window) are swept too: a metric created again must not find them. A
    metric ``created`` (epoch seconds) within that window has on-time slabs only from the hour
    before its creation on (late ones have HOURS items), so its sweep starts there.
    """
    table = get_settings().SAMPLES_TABLE
    now = clock.now_float() if now is None else now
    hours_pk = keys.hours_pk(tenant, metric_lower)
    hour_items = list(batch.query(table, hours_pk, projection="pk, sk"))
    first = keys.hour_of(int(now) - SLAB_TTL - keys.HOUR)
    if created is not None:
        first = max(first, keys.hour_of(created) - keys.HOUR)
    recent = range(first, keys.hour_of(int(now)) + 2 * keys.HOUR, keys.HOUR)
    hours = {int(i["sk"]["S"]) for i in hour_items} | set(recent)
    doomed: list[dict[str, object]] = [{"pk": i["pk"], "sk": i["sk"]} for i in hour_items]
    for hour in sorted(hours):
        pk = keys.hot_slab_pk(tenant, metric_lower, hour)
        found = list(batch.query(table, pk, projection="pk, sk"))
        if found and found[-1]["sk"]["S"] == keys.SHARDED_SK:
            shards = [keys.hot_slab_pk(tenant, metric_lower, hour, s) for s in range(keys.SLAB_SHARDS)]
            found += [i for items in _query_all(table, shards) for i in items]
        doomed.extend({"pk": i["pk"], "sk": i["sk"]} for i in found)
    batch.write(table, deletes=doomed)
    return len(doomed)
