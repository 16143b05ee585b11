"""Routes that read every alert, service, space or annotation stream of an organization (listings, name checks,
the alert status summary) stay bounded: an organization may hold at most so many of each (polymetric.domain.room)."""

import pytest

from polymetric.domain import room
from tests.integration.api import Api


def _refused(reply, what: str, most: int) -> None:
    assert reply.status == 400, reply.text
    assert reply.json == {
        "errors": {"request": [f"The organization has {most} {what}, the most it may have: delete some first."]}
    }


def test_alerts_and_services(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room, "MAX_ALERTS", 1)
    monkeypatch.setattr(room, "MAX_SERVICES", 1)
    service = {"title": "hook", "type": "webhook", "settings": {"url": "https://example.com/hook"}}
    assert api.post("/v1/services", json_body=service).status == 201
    _refused(api.post("/v1/services", json_body=service), "services", 1)
    alert = {"name": "a.one", "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 1}]}
    assert api.post("/v1/alerts", json_body=alert).status == 201
    _refused(api.post("/v1/alerts", json_body={**alert, "name": "a.two"}), "alerts", 1)
    first = api.get("/v1/alerts").json["alerts"][0]["id"]
    assert api.delete(f"/v1/alerts/{first}").status == 204
    assert api.post("/v1/alerts", json_body={**alert, "name": "a.two"}).status == 201  # room again


def test_spaces(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room, "MAX_SPACES", 2)
    assert api.post("/v1/spaces", json_body={"name": "one"}).status == 201
    assert api.post("/v1/spaces", json_body={"name": "two"}).status == 201
    _refused(api.post("/v1/spaces", json_body={"name": "three"}), "spaces", 2)


def test_annotation_streams(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room, "MAX_ANNOTATION_STREAMS", 1)
    assert api.post("/v1/annotations/deploys", json_body={"title": "v1"}).status == 201
    assert api.post("/v1/annotations/deploys", json_body={"title": "v2"}).status == 201  # an existing stream
    _refused(api.post("/v1/annotations/outages", json_body={"title": "down"}), "annotation streams", 1)
    _refused(api.put("/v1/annotations/outages", json_body={"display_name": "Outages"}), "annotation streams", 1)
