"""CloudFormation custom resources: run the work, then always answer CloudFormation at the ResponseURL.

A custom resource that never answers holds the stack for an hour, so every failure is reported as
FAILED with its reason. Events are never logged: their properties may carry a NoEcho parameter.
"""

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from polymetric.observability import logger

# (request type, properties, physical id or None) -> (physical id, data for !GetAtt)
Work = Callable[[str, dict[str, Any], str | None], tuple[str, dict[str, str]]]


def respond(event: dict[str, Any], status: str, physical_id: str, data: dict[str, str], reason: str = "") -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or status,
            "PhysicalResourceId": physical_id,
            "StackId": event.get("StackId"),
            "RequestId": event.get("RequestId"),
            "LogicalResourceId": event.get("LogicalResourceId"),
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=20) as reply:
        reply.read()


def handle(event: dict[str, Any], work: Work) -> None:
    kind = str(event.get("RequestType"))
    physical = event.get("PhysicalResourceId")
    try:
        physical_id, data = work(kind, dict(event.get("ResourceProperties") or {}), physical)
    except Exception as exc:
        logger.exception("custom resource failed", request_type=kind)
        respond(event, "FAILED", physical or "failed", {}, reason=f"{type(exc).__name__}: {exc}"[:500])
        return
    logger.info("custom resource done", request_type=kind, physical_id=physical_id)
    respond(event, "SUCCESS", physical_id, data)
