"""Notification secrets through the handlers: only admin tokens read service settings in clear.

A webhook's ``secret`` signs its bodies, a PagerDuty ``service_key`` opens incidents, a Slack or webhook
``url`` carries its token: a viewer gets them masked as API tokens are (first and last four characters), in
GET /v1/services, GET /v1/services/{id} and the services embedded in GET /v1/alerts and GET /v1/alerts/{id}.
"""

import json
from typing import Any

import pytest

from polymetric.models.tenant import Role
from tests.conftest import Org
from tests.integration.api import Api

HOOK_URL = "https://hooks.example.com/notify/3f9a1c7e5b2d4a6f8e0c"
HOOK_SECRET = "whsec_9d8c7b6a5f4e3d2c1b0a9f8e"
SLACK_URL = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx"
PD_KEY = "0123456789abcdef0123456789abcdef"
SHORT_SECRET = "s3cr3t"  # too short to show any of it
ADDRESSES = "ops@example.com,oncall@example.com"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"

SERVICES: list[dict[str, Any]] = [
    {"title": "a hook", "type": "webhook", "settings": {"url": HOOK_URL, "secret": HOOK_SECRET}},
    {"title": "b chat", "type": "slack", "settings": {"url": SLACK_URL}},
    {"title": "c pager", "type": "pagerduty", "settings": {"service_key": PD_KEY}},
    {"title": "d short", "type": "webhook", "settings": {"url": "http://h.example/x", "secret": SHORT_SECRET}},
    {"title": "e mail", "type": "mail", "settings": {"addresses": ADDRESSES}},
    {"title": "f topic", "type": "sns", "settings": {"topic_arn": TOPIC}},
]
SECRETS = (HOOK_URL, HOOK_SECRET, SLACK_URL, PD_KEY, SHORT_SECRET, "http://h.example/x")

# What a viewer reads: the keys, and each credential as its first and last four characters around stars
# (all stars when the value is too short to show any of it); mail addresses and SNS topics carry none.
MASKED: dict[str, dict[str, str]] = {
    "a hook": {"url": "http" + "*" * (len(HOOK_URL) - 8) + "8e0c", "secret": "whse" + "*" * 22 + "9f8e"},
    "b chat": {"url": "http" + "*" * (len(SLACK_URL) - 8) + "uvwx"},
    "c pager": {"service_key": "0123" + "*" * 24 + "cdef"},
    "d short": {"url": "*" * len("http://h.example/x"), "secret": "******"},
    "e mail": {"addresses": ADDRESSES},
    "f topic": {"topic_arn": TOPIC},
}
CLEAR = {body["title"]: body["settings"] for body in SERVICES}


def _setup(api: Api) -> tuple[list[int], int]:
    ids = []
    for body in SERVICES:
        reply = api.post("/v1/services", json_body=body)
        assert reply.status == 201, reply.text
        assert reply.json["settings"] == body["settings"]  # the admin who made it reads it back in clear
        ids.append(reply.json["id"])
    alert = api.post(
        "/v1/alerts",
        json_body={
            "name": "secrets.alert",
            "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 90}],
            "services": ids,
        },
    )
    assert alert.status == 201, alert.text
    return ids, alert.json["id"]


def _settings(services: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {s["title"]: s["settings"] for s in services}


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_viewer_reads_services_with_credentials_masked(api: Api, org: Org) -> None:
    ids, _ = _setup(api)
    viewer = Api(api.template, org.token(Role.VIEWER))
    listed = viewer.get("/v1/services")
    assert listed.status == 200, listed.text
    assert _settings(listed.json["services"]) == MASKED
    assert _leaks(listed.text) == []
    for sid, body in zip(ids, SERVICES, strict=True):
        one = viewer.get(f"/v1/services/{sid}")
        assert one.status == 200, one.text
        assert one.json == {"id": sid, "type": body["type"], "title": body["title"], "settings": MASKED[body["title"]]}
        assert _leaks(one.text) == []


def test_admin_reads_services_in_clear(api: Api) -> None:
    ids, _ = _setup(api)
    assert _settings(api.get("/v1/services").json["services"]) == CLEAR
    for sid, body in zip(ids, SERVICES, strict=True):
        assert api.get(f"/v1/services/{sid}").json["settings"] == body["settings"]


def test_viewer_reads_alerts_with_their_services_masked(api: Api, org: Org) -> None:
    _, alert_id = _setup(api)
    viewer = Api(api.template, org.token(Role.VIEWER))
    listed = viewer.get("/v1/alerts")
    assert listed.status == 200, listed.text
    (alert,) = listed.json["alerts"]
    assert _settings(alert["services"]) == MASKED
    assert _leaks(listed.text) == []
    for path in (f"/v1/alerts/{alert_id}", "/v1/alerts/secrets.alert"):
        one = viewer.get(path)
        assert one.status == 200, one.text
        assert _settings(one.json["services"]) == MASKED
        assert _leaks(one.text) == []


def test_admin_reads_alerts_with_their_services_in_clear(api: Api) -> None:
    _, alert_id = _setup(api)
    (alert,) = api.get("/v1/alerts").json["alerts"]
    assert _settings(alert["services"]) == CLEAR
    assert _settings(api.get(f"/v1/alerts/{alert_id}").json["services"]) == CLEAR


def test_admin_get_then_put_back_keeps_the_secrets(api: Api, org: Org) -> None:
    """A client that GETs an object and PUTs it back (the librato and appoptics clients' save()) writes
    what it read: in clear for an admin, so the stored secrets stay whole."""
    ids, alert_id = _setup(api)
    alert = api.get(f"/v1/alerts/{alert_id}").json
    alert["description"] = "edited"
    assert api.put(f"/v1/alerts/{alert_id}", json_body=alert).status == 204
    for sid in ids:
        service = api.get(f"/v1/services/{sid}").json
        service["title"] += " edited"
        assert api.put(f"/v1/services/{sid}", json_body=service).status == 204
    again = api.get(f"/v1/alerts/{alert_id}").json
    assert again["description"] == "edited"
    assert [s["id"] for s in again["services"]] == ids
    assert {k.removesuffix(" edited"): v for k, v in _settings(api.get("/v1/services").json["services"]).items()} == (
        CLEAR
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.RECORDER])
def test_non_admins_cannot_put_masked_values_back(api: Api, org: Org, role: Role) -> None:
    ids, alert_id = _setup(api)
    other = Api(api.template, org.token(role))
    service = {"title": "x", "type": "webhook", "settings": MASKED["a hook"]}
    assert other.put(f"/v1/services/{ids[0]}", json_body=service).status == 403
    alert = {"name": "secrets.alert", "services": [{"id": ids[0], "settings": MASKED["a hook"]}]}
    assert other.put(f"/v1/alerts/{alert_id}", json_body=alert).status == 403
    assert api.get(f"/v1/services/{ids[0]}").json["settings"] == CLEAR["a hook"]


def test_recorders_read_no_services_at_all(api: Api, org: Org) -> None:
    _setup(api)
    recorder = Api(api.template, org.token(Role.RECORDER))
    for path in ("/v1/services", "/v1/alerts"):
        reply = recorder.get(path)
        assert reply.status == 403
        assert _leaks(json.dumps(reply.json)) == []
