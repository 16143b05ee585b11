"""GET /openapi.json: an OpenAPI 3.1 document generated from template.yaml's routes, served without auth."""

import json
from pathlib import Path

import jsonschema

from polymetric.dialects.openapi import OPENAPI_PATH
from polymetric_local.openapi import build
from polymetric_local.template import Template
from tests.conftest import REPO
from tests.integration.api import Api

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def operations(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method in item if method in METHODS}


def template_routes(template: Template) -> set[tuple[str, str]]:
    return {(e.method, e.path) for f in template.functions.values() for e in f.api_events}


def test_every_template_route_is_in_the_document_and_nothing_else(template: Template) -> None:
    document = build(REPO / "template.yaml")
    assert document["openapi"] == "3.1.0"
    assert operations(document) == template_routes(template)
    assert ("get", OPENAPI_PATH) in operations(document)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_route_added_to_the_template_appears_without_touching_the_generator(tmp_path: Path) -> None:
    text = (REPO / "template.yaml").read_text()
    extra = """        GetJobLog:
          Type: Api
          Properties: {RestApiId: !Ref PolymetricApi, Path: "/v1/jobs/{id}/log", Method: get}
"""
    anchor = '          Properties: {RestApiId: !Ref PolymetricApi, Path: "/v1/jobs/{id}", Method: get}\n'
    assert anchor in text
    (tmp_path / "template.yaml").write_text(text.replace(anchor, anchor + extra))
    operation = build(tmp_path / "template.yaml")["paths"]["/v1/jobs/{id}/log"]["get"]
    assert operation["parameters"][0]["name"] == "id" and operation["security"] == [{"basicAuth": []}]


def test_request_and_error_bodies_come_from_the_models() -> None:
    document = build(REPO / "template.yaml")
    schemas = document["components"]["schemas"]
    post = document["paths"]["/v1/measurements"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MeasurementsPostIn"
    }
    assert "measurements" in schemas["MeasurementsPostIn"]["required"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/AppOpticsRefusal")
    argus = document["paths"]["/metrics/v1/descriptor"]["post"]
    assert argus["security"] == [{"argusKey": []}] and "412" in argus["responses"]
    # Every schema is a valid JSON Schema (2020-12, as OpenAPI 3.1 uses), every $ref resolves.
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = {r.split("/")[-1] for r in _refs(document)}
    assert refs <= set(schemas)


def test_served_without_auth_and_equal_to_the_generated_document(template: Template) -> None:
    reply = Api(template, None).get(OPENAPI_PATH)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"] == "application/json"
    assert reply.json == json.loads(json.dumps(build(REPO / "template.yaml")))


def test_make_openapi_writes_it_before_sam_build() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "functions/openapi/openapi.json" in makefile
    assert "functions/openapi/openapi.json" in (REPO / ".gitignore").read_text()


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
