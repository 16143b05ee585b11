"""Answer moto's DynamoDB reads and writes without its generic response serializer (moto 5.2.5, pinned).

moto 5 serializes every response by walking the botocore output shape, member by member: each attribute
value is a structure of ten possible members, so a Query of a few hundred items spends most of its time
there (about 0.1 ms per attribute). The results of the item reads and writes (``FAST``) are already
DynamoDB JSON, except binary values, which moto keeps as bytes (or as the base64 text a restore loaded);
they are dumped as they are, bytes in base64. Anything else, errors included, goes through moto's
serializer. ``tests/unit/local/test_partitions.py`` checks the answers are the same either way.

moto also lists its handler class's methods (``inspect.getmembers``) on every call to find the action's;
the list is the same every time, so it is kept per class. Together about a tenth of the local server's CPU
per 1,000-measurement POST (profiled with py-spy).
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from moto.core import responses as moto_responses
from moto.core.responses import ActionResult

READS = frozenset({"Query", "GetItem", "BatchGetItem", "Scan"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
FAST = READS | WRITES
_METHODS = "method_names_from_class"  # moto.core.responses' lookup of a handler class's methods
HEADERS = {"Content-Type": "application/x-amz-json-1.0", "server": "amazon.com"}

_original: dict[str, Callable[..., Any]] = {}
stats = {"fast": 0}  # responses written here (tests check the path is used)
_lock = threading.Lock()


def install() -> None:
    with _lock:
        if _original:
            return
        _original["execute_result"] = ActionResult.execute_result
        ActionResult.execute_result = _execute_result  # type: ignore[method-assign]
        _original[_METHODS] = getattr(moto_responses, _METHODS)
        setattr(moto_responses, _METHODS, functools.lru_cache(maxsize=None)(_original[_METHODS]))


def uninstall() -> None:
    with _lock:
        if _original:
            ActionResult.execute_result = _original.pop("execute_result")  # type: ignore[method-assign]
            setattr(moto_responses, _METHODS, _original.pop(_METHODS))


def installed() -> bool:
    return bool(_original)


def _execute_result(self: ActionResult, context: Any) -> Any:
    operation = context.operation_model
    result = self.result
    if operation.name in FAST and operation.service_model.service_name == "dynamodb" and isinstance(result, dict):
        try:
            body = json.dumps(result, separators=(",", ":"), default=_binary)
        except TypeError:
            pass
        else:
            stats["fast"] += 1
            return 200, dict(HEADERS), body
    return _original["execute_result"](self, context)


def _binary(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not DynamoDB JSON")
