"""CloudWisdom elements and heartbeat checks (PynamoDB items in the Meta table; keys in ``keys.py``).

An element is one item whose ``doc`` holds its metadata as JSON (attributes, tags, relations and
metrics are open-ended maps; one attribute keeps the item a single read and write).
"""

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException

from polymetric.config import get_settings
from polymetric.errors import StorageError
from polymetric.models.element import Element, ElementMetric
from polymetric.storage import batch, keys
from polymetric.storage.tables import _MetaItem, bound, get_by_sort_keys


class ElementItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    element_id = UnicodeAttribute()
    doc = UnicodeAttribute()
    updated_at = NumberAttribute()


class CheckItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    name = UnicodeAttribute()
    element_fqn = UnicodeAttribute()
    ttl_seconds = NumberAttribute()
    last_seen = NumberAttribute()


def _element(item: ElementItem) -> Element:
    doc: dict[str, Any] = json.loads(item.doc)
    metrics = {k: ElementMetric(**v) for k, v in doc.pop("metrics", {}).items()}
    counters = {k: (int(v[0]), float(v[1])) for k, v in doc.pop("counters", {}).items()}
    return Element(**doc, metrics=metrics, counters=counters)


def get_many(tenant: str, element_ids: Iterable[str]) -> dict[str, Element]:
    """Stored elements by lower-cased id."""
    wanted = (e.lower() for e in element_ids)
    found = get_by_sort_keys(ElementItem, keys.cloudwisdom_elements_pk(tenant), wanted, "element")
    return {item.sk: _element(item) for item in found}


def save_many(tenant: str, elements: Iterable[Element]) -> None:
    try:
        with bound(ElementItem).batch_write() as batch:
            for e in elements:
                doc = asdict(e)
                doc["counters"] = {k: list(v) for k, v in e.counters.items()}
                batch.save(
                    ElementItem(
                        keys.cloudwisdom_elements_pk(tenant),
                        e.id.lower(),
                        element_id=e.id,
                        doc=json.dumps(doc, separators=(",", ":")),
                        updated_at=e.updated_at,
                    )
                )
    except PynamoDBException as exc:
        raise StorageError("element write failed", cause=exc) from exc


def list_all(tenant: str) -> list[Element]:
    try:
        return [_element(i) for i in bound(ElementItem).query(keys.cloudwisdom_elements_pk(tenant))]
    except PynamoDBException as exc:
        raise StorageError("element list failed", cause=exc) from exc


def heartbeat(tenant: str, name: str, element_fqn: str, ttl_seconds: int, now: int) -> tuple[int, int, bool] | None:
    """Record a check post and its next deadline.

    Returns the previous post's (time, TTL, whether its missed deadline was already reported by
    the sweep), or None for a new check.
    """
    model = bound(CheckItem)
    sk = f"{element_fqn.lower()}#{name.lower()}"
    table = get_settings().META_TABLE
    try:
        previous = next(iter(model.query(keys.cloudwisdom_checks_pk(tenant), model.sk == sk)), None)
        model(
            keys.cloudwisdom_checks_pk(tenant),
            sk,
            name=name,
            element_fqn=element_fqn,
            ttl_seconds=ttl_seconds,
            last_seen=now,
        ).save()
    except PynamoDBException as exc:
        raise StorageError("check write failed", cause=exc) from exc
    due = _due_key(tenant, element_fqn, name, now + ttl_seconds)
    new_due = {
        **due,
        "tenant": {"S": tenant},
        "name": {"S": name},
        "fqn": {"S": element_fqn},
        "ttl_seconds": {"N": str(ttl_seconds)},
        "last_seen": {"N": str(now)},
    }
    if previous is None:
        batch.write(table, [new_due])
        return None
    old_due = _due_key(tenant, element_fqn, name, int(previous.last_seen) + int(previous.ttl_seconds))
    reported = not batch.get(table, [old_due])
    batch.write(table, [new_due], deletes=[] if old_due == due else [old_due])
    return int(previous.last_seen), int(previous.ttl_seconds), reported


def _due_key(tenant: str, element_fqn: str, name: str, deadline: int) -> dict[str, dict[str, str]]:
    pk, sk = keys.check_due(tenant, element_fqn.lower(), name.lower(), deadline)
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def due_checks(now: int) -> list[dict[str, Any]]:
    """Deadline entries that passed before ``now``, over every tenant."""
    table = get_settings().META_TABLE
    below = f"{now:010d}"
    return [
        item
        for shard in range(keys.CHECK_SHARDS)
        for item in batch.query(table, f"CHECKDUE#{shard}", sk_between=("0", below))
    ]


def forget_due(item: dict[str, Any]) -> None:
    batch.write(get_settings().META_TABLE, deletes=[{"pk": item["pk"], "sk": item["sk"]}])


def checks(tenant: str) -> list[tuple[str, str, int, int]]:
    """(name, element fqn, ttl seconds, last post) of every check."""
    try:
        return [
            (i.name, i.element_fqn, int(i.ttl_seconds), int(i.last_seen))
            for i in bound(CheckItem).query(keys.cloudwisdom_checks_pk(tenant))
        ]
    except PynamoDBException as exc:
        raise StorageError("check list failed", cause=exc) from exc
