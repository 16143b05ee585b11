"""Authentication, roles on every route, and isolation between organizations."""

import time

import pytest

from polymetric.domain import alerts, cloudwisdom, environments, jobs, services, tenants
from polymetric.models.annotation import Annotation
from polymetric.models.dashboard import Chart, Space, Stream
from polymetric.models.element import Element, ElementPost
from polymetric.models.snapshot import Snapshot
from polymetric.models.tenant import Role
from polymetric.storage import annotations as annotation_store
from polymetric.storage import snapshots as snapshot_store
from polymetric.storage import spaces as space_store
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api, _route

# One request per route in template.yaml: (method, path, body) and the ability it needs.
ROUTES = [
    ("POST", "/v1/measurements", {"tags": {"h": "a"}, "measurements": [{"name": "m", "value": 1}]}, "record"),
    ("GET", "/v1/measurements/m", None, "read"),
    (
        "GET",
        "/v1/measurements",
        {"compose": 's("m", "*")', "start_time": int(time.time()) - 60, "resolution": 60},
        "read",
    ),  # a query
    ("GET", "/v1/metrics", None, "read"),
    ("GET", "/v1/metrics/m", None, "read"),
    ("PUT", "/v1/metrics/m", {"period": 60}, "manage"),
    ("DELETE", "/v1/metrics/m", None, "manage"),
    ("DELETE", "/v1/metrics", {"names": ["m"]}, "manage"),
    ("PUT", "/v1/metrics", {"names": ["m"], "period": 60}, "manage"),
    ("POST", "/v1/metrics", {"gauges": [{"name": "m", "value": 1}]}, "record"),
    ("GET", "/v1/elements", None, "read"),
    ("GET", "/v1/elements/m", None, "read"),
    ("GET", "/v1/annotations", None, "read"),
    ("GET", "/v1/annotations/m", None, "read"),
    ("POST", "/v1/annotations/m", {"title": "t"}, "record"),
    ("PUT", "/v1/annotations/m", {"display_name": "M"}, "manage"),
    ("DELETE", "/v1/annotations/m", None, "manage"),
    ("GET", "/v1/annotations/m/7", None, "read"),
    ("PUT", "/v1/annotations/m/7", {"title": "t2"}, "manage"),
    ("DELETE", "/v1/annotations/m/7", None, "manage"),
    ("POST", "/v1/annotations/m/7/links", {"rel": "r", "href": "h"}, "manage"),
    ("DELETE", "/v1/annotations/m/7/links/ci", None, "manage"),
    ("GET", "/v1/spaces", None, "read"),
    ("POST", "/v1/spaces", {"name": "new space"}, "manage"),
    ("GET", "/v1/spaces/8", None, "read"),
    ("PUT", "/v1/spaces/8", {"name": "renamed"}, "manage"),
    ("DELETE", "/v1/spaces/8", None, "manage"),
    ("GET", "/v1/spaces/8/charts", None, "read"),
    ("POST", "/v1/spaces/8/charts", {"name": "c", "streams": [{"metric": "m"}]}, "manage"),
    ("GET", "/v1/spaces/8/charts/9", None, "read"),
    ("PUT", "/v1/spaces/8/charts/9", {"name": "c2"}, "manage"),
    ("POST", "/v1/spaces/8/charts/9", {"name": "c3"}, "manage"),
    ("DELETE", "/v1/spaces/8/charts/9", None, "manage"),
    ("POST", "/v1/snapshots", {"subject": {"chart": {"id": 9}}}, "read"),
    ("GET", "/v1/snapshots/5", None, "read"),
    ("GET", "/v1/jobs/1", None, "read"),
    ("POST", "/v1/api_tokens", {"name": "new", "role": "viewer"}, "manage"),
    ("GET", "/v1/api_tokens", None, "manage"),
    ("GET", "/v1/api_tokens/2", None, "manage"),
    ("PUT", "/v1/api_tokens/2", {"name": "renamed"}, "manage"),
    ("DELETE", "/v1/api_tokens/2", None, "manage"),
    ("POST", "/v1/environments", {"name": "staging"}, "manage"),
    ("GET", "/v1/environments", None, "read"),
    ("GET", "/v1/environments/1", None, "read"),
    ("PUT", "/v1/environments/1", {"name": "prod"}, "manage"),
    ("DELETE", "/v1/environments/1", None, "manage"),
    ("GET", "/v1/organization", None, "read"),
    (
        "POST",
        "/v1/alerts",
        {"name": "new.alert", "conditions": [{"type": "above", "metric_name": "m", "threshold": 1}]},
        "manage",
    ),
    ("GET", "/v1/alerts", None, "read"),
    ("GET", "/v1/alerts/status", None, "read"),
    ("GET", "/v1/alerts/2", None, "read"),
    ("PUT", "/v1/alerts/2", {"name": "renamed.alert"}, "manage"),
    ("DELETE", "/v1/alerts/2", None, "manage"),
    ("GET", "/v1/alerts/2/status", None, "read"),
    ("POST", "/v1/alerts/2/clear", None, "manage"),
    ("POST", "/v1/alerts/2/services", {"service": 1}, "manage"),
    ("DELETE", "/v1/alerts/2/services/1", None, "manage"),
    ("POST", "/v1/services", {"title": "t", "type": "webhook", "settings": {"url": "http://x.example/h"}}, "manage"),
    ("GET", "/v1/services", None, "read"),
    ("GET", "/v1/services/1", None, "read"),
    ("PUT", "/v1/services/1", {"title": "t2"}, "manage"),
    ("DELETE", "/v1/services/1", None, "manage"),
]
ALLOWED = {Role.ADMIN: {"read", "record", "manage"}, Role.RECORDER: {"record"}, Role.VIEWER: {"read"}}
QUERY = {"duration": 60, "resolution": 60}


