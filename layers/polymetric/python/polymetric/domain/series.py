"""The one read seam of plain and composite queries: pick a metric's series, read their buckets."""

from polymetric.domain import tiered
from polymetric.models.metric import Metric
from polymetric.models.series import Series
from polymetric.models.tags import TagMatcher
from polymetric.query import resample
from polymetric.storage import registry


def select_series(tenant: str, metric: Metric, tags: TagMatcher, group_by: tuple[str, ...] = ()) -> list[Series]:
    """The metric's series whose tags match (and that carry every group_by tag), sorted by tag pairs."""
    wanted = [g.lower() for g in group_by if g != "*"]
    chosen = [
        s
        for s in registry.load(tenant, metric.key)
        if tags.matches(s.tags) and all(g in {k.lower() for k in s.tags} for g in wanted)
    ]
    return sorted(chosen, key=lambda s: s.sort_key)


def load_buckets(
    tenant: str, metric: Metric, series: list[Series], start: int, end: int, resolution: int
) -> tuple[resample.Buckets, int]:
    """Merged (count, sum, min, max, last, sumsq) per series and bucket of ``resolution`` seconds in [start, end].

    ``Buckets.series`` indexes ``series``. It picks the storage tier. Returns the buckets and the number of
    items read.
    """
    return tiered.load(tenant, metric, series, start, end, resolution)
