"""Alerts through the local server: the README's walk-through with a loopback webhook receiver, and the real
clients' alert flows (appoptics-metrics, librato-metrics)."""

import json
import time

import appoptics_metrics
import librato
import pytest

from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call
from tests.integration.alerting_helpers import Receiver, receiver


def _json(server: LocalRuntime, method: str, path: str, body: object | None = None) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    return call(f"{server.url}{path}", method, token=server.admin_token, body=data, content_type="application/json")


def _measure(server: LocalRuntime, value: float, at: int) -> None:
    body = {"measurements": [{"name": "e2e.alerts.cpu", "value": value, "time": at, "tags": {"host": "web-1"}}]}
    assert _json(server, "POST", "/v1/measurements", body).status == 202


def _tick(server: LocalRuntime, at: int) -> None:
    assert server.run_schedules_now(at=at) >= 1
    server.drain_queues(timeout=30)


def _setup(server: LocalRuntime, hook: Receiver, name: str, *, active: bool = True) -> int:
    service = _json(server, "POST", "/v1/services", {"title": name, "type": "webhook", "settings": {"url": hook.url}})
    assert service.status == 201, service.body
    alert = {
        "name": name,
        "conditions": [{"type": "above", "metric_name": "e2e.alerts.cpu", "threshold": 90}],
        "services": [service.json["id"]],
        "attributes": {"runbook_url": "https://runbooks.example/cpu"},
        "active": active,
    }
    created = _json(server, "POST", "/v1/alerts", alert)
    assert created.status == 201, created.body
    return int(created.json["id"])


def test_webhook_receives_trigger_then_clear_and_rearm_holds_repeats(server: LocalRuntime) -> None:
    with receiver() as hook, receiver() as quiet:
        alert_id = _setup(server, hook, "e2e.walkthrough")
        quiet_id = _setup(server, quiet, "e2e.inactive", active=False)
        try:
            _walkthrough(server, hook, quiet, alert_id)
        finally:  # the receivers close with this test: later ticks must not notify them
            for created in (alert_id, quiet_id):
                assert _json(server, "DELETE", f"/v1/alerts/{created}").status == 204


def _walkthrough(server: LocalRuntime, hook: Receiver, quiet: Receiver, alert_id: int) -> None:
    t0 = int(time.time())
    _measure(server, 95, t0)
    _tick(server, t0 + 1)
    assert len(hook.requests) == 1
    payload = hook.requests[0].payload
    assert payload["alert"]["id"] == alert_id
    assert payload["violations"]["host=web-1"][0]["value"] == 95.0
    status = _json(server, "GET", f"/v1/alerts/{alert_id}/status").json
    assert status["status"] == "triggered"
    assert [d["outcome"] for d in status["deliveries"]] == ["delivered"]
    # Inside the rearm window (600 s): no repeat
    _measure(server, 96, t0 + 2)
    _tick(server, t0 + 3)
    assert len(hook.requests) == 1
    # Back under the threshold: the clear payload, status ok
    _measure(server, 10, t0 + 4)
    _tick(server, t0 + 5)
    assert len(hook.requests) == 2
    assert hook.requests[1].payload["clear"] == "normal"
    assert hook.requests[1].payload["incident_key"] == payload["incident_key"]
    assert _json(server, "GET", f"/v1/alerts/{alert_id}/status").json["status"] == "ok"
    # The inactive alert on the same metric never notified
    assert quiet.requests == []


