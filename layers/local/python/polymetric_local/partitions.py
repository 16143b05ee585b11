"""Make moto's DynamoDB Query cost what its partition costs, as on DynamoDB (moto 5.2.5, pinned).

moto keeps a table's items per partition already (``Table.items``: hash key -> range key -> item), but
``Table.query`` finds a partition through ``Table.all_items()``, which lists and sorts *every* item of the
table on every call: a read grows with the whole data set (43 s for a 1-hour GET with 11 M samples stored).
While a Query runs in this thread, ``all_items`` answers for the queried partition only:
- base table: the partition's items, sorted by range key (what the full sort gave for that hash key);
- global secondary index with a hash-key condition: the items whose index hash attribute matches, in one
  unsorted pass (``Table.query`` sorts the candidates itself), instead of sorting the whole table.
Everything else (Scan, writes, a Query in another thread) sees moto unchanged.

This leans on moto internals: ``tests/unit/local/test_partitions.py`` pins the moto version and fails when an
upgrade stops calling ``all_items`` from ``query`` or changes what a Query returns.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

MOTO_VERSION = "5.2.5"  # the version this was written against (requirements-dev.lock)

_local = threading.local()
_original: dict[str, Callable[..., Any]] = {}
_lock = threading.Lock()
stats = {"partition_reads": 0}  # how often all_items answered for one partition (tests check it is used)


def install() -> None:
    """Patch moto's Table (idempotent; process-wide)."""
    with _lock:
        if _original:
            return
        _original["query"] = Table.query
        _original["all_items"] = Table.all_items
        signature = inspect.signature(Table.query)
        Table.query = _query_factory(_original["query"], signature)  # type: ignore[method-assign]
        Table.all_items = _all_items  # type: ignore[method-assign]


def uninstall() -> None:
    with _lock:
        if not _original:
            return
        Table.query = _original.pop("query")  # type: ignore[method-assign]
        Table.all_items = _original.pop("all_items")  # type: ignore[method-assign]


def installed() -> bool:
    return bool(_original)


def _query_factory(original: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        hint = _hint(self, bound)
        if hint is None:
            return original(self, *args, **kwargs)
        previous = getattr(_local, "hint", None)
        _local.hint = hint
        try:
            return original(self, *args, **kwargs)
        finally:
            _local.hint = previous

    return query


def _hint(table: Table, arguments: dict[str, Any]) -> tuple[Table, str | None, DynamoType] | None:
    """(table, index hash attribute or None for the base table, hash value) when the Query names one partition."""
    index_name = arguments.get("index_name")
    if not index_name:
        hash_key = arguments.get("hash_key")
        return (table, None, hash_key) if isinstance(hash_key, DynamoType) else None
    conditions = arguments.get("hash_key_conditions") or []
    index = next((i for i in table.global_indexes if i.name == index_name), None)
    if index is None or len(conditions) != 1:
        return None
    hash_attributes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    name, value = conditions[0]
    if hash_attributes != [name] or not isinstance(value, DynamoType):
        return None
    return (table, name, value)


def _all_items(self: Table) -> list[Any]:
    hint = getattr(_local, "hint", None)
    if hint is None or hint[0] is not self:
        everything: list[Any] = _original["all_items"](self)
        return everything
    _, attribute, value = hint
    stats["partition_reads"] += 1
    if attribute is None:
        partition = self.items.get(value)
        if partition is None:
            return []
        if not self.range_key_attr:
            return [partition]
        return sorted(partition.values(), key=lambda item: item.range_key)
    found = []
    for partition in self.items.values():
        for item in partition.values() if self.range_key_attr else [partition]:
            found_value = item.attrs.get(attribute)
            if found_value is not None and found_value == value:
                found.append(item)
    return found
