"""AppOptics annotations: streams, events, links (seed: Annotations); JSON and form bodies."""

import polymetric.coldstart

from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response, no_content
from polymetric.api.requests import document, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import annotations as wire
from polymetric.dialects.appoptics import errors, fields, jobs, listing
from polymetric.domain import annotations
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.get("/v1/annotations", middlewares=[allow(Ability.READ)])
def list_streams() -> Response[str]:
    page = annotations.list_streams(principal(app).tenant, **listing.page_request(query_values(app)))
    return json_response(200, wire.stream_page(page))


@app.get("/v1/annotations/<name>", middlewares=[allow(Ability.READ)])
def get_stream(name: str) -> Response[str]:
    values = query_values(app)
    found = annotations.read_stream(
        principal(app).tenant,
        name,
        start=fields.query_whole(values, "start_time", minimum=0),
        end=fields.query_whole(values, "end_time", minimum=0),
        sources=values.get("sources[]", []) + values.get("sources", []),
    )
    return json_response(200, wire.stream_events(found))


@app.post("/v1/annotations/<name>", middlewares=[allow(Ability.RECORD)])
def post_event(name: str) -> Response[str]:
    event = annotations.create(principal(app).tenant, name, wire.new_event(document(app)))
    return json_response(
        201, wire.event(event), {"Location": f"/v1/annotations/{quote(event.stream, safe='')}/{event.id}"}
    )


@app.put("/v1/annotations/<name>", middlewares=[allow(Ability.MANAGE)])
def put_stream(name: str) -> Response[str]:
    stream = annotations.update_stream(principal(app).tenant, name, wire.display_name(document(app)))
    return json_response(200, wire.stream(stream))  # not the seed's 204: the clients read the stream back


@app.delete("/v1/annotations/<name>", middlewares=[allow(Ability.MANAGE)])
def delete_stream(name: str) -> Response[str]:
    job = annotations.delete_stream(principal(app).tenant, name)
    if job is None:
        return no_content()
    return json_response(202, jobs.job(job), jobs.location(job))  # a stream of many events: a job deletes it


@app.get("/v1/annotations/<name>/<id>", middlewares=[allow(Ability.READ)])
def get_event(name: str, id: str) -> Response[str]:
    return json_response(200, wire.event(annotations.get(principal(app).tenant, name, wire.event_id(id))))


@app.put("/v1/annotations/<name>/<id>", middlewares=[allow(Ability.MANAGE)])
def put_event(name: str, id: str) -> Response[str]:
    annotations.update(principal(app).tenant, name, wire.event_id(id), wire.event_changes(document(app)))
    return no_content()


@app.delete("/v1/annotations/<name>/<id>", middlewares=[allow(Ability.MANAGE)])
def delete_event(name: str, id: str) -> Response[str]:
    annotations.delete(principal(app).tenant, name, wire.event_id(id))
    return no_content()


@app.post("/v1/annotations/<name>/<id>/links", middlewares=[allow(Ability.MANAGE)])
def post_link(name: str, id: str) -> Response[str]:
    link = annotations.add_link(principal(app).tenant, name, wire.event_id(id), wire.link(document(app)))
    return json_response(201, link, _location(name, id, link["rel"]))


@app.delete("/v1/annotations/<name>/<id>/links/<link>", middlewares=[allow(Ability.MANAGE)])
def delete_link(name: str, id: str, link: str) -> Response[str]:
    annotations.delete_link(principal(app).tenant, name, wire.event_id(id), link)
    return no_content()


def _location(name: str, id: str, rel: str) -> dict[str, str]:
    """Header values are Latin-1 on the wire: the names in the path are percent-encoded (a link's rel is any text)."""
    return {"Location": f"/v1/annotations/{quote(name, safe='')}/{id}/links/{quote(rel, safe='')}"}


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
