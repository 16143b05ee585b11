"""Folding: once a day is over, its hourly rollups are computed from its hour blocks and stored as day chunks.

Rollups exist so that coarse reads (a week at 3600 s, a year at 86400 s) read a chunk per day and not
the raw samples. Until its day is folded, an hour is read from its blocks (kept 32 days) at every
resolution, so the compactor writes no rollups for it: a fold that comes late, or runs twice, loses
nothing, and a metric-day's rows are written once instead of at every hour (rewriting a day's
rollups hourly cost more than the blocks themselves with series that come and go).

- ``Metric.folded_until``: days before it are folded. The on-time round of an hour 23 folds every
  day of the metric not folded yet, up to that one, and moves the mark.
- Days older than ``HORIZON`` count as folded whatever the mark says: their blocks are about to
  expire, so late data for them goes straight into their day chunks, and reads take those. A fold
  catches up on days up to ``FOLD_BACK`` ago, so every day with blocks is folded before it gets there.
- Late data for a folded day rewrites that series' row in its day chunk (``compaction``).
"""

from __future__ import annotations

from polymetric.domain.conflicts import retried
from polymetric.lazy import np
from polymetric.models.hours import DAY, HOUR, day_of
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.samples import FloatArray, SampleFrame
from polymetric.observability import logger
from polymetric.query import resample
from polymetric.storage import metrics as metric_store
from polymetric.storage import tiers

# Days older than this count as folded: reads take them from day chunks, late data goes straight there.
HORIZON = 30 * DAY
# A fold also catches up on days this far back, so that a day filled late (history imported into a new
# metric) is folded the night before it passes the horizon; blocks live 32 days.
FOLD_BACK = HORIZON + 2 * DAY


def unfolded_from(metric: Metric, now: float) -> int:
    """The first day whose rollups are not folded: hours from then on are read from blocks."""
    return max(metric.folded_until, day_of(int(now)) - HORIZON)


def is_folded(metric: Metric, day: int, now: float) -> bool:
    return day < unfolded_from(metric, now)


def fold_through(tenant: str, metric_lower: str, last_day: int, now: float, period: int | None) -> int:
    """Fold every day of the metric up to ``last_day`` not folded yet, then move its mark. Returns items written."""
    metric = metric_store.get(tenant, metric_lower)
    if metric is None or metric.type == COMPOSITE:
        return 0
    days = range(max(metric.folded_until, day_of(int(now)) - FOLD_BACK), last_day + DAY, DAY)
    written = sum(_fold_day(tenant, metric, day, period) for day in days)
    if days:
        retried(lambda: _mark(tenant, metric_lower, last_day + DAY))
        logger.info("rollups folded", metric=metric_lower, days=len(days), items=written)
    return written


def _mark(tenant: str, metric_lower: str, until: int) -> None:
    metric = metric_store.get(tenant, metric_lower)
    if metric is not None and metric.folded_until < until:
        metric_store.replace(tenant, metric.with_changes(folded_until=until))


def _fold_day(tenant: str, metric: Metric, day: int, period: int | None) -> int:
    """The day's hourly rows of every series, from its block chunks, as day chunks (replacing a previous fold's)."""
    rows: dict[bytes, list[tuple[int, FloatArray]]] = {}
    for hour, chunks in sorted(tiers.day_blocks(tenant, metric.key, metric.created_at, day).items()):
        slot = (hour - day) // HOUR
        for chunk in chunks:
            sids = list(chunk.series)
            frame = SampleFrame.concat(
                [
                    SampleFrame(np.full(len(b.offsets), i, dtype=np.int64), b.offsets + hour, b.values, b.sources)
                    for i, b in enumerate(chunk.series.values())
                ]
            )
            hourly = resample.downsample(frame, HOUR, period)
            for series, stats in zip(hourly.series.tolist(), hourly.stats, strict=True):
                rows.setdefault(sids[series], []).append((slot, stats))
    if not rows:
        return 0
    existing = tiers.all_day_rollups(tenant, metric.key, metric.created_at, day)
    # Rows already stored (a fold run before, late data past the horizon) stay for hours without blocks.
    stored = {sid: block for chunk in existing for sid, block in chunk.series.items()}
    blocks = {sid: day_block([*stored_rows(stored.get(sid)), *found]) for sid, found in rows.items()}
    return tiers.write_day_rollups(tenant, metric.key, metric.created_at, day, blocks, existing)


def stored_rows(block: tiers.Block | None) -> list[tuple[int, FloatArray]]:
    """A series' stored rows of a day as (hour of the day, six columns)."""
    return list(zip(block.offsets.tolist(), block.values, strict=True)) if block is not None else []


def day_block(rows: list[tuple[int, FloatArray]]) -> tiers.Block:
    """A series' rows of a day (hour of the day, six columns), sorted by hour; a later row of an hour wins."""
    latest = dict(rows)
    slots = np.array(sorted(latest), dtype=np.int64)
    return tiers.Block(slots, np.array([latest[s] for s in slots.tolist()], dtype=np.float64).reshape(-1, 6))
