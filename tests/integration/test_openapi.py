"""GET /openapi.json: an OpenAPI 3.1 document generated from template.yaml's routes, served without auth."""

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from polymetric.dialects.openapi import DIALECTS, OPENAPI_PATH, declared
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


# --- the declarations cover what the handlers read -------------------------------------------------------------


def test_every_template_route_is_declared_by_its_dialect_and_nothing_else(template: Template) -> None:
    routes = template_routes(template) - {("get", OPENAPI_PATH)}
    missing = sorted(r for r in routes if declared(*r) is None)
    assert not missing, f"routes without a declaration in their dialect's contract.py: {missing}"
    dialects = {d.contract for d in DIALECTS.values() if d.contract is not None}
    extra = sorted(key for module in dialects for key in module.OPERATIONS if key not in routes)
    assert not extra, f"declared routes that template.yaml does not have: {extra}"


def test_every_operation_declares_its_answers_refusals_and_bodies() -> None:
    document = build(REPO / "template.yaml")
    for path, item in document["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            assert "default" not in responses, (method, path)
            assert any(s.startswith("2") for s in responses), (method, path)
            if path != OPENAPI_PATH:
                assert {"400", "401"} <= set(responses) or path.startswith("/oddeye-barlus/"), (method, path)
            if "requestBody" in op:
                assert "413" in responses, (method, path)
                assert all(c["schema"] for c in op["requestBody"]["content"].values()), (method, path)
            for status, answer in responses.items():
                for media in answer.get("content", {}).values():
                    assert media["schema"], (method, path, status)
            # A route that answers a page of items declares the paging parameters.
            ok = responses.get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            if method == "get" and ok.get("$ref", "").endswith(("Page", "DescriptorList")):
                paging = {"limit", "offset"} if path.startswith("/metrics/v1/") else {"offset", "length"}
                assert paging <= names, (method, path, names)


def test_every_appoptics_route_that_reads_a_body_declares_415_and_the_vendors_keep_their_own() -> None:
    """A body neither JSON nor a form is a 415 on the AppOptics routes; the vendor dialects' rules are theirs."""
    document = build(REPO / "template.yaml")
    for path, item in document["paths"].items():
        for method, op in item.items():
            if op["tags"] == ["appoptics"]:
                if "requestBody" in op:
                    refusal = op["responses"].get("415", {}).get("content", {}).get("application/json", {})
                    assert refusal.get("schema", {}).get("$ref", "").endswith("/AppOpticsRefusal"), (method, path)
                else:
                    assert "415" not in op["responses"], (method, path)
            elif op["tags"] != ["meta"]:
                declaration = declared(method, path)
                assert declaration is not None
                own = 415 in declaration.errors or 415 in getattr(DIALECTS[op["tags"][0]].contract, "ERRORS", ())
                assert ("415" in op["responses"]) == own, (method, path)


class _Reads(dict[str, list[str]]):
    """A query-values dict that notes every key a reader asks for."""

    def __init__(self, values: dict[str, list[str]], seen: set[str]) -> None:
        super().__init__(values)
        self.seen = seen

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.seen.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> list[str]:
        self.seen.add(key)
        return super().__getitem__(key)


def _sample(param: dict[str, Any], token: str, now: int) -> Any:
    """A value a reader accepts for this declared parameter, so that it reads on to the next one."""
    name, schema = param["name"], param["schema"]
    if name in ("key", "UUID"):
        return token
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "integer":
        if name.endswith("_time"):
            return now - (3600 if name == "start_time" else 0)
        return max(schema.get("minimum", 60), min(60, schema.get("maximum", 60)))
    if schema.get("type") == "number":
        return 1.5
    if schema.get("type") == "array":
        return ["x"]
    return {"compose": 's("cpu", "*")', "metric": "cpu", "data": "[]"}.get(name, "x")


def test_every_query_key_and_body_a_handler_reads_is_declared(
    template: Template, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each route is called with a valid value for every parameter it declares; the query keys its readers ask
    for and whether it reads a body are noted. A key read but not declared, or a body read (not on a GET)
    without a requestBody, fails: a reader's new parameter cannot be left out of the document."""
    import importlib
    import time

    from tests.integration.api import _module

    seen: set[str] = set()
    read_body = [False]
    modules = {
        importlib.import_module(_module(template, f)) for f in template.functions if template.functions[f].api_events
    }
    for module in modules:
        if hasattr(module, "query_values"):
            real = module.query_values
            monkeypatch.setattr(module, "query_values", lambda app, real=real: _Reads(real(app), seen))
        for reader in ("document", "raw_body", "json_body_bytes"):
            if hasattr(module, reader):
                real_reader = getattr(module, reader)

                def noting(app: Any, real_reader: Any = real_reader) -> Any:
                    read_body[0] = True
                    return real_reader(app)

                monkeypatch.setattr(module, reader, noting)
    document = build(REPO / "template.yaml")
    api = Api(template, org.admin)
    now = int(time.time())
    problems: list[str] = []
    everything: set[str] = set()
    for method, path in sorted(template_routes(template) - {("get", OPENAPI_PATH)}):
        op = document["paths"][path][method]
        query: dict[str, Any] = {}
        for p in op.get("parameters", []):
            if p["in"] == "query" and p["name"] != "session_key":
                value = _sample(p, org.admin, now)
                if isinstance(value, dict) or p["schema"].get("type") == "object":
                    query["tags[host]"] = "x"
                else:
                    query[p["name"]] = value
        concrete = path.replace("{apiId}", org.admin).replace("{ttl}", "60")
        concrete = re.sub(r"{(id|chart|service_id)}", "1", concrete)
        concrete = re.sub(r"{\w+}", "x", concrete)
        seen.clear()
        read_body[0] = False
        headers = {"Argus-API-Key": org.admin, "key": org.admin}
        reply = api.request(
            method.upper(), concrete, query=query, body="{}", content_type="application/json", headers=headers
        )
        everything |= seen
        undeclared = {k.removesuffix("[]") for k in seen} - {p["name"] for p in op.get("parameters", [])}
        if undeclared:
            problems.append(f"{method} {path} reads query keys it does not declare: {sorted(undeclared)}")
        if read_body[0] and method != "get" and "requestBody" not in op:
            problems.append(f"{method} {path} reads a body but declares no requestBody")
        if not read_body[0] and "requestBody" in op and reply.status != 404:  # 404: no such object to read for
            problems.append(f"{method} {path} declares a requestBody it never reads")
    assert not problems, "\n".join(problems)
    assert {"resolution", "offset", "length", "compose", "duration", "name", "start_time"} <= everything


def test_no_function_but_openapi_loads_the_document_builder(template: Template) -> None:
    """Cold starts: the contracts and the builder (pydantic JSON Schema generation) stay out of the handlers."""
    import subprocess
    import sys

    from tests.integration.api import _module

    modules = sorted(
        {_module(template, f) for f, fn in template.functions.items() if fn.api_events} - {"functions.openapi.app"}
    )
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m == 'polymetric.dialects.openapi' or m.endswith('.contract')"
        " and m != 'polymetric.dialects.contract' or m == 'polymetric.dialects.schemas'))\n"
    )
    env = {"PYTHONPATH": "layers/polymetric/python:layers/local/python:.", "POWERTOOLS_TRACE_DISABLED": "true"}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_example_in_the_document_matches_its_schema() -> None:
    from tests.integration.openapi_conformance import schema_errors

    document = build(REPO / "template.yaml")
    found = 0
    for path, item in document["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                if "example" in p:
                    found += 1
                    assert not schema_errors(p["schema"], p["example"]), (method, path, p["name"])
            for media in op.get("requestBody", {}).get("content", {}).values():
                if "example" in media:
                    found += 1
                    assert not schema_errors(media["schema"], media["example"]), (method, path)
    assert found >= 10
