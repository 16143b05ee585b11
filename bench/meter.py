"""Read units of every DynamoDB call made while active, priced from the items returned (moto bills nothing).

Patches botocore's ``BaseClient._make_api_call``, so boto3 and PynamoDB calls are both seen: metric
lookups, token lookups, index Queries, watermark GetItems, block Queries, slab Queries. Rules
(CapacityUnitCalculations): a Query sums its page's items and rounds up to 4 KB, at least one unit;
GetItem and each key of a BatchGetItem round per item, at least one unit (a key not found too);
eventually consistent reads cost half. A projection returns less than DynamoDB bills (it bills the
whole item): projected reads are priced from what came back, a slight underestimate.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.client import BaseClient

from polymetric.storage import capacity

READS = ("Query", "Scan", "GetItem", "BatchGetItem")


def _units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


class ReadMeter:
    def __init__(self) -> None:
        self.rcu = 0.0
        self.calls: dict[str, int] = {}
        self._real = BaseClient._make_api_call

    def __enter__(self) -> ReadMeter:
        meter, real = self, self._real

        def call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            response = real(client, operation, params)
            if operation in READS:
                meter.calls[operation] = meter.calls.get(operation, 0) + 1
                meter.rcu += _price(operation, params, response)
            return response

        BaseClient._make_api_call = call  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        BaseClient._make_api_call = self._real  # type: ignore[method-assign]


def _price(operation: str, params: dict[str, Any], response: dict[str, Any]) -> float:
    consistent = bool(params.get("ConsistentRead"))
    if operation in ("Query", "Scan"):
        return _units(sum(capacity.item_size(i) for i in response.get("Items", [])), consistent)
    if operation == "GetItem":
        item = response.get("Item")
        return _units(capacity.item_size(item) if item else 0, consistent)
    total = 0.0
    for table, request in params.get("RequestItems", {}).items():
        strong = bool(request.get("ConsistentRead"))
        found = response.get("Responses", {}).get(table, [])
        total += sum(_units(capacity.item_size(i), strong) for i in found)
        total += (len(request.get("Keys", [])) - len(found)) * _units(0, strong)  # keys not found
    return total


class Replay:
    """Answer DynamoDB calls from answers recorded on a first run, each after ``latency`` seconds.

    moto's Query walks every item of the table, so its time grows with the table, not with the answer;
    replaying measures our own work plus a network round trip per call, as DynamoDB would cost it.
    """

    def __init__(self, latency: float = 0.005) -> None:
        self.latency = latency
        self.answers: dict[str, Any] = {}
        self.replaying = False
        self._real = BaseClient._make_api_call

    def __enter__(self) -> Replay:
        import json
        import time

        replay, real = self, self._real

        def call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            key = operation + json.dumps(params, sort_keys=True, default=str)
            if replay.replaying and key in replay.answers:
                time.sleep(replay.latency)
                return replay.answers[key]
            response = real(client, operation, params)
            replay.answers[key] = response
            return response

        BaseClient._make_api_call = call  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        BaseClient._make_api_call = self._real  # type: ignore[method-assign]
