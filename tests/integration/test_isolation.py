"""Tenancy: every route of every dialect, called by another organization with this one's ids and names, sees and
changes nothing of it.

Organization A gets data through every feature, each object carrying the marker "hush". Organization B
then calls every route in template.yaml with A's ids and names (in the dialect's own way of carrying the
credential). No answer may mention A's data, and everything A reads afterwards is what it read before.
"""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api, Reply

NOW = int(time.time()) - 120
NOW_MS = NOW * 1000
MARK = "hush"
DESCRIPTOR = {
    "shortName": "probeflow",
    "description": "hush packets",
    "adminFunction": "admin",
    "readFunction": "read",
    "writeFunction": "write",
    "keys": [{"name": "ip", "type": "string", "description": "ip", "language": "english", "translator": "none"}],
    "values": [{"name": "packets", "description": "p", "unit": "count", "defaultAggregationFunction": "sum"}],
}


def _ok(reply: Reply) -> Any:
    assert reply.status < 300, reply.text
    return reply.json


def _seed(template: Template, a: Org) -> dict[str, str]:
    """A's data through every feature; the ids and names B will try."""
    api = Api(template, a.admin)
    _ok(
        api.post(
            "/v1/measurements",
            json_body={
                "tags": {"host": "hush-host"},
                "measurements": [{"name": "probe.metric", "value": 42, "time": NOW}],
            },
        )
    )
    _ok(
        api.post(
            "/flux/metric_data_post",
            token=None,
            body=json.dumps({"key": a.admin, "metrics": [{"metric": "probe.flux", "timestamp": NOW, "value": 1.0}]}),
        )
    )
    _ok(
        api.post(
            "/oddeye-barlus/put/tsdb",
            token=None,
            form=f"UUID={a.admin}&data="
            + json.dumps(
                [
                    {
                        "metric": "probe.oddeye",
                        "tags": {"host": "hush-h"},
                        "timestamp": NOW,
                        "type": "None",
                        "value": 1,
                    }
                ]
            ),
        )
    )
    _ok(
        api.post(
            f"/ingest/{a.admin}",
            token=None,
            content_type="application/json",
            body=json.dumps(
                [
                    {
                        "id": "probeelement",
                        "name": "hush element",
                        "type": "server",
                        "metrics": [{"id": "cpu", "name": "CPU"}],
                        "samples": [{"metricId": "cpu", "timestamp": NOW_MS, "val": 1.0}],
                    }
                ]
            ),
        )
    )
    argus = {"Argus-API-Key": a.admin}
    descriptor = _ok(
        api.request(
            "POST",
            "/metrics/v1/descriptor",
            token=None,
            headers=argus,
            body=json.dumps(DESCRIPTOR),
            content_type="application/json",
        )
    )["data"]["id"]
    _ok(
        api.request(
            "POST",
            "/metrics/v1/metric/probeflow",
            token=None,
            headers=argus,
            content_type="application/json",
            body=json.dumps({"records": [{"timestamp": NOW_MS, "keys": {"ip": "1"}, "values": {"packets": 5}}]}),
        )
    )
    event = _ok(
        api.post(
            "/v1/annotations/probe.stream",
            json_body={"title": "hush deploy", "start_time": NOW, "links": [{"rel": "probelink", "href": "h"}]},
        )
    )
    service = _ok(
        api.post(
            "/v1/services",
            json_body={"title": "hush hook", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/hush"}},
        )
    )["id"]
    alert = _ok(
        api.post(
            "/v1/alerts",
            json_body={
                "name": "hush.alert",
                "services": [service],
                "conditions": [{"type": "above", "metric_name": "probe.metric", "threshold": 90}],
            },
        )
    )["id"]
    space = _ok(api.post("/v1/spaces", json_body={"name": "hush space"}))["id"]
    chart = _ok(
        api.post(
            f"/v1/spaces/{space}/charts",
            json_body={"type": "line", "name": "hush chart", "streams": [{"metric": "probe.metric"}]},
        )
    )["id"]
    snapshot = _ok(api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart, "type": "line"}}}))
    environment = _ok(api.post("/v1/environments", json_body={"name": "hushenv"}))["id"]
    token = _ok(api.post("/v1/api_tokens", json_body={"name": "hush token", "role": "viewer"}))["id"]
    job = _ok(api.delete("/v1/metrics", json_body={"names": [f"probe.x{i}" for i in range(20)]}))["id"]
    return {
        "metric": "probe.metric",
        "stream": "probe.stream",
        "event": str(event["id"]),
        "link": "probelink",
        "service": str(service),
        "alert": str(alert),
        "space": str(space),
        "chart": str(chart),
        "snapshot": snapshot["href"].rsplit("/", 1)[1],
        "environment": str(environment),
        "token": str(token),
        "job": str(job),
        "element": "probeelement",
        "descriptor": descriptor,
    }


def _concrete(path: str, ids: dict[str, str]) -> str:
    """The template path with A's ids and names in it (which {id} is meant depends on the resource)."""
    first = path.split("/")[2] if path.startswith("/v1/") else path
    by_resource = {
        "alerts": {"id": ids["alert"], "service_id": ids["service"]},
        "annotations": {"name": ids["stream"], "id": ids["event"], "link": ids["link"]},
        "api_tokens": {"name": ids["token"]},
        "elements": {"name": ids["element"]},
        "environments": {"id": ids["environment"]},
        "jobs": {"id": ids["job"]},
        "measurements": {"name": ids["metric"]},
        "metrics": {"name": ids["metric"]},
        "services": {"id": ids["service"]},
        "snapshots": {"id": ids["snapshot"]},
        "spaces": {"id": ids["space"], "chart": ids["chart"]},
    }.get(first, {"descriptor": ids["descriptor"]})
    return re.sub(r"{(\w+)}", lambda m: by_resource.get(m.group(1), m.group(0)), path)


