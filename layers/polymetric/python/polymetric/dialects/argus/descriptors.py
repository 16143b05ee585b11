"""Argus metric descriptors: add, update and list requests (MetricDescriptorAddRequest)."""

import re
import uuid
from typing import Any

from polymetric.dialects.argus.fields import (
    CATEGORIES,
    DEDUPLICATION,
    FUNCTIONS,
    KEY_TYPES,
    LANGUAGES,
    NAME_RE,
    RESERVED_KEYS,
    UNITS,
    Problems,
    choice,
    flag,
    integer,
    objects,
    string_map,
    strings,
    text,
)
from polymetric.models.argus import MAX_WINDOW, UNIT_MS, Descriptor, DescriptorKey, DescriptorQuery, DescriptorValue


def _descriptor_key(raw: dict[str, Any], path: str, p: Problems) -> DescriptorKey | None:
    name = text(raw, "name", p, required=True, path=path)
    if name is not None and not NAME_RE.fullmatch(name):
        p.add(f"{path}name", "Key names are characters of a-zA-Z0-9_:-.", name)
    if name is not None and name.lower() in RESERVED_KEYS:
        p.add(f"{path}name", f"'{name}' is a reserved key name.", name)
    kind = text(raw, "type", p, path=path) or "string"
    if kind.lower() not in KEY_TYPES:
        p.add(f"{path}type", f"{path}type must be one of ip, hostName, integer, string, uuid.", kind)
    description = text(raw, "description", p, required=True, path=path)
    language = choice(raw, "language", LANGUAGES, "english", p, path)
    translator = text(raw, "translator", p, path=path) or "none"
    if name is None or description is None:
        return None
    return DescriptorKey(name, KEY_TYPES.get(kind.lower(), "string"), description, language, translator)


def _descriptor_value(raw: dict[str, Any], path: str, p: Problems) -> DescriptorValue | None:
    name = text(raw, "name", p, required=True, path=path)
    if name is not None and not NAME_RE.fullmatch(name):
        p.add(f"{path}name", "Value names are characters of a-zA-Z0-9_:-.", name)
    description = text(raw, "description", p, required=True, path=path)
    unit = choice(raw, "unit", UNITS, "count", p, path)
    function = choice(raw, "defaultAggregationFunction", FUNCTIONS, "sum", p, path)
    weight = text(raw, "defaultWeightByValue", p, path=path)
    if name is None or description is None:
        return None
    return DescriptorValue(name, description, unit, function, weight)


def _check_schema(keys: list[DescriptorKey], values: list[DescriptorValue], p: Problems) -> None:
    for kind, names in (("keys", [k.name for k in keys]), ("values", [v.name for v in values])):
        for name in {n for n in names if names.count(n) > 1}:
            p.add(kind, f"Duplicate {kind[:-1]} name '{name}'.", name)
    value_names = {v.name for v in values}
    for v in values:
        if v.default_weight_by_value is not None and v.default_weight_by_value not in value_names:
            p.add(
                "values.defaultWeightByValue",
                f"'{v.default_weight_by_value}' is not a value.",
                v.default_weight_by_value,
            )


def descriptor(doc: dict[str, Any], *, new_id: str | None = None, now_ms: int) -> Descriptor:
    """A new descriptor from ``POST /metrics/v1/descriptor``."""
    p = Problems()
    short_name = text(doc, "shortName", p, required=True)
    if short_name is not None and not NAME_RE.fullmatch(short_name):
        p.add("shortName", "shortName is characters of a-zA-Z0-9_:-.", short_name)
    description = text(doc, "description", p, required=True)
    functions = [text(doc, f, p, required=True) for f in ("adminFunction", "readFunction", "writeFunction")]
    keys = [_descriptor_key(k, f"keys[{i}].", p) for i, k in enumerate(objects(doc, "keys", p, required=True))]
    values = [_descriptor_value(v, f"values[{i}].", p) for i, v in enumerate(objects(doc, "values", p, required=True))]
    good_keys = [k for k in keys if k is not None]
    good_values = [v for v in values if v is not None]
    _check_schema(good_keys, good_values, p)
    built = Descriptor(
        id=new_id or str(uuid.uuid4()),
        short_name=short_name or "",
        description=description or "",
        admin_function=functions[0] or "",
        read_function=functions[1] or "",
        write_function=functions[2] or "",
        keys=tuple(good_keys),
        values=tuple(good_values),
        name=text(doc, "name", p),
        deduplication_function=choice(doc, "deduplicationFunction", DEDUPLICATION, "none", p),
        time_frame_size=integer(doc, "timeFrameSize", 0, p, low=0) or 0,
        time_frame_size_unit=choice(doc, "timeFrameSizeUnit", tuple(UNIT_MS), "milliseconds", p),
        category=choice(doc, "category", CATEGORIES, "OTHER", p),
        customer=text(doc, "customer", p),
        domain=text(doc, "domain", p),
        global_descriptor=flag(doc, "globalDescriptor", False, p),
        keep_audit_data=flag(doc, "keepAuditData", True, p),
        keep_backup=flag(doc, "keepBackup", True, p),
        use_separate_index=flag(doc, "useSeparateIndex", False, p),
        localized_names=string_map(doc, "localizedNames", p),
        localized_descriptions=string_map(doc, "localizedDescriptions", p),
        created_ms=now_ms,
        updated_ms=now_ms,
    )
    p.check()
    return built


