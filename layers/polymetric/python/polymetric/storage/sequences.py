"""Integer ids (jobs, API tokens, environments): one atomic counter per kind in the Meta table."""

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import PynamoDBException

from polymetric.errors import StorageError
from polymetric.storage import keys
from polymetric.storage.tables import _MetaItem, bound


class SequenceItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    value = NumberAttribute(default=0)


def next_id(name: str) -> int:
    """The next id of ``name`` (1, 2, ...): an atomic ADD, so concurrent callers never share one."""
    pk, sk = keys.sequence(name)
    item = bound(SequenceItem)(pk, sk)
    try:
        item.update(actions=[SequenceItem.value.add(1)])
    except PynamoDBException as exc:
        raise StorageError(f"{name} id allocation failed", cause=exc) from exc
    return int(item.value)


def next_ids(name: str, count: int) -> list[int]:
    """``count`` consecutive new ids of ``name`` in one atomic ADD (a chart's new streams)."""
    if count <= 0:
        return []
    pk, sk = keys.sequence(name)
    item = bound(SequenceItem)(pk, sk)
    try:
        item.update(actions=[SequenceItem.value.add(count)])
    except PynamoDBException as exc:
        raise StorageError(f"{name} id allocation failed", cause=exc) from exc
    last = int(item.value)
    return list(range(last - count + 1, last + 1))
