"""Compaction: closed hours of hot slabs become per-series hour blocks and hourly rollups.

1. ``plan`` lists the (tenant, metric, hour) whose hour closed at least ``COMPACTION_DELAY`` ago
   and still has an HOURS item (the sparse PendingIndex), without scanning.
2. ``compact`` merges every slab of the hour still stored (slabs expire by TTL, 2 days) into the
   series' existing block, last write winning (or, with service-side aggregation, every write
   counted once by its source id), rewrites the block and the hour's row of the day's rollup,
   then drops the HOURS item only if no write touched the hour meanwhile (token check).

Re-running ``compact`` for the same hour writes the same items: blocks and rollups are pure
functions of (existing block, slabs), and slabs are never deleted by it.
"""

import time
from dataclasses import dataclass

import numpy as np

from polymetric.config import get_settings
from polymetric.models.metric import Metric
from polymetric.models.samples import IntArray, SampleFrame
from polymetric.observability import logger
from polymetric.query import resample
from polymetric.storage import batch, keys, queues, registry, samples, tiers
from polymetric.storage import metrics as metric_store

DEFAULT_AGGREGATION_PERIOD = 60


@dataclass(frozen=True)
class HourJob:
    tenant: str
    metric: str  # lower-cased name
    hour: int

    def as_message(self) -> dict[str, object]:
        return {"tenant": self.tenant, "metric": self.metric, "hour": self.hour}


@dataclass(frozen=True)
class CompactionReport:
    samples: int = 0
    series: int = 0
    items_written: int = 0
    done: bool = True  # False: a write arrived meanwhile, the hour stays pending for the next run


def aggregation_period(metric: Metric) -> int | None:
    """Service-side aggregation period of a metric (``attributes.aggregate``), or None."""
    if not metric.attributes.get("aggregate"):
        return None
    return metric.period or DEFAULT_AGGREGATION_PERIOD


def plan(now: float | None = None) -> list[HourJob]:
    now = time.time() if now is None else now
    last_closed = keys.hour_of(int(now) - keys.HOUR - samples.COMPACTION_DELAY)
    below = f"{last_closed + 1:010d}"
    table = get_settings().SAMPLES_TABLE
    jobs = []
    for shard in range(keys.PENDING_SHARDS):
        for item in batch.query_index(table, "PendingIndex", "gpk", f"PENDING#{shard}", "gsk", below):
            hour, tenant, metric = keys.parse_pending_sk(item["gsk"]["S"])
            jobs.append(HourJob(tenant, metric, hour))
    return sorted(jobs, key=lambda j: (j.hour, j.tenant, j.metric))


def enqueue(now: float | None = None) -> int:
    """Queue one message per pending closed hour (what the schedule runs). Returns how many."""
    jobs = plan(now)
    queues.send(get_settings().COMPACTION_QUEUE_URL, [j.as_message() for j in jobs])
    logger.info("compaction planned", hours=len(jobs))
    return len(jobs)


def compact(job: HourJob) -> CompactionReport:
    token = samples.pending_hours(job.tenant, job.metric, job.hour, job.hour).get(job.hour)
    if token is None:
        return CompactionReport()  # already compacted (a duplicate message)
    metric = metric_store.get(job.tenant, job.metric)
    if metric is None:  # deleted meanwhile: its data went with it
        samples.forget_hour(job.tenant, job.metric, job.hour, token)
        return CompactionReport()
    series = registry.load(job.tenant, job.metric)
    position = {s.sid: i for i, s in enumerate(series)}
    slabs = samples.read_hour(job.tenant, job.metric, job.hour)
    fresh = samples.slab_frame(position, job.hour, slabs, job.hour, job.hour + keys.HOUR - 1)
    items: list[tiers.Item] = []
    report = CompactionReport()
    if fresh is not None:
        touched = np.unique(fresh.series)
        hexes = [series[i].sid.hex() for i in touched]
        blocks = tiers.get_blocks(job.tenant, metric.created_at, hexes, job.hour)
        period = aggregation_period(metric)
        merged = _merge(fresh, blocks, hexes, touched, job.hour, period)
        items = _block_items(job, metric, merged, hexes, touched, period)
        items += _rollup_items(job, metric, merged, hexes, touched, period)
        tiers.put(items)
        report = CompactionReport(samples=len(merged), series=len(touched), items_written=len(items))
    done = samples.forget_hour(job.tenant, job.metric, job.hour, token)
    logger.info("hour compacted", metric=job.metric, hour=job.hour, series=report.series, done=done)
    return CompactionReport(report.samples, report.series, report.items_written, done)


def _merge(
    fresh: SampleFrame,
    blocks: dict[str, tiers.Block],
    hexes: list[str],
    touched: IntArray,
    hour: int,
    period: int | None,
) -> SampleFrame:
    """Existing block rows first, then the slabs in write order, deduplicated (sources kept)."""
    old = [
        SampleFrame(np.full(len(b.offsets), index, dtype=np.int64), b.offsets + hour, b.values, b.sources)
        for index, sid_hex in zip(touched.tolist(), hexes, strict=True)
        if (b := blocks.get(sid_hex)) is not None
    ]
    # Aggregated metrics keep every write (by source) in the block; the period merge happens on read.
    return resample.deduplicate(SampleFrame.concat([*old, fresh]), 1 if period else None)


def _block_items(
    job: HourJob, metric: Metric, merged: SampleFrame, hexes: list[str], touched: IntArray, period: int | None
) -> list[tiers.Item]:
    out = []
    bounds = np.searchsorted(merged.series, touched)
    ends = np.append(bounds[1:], len(merged))
    for sid_hex, lo, hi in zip(hexes, bounds.tolist(), ends.tolist(), strict=True):
        sources = merged.sources[lo:hi] if period and merged.sources is not None else None
        block = tiers.Block(merged.times[lo:hi] - job.hour, merged.values[lo:hi], sources)
        out.append(tiers.block_item(job.tenant, sid_hex, metric.created_at, job.hour, block))
    return out


def _rollup_items(
    job: HourJob, metric: Metric, merged: SampleFrame, hexes: list[str], touched: IntArray, period: int | None
) -> list[tiers.Item]:
    hourly = resample.downsample(merged, keys.HOUR, period)
    day = keys.day_of(job.hour)
    existing = tiers.get_rollups(job.tenant, metric.created_at, hexes, day)
    index_of = {int(t): i for i, t in enumerate(touched.tolist())}
    out = []
    for row, series_index in enumerate(hourly.series.tolist()):
        sid_hex = hexes[index_of[series_index]]
        hours, values = existing.get(sid_hex, (np.empty(0, np.int64), np.empty((0, 6))))
        slot = (job.hour - day) // keys.HOUR
        keep = hours != slot
        hours = np.append(hours[keep], slot)
        values = np.vstack([values[keep], hourly.stats[row : row + 1]])
        order = np.argsort(hours)
        out.append(tiers.rollup_item(job.tenant, sid_hex, metric.created_at, day, hours[order], values[order]))
    return out