def test_routes_table_covers_every_template_route(template: Template) -> None:
    # The AppOptics/Librato routes (Basic auth); each other dialect tests its own credential in its own module.
    declared = {
        (e.method.upper(), e.path) for f in template.functions.values() for e in f.api_events if e.path[:4] == "/v1/"
    }
    covered = {(m, _route(template, m, p)[1]) for m, p, _, _ in ROUTES}
    assert covered == declared


def _given_data(template: Template, org: Org) -> None:
    Api(template, org.admin).post("/v1/measurements", json_body=ROUTES[0][2])
    cloudwisdom.ingest_elements(org.tenant, [ElementPost(Element(id="m"), [])])
    annotation_store.ensure_stream(org.tenant, "m")
    annotation_store.save(org.tenant, Annotation("m", 7, "t", 100, links=[{"rel": "ci", "href": "h"}]))
    jobs.create(org.tenant, "metrics.delete")  # id 1: the store is fresh
    tenants.create_token(org.tenant, Role.VIEWER, "doomed")  # id 2 (the admin's is 1)
    environments.create(org.tenant, "production")  # id 1
    space_store.save_space(org.tenant, Space(id=8, name="s", chart_ids=[9]))
    space_store.save_chart(org.tenant, Chart(id=9, space_id=8, name="c", streams=[Stream(id=1, metric="m")]))
    job = jobs.create(org.tenant, "snapshot")
    snapshot_store.save(
        org.tenant, Snapshot(id=5, job_id=job.id, chart_id=9, duration=60, end_time=1, created_at=1, updated_at=1)
    )
    service = services.create(org.tenant, {"title": "s", "type": "webhook", "settings": {"url": "http://x.example"}})
    alerts.create(org.tenant, {"name": "a", "services": [service.id]})  # service 1, alert 2: the org's own counter


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path", "body", "ability"), ROUTES)
def test_roles_are_enforced_on_every_route(
    template: Template, org: Org, role: Role, method: str, path: str, body: dict | None, ability: str
) -> None:
    _given_data(template, org)
    reply = Api(template, org.token(role)).request(
        method,
        path,
        json_body=None if method == "GET" else body,
        query=(body or QUERY) if method == "GET" else None,
    )
    if ability in ALLOWED[role]:
        assert reply.status < 400, reply.text
    else:
        assert reply.status == 403
        assert reply.json == {"errors": {"request": [f"This API token ({role.value}) may not perform this action."]}}


@pytest.mark.parametrize(("method", "path", "body", "ability"), ROUTES)
def test_missing_credentials_are_401_on_every_route(
    template: Template, org: Org, method: str, path: str, body: dict | None, ability: str
) -> None:
    reply = Api(template, None).request(method, path, json_body=body)
    assert reply.status == 401
    assert reply.json == {"errors": {"request": ["Please provide credentials for authentication."]}}
    assert reply.headers["www-authenticate"] == 'Basic realm="Polymetric"'


def test_unknown_token_is_401(template: Template, org: Org) -> None:
    reply = Api(template, "not-a-token").get("/v1/metrics")
    assert reply.status == 401
    assert reply.json == {"errors": {"request": ["Credentials are invalid."]}}


def test_garbage_authorization_header_is_401(template: Template, org: Org) -> None:
    reply = Api(template, None).get("/v1/metrics", headers={"Authorization": "Basic %%%"})
    assert reply.status == 401


def test_librato_style_email_and_token(template: Template, org: Org) -> None:
    assert Api(template, org.admin).get("/v1/metrics", user="me@example.com").status == 200


def test_tenants_never_see_each_other(template: Template, org_factory) -> None:
    acme, globex = org_factory("acme"), org_factory("globex")
    a, g = Api(template, acme.admin), Api(template, globex.admin)
    a.post("/v1/measurements", json_body={"tags": {"h": "a"}, "measurements": [{"name": "secret", "value": 42}]})
    g.post("/v1/measurements", json_body={"tags": {"h": "g"}, "measurements": [{"name": "secret", "value": 7}]})
    assert [m["name"] for m in g.get("/v1/metrics").json["metrics"]] == ["secret"]
    series = g.get("/v1/measurements/secret", query={"duration": 600, "resolution": 1}).json["series"]
    assert [(s["tags"], [p["value"] for p in s["measurements"]]) for s in series] == [({"h": "g"}, [7.0])]
    assert g.delete("/v1/metrics/secret").status == 204
    assert g.get("/v1/metrics/secret").status == 404
    assert a.get("/v1/metrics/secret").status == 200
    assert a.get("/v1/measurements/secret", query=QUERY | {"duration": 600}).json["series"][0]["tags"] == {"h": "a"}


def test_unknown_route_is_404_json(template: Template, org: Org) -> None:
    from functions.metrics.app import lambda_handler
    from tests.conftest import LambdaContext, load_event

    event = load_event("apigw/metrics-list")
    event.update(path="/v1/nothing", resource="/v1/nothing")
    reply = lambda_handler(event, LambdaContext())
    assert reply["statusCode"] == 404