def test_bad_bodies_are_400_in_appoptics_shape(server: LocalRuntime) -> None:
    bad = _json(server, "POST", "/v1/alerts", {"name": "e2e.bad", "conditions": [{"type": "above"}]})
    assert bad.status == 400
    assert "conditions[0].metric_name" in bad.json["errors"]["params"]
    bad = _json(server, "POST", "/v1/services", {"title": "x", "type": "carrier-pigeon", "settings": {}})
    assert bad.status == 400
    assert "type" in bad.json["errors"]["params"]
    form = call(
        f"{server.url}/v1/alerts",
        "POST",
        token=server.admin_token,
        body=b"name=e2e.form&rearm_seconds=61",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status == 400
    assert "rearm_seconds" in form.json["errors"]["params"]


@pytest.fixture(scope="module")
def service_id(server: LocalRuntime) -> int:
    body = {"title": "e2e clients", "type": "slack", "settings": {"url": "https://hooks.slack.com/services/A/B/C"}}
    return int(_json(server, "POST", "/v1/services", body).json["id"])


def test_appoptics_client_alert_flow(server: LocalRuntime, host: str, service_id: int) -> None:
    api = appoptics_metrics.connect(server.admin_token, hostname=host, protocol="http")
    # The documented flow: an empty alert, then conditions and a service through the model
    alert = api.create_alert("e2e.ao.response_time")
    alert.add_condition_for("web.nginx.response_time").above(200)
    alert.add_service(service_id)
    alert.save()
    found = api.get_alert("e2e.ao.response_time")
    assert (found.name, found.conditions[0].threshold, found.services[0].type) == (
        "e2e.ao.response_time",
        200.0,
        "slack",
    )
    found.description = "A new description"
    found.active = "false"
    found.save()
    again = api.get_alert("e2e.ao.response_time")
    assert (again.description, again.active, len(again.conditions)) == ("A new description", False, 1)
    assert "e2e.ao.response_time" in [a.name for a in api.list_alerts()]
    assert service_id in [s._id for s in api.list_services()]
    api.delete_alert("e2e.ao.response_time")
    assert api.get_alert("e2e.ao.response_time") is None


def test_librato_client_alert_flow(server: LocalRuntime, host: str, service_id: int) -> None:
    api = librato.connect("me@example.com", server.admin_token, hostname=host, protocol="http")
    alert = api.create_alert("e2e.librato.queue", description="queue length", services=[service_id])
    alert.add_condition_for("e2e.librato.queue_len").stops_reporting_for(300)
    alert.add_condition_for("e2e.librato.queue_len").above(100).duration(120)
    alert.save()
    found = api.get_alert("e2e.librato.queue")
    assert [c.condition_type for c in found.conditions] == ["absent", "above"]
    assert found.conditions[1]._duration == 120
    found.rearm_seconds = 1200
    found.save()
    assert api.get_alert("e2e.librato.queue").rearm_seconds == 1200
    assert "e2e.librato.queue" in [a.name for a in api.list_alerts()]
    api.delete_alert("e2e.librato.queue")
    assert api.get_alert("e2e.librato.queue") is None


def test_mail_and_sns_deliveries_go_to_moto_and_show_on_the_status(server: LocalRuntime) -> None:
    import boto3

    with server.lock:  # moto's clients live in the server's process; the lock on its moto calls makes them atomic
        topic = boto3.client("sns", region_name=server.resources.region).create_topic(Name="e2e-ops")["TopicArn"]
    ids = []
    for body in (
        {"title": "e2e mail", "type": "mail", "settings": {"addresses": "ops@example.com"}},
        {"title": "e2e sns", "type": "sns", "settings": {"topic_arn": topic}},
    ):
        ids.append(_json(server, "POST", "/v1/services", body).json["id"])
    alert = {
        "name": "e2e.mail.sns",
        "conditions": [{"type": "above", "metric_name": "e2e.alerts.mail", "threshold": 1}],
        "services": ids,
    }
    alert_id = _json(server, "POST", "/v1/alerts", alert).json["id"]
    t0 = int(time.time())
    body = {"measurements": [{"name": "e2e.alerts.mail", "value": 5, "time": t0, "tags": {"host": "a"}}]}
    assert _json(server, "POST", "/v1/measurements", body).status == 202
    _tick(server, t0 + 1)
    deliveries = _json(server, "GET", f"/v1/alerts/{alert_id}/status").json["deliveries"]
    details = sorted(d["detail"].split(" message ")[0] for d in deliveries if d["outcome"] == "delivered")
    assert details == ["SES", "SNS"], deliveries
