"""Checks of a request and its answer against the OpenAPI document (GET /openapi.json, built from the code)."""

import json
from functools import cache
from typing import Any

import jsonschema

from polymetric_local.openapi import build
from tests.conftest import REPO


@cache
def document() -> dict[str, Any]:
    return build(REPO / "template.yaml")


def operation(method: str, resource: str) -> dict[str, Any]:
    return dict(document()["paths"][resource][method.lower()])


def schema_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` does not match ``schema`` (whose ``$ref``s point into the document's components)."""
    root = {**schema, "components": document()["components"]}
    validator = jsonschema.Draft202012Validator(root)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]


def declared_query(op: dict[str, Any]) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}


def query_name(key: str) -> str:
    """``names[]`` -> names, ``tags[host]`` -> tags: how clients spell lists and deep objects."""
    return key.split("[", 1)[0]


def request_problems(
    method: str, resource: str, query: dict[str, Any] | None, content_type: str | None, body: Any
) -> list[str]:
    op = operation(method, resource)
    problems = [f"query {k} is not declared" for k in query or {} if query_name(k) not in declared_query(op)]
    if body in (None, ""):
        return problems
    request_body = op.get("requestBody")
    if request_body is None:
        return [*problems, "a body is sent but no requestBody is declared"]
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media not in request_body["content"]:
        return [*problems, f"{media} is not a declared body type: {sorted(request_body['content'])}"]
    if media == "application/json":
        problems += schema_errors(request_body["content"][media]["schema"], json.loads(body))
    return problems


def response_problems(method: str, resource: str, status: int, content_type: str | None, body: str) -> list[str]:
    responses = operation(method, resource)["responses"]
    answer = responses.get(str(status))
    if answer is None:
        return [f"status {status} is not declared: {sorted(responses)}"]
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" or not body:
        return []
    content = answer.get("content", {})
    if "application/json" not in content:
        return [f"a JSON body is not declared for {status}"]
    return schema_errors(content["application/json"]["schema"], json.loads(body))
