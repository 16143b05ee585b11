"""Drive compaction the way AWS would: the tick's schedule event, then the queue's messages to the worker."""

import json
import time
from datetime import UTC, datetime
from typing import Any

import boto3

from functions.compactor.app import lambda_handler as compactor
from functions.compactor_tick.app import lambda_handler as tick
from polymetric.config import get_settings
from polymetric.storage import chunk_codec
from tests.conftest import LambdaContext, load_event


class CompactorContext(LambdaContext):
    """The compactor's timeout (template: 300 s), not an API function's 29 s: with less than
    compaction.CONTINUE_BELOW left a worker hands the rest of its chunk on, which only the tests of that
    hand-over should see (two metrics share a chunk for one organization in eight)."""

    def get_remaining_time_in_millis(self) -> int:
        return 290_000


def run_compaction(now: float | None = None) -> dict[str, Any]:
    """One tick at ``now`` (default: the clock), then every queued message through the worker."""
    event = load_event("eventbridge/compactor-tick")
    event["time"] = datetime.fromtimestamp(now if now is not None else time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    queued = tick(event, LambdaContext())["queued"]
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = get_settings().COMPACTION_QUEUE_URL
    handled, failures = 0, []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]).get(
            "Messages", []
        )
        if not messages:
            break
        template = load_event("sqs/compaction-hour")["Records"][0]
        records = [
            dict(
                template,
                messageId=m["MessageId"],
                receiptHandle=m["ReceiptHandle"],
                body=m["Body"],
                attributes=m["Attributes"],
            )
            for m in messages
        ]
        result = compactor({"Records": records}, CompactorContext())
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        failures.extend(failed)
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        handled += len(messages)
    return {"queued": queued, "handled": handled, "failures": failures}


def scan(table: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return [i for page in client.get_paginator("scan").paginate(TableName=table) for i in page["Items"]]


def chunk_items(kind: str) -> list[dict[str, Any]]:
    """Stored chunks of every metric: ``B`` hour blocks, ``R`` days of rollups (``storage.keys``)."""
    return [i for i in scan(get_settings().SAMPLES_TABLE) if i["pk"]["S"].split("#")[4:5] == [kind]]


def stored_series(kind: str) -> list[tuple[str, int, bytes]]:
    """(partition, period start, sid) of every series-period the chunks of that kind hold."""
    return [
        (i["pk"]["S"], int(i["sk"]["S"].split("#")[0]), sid)
        for i in chunk_items(kind)
        for sid, *_ in chunk_codec.decode_chunk(bytes(i["d"]["B"]))
    ]


def series_body(name: str, points: list[tuple[int, float]], tags: dict[str, str]) -> dict[str, Any]:
    return {"measurements": [{"name": name, "value": v, "time": t, "tags": tags} for t, v in points]}


def dump(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
