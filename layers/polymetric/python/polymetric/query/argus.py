"""Argus search and aggregation over a descriptor's records: pure filtering, sorting, paging and folding.

1. A record matches a criterion when its customer is one asked for (global descriptors ignore customers),
   every exact key matches (``ip`` keys also match a CIDR) and every key interval holds (``integer`` keys
   compare as numbers, others as strings).
2. Sub-criteria: every ``required`` one must match, no ``exclude`` one may, and at least one of the rest.
3. ``limit`` 0 asks for every match, refused past ``MAX_WINDOW``; sorting is stable, by ``sort_by`` in order.
4. Aggregation buckets records per (groupBy key values, time bucket); each groupBy key keeps its top
   ``limit`` values by the first aggregated value over the whole range, the rest go to ``__others__``.
   Only buckets that hold records exist (no pass over the empty ones); more than ``MAX_WINDOW`` is refused.
5. A bucket's time is its start: a multiple of the resolution since the epoch (not since ``startTimestamp``, so
   ``now-1d`` queries a minute apart agree), or the UTC calendar unit's start (weeks start on Monday).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from polymetric.errors import ValidationFailedError
from polymetric.models.argus import (
    MAX_WINDOW,
    Aggregate,
    Criterion,
    Descriptor,
    KeyInterval,
    MetricAggregation,
    MetricRecord,
    MetricSearch,
    ValueSpec,
)

OTHERS = "__others__"


def _ip_in(value: str, cidr: str) -> bool:
    import ipaddress  # here: only CIDR filters need it

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


def select(records: Iterable[MetricRecord], d: Descriptor, q: MetricSearch, tenant: str) -> list[MetricRecord]:
    """The records (of q's time window) that match the criterion and sub-criteria."""
    found = [r for r in records if _matches(d, r, q.criterion, tenant)]
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


def search(
    records: Iterable[MetricRecord], d: Descriptor, q: MetricSearch, tenant: str
) -> tuple[list[MetricRecord], int]:
    """(page, total): the records matching the criteria, sorted, limit/offset applied."""
    found = select(records, d, q, tenant)
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
    return ts - ts % q.resolution_ms  # epoch-aligned, as Elasticsearch's fixed_interval (offset 0)


def _group_value(r: MetricRecord, key: str) -> str:
    return r.customer if key == "customer" else r.keys.get(key, "")


def aggregate(records: Iterable[MetricRecord], d: Descriptor, q: MetricAggregation, tenant: str) -> list[Aggregate]:
    """Buckets per (groupBy key values, time bucket); each groupBy key keeps its top ``limit`` values by the
    first aggregated value over the whole range, the rest go to one ``__others__`` bucket (includeOthers)."""
    rows = select(records, d, q.search, tenant)
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
            raise ValidationFailedError(
                {"resolution": [f"More than {MAX_WINDOW} buckets: use a coarser resolution or a shorter time range."]}
            )
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
