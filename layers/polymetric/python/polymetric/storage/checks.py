"""How agent checks are meant (OddEye ``type`` and ``reaction``), one item per metric (keys in ``keys.py``).

Written only when a metric's kind changes: a per-container cache remembers what was last stored.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from polymetric.models.check import CheckKind
from polymetric.storage import keys
from polymetric.storage.failures import translated
from polymetric.storage.tables import _MetaItem, bound


class CheckKindItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    metric = UnicodeAttribute()
    type = UnicodeAttribute()
    reaction = NumberAttribute()


_written: dict[tuple[str, str], CheckKind] = {}


def save_kinds(tenant: str, kinds: list[CheckKind]) -> None:
    changed = [k for k in kinds if _written.get((tenant, k.metric.lower())) != k]
    if not changed:
        return
    model = bound(CheckKindItem)
    with translated("check kind write failed"), model.batch_write() as batch:
        for k in changed:
            batch.save(
                model(keys.check_kinds_pk(tenant), k.metric.lower(), metric=k.metric, type=k.type, reaction=k.reaction)
            )
    _written.update({(tenant, k.metric.lower()): k for k in changed})


def kinds(tenant: str) -> dict[str, CheckKind]:
    """Every stored kind of the tenant, by lower-cased metric name."""
    with translated("check kind read failed"):
        items = bound(CheckKindItem).query(keys.check_kinds_pk(tenant))
        return {i.sk: CheckKind(i.metric, i.type, int(i.reaction)) for i in items}


def forget_cache() -> None:
    _written.clear()
