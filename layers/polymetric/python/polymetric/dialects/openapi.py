"""The OpenAPI 3.1 document of every route, built from the routes of template.yaml and each dialect's contract.

Nothing here lists routes: the caller passes template.yaml's Api events (``polymetric_local openapi`` at build
time, or the local runtime), so a route added to the template is in the document at once. What each route
takes and answers is declared by its dialect (``dialects/<name>/contract.py``, found by path prefix): the query
and header parameters (declared by the readers that parse them), the request body's type (pydantic models and
TypedDicts, turned into JSON Schema here), the success statuses with their bodies, and the refusals in the
dialect's own error shape. Auth: HTTP Basic with an API token (AppOptics API), the ``key`` of Anomify, the
``UUID`` field of OddEye, the ``Argus-API-Key`` header, the ``{apiId}`` path segment of CloudWisdom;
``/openapi.json`` needs none. A route without a declaration still gets its path parameters (the tests refuse it).
"""

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from polymetric.dialects.anomify import contract as anomify
from polymetric.dialects.appoptics import contract as appoptics
from polymetric.dialects.argus import contract as argus
from polymetric.dialects.cloudwisdom import contract as cloudwisdom
from polymetric.dialects.contract import EMPTY, GATEWAY_TOO_LARGE, JSON, Operation, Param
from polymetric.dialects.oddeye import contract as oddeye

OPENAPI_PATH = "/openapi.json"
TITLE = "Polymetric"
REF = "#/components/schemas/{model}"


class Route(NamedTuple):
    method: str  # lower case
    path: str  # template.yaml's form: /v1/metrics/{name}
    operation_id: str
    summary: str = ""


class Dialect(NamedTuple):
    tag: str
    security: list[dict[str, list[str]]]
    error: Any  # the type of its error bodies; None: a text body (OddEye)
    contract: ModuleType | None


DIALECTS: dict[str, Dialect] = {
    "appoptics": Dialect("appoptics", [{"basicAuth": []}], appoptics.AppOpticsRefusal, appoptics),
    "anomify": Dialect("anomify", [{"anomifyKey": []}, {}], anomify.AnomifyError, anomify),
    "oddeye": Dialect("oddeye", [{"oddeyeUuid": []}, {}], None, oddeye),
    "cloudwisdom": Dialect("cloudwisdom", [], cloudwisdom.CloudWisdomError, cloudwisdom),
    "argus": Dialect("argus", [{"argusKey": []}], argus.ArgusEnvelope, argus),
    "meta": Dialect("meta", [], None, None),
}
SECURITY_SCHEMES = {
    "basicAuth": {"type": "http", "scheme": "basic", "description": "An API token as the user name, no password."},
    "anomifyKey": {"type": "apiKey", "in": "header", "name": "key", "description": "Or the body's `key`."},
    "oddeyeUuid": {"type": "apiKey", "in": "query", "name": "UUID", "description": "Or the form field `UUID`."},
    "argusKey": {"type": "apiKey", "in": "header", "name": "Argus-API-Key"},
}
REASONS = {
    400: "Invalid input",
    401: "No or unknown credentials",
    402: "The organization may not record",
    403: "The token's role may not do this",
    404: "No such object",
    406: "Empty UUID",
    409: "Conflict",
    411: "No valid check",
    412: "Refused: field errors",
    413: "Too large",
    415: "Unsupported media type or unreadable data",
    422: "Already exists",
    424: "Empty data or unknown UUID",
    429: "Rate limited",
}
GATEWAY_MESSAGE = {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}


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


def declared(method: str, path: str) -> Operation | None:
    """The dialect's declaration of a route, if it has one."""
    module = dialect_of(path).contract
    operations: Mapping[tuple[str, str], Operation] = getattr(module, "OPERATIONS", {})
    return operations.get((method, path))


class _Schemas:
    """Every body type of the document, turned into JSON Schema at once so that shared types are defined once
    (pydantic qualifies a name two types share)."""

    def __init__(self) -> None:
        self.types: dict[int, tuple[Any, TypeAdapter[Any]]] = {}

    def ref(self, kind: Any) -> dict[str, Any]:
        """A placeholder for ``kind``'s schema, filled in by ``resolve``."""
        self.types.setdefault(id(kind), (kind, TypeAdapter(kind)))
        return {"$polymetric": id(kind)}

    def resolve(self, node: Any, found: dict[int, dict[str, Any]]) -> Any:
        if isinstance(node, dict):
            if "$polymetric" in node:
                return found[node["$polymetric"]]
            return {k: self.resolve(v, found) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, found) for v in node]
        return node

    def generate(self) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
        inputs = [(key, "validation", adapter) for key, (_, adapter) in self.types.items()]
        mapping, defs = TypeAdapter.json_schemas(inputs, ref_template=REF)  # type: ignore[arg-type]
        return {key: schema for (key, _), schema in mapping.items()}, defs.get("$defs", {})


