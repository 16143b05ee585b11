"""What the CloudWisdom ingest routes take and answer (seed: Ingest API), for the OpenAPI document."""

from typing import Any, Required

from typing_extensions import TypedDict

from polymetric.dialects.cloudwisdom.requests import SEND_RESPONSE_BODY
from polymetric.dialects.contract import Answer, Operation, Param


class Pair(TypedDict, total=False):
    name: Required[str]
    value: str | int | float | bool | None


class MetricIn(TypedDict, total=False):
    id: Required[str]
    name: str | None
    unit: str | None
    type: str | None
    sparseDataStrategy: str | None
    tags: list[Pair] | None


class Sample(TypedDict, total=False):
    metricId: Required[str]
    timestamp: int | str
    val: float | int | str | None
    min: float | int | str | None
    max: float | int | str | None
    avg: float | int | str | None
    sum: float | int | str | None
    cnt: float | int | str | None


class Relation(TypedDict):
    fqn: str


class ElementIn(TypedDict, total=False):
    id: Required[str]
    type: Required[str]
    name: str | None
    location: str | None
    attributes: list[Pair] | None
    tags: list[Pair] | None
    metrics: list[MetricIn] | None
    samples: list[Sample] | None
    relations: list[Relation] | None


class EventIn(TypedDict, total=False):
    """An external event. ``timestamp`` is required unless INJECT_TIMESTAMP (else 400); one without
    ``data.elementId`` or ``title`` is accepted (202) and dropped."""

    title: Required[str]
    type: str | None
    timestamp: int | str
    source: str | None
    tags: list[Pair] | None
    data: dict[str, Any] | None


class Accepted(TypedDict):
    status: int
    message: str
    detail: str
    serverTimestamp: int
    iso8601DateTime: str


class CloudWisdomError(TypedDict):
    status: int
    message: str
    detail: str
    errors: list[str]
    serverTimestamp: int
    iso8601DateTime: str


API_ID = {"apiId": {"type": "string", "pattern": "^[A-Za-z0-9]+$", "description": "The API token"}}
OPTIONS = Param(
    "X-Netuitive-Api-Options",
    {"type": "string"},
    location="header",
    description=f"Comma separated: {SEND_RESPONSE_BODY} (a JSON answer), INJECT_TIMESTAMP",
)
ACCEPTED = {202: Answer(Accepted, f"Received (a body with {SEND_RESPONSE_BODY})", or_empty=True)}


def _ingest(summary: str, body: Any) -> Operation:
    return Operation(summary, ACCEPTED, params=(OPTIONS,), body=list[body], body_required=True, path_schemas=API_ID)


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", "/ingest/{apiId}"): _ingest("Ingest elements", ElementIn),
    ("post", "/ingest/infrastructure/{apiId}"): _ingest("Ingest elements (infrastructure)", ElementIn),
    ("post", "/ingest/ruby/{apiId}"): _ingest("Ingest elements (ruby agent)", ElementIn),
    ("post", "/ingest/statsd/{apiId}"): _ingest("Ingest elements (statsd)", ElementIn),
    ("post", "/ingest/events/{apiId}"): _ingest("Ingest external events", EventIn),
    ("post", "/ingest/events/ruby/{apiId}"): _ingest("Ingest external events (ruby agent)", EventIn),
    ("post", "/check/{apiId}/{name}/{elementFqn}/{ttl}"): Operation(
        "A heartbeat check",
        ACCEPTED,
        params=(OPTIONS,),
        path_schemas={**API_ID, "ttl": {"type": "string", "pattern": "^[0-9]{1,9}$"}},
    ),
}
ERRORS = (400, 401, 403, 429)
