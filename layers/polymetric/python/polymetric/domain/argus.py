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
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from polymetric.dialects.argus.descriptors import DescriptorQuery
from polymetric.dialects.argus.fields import MAX_WINDOW
from polymetric.dialects.argus.records import Submission
from polymetric.dialects.argus.search import Criterion, KeyInterval, MetricAggregation, MetricSearch, ValueSpec
from polymetric.domain import ingest
from polymetric.errors import NotFoundError, ValidationFailedError
from polymetric.models.argus import Descriptor, MetricRecord
from polymetric.models.measurement import Measurement
from polymetric.storage import argus as store

_TAG_NAME = re.compile(r"[-.:_\w]{1,64}")
_TAG_VALUE = re.compile(r"[-.:_?\\/\w ]{1,255}")
OTHERS = "__others__"


def now_ms() -> int:
    return int(time.time() * 1000)


# --- descriptors -------------------------------------------------------------------------------------


def find(tenant: str, ref: str) -> Descriptor:
    for d in store.descriptors(tenant):
        if d.id == ref or d.short_name.lower() == ref.lower():
            return d
    raise NotFoundError(f"Metric descriptor {ref} not found.")


def create(tenant: str, d: Descriptor) -> Descriptor:
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
    d = find(tenant, ref)
    store.delete_descriptor(tenant, d)
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
    submitted = now_ms()
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
        tags = {k: v for k, v in r.keys.items() if _TAG_NAME.fullmatch(k) and _TAG_VALUE.fullmatch(v)}
        for name, value in r.values.items():
            out.append(
                Measurement(f"{d.short_name}.{name}", tags, r.timestamp_ms // 1000, float(value), None, {}, len(out))
            )
    if out:
        ingest.write(tenant, out)


# --- search --------------------------------------------------------------------------------------------


def _ip_in(value: str, cidr: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _key_matches(d: Descriptor, name: str, actual: str | None, wanted: str) -> bool:
    if actual is None:
        return False
    k = d.key(name)
    if k is not None and k.type == "ip" and "/" in wanted:
        return _ip_in(actual, wanted)
    return actual == wanted


def _compare(kind: str, actual: str, bound: str) -> int:
    if kind == "integer":
        try:
            a, b = int(actual), int(float(bound))
            return (a > b) - (a < b)
        except (ValueError, OverflowError):
            pass
    return (actual > bound) - (actual < bound)


def _interval_matches(d: Descriptor, r: MetricRecord, i: KeyInterval) -> bool:
    actual = r.keys.get(i.name)
    if actual is None:
        return False
    kind = d.key(i.name).type if d.key(i.name) else "string"  # type: ignore[union-attr]
    if i.values and actual not in i.values:
        return False
    if i.cidrs and not any(_ip_in(actual, c) for c in i.cidrs):
        return False
    checks = ((i.gt, 1, False), (i.gte, 1, True), (i.lt, -1, False), (i.lte, -1, True))
    for bound, sign, inclusive in checks:
        if bound is not None:
            c = _compare(kind, actual, bound)
            if not (c == sign or (inclusive and c == 0)):
                return False
    return True


def _matches(d: Descriptor, r: MetricRecord, c: Criterion, tenant: str) -> bool:
    if c.customers and not d.global_descriptor and (r.customer or tenant) not in c.customers:
        return False
    if not all(_key_matches(d, k, r.keys.get(k), v) for k, v in c.keys.items()):
        return False
    return all(_interval_matches(d, r, i) for i in c.intervals)


def _selected(tenant: str, d: Descriptor, q: MetricSearch) -> list[MetricRecord]:
    found = [r for r in store.records(tenant, d.id, q.start_ms, q.end_ms) if _matches(d, r, q.criterion, tenant)]
    if q.sub_criteria:
        required = [c for c in q.sub_criteria if c.required and not c.exclude]
        excluded = [c for c in q.sub_criteria if c.exclude]
        optional = [c for c in q.sub_criteria if not c.required and not c.exclude]
        found = [
            r
            for r in found
            if all(_matches(d, r, c, tenant) for c in required)
            and not any(_matches(d, r, c, tenant) for c in excluded)
            and (not optional or any(_matches(d, r, c, tenant) for c in optional))
        ]
    return found


def _sort_value(d: Descriptor, r: MetricRecord, name: str) -> Any:
    if name in ("timestamp", "metricTimestamp"):
        return (0, r.timestamp_ms)
    if name in r.values:  # a value wins over a key of the same name
        return (0, r.values[name])
    k = d.key(name)
    raw = r.keys.get(name, "")
    if k is not None and k.type == "integer":
        return (0, int(raw)) if raw.lstrip("-").isdigit() else (1, raw)
    return (1, raw)


def _sorter(d: Descriptor, name: str) -> Callable[[MetricRecord], Any]:
    return lambda r: _sort_value(d, r, name)


def search(tenant: str, d: Descriptor, q: MetricSearch) -> tuple[list[MetricRecord], int]:
    """(page, total): records in [start, end] matching the criteria, sorted, limit/offset applied."""
    found = _selected(tenant, d, q)
    if q.limit == 0 and len(found) > MAX_WINDOW:
        raise ValidationFailedError(
            {"limit": [f"{len(found)} records match; narrow your search (at most 10000 without a limit)."]},
            {"limit": "0"},
        )
    for name in reversed(q.sort_by):
        found.sort(key=_sorter(d, name.lstrip("-")), reverse=name.startswith("-"))
    end = len(found) if q.limit == 0 else q.offset + q.limit
    return found[q.offset : end], len(found)


# --- aggregate -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    keys: tuple[tuple[str, str], ...]
    timestamp_ms: int
    values: tuple[tuple[str, float | int | None], ...]
    customer: str | None = None


def _fold(spec: ValueSpec, rows: list[MetricRecord]) -> float | int | None:
    if not rows:
        return None
    xs = [r.values.get(spec.name, 0) for r in rows]
    f = spec.function
    if f == "sum":
        return sum(xs)
    if f == "avg":
        return sum(xs) / len(xs)
    if f == "min":
        return min(xs)
    if f == "max":
        return max(xs)
    if f == "sumOfSquares":
        return sum(x * x for x in xs)
    if f == "last":
        return max(rows, key=lambda r: (r.timestamp_ms, r.submitted_ms)).values.get(spec.name, 0)
    weights = [r.values.get(spec.weight or "", 0) for r in rows]  # wavg
    total = sum(weights)
    return sum(x * w for x, w in zip(xs, weights, strict=True)) / total if total else None


def _bucket(ts: int, q: MetricAggregation) -> int:
    if q.calendar_interval:
        t = datetime.fromtimestamp(ts / 1000, UTC)
        unit = q.calendar_interval
        if unit == "second":
            t = t.replace(microsecond=0)
        elif unit == "minute":
            t = t.replace(second=0, microsecond=0)
        elif unit == "hour":
            t = t.replace(minute=0, second=0, microsecond=0)
        else:
            t = t.replace(hour=0, minute=0, second=0, microsecond=0)
            if unit == "week":
                t -= timedelta(days=t.weekday())
            elif unit == "month":
                t = t.replace(day=1)
            elif unit == "quarter":
                t = t.replace(day=1, month=(t.month - 1) // 3 * 3 + 1)
            elif unit == "year":
                t = t.replace(day=1, month=1)
        return int(t.timestamp() * 1000)
    if q.resolution_ms == 0:
        return 0
    return ts - (ts - q.search.start_ms) % q.resolution_ms


def _group_value(r: MetricRecord, key: str) -> str:
    return r.customer if key == "customer" else r.keys.get(key, "")


def aggregate(tenant: str, d: Descriptor, q: MetricAggregation) -> list[Aggregate]:
    """Buckets per (groupBy key values, time bucket); each groupBy key keeps its top ``limit`` values by the
    first aggregated value over the whole range, the rest go to one ``__others__`` bucket (includeOthers)."""
    rows = _selected(tenant, d, q.search)
    first = q.values[0]
    labels: list[tuple[str, ...]] = [() for _ in rows]
    kept_rows = list(range(len(rows)))
    for g in q.group_by:
        by_value: dict[str, list[MetricRecord]] = defaultdict(list)
        for i in kept_rows:
            by_value[_group_value(rows[i], g.key)].append(rows[i])
        ranked = sorted(by_value, key=lambda v: (-(_fold(first, by_value[v]) or 0), v))
        top = set(ranked[: g.limit])
        next_rows = []
        for i in kept_rows:
            value = _group_value(rows[i], g.key)
            if value in top:
                labels[i] = (*labels[i], value)
            elif q.include_others:
                labels[i] = (*labels[i], OTHERS)
            else:
                continue
            next_rows.append(i)
        kept_rows = next_rows
    buckets: dict[tuple[tuple[str, ...], int], list[MetricRecord]] = defaultdict(list)
    for i in kept_rows:
        buckets[(labels[i], _bucket(rows[i].timestamp_ms, q))].append(rows[i])
    if len(buckets) > MAX_WINDOW:
        raise ValidationFailedError({"resolution": ["More than 10000 buckets: use a coarser resolution."]})
    out = []
    for (label, ts), members in buckets.items():
        values = tuple((spec.name, _fold(spec, members)) for spec in q.values)
        names = [g.key for g in q.group_by]
        customer = dict(zip(names, label, strict=True)).get("customer")
        out.append(
            Aggregate(tuple((n, v) for n, v in zip(names, label, strict=True) if n != "customer"), ts, values, customer)
        )
    out.sort(key=lambda a: (a.timestamp_ms, -(a.values[0][1] or 0)))
    return out
