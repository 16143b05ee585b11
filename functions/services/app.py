"""AppOptics notification services: create, list, get, update, delete."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response, no_content
from polymetric.api.requests import document, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import alerts as render
from polymetric.dialects.appoptics import errors
from polymetric.dialects.appoptics.pages import page
from polymetric.domain import services
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.post("/v1/services", middlewares=[allow(Ability.MANAGE)])
def create_service() -> Response[str]:
    who = principal(app)
    service = services.create(who.tenant, document(app))
    body = render.service(service, in_clear=who.reads_secrets)
    return json_response(201, body, {"Location": f"/v1/services/{service.id}"})


@app.get("/v1/services", middlewares=[allow(Ability.READ)])
def list_services() -> Response[str]:
    who = principal(app)
    found = services.list_page(who.tenant, **page(query_values(app)))
    body = render.service_page(
        found.services, found=found.found, total=found.total, offset=found.offset, in_clear=who.reads_secrets
    )
    return json_response(200, body)


@app.get("/v1/services/<id>", middlewares=[allow(Ability.READ)])
def get_service(id: str) -> Response[str]:
    who = principal(app)
    return json_response(200, render.service(services.get(who.tenant, id), in_clear=who.reads_secrets))


@app.put("/v1/services/<id>", middlewares=[allow(Ability.MANAGE)])
def update_service(id: str) -> Response[str]:
    services.update(principal(app).tenant, id, document(app))
    return no_content()


@app.delete("/v1/services/<id>", middlewares=[allow(Ability.MANAGE)])
def delete_service(id: str) -> Response[str]:
    services.delete(principal(app).tenant, id)
    return no_content()


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
