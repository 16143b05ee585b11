"""Drive the alert evaluator and the notifier the way EventBridge and SQS would, and receive what they send."""

import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from functions.alert_tick import app as alert_tick
from functions.notifier import app as notifier
from polymetric_local.resources import LocalResources
from tests.conftest import LambdaContext, load_event


def tick(at: int) -> dict[str, int]:
    event = load_event("eventbridge/alert-tick")
    event["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    return alert_tick.lambda_handler(event, LambdaContext())


def queued(aws: LocalResources) -> list[dict[str, Any]]:
    """Every message on the notifications queue, received (not deleted)."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    out: list[dict[str, Any]] = []
    while True:
        page = sqs.receive_message(
            QueueUrl=aws.queue_urls["NotificationsQueue"], MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        if not page:
            return out
        out += page


def deliver(aws: LocalResources) -> dict[str, Any]:
    """Run the notifier on what is queued, as the SQS event source would; delete what it did not fail."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    messages = queued(aws)
    if not messages:
        return {"batchItemFailures": []}
    template = load_event("sqs/alert-notification")["Records"][0]
    records = []
    for m in messages:
        record = copy.deepcopy(template)
        record.update(messageId=m["MessageId"], receiptHandle=m["ReceiptHandle"], body=m["Body"])
        record["attributes"]["ApproximateReceiveCount"] = m["Attributes"]["ApproximateReceiveCount"]
        records.append(record)
    result = notifier.lambda_handler({"Records": records}, LambdaContext())
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for m in messages:
        if m["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=aws.queue_urls["NotificationsQueue"], ReceiptHandle=m["ReceiptHandle"])
    return result


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        """The webhook's form field ``payload``, parsed."""
        return json.loads(parse_qs(self.body.decode())["payload"][0])

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200  # what it answers


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A loopback HTTP server that records every POST and answers ``Receiver.status``."""
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            box[0].requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(box[0].status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
