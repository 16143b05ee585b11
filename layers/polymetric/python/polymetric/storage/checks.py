"""How agent checks are meant (OddEye ``type`` and ``reaction``), one item per metric (keys in ``keys.py``).

Written only when a metric's kind changes: a per-container cache remembers what was last stored.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException

from polymetric.errors import StorageError
from polymetric.models.check import CheckKind
from polymetric.storage import keys
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
    try:
        with model.batch_write() as batch:
            for k in changed:
                batch.save(
                    model(
                        keys.check_kinds_pk(tenant), k.metric.lower(), metric=k.metric, type=k.type, reaction=k.reaction
                    )
                )
    except PynamoDBException as exc:
        raise StorageError("check kind write failed", cause=exc) from exc
    _written.update({(tenant, k.metric.lower()): k for k in changed})


def kinds(tenant: str) -> dict[str, CheckKind]:
    """Every stored kind of the tenant, by lower-cased metric name."""
    try:
        items = bound(CheckKindItem).query(keys.check_kinds_pk(tenant))
        return {i.sk: CheckKind(i.metric, i.type, int(i.reaction)) for i in items}
    except PynamoDBException as exc:
        raise StorageError("check kind read failed", cause=exc) from exc


def forget_cache() -> None:
    _written.clear()
