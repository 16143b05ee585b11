"""CloudWisdom elements and heartbeats (PynamoDB items in the Meta table; keys in ``keys.py``).

An element is one item whose ``doc`` holds its metadata as JSON (attributes, tags, relations and
metrics are open-ended maps; one attribute keeps the item a single read and write).
"""

import itertools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from polymetric.config import get_settings
from polymetric.models.element import Element, ElementMetric
from polymetric.storage import batch, keys
from polymetric.storage.failures import translated
from polymetric.storage.tables import _MetaItem, bound, get_by_sort_keys


class ElementItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    element_id = UnicodeAttribute()
    doc = UnicodeAttribute()
    updated_at = NumberAttribute()


class HeartbeatItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    name = UnicodeAttribute()
    element_fqn = UnicodeAttribute()
    ttl_seconds = NumberAttribute()
    last_seen = NumberAttribute()


@dataclass(frozen=True)
class Heartbeat:
    """The last heartbeat of one check (CloudWisdom ``POST /check/...``): it promised another within the TTL."""

    name: str
    element_fqn: str
    ttl_seconds: int
    last_seen: int


@dataclass(frozen=True)
class PreviousHeartbeat:
    """The heartbeat a new one replaced, and whether the sweep already reported its missed deadline."""

    last_seen: int
    ttl_seconds: int
    reported: bool


@dataclass(frozen=True)
class DueHeartbeat:
    """A check whose deadline passed without a new heartbeat, of any organization."""

    tenant: str
    name: str
    element_fqn: str
    ttl_seconds: int
    last_seen: int
    deadline: int


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
    with translated("element write failed"), bound(ElementItem).batch_write() as batch:
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


def list_all(tenant: str, *, limit: int) -> list[Element]:
    """The organization's elements by id, at most ``limit`` + 1 (so the caller tells "more than ``limit``")."""
    with translated("element list failed"):
        items = bound(ElementItem).query(keys.cloudwisdom_elements_pk(tenant))
        return [_element(i) for i in itertools.islice(items, limit + 1)]


def record_heartbeat(tenant: str, name: str, element_fqn: str, ttl_seconds: int, now: int) -> PreviousHeartbeat | None:
    """Record a heartbeat and its next deadline; the previous heartbeat of the check, or None for a new check."""
    model = bound(HeartbeatItem)
    sk = f"{element_fqn.lower()}#{name.lower()}"
    table = get_settings().META_TABLE
    with translated("heartbeat write failed"):
        previous = next(iter(model.query(keys.cloudwisdom_heartbeats_pk(tenant), model.sk == sk)), None)
        model(
            keys.cloudwisdom_heartbeats_pk(tenant),
            sk,
            name=name,
            element_fqn=element_fqn,
            ttl_seconds=ttl_seconds,
            last_seen=now,
        ).save()
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
    return PreviousHeartbeat(int(previous.last_seen), int(previous.ttl_seconds), reported)


def _due_key(tenant: str, element_fqn: str, name: str, deadline: int) -> dict[str, dict[str, str]]:
    pk, sk = keys.heartbeat_due(tenant, element_fqn.lower(), name.lower(), deadline)
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def due_heartbeats(now: int) -> list[DueHeartbeat]:
    """Heartbeat deadlines that passed before ``now``, over every tenant (each shard's entries, by deadline)."""
    table = get_settings().META_TABLE
    below = keys.heartbeat_due_sk_below(now)
    return [
        DueHeartbeat(
            tenant=item["tenant"]["S"],
            name=item["name"]["S"],
            element_fqn=item["fqn"]["S"],
            ttl_seconds=int(item["ttl_seconds"]["N"]),
            last_seen=int(item["last_seen"]["N"]),
            deadline=keys.parse_heartbeat_due_sk(item["sk"]["S"]),
        )
        for shard in range(keys.HEARTBEAT_SHARDS)
        for item in batch.query(table, keys.heartbeat_due_pk(shard), sk_between=("0", below))
    ]


def forget_due(due: DueHeartbeat) -> None:
    """Drop a deadline once it is reported (the next heartbeat then records a recovery)."""
    batch.write(get_settings().META_TABLE, deletes=[_due_key(due.tenant, due.element_fqn, due.name, due.deadline)])


def heartbeats(tenant: str) -> list[Heartbeat]:
    """The last heartbeat of every check of the organization."""
    with translated("heartbeat list failed"):
        return [
            Heartbeat(i.name, i.element_fqn, int(i.ttl_seconds), int(i.last_seen))
            for i in bound(HeartbeatItem).query(keys.cloudwisdom_heartbeats_pk(tenant))
        ]
