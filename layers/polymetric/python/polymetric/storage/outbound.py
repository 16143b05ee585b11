"""Sending to the outside: HTTP POSTs (webhook, Slack, PagerDuty), SNS Publish and SES SendEmail.

Each call answers an ``Outcome``: delivered, a transient failure worth retrying (timeouts, refused
connections, replies that are not HTTP, 429, 5xx, throttling) or a final one (other 4xx, a refused
address). Never raises for the receiver's faults.
"""

import hashlib
import hmac
import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from polymetric.config import get_settings

USER_AGENT = "Polymetric-Alerts/1.0"
TRANSIENT_AWS = ("Throttling", "ThrottlingException", "ServiceUnavailable", "InternalError", "InternalFailure")


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool
    detail: str


def post(url: str, body: bytes, content_type: str, *, delivery_id: str, secret: str | None = None) -> Outcome:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    request.add_header("User-Agent", USER_AGENT)
    request.add_header("X-Polymetric-Delivery", delivery_id)
    if secret:
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request.add_header("X-Polymetric-Signature", f"sha256={signature}")
    try:
        with urllib.request.urlopen(request, timeout=get_settings().DELIVERY_TIMEOUT_SECONDS) as response:
            return Outcome(True, False, f"HTTP {response.status}")
    except urllib.error.HTTPError as error:
        transient = error.code == 429 or error.code >= 500
        return Outcome(False, transient, f"HTTP {error.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Outcome(False, True, f"no response: {reason}")
    except http.client.HTTPException as error:  # BadStatusLine, LineTooLong ...: the receiver spoke no HTTP
        # Its class only: the message may hold up to 64 KiB of the receiver's bytes.
        return Outcome(False, True, f"bad response: {type(error).__name__}")


@lru_cache(maxsize=4)
def _sns(region: str) -> Any:  # no stubs for sns/ses in the lock: the two calls are checked by tests
    return boto3.client("sns", region_name=region)


@lru_cache(maxsize=4)
def _ses(region: str) -> Any:
    return boto3.client("ses", region_name=region)


def _aws_failure(exc: Exception) -> Outcome:
    code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
    return Outcome(False, code in TRANSIENT_AWS or not code, f"{code or type(exc).__name__}: {exc}")


def publish(topic_arn: str, subject: str, message: str) -> Outcome:
    region = topic_arn.split(":")[3]
    try:
        answer = _sns(region).publish(TopicArn=topic_arn, Subject=subject, Message=message)
    except (ClientError, BotoCoreError) as exc:
        return _aws_failure(exc)
    return Outcome(True, False, f"SNS message {answer['MessageId']}")


def send_mail(addresses: list[str], subject: str, text: str) -> Outcome:
    settings = get_settings()
    try:
        answer = _ses(settings.AWS_DEFAULT_REGION).send_email(
            Source=settings.ALERTS_MAIL_FROM,
            Destination={"ToAddresses": addresses},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
        )
    except (ClientError, BotoCoreError) as exc:
        return _aws_failure(exc)
    return Outcome(True, False, f"SES message {answer['MessageId']}")
