"""Argus descriptors and records as submitted (PynamoDB items in the Meta table; keys in ``keys.py``)."""

import json
from collections.abc import Iterable
from dataclasses import asdict

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException

from polymetric.errors import StorageError
from polymetric.models.argus import Descriptor, DescriptorKey, DescriptorValue, MetricRecord
from polymetric.storage import keys
from polymetric.storage.tables import _MetaItem, bound


class DescriptorItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    short_name = UnicodeAttribute()
    doc = UnicodeAttribute()


class RecordItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    record_id = UnicodeAttribute()
    timestamp = NumberAttribute()
    submitted = NumberAttribute()
    customer = UnicodeAttribute()
    submitted_by = UnicodeAttribute()
    doc = UnicodeAttribute()  # {"keys": {...}, "values": {...}} as submitted


def _descriptor(item: DescriptorItem) -> Descriptor:
    doc = json.loads(item.doc)
    doc["keys"] = tuple(DescriptorKey(**k) for k in doc["keys"])
    doc["values"] = tuple(DescriptorValue(**v) for v in doc["values"])
    return Descriptor(**doc)


def descriptors(tenant: str) -> list[Descriptor]:
    try:
        return [_descriptor(i) for i in bound(DescriptorItem).query(keys.argus_descriptors_pk(tenant))]
    except PynamoDBException as exc:
        raise StorageError("descriptor read failed", cause=exc) from exc


def save_descriptor(tenant: str, d: Descriptor) -> None:
    try:
        bound(DescriptorItem)(
            keys.argus_descriptors_pk(tenant),
            d.id,
            short_name=d.short_name,
            doc=json.dumps(asdict(d), separators=(",", ":")),
        ).save()
    except PynamoDBException as exc:
        raise StorageError("descriptor write failed", cause=exc) from exc


def delete_descriptor(tenant: str, d: Descriptor) -> None:
    model = bound(RecordItem)
    try:
        with model.batch_write() as batch:
            for item in model.query(keys.argus_records_pk(tenant, d.id), attributes_to_get=["pk", "sk"]):
                batch.delete(item)
        bound(DescriptorItem)(keys.argus_descriptors_pk(tenant), d.id).delete()
    except PynamoDBException as exc:
        raise StorageError("descriptor delete failed", cause=exc) from exc


def _item(tenant: str, descriptor_id: str, r: MetricRecord) -> RecordItem:
    return bound(RecordItem)(
        keys.argus_records_pk(tenant, descriptor_id),
        keys.argus_record_sk(r.timestamp_ms, r.id),
        record_id=r.id,
        timestamp=r.timestamp_ms,
        submitted=r.submitted_ms,
        customer=r.customer,
        submitted_by=r.submitted_by,
        doc=json.dumps({"keys": r.keys, "values": r.values}, separators=(",", ":")),
    )


def save_records(tenant: str, descriptor_id: str, records: Iterable[MetricRecord]) -> None:
    """Store records, overwriting one with the same (time, id): dedup ``none`` and ``last``."""
    try:
        with bound(RecordItem).batch_write() as batch:
            for r in records:
                batch.save(_item(tenant, descriptor_id, r))
    except PynamoDBException as exc:
        raise StorageError("record write failed", cause=exc) from exc


def add_record_once(tenant: str, descriptor_id: str, r: MetricRecord) -> bool:
    """Store a record unless one with the same (time, id) exists (dedup ``first``); False when it did."""
    try:
        _item(tenant, descriptor_id, r).save(condition=RecordItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise StorageError("record write failed", cause=exc) from exc
    return True


def records(tenant: str, descriptor_id: str, start_ms: int, end_ms: int) -> list[MetricRecord]:
    """Records whose (normalised) timestamp is in [start, end], oldest first."""
    model = bound(RecordItem)
    low, high = max(start_ms, 0), max(min(end_ms, 10**13 - 1), -1)
    if high < low:
        return []
    condition = model.sk.between(keys.argus_record_sk(low, ""), keys.argus_record_sk(high, "~"))
    try:
        out = []
        for i in model.query(keys.argus_records_pk(tenant, descriptor_id), condition):
            doc = json.loads(i.doc)
            out.append(
                MetricRecord(
                    id=i.record_id,
                    timestamp_ms=int(i.timestamp),
                    submitted_ms=int(i.submitted),
                    customer=i.customer,
                    keys={str(k): str(v) for k, v in doc["keys"].items()},
                    values={str(k): int(v) for k, v in doc["values"].items()},
                    submitted_by=i.submitted_by,
                )
            )
        return out
    except PynamoDBException as exc:
        raise StorageError("record read failed", cause=exc) from exc
