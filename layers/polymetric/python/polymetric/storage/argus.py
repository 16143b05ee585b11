"""Argus descriptors and records as submitted (PynamoDB items in the Meta table; keys in ``keys.py``)."""

import itertools
import json
from collections.abc import Iterable
from dataclasses import asdict

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from polymetric.models.argus import Descriptor, DescriptorKey, DescriptorValue, MetricRecord
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, translated
from polymetric.storage.tables import _MetaItem, bound, count_upto


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
    with translated("descriptor read failed"):
        return [_descriptor(i) for i in bound(DescriptorItem).query(keys.argus_descriptors_pk(tenant))]


def save_descriptor(tenant: str, d: Descriptor) -> None:
    with translated("descriptor write failed"):
        bound(DescriptorItem)(
            keys.argus_descriptors_pk(tenant),
            d.id,
            short_name=d.short_name,
            doc=json.dumps(asdict(d), separators=(",", ":")),
        ).save()


def count_descriptors(tenant: str, limit: int) -> int:
    return count_upto(DescriptorItem, keys.argus_descriptors_pk(tenant), limit, "descriptor")


def count_records(tenant: str, descriptor_id: str, limit: int) -> int:
    return count_upto(RecordItem, keys.argus_records_pk(tenant, descriptor_id), limit, "record")


def delete_descriptor(tenant: str, d: Descriptor) -> None:
    """Forget the descriptor (its records are no longer reachable: ids are never reused)."""
    with translated("descriptor delete failed"):
        bound(DescriptorItem)(keys.argus_descriptors_pk(tenant), d.id).delete()


def delete_records(tenant: str, descriptor_id: str) -> int:
    """Delete every record of a descriptor; how many."""
    model = bound(RecordItem)
    removed = 0
    with translated("record delete failed"), model.batch_write() as batch:
        for item in model.query(keys.argus_records_pk(tenant, descriptor_id), attributes_to_get=["pk", "sk"]):
            batch.delete(item)
            removed += 1
    return removed


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
    with translated("record write failed"), bound(RecordItem).batch_write() as batch:
        for r in records:
            batch.save(_item(tenant, descriptor_id, r))


def add_record_once(tenant: str, descriptor_id: str, r: MetricRecord) -> bool:
    """Store a record unless one with the same (time, id) exists (dedup ``first``); False when it did."""
    with translated("record write failed"):
        try:
            _item(tenant, descriptor_id, r).save(condition=RecordItem.pk.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
    return True


def records(tenant: str, descriptor_id: str, start_ms: int, end_ms: int, *, limit: int) -> list[MetricRecord]:
    """Records whose (normalised) timestamp is in [start, end], oldest first; at most ``limit`` + 1 are read, so
    the caller tells "more than ``limit``" apart."""
    model = bound(RecordItem)
    low, high = max(start_ms, 0), max(min(end_ms, 10**13 - 1), -1)
    if high < low:
        return []
    condition = model.sk.between(keys.argus_record_sk(low, ""), keys.argus_record_sk(high, "~"))
    with translated("record read failed"):
        out = []
        for i in itertools.islice(model.query(keys.argus_records_pk(tenant, descriptor_id), condition), limit + 1):
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
