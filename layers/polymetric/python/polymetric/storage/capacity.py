"""DynamoDB item sizes and capacity units, by AWS's published rules (CapacityUnitCalculations).

moto answers a constant ConsumedCapacity, so tests and ``make bench`` compute what AWS would bill
from the exact items written: 1 write unit per started KB of each item, 100 B of index overhead per
stored item, 4 KB per eventually-consistent half read unit summed over a Query page.
"""

import math
from collections.abc import Iterable, Mapping
from typing import Any

STORAGE_OVERHEAD = 100


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0") or "0"
    digits = digits.split("e")[0].split("E")[0]
    return math.ceil(len(digits.rstrip("0") or "0") / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(str(v).encode())
    if kind == "N":
        return _number_size(str(v))
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind == "SS":
        return sum(len(s.encode()) for s in v)
    if kind == "NS":
        return sum(_number_size(s) for s in v)
    if kind == "BS":
        return sum(len(b) for b in v)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(items: Iterable[Mapping[str, Mapping[str, Any]]]) -> int:
    return sum(max(1, math.ceil(item_size(i) / 1024)) for i in items)


def billed_bytes(items: Iterable[Mapping[str, Mapping[str, Any]]]) -> int:
    return sum(item_size(i) + STORAGE_OVERHEAD for i in items)


def read_units(items: Iterable[Mapping[str, Mapping[str, Any]]], *, consistent: bool = False) -> float:
    units = math.ceil(sum(item_size(i) for i in items) / 4096) or 1
    return float(units) if consistent else units / 2
