"""Argus metric records: submission requests (MetricSubmissionRequest)."""

import ipaddress
import re
import uuid
from typing import Any

from polymetric.dialects.argus.fields import (
    HOSTNAME_RE,
    INT64,
    MAX_TIMESTAMP,
    Problems,
    flag,
    string_map,
    whole,
)
from polymetric.models import window
from polymetric.models.argus import Descriptor, RecordDraft, Submission


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
    ignore = flag(doc, "ignoreOnFailed", False, p)
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
        elif not whole(value) or not -INT64 <= int(value) < INT64:
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
        if not whole(stamp) or not 1 <= stamp < MAX_TIMESTAMP:
            p.add(f"{path}.timestamp", "timestamp must be a positive number of milliseconds (before 2286).", stamp)
        elif not window.contains(stamp / 1000, now_ms / 1000):
            p.add(f"{path}.timestamp", f"timestamp must be {window.DESCRIPTION} (epoch milliseconds).", stamp)
        else:
            timestamp = int(stamp)
    keys = string_map(raw, "keys", p, f"{path}.")
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
