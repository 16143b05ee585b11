"""Sending work to SQS queues (the compaction fan-out), in batches of 10."""

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from polymetric.errors import StorageError
from polymetric.storage.clients import sqs

SEND_BATCH = 10


def send(queue_url: str, bodies: Sequence[dict[str, Any]]) -> int:
    """Send JSON messages; raises StorageError if any could not be queued. Returns messages sent."""
    for i in range(0, len(bodies), SEND_BATCH):
        entries = [{"Id": str(n), "MessageBody": json.dumps(b)} for n, b in enumerate(bodies[i : i + SEND_BATCH])]
        try:
            resp = sqs().send_message_batch(QueueUrl=queue_url, Entries=entries)  # type: ignore[arg-type]
        except ClientError as exc:
            raise StorageError("queueing failed", cause=exc) from exc
        if resp.get("Failed"):
            raise StorageError(f"{len(resp['Failed'])} messages could not be queued")
    return len(bodies)
