"""Delivering one queued notification to its service, and recording every attempt.

1. A notification already delivered (its delivery id is marked) is skipped: a redelivered queue
   message never reaches the receiver twice.
2. Every attempt is recorded with its outcome; admins read them on the alert's status.
3. Transient failures (timeouts, 429, 5xx, throttling) raise ``RetryLaterError`` so the message
   comes back after a backoff, until ``MAX_ATTEMPTS`` (the queue's maxReceiveCount): the last one is
   recorded as failed and raises ``GiveUpError``, so the message stays on the queue and SQS moves it to
   the dead-letter queue. Final failures (other 4xx, a deleted service) are recorded and dropped.
"""

import json
from typing import Any, Protocol
from urllib.parse import urlencode

from polymetric import clock
from polymetric.config import get_settings
from polymetric.errors import PolymetricError
from polymetric.models.alert import MAIL, PAGERDUTY, SLACK, SNS, WEBHOOK, DeliveryAttempt, Notification, Service
from polymetric.observability import logger, metrics
from polymetric.storage import alert_state, outbound
from polymetric.storage import alerts as store

MAX_ATTEMPTS = 5
DELIVERED, RETRYING, FAILED, SKIPPED = "delivered", "retrying", "failed", "skipped"


class RetryLaterError(PolymetricError):
    """A transient failure: the message should come back after ``backoff`` seconds."""

    def __init__(self, message: str, backoff: int) -> None:
        super().__init__(message)
        self.backoff = backoff


class GiveUpError(PolymetricError):
    """A transient failure on the last attempt: left to the queue's redrive policy (dead-letter queue)."""


class Wire(Protocol):
    """How notifications look on the wire (``dialects/appoptics/notifications.py``), passed in by the notifier."""

    def webhook_json(self, n: Notification) -> str: ...
    def slack_message(self, n: Notification) -> dict[str, Any]: ...
    def pagerduty_event(self, n: Notification, routing_key: str) -> dict[str, Any]: ...
    def subject(self, n: Notification) -> str: ...
    def sns_subject(self, n: Notification) -> str: ...
    def text(self, n: Notification) -> str: ...


def backoff(attempt: int) -> int:
    """Seconds before the next try: 10, 20, 40, 80 ... at most 300."""
    return int(min(10 * 2 ** max(attempt - 1, 0), 300))


def _send(service: Service, n: Notification, wire: Wire) -> outbound.Outcome:
    settings = service.settings
    if service.type == WEBHOOK:
        body = urlencode({"payload": wire.webhook_json(n)}).encode()
        return outbound.post(
            settings["url"],
            body,
            "application/x-www-form-urlencoded",
            delivery_id=n.delivery_id,
            secret=settings.get("secret"),
        )
    if service.type == SLACK:
        body = json.dumps(wire.slack_message(n)).encode()
        return outbound.post(settings["url"], body, "application/json", delivery_id=n.delivery_id)
    if service.type == PAGERDUTY:
        event = wire.pagerduty_event(n, settings["service_key"])
        url = get_settings().PAGERDUTY_EVENTS_URL
        return outbound.post(url, json.dumps(event).encode(), "application/json", delivery_id=n.delivery_id)
    if service.type == SNS:
        return outbound.publish(settings["topic_arn"], wire.sns_subject(n), wire.webhook_json(n))
    if service.type == MAIL:
        return outbound.send_mail(settings["addresses"].split(","), wire.subject(n), wire.text(n))
    return outbound.Outcome(False, False, f"service type {service.type} cannot be delivered")


def deliver(n: Notification, attempt: int, wire: Wire) -> str:
    """Deliver ``n`` (try number ``attempt``); returns the outcome, raises RetryLaterError on a transient failure."""
    if alert_state.was_delivered(n.tenant, n.delivery_id):
        return SKIPPED
    service = store.get_service(n.tenant, n.service_id)
    now = clock.now()
    if service is None:
        outcome = outbound.Outcome(False, False, f"service {n.service_id} no longer exists")
        service_type = "unknown"
    else:
        outcome = _send(service, n, wire)
        service_type = service.type
    if outcome.delivered:
        result = DELIVERED
    elif outcome.retry and attempt < MAX_ATTEMPTS:
        result = RETRYING
    else:
        result = FAILED
    exhausted = result == FAILED and outcome.retry
    alert_state.record_attempt(
        n.tenant,
        DeliveryAttempt(
            n.delivery_id, n.alert_id, n.service_id, service_type, n.kind, attempt, now, result, outcome.detail
        ),
    )
    logger.info(
        "notification attempt",
        tenant=n.tenant,
        alert=n.alert_id,
        service=n.service_id,
        kind=n.kind,
        attempt=attempt,
        outcome=result,
        detail=outcome.detail,
    )
    metrics.add_metric(name=f"AlertDeliveries{result.capitalize()}", unit="Count", value=1)
    if result == DELIVERED:
        alert_state.mark_delivered(n.tenant, n.delivery_id, now)
    elif result == RETRYING:
        raise RetryLaterError(f"delivery {n.delivery_id} failed: {outcome.detail}", backoff(attempt))
    elif exhausted:
        raise GiveUpError(f"delivery {n.delivery_id} failed {attempt} times, last: {outcome.detail}")
    return result
