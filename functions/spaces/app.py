"""AppOptics spaces and their charts (seed: Spaces, Charts); JSON and form bodies."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response, no_content
from polymetric.api.requests import document, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import charts as wire
from polymetric.dialects.appoptics import errors, listing
from polymetric.domain import spaces
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.get("/v1/spaces", middlewares=[allow(Ability.READ)])
def list_spaces() -> Response[str]:
    page = spaces.list_spaces(principal(app).tenant, **listing.page_request(query_values(app)))
    return json_response(200, wire.space_page(page))


@app.post("/v1/spaces", middlewares=[allow(Ability.MANAGE)])
def create_space() -> Response[str]:
    doc = document(app)
    space = spaces.create_space(
        principal(app).tenant, wire.space_name(doc, required=True) or "", tags=wire.space_tags(doc)
    )
    return json_response(201, wire.space_body(space, with_charts=False), {"Location": f"/v1/spaces/{space.id}"})


@app.get("/v1/spaces/<id>", middlewares=[allow(Ability.READ)])
def get_space(id: str) -> Response[str]:
    space = spaces.get_space(principal(app).tenant, wire.numeric_id(id, "space"))
    return json_response(200, wire.space_body(space, with_charts=True))


@app.put("/v1/spaces/<id>", middlewares=[allow(Ability.MANAGE)])
def rename_space(id: str) -> Response[str]:
    spaces.rename_space(
        principal(app).tenant, wire.numeric_id(id, "space"), wire.space_name(document(app), required=False)
    )
    return no_content()


@app.delete("/v1/spaces/<id>", middlewares=[allow(Ability.MANAGE)])
def delete_space(id: str) -> Response[str]:
    spaces.delete_space(principal(app).tenant, wire.numeric_id(id, "space"))
    return no_content()


@app.get("/v1/spaces/<id>/charts", middlewares=[allow(Ability.READ)])
def list_charts(id: str) -> Response[str]:
    found = spaces.list_charts(principal(app).tenant, wire.numeric_id(id, "space"))
    return json_response(200, [wire.chart_body(c) for c in found])  # a bare array: what the clients read


@app.post("/v1/spaces/<id>/charts", middlewares=[allow(Ability.MANAGE)])
def create_chart(id: str) -> Response[str]:
    space_id = wire.numeric_id(id, "space")
    chart = spaces.create_chart(principal(app).tenant, space_id, wire.chart(document(app), creating=True))
    return json_response(201, wire.chart_body(chart), {"Location": f"/v1/spaces/{space_id}/charts/{chart.id}"})


@app.get("/v1/spaces/<id>/charts/<chart>", middlewares=[allow(Ability.READ)])
def get_chart(id: str, chart: str) -> Response[str]:
    found = spaces.get_chart(principal(app).tenant, wire.numeric_id(id, "space"), wire.numeric_id(chart, "chart"))
    return json_response(200, wire.chart_body(found))


@app.put("/v1/spaces/<id>/charts/<chart>", middlewares=[allow(Ability.MANAGE)])
@app.post("/v1/spaces/<id>/charts/<chart>", middlewares=[allow(Ability.MANAGE)])  # the seed's composite example
def update_chart(id: str, chart: str) -> Response[str]:
    body = wire.chart(document(app), creating=False)
    updated = spaces.update_chart(
        principal(app).tenant, wire.numeric_id(id, "space"), wire.numeric_id(chart, "chart"), body
    )
    return json_response(200, wire.chart_body(updated))


@app.delete("/v1/spaces/<id>/charts/<chart>", middlewares=[allow(Ability.MANAGE)])
def delete_chart(id: str, chart: str) -> Response[str]:
    spaces.delete_chart(principal(app).tenant, wire.numeric_id(id, "space"), wire.numeric_id(chart, "chart"))
    return no_content()


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
