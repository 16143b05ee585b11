"""What the Anomify /flux routes take and answer (seed: Anomify HTTP API), for the OpenAPI document."""

from typing import Any, Required

from typing_extensions import TypedDict

from polymetric.dialects import contract
from polymetric.dialects.anomify.requests import GET_PARAMETERS
from polymetric.dialects.contract import Answer, Operation, Param


class FluxMetric(TypedDict, total=False):
    metric: Required[str]
    timestamp: int | float | str
    value: Required[int | float | str]
    fill: bool | str


class FluxPostIn(TypedDict, total=False):
    """One metric (``metric``, ``timestamp``, ``value``) or many (``metrics``); ``key`` unless the header has it.
    ``status`` is the health probe, ``validate_key`` checks the key, ``test`` validates without storing."""

    key: str
    metrics: list[FluxMetric]
    metric: str
    timestamp: int | float | str
    value: int | float | str
    fill: bool | str
    status: Any
    validate_key: bool
    test: bool


class QuotaEntry(TypedDict):
    metric: str
    status: int


QuotaReport = TypedDict(
    "QuotaReport",
    {
        "code": int,
        "data": list[QuotaEntry],
        "error": str,
        "message": str,
        "rejected metrics": list[str],
        "rejected metrics count": int,
        "processed metrics": list[str],
        "processed metrics count": int,
        "submitted metrics count": int,
    },
)
TestOnly = TypedDict(
    "TestOnly",
    {"code": int, "message": str, "submitted metrics count": int, "processed metrics count": int},
)


class Status(TypedDict):
    status: str


class AnomifyError(TypedDict, total=False):
    """Seed: HTTP Status Code Error Messages; an over-quota refusal adds the quota report's fields."""

    code: Required[int]
    message: str


# The parameters of GET /flux/metric_data (requests.GET_PARAMETERS: anything else is refused).
GET_PARAMS = (
    contract.example(contract.required(contract.string("metric", min_length=1)), "server-1.known.metric"),
    contract.example(contract.required(Param("value", {"type": "number"})), 3.5),
    Param("timestamp", {"type": "integer", "minimum": 0}, description="Unix seconds; default now"),
    contract.required(contract.string("key", "The API token", min_length=1)),
    contract.string("fill", enum=("true", "True")),
)
assert {p.name for p in GET_PARAMS} == GET_PARAMETERS

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", "/flux/metric_data_post"): Operation(
        "Submit metrics (JSON, optionally gzip)",
        {
            204: Answer(None, "Stored"),
            200: Answer(TestOnly | Status, "A probe, key check or test-only answer"),
            207: Answer(QuotaReport, "Some metrics over the quota were refused"),
        },
        params=(Param("key", {"type": "string"}, location="header", description="Or the body's key"),),
        body=FluxPostIn,
        body_required=True,
        example={"metrics": [{"metric": "aws.eu-west-1a.nginx-1.cpu.user", "value": 1.0}]},
        errors=(413,),
    ),
    ("get", "/flux/metric_data"): Operation("Submit one metric", {204: Answer(None, "Stored")}, params=GET_PARAMS),
}
ERRORS = (400, 401, 403, 429)
