"""Argus metrics v1: descriptors, submit, search and aggregate; the API token is the Argus-API-Key header."""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response
from polymetric.api.requests import header, query_values, raw_body
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.argus import descriptors, fields, records, responses, search
from polymetric.dialects.argus.errors import ERRORS
from polymetric.domain import argus
from polymetric.models.argus import DescriptorQuery
from polymetric.models.tenant import Ability

app = build_resolver(ERRORS)


def api_key(resolver: APIGatewayRestResolver) -> str | None:
    return header(resolver, "Argus-API-Key")


READ = [allow(Ability.READ, credentials=api_key)]
RECORD = [allow(Ability.RECORD, credentials=api_key)]
MANAGE = [allow(Ability.MANAGE, credentials=api_key)]
NO_VALUES_UPDATED = 220


def _body() -> dict[str, Any]:
    return fields.document(raw_body(app))


@app.post("/metrics/v1/descriptor", middlewares=MANAGE)
def create_descriptor() -> Response[str]:
    tenant = principal(app).tenant
    created = argus.create(tenant, descriptors.descriptor(_body(), now_ms=clock.now_ms()))
    return json_response(201, responses.envelope(responses.descriptor(created, tenant), status=201))


def _descriptor_page(q: DescriptorQuery) -> Response[str]:
    tenant = principal(app).tenant
    page, total = argus.listing(tenant, q)
    data = [responses.descriptor(d, tenant) for d in page]
    return json_response(200, responses.envelope(data, count=total, limit=q.limit, offset=q.offset))


@app.get("/metrics/v1/descriptor", middlewares=READ)
def list_descriptors() -> Response[str]:
    return _descriptor_page(descriptors.descriptor_query_params(query_values(app)))


@app.post("/metrics/v1/descriptor/search", middlewares=READ)
def search_descriptors() -> Response[str]:
    return _descriptor_page(descriptors.descriptor_query(_body()))


@app.get("/metrics/v1/descriptor/<descriptor>", middlewares=READ)
def get_descriptor(descriptor: str) -> Response[str]:
    tenant = principal(app).tenant
    return json_response(200, responses.envelope(responses.descriptor(argus.find(tenant, descriptor), tenant)))


@app.put("/metrics/v1/descriptor/<descriptor>", middlewares=MANAGE)
def update_descriptor(descriptor: str) -> Response[str]:
    tenant = principal(app).tenant
    current = argus.find(tenant, descriptor)
    changed = argus.update(tenant, current, descriptors.updated_descriptor(current, _body(), now_ms=clock.now_ms()))
    if changed is None:
        body = responses.envelope(
            responses.descriptor(current, tenant),
            status=NO_VALUES_UPDATED,
            messages=[{"type": "INFO", "message": "No values updated", "messageTemplate": "no.values.updated"}],
        )
        return json_response(NO_VALUES_UPDATED, body)
    return json_response(200, responses.envelope(responses.descriptor(changed, tenant)))


@app.delete("/metrics/v1/descriptor/<descriptor>", middlewares=MANAGE)
def delete_descriptor(descriptor: str) -> Response[str]:
    tenant = principal(app).tenant
    return json_response(200, responses.envelope(responses.descriptor(argus.delete(tenant, descriptor), tenant)))


@app.post("/metrics/v1/metric/<descriptor>", middlewares=RECORD)
def submit_metrics(descriptor: str) -> Response[str]:
    who = principal(app)
    found = argus.find(who.tenant, descriptor)
    submission = records.submission(found, _body(), now_ms=clock.now_ms())
    stored, errors = argus.submit(who.tenant, found, submission, submitted_by=who.token_id)
    return json_response(201, responses.envelope(responses.submitted(stored, errors), status=201))


@app.post("/metrics/v1/metric/<descriptor>/search", middlewares=READ)
def search_metrics(descriptor: str) -> Response[str]:
    tenant = principal(app).tenant
    found = argus.find(tenant, descriptor)
    q = search.search(found, _body(), now_ms=clock.now_ms())
    page, total = argus.search(tenant, found, q)
    data = [responses.record(r, found, tenant) for r in page]
    return json_response(200, responses.envelope(data, count=total, limit=q.limit, offset=q.offset))


@app.post("/metrics/v1/metric/<descriptor>/aggregate", middlewares=READ)
def aggregate_metrics(descriptor: str) -> Response[str]:
    tenant = principal(app).tenant
    found = argus.find(tenant, descriptor)
    buckets = argus.aggregate(tenant, found, search.aggregation(found, _body(), now_ms=clock.now_ms()))
    return json_response(200, responses.envelope([responses.aggregate(b, found, tenant) for b in buckets]))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
