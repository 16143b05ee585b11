"""Which storage tier answers a read, and how the tiers merge (AppOptics: rollups serve coarse resolutions).

1. Hours not compacted yet (their round is not done, or late data re-opened them) are read from
   their hot slabs, at any resolution, merged with their blocks (which may hold part of them).
2. A resolution that is a whole number of hours is served from the hourly rollups (558 days) of the
   days already folded (``folding``), and from the blocks after them; a re-opened hour's rollup row is
   replaced by its raw samples.
3. Any other resolution is served from the hour blocks (raw samples, 32 days); asking for it over
   an older range is a 400, as the seed documents.
"""

from __future__ import annotations

from polymetric import clock
from polymetric.domain import folding
from polymetric.domain.compaction import aggregation_period, uncompacted_hours
from polymetric.errors import InvalidInputError
from polymetric.lazy import np
from polymetric.models.hours import DAY, HOUR
from polymetric.models.metric import Metric
from polymetric.models.samples import SampleFrame, SidArray
from polymetric.models.series import Series
from polymetric.query import resample
from polymetric.storage import samples, tiers


def load(
    tenant: str,
    metric: Metric,
    series: list[Series],
    start: int,
    end: int,
    resolution: int,
    now: float | None = None,
) -> tuple[resample.Buckets, int]:
    now = clock.now_float() if now is None else now
    start -= start % resolution
    sids: SidArray = np.array([s.sid for s in series], dtype="S12")
    period = aggregation_period(metric)
    pending = uncompacted_hours(tenant, metric.key, start, end, now)
    hot, hot_items = samples.read_hot(tenant, metric.key, sids, start, end, pending)
    if resolution % HOUR == 0:
        return _hourly(tenant, metric, sids, start, end, resolution, now, pending, hot, hot_items)
    if start < now - tiers.BLOCK_RETENTION:
        raise InvalidInputError.param(
            "resolution",
            f"{resolution} is not available for data older than {tiers.BLOCK_RETENTION // DAY} days; "
            f"use a multiple of {HOUR} (hourly rollups are kept {tiers.ROLLUP_RETENTION // DAY} days)",
        )
    blocks, items = tiers.read_blocks(tenant, metric.key, metric.created_at, sids, start, end)
    # Blocks hold older writes than any slab still pending, so they go first: later writes win.
    return resample.downsample(SampleFrame.concat([blocks, hot]), resolution, period), hot_items + items


def _hourly(
    tenant: str,
    metric: Metric,
    sids: SidArray,
    start: int,
    end: int,
    resolution: int,
    now: float,
    pending: list[int],
    hot: SampleFrame,
    hot_items: int,
) -> tuple[resample.Buckets, int]:
    """Folded days from their rollup chunks; later hours, and re-opened hours of folded days, from their
    blocks and slabs (rollup rows of re-opened hours may be stale, their blocks plus slabs are not)."""
    period = aggregation_period(metric)
    split = min(max(folding.unfolded_from(metric, now), start), end + 1)
    rollups, items = SampleFrame.empty(), hot_items
    raw = [hot]
    if split > start:
        rollups, rollup_items = tiers.read_rollups(tenant, metric.key, metric.created_at, sids, start, split - 1)
        items += rollup_items
        reopened = [h for h in pending if h < split]
        if reopened:
            rollups = rollups.select(~np.isin(rollups.times, reopened))
            blocks, block_items = tiers.read_blocks(
                tenant, metric.key, metric.created_at, sids, reopened[0], reopened[-1] + HOUR - 1
            )
            raw.insert(0, blocks.select(np.isin(blocks.times - blocks.times % HOUR, reopened)))
            items += block_items
    if split <= end:
        blocks, block_items = tiers.read_blocks(tenant, metric.key, metric.created_at, sids, split, end)
        raw.insert(0, blocks)  # blocks hold older writes than any slab still pending: later writes win
        items += block_items
    # Rollup rows are hours already merged; only the raw rows still need deduplicating.
    rows = SampleFrame.concat([rollups, resample.deduplicate(SampleFrame.concat(raw), period)])
    order = np.lexsort((rows.times, rows.series))
    return resample.downsample(rows.select(order), resolution, deduplicated=True), items
