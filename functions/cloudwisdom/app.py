"""CloudWisdom ingest: elements, external events and heartbeat checks; the API token is the {apiId} segment."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.render import empty, json_response
from polymetric.api.requests import header, raw_body
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.cloudwisdom import requests, responses
from polymetric.dialects.cloudwisdom.errors import ERRORS
from polymetric.domain import cloudwisdom
from polymetric.models.tenant import Ability

app = build_resolver(ERRORS)


def api_id(resolver: APIGatewayRestResolver) -> str | None:
    """The ``{apiId}`` path segment (the agents' API key), a Polymetric API token."""
    found = (resolver.current_event.path_parameters or {}).get("apiId")
    return found if isinstance(found, str) and found else None


RECORD = [allow(Ability.RECORD, credentials=api_id)]


def _accepted(count: int, noun: str) -> Response[str]:
    if requests.options(header(app, "X-Netuitive-Api-Options")).send_response_body:
        return json_response(202, responses.accepted(count, noun, clock.now_ms()))
    return empty(202)


def _elements() -> Response[str]:
    opts = requests.options(header(app, "X-Netuitive-Api-Options"))
    posts = requests.elements(raw_body(app), now_ms=clock.now_ms(), inject_timestamp=opts.inject_timestamp)
    count = cloudwisdom.ingest_elements(principal(app).tenant, posts, user_agent=header(app, "User-Agent"))
    return _accepted(count, "elements")


def _events() -> Response[str]:
    opts = requests.options(header(app, "X-Netuitive-Api-Options"))
    events = requests.events(raw_body(app), now_ms=clock.now_ms(), inject_timestamp=opts.inject_timestamp)
    return _accepted(cloudwisdom.record_events(principal(app).tenant, events), "events")


@app.post("/ingest/<apiId>", middlewares=RECORD)
def post_elements(**_: str) -> Response[str]:
    return _elements()


@app.post("/ingest/infrastructure/<apiId>", middlewares=RECORD)
def post_infrastructure(**_: str) -> Response[str]:
    return _elements()


@app.post("/ingest/ruby/<apiId>", middlewares=RECORD)
def post_ruby(**_: str) -> Response[str]:
    return _elements()


@app.post("/ingest/statsd/<apiId>", middlewares=RECORD)
def post_statsd(**_: str) -> Response[str]:
    return _elements()


@app.post("/ingest/events/<apiId>", middlewares=RECORD)
def post_events(**_: str) -> Response[str]:
    return _events()


@app.post("/ingest/events/ruby/<apiId>", middlewares=RECORD)
def post_ruby_events(**_: str) -> Response[str]:
    return _events()


@app.post("/check/<apiId>/<name>/<elementFqn>/<ttl>", middlewares=RECORD)
def post_check(name: str, elementFqn: str, ttl: str, **_: str) -> Response[str]:
    check_name, fqn, seconds = requests.check(name, elementFqn, ttl)
    cloudwisdom.heartbeat(principal(app).tenant, check_name, fqn, seconds)
    return _accepted(1, "checks")


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
