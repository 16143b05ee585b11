"""Argus answers: every body is the ResultStash envelope; descriptors, records and aggregates inside it."""

import zlib
from typing import Any

from polymetric.models.argus import Aggregate, Descriptor, MetricRecord


def envelope(
    data: Any,
    *,
    status: int = 200,
    count: int | None = None,
    limit: int = 0,
    offset: int = 0,
    messages: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``count`` = total matches for lists; ``size`` = len(data) for lists and 0 for one object."""
    size = len(data) if isinstance(data, list) else 0
    return {
        "responseCode": status,
        "limit": limit,
        "offset": offset,
        "count": size if count is None and isinstance(data, list) else (count or 0),
        "size": size,
        "metaData": {},
        "messages": messages or [],
        "data": data,
    }


def _function(name: str) -> dict[str, Any]:
    return {"id": zlib.crc32(name.encode()), "name": name}


def customer(tenant: str) -> dict[str, Any]:
    return {"id": tenant, "name": tenant, "shortName": tenant, "domain": {"id": tenant, "name": tenant}}


def descriptor(d: Descriptor, tenant: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "shortName": d.short_name,
        "name": d.name,
        "description": d.description,
        "adminFunction": _function(d.admin_function),
        "readFunction": _function(d.read_function),
        "writeFunction": _function(d.write_function),
        "deduplicationFunction": d.deduplication_function,
        "timeFrameSize": d.time_frame_size,
        "timeFrameSizeUnit": d.time_frame_size_unit,
        "category": d.category,
        "customer": customer(tenant),
        "domain": {"id": d.domain or tenant, "name": d.domain or tenant},
        "globalDescriptor": d.global_descriptor,
        "keepAuditData": d.keep_audit_data,
        "keepBackup": d.keep_backup,
        "useSeparateIndex": d.use_separate_index,
        "localizedNames": d.localized_names,
        "localizedDescriptions": d.localized_descriptions,
        "keys": [
            {
                "name": k.name,
                "type": k.type,
                "description": k.description,
                "language": k.language,
                "translator": k.translator,
            }
            for k in d.keys
        ],
        "values": [
            {
                "name": v.name,
                "description": v.description,
                "unit": v.unit,
                "defaultAggregationFunction": v.default_aggregation_function,
                "defaultWeightByValue": v.default_weight_by_value,
            }
            for v in d.values
        ],
        "flags": ["GLOBAL"] if d.global_descriptor else [],
        "createdTimestamp": d.created_ms,
        "lastUpdatedTimestamp": d.updated_ms,
    }


def record(r: MetricRecord, d: Descriptor, tenant: str) -> dict[str, Any]:
    units = {v.name: v.unit for v in d.values}
    return {
        "id": r.id,
        "descriptor": {"id": d.id, "shortName": d.short_name},
        "customer": None if d.global_descriptor else customer(r.customer or tenant),
        "keys": [{"name": k, "value": v, "translation": v} for k, v in r.keys.items()],
        "values": [{"name": k, "value": v, "unit": units.get(k, "count")} for k, v in r.values.items()],
        "metricTimestamp": r.timestamp_ms,
        "submissionTimestamp": r.submitted_ms,
        "submittedByUser": {"id": r.submitted_by, "userName": r.submitted_by},
    }


def submitted(success: int, errors: dict[int, list[str]]) -> dict[str, Any]:
    return {
        "success": success,
        "failed": len(errors),
        "errorInformationList": [{"submissionIndex": i, "errorMessages": m} for i, m in sorted(errors.items())],
    }


def aggregate(a: Aggregate, d: Descriptor, tenant: str) -> dict[str, Any]:
    """A MetricAggregate."""
    units = {v.name: v.unit for v in d.values}
    return {
        "metricDescriptorID": d.id,
        "customer": None if a.customer is None else customer(a.customer or tenant),
        "keys": [{"name": k, "value": v, "translation": v} for k, v in a.keys],
        "metricTimestamp": a.timestamp_ms,
        "values": [{"name": n, "value": v, "unit": units.get(n, "count")} for n, v in a.values],
    }
