"""Rate-limit counters: one Meta item per API token (``T#{t}#RATE/{token id}``), counting the current window.

Counters live in DynamoDB, not in a container's memory, so every Lambda instance sees the same use. The
item is reset when a new window starts (conditional write: two requests racing at a window's edge reset it
once), so it never grows. It expires (the Meta table's TTL attribute ``expires_at``) a day after the last
window it counted: a deleted or idle token's counters do not stay for ever.
"""

from collections.abc import Mapping

from botocore.exceptions import ClientError

from polymetric.config import get_settings
from polymetric.storage import clients, keys
from polymetric.storage.failures import conditional_failed, translated

FIELDS = {"requests": "r", "measurements": "m"}
KEEP_SECONDS = 86400  # past the window's start


def _add(tenant: str, token_id: str, amounts: Mapping[str, int], window: int) -> dict[str, int] | None:
    """One UpdateItem adding every amount (a measurement post counts its request and its measurements at once)."""
    pk, sk = keys.rate_limit(tenant, token_id)
    names = {f"#f{i}": FIELDS[field] for i, field in enumerate(amounts)}
    values = {f":n{i}": {"N": str(amount)} for i, amount in enumerate(amounts.values())}
    with translated("rate limit update failed"):
        try:
            reply = clients.dynamodb().update_item(
                TableName=get_settings().META_TABLE,
                Key={"pk": {"S": pk}, "sk": {"S": sk}},
                UpdateExpression="ADD " + ", ".join(f"#f{i} :n{i}" for i in range(len(amounts))),
                ConditionExpression="w = :w",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, ":w": {"N": str(window)}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if conditional_failed(exc):
                return None
            raise
    return {field: int(reply["Attributes"][FIELDS[field]]["N"]) for field in amounts}


def _start_window(tenant: str, token_id: str, window: int) -> None:
    pk, sk = keys.rate_limit(tenant, token_id)
    with translated("rate limit update failed"):
        try:
            clients.dynamodb().update_item(
                TableName=get_settings().META_TABLE,
                Key={"pk": {"S": pk}, "sk": {"S": sk}},
                UpdateExpression="SET w = :w, r = :zero, m = :zero, expires_at = :expires",
                ConditionExpression="attribute_not_exists(w) OR w < :w",
                ExpressionAttributeValues={
                    ":w": {"N": str(window)},
                    ":zero": {"N": "0"},
                    ":expires": {"N": str(window + KEEP_SECONDS)},
                },
            )
        except ClientError as exc:
            if not conditional_failed(exc):  # another request started the window: fine
                raise


def consume(tenant: str, token_id: str, amounts: Mapping[str, int], window: int) -> dict[str, int]:
    """Count each of ``amounts`` (field: amount) against the token in ``window`` (its start); the counts after."""
    used = _add(tenant, token_id, amounts, window)
    if used is None:
        _start_window(tenant, token_id, window)
        used = _add(tenant, token_id, amounts, window)
    return dict(amounts) if used is None else used  # None: the window moved on meanwhile; this is its first use


def give_back(tenant: str, token_id: str, field: str, amount: int, window: int) -> None:
    """Return what was counted but not used (measurements refused past the limit)."""
    if amount > 0:
        _add(tenant, token_id, {field: -amount}, window)
