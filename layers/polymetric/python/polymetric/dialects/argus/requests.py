"""Argus metrics v1 request bodies (schemas MetricDescriptorAddRequest, MetricSubmissionRequest,
MetricSearchRequest, MetricAggregationRequest of argus-api 5.1.0).

1. A body that is not JSON, or not a JSON object, is ``Invalid JSON request received.`` (400).
2. Every other violation is one FIELD_ERROR (412) naming the field path and the offending value; all
   of a request's violations are reported together. Unknown fields are ignored.
3. Times: epoch ms (number or numeric string), ``now``, ``now-<n>(ms|s|m|h|d|w)``, or ISO-8601 in UTC
   (``Z``) only.
"""

import ipaddress
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from polymetric.errors import MalformedInputError, ValidationFailedError
from polymetric.models.argus import UNIT_MS, Descriptor, DescriptorKey, DescriptorValue

NAME_RE = re.compile(r"[a-zA-Z0-9_:\-.]+")
HOSTNAME_RE = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)
KEY_TYPES = {"ip": "ip", "hostname": "hostName", "integer": "integer", "string": "string", "uuid": "uuid"}
RESERVED_KEYS = {"customer"}
DEDUPLICATION = ("none", "first", "last")
CATEGORIES = ("CASE", "EVENT", "ASSET", "SAMPLE", "OTHER")
LANGUAGES = ("english", "norwegian")
UNITS = ("count", "milliseconds", "seconds", "minutes", "hours", "bytes")
FUNCTIONS = ("sum", "avg", "min", "max", "wavg", "sumOfSquares", "last")
RESOLUTION_UNITS = {"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000}
CALENDAR = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
MAX_WINDOW = 10_000
INT64 = 2**63
MAX_TIMESTAMP = 10**13  # epoch ms of 2286: records sort by a 13-digit timestamp
_RELATIVE = re.compile(r"now(?:\s*-\s*(\d{1,12})\s*(ms|s|m|h|d|w))?", re.IGNORECASE)
_RELATIVE_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z")
INVALID_JSON = "Invalid JSON request received."


def _whole(value: Any) -> bool:
    """A JSON number with an integral, finite value (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return True
    return math.isfinite(value) and value == int(value)


class Problems:
    """FIELD_ERRORs collected while reading a body; ``check`` raises them together."""

    def __init__(self) -> None:
        self.params: dict[str, list[str]] = {}
        self.values: dict[str, str] = {}

    def add(self, path: str, message: str, value: Any = None) -> None:
        self.params.setdefault(path, []).append(message)
        if value is not None:
            self.values.setdefault(path, value if isinstance(value, str) else json.dumps(value, default=str))

    def __bool__(self) -> bool:
        return bool(self.params)

    def check(self) -> None:
        if self.params:
            raise ValidationFailedError(self.params, self.values)


def document(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedInputError(request=[INVALID_JSON]) from None
    if not isinstance(doc, dict):
        raise MalformedInputError(request=[INVALID_JSON])
    return doc


def _text(doc: dict[str, Any], name: str, p: Problems, *, required: bool = False, path: str = "") -> str | None:
    value = doc.get(name)
    where = f"{path}{name}"
    if value is None:
        if required:
            p.add(where, f"{where} is required.")
        return None
    if not isinstance(value, str):
        p.add(where, "JSON field has an invalid type.", value)
        return None
    if required and not value.strip():
        p.add(where, f"{where} may not be empty.", value)
        return None
    return value


def _flag(doc: dict[str, Any], name: str, default: bool, p: Problems, path: str = "") -> bool:
    value = doc.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return default
    return value


def _integer(
    doc: dict[str, Any], name: str, default: int | None, p: Problems, *, low: int | None = None, high: int | None = None
) -> int | None:
    value = doc.get(name)
    if value is None:
        return default
    if not _whole(value):
        p.add(name, "JSON field has an invalid type.", value)
        return default
    number = int(value)
    if low is not None and number < low:
        p.add(name, f"{name} must be at least {low}.", value)
    if high is not None and number > high:
        p.add(name, f"{name} must be at most {high}.", value)
    return number


def _choice(doc: dict[str, Any], name: str, options: tuple[str, ...], default: str, p: Problems, path: str = "") -> str:
    value = _text(doc, name, p, path=path)
    if value is None:
        return default
    found = next((o for o in options if o.lower() == value.lower()), None)
    if found is None:
        p.add(f"{path}{name}", f"{path}{name} must be one of {', '.join(options)}.", value)
        return default
    return found


def _objects(doc: dict[str, Any], name: str, p: Problems, *, required: bool = False) -> list[dict[str, Any]]:
    value = doc.get(name)
    if value is None:
        if required:
            p.add(name, f"{name} is required.")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add(name, "JSON field has an invalid type.", value)
        return []
    if required and not value:
        p.add(name, f"{name} needs at least one entry.", value)
    return value


def _strings(doc: dict[str, Any], name: str, p: Problems, path: str = "") -> tuple[str, ...]:
    value = doc.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return ()
    return tuple(str(v) for v in value)


def _string_map(doc: dict[str, Any], name: str, p: Problems, path: str = "") -> dict[str, str]:
    value = doc.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()
    ):
        p.add(f"{path}{name}", "JSON field has an invalid type.", value)
        return {}
    return {str(k): str(v) for k, v in value.items()}


# --- descriptors -------------------------------------------------------------------------------------


def _descriptor_key(raw: dict[str, Any], path: str, p: Problems) -> DescriptorKey | None:
    name = _text(raw, "name", p, required=True, path=path)
    if name is not None and not NAME_RE.fullmatch(name):
        p.add(f"{path}name", "Key names are characters of a-zA-Z0-9_:-.", name)
    if name is not None and name.lower() in RESERVED_KEYS:
        p.add(f"{path}name", f"'{name}' is a reserved key name.", name)
    kind = _text(raw, "type", p, path=path) or "string"
    if kind.lower() not in KEY_TYPES:
        p.add(f"{path}type", f"{path}type must be one of ip, hostName, integer, string, uuid.", kind)
    description = _text(raw, "description", p, required=True, path=path)
    language = _choice(raw, "language", LANGUAGES, "english", p, path)
    translator = _text(raw, "translator", p, path=path) or "none"
    if name is None or description is None:
        return None
    return DescriptorKey(name, KEY_TYPES.get(kind.lower(), "string"), description, language, translator)


def _descriptor_value(raw: dict[str, Any], path: str, p: Problems) -> DescriptorValue | None:
    name = _text(raw, "name", p, required=True, path=path)
    if name is not None and not NAME_RE.fullmatch(name):
        p.add(f"{path}name", "Value names are characters of a-zA-Z0-9_:-.", name)
    description = _text(raw, "description", p, required=True, path=path)
    unit = _choice(raw, "unit", UNITS, "count", p, path)
    function = _choice(raw, "defaultAggregationFunction", FUNCTIONS, "sum", p, path)
    weight = _text(raw, "defaultWeightByValue", p, path=path)
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
    short_name = _text(doc, "shortName", p, required=True)
    if short_name is not None and not NAME_RE.fullmatch(short_name):
        p.add("shortName", "shortName is characters of a-zA-Z0-9_:-.", short_name)
    description = _text(doc, "description", p, required=True)
    functions = [_text(doc, f, p, required=True) for f in ("adminFunction", "readFunction", "writeFunction")]
    keys = [_descriptor_key(k, f"keys[{i}].", p) for i, k in enumerate(_objects(doc, "keys", p, required=True))]
    values = [_descriptor_value(v, f"values[{i}].", p) for i, v in enumerate(_objects(doc, "values", p, required=True))]
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
        name=_text(doc, "name", p),
        deduplication_function=_choice(doc, "deduplicationFunction", DEDUPLICATION, "none", p),
        time_frame_size=_integer(doc, "timeFrameSize", 0, p, low=0) or 0,
        time_frame_size_unit=_choice(doc, "timeFrameSizeUnit", tuple(UNIT_MS), "milliseconds", p),
        category=_choice(doc, "category", CATEGORIES, "OTHER", p),
        customer=_text(doc, "customer", p),
        domain=_text(doc, "domain", p),
        global_descriptor=_flag(doc, "globalDescriptor", False, p),
        keep_audit_data=_flag(doc, "keepAuditData", True, p),
        keep_backup=_flag(doc, "keepBackup", True, p),
        use_separate_index=_flag(doc, "useSeparateIndex", False, p),
        localized_names=_string_map(doc, "localizedNames", p),
        localized_descriptions=_string_map(doc, "localizedDescriptions", p),
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
        value = _text(doc, wire, p, required=doc.get(wire) is not None and attr != "name")
        if value is not None:
            changes[attr] = value
    if doc.get("shortName") is not None:
        short_name = _text(doc, "shortName", p, required=True)
        if short_name is not None and not NAME_RE.fullmatch(short_name):
            p.add("shortName", "shortName is characters of a-zA-Z0-9_:-.", short_name)
        elif short_name is not None:
            changes["short_name"] = short_name
    for wire, attr in _FLAGS.items():
        if doc.get(wire) is not None:
            changes[attr] = _flag(doc, wire, False, p)
    if doc.get("deduplicationFunction") is not None:
        changes["deduplication_function"] = _choice(doc, "deduplicationFunction", DEDUPLICATION, "none", p)
    if doc.get("category") is not None:
        changes["category"] = _choice(doc, "category", CATEGORIES, "OTHER", p)
    if doc.get("timeFrameSize") is not None:
        changes["time_frame_size"] = _integer(doc, "timeFrameSize", 0, p, low=0)
    # The SDK always sends timeFrameSizeUnit; alone, it changes nothing unless a frame is set.
    if doc.get("timeFrameSizeUnit") is not None and (doc.get("timeFrameSize") is not None or current.time_frame_size):
        changes["time_frame_size_unit"] = _choice(doc, "timeFrameSizeUnit", tuple(UNIT_MS), "milliseconds", p)
    for wire, attr in (("localizedNames", "localized_names"), ("localizedDescriptions", "localized_descriptions")):
        if doc.get(wire) is not None:
            changes[attr] = _string_map(doc, wire, p)
    return changes


def _schema_changes(current: Descriptor, doc: dict[str, Any], p: Problems) -> dict[str, Any]:
    keys: dict[str, Any] = {k.name: k for k in current.keys}
    values: dict[str, Any] = {v.name: v for v in current.values}
    for wire, table in (("removeKeys", keys), ("removeValues", values)):
        for name in _strings(doc, wire, p):
            if table.pop(name, None) is None:
                p.add(wire, f"Unknown name '{name}'.", name)
    for wire, table, reader, must_exist in (
        ("addKeys", keys, _descriptor_key, False),
        ("updateKeys", keys, _descriptor_key, True),
        ("addValues", values, _descriptor_value, False),
        ("updateValues", values, _descriptor_value, True),
    ):
        for i, raw in enumerate(_objects(doc, wire, p)):
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


@dataclass(frozen=True)
class DescriptorQuery:
    limit: int = 25
    offset: int = 0
    keywords: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


def descriptor_query(doc: dict[str, Any]) -> DescriptorQuery:
    """Query of ``GET /metrics/v1/descriptor`` (repeated keys as lists) or the body of ``.../search``."""
    p = Problems()
    query = DescriptorQuery(
        limit=_integer(doc, "limit", 25, p, low=0, high=MAX_WINDOW) or 0,
        offset=_integer(doc, "offset", 0, p, low=0) or 0,
        keywords=_strings(doc, "keywords", p),
        customers=_strings(doc, "customer", p),
        domains=(*_strings(doc, "descriptorDomain", p), *_strings(doc, "domain", p)),
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


# --- records -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordDraft:
    index: int
    timestamp_ms: int
    keys: dict[str, str]
    values: dict[str, int]
    customer: str | None


@dataclass(frozen=True)
class Submission:
    valid: list[RecordDraft]
    errors: dict[int, list[str]]  # submission index -> messages
    params: dict[str, list[str]]  # field path -> messages (the 412 body)
    values: dict[str, str]
    ignore_on_failed: bool


def _key_ok(kind: str, value: str) -> bool:
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if kind == "integer":
        return re.fullmatch(r"-?\d{1,19}", value) is not None and -INT64 <= int(value) < INT64
    if kind == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    if kind == "hostName":
        return HOSTNAME_RE.fullmatch(value) is not None
    return True


def submission(desc: Descriptor, doc: dict[str, Any], *, now_ms: int) -> Submission:
    """Read ``{records: [...], ignoreOnFailed}``; each record must match the descriptor exactly."""
    p = Problems()
    ignore = _flag(doc, "ignoreOnFailed", False, p)
    raw_records = doc.get("records")
    if not isinstance(raw_records, list):
        p.add("records", "JSON field has an invalid type." if raw_records is not None else "records is required.")
        raw_records = []
    elif not raw_records:
        p.add("records", "records needs at least one entry.")
    p.check()
    valid: list[RecordDraft] = []
    errors: dict[int, list[str]] = {}
    for i, raw in enumerate(raw_records):
        rp = Problems()
        draft = _record(desc, raw, i, rp, now_ms)
        if rp:
            errors[i] = [m for msgs in rp.params.values() for m in msgs]
            for path, msgs in rp.params.items():
                for m in msgs:
                    p.add(path, m, rp.values.get(path))
        elif draft is not None:
            valid.append(draft)
    return Submission(valid, errors, p.params, p.values, ignore)


def _record_values(desc: Descriptor, values_raw: Any, path: str, p: Problems) -> dict[str, int]:
    values: dict[str, int] = {}
    if not isinstance(values_raw, dict):
        p.add(f"{path}.values", "JSON field has an invalid type." if values_raw is not None else "values is required.")
        return values
    names = {v.name for v in desc.values}
    for name in sorted(names - values_raw.keys()):
        p.add(f"{path}.values.{name}", f"Missing value '{name}'.")
    for name, value in values_raw.items():
        if name not in names:
            p.add(f"{path}.values.{name}", f"Value '{name}' is not defined by descriptor {desc.short_name}.", value)
        elif not _whole(value) or not -INT64 <= int(value) < INT64:
            p.add(f"{path}.values.{name}", f"Value '{name}' must be a whole number (int64).", value)
        else:
            values[name] = int(value)
    return values


def _record(desc: Descriptor, raw: Any, i: int, p: Problems, now_ms: int) -> RecordDraft | None:
    path = f"records[{i}]"
    if not isinstance(raw, dict):
        p.add(path, "JSON field has an invalid type.", raw)
        return None
    stamp = raw.get("timestamp")
    timestamp = now_ms
    if stamp is not None:
        if isinstance(stamp, str) and re.fullmatch(r"\d{1,16}", stamp.strip()):
            stamp = int(stamp.strip())
        if not _whole(stamp) or not 1 <= stamp < MAX_TIMESTAMP:
            p.add(f"{path}.timestamp", "timestamp must be a positive number of milliseconds (before 2286).", stamp)
        else:
            timestamp = int(stamp)
    keys = _string_map(raw, "keys", p, f"{path}.")
    wanted = {k.name for k in desc.keys}
    for name in sorted(wanted - keys.keys()):
        p.add(f"{path}.keys.{name}", f"Missing key '{name}'.")
    for name in sorted(keys.keys() - wanted):
        p.add(f"{path}.keys.{name}", f"Key '{name}' is not defined by descriptor {desc.short_name}.", keys[name])
    for k in desc.keys:
        if k.name in keys and not _key_ok(k.type, keys[k.name]):
            p.add(f"{path}.keys.{k.name}", f"Key '{k.name}' is not a valid {k.type}.", keys[k.name])
    values = _record_values(desc, raw.get("values"), path, p)
    customer = raw.get("customer")
    if customer is not None and not isinstance(customer, str):
        p.add(f"{path}.customer", "JSON field has an invalid type.", customer)
        customer = None
    if p:
        return None
    return RecordDraft(i, timestamp, keys, values, customer or None)


# --- search and aggregate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyInterval:
    name: str
    values: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    gt: str | None = None
    gte: str | None = None
    lt: str | None = None
    lte: str | None = None


@dataclass(frozen=True)
class Criterion:
    customers: tuple[str, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)
    intervals: tuple[KeyInterval, ...] = ()
    required: bool = False
    exclude: bool = False


@dataclass(frozen=True)
class MetricSearch:
    start_ms: int
    end_ms: int
    criterion: Criterion
    sub_criteria: tuple[Criterion, ...] = ()
    limit: int = 25
    offset: int = 0
    sort_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValueSpec:
    name: str
    function: str
    weight: str | None = None


@dataclass(frozen=True)
class GroupBy:
    key: str
    limit: int = 10


@dataclass(frozen=True)
class MetricAggregation:
    search: MetricSearch
    values: tuple[ValueSpec, ...]
    group_by: tuple[GroupBy, ...] = ()
    include_others: bool = True
    resolution_ms: int = 0
    calendar_interval: str | None = None


def time_ms(value: Any, name: str, default: int, now_ms: int, p: Problems) -> int:
    if value is None:
        return default
    if _whole(value) or (isinstance(value, float) and math.isfinite(value)):
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
    keys = _string_map(doc, "keys", p, path)
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
        key_name = _text(raw, "name", p, required=True, path=where)
        if key_name is not None and desc.key(key_name) is None:
            p.add(f"{where}name", f"Key '{key_name}' is not defined by descriptor {desc.short_name}.", key_name)
        cidrs = _strings(raw, "cidrs", p, where)
        for c in cidrs:
            if not _cidr_ok(c):
                p.add(f"{where}cidrs", f"'{c}' is not a CIDR.", c)
        intervals.append(
            KeyInterval(
                key_name or "",
                _strings(raw, "values", p, where),
                cidrs,
                gt=_bound(raw.get("gt"), f"{where}gt", p),
                gte=_bound(raw.get("gte"), f"{where}gte", p),
                lt=_bound(raw.get("lt"), f"{where}lt", p),
                lte=_bound(raw.get("lte"), f"{where}lte", p),
            )
        )
    return Criterion(
        customers=_strings(doc, "customer", p, path),
        keys=keys,
        intervals=tuple(intervals),
        required=_flag(doc, "required", False, p, path),
        exclude=_flag(doc, "exclude", False, p, path),
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
        limit = _integer(doc, "limit", 25, p, low=0, high=MAX_WINDOW) or 0
        offset = _integer(doc, "offset", 0, p, low=0, high=MAX_WINDOW - 1) or 0
        if limit + offset > MAX_WINDOW:
            p.add("offset", "limit + offset may not exceed 10000 (the search window).", offset)
        sort_by = _strings(doc, "sortBy", p)
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
    for i, raw in enumerate(_objects(doc, "values", p, required=True)):
        where = f"values[{i}]."
        name = _text(raw, "name", p, required=True, path=where)
        value = desc.value(name) if name is not None else None
        if name is not None and value is None:
            p.add(f"{where}name", f"Value '{name}' is not defined by descriptor {desc.short_name}.", name)
        default = value.default_aggregation_function if value else "sum"
        function = _choice(raw, "aggregationFunction", FUNCTIONS, default, p, where)
        weight = _text(raw, "weightByValue", p, path=where) or _text(raw, "valueAsWeight", p, path=where)
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
    for i, raw in enumerate(_objects(doc, "groupBy", p)):
        key = _text(raw, "key", p, required=True, path=f"groupBy[{i}].")
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
    if _flag(doc, "groupByCustomer", False, p) and not any(g.key == "customer" for g in groups):
        groups.append(GroupBy("customer", 10))
    resolution = _integer(doc, "resolution", 0, p, low=0) or 0
    unit_name = _text(doc, "resolutionUnit", p) or "millisecond"
    unit = RESOLUTION_UNITS.get(unit_name.lower().removesuffix("s"))
    if unit is None:
        p.add("resolutionUnit", "resolutionUnit must be one of millisecond, second, minute, hour, day.", unit_name)
        unit = 1
    calendar = _text(doc, "calendarInterval", p)
    if calendar is not None and calendar.lower() not in CALENDAR:
        p.add("calendarInterval", f"calendarInterval must be one of {', '.join(CALENDAR)}.", calendar)
    resolution_ms = resolution * unit
    if calendar is None and resolution_ms and (found.end_ms - found.start_ms) // resolution_ms + 1 > MAX_WINDOW:
        p.add("resolution", "More than 10000 buckets: use a coarser resolution or a shorter time range.", resolution)
    p.check()
    return MetricAggregation(
        found,
        tuple(specs),
        tuple(groups),
        _flag(doc, "includeOthers", True, p),
        resolution_ms,
        calendar.lower() if calendar else None,
    )
