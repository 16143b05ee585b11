"""Sparse-data settings of metrics (PynamoDB items in the Meta table; keys in ``keys.py``)."""

from collections.abc import Iterable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from polymetric.models.sparse import SparseSetting
from polymetric.storage import keys
from polymetric.storage.failures import translated
from polymetric.storage.tables import _MetaItem, bound, get_by_sort_keys


class SparseItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    metric = UnicodeAttribute()
    strategy = UnicodeAttribute()
    high = NumberAttribute(null=True)
    low = NumberAttribute(null=True)
    last = NumberAttribute(null=True)
    last_time = NumberAttribute(null=True)
    since = NumberAttribute(null=True)


def _setting(item: SparseItem) -> SparseSetting:
    def num(v: float | None) -> float | None:
        return None if v is None else float(v)

    return SparseSetting(
        metric=item.metric,
        strategy=item.strategy,
        high=num(item.high),
        low=num(item.low),
        last=num(item.last),
        last_time=None if item.last_time is None else int(item.last_time),
        since=None if item.since is None else int(item.since),
    )


def get_many(tenant: str, metrics_lower: Iterable[str]) -> dict[str, SparseSetting]:
    found = get_by_sort_keys(SparseItem, keys.sparse_pk(tenant), metrics_lower, "sparse settings")
    return {item.sk: _setting(item) for item in found}


def save_many(tenant: str, settings: Iterable[SparseSetting]) -> None:
    with translated("sparse settings write failed"), bound(SparseItem).batch_write() as batch:
        for s in settings:
            batch.save(
                SparseItem(
                    keys.sparse_pk(tenant),
                    s.metric.lower(),
                    metric=s.metric,
                    strategy=s.strategy,
                    high=s.high,
                    low=s.low,
                    last=s.last,
                    last_time=s.last_time,
                    since=s.since,
                )
            )
