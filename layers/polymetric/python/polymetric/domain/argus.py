"""Argus metrics v1: descriptors, record submission, search and aggregation.

1. Descriptors belong to the tenant; ``{descriptor}`` is the id or the shortName (case-insensitive);
   shortNames are unique per tenant (a duplicate is a FIELD_ERROR).
2. A submission is atomic unless ``ignoreOnFailed``: any invalid record refuses it and stores nothing.
3. Records are stored as submitted; the timestamp is normalised to the descriptor's time frame.
   Dedup per (customer, keys, frame): ``none`` keeps all, ``first`` the first, ``last`` the latest.
4. Every stored record is also written to the one store as ``<shortName>.<value name>`` with the
   record's keys as tags (keys that break AppOptics tag rules are left out), time in seconds.
5. The customer is the caller's tenant; a record or filter naming another customer finds nothing
   to write into (an invalid record) or to read (no results).
"""

import hashlib
import uuid

from polymetric import clock
from polymetric.domain import ingest, jobs, room, token_scope
from polymetric.errors import NotFoundError, ValidationFailedError
from polymetric.models.argus import (
    Aggregate,
    Descriptor,
    DescriptorQuery,
    MetricAggregation,
    MetricRecord,
    MetricSearch,
    Submission,
)
from polymetric.models.measurement import Measurement
from polymetric.models.tags import is_tag
from polymetric.query import argus as engine
from polymetric.storage import argus as store
from polymetric.storage import workflows

# Records one search or aggregation may read (the time range is read whole, then filtered: ~300 bytes each).
MAX_RECORDS_READ = 50_000
# Records a descriptor delete removes in the request; more are deleted by a job.
RECORDS_INLINE = 5000
RECORDS_DELETE = "argus.delete"

# --- descriptors -------------------------------------------------------------------------------------


def find(tenant: str, ref: str) -> Descriptor:
    for d in store.descriptors(tenant):
        if d.id == ref or d.short_name.lower() == ref.lower():
            return d
    raise NotFoundError(f"Metric descriptor {ref} not found.")


def create(tenant: str, d: Descriptor) -> Descriptor:
    most = room.MAX_ARGUS_DESCRIPTORS
    room.check("metric descriptors", store.count_descriptors(tenant, most), most)
    if any(x.short_name.lower() == d.short_name.lower() for x in store.descriptors(tenant)):
        raise ValidationFailedError(
            {"shortName": [f"A descriptor with shortName {d.short_name} exists."]}, {"shortName": d.short_name}
        )
    store.save_descriptor(tenant, d)
    return d


def update(tenant: str, current: Descriptor, changed: Descriptor | None) -> Descriptor | None:
    """Store ``changed`` (None: nothing to update); a renamed shortName must stay unique."""
    if changed is None:
        return None
    if changed.short_name.lower() != current.short_name.lower() and any(
        x.short_name.lower() == changed.short_name.lower() for x in store.descriptors(tenant)
    ):
        raise ValidationFailedError(
            {"shortName": [f"A descriptor with shortName {changed.short_name} exists."]},
            {"shortName": changed.short_name},
        )
    store.save_descriptor(tenant, changed)
    return changed


def delete(tenant: str, ref: str) -> Descriptor:
    """Forget the descriptor at once; its records go in the request when they are few (``RECORDS_INLINE``), else
    through a job on the long jobs' state machine (the answer is the same: the records are unreachable already)."""
    d = find(tenant, ref)
    store.delete_descriptor(tenant, d)
    if store.count_records(tenant, d.id, RECORDS_INLINE + 1) <= RECORDS_INLINE:
        store.delete_records(tenant, d.id)
    else:
        job = jobs.create(tenant, RECORDS_DELETE, spec={"argus_descriptor": d.id})
        workflows.start(workflows.metric_jobs_machine(), f"{tenant}-job-{job.id}", {"tenant": tenant, "job_id": job.id})
    return d


