"""template.yaml and the code agree: routes, tables, environment, and every sample event runs."""

import dataclasses
import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from polymetric.config import Settings
from polymetric.domain import jobs, tenants
from polymetric.models.tenant import Role
from polymetric.storage import clients
from polymetric_local.template import Template
from tests.conftest import EVENTS, REPO, LambdaContext, Org, basic, load_event
from tests.integration.api import Api, _module
from tests.integration.openapi_conformance import request_problems, response_problems


class _NoManagedPolicies:
    def load(self) -> dict:
        return {}


def _translated() -> dict:
    sam = yaml_parse((REPO / "template.yaml").read_text())
    for resource in sam["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://placeholder/{props[key]}"
    return transform(sam, {}, _NoManagedPolicies())


def test_sam_transform_tables_are_the_ones_the_handlers_use(template: Template, monkeypatch) -> None:
    """Create the SAM-transformed tables in a fresh moto account and run a POST + GET against exactly those."""
    cfn = _translated()
    tables = {k: r["Properties"] for k, r in cfn["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}
    functions = {k: r["Properties"] for k, r in cfn["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    assert set(tables) == set(template.tables)
    required = {f.name for f in dataclasses.fields(Settings) if f.default is dataclasses.MISSING}
    env = {}
    for name, props in functions.items():
        variables = props["Environment"]["Variables"]
        assert required <= variables.keys(), name
        env.update({v: f"cfn-{variables[v]['Ref']}" for v in required})
    with mock_aws():
        client = boto3.client("dynamodb")
        for logical_id, props in tables.items():
            client.create_table(
                TableName=f"cfn-{logical_id}",
                AttributeDefinitions=props["AttributeDefinitions"],
                KeySchema=props["KeySchema"],
                BillingMode=props["BillingMode"],
                **(
                    {"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]}
                    if "GlobalSecondaryIndexes" in props
                    else {}
                ),
            )
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        clients.reset()
        tenant = tenants.create_org("cfn")
        api = Api(template, tenants.create_token(tenant, Role.ADMIN, "cfn"))
        posted = api.post(
            "/v1/measurements", json_body={"measurements": [{"name": "m", "value": 2, "tags": {"h": "a"}}]}
        )
        assert posted.status == 202, posted.text
        got = api.get("/v1/measurements/m", query={"duration": 600, "resolution": 1})
        assert got.json["series"][0]["measurements"][0]["value"] == 2.0
        assert client.scan(TableName="cfn-SamplesTable")["Count"] > 0
        assert client.scan(TableName="cfn-MetaTable")["Count"] > 0
    clients.reset()
    tenants.forget_cached_tokens()


def test_translated_routes_match_the_resolvers(template: Template) -> None:
    cfn = _translated()
    api = next(r for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi")
    translated = {(m.upper(), p) for p, methods in api["Properties"]["Body"]["paths"].items() for m in methods}
    declared = {(e.method.upper(), e.path) for f in template.functions.values() for e in f.api_events}
    assert translated == declared
    import importlib

    for function in (f for f in template.functions.values() if f.api_events):
        app = importlib.import_module(_module(template, function.logical_id)).app
        served = {(r.method, r.rule.pattern) for r in app._dynamic_routes + app._static_routes}
        for event in function.api_events:
            path = re.sub(r"{\w+}", "<name>", event.path)
            assert any(m == event.method.upper() and _matches(rule, path) for m, rule in served), (event, served)
        assert len(served) == len(function.api_events), function.logical_id


def _matches(rule: str, path: str) -> bool:
    return re.match(rule, path.replace("<name>", "cpu.load")) is not None


def test_template_keys_match_storage_layout(template: Template) -> None:
    for table in template.tables.values():
        schema = table.properties["KeySchema"]
        assert [k["AttributeName"] for k in schema] == ["pk", "sk"]
    assert template.tables["SamplesTable"].properties["TimeToLiveSpecification"]["AttributeName"] == "ttl"


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(EVENTS).with_suffix("").as_posix() for p in (EVENTS / "apigw").rglob("*.json"))
)
def test_every_sample_event_runs_through_its_function(template: Template, org: Org, path: str) -> None:
    event = load_event(path)
    assert path.startswith("apigw/")
    # Given the data the other sample events read, update or delete
    api = Api(template, org.admin)
    api.post("/v1/measurements", json_body=load_event_body("apigw/measurements-post"))
    api.put("/v1/metrics/queue_len", json_body={"type": "gauge"})
    event["headers"]["Authorization"] = basic(org.admin)
    event["multiValueHeaders"]["Authorization"] = [basic(org.admin)]
    # Dialects that carry the token elsewhere (a body field, a form field, a query parameter, a header)
    event = json.loads(json.dumps(event).replace("REPLACE_WITH_API_TOKEN", org.admin))
    if path.startswith("apigw/elements-"):  # they read the element the CloudWisdom sample ingests
        ingest = load_event("apigw/cloudwisdom-ingest")
        api.post(f"/ingest/{org.admin}", body=ingest["body"], token=None, content_type="application/json")
    if path.startswith("apigw/jobs-"):  # the first job of a fresh store has id 1
        assert jobs.create(org.tenant, "metrics.delete").id == 1
    if path.startswith(("apigw/spaces-", "apigw/snapshots-")):  # the first space and chart of a fresh store: id 1
        assert api.post("/v1/spaces", json_body={"name": "CPUs"}).json["id"] == 1
    if path.startswith("apigw/snapshots-"):
        assert api.post("/v1/spaces/1/charts", json_body={"name": "c", "streams": [{"metric": "m"}]}).json["id"] == 1
    if path.startswith("apigw/argus-") and path != "apigw/argus-descriptor-create":  # they read this descriptor
        create = load_event("apigw/argus-descriptor-create")
        api.post("/metrics/v1/descriptor", body=create["body"], token=None, headers={"Argus-API-Key": org.admin})
    function = next(
        f
        for f in template.functions.values()
        for e in f.api_events
        if e.path == event["resource"] and e.method.upper() == event["httpMethod"]
    )
    import importlib

    handler = getattr(importlib.import_module(_module(template, function.logical_id)), function.handler_attribute)
    reply = handler(event, LambdaContext())
    assert reply["statusCode"] in (200, 201, 202, 204), reply["body"]
    # ... and the request and its answer are what GET /openapi.json says of the route.
    headers = {k.lower(): v for k, v in {**(reply.get("headers") or {}), **event["headers"]}.items()}
    answer_type = {k.lower(): v for k, v in (reply.get("headers") or {}).items()}.get("content-type")
    query = event.get("multiValueQueryStringParameters") or event.get("queryStringParameters")
    body = event["body"] if not event.get("isBase64Encoded") else None
    assert not request_problems(event["httpMethod"], event["resource"], query, headers.get("content-type"), body)
    assert not response_problems(
        event["httpMethod"], event["resource"], reply["statusCode"], answer_type, reply["body"]
    )


def test_every_event_file_is_exercised() -> None:
    """API events run above; the worker events are driven by compaction_helpers.py and the checks test."""
    worker_events = {
        "eventbridge/compactor-tick",
        "sqs/compaction-hour",
        "sqs/compaction-round-chunk",
        "eventbridge/heartbeats-tick",
        "eventbridge/alert-tick",
        "sqs/alert-notification",
        "sqs/snapshot-render",
    }
    found = {p.relative_to(EVENTS).with_suffix("").as_posix() for p in EVENTS.rglob("*.json")}
    assert {f for f in found if not f.startswith("apigw/")} == worker_events
    users = (REPO / "tests/integration/compaction_helpers.py").read_text()
    users += (REPO / "tests/integration/test_cloudwisdom.py").read_text()
    users += (REPO / "tests/integration/test_compaction_rounds.py").read_text()
    users += (REPO / "tests/integration/alerting_helpers.py").read_text()
    users += (REPO / "tests/integration/test_snapshots.py").read_text()
    assert all(f'"{name}"' in users for name in worker_events)


def load_event_body(name: str) -> dict:
    return json.loads(load_event(name)["body"])


def test_layer_requirements_match_pyproject() -> None:
    import tomllib

    project = tomllib.loads(Path(REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = [
        line.strip()
        for line in (REPO / "layers/polymetric/python/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(layer) == sorted(project)
