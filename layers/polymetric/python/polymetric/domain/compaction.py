"""Compaction: closed hours of hot slabs become chunks of hour blocks, and hourly rollups.

Two kinds of work, both queued by the schedule's ``enqueue`` and run by the SQS worker:

1. **Rounds** (on-time data, nothing registered at ingest): once an hour has closed
   (``COMPACTION_DELAY`` after it ends), every metric of the organization is compacted for that
   hour, in chunks of metrics (``storage.rounds``). A chunk marks itself compacted; when every chunk
   of every earlier round is, the organization's ``done`` watermark moves past the hour and reads
   stop looking at its slabs.
2. **Late data** (``HourJob``): a write to an hour that had already closed leaves an HOURS item
   (sparse PendingIndex); its hour is compacted again, and the item is dropped only if no other
   late write touched it meanwhile (token check).

``compact_hour`` merges every slab of the hour still stored (slabs expire by TTL, 2 days) into the
series' existing block, last write winning (or, with service-side aggregation, every write counted
once by its source id), and rewrites the chunks those series fall in and the hour's row of each
series' day of rollups. It is a pure function of (existing chunks, slabs): re-running it, or running
it for an hour without data, writes the same items or none. Messages are grouped per (organization,
metric shard) in a FIFO queue, so no two workers ever rewrite the same chunk or rollup at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from polymetric import clock
from polymetric.domain import folding
from polymetric.lazy import np
from polymetric.models.hours import DAY, HOUR, day_of, hour_of
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.samples import IntArray, SampleFrame
from polymetric.observability import logger
from polymetric.query import resample
from polymetric.storage import metrics as metric_store
from polymetric.storage import queues, rounds, samples, tiers

DEFAULT_AGGREGATION_PERIOD = 60
# A round still incomplete this long after its messages were queued (a message dead-lettered, say)
# is queued again: its slabs would expire (2 days) before anyone redrove the dead-letter queue.
REDRIVE_AFTER = HOUR
# A worker with less time left than this queues the rest of its chunk instead of starting on the next
# metric: a chunk of large metrics spreads over several runs (one metric-hour is still one run).
CONTINUE_BELOW = 120.0


@dataclass(frozen=True)
class HourJob:
    """Late data of one (tenant, metric, hour)."""

    tenant: str
    metric: str  # lower-cased name
    hour: int

    @property
    def group_metric(self) -> str:
        """The metric whose FIFO group the job is queued in (one worker at a time per group)."""
        return self.metric

    def as_message(self) -> dict[str, object]:
        return {"tenant": self.tenant, "metric": self.metric, "hour": self.hour}


@dataclass(frozen=True)
class ChunkJob:
    """One chunk of an on-time round: these metrics of the tenant, for this hour."""

    tenant: str
    hour: int
    chunk: str  # rounds.chunk_id of the metrics
    metrics: tuple[str, ...]

    @property
    def group_metric(self) -> str:
        """The metric whose FIFO group the job is queued in: a chunk's metrics share one (``rounds.chunked``)."""
        return self.metrics[0] if self.metrics else ""

    def as_message(self) -> dict[str, object]:
        return {"tenant": self.tenant, "hour": self.hour, "chunk": self.chunk, "metrics": list(self.metrics)}


def job_from_message(body: dict[str, object]) -> HourJob | ChunkJob:
    tenant, hour = str(body["tenant"]), int(str(body["hour"]))
    if "chunk" in body:
        names = body["metrics"]
        if not isinstance(names, list):
            raise ValueError("metrics must be a list")
        return ChunkJob(tenant, hour, str(body["chunk"]), tuple(str(n) for n in names))
    return HourJob(tenant, str(body["metric"]), hour)


@dataclass(frozen=True)
class CompactionReport:
    samples: int = 0
    series: int = 0
    items_written: int = 0
    done: bool = True  # False: a late write arrived meanwhile, the hour stays pending for the next run


