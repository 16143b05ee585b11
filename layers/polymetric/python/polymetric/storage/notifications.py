"""Notifications on their way to the notifier: the SQS message body, both ways."""

import contextlib
import json
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from polymetric.config import get_settings
from polymetric.errors import InvalidInputError
from polymetric.models.alert import Notification, Violation
from polymetric.storage import queues
from polymetric.storage.clients import sqs


def enqueue(notifications: list[Notification]) -> int:
    """Queue the notifications (standard queue: the notifier skips a delivery id it already delivered)."""
    if not notifications:
        return 0
    url = get_settings().NOTIFICATIONS_QUEUE_URL
    return queues.send(url, [(n.tenant, asdict(n)) for n in notifications])


def parse(body: str) -> Notification:
    """A queued notification; InvalidInputError when the body is not one (the message then dead-letters)."""
    try:
        doc: dict[str, Any] = json.loads(body)
        violations = [Violation(**v) for v in doc.pop("violations", [])]
        return Notification(**doc, violations=violations)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(request=[f"not a notification message: {exc}"]) from exc


def retry_later(receipt_handle: str, seconds: int) -> None:
    """Hide a failed message for ``seconds`` (its backoff) instead of the queue's visibility timeout."""
    with contextlib.suppress(ClientError):  # the queue's own visibility timeout then applies
        sqs().change_message_visibility(
            QueueUrl=get_settings().NOTIFICATIONS_QUEUE_URL, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
