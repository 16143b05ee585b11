"""Integer ids (jobs, API tokens, environments): one atomic counter per kind in the Meta table."""

from pynamodb.attributes import NumberAttribute

from polymetric.storage import keys
from polymetric.storage.failures import translated
from polymetric.storage.tables import _MetaItem, bound


class SequenceItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    value = NumberAttribute(default=0)


def next_id(name: str) -> int:
    """The next id of ``name`` (1, 2, ...): an atomic ADD, so concurrent callers never share one."""
    pk, sk = keys.sequence(name)
    item = bound(SequenceItem)(pk, sk)
    with translated(f"{name} id allocation failed"):
        item.update(actions=[SequenceItem.value.add(1)])
    return int(item.value)


def next_ids(name: str, count: int) -> list[int]:
    """``count`` consecutive new ids of ``name`` in one atomic ADD (a chart's new streams)."""
    if count <= 0:
        return []
    pk, sk = keys.sequence(name)
    item = bound(SequenceItem)(pk, sk)
    with translated(f"{name} id allocation failed"):
        item.update(actions=[SequenceItem.value.add(count)])
    last = int(item.value)
    return list(range(last - count + 1, last + 1))
