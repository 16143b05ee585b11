"""Sending work to SQS queues (the compaction fan-out), in batches of 10.

FIFO queues (name ending in ``.fifo``) get each message's group, which SQS runs one at a time,
and a deduplication id from its body, so that a message sent twice within five minutes is queued once.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from polymetric.config import get_settings
from polymetric.errors import StorageError
from polymetric.storage import keys
from polymetric.storage.clients import sqs
from polymetric.storage.failures import translated

SEND_BATCH = 10


def send(queue_url: str, messages: Sequence[tuple[str, dict[str, Any]]]) -> int:
    """Send (group, JSON body) messages; raises StorageError if any could not be queued. Returns messages sent."""
    fifo = queue_url.endswith(".fifo")
    for i in range(0, len(messages), SEND_BATCH):
        entries: list[dict[str, Any]] = []
        for n, (group, body) in enumerate(messages[i : i + SEND_BATCH]):
            text = json.dumps(body, sort_keys=True)
            entry: dict[str, Any] = {"Id": str(n), "MessageBody": text}
            if fifo:
                entry["MessageGroupId"] = group
                entry["MessageDeduplicationId"] = hashlib.sha256(text.encode()).hexdigest()
            entries.append(entry)
        with translated("queueing failed"):
            resp = sqs().send_message_batch(QueueUrl=queue_url, Entries=entries)  # type: ignore[arg-type]
        if resp.get("Failed"):
            raise StorageError(f"{len(resp['Failed'])} messages could not be queued")
    return len(messages)


def send_compaction(jobs: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
    """Queue (tenant, metric, body) compaction jobs, each in its metric's FIFO group (``keys.compaction_group``)."""
    messages = [(keys.compaction_group(tenant, metric_lower), body) for tenant, metric_lower, body in jobs]
    return send(get_settings().COMPACTION_QUEUE_URL, messages)


def send_snapshot(tenant: str, body: dict[str, Any]) -> int:
    """Queue a snapshot to render (grouped by organization)."""
    return send(get_settings().SNAPSHOT_QUEUE_URL, [(tenant, body)])