_SCALARS = {
    "description": "description",
    "name": "name",
    "adminFunction": "admin_function",
    "readFunction": "read_function",
    "writeFunction": "write_function",
}
_FLAGS = {"keepAuditData": "keep_audit_data", "keepBackup": "keep_backup", "useSeparateIndex": "use_separate_index"}


def updated_descriptor(current: Descriptor, doc: dict[str, Any], *, now_ms: int) -> Descriptor | None:
    """``PUT /metrics/v1/descriptor/{descriptor}``: the changed descriptor, or None when nothing changes."""
    p = Problems()
    changes = {**_scalar_changes(current, doc, p), **_schema_changes(current, doc, p)}
    p.check()
    changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not changed:
        return None
    return Descriptor(**{**current.__dict__, **changed, "updated_ms": now_ms})


def _scalar_changes(current: Descriptor, doc: dict[str, Any], p: Problems) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for wire, attr in _SCALARS.items():
        value = text(doc, wire, p, required=doc.get(wire) is not None and attr != "name")
        if value is not None:
            changes[attr] = value
    if doc.get("shortName") is not None:
        short_name = text(doc, "shortName", p, required=True)
        if short_name is not None and not NAME_RE.fullmatch(short_name):
            p.add("shortName", "shortName is characters of a-zA-Z0-9_:-.", short_name)
        elif short_name is not None:
            changes["short_name"] = short_name
    for wire, attr in _FLAGS.items():
        if doc.get(wire) is not None:
            changes[attr] = flag(doc, wire, False, p)
    if doc.get("deduplicationFunction") is not None:
        changes["deduplication_function"] = choice(doc, "deduplicationFunction", DEDUPLICATION, "none", p)
    if doc.get("category") is not None:
        changes["category"] = choice(doc, "category", CATEGORIES, "OTHER", p)
    if doc.get("timeFrameSize") is not None:
        changes["time_frame_size"] = integer(doc, "timeFrameSize", 0, p, low=0)
    # The SDK always sends timeFrameSizeUnit; alone, it changes nothing unless a frame is set.
    if doc.get("timeFrameSizeUnit") is not None and (doc.get("timeFrameSize") is not None or current.time_frame_size):
        changes["time_frame_size_unit"] = choice(doc, "timeFrameSizeUnit", tuple(UNIT_MS), "milliseconds", p)
    for wire, attr in (("localizedNames", "localized_names"), ("localizedDescriptions", "localized_descriptions")):
        if doc.get(wire) is not None:
            changes[attr] = string_map(doc, wire, p)
    return changes


def _schema_changes(current: Descriptor, doc: dict[str, Any], p: Problems) -> dict[str, Any]:
    keys: dict[str, Any] = {k.name: k for k in current.keys}
    values: dict[str, Any] = {v.name: v for v in current.values}
    for wire, table in (("removeKeys", keys), ("removeValues", values)):
        for name in strings(doc, wire, p):
            if table.pop(name, None) is None:
                p.add(wire, f"Unknown name '{name}'.", name)
    for wire, table, reader, must_exist in (
        ("addKeys", keys, _descriptor_key, False),
        ("updateKeys", keys, _descriptor_key, True),
        ("addValues", values, _descriptor_value, False),
        ("updateValues", values, _descriptor_value, True),
    ):
        for i, raw in enumerate(objects(doc, wire, p)):
            item = reader(raw, f"{wire}[{i}].", p)
            if item is None:
                continue
            if (item.name in table) != must_exist:
                p.add(f"{wire}[{i}].name", f"{'Unknown' if must_exist else 'Existing'} name '{item.name}'.", item.name)
                continue
            table[item.name] = item
    if not keys:
        p.add("keys", "A descriptor needs at least one key.")
    if not values:
        p.add("values", "A descriptor needs at least one value.")
    _check_schema(list(keys.values()), list(values.values()), p)
    changes: dict[str, Any] = {}
    if tuple(keys.values()) != current.keys:
        changes["keys"] = tuple(keys.values())
    if tuple(values.values()) != current.values:
        changes["values"] = tuple(values.values())
    return changes


def descriptor_query(doc: dict[str, Any]) -> DescriptorQuery:
    """Query of ``GET /metrics/v1/descriptor`` (repeated keys as lists) or the body of ``.../search``."""
    p = Problems()
    query = DescriptorQuery(
        limit=integer(doc, "limit", 25, p, low=0, high=MAX_WINDOW) or 0,
        offset=integer(doc, "offset", 0, p, low=0) or 0,
        keywords=strings(doc, "keywords", p),
        customers=strings(doc, "customer", p),
        domains=(*strings(doc, "descriptorDomain", p), *strings(doc, "domain", p)),
    )
    p.check()
    return query


def descriptor_query_params(values: dict[str, list[str]]) -> DescriptorQuery:
    """``GET /metrics/v1/descriptor?limit=&offset=&keywords=&customer=&descriptorDomain=`` (keys may repeat)."""
    doc: dict[str, Any] = {}
    for key, found in values.items():
        name = key.removesuffix("[]")
        if name in ("limit", "offset"):
            raw = found[-1].strip()
            doc[name] = int(raw) if re.fullmatch(r"-?\d{1,9}", raw) else raw
        else:
            doc[name] = list(found)
    return descriptor_query(doc)
