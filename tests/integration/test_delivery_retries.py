"""Notification retries through the handlers: tick -> SQS (moto) -> notifier -> loopback receiver.

A transient failure (5xx, 429) keeps the message hidden for its backoff and reports it as a batch item
failure; a later receive delivers it. An endpoint that keeps failing is given up after the queue's
maxReceiveCount and dead-lettered; a final 4xx is recorded once and never tried again.
SQS visibility is time-driven, so the tests move moto's SQS clock instead of sleeping.
"""

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from polymetric.domain import delivery
from polymetric_local.resources import LocalResources
from polymetric_local.template import Template
from tests.integration.alerting_helpers import Receiver, deliver, queued, receiver, tick
from tests.integration.api import Api


@dataclass
class SqsClock:
    """Seconds added to moto's SQS clock (visibility timeouts, receive times)."""

    offset: float = 0.0

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def sqs_clock(monkeypatch: pytest.MonkeyPatch) -> SqsClock:
    import moto.sqs.models as sqs_models

    clock = SqsClock()
    real_unix_time = sqs_models.unix_time
    monkeypatch.setattr(sqs_models, "unix_time", lambda dt=None: real_unix_time(dt) + (0 if dt else clock.offset))
    monkeypatch.setattr(sqs_models, "unix_time_millis", lambda dt=None: sqs_models.unix_time(dt) * 1000.0)
    return clock


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def _fire(api: Api, hook: Receiver) -> int:
    """A webhook service and an alert on it; a value beyond the threshold and a tick queue one notification."""
    service = api.post("/v1/services", json_body={"title": "hook", "type": "webhook", "settings": {"url": hook.url}})
    assert service.status == 201, service.text
    body = {
        "name": "cpu.high",
        "services": [service.json["id"]],
        "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 90}],
    }
    alert = api.post("/v1/alerts", json_body=body)
    assert alert.status == 201, alert.text
    t0 = int(time.time())
    posted = api.post(
        "/v1/measurements",
        json_body={"measurements": [{"name": "cpu", "value": 95, "time": t0, "tags": {"host": "a"}}]},
    )
    assert posted.status == 202, posted.text
    assert tick(t0 + 1)["triggered"] == 1
    return int(alert.json["id"])


def _attempts(api: Api, alert_id: int) -> list[tuple[int, str, str]]:
    """(attempt, outcome, detail) of every recorded delivery attempt, in attempt order."""
    status = api.get(f"/v1/alerts/{alert_id}/status")
    assert status.status == 200, status.text
    return sorted((d["attempt"], d["outcome"], d["detail"]) for d in status.json["deliveries"])


def _dead_letters(aws: LocalResources) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws.queue_urls["NotificationsDeadLetterQueue"]
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def _hidden_for(aws: LocalResources, clock: SqsClock, seconds: int) -> None:
    """The failed message stays invisible for exactly ``seconds`` (its backoff), then comes back."""
    clock.advance(seconds - 1)
    assert queued(aws) == [], "visible before its backoff ran out"
    clock.advance(2)


def test_retry_after_a_503_then_delivered(api: Api, aws: LocalResources, hook: Receiver, sqs_clock: SqsClock) -> None:
    hook.status = 503
    alert_id = _fire(api, hook)
    # First attempt: the 503 is recorded as retrying and the message is reported as a batch item failure
    result = deliver(aws)
    assert len(result["batchItemFailures"]) == 1
    assert _attempts(api, alert_id) == [(1, "retrying", "HTTP 503")]
    # It stays hidden for the first backoff (10 s), not the queue's 60 s visibility timeout
    assert delivery.backoff(1) == 10
    _hidden_for(aws, sqs_clock, 10)
    # Second attempt: the receiver is back and the notification is delivered
    hook.status = 200
    assert deliver(aws) == {"batchItemFailures": []}
    assert len(hook.requests) == 2
    assert hook.requests[0].body == hook.requests[1].body
    assert _attempts(api, alert_id) == [(1, "retrying", "HTTP 503"), (2, "delivered", "HTTP 200")]
    # Nothing is left to deliver, now or later
    sqs_clock.advance(600)
    assert queued(aws) == []
    assert _dead_letters(aws) == []


def test_429_is_retried(api: Api, aws: LocalResources, hook: Receiver, sqs_clock: SqsClock) -> None:
    hook.status = 429
    alert_id = _fire(api, hook)
    assert len(deliver(aws)["batchItemFailures"]) == 1
    _hidden_for(aws, sqs_clock, 10)
    hook.status = 204
    assert deliver(aws) == {"batchItemFailures": []}
    assert _attempts(api, alert_id) == [(1, "retrying", "HTTP 429"), (2, "delivered", "HTTP 204")]


