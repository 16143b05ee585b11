"""OddEye barlus: POST and GET /oddeye-barlus/put/tsdb with the fields UUID and data (query or form body)."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.requests import header, query_values, raw_body
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.oddeye import convert, errors, requests, responses
from polymetric.domain import checks, tenants
from polymetric.errors import MissingCredentialsError, UnknownAccountError
from polymetric.models.tenant import Ability

ROUTE = "/oddeye-barlus/put/tsdb"
PARAMETERS = "oddeye_parameters"
OVER_QUOTA = "metric over quota in input"


def _text(status: int, body: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=status, content_type=responses.CONTENT_TYPE, body=body, headers=headers)


app = build_resolver(errors.ERRORS)


def _parameters(app: APIGatewayRestResolver) -> dict[str, str]:
    found = app.context.get(PARAMETERS)
    if not isinstance(found, dict):
        found = requests.parameters(query_values(app), raw_body(app))
        app.append_context(**{PARAMETERS: found})  # type: ignore[no-untyped-call]
    return found


def _uuid(app: APIGatewayRestResolver) -> str:
    """EMPTY UUID (406) before NOT VALID UUID (424); a token that may not record is not a valid UUID here."""
    uuid = _parameters(app).get("UUID", "").strip()
    if not uuid:
        raise MissingCredentialsError("EMPTY UUID")
    found = tenants.find(uuid)
    if found is None or not found.can(Ability.RECORD):
        raise UnknownAccountError("NOT VALID UUID")
    return uuid


@app.route(ROUTE, method=["POST", "GET"], middlewares=[allow(Ability.RECORD, credentials=_uuid)])
def put_tsdb() -> Response[str]:
    parsed = requests.checks(_parameters(app).get("data"), now=clock.now())
    admission = checks.record(
        principal(app).tenant,
        convert.to_measurements(parsed.accepted),
        convert.to_events(parsed.accepted),
        convert.to_kinds(parsed.accepted),
        user_agent=header(app, "User-Agent"),
    )
    over = [OVER_QUOTA for c in parsed.accepted if not c.special and admission.is_refused(c.metric)]
    return _text(200, responses.ok(parsed.dropped + over))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