def aggregation_period(metric: Metric) -> int | None:
    """Service-side aggregation period of a metric (``attributes.aggregate``), or None."""
    if not metric.attributes.get("aggregate"):
        return None
    return metric.period or DEFAULT_AGGREGATION_PERIOD


def last_closed_hour(now: float) -> int:
    return hour_of(int(now) - HOUR - samples.COMPACTION_DELAY)


def plan(now: float | None = None) -> list[HourJob]:
    """Late data: closed hours that still have an HOURS item, from the PendingIndex (no scan)."""
    now = clock.now_float() if now is None else now
    late = samples.late_hours(before=last_closed_hour(now) + HOUR)
    return sorted((HourJob(p.tenant, p.metric_lower, p.hour) for p in late), key=lambda j: (j.hour, j.tenant, j.metric))


def enqueue(now: float | None = None) -> int:
    """What the schedule runs: queue late data, then the rounds of newly closed hours. Returns messages."""
    now = clock.now_float() if now is None else now
    late = plan(now)
    _send(late)
    queued = len(late) + sum(_plan_rounds(marks, now) for marks in rounds.all_watermarks())
    logger.info("compaction planned", late_hours=len(late), messages=queued)
    return queued


def _send(jobs: list[HourJob] | list[ChunkJob]) -> None:
    queues.send_compaction([(j.tenant, j.group_metric, j.as_message()) for j in jobs])


def _plan_rounds(marks: rounds.Watermarks, now: float) -> int:
    """One organization: queue again rounds left incomplete since REDRIVE_AFTER (a chunk dead-lettered,
    say), then write and queue the rounds of hours closed since the last tick. Returns messages."""
    marks = advance(marks, now)  # also catches up when a worker stopped before its own advance
    first = max(marks.planned + HOUR, hour_of(int(now)) - samples.SLAB_TTL - HOUR)
    new_hours = range(first, last_closed_hour(now) + 1, HOUR)
    last = new_hours[-1] if new_hours else marks.planned
    if last < marks.done:
        return 0  # every round planned is done, and no hour closed since
    # One read of the stored rounds serves both: incomplete ones, and any a stopped planner wrote.
    stored = rounds.rounds(marks.tenant, marks.done, last)
    stale = [
        hour
        for hour, r in sorted(stored.items())
        if hour <= marks.planned and not r.complete and now - r.sent >= REDRIVE_AFTER
    ]
    if not stale and not new_hours:
        return 0
    chunks = tenant_chunks(marks.tenant)  # the metric list, read once per organization and tick
    queued = 0
    for hour in stale:
        jobs = round_jobs(marks.tenant, hour, now, chunks, stored[hour])
        _send(jobs)
        rounds.mark_sent(marks.tenant, hour, int(now))
        logger.warning("compaction round queued again", tenant=marks.tenant, hour=hour, chunks=len(jobs))
        queued += len(jobs)
    for hour in new_hours:
        jobs = round_jobs(marks.tenant, hour, now, chunks, stored.get(hour, rounds.Round()))
        _send(jobs)
        queued += len(jobs)
        if not rounds.set_planned(marks, hour):
            break  # another planner got here first; it goes on from there
        marks = replace(marks, planned=hour)
    advance(marks, now)  # hours without metrics are complete at once
    return queued


def tenant_chunks(tenant: str) -> dict[str, list[str]]:
    """Every metric that takes samples, in chunks (``rounds.chunked``) by chunk id."""
    names = [m.key for m in metric_store.list_all(tenant, consistent=True) if m.type != COMPOSITE]
    return {rounds.chunk_id(c): c for c in rounds.chunked(tenant, names)}


def round_jobs(
    tenant: str, hour: int, now: float, chunks: dict[str, list[str]], stored: rounds.Round
) -> list[ChunkJob]:
    """The chunks of an hour's round still to compact, writing the round unless it is stored as is."""
    written = stored.chunks if stored.chunks is not None else set()
    if written != set(chunks):  # not written yet, or metrics came since a planner stopped halfway
        rounds.write_round(tenant, hour, list(chunks.values()), int(now))
    return [ChunkJob(tenant, hour, i, tuple(c)) for i, c in chunks.items() if i not in stored.compacted]


