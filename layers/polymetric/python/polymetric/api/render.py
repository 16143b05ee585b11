"""JSON responses. Clients parse a body only when Content-Type is exactly application/json."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

JSON = "application/json"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status, content_type=JSON, body=json.dumps(body, separators=(",", ":")), headers=headers
    )


def no_content(headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=204, body="", headers=headers)
