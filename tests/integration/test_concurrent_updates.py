"""Concurrent PUTs of one resource all succeed, the last one winning: a write that lost the optimistic version
race is run again from its read (``domain.conflicts``), never answered as the undocumented 409. Only a
conflict that outlasts the retries is an error; a rename to a name taken meanwhile stays the seed's 422."""

import dataclasses
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from polymetric.domain import alerts as alert_domain
from polymetric.domain import conflicts
from polymetric.storage import alerts as alert_store
from polymetric.storage import metrics as metric_store
from polymetric.storage import spaces as space_store
from polymetric_local.server import LocalRuntime
from tests.conftest import REPO, Org
from tests.e2e.http import call
from tests.integration.api import Api

TOKEN = "races-token"
TAKEN = {"errors": {"params": {"name": ["has already been taken"]}}}
WEBHOOK = {"title": "hook", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/hook"}}


@pytest.fixture(autouse=True)
def _no_pause(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "local_server" not in request.node.name:  # real writers keep their real, jittered pauses
        monkeypatch.setattr(conflicts, "PAUSE", 0.0)


def _interleave(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, other_writer: Callable[[], None], times: int = 1
) -> list[int]:
    """Make ``module.name`` (a versioned store write) lose its race ``times`` times: another writer writes the
    same item between the operation's read and its write. Returns the list that counts the write attempts."""
    original = getattr(module, name)
    calls: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            monkeypatch.setattr(module, name, original)  # the other writer writes unhindered
            other_writer()
            monkeypatch.setattr(module, name, racing)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, racing)
    return calls


def _alert(api: Api, name: str = "hot") -> int:
    body = {"name": name, "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 90}]}
    reply = api.post("/v1/alerts", json_body=body)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def _other_write(org: Org, **changes: str) -> Callable[[], None]:
    """Another writer's change to metric racem2, made between a PUT's read and its write."""

    def other() -> None:
        current = metric_store.get(org.tenant, "racem2")
        assert current is not None
        metric_store.replace(org.tenant, dataclasses.replace(current, **changes))

    return other


def test_a_metric_put_that_loses_the_version_race_is_applied_after_the_winner(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.put("/v1/metrics/racem2", json_body={"description": "first"}).status == 201
    calls = _interleave(
        monkeypatch, metric_store, "replace", _other_write(org, description="other", display_name="Other")
    )
    reply = api.put("/v1/metrics/racem2", json_body={"description": "x"})
    assert reply.status == 204, reply.text
    assert len(calls) == 2
    got = api.get("/v1/metrics/racem2").json
    assert (got["description"], got["display_name"]) == ("x", "Other")  # applied on top of the other write


def test_a_conflict_that_outlasts_the_retries_is_still_an_error(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.put("/v1/metrics/racem2", json_body={"description": "first"}).status == 201
    calls = _interleave(monkeypatch, metric_store, "replace", _other_write(org, display_name="Other"), times=1000)
    reply = api.put("/v1/metrics/racem2", json_body={"description": "x"})
    assert reply.status == 409, reply.text
    assert len(calls) == conflicts.ATTEMPTS


@pytest.mark.parametrize("kind", ["metric", "alert"])
def test_eight_concurrent_puts_through_the_local_server_all_succeed(kind: str) -> None:
    """The probe: eight clients PUT the same resource at once (`make serve` runs invocations concurrently)."""
    runtime = LocalRuntime(REPO, port=0, admin_token=TOKEN, schedules_enabled=False).start()
    try:

        def put(path: str, body: dict) -> int:
            data = json.dumps(body).encode()
            return call(f"{runtime.url}{path}", "PUT", token=TOKEN, content_type="application/json", body=data).status

        if kind == "metric":
            path = "/v1/metrics/racem2"
            assert put(path, {"description": "first"}) == 201
        else:
            body = {"name": "race", "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 90}]}
            created = call(
                f"{runtime.url}/v1/alerts",
                "POST",
                token=TOKEN,
                content_type="application/json",
                body=json.dumps(body).encode(),
            )
            assert created.status == 201, created.body
            path = f"/v1/alerts/{created.json['id']}"
        statuses: list[int] = []
        start = threading.Barrier(8)

        def one(i: int) -> None:
            start.wait()
            statuses.append(put(path, {"description": f"x{i}"}))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [204] * 8
    finally:
        runtime.stop()


def test_an_alert_put_that_loses_the_version_race_is_applied_after_the_winner(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert_id = _alert(api)

    def other() -> None:
        current = alert_store.get_alert(org.tenant, alert_id)
        assert current is not None
        alert_store.replace_alert(org.tenant, current.name, current.with_changes(rearm_seconds=1200))

    calls = _interleave(monkeypatch, alert_store, "replace_alert", other)
    body = {"description": "x", "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 95}]}
    reply = api.put(f"/v1/alerts/{alert_id}", json_body=body)
    assert reply.status == 204, reply.text
    assert len(calls) == 2
    got = api.get(f"/v1/alerts/{alert_id}").json
    assert (got["description"], got["conditions"][0]["threshold"]) == ("x", 95)


def test_an_alert_renamed_to_a_name_taken_meanwhile_is_the_seed_422(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    alert_id = _alert(api, "hot")
    _alert(api, "cold")
    monkeypatch.setattr(alert_domain, "_check_unique", lambda *a, **k: None)  # "cold" is taken after the check
    reply = api.put(f"/v1/alerts/{alert_id}", json_body={"name": "cold"})
    assert (reply.status, reply.json) == (422, TAKEN)
    assert api.get(f"/v1/alerts/{alert_id}").json["name"] == "hot"


def test_adding_a_service_to_an_alert_that_changed_meanwhile_succeeds(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert_id = _alert(api)
    service_id = api.post("/v1/services", json_body=WEBHOOK).json["id"]

    def other() -> None:
        current = alert_store.get_alert(org.tenant, alert_id)
        assert current is not None
        alert_store.replace_alert(org.tenant, current.name, current.with_changes(description="other"))

    _interleave(monkeypatch, alert_store, "replace_alert", other)
    reply = api.post(f"/v1/alerts/{alert_id}/services", json_body={"service": service_id})
    assert reply.status == 201, reply.text
    got = api.get(f"/v1/alerts/{alert_id}").json
    assert (got["description"], [s["id"] for s in got["services"]]) == ("other", [service_id])


def test_a_service_put_that_loses_the_version_race_succeeds(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    service_id = api.post("/v1/services", json_body=WEBHOOK).json["id"]

    def other() -> None:
        current = alert_store.get_service(org.tenant, service_id)
        assert current is not None
        alert_store.save_service(org.tenant, current.with_changes(title="other"))

    calls = _interleave(monkeypatch, alert_store, "save_service", other)
    reply = api.put(f"/v1/services/{service_id}", json_body={"title": "mine"})
    assert reply.status == 204, reply.text
    assert len(calls) == 2
    assert api.get(f"/v1/services/{service_id}").json["title"] == "mine"


def test_a_space_rename_and_a_chart_added_meanwhile_both_succeed(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    space_id = api.post("/v1/spaces", json_body={"name": "CPUs"}).json["id"]

    def other() -> None:  # a chart lands in the space between the rename's read and its write
        reply = api.post(f"/v1/spaces/{space_id}/charts", json_body={"name": "c", "streams": [{"metric": "cpu"}]})
        assert reply.status == 201, reply.text

    calls = _interleave(monkeypatch, space_store, "save_space", other)
    reply = api.put(f"/v1/spaces/{space_id}", json_body={"name": "Processors"})
    assert reply.status == 204, reply.text
    assert len(calls) == 2
    space = api.get(f"/v1/spaces/{space_id}").json
    assert space["name"] == "Processors"
    assert len(api.get(f"/v1/spaces/{space_id}/charts").json) == 1