def listing(tenant: str, q: DescriptorQuery) -> tuple[list[Descriptor], int]:
    """(page, total) of the tenant's descriptors matching keywords, customers and domains, by shortName."""
    found = sorted(store.descriptors(tenant), key=lambda d: d.short_name.lower())
    if q.keywords:
        words = [w.lower() for w in q.keywords]
        found = [d for d in found if any(w in f"{d.short_name} {d.name or ''} {d.description}".lower() for w in words)]
    if q.customers and tenant not in q.customers:
        found = []
    if q.domains:
        found = [d for d in found if (d.domain or tenant) in q.domains]
    end = len(found) if q.limit == 0 else q.offset + q.limit
    return found[q.offset : end], len(found)


# --- submit ------------------------------------------------------------------------------------------


def _record_id(customer: str, record_keys: dict[str, str], frame_time: int) -> str:
    raw = "\x1f".join([customer, *(f"{k}\x1e{v}" for k, v in sorted(record_keys.items())), str(frame_time)])
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def submit(tenant: str, d: Descriptor, s: Submission, *, submitted_by: str) -> tuple[int, dict[int, list[str]]]:
    """Store the valid records; returns (stored, errors by submission index). Atomic unless ignoreOnFailed."""
    errors = dict(s.errors)
    params, values = {k: list(v) for k, v in s.params.items()}, dict(s.values)
    valid = []
    for draft in s.valid:
        wanted = "" if d.global_descriptor else tenant
        if draft.customer is not None and draft.customer != wanted:
            p = f"records[{draft.index}].customer"
            message = f"Customer {draft.customer} is not available to this API key."
            errors[draft.index] = [message]
            params.setdefault(p, []).append(message)
            values[p] = draft.customer
            continue
        valid.append(draft)
    if errors and not s.ignore_on_failed:
        raise ValidationFailedError(params, values)
    # Before any record is stored: all of the submission fits the rate limit, or 429 and nothing is kept.
    token_scope.reserve(sum(len(draft.values) for draft in valid))
    submitted = clock.now_ms()
    frame = d.frame_ms
    customer = "" if d.global_descriptor else tenant
    records = []
    for draft in valid:
        ts = draft.timestamp_ms - draft.timestamp_ms % frame if frame > 0 else draft.timestamp_ms
        rid = uuid.uuid4().hex if d.deduplication_function == "none" else _record_id(customer, draft.keys, ts)
        records.append(MetricRecord(rid, ts, submitted, customer, draft.keys, draft.values, submitted_by))
    if d.deduplication_function == "first":
        records = [r for r in records if store.add_record_once(tenant, d.id, r)]
    else:
        store.save_records(tenant, d.id, records)
    _write_measurements(tenant, d, records)
    return len(valid), errors


def _write_measurements(tenant: str, d: Descriptor, records: list[MetricRecord]) -> None:
    out: list[Measurement] = []
    for r in records:
        tags = {k: v for k, v in r.keys.items() if is_tag(k, v)}
        for name, value in r.values.items():
            out.append(
                Measurement(f"{d.short_name}.{name}", tags, r.timestamp_ms // 1000, float(value), None, {}, len(out))
            )
    if out:
        ingest.write(tenant, out)


# --- search and aggregate (the engine is ``query.argus``) ------------------------------------------------


def _records(tenant: str, d: Descriptor, start_ms: int, end_ms: int) -> list[MetricRecord]:
    """The records of the time range, at most ``MAX_RECORDS_READ`` of them (a 412 naming the range past that)."""
    found = store.records(tenant, d.id, start_ms, end_ms, limit=MAX_RECORDS_READ)
    if len(found) > MAX_RECORDS_READ:
        raise ValidationFailedError(
            {"startTimestamp": [f"More than {MAX_RECORDS_READ} records in the time range: narrow it."]}
        )
    return found


def search(tenant: str, d: Descriptor, q: MetricSearch) -> tuple[list[MetricRecord], int]:
    """(page, total): records in [start, end] matching the criteria, sorted, limit/offset applied."""
    return engine.search(_records(tenant, d, q.start_ms, q.end_ms), d, q, tenant)


def aggregate(tenant: str, d: Descriptor, q: MetricAggregation) -> list[Aggregate]:
    """Aggregated buckets of the records q.search selects (``query.argus.aggregate``)."""
    w = q.search
    return engine.aggregate(_records(tenant, d, w.start_ms, w.end_ms), d, q, tenant)
