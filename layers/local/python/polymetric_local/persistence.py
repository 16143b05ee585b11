"""Keep the local tables across restarts: one JSON file per table in the data directory.

File layout, `<data_dir>/<LogicalId>.json`:

    {"Table": "<LogicalId>", "Items": [<item>, ...]}

Each item is DynamoDB JSON exactly as the low-level client returns it (`{"pk": {"S": "..."}}`), except that
binary values (`B`, `BS`), which the client hands out as bytes, are stored as base64 strings.
Files are written to a temporary name and renamed, so a crash mid-save leaves the previous file intact.
Only tables are kept; queue messages are not.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from polymetric_local.resources import LocalResources

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

logger = logging.getLogger(__name__)

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_BATCH_ATTEMPTS = 8


class PersistenceError(RuntimeError):
    """A saved table cannot be loaded back (for example after its key schema changed); use --reset."""


def save_tables(resources: LocalResources, data_dir: Path, *, client: DynamoDBClient) -> dict[str, int]:
    """Write every table's items to the data directory; returns item counts by logical id."""
    data_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for logical_id, table_name in resources.tables.items():
        items = [_encode(item) for item in _scan(client, table_name)]
        _write_atomically(data_dir / f"{logical_id}.json", {"Table": logical_id, "Items": items})
        counts[logical_id] = len(items)
    return counts


def restore_tables(resources: LocalResources, data_dir: Path, *, client: DynamoDBClient) -> dict[str, int]:
    """Load the saved items of every template table that has a file; a missing directory restores nothing.

    Items whose TTL attribute is in the past are dropped: DynamoDB would have deleted them by now and moto
    never expires anything.
    """
    counts: dict[str, int] = {}
    for logical_id, table_name in resources.tables.items():
        path = data_dir / f"{logical_id}.json"
        if not path.is_file():
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            items = [_decode(item) for item in document["Items"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PersistenceError(f"{path}: unreadable saved table ({exc}); delete it or start with --reset") from exc
        ttl_attribute = _ttl_attribute(resources, logical_id)
        if ttl_attribute:
            now = time.time()
            items = [item for item in items if not _expired(item, ttl_attribute, now)]
        try:
            _batch_write(client, table_name, items)
        except ClientError as exc:
            raise PersistenceError(
                f"{path}: cannot load items into {logical_id} ({exc}); did its key schema change? Use --reset"
            ) from exc
        counts[logical_id] = len(items)
    unknown = sorted(p.stem for p in data_dir.glob("*.json") if p.stem not in resources.tables)
    if unknown:
        logger.warning("saved tables no longer in the template were not loaded: %s", ", ".join(unknown))
    return counts


def _scan(client: DynamoDBClient, table_name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table_name}
    while True:
        page = client.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _batch_write(client: DynamoDBClient, table_name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), BATCH_SIZE):
        requests: Any = {table_name: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_SIZE]]}
        for attempt in range(MAX_BATCH_ATTEMPTS):
            response = client.batch_write_item(RequestItems=requests)
            requests = response.get("UnprocessedItems") or {}
            if not requests:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        else:
            raise PersistenceError(f"{table_name}: items still unprocessed after {MAX_BATCH_ATTEMPTS} attempts")


def _write_atomically(path: Path, document: Mapping[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _ttl_attribute(resources: LocalResources, logical_id: str) -> str | None:
    spec = resources.template.tables[logical_id].properties.get("TimeToLiveSpecification")
    if isinstance(spec, Mapping) and str(spec.get("Enabled")).lower() == "true":
        return str(spec.get("AttributeName"))
    return None


def _expired(item: Mapping[str, Any], attribute: str, now: float) -> bool:
    value = item.get(attribute)
    if not isinstance(value, Mapping) or "N" not in value:
        return False
    try:
        return float(value["N"]) < now
    except ValueError:
        return False


def _encode(value: Any) -> Any:
    return _walk(value, lambda b: base64.b64encode(b).decode("ascii"))


def _decode(value: Any) -> Any:
    return _walk(value, base64.b64decode)


def _walk(value: Any, convert: Callable[[Any], Any]) -> Any:
    """Apply `convert` to every B and BS member of an item (a map of attribute values), recursively."""
    out: dict[str, Any] = {}
    for name, attribute in value.items():
        out[name] = _walk_attribute(attribute, convert)
    return out


def _walk_attribute(attribute: Mapping[str, Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    kind, inner = next(iter(attribute.items()))
    if kind == "B":
        return {"B": convert(inner)}
    if kind == "BS":
        return {"BS": [convert(b) for b in inner]}
    if kind == "M":
        return {"M": _walk(inner, convert)}
    if kind == "L":
        return {"L": [_walk_attribute(v, convert) for v in inner]}
    return {kind: inner}