def test_a_failing_endpoint_is_given_up_and_dead_lettered(
    api: Api, aws: LocalResources, template: Template, hook: Receiver, sqs_clock: SqsClock
) -> None:
    max_receives = int(template.queues["NotificationsQueue"].properties["RedrivePolicy"]["maxReceiveCount"])
    assert max_receives == delivery.MAX_ATTEMPTS  # the notifier gives up when SQS would dead-letter
    hook.status = 500
    alert_id = _fire(api, hook)
    for attempt in range(1, max_receives + 1):
        # Every receive fails and is reported, so SQS keeps (and finally redrives) the message
        result = deliver(aws)
        assert len(result["batchItemFailures"]) == 1, f"attempt {attempt} not reported as failed"
        if attempt < max_receives:
            _hidden_for(aws, sqs_clock, delivery.backoff(attempt))  # 10, 20, 40, 80
    assert [delivery.backoff(a) for a in range(1, max_receives)] == [10, 20, 40, 80]
    assert len(hook.requests) == max_receives
    expected = [(a, "retrying", "HTTP 500") for a in range(1, max_receives)] + [(max_receives, "failed", "HTTP 500")]
    assert _attempts(api, alert_id) == expected
    # The next receive past maxReceiveCount (once the last receive's visibility timeout ran out) moves it to
    # the dead-letter queue: no sixth attempt
    sqs_clock.advance(int(template.queues["NotificationsQueue"].properties["VisibilityTimeout"]) + 1)
    assert queued(aws) == []
    assert deliver(aws) == {"batchItemFailures": []}
    assert len(hook.requests) == max_receives
    (dead,) = _dead_letters(aws)
    assert json.loads(dead["Body"])["alert_id"] == alert_id


def test_no_response_is_retried(api: Api, aws: LocalResources, hook: Receiver, sqs_clock: SqsClock) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on: the connection is refused
        s.bind(("127.0.0.1", 0))
        hook.url = f"http://127.0.0.1:{s.getsockname()[1]}"
    alert_id = _fire(api, hook)
    assert len(deliver(aws)["batchItemFailures"]) == 1
    ((attempt, outcome, detail),) = _attempts(api, alert_id)
    assert (attempt, outcome) == (1, "retrying")
    assert detail.startswith("no response"), detail
    _hidden_for(aws, sqs_clock, 10)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 422])
def test_a_final_4xx_is_not_retried(
    api: Api, aws: LocalResources, hook: Receiver, sqs_clock: SqsClock, code: int
) -> None:
    hook.status = code
    alert_id = _fire(api, hook)
    assert deliver(aws) == {"batchItemFailures": []}
    assert _attempts(api, alert_id) == [(1, "failed", f"HTTP {code}")]
    # Deleted, not hidden: it never comes back and never reaches the dead-letter queue
    sqs_clock.advance(600)
    assert queued(aws) == []
    assert _dead_letters(aws) == []
    assert len(hook.requests) == 1


@contextmanager
def _not_http(reply: bytes) -> Iterator[str]:
    """A loopback TCP server that reads each whole request and answers ``reply`` (not HTTP), then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(body) < length:  # read it all: closing on unread bytes would reset the connection
                    body += conn.recv(65536)
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        done.set()
        thread.join()
        listener.close()


@pytest.mark.parametrize(
    "reply",
    [
        b"garbage\r\n\r\n",  # BadStatusLine
        b"HTTP/1.1 two hundred OK\r\n\r\n",  # BadStatusLine: the status is not a number
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",  # LineTooLong
    ],
    ids=["garbage", "bad-status", "long-header"],
)
def test_a_reply_that_is_not_http_is_recorded_and_retried(
    api: Api, aws: LocalResources, hook: Receiver, sqs_clock: SqsClock, reply: bytes
) -> None:
    with _not_http(reply) as url:
        hook.url = url
        alert_id = _fire(api, hook)
        # Each attempt is recorded as a transient failure and the message waits out its backoff (10 s, then 20 s)
        for attempt in (1, 2):
            assert len(deliver(aws)["batchItemFailures"]) == 1
            attempts = _attempts(api, alert_id)
            assert [(number, outcome) for number, outcome, _ in attempts] == [
                (a, "retrying") for a in range(1, attempt + 1)
            ]
            assert attempts[-1][2].startswith("bad response: "), attempts
            _hidden_for(aws, sqs_clock, delivery.backoff(attempt))