def advance(marks: rounds.Watermarks, now: float | None = None) -> rounds.Watermarks:
    """Move ``done`` past every complete round (hours whose slabs expired count as complete)."""
    now = clock.now_float() if now is None else now
    expired = hour_of(int(now)) - samples.SLAB_TTL - HOUR
    for _ in range(5):  # a conflict means another worker advanced it: read again and go on from there
        if marks.done > marks.planned:
            return marks
        stored = rounds.rounds(marks.tenant, marks.done, marks.planned)
        hour = marks.done
        while hour <= marks.planned and (hour < expired or stored.get(hour, rounds.Round()).complete):
            hour += HOUR
        if hour == marks.done:
            return marks
        if rounds.set_done(marks, hour):
            return replace(marks, done=hour)
        fresh = rounds.watermarks(marks.tenant, consistent=True)
        if fresh is None:
            return marks
        marks = fresh
    return marks


def uncompacted_hours(tenant: str, metric_lower: str, start: int, end: int, now: float | None = None) -> list[int]:
    """Hours in [start, end] whose slabs may hold data not in blocks yet: reads merge their slabs."""
    now = clock.now_float() if now is None else now
    current = hour_of(int(now))
    first = max(hour_of(max(start, 0)), current - samples.SLAB_TTL - HOUR)
    marks = rounds.watermarks(tenant)
    if marks is not None:
        first = max(first, marks.done)
    # Live writes land in the open hour (or the next, for clocks a little ahead); others leave HOURS items.
    last = min(hour_of(max(end, 0)), current + HOUR)
    late = samples.pending_hours(tenant, metric_lower, start, end)
    return sorted(set(range(first, last + 1, HOUR)) | set(late))


def compact(
    job: HourJob | ChunkJob, now: float | None = None, seconds_left: Callable[[], float] | None = None
) -> CompactionReport:
    """Run one queued job: a chunk of a round, or an hour of late data.

    ``seconds_left``: the Lambda's remaining time; a chunk stops between metrics when it runs low
    and queues its remaining metrics as a continuation (same chunk id, same message group).
    """
    if isinstance(job, ChunkJob):
        reports: list[CompactionReport] = []
        for i, name in enumerate(job.metrics):
            if i and seconds_left is not None and seconds_left() < CONTINUE_BELOW:
                _send([replace(job, metrics=job.metrics[i:])])
                logger.info("compaction chunk continued", chunk=job.chunk, left=len(job.metrics) - i)
                return _total(reports)
            reports.append(compact_hour(job.tenant, name, job.hour, now))
        rounds.mark_compacted(job.tenant, job.hour, job.chunk)
        marks = rounds.watermarks(job.tenant, consistent=True)
        if marks is not None:
            advance(marks, now)
        return _total(reports)
    token = samples.pending_hours(job.tenant, job.metric, job.hour, job.hour).get(job.hour)
    if token is None:
        return CompactionReport()  # already compacted (a duplicate message)
    report = compact_hour(job.tenant, job.metric, job.hour, now)
    done = samples.forget_hour(job.tenant, job.metric, job.hour, token)
    return replace(report, done=done)


def _total(reports: list[CompactionReport]) -> CompactionReport:
    return CompactionReport(
        sum(r.samples for r in reports), sum(r.series for r in reports), sum(r.items_written for r in reports)
    )


def compact_hour(tenant: str, metric_lower: str, hour: int, now: float | None = None) -> CompactionReport:
    """Merge the hour's slabs into its blocks, and into its day's rollups if that day is folded; the round of
    an hour 23 then folds the days not folded yet (nothing to do: nothing written)."""
    now = clock.now_float() if now is None else now
    metric = metric_store.get(tenant, metric_lower)
    if metric is None:  # deleted meanwhile: its data went with it
        return CompactionReport()
    report = _compact_blocks(tenant, metric, hour, now)
    if hour - day_of(hour) == DAY - HOUR and not folding.is_folded(metric, day_of(hour), now):
        folded = folding.fold_through(tenant, metric_lower, day_of(hour), now, aggregation_period(metric))
        report = replace(report, items_written=report.items_written + folded)
    return report


