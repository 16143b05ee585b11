"""JSON responses. Clients parse a body only when Content-Type is exactly application/json."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

JSON = "application/json"
# API Gateway labels a proxy response without Content-Type as application/json, and an empty body is not
# JSON (strict clients fail to parse it): every empty body says what it is.
EMPTY = "text/plain; charset=utf-8"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status, content_type=JSON, body=json.dumps(body, separators=(",", ":")), headers=headers
    )


def empty(status: int, headers: dict[str, str] | None = None) -> Response[str]:
    """A response without a body (legacy 200s, CloudWisdom's 202s, 204s)."""
    return Response(status_code=status, content_type=EMPTY, body="", headers=headers)


def no_content(headers: dict[str, str] | None = None) -> Response[str]:
    return empty(204, headers)
