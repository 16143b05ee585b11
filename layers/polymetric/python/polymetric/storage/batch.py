"""Low-level DynamoDB batches on the sample path: BatchWriteItem / BatchGetItem with retry of leftovers."""

import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from polymetric.config import get_settings
from polymetric.errors import StorageError
from polymetric.storage.clients import dynamodb
from polymetric.storage.failures import conditional_failed, translated

Item = dict[str, Any]
WRITE_BATCH = 25
GET_BATCH = 100
_RETRIES = 8


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _backoff(attempt: int) -> None:
    time.sleep(min(0.05 * 2**attempt, 1.0))


def write(table: str, puts: Sequence[Item] = (), deletes: Sequence[Item] = ()) -> int:
    """Put and delete items in batches of 25, retrying unprocessed ones. Returns the number of requests.

    The batches go out concurrently (``WRITE_CONCURRENCY`` at once): a call's items have distinct keys,
    so their order does not matter (a per-host POST is about 10 batches, a large one hundreds).
    """
    requests: list[Item] = [{"PutRequest": {"Item": i}} for i in puts]
    requests += [{"DeleteRequest": {"Key": k}} for k in deletes]
    chunks = list(_chunks(requests, WRITE_BATCH))
    workers = min(get_settings().WRITE_CONCURRENCY, len(chunks))
    if workers <= 1:
        return sum(_write_chunk(table, chunk) for chunk in chunks)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-write") as pool:
        return sum(pool.map(lambda chunk: _write_chunk(table, chunk), chunks))


def _write_chunk(table: str, chunk: Sequence[Item]) -> int:
    pending: dict[str, Any] = {table: list(chunk)}
    for attempt in range(_RETRIES):
        with translated("batch write failed"):
            resp = dynamodb().batch_write_item(RequestItems=pending)
        pending = resp.get("UnprocessedItems") or {}
        if not pending:
            return attempt + 1
        _backoff(attempt)
    raise StorageError(f"{len(pending.get(table, []))} items still unprocessed after {_RETRIES} tries")


def get(table: str, keys: Sequence[Item], projection: str | None = None) -> list[Item]:
    """BatchGetItem in pages of 100 keys, retrying unprocessed keys. Order of the result is not the keys'."""
    found: list[Item] = []
    for chunk in _chunks(keys, GET_BATCH):
        request: Item = {"Keys": list(chunk)}
        if projection:
            request["ProjectionExpression"] = projection
        pending: dict[str, Any] = {table: request}
        for attempt in range(_RETRIES):
            with translated("batch get failed"):
                resp = dynamodb().batch_get_item(RequestItems=pending)
            found.extend(resp.get("Responses", {}).get(table, []))
            pending = resp.get("UnprocessedKeys") or {}
            if not pending:
                break
            _backoff(attempt)
        else:
            raise StorageError("keys still unprocessed after retries")
    return found


def query(
    table: str,
    pk: str,
    *,
    sk_between: tuple[str, str] | None = None,
    sk_prefix: str | None = None,
    consistent: bool = False,
    projection: str | None = None,
) -> Iterable[Item]:
    """All items of one partition (optionally an sk range or prefix), following pagination."""
    kwargs: Item = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": consistent,
    }
    if sk_between:
        kwargs["KeyConditionExpression"] += " AND sk BETWEEN :lo AND :hi"
        kwargs["ExpressionAttributeValues"][":lo"] = {"S": sk_between[0]}
        kwargs["ExpressionAttributeValues"][":hi"] = {"S": sk_between[1]}
    if sk_prefix:
        kwargs["KeyConditionExpression"] += " AND begins_with(sk, :prefix)"
        kwargs["ExpressionAttributeValues"][":prefix"] = {"S": sk_prefix}
    if projection:
        kwargs["ProjectionExpression"] = projection
    return _pages(kwargs)


def edge_between(table: str, pk: str, lo: str, hi: str, *, last: bool = True, consistent: bool = False) -> Item | None:
    """The item of the partition with the greatest (or, not ``last``, the smallest) sort key in [lo, hi]:
    one Query, ``Limit 1``."""
    with translated("query failed"):
        resp = dynamodb().query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={":pk": {"S": pk}, ":lo": {"S": lo}, ":hi": {"S": hi}},
            ScanIndexForward=not last,
            Limit=1,
            ConsistentRead=consistent,
        )
    items = resp.get("Items", [])
    return items[0] if items else None


def _pages(kwargs: Item) -> Iterator[Item]:
    while True:
        with translated("query failed"):
            resp = dynamodb().query(**kwargs)
        yield from resp.get("Items", [])
        last = resp.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def delete_if(table: str, key: Item, condition: str, names: dict[str, str], values: Item) -> bool:
    """DeleteItem under a condition; False when the condition did not hold."""
    with translated("conditional delete failed"):
        try:
            dynamodb().delete_item(
                TableName=table,
                Key=key,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if conditional_failed(exc):
                return False
            raise
    return True


def update_if(table: str, key: Item, update: str, values: Item, condition: str | None = None) -> bool:
    """UpdateItem (optionally conditional); False when the condition did not hold."""
    kwargs: Item = {"TableName": table, "Key": key, "UpdateExpression": update, "ExpressionAttributeValues": values}
    if condition:
        kwargs["ConditionExpression"] = condition
    with translated("update failed"):
        try:
            dynamodb().update_item(**kwargs)
        except ClientError as exc:
            if conditional_failed(exc):
                return False
            raise
    return True


def get_one(table: str, key: Item, *, consistent: bool = False) -> Item | None:
    with translated("read failed"):
        return dynamodb().get_item(TableName=table, Key=key, ConsistentRead=consistent).get("Item")


def query_index(table: str, index: str, pk_name: str, pk: str, sk_name: str, sk_below: str) -> Iterable[Item]:
    """Items of one GSI partition whose sort key is below ``sk_below``, following pagination."""
    kwargs: Item = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": "#pk = :pk AND #sk < :below",
        "ExpressionAttributeNames": {"#pk": pk_name, "#sk": sk_name},
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":below": {"S": sk_below}},
    }
    return _pages(kwargs)
