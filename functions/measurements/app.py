"""AppOptics measurements: POST /v1/measurements, GET /v1/measurements/{name}, GET /v1/measurements?compose=.

A route imports what only it runs (the validation models, the query engine) at its first call: a cold
start loads the common path alone (see bench/cold.py).
"""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response
from polymetric.api.requests import base_url, header, json_body_bytes, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.post("/v1/measurements", middlewares=[allow(Ability.RECORD, writes_measurements=True)])
def post_measurements() -> Response[str]:
    from polymetric.dialects.appoptics import measurements
    from polymetric.domain import ingest

    user_agent = header(app, "User-Agent")
    parsed = measurements.parse(json_body_bytes(app), now=clock.now(), user_agent=user_agent)
    outcome = ingest.accept(
        principal(app).tenant, parsed.accepted, total=parsed.total, errors=parsed.errors, user_agent=user_agent
    )
    return json_response(
        202, errors.measurements_summary(outcome), {"x-partial-failure": "true"} if outcome.failed else None
    )


@app.get("/v1/measurements/<name>", middlewares=[allow(Ability.READ)])
def get_measurements(name: str) -> Response[str]:
    from polymetric.dialects.appoptics import paging, queries, responses
    from polymetric.domain import query

    values = query_values(app)
    result = query.measurements(principal(app).tenant, queries.measurements_query(name, values, now=clock.now()))
    return json_response(
        200, responses.measurements(result, paging.links(name, values, result.next_key, base_url(app)))
    )


@app.get("/v1/measurements", middlewares=[allow(Ability.READ)])
def get_composite() -> Response[str]:
    from polymetric.dialects.appoptics import compose, responses
    from polymetric.domain import composites

    q = compose.compose_query(query_values(app), now=clock.now())
    return json_response(200, responses.composite(composites.compose(principal(app).tenant, q)))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