def document(routes: Iterable[Route], *, version: str = "1.0.0") -> dict[str, Any]:
    """The OpenAPI 3.1 document of these routes."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method] = _operation(route, schemas)
    found, defs = schemas.generate()
    defs["GatewayMessage"] = GATEWAY_MESSAGE
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": version,
            "description": "Every route of every dialect (AppOptics/Librato, Anomify, OddEye, CloudWisdom, Argus), "
            "generated from template.yaml and the dialects' declarations and models.",
        },
        "servers": [{"url": "/"}],
        "paths": schemas.resolve(paths, found),
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": dict(sorted(defs.items()))},
    }


def _operation(route: Route, schemas: _Schemas) -> dict[str, Any]:
    dialect = dialect_of(route.path)
    op = declared(route.method, route.path)
    operation: dict[str, Any] = {"operationId": route.operation_id, "tags": [dialect.tag], "security": dialect.security}
    summary = op.summary if op else route.summary
    if summary:
        operation["summary"] = summary
    path_schemas = op.path_schemas if op else {}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(path_schemas.get(name, {"type": "string", "minLength": 1})),
        }
        for name in _path_parameters(route.path)
    ]
    parameters += [_parameter(p) for p in (op.params if op else ())]
    if parameters:
        operation["parameters"] = parameters
    if op is not None and op.body is not None:
        schema = schemas.ref(op.body)
        operation["requestBody"] = {
            "required": op.body_required,
            "content": {media: {"schema": schema} for media in op.media},
        }
        if op.example is not None and JSON in op.media:  # a nested example has no one form encoding
            operation["requestBody"]["content"][JSON]["example"] = op.example
    operation["responses"] = _responses(dialect, op, schemas)
    return operation


def _parameter(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.location, "required": p.required, "schema": dict(p.schema)}
    if p.description:
        out["description"] = p.description
    if p.example is not None:
        out["example"] = p.example
    if p.schema.get("type") == "object":
        out["style"], out["explode"] = "deepObject", True
    return out


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1].rstrip("+") for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _responses(dialect: Dialect, op: Operation | None, schemas: _Schemas) -> dict[str, Any]:
    if dialect.tag == "meta":
        return {
            "200": {
                "description": "This document",
                "content": {JSON: {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
            }
        }
    if op is None:
        return {"default": {"description": "Not declared by the dialect"}}
    responses: dict[str, Any] = {}
    for status, answer in sorted(op.answers.items()):
        entry: dict[str, Any] = {"description": answer.description}
        content: dict[str, Any] = {}
        if answer.body is not None and answer.media:
            content[answer.media] = {"schema": schemas.ref(answer.body)}
        if (answer.body is None or answer.or_empty) and answer.media and status != 204:
            content[EMPTY] = {"schema": {"type": "string", "maxLength": 0}}
        if content:
            entry["content"] = content
        responses[str(status)] = entry
    errors = set(getattr(dialect.contract, "ERRORS", ())) | set(op.errors)
    if op.body is not None:
        errors |= set(getattr(dialect.contract, "BODY_ERRORS", ()))
    for status in sorted(errors):
        entry = {"description": REASONS.get(status, "Refused")}
        if dialect.error is not None:
            entry["content"] = {JSON: {"schema": schemas.ref(dialect.error)}}
        responses[str(status)] = entry
    if op.body is not None:  # the gateway refuses a body over its limit before the dialect sees it
        gateway = {"$ref": REF.format(model="GatewayMessage")}
        if str(GATEWAY_TOO_LARGE) in responses and dialect.error is not None:
            responses[str(GATEWAY_TOO_LARGE)]["content"][JSON]["schema"] = {
                "anyOf": [responses[str(GATEWAY_TOO_LARGE)]["content"][JSON]["schema"], gateway]
            }
        else:
            responses[str(GATEWAY_TOO_LARGE)] = {"description": REASONS[413], "content": {JSON: {"schema": gateway}}}
    return responses
