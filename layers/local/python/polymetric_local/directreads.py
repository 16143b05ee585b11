"""Answer DynamoDB Query and GetItem straight from moto's handler, before botocore sends a request (moto 5.2.5).

A call into moto pays for a whole HTTP round trip in Python: botocore builds the user agent and endpoint,
moto turns the request into a werkzeug one, makes a request id, dispatches, and botocore parses the answer.
For a small Query that was ~2.2 ms, of which moto's own query ~0.2 ms; a bulk metric delete makes some 50
Queries per metric (the hours of its slab TTL window), so the 1,000-metric job test spent minutes there.
Here a ``before-call`` handler gives botocore the answer of moto's ``DynamoHandler`` directly, under ``CALLS``.

Only reads, and only requests without binary attribute values (moto keeps those as bytes, botocore sends
base64: their parsing differs); anything moto refuses takes the usual path, which answers with the proper
error (a read changes nothing, so trying it twice is safe). ``tests/unit/local/test_partitions.py`` checks
the answers are the same either way.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.handlers import BUILTIN_HANDLERS
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.responses import DynamoHandler

from polymetric_local.calls import CALLS

OPERATIONS = {"Query": "query", "GetItem": "get_item"}
EVENTS = [f"before-call.dynamodb.{op}" for op in OPERATIONS]
HEADERS = {"content-type": "application/x-amz-json-1.0", "server": "amazon.com"}
stats = {"direct": 0}  # answers given here (tests check the path is used)
_lock = threading.Lock()
_installed = threading.Event()


def install() -> None:
    """Answer reads of boto3 clients created from now on (process-wide, idempotent)."""
    with _lock:
        if not _installed.is_set():
            session = _default_session()  # boto3.client()'s: it took the builtin handlers when created
            for event in EVENTS:
                session.register(event, _HANDLER, unique_id=f"polymetric-direct-{event}")
            BUILTIN_HANDLERS.extend((event, _answer) for event in EVENTS)  # sessions created later
            _installed.set()


def uninstall() -> None:
    with _lock:
        _installed.clear()
        BUILTIN_HANDLERS[:] = [h for h in BUILTIN_HANDLERS if h[1] is not _answer]
        for event in EVENTS:
            _default_session().unregister(event, unique_id=f"polymetric-direct-{event}")


def installed() -> bool:
    return _installed.is_set()


def _default_session() -> botocore.session.Session:
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    return boto3.DEFAULT_SESSION._session  # type: ignore[union-attr]


Answer = tuple[AWSResponse, dict[str, Any]]


def _answer(model: Any, params: dict[str, Any], request_signer: Any, **_: Any) -> Answer | None:
    body = params.get("body") or b""
    if not _installed.is_set() or b'"B"' in body or b'"BS"' in body:
        return None
    handler = DynamoHandler()
    handler.body = json.loads(body)
    handler.region = request_signer.region_name
    handler.current_account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    try:
        with CALLS:
            result = getattr(handler, OPERATIONS[model.name])().result
            parsed = copy.deepcopy(result)  # an answer never shares moto's stored lists
    except Exception:
        return None  # moto's error, or one it does not know: the usual path answers it
    stats["direct"] += 1
    parsed["ResponseMetadata"] = {"HTTPStatusCode": 200, "HTTPHeaders": dict(HEADERS), "RetryAttempts": 0}
    headers = HTTPHeaders()
    for name, value in HEADERS.items():
        headers[name] = value
    return AWSResponse(params.get("url", ""), 200, headers, None), parsed


_HANDLER: Any = _answer  # botocore's stubs type handlers as returning None; a before-call one answers
