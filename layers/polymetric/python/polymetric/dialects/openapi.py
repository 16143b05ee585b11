"""The OpenAPI 3.1 document of every route, built from the routes of template.yaml and the wire models.

Nothing here lists routes: the caller passes template.yaml's Api events (``polymetric_local openapi`` at build
time, or the local runtime), so a route added to the template is in the document at once. What each route
takes and answers comes from its dialect, found by path prefix:
- request bodies: the pydantic models the readers validate with where there are some (AppOptics
  ``POST /v1/measurements``), else the dialect's body media type;
- error bodies: pydantic models of each dialect's error shape (``dialects/<name>/errors.py``);
- auth: HTTP Basic with an API token (AppOptics API), the ``key`` of Anomify, the ``UUID`` field of OddEye,
  the ``Argus-API-Key`` header, the ``{apiId}`` path segment of CloudWisdom; ``/openapi.json`` needs none.
Other status codes a dialect documents (201, 202, 204, 401, 404, 413...) fall under ``default``.
"""

from collections.abc import Iterable
from typing import Any, NamedTuple

from pydantic import BaseModel, Field, TypeAdapter

from polymetric.dialects.appoptics.measurements import MeasurementsPostIn

OPENAPI_PATH = "/openapi.json"
TITLE = "Polymetric"


class Route(NamedTuple):
    method: str  # lower case
    path: str  # template.yaml's form: /v1/metrics/{name}
    operation_id: str
    summary: str = ""


# --- error shapes ----------------------------------------------------------------------------------------------


class AppOpticsErrors(BaseModel):
    params: dict[str, list[str]] | None = None
    request: list[str] | None = None
    system: list[str] | None = None


class AppOpticsError(BaseModel):
    """AppOptics (seed: Error Messages); a 202 with failed measurements answers a summary instead."""

    errors: AppOpticsErrors | list[dict[str, Any]]


class AnomifyError(BaseModel):
    code: int
    message: str | None = None


class CloudWisdomError(BaseModel):
    status: int
    message: str
    detail: str
    errors: list[str]


class ArgusMessage(BaseModel):
    type: str
    message: str
    messageTemplate: str | None = None
    field: str | None = None
    parameter: Any = None
    timestamp: int | None = None


class ArgusEnvelope(BaseModel):
    responseCode: int
    limit: int
    offset: int
    count: int
    size: int
    metaData: dict[str, Any] = Field(default_factory=dict)
    messages: list[ArgusMessage]
    data: Any = None


class Dialect(NamedTuple):
    tag: str
    security: list[dict[str, list[str]]]
    error: type[BaseModel] | None  # None: a text body (OddEye)
    error_statuses: tuple[str, ...]
    body_types: tuple[str, ...]


_JSON = ("application/json",)
# Error statuses whose body the dialect's own error handler always writes; the rest fall under ``default``.
DIALECTS: dict[str, Dialect] = {
    "appoptics": Dialect(
        "appoptics",
        [{"basicAuth": []}],
        AppOpticsError,
        ("400",),
        ("application/json", "application/x-www-form-urlencoded"),
    ),
    "anomify": Dialect("anomify", [{"anomifyKey": []}, {}], AnomifyError, ("400",), _JSON),
    "oddeye": Dialect("oddeye", [{"oddeyeUuid": []}, {}], None, ("424",), ("application/x-www-form-urlencoded",)),
    "cloudwisdom": Dialect("cloudwisdom", [], CloudWisdomError, ("400",), _JSON),
    "argus": Dialect("argus", [{"argusKey": []}], ArgusEnvelope, ("400", "412"), _JSON),
    "meta": Dialect("meta", [], None, (), ()),
}
SECURITY_SCHEMES = {
    "basicAuth": {"type": "http", "scheme": "basic", "description": "An API token as the user name, no password."},
    "anomifyKey": {"type": "apiKey", "in": "header", "name": "key", "description": "Or the body's `key`."},
    "oddeyeUuid": {"type": "apiKey", "in": "query", "name": "UUID", "description": "Or the form field `UUID`."},
    "argusKey": {"type": "apiKey", "in": "header", "name": "Argus-API-Key"},
}
# Request bodies validated by a pydantic model: (method, path) -> the model.
BODY_MODELS: dict[tuple[str, str], Any] = {("post", "/v1/measurements"): MeasurementsPostIn}
SUCCESS = {"post": "200", "get": "200", "put": "200", "delete": "200"}


def dialect_of(path: str) -> Dialect:
    if path == OPENAPI_PATH:
        return DIALECTS["meta"]
    if path.startswith("/flux/"):
        return DIALECTS["anomify"]
    if path.startswith("/oddeye-barlus/"):
        return DIALECTS["oddeye"]
    if path.startswith(("/ingest/", "/check/")):
        return DIALECTS["cloudwisdom"]
    if path.startswith("/metrics/v1/"):
        return DIALECTS["argus"]
    return DIALECTS["appoptics"]


def document(routes: Iterable[Route], *, version: str = "1.0.0") -> dict[str, Any]:
    """The OpenAPI 3.1 document of these routes."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": version,
            "description": "Every route of every dialect (AppOptics/Librato, Anomify, OddEye, CloudWisdom, Argus), "
            "generated from template.yaml and the pydantic models.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": schemas},
    }


def _operation(route: Route, schemas: dict[str, Any]) -> dict[str, Any]:
    dialect = dialect_of(route.path)
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "tags": [dialect.tag],
        "security": dialect.security,
        "responses": _responses(route, dialect, schemas),
    }
    if route.summary:
        operation["summary"] = route.summary
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _path_parameters(route.path)
    ]
    if parameters:
        operation["parameters"] = parameters
    if route.method in ("post", "put") and dialect.body_types:
        operation["requestBody"] = _request_body(route, dialect, schemas)
    return operation


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1].rstrip("+") for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _request_body(route: Route, dialect: Dialect, schemas: dict[str, Any]) -> dict[str, Any]:
    model = BODY_MODELS.get((route.method, route.path))
    if model is not None:
        name = getattr(model, "__name__", "Body")
        schemas.setdefault(name, TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}"))
        _hoist(schemas, name)
        schema: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    else:
        schema = {}
    return {"required": False, "content": {kind: {"schema": schema} for kind in dialect.body_types}}


def _hoist(schemas: dict[str, Any], name: str) -> None:
    """Move pydantic's local ``$defs`` into components, where the ``$ref`` template points."""
    defs = schemas[name].pop("$defs", {})
    for key, value in defs.items():
        schemas.setdefault(key, value)


def _responses(route: Route, dialect: Dialect, schemas: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {"default": {"description": "Another status the dialect documents"}}
    if dialect.tag == "meta":
        responses["200"] = {
            "description": "This document",
            "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
        }
        return responses
    responses[SUCCESS[route.method]] = {"description": "Success"}
    for status in dialect.error_statuses:
        if dialect.error is None:
            responses[status] = {"description": "Refused (a text body)"}
            continue
        name = dialect.error.__name__
        if name not in schemas:
            schemas[name] = dialect.error.model_json_schema(ref_template="#/components/schemas/{model}")
            _hoist(schemas, name)
        responses[status] = {
            "description": "Refused",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
    return responses
