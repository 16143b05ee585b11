"""AppOptics snapshots (seed: Snapshots): POST queues the rendering (202 + job), GET shows its state and PNG link."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response
from polymetric.api.requests import base_url, document
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors
from polymetric.dialects.appoptics import snapshots as wire
from polymetric.domain import snapshots
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.post("/v1/snapshots", middlewares=[allow(Ability.READ)])
def create_snapshot() -> Response[str]:
    view = snapshots.create(principal(app).tenant, wire.request(document(app)))
    body = wire.body(view.snapshot, view.job, view.image_url, base_url(app))
    return json_response(202, body, {"Location": f"/v1/snapshots/{view.snapshot.id}"})


@app.get("/v1/snapshots/<id>", middlewares=[allow(Ability.READ)])
def get_snapshot(id: str) -> Response[str]:
    view = snapshots.get(principal(app).tenant, wire.snapshot_id(id))
    return json_response(200, wire.body(view.snapshot, view.job, view.image_url, base_url(app)))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
