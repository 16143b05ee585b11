"""Sparse-data strategies: remembered at ingest, applied by the read path to buckets without samples."""

from __future__ import annotations

from collections.abc import Mapping

from polymetric.models.metric import Metric
from polymetric.models.samples import FloatArray
from polymetric.models.sparse import NONE, Observation, SparseSetting
from polymetric.query import sparse as sparse_fill
from polymetric.query.resample import Buckets
from polymetric.storage import sparse as store


def remember(tenant: str, strategies: Mapping[str, str | None], observations: Mapping[str, list[Observation]]) -> None:
    """Update the strategy (when given) and lifetime facts of each metric (name as written -> ...).

    Only metrics that have, or had, a strategy other than None are kept. Concurrent writers to one
    metric may lose one another's maximum/minimum (read-modify-write; last writer wins).
    """
    names = {n.lower(): n for n in (*strategies, *observations)}
    current = store.get_many(tenant, names)
    changed: list[SparseSetting] = []
    for lower, name in names.items():
        setting = current.get(lower)
        strategy = strategies.get(name)
        if setting is None:
            if strategy in (None, NONE):
                continue
            setting = SparseSetting(metric=name, strategy=str(strategy))
        elif strategy is not None and strategy != setting.strategy:
            setting = SparseSetting(**{**setting.__dict__, "strategy": strategy})
        changed.append(setting.observe(observations.get(name, [])))
    if changed:
        store.save_many(tenant, changed)


def setting(tenant: str, metric_lower: str) -> SparseSetting | None:
    return store.get_many(tenant, [metric_lower]).get(metric_lower)


def fill(
    tenant: str,
    metric: Metric,
    series_count: int,
    buckets: Buckets,
    values: FloatArray,
    *,
    start: int,
    end: int,
    resolution: int,
    now: int,
) -> tuple[Buckets, FloatArray]:
    """Inject the metric's sparse-data values into buckets with no samples (unchanged without a strategy)."""
    found = setting(tenant, metric.key)
    if found is None:
        return buckets, values
    return sparse_fill.fill(buckets, values, series_count, found, start=start, end=end, resolution=resolution, now=now)