def _compact_blocks(tenant: str, metric: Metric, hour: int, now: float) -> CompactionReport:
    metric_lower = metric.key
    slabs = samples.read_hour(tenant, metric_lower, hour)
    # The series are those of the slabs: no read of the metric's series index (it may hold 100,000s).
    sids = samples.slab_sids(slabs)
    position = {sid: i for i, sid in enumerate(sids)}
    fresh = samples.slab_frame(position, hour, slabs, hour, hour + HOUR - 1)
    if fresh is None:
        return CompactionReport()
    touched = np.unique(fresh.series)
    touched_sids = [sids[i] for i in touched.tolist()]
    generation, period = metric.created_at, aggregation_period(metric)
    chunks = tiers.hour_chunks(tenant, metric_lower, generation, hour, touched_sids)
    blocks = {sid: block for chunk in chunks for sid, block in chunk.series.items()}
    merged = _merge(fresh, blocks, touched_sids, touched, hour, period)
    updated = _blocks(hour, merged, touched_sids, touched, period)
    written = tiers.write_hour(tenant, metric_lower, generation, hour, updated, chunks)
    day = day_of(hour)
    if folding.is_folded(metric, day, now):  # late data for a folded day: its rows change in the day chunks
        days = tiers.day_rollups(tenant, metric_lower, generation, day, touched_sids)
        rows = _rollup_rows(hour, merged, sids, period, days)
        written += tiers.write_day_rollups(tenant, metric_lower, generation, day, rows, days)
    logger.info("hour compacted", metric=metric_lower, hour=hour, series=len(touched), items=written)
    return CompactionReport(samples=len(merged), series=len(touched), items_written=written)


def _merge(
    fresh: SampleFrame,
    blocks: dict[bytes, tiers.Block],
    touched_sids: list[bytes],
    touched: IntArray,
    hour: int,
    period: int | None,
) -> SampleFrame:
    """Existing block rows first, then the slabs in write order, deduplicated (sources kept)."""
    old = [
        SampleFrame(np.full(len(b.offsets), index, dtype=np.int64), b.offsets + hour, b.values, b.sources)
        for index, sid in zip(touched.tolist(), touched_sids, strict=True)
        if (b := blocks.get(sid)) is not None
    ]
    # Aggregated metrics keep every write (by source) in the block; the period merge happens on read.
    return resample.deduplicate(SampleFrame.concat([*old, fresh]), 1 if period else None)


def _blocks(
    hour: int, merged: SampleFrame, touched_sids: list[bytes], touched: IntArray, period: int | None
) -> dict[bytes, tiers.Block]:
    """The new block of each touched series (rows of ``merged`` are sorted by series)."""
    out = {}
    bounds = np.searchsorted(merged.series, touched)
    ends = np.append(bounds[1:], len(merged))
    for sid, lo, hi in zip(touched_sids, bounds.tolist(), ends.tolist(), strict=True):
        sources = merged.sources[lo:hi] if period and merged.sources is not None else None
        out[sid] = tiers.Block(merged.times[lo:hi] - hour, merged.values[lo:hi], sources)
    return out


def _rollup_rows(
    hour: int, merged: SampleFrame, sids: list[bytes], period: int | None, existing: list[tiers.Chunk]
) -> dict[bytes, tiers.Block]:
    """Each touched series' rows of the day with this hour's row put in (offsets: hours of the day)."""
    hourly = resample.downsample(merged, HOUR, period)
    slot = (hour - day_of(hour)) // HOUR
    stored = {sid: block for chunk in existing for sid, block in chunk.series.items()}
    out = {}
    for series, stats in zip(hourly.series.tolist(), hourly.stats, strict=True):
        sid = sids[series]
        out[sid] = folding.day_block([*folding.stored_rows(stored.get(sid)), (slot, stats)])
    return out
