"""The unmodified librato-metrics client (email:token auth) against the local server."""

import time

import librato
import pytest
from librato import exceptions

from polymetric_local.server import LocalRuntime


@pytest.fixture(scope="module")
def api(server: LocalRuntime, host: str) -> librato.LibratoConnection:
    return librato.connect("me@example.com", server.admin_token, hostname=host, protocol="http")


def test_tagged_submit_and_get_tagged(api) -> None:
    api.submit("e2e.lb.temp", 21.5, tags={"room": "lab"})
    resp = api.get_tagged("e2e.lb.temp", duration=600, resolution=1, tags={"room": "lab"})
    assert resp["series"][0]["tags"] == {"room": "lab"}
    assert resp["series"][0]["measurements"][-1]["value"] == 21.5


def test_queue_with_tags_and_get_measurements_grouped(api) -> None:
    now = int(time.time()) // 60 * 60 - 60
    queue = api.new_queue(tags={"dc": "one"})
    queue.add_tagged("e2e.lb.jobs", 2, time=now, tags={"dc": "one", "worker": "w1"})
    queue.add_tagged("e2e.lb.jobs", 5, time=now, tags={"dc": "one", "worker": "w2"})
    queue.submit()
    resp = api.get_measurements("e2e.lb.jobs", start_time=now, resolution=60, group_by="dc", group_by_function="max")
    assert resp["series"] == [{"tags": {"dc": "one"}, "measurements": [{"time": now, "value": 5.0}]}]


def test_metric_get_update_list_delete(api) -> None:
    api.submit("e2e.lb.gauge", 1, tags={"h": "x"})
    metric = api.get("e2e.lb.gauge")
    assert metric.name == "e2e.lb.gauge"
    api.update("e2e.lb.gauge", attributes={"display_max": 100}, period=30)
    assert api.get("e2e.lb.gauge").period == 30
    assert "e2e.lb.gauge" in [m.name for m in api.list_metrics(name="e2e.lb")]
    api.delete("e2e.lb.gauge")
    with pytest.raises(exceptions.NotFound):
        api.get("e2e.lb.gauge")


def test_viewer_token_cannot_write(server: LocalRuntime, host: str) -> None:
    from polymetric.domain import tenants
    from polymetric.models.tenant import Role

    with server.lock:
        viewer = tenants.create_token(tenants.LOCAL_TENANT, Role.VIEWER, "e2e viewer")
    conn = librato.connect("me@example.com", viewer, hostname=host, protocol="http")
    with pytest.raises(exceptions.Forbidden):
        conn.submit("e2e.lb.forbidden", 1, tags={"h": "x"})
    assert isinstance(conn.list_metrics(), list)
