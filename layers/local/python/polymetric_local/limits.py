"""DynamoDB limits moto does not enforce, enforced here so that local runs and tests fail where AWS would.

moto stores an item of any size; DynamoDB refuses a PutItem or a BatchWriteItem holding an item over
400 KB (attribute names plus values) with a ValidationException. Without this guard a write path
that builds oversized items passes every local test and fails in production.
"""

from __future__ import annotations

import base64
from typing import Any

MAX_ITEM_BYTES = 400 * 1024


def _value_size(value: Any) -> int:
    """Size of a moto-stored attribute value (binary arrives base64-encoded), by AWS's rules."""
    (kind, v), *_ = value.items() if isinstance(value, dict) else ((None, value),)
    if kind == "B":
        return len(base64.b64decode(v)) if isinstance(v, str) else len(v)
    if kind == "N":
        return len(str(v).lstrip("-").replace(".", "")) // 2 + 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(_value_size(x) + 1 for x in v)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: x}) for x in v)
    if kind in ("BOOL", "NULL"):
        return 1
    return len(str(v).encode())


def item_size(attributes: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in attributes.items())


def enforce_item_size() -> None:
    """Make moto's tables refuse items over 400 KB, as DynamoDB does (idempotent)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.table import Table

    if getattr(Table.put_item, "polymetric_limited", False):
        return
    original = Table.put_item

    def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if item_size(item_attrs) > MAX_ITEM_BYTES:
            raise ItemSizeTooLarge
        return original(self, item_attrs, *args, **kwargs)

    put_item.polymetric_limited = True  # type: ignore[attr-defined]
    Table.put_item = put_item  # type: ignore[method-assign]
