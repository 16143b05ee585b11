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


def test_legacy_get_with_count_lists_measurements_by_source(api) -> None:
    """api.get(name, count=N, resolution=60) sends GET /v1/metrics/:name?count=N&resolution=60 and reads
    ``measurements``: the last N points of each source, ``unassigned`` for those sent without one."""
    minute = int(time.time()) // 60 * 60
    sent = {  # web-1 each of the last five minutes; web-2 the last two; one point without a source
        "web-1": [(minute - 60 * (4 - i), 10.0 + i) for i in range(5)],
        "web-2": [(minute - 60 * (4 - i), 20.0 + i) for i in (3, 4)],
        "unassigned": [(minute, 1.0)],
    }
    queue = api.new_queue()
    for source, points in sent.items():
        for t, v in points:
            queue.add("e2e.lb.legacy", v, measure_time=t, **({} if source == "unassigned" else {"source": source}))
    queue.submit()

    def last(n: int, **query) -> tuple[dict, dict]:
        """The answer, and what it should be: each source's points of the n minutes up to the current one."""
        while True:  # a read that straddles a minute's end is read again
            before = int(time.time()) // 60 * 60
            metric = api.get("e2e.lb.legacy", count=n, resolution=60, **query)
            if int(time.time()) // 60 * 60 == before:
                break
        expected = {s: [(t, v) for t, v in points if t > before - 60 * n] for s, points in sent.items()}
        got = {s: [(p["measure_time"], p["value"]) for p in points] for s, points in metric.measurements.items()}
        return got, {s: points for s, points in expected.items() if points}

    got, expected = last(3)
    assert got == expected and expected["web-1"][-1] == (minute, 14.0) and "unassigned" in got
    got, expected = last(3, source="web-*")
    assert got == {s: expected[s] for s in ("web-1", "web-2")}
    got, expected = last(1, sources=["web-2", "unassigned"])
    assert got == {s: expected[s] for s in ("web-2", "unassigned") if s in expected}
    metric = api.get("e2e.lb.legacy", count=3, resolution=60, end_time=minute + 59)
    assert metric.measurements["web-1"] == [
        {"measure_time": minute - 120 + 60 * i, "value": 12.0 + i, "count": 1} for i in range(3)
    ]
    # Without a time interval the answer is the metric alone, as before.
    assert api.get("e2e.lb.legacy").measurements == {}


def test_legacy_get_refuses_what_it_does_not_support(api) -> None:
    api.submit("e2e.lb.refused", 1, source="web-1")
    with pytest.raises(exceptions.BadRequest) as err:
        api.get("e2e.lb.refused", count=3, resolution=60, summarize_time=True)
    assert "summarize_time" in str(err.value)
