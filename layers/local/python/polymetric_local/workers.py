"""What Lambda's event source mappings and EventBridge schedules do, for moto, which does neither.

SQS: a poller per SQS event receives up to BatchSize messages, invokes the function with an SQS event and
deletes what succeeded. With ReportBatchItemFailures the identifiers in `batchItemFailures` stay on the
queue; a raised exception, or a response naming an unknown message, keeps the whole batch. Kept messages
come back after the queue's VisibilityTimeout and reach the dead-letter queue after maxReceiveCount
receives, as on AWS.

Schedules: one timer thread fires each enabled Schedule event when it is due; `run_schedules_now` fires
them all at once. POLYMETRIC_SCHEDULES=off turns the timer off (the manual trigger still works).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from polymetric_local.invoke import Invoker
from polymetric_local.template import Function, ScheduleEvent, SqsEvent

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

logger = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
SQS_MAX_MESSAGES_PER_RECEIVE = 10


@dataclass
class _Poller:
    function: Function
    event: SqsEvent
    queue_url: str
    queue_arn: str
    # One batch of a queue in flight at a time (the poller thread's or drain_queues'), so a FIFO queue's
    # batches are handled in order; other queues, schedules and HTTP requests run meanwhile.
    busy: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _Timer:
    function: Function
    event: ScheduleEvent
    next_due: float


class Workers:
    def __init__(self, invoker: Invoker, *, sqs: SQSClient, schedules_enabled: bool = True) -> None:
        self.invoker = invoker
        self.sqs = sqs
        self.schedules_enabled = schedules_enabled
        resources = invoker.resources
        self._pollers = [
            _Poller(fn, event, resources.queue_urls[event.queue], resources.queue_arns[event.queue])
            for fn in invoker.template.functions.values()
            for event in fn.sqs_events
            if event.enabled
        ]
        self._schedules = [
            (fn, event) for fn in invoker.template.functions.values() for event in fn.schedule_events if event.enabled
        ]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        for poller in self._pollers:
            self._spawn(f"sqs-{poller.function.logical_id}-{poller.event.name}", self._poll_forever, poller)
        if self.schedules_enabled and self._schedules:
            self._spawn("schedules", self._run_timers)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                logger.warning("worker %s did not stop within %.0f s", thread.name, timeout)
        self._threads.clear()

    def run_schedules_now(self, at: float | None = None) -> int:
        """Invoke every enabled schedule's function once, now; returns how many ran without raising.

        ``at`` dates the events (EventBridge's ``time``) as if the schedule fired then: a test or a
        demo can run the compactor as it would run after an hour has closed.
        """
        return sum(self._fire(fn, event, at) for fn, event in self._schedules)

    def drain_queues(self, timeout: float = 10.0, cancel: threading.Event | None = None) -> int:
        """Deliver until every SQS event source queue is empty; returns the number of records delivered.

        Messages a handler failed count as not yet drained until they succeed or move to the dead-letter
        queue, so this waits out visibility timeouts. Raises TimeoutError naming the queues still busy.
        ``cancel`` set (the server is stopping) ends the wait at once: the pollers deliver the rest later.
        """
        deadline = time.monotonic() + timeout
        delivered = 0
        cancel = cancel or threading.Event()
        while not cancel.is_set():
            batch = sum(self._poll_once(poller) for poller in self._pollers)
            delivered += batch
            if batch:
                continue
            busy = [p.event.queue for p in self._pollers if not self._is_empty(p)]
            if not busy:
                return delivered
            if time.monotonic() >= deadline:
                raise TimeoutError(f"queues not drained after {timeout:.0f} s: {', '.join(sorted(set(busy)))}")
            cancel.wait(0.05)
        return delivered

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=f"polymetric-local-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _poll_forever(self, poller: _Poller) -> None:
        while not self._stop.is_set():
            try:
                delivered = self._poll_once(poller)
            except Exception:
                logger.exception("polling %s failed", poller.event.queue)
                delivered = 0
            if not delivered:
                self._stop.wait(IDLE_POLL_SECONDS)

    def _poll_once(self, poller: _Poller) -> int:
        with poller.busy:
            return self._deliver(poller)

    def _deliver(self, poller: _Poller) -> int:
        messages = self._receive(poller)
        if not messages:
            return 0
        event = {"Records": [self._record(poller, m) for m in messages]}
        try:
            result = self.invoker.invoke(poller.function.logical_id, event)
        except Exception:
            logger.exception(
                "%s failed on a batch of %d from %s; it will be redelivered",
                poller.function.logical_id,
                len(messages),
                poller.event.queue,
            )
            return len(messages)
        failed = self._failed_ids(poller, result, messages)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), SQS_MAX_MESSAGES_PER_RECEIVE):
            chunk = done[start : start + SQS_MAX_MESSAGES_PER_RECEIVE]
            self.sqs.delete_message_batch(
                QueueUrl=poller.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        return len(messages)

    def _receive(self, poller: _Poller) -> list[MessageTypeDef]:
        messages: list[MessageTypeDef] = []
        while len(messages) < poller.event.batch_size:
            # WaitTimeSeconds=0: moto's long polling would sleep while holding the lock on moto (calls.py).
            page = self.sqs.receive_message(
                QueueUrl=poller.queue_url,
                MaxNumberOfMessages=min(SQS_MAX_MESSAGES_PER_RECEIVE, poller.event.batch_size - len(messages)),
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not page:
                break
            messages.extend(page)
        return messages

    def _record(self, poller: _Poller, message: MessageTypeDef) -> dict[str, Any]:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": _b64(value.get("BinaryValue")),
                    "stringListValues": list(value.get("StringListValues", [])),
                    "binaryListValues": [_b64(v) for v in value.get("BinaryListValues", [])],
                    "dataType": value.get("DataType"),
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": poller.queue_arn,
            "awsRegion": self.invoker.resources.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _failed_ids(self, poller: _Poller, result: Any, messages: list[MessageTypeDef]) -> set[str]:
        all_ids = {m["MessageId"] for m in messages}
        if not poller.event.report_batch_item_failures or not result:
            return set()
        failures = result.get("batchItemFailures") if isinstance(result, Mapping) else None
        if not failures:
            return set()
        failed: set[str] = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
            if not isinstance(identifier, str) or identifier not in all_ids:
                # Lambda treats a response it cannot match to the batch as a failure of the whole batch.
                logger.error(
                    "%s returned batchItemFailures with unknown itemIdentifier %r; keeping the whole batch",
                    poller.function.logical_id,
                    identifier,
                )
                return all_ids
            failed.add(identifier)
        return failed

    def _is_empty(self, poller: _Poller) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=poller.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return all(int(v) == 0 for v in attributes.values())

    def _run_timers(self) -> None:
        now = time.time()
        timers = [_Timer(fn, event, _next_due(event, now, now)) for fn, event in self._schedules]
        started = now
        while not self._stop.is_set():
            now = time.time()
            for timer in timers:
                if now >= timer.next_due:
                    self._fire(timer.function, timer.event)
                    timer.next_due = _next_due(timer.event, time.time(), started)
            wait = min(t.next_due for t in timers) - time.time()
            self._stop.wait(min(max(wait, 0.0), 1.0))

    def _fire(self, function: Function, event: ScheduleEvent, at: float | None = None) -> bool:
        payload = json.loads(event.input) if event.input is not None else self.scheduled_event(event, at)
        try:
            self.invoker.invoke(function.logical_id, payload)
        except Exception:
            logger.exception("%s failed on schedule %s", function.logical_id, event.rule_id)
            return False
        return True

    def scheduled_event(self, event: ScheduleEvent, at: float | None = None) -> dict[str, Any]:
        resources = self.invoker.resources
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": resources.account_id,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
            "region": resources.region,
            "resources": [resources.rule_arn(event)],
            "detail": {},
        }


def _next_due(event: ScheduleEvent, now: float, started: float) -> float:
    interval = event.interval
    base = started if interval.offset is None else float(interval.offset)
    periods = int((now - base) // interval.seconds) + 1
    return base + periods * interval.seconds


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")
