"""Every route that answers an empty body says so: never an empty body labelled application/json.

API Gateway (and the local emulation of it) labels a response without Content-Type as JSON; strict JSON
clients then fail on the empty body.
"""

import json
import time

import pytest

from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call

EMPTY = "text/plain; charset=utf-8"


def _json(server: LocalRuntime, method: str, path: str, body: object) -> Answer:
    data = json.dumps(body).encode()
    return call(f"{server.url}{path}", method, token=server.admin_token, body=data, content_type="application/json")


def _created(answer: Answer) -> int:
    assert answer.status == 201, answer.body
    created: int = answer.json["id"]
    return created


def _cases(server: LocalRuntime) -> list[tuple[str, Answer, int]]:
    now = int(time.time()) - 5
    token = server.admin_token
    legacy = _json(server, "POST", "/v1/metrics", {"gauges": [{"name": "e2e.empty.g", "value": 1}]})
    created = _json(server, "PUT", "/v1/metrics/e2e.empty.p", {"type": "gauge"})
    assert created.status == 201, created.body
    updated = _json(server, "PUT", "/v1/metrics/e2e.empty.p", {"period": 60})
    deleted = call(f"{server.url}/v1/metrics/e2e.empty.p", "DELETE", token=token)
    bulk = _json(server, "DELETE", "/v1/metrics", {"names": ["e2e.empty.g"]})
    flux = call(
        f"{server.url}/flux/metric_data_post",
        "POST",
        body=json.dumps({"key": token, "metrics": [{"metric": "e2e.empty.f", "timestamp": now, "value": 1}]}).encode(),
        content_type="application/json",
    )
    flux_get = call(f"{server.url}/flux/metric_data?metric=e2e.empty.f&value=2&timestamp={now}&key={token}")
    element = [{"id": "e2e-empty", "type": "SERVER", "samples": [{"metricId": "m", "timestamp": now * 1000, "val": 1}]}]
    ingest = call(
        f"{server.url}/ingest/{token}", "POST", body=json.dumps(element).encode(), content_type="application/json"
    )
    event = [{"type": "INFO", "title": "deploy", "timestamp": now * 1000, "data": {"elementId": "e2e-empty"}}]
    events = call(
        f"{server.url}/ingest/events/{token}", "POST", body=json.dumps(event).encode(), content_type="application/json"
    )
    hook = {"title": "hook", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/hook"}}
    service = _created(_json(server, "POST", "/v1/services", hook))
    alert = {"name": "e2e.empty.alert", "conditions": [], "services": []}
    alert_id = _created(_json(server, "POST", "/v1/alerts", alert))
    associated = _json(server, "POST", f"/v1/alerts/{alert_id}/services", {"service": service})
    return [
        ("POST /v1/alerts/{id}/services", associated, 201),
        ("POST /v1/metrics (legacy)", legacy, 200),
        ("PUT /v1/metrics/{name} (update)", updated, 204),
        ("DELETE /v1/metrics/{name}", deleted, 204),
        ("DELETE /v1/metrics", bulk, 204),
        ("POST /flux/metric_data_post", flux, 204),
        ("GET /flux/metric_data", flux_get, 204),
        ("POST /ingest/{apiId}", ingest, 202),
        ("POST /ingest/events/{apiId}", events, 202),
    ]


def test_empty_bodies_are_not_labelled_json(server: LocalRuntime) -> None:
    for route, answer, status in _cases(server):
        assert (answer.status, answer.body) == (status, b""), route
        assert answer.headers["content-type"] == EMPTY, route


@pytest.mark.parametrize("status", [200, 201, 202, 400])
def test_json_bodies_stay_json(server: LocalRuntime, status: int) -> None:
    bodies = {
        200: ("GET", "/v1/metrics", None),
        201: ("PUT", "/v1/metrics/e2e.empty.json", {"type": "gauge"}),
        202: ("POST", "/v1/measurements", {"measurements": [{"name": "e2e.empty.j", "value": 1, "tags": {"a": "b"}}]}),
        400: ("POST", "/v1/metrics", {"gauges": []}),
    }
    method, path, body = bodies[status]
    answer = (
        call(f"{server.url}{path}", token=server.admin_token) if body is None else _json(server, method, path, body)
    )
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    assert answer.json is not None
