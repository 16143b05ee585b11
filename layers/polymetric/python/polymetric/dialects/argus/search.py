"""Argus metric search and aggregation requests (MetricSearchRequest, MetricAggregationRequest)."""

import ipaddress
import math
import re
from datetime import UTC, datetime
from typing import Any

from polymetric.dialects.argus.fields import (
    CALENDAR,
    FUNCTIONS,
    RESOLUTION_UNITS,
    Problems,
    choice,
    flag,
    integer,
    objects,
    string_map,
    strings,
    text,
    whole,
)
from polymetric.models.argus import (
    MAX_WINDOW,
    Criterion,
    Descriptor,
    GroupBy,
    KeyInterval,
    MetricAggregation,
    MetricSearch,
    ValueSpec,
)

_RELATIVE = re.compile(r"now(?:\s*-\s*(\d{1,12})\s*(ms|s|m|h|d|w))?", re.IGNORECASE)
_RELATIVE_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z")


def time_ms(value: Any, name: str, default: int, now_ms: int, p: Problems) -> int:
    if value is None:
        return default
    if whole(value) or (isinstance(value, float) and math.isfinite(value)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d{1,16}", text):
            return int(text)
        relative = _RELATIVE.fullmatch(text)
        if relative:
            amount, unit = relative.groups()
            return now_ms - (int(amount) * _RELATIVE_MS[unit.lower()] if amount else 0)
        if _ISO_UTC.fullmatch(text):
            try:
                moment = datetime.fromisoformat(text[:-1][:26]).replace(tzinfo=UTC)
            except ValueError:
                moment = None
            if moment is not None:
                return int(moment.timestamp() * 1000)
    p.add(name, f"{name} must be epoch milliseconds, an ISO-8601 UTC time or a relative time (now-1h).", value)
    return default


def _cidr_ok(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _criterion(doc: dict[str, Any], desc: Descriptor, path: str, p: Problems) -> Criterion:
    keys = string_map(doc, "keys", p, path)
    for name, value in keys.items():
        k = desc.key(name)
        if k is None:
            p.add(f"{path}keys.{name}", f"Key '{name}' is not defined by descriptor {desc.short_name}.", name)
        elif k.type == "ip" and not _cidr_ok(value):
            p.add(f"{path}keys.{name}", f"Key '{name}' takes an IP address or a CIDR.", value)
    intervals = []
    raw_intervals = doc.get("keyIntervals")
    if raw_intervals is not None and not isinstance(raw_intervals, list):
        p.add(f"{path}keyIntervals", "JSON field has an invalid type.", raw_intervals)
        raw_intervals = []
    for i, raw in enumerate(raw_intervals or []):
        where = f"{path}keyIntervals[{i}]."
        if not isinstance(raw, dict):
            p.add(where[:-1], "JSON field has an invalid type.", raw)
            continue
        key_name = text(raw, "name", p, required=True, path=where)
        if key_name is not None and desc.key(key_name) is None:
            p.add(f"{where}name", f"Key '{key_name}' is not defined by descriptor {desc.short_name}.", key_name)
        cidrs = strings(raw, "cidrs", p, where)
        for c in cidrs:
            if not _cidr_ok(c):
                p.add(f"{where}cidrs", f"'{c}' is not a CIDR.", c)
        intervals.append(
            KeyInterval(
                key_name or "",
                strings(raw, "values", p, where),
                cidrs,
                gt=_bound(raw.get("gt"), f"{where}gt", p),
                gte=_bound(raw.get("gte"), f"{where}gte", p),
                lt=_bound(raw.get("lt"), f"{where}lt", p),
                lte=_bound(raw.get("lte"), f"{where}lte", p),
            )
        )
    return Criterion(
        customers=strings(doc, "customer", p, path),
        keys=keys,
        intervals=tuple(intervals),
        required=flag(doc, "required", False, p, path),
        exclude=flag(doc, "exclude", False, p, path),
    )


def _bound(value: Any, name: str, p: Problems) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        p.add(name, "JSON field has an invalid type.", value)
        return None
    return str(value)


def _search(doc: dict[str, Any], desc: Descriptor, now_ms: int, p: Problems, *, paged: bool) -> MetricSearch:
    start = time_ms(doc.get("startTimestamp"), "startTimestamp", 0, now_ms, p)
    end = time_ms(doc.get("endTimestamp"), "endTimestamp", now_ms, now_ms, p)
    if end < start:
        p.add("endTimestamp", "endTimestamp must not be before startTimestamp.", doc.get("endTimestamp"))
    subs = []
    raw_subs = doc.get("subCriteria")
    if raw_subs is not None and (not isinstance(raw_subs, list) or not all(isinstance(s, dict) for s in raw_subs)):
        p.add("subCriteria", "JSON field has an invalid type.", raw_subs)
        raw_subs = []
    for i, raw in enumerate(raw_subs or []):
        subs.append(_criterion(raw, desc, f"subCriteria[{i}].", p))
    limit, offset = 25, 0
    sort_by: tuple[str, ...] = ()
    if paged:
        limit = integer(doc, "limit", 25, p, low=0, high=MAX_WINDOW) or 0
        offset = integer(doc, "offset", 0, p, low=0, high=MAX_WINDOW - 1) or 0
        if limit + offset > MAX_WINDOW:
            p.add("offset", "limit + offset may not exceed 10000 (the search window).", offset)
        sort_by = strings(doc, "sortBy", p)
        fields = {k.name for k in desc.keys} | {v.name for v in desc.values} | {"timestamp", "metricTimestamp"}
        for s in sort_by:
            if s.lstrip("-") not in fields:
                p.add("sortBy", f"Cannot sort by '{s}': not a key or value of descriptor {desc.short_name}.", s)
    return MetricSearch(start, end, _criterion(doc, desc, "", p), tuple(subs), limit, offset, sort_by)


def search(desc: Descriptor, doc: dict[str, Any], *, now_ms: int) -> MetricSearch:
    p = Problems()
    found = _search(doc, desc, now_ms, p, paged=True)
    p.check()
    return found


def _value_specs(desc: Descriptor, doc: dict[str, Any], p: Problems) -> list[ValueSpec]:
    specs = []
    for i, raw in enumerate(objects(doc, "values", p, required=True)):
        where = f"values[{i}]."
        name = text(raw, "name", p, required=True, path=where)
        value = desc.value(name) if name is not None else None
        if name is not None and value is None:
            p.add(f"{where}name", f"Value '{name}' is not defined by descriptor {desc.short_name}.", name)
        default = value.default_aggregation_function if value else "sum"
        function = choice(raw, "aggregationFunction", FUNCTIONS, default, p, where)
        weight = text(raw, "weightByValue", p, path=where) or text(raw, "valueAsWeight", p, path=where)
        if weight is None and value is not None:
            weight = value.default_weight_by_value
        if function == "wavg":
            if weight is None:
                p.add(f"{where}weightByValue", "wavg needs a weight: weightByValue (valueAsWeight).", name)
            elif desc.value(weight) is None:
                p.add(f"{where}weightByValue", f"'{weight}' is not a value of descriptor {desc.short_name}.", weight)
        if name is not None:
            specs.append(ValueSpec(name, function, weight))
    return specs


def _groups(desc: Descriptor, doc: dict[str, Any], p: Problems) -> list[GroupBy]:
    groups = []
    for i, raw in enumerate(objects(doc, "groupBy", p)):
        key = text(raw, "key", p, required=True, path=f"groupBy[{i}].")
        if key is not None and key != "customer" and desc.key(key) is None:
            p.add(f"groupBy[{i}].key", f"Key '{key}' is not defined by descriptor {desc.short_name}.", key)
        limit = raw.get("limit", 10)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_WINDOW:
            p.add(f"groupBy[{i}].limit", "groupBy limit must be a whole number from 1 to 10000.", limit)
            limit = 10
        if key is not None:
            groups.append(GroupBy(key, limit))
    return groups


def aggregation(desc: Descriptor, doc: dict[str, Any], *, now_ms: int) -> MetricAggregation:
    p = Problems()
    found = _search(doc, desc, now_ms, p, paged=False)
    specs = _value_specs(desc, doc, p)
    groups = _groups(desc, doc, p)
    if flag(doc, "groupByCustomer", False, p) and not any(g.key == "customer" for g in groups):
        groups.append(GroupBy("customer", 10))
    resolution = integer(doc, "resolution", 0, p, low=0) or 0
    unit_name = text(doc, "resolutionUnit", p) or "millisecond"
    unit = RESOLUTION_UNITS.get(unit_name.lower().removesuffix("s"))
    if unit is None:
        p.add("resolutionUnit", "resolutionUnit must be one of millisecond, second, minute, hour, day.", unit_name)
        unit = 1
    calendar = text(doc, "calendarInterval", p)
    if calendar is not None and calendar.lower() not in CALENDAR:
        p.add("calendarInterval", f"calendarInterval must be one of {', '.join(CALENDAR)}.", calendar)
    # No bound on the buckets the range could hold: the 412 is on the buckets the data fills (query.argus), as
    # Elasticsearch's search.max_buckets; the records read are bounded (domain.argus.MAX_RECORDS_READ).
    resolution_ms = resolution * unit
    p.check()
    return MetricAggregation(
        found,
        tuple(specs),
        tuple(groups),
        flag(doc, "includeOthers", True, p),
        resolution_ms,
        calendar.lower() if calendar else None,
    )
