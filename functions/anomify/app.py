"""Anomify flux: POST /flux/metric_data_post (JSON, optionally gzip), GET /flux/metric_data."""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response, no_content
from polymetric.api.requests import header, query_values, raw_body
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.anomify import convert, errors, requests, responses
from polymetric.domain import quotas
from polymetric.errors import QuotaExceededError
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)
DOCUMENT = "flux_document"


def _document(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The POST body, read once per request: size, gzip, JSON (the first checks of the validation order)."""
    doc = app.context.get(DOCUMENT)
    if not isinstance(doc, dict):
        doc = requests.read_body(raw_body(app), header(app, "Content-Encoding"))
        app.append_context(**{DOCUMENT: doc})  # type: ignore[no-untyped-call]
    return doc


def _post_key(app: APIGatewayRestResolver) -> str:
    return requests.key_of(_document(app), header(app, "key"))


def _get_key(app: APIGatewayRestResolver) -> str:
    return requests.query_key(query_values(app))


def _status_probe(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Skyline's health probe: a body with ``status`` answers before the key is checked."""
    if "status" in _document(app):
        return json_response(200, responses.STATUS_OK)
    return next_middleware(app)


@app.post(
    "/flux/metric_data_post",
    middlewares=[_status_probe, allow(Ability.RECORD, credentials=_post_key, writes_measurements=True)],
)
def metric_data_post() -> Response[str]:
    doc = _document(app)
    if doc.get("validate_key") is True:
        return json_response(200, responses.KEY_VALID)
    points, single = requests.points(doc, now=clock.now())
    if doc.get("test") is True or header(app, "x-test-only"):
        return json_response(200, responses.test_only(points))
    return _stored(points, single=single)


@app.get("/flux/metric_data", middlewares=[allow(Ability.RECORD, credentials=_get_key)])
def metric_data() -> Response[str]:
    return _stored([requests.query_point(query_values(app), now=clock.now())], single=True)


def _stored(points: list[requests.FluxPoint], *, single: bool) -> Response[str]:
    """Store the points: 204, or the quota report (207; a single-metric request is refused with it, 400)."""
    measurements = convert.to_measurements(points)
    admission = quotas.write(principal(app).tenant, measurements, user_agent=header(app, "User-Agent"))
    if not admission.refused or admission.quota is None:
        return no_content()
    report = responses.quota_report(points, admission.refused, admission.quota)
    if single:
        raise QuotaExceededError(report["error"], report)
    return json_response(207, report)


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
