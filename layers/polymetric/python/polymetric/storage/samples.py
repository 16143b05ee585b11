"""Sample storage adapter: hot slabs in, samples out (layout in ``keys.py``, encoding in ``codecs.py``).

Invariants:
1. One POST writes at most one slab item per (metric, hour), all with BatchWriteItem; plain values
   and summaries are two sections of the same item.
2. A slab is never updated in place: later writes are new items that sort after it, so "last write
   wins" is the item order plus the row order inside a slab.
3. Every (metric, hour) with slabs has an entry in the metric's HOURS partition, so reads and the
   compactor find slabs without scanning.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from polymetric.config import get_settings
from polymetric.models.samples import FloatArray, IntArray, SampleFrame, SidArray, from_values
from polymetric.storage import batch, codecs, keys
from polymetric.storage.cache import TtlCache


@dataclass(frozen=True)
class Slab:
    """Rows of one (metric, hour) of one request: plain values (1 column) and summaries (6 columns)."""

    metric_lower: str
    hour: int
    sections: list[codecs.Section]

    @property
    def rows(self) -> int:
        return sum(len(offsets) for _, offsets, _ in self.sections)


@dataclass(frozen=True)
class WriteReport:
    items: list[dict[str, dict[str, object]]]
    requests: int


_known_hours = TtlCache()


def write_slabs(
    tenant: str, slabs: Sequence[Slab], *, request_id: str, generations: dict[str, int], received_ms: int | None = None
) -> WriteReport:
    """Store the slabs of one request and register their hours. ``generations`` maps metric -> created_at."""
    table = get_settings().SAMPLES_TABLE
    received_ms = received_ms if received_ms is not None else int(time.time() * 1000)
    items: list[dict[str, dict[str, object]]] = []
    new_hours: set[tuple[str, int]] = set()
    for slab in slabs:
        blob = codecs.encode_slab(slab.sections)
        items.append(
            {
                "pk": {"S": keys.hot_slab_pk(tenant, slab.metric_lower, slab.hour)},
                "sk": {"S": keys.hot_slab_sk(received_ms, request_id)},
                "n": {"N": str(slab.rows)},
                "d": {"B": blob},
            }
        )
        cache_key = (table, tenant, slab.metric_lower, generations.get(slab.metric_lower, 0), slab.hour)
        if not _known_hours.fresh(cache_key):
            new_hours.add((slab.metric_lower, slab.hour))
    for metric_lower, hour in sorted(new_hours):
        items.append({"pk": {"S": keys.hours_pk(tenant, metric_lower)}, "sk": {"S": keys.hour_sk(hour)}})
    requests = batch.write(table, items)
    for metric_lower, hour in new_hours:
        _known_hours.add((table, tenant, metric_lower, generations.get(metric_lower, 0), hour))
    return WriteReport(items=items, requests=requests)


def hours_with_data(tenant: str, metric_lower: str, start: int, end: int) -> list[int]:
    table = get_settings().SAMPLES_TABLE
    bounds = (keys.hour_sk(keys.hour_of(max(start, 0))), keys.hour_sk(max(end, 0)))
    return [
        int(i["sk"]["S"])
        for i in batch.query(table, keys.hours_pk(tenant, metric_lower), sk_between=bounds, consistent=True)
    ]


def read_hot(tenant: str, metric_lower: str, sids: SidArray, start: int, end: int) -> tuple[SampleFrame, int]:
    """Samples of the given series with start <= time <= end, in write order; also the number of items read.

    The frame's ``series`` are positions in ``sids``.
    """
    table = get_settings().SAMPLES_TABLE
    position = {sid: i for i, sid in enumerate(sids.tolist())}
    frames: list[SampleFrame] = []
    items_read = 0
    for hour in hours_with_data(tenant, metric_lower, start, end):
        for item in batch.query(table, keys.hot_slab_pk(tenant, metric_lower, hour), consistent=True):
            items_read += 1
            for slab_sids, offsets, columns in codecs.decode_slab(bytes(item["d"]["B"])):
                frame = _section_frame(position, slab_sids, offsets + hour, columns, start, end)
                if frame is not None:
                    frames.append(frame)
    return SampleFrame.concat(frames), items_read


def _section_frame(
    position: dict[bytes, int], sids: SidArray, times: IntArray, columns: FloatArray, start: int, end: int
) -> SampleFrame | None:
    # Rows are sorted by sid, so each distinct sid is looked up once.
    unique, inverse = np.unique(sids, return_inverse=True)
    series = np.array([position.get(u, -1) for u in unique.tolist()], dtype=np.int64)[inverse]
    mask = (series >= 0) & (times >= start) & (times <= end)
    if not mask.any():
        return None
    values = from_values(columns[mask, 0]) if columns.shape[1] == 1 else columns[mask]
    return SampleFrame(series[mask], times[mask], values)


def delete_metric(tenant: str, metric_lower: str) -> int:
    """Delete every sample item of a metric (all hours) and its HOURS index. Returns items deleted."""
    table = get_settings().SAMPLES_TABLE
    doomed: list[dict[str, object]] = []
    hours_pk = keys.hours_pk(tenant, metric_lower)
    for hour_item in batch.query(table, hours_pk, projection="pk, sk"):
        hour = int(hour_item["sk"]["S"])
        pk = keys.hot_slab_pk(tenant, metric_lower, hour)
        doomed.extend({"pk": i["pk"], "sk": i["sk"]} for i in batch.query(table, pk, projection="pk, sk"))
        doomed.append({"pk": hour_item["pk"], "sk": hour_item["sk"]})
    batch.write(table, deletes=doomed)
    _known_hours.clear()
    return len(doomed)
