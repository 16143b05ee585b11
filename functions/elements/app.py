"""CloudWisdom element metadata, read through the Polymetric API: GET /v1/elements, GET /v1/elements/{id}."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response
from polymetric.api.requests import query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors, listing
from polymetric.dialects.cloudwisdom import elements
from polymetric.domain import cloudwisdom
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.get("/v1/elements", middlewares=[allow(Ability.READ)])
def list_elements() -> Response[str]:
    page = listing.page_request(query_values(app))
    found, total = cloudwisdom.element_page(principal(app).tenant, **page)
    return json_response(200, elements.element_page(found, total, page["offset"]))


@app.get("/v1/elements/<name>", middlewares=[allow(Ability.READ)])
def get_element(name: str) -> Response[str]:
    from polymetric.dialects.cloudwisdom.requests import sanitize  # the ingest rules: only this route needs them

    # Stored ids are sanitised (``my host#1`` is ``my_host1``): the id as the agent sent it finds its element.
    return json_response(200, elements.element(cloudwisdom.element_or_404(principal(app).tenant, name, sanitize(name))))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