# A body that reaches the lookup of most routes: B's writes must create B's own objects or find nothing.
BODY = {
    "name": "b-object",
    "title": "b title",
    "names": ["probe.metric"],
    "period": 60,
    "measurements": [{"name": "probe.metric", "value": 1, "tags": {"host": "b"}}],
    "gauges": [{"name": "probe.metric", "value": 1}],
    "compose": 's("probe.metric", "*")',
    "start_time": NOW - 600,
    "resolution": 60,
    "duration": 600,
    "subject": {"chart": {"id": 1, "type": "line"}},
    "rel": "r",
    "href": "h",
    "type": "line",
}


def _as_b(api: Api, b: Org, method: str, path: str, concrete: str) -> Reply:
    """B's call, its credential where the dialect carries it."""
    if path.startswith("/v1/"):
        if method == "GET":
            return api.request(
                method, concrete, token=b.admin, query={k: BODY[k] for k in ("start_time", "resolution")}
            )
        return api.request(method, concrete, token=b.admin, json_body=BODY)
    if path.startswith("/flux/"):
        body = {"key": b.admin, "metrics": [{"metric": "probe.metric", "value": 1.0}]}
        if method == "GET":
            return api.request(method, concrete, token=None, query={"key": b.admin, "metric": "probe.flux"})
        return api.request(method, concrete, token=None, body=json.dumps(body))
    if path.startswith("/oddeye-barlus/"):
        data = json.dumps(
            [{"metric": "probe.oddeye", "tags": {"host": "b"}, "timestamp": NOW, "type": "None", "value": 1}]
        )
        if method == "GET":
            return api.request(method, concrete, token=None, query={"UUID": b.admin, "data": data})
        return api.request(method, concrete, token=None, form=f"UUID={b.admin}&data={data}")
    if "{apiId}" in path:  # CloudWisdom: the credential is in the path
        concrete = (
            path.replace("{apiId}", b.admin)
            .replace("{name}", "probecheck")
            .replace("{elementFqn}", "probeelement")
            .replace("{ttl}", "60")
        )
        return api.request(
            method,
            concrete,
            token=None,
            content_type="application/json",
            body=json.dumps([{"id": "probeelement", "name": "b", "type": "server", "metrics": [], "samples": []}]),
        )
    body = {"startTimestamp": 0, "records": [], **DESCRIPTOR, "description": "b packets"}
    return api.request(
        method,
        concrete,
        token=None,
        headers={"Argus-API-Key": b.admin},
        content_type="application/json",
        body=None if method in ("GET", "DELETE") else json.dumps(body),
    )


def _view(template: Template, a: Org, ids: dict[str, str]) -> dict[str, Any]:
    """Everything A reads through its GET routes."""
    api = Api(template, a.admin)
    seen: dict[str, Any] = {}
    for function in template.functions.values():
        for event in function.api_events:
            if event.method != "get" or not event.path.startswith("/v1/"):
                continue
            reply = api.get(_concrete(event.path, ids), query={k: BODY[k] for k in ("start_time", "resolution")})
            seen[event.path] = (reply.status, _stable(reply.json))
    argus = api.request(
        "GET", f"/metrics/v1/descriptor/{ids['descriptor']}", token=None, headers={"Argus-API-Key": a.admin}
    )
    seen["argus"] = (argus.status, _stable(argus.json))
    return seen


def _stable(body: Any) -> Any:
    """A body without what changes by itself (clocks, rendering progress)."""
    if isinstance(body, dict):
        return {
            k: _stable(v)
            for k, v in body.items()
            if k not in ("updated_at", "image_href", "state", "progress", "responseTimestamp", "timestamp")
        }
    if isinstance(body, list):
        return [_stable(v) for v in body]
    return body


def test_another_organization_sees_and_changes_nothing_on_any_route(
    template: Template, org_factory: Callable[[str], Org]
) -> None:
    a, b = org_factory("a"), org_factory("b")
    ids = _seed(template, a)
    before = _view(template, a, ids)
    assert MARK in json.dumps(before)  # A does see its own data
    api = Api(template, None)
    calls = 0
    for function in template.functions.values():
        for event in function.api_events:
            reply = _as_b(api, b, event.method.upper(), event.path, _concrete(event.path, ids))
            calls += 1
            assert reply.status < 500, (event.path, reply.text)
            assert MARK not in reply.text, (event.method, event.path, reply.text)
    assert calls == sum(len(f.api_events) for f in template.functions.values())
    assert _view(template, a, ids) == before


@pytest.mark.parametrize(
    "resource", ["alerts", "services", "spaces", "environments", "jobs", "api_tokens", "snapshots"]
)
def test_reads_of_another_organizations_ids_are_404(
    template: Template, org_factory: Callable[[str], Org], resource: str
) -> None:
    a, b = org_factory("a"), org_factory("b")
    ids = _seed(template, a)
    key = {
        "alerts": "alert",
        "services": "service",
        "spaces": "space",
        "environments": "environment",
        "jobs": "job",
        "api_tokens": "token",
        "snapshots": "snapshot",
    }[resource]
    reply = Api(template, b.admin).get(f"/v1/{resource}/{ids[key]}")
    if resource == "api_tokens":
        assert reply.json["api_tokens"] == []
    else:
        assert reply.status == 404, reply.text
