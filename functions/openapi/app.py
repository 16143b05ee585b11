"""GET /openapi.json: the OpenAPI 3.1 document of every route, without auth.

The document is built from template.yaml's routes (``polymetric.dialects.openapi``) by ``make openapi``
before ``sam build`` into ``openapi.json`` beside this module; read once per container. Run from the
repository (the local server, tests), a missing file is built from template.yaml here instead.
"""

import polymetric.coldstart

import json
from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors

DOCUMENT = Path(__file__).with_name("openapi.json")
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"

app = build_resolver(errors.ERRORS)


@cache
def _document() -> str:
    if DOCUMENT.is_file():
        return DOCUMENT.read_text(encoding="utf-8")
    from polymetric_local.openapi import build  # the repository's local runtime; not in the Lambda package

    return json.dumps(build(TEMPLATE), separators=(",", ":"))


@app.get("/openapi.json")
def get_openapi() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=_document())


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
