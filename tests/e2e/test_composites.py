"""Composite queries over HTTP with the unmodified clients: both compose routes and persisted composites."""

import time

import appoptics_metrics
import librato
import pytest

from polymetric_local.server import LocalRuntime

NOW = int(time.time()) // 60 * 60
START = NOW - 600


@pytest.fixture(scope="module")
def ao(server: LocalRuntime, host: str) -> appoptics_metrics.AppOpticsConnection:
    api = appoptics_metrics.connect(server.admin_token, hostname=host, protocol="http")
    measurements = [
        {"name": "e2e.cmp.ops", "value": float(v), "time": START + 60 * k, "tags": {"host": h, "disk": "d0"}}
        for h, step in (("x", 10), ("y", 1))
        for k, v in enumerate(range(0, 5 * step, step))
    ]
    api._mexe("measurements", method="POST", query_props={"measurements": measurements})
    return api


def test_appoptics_get_measurements_with_compose_on_the_trailing_slash_route(ao) -> None:
    resp = ao.get_measurements(
        "",
        start_time=START,
        resolution=60,
        compose='derive(s("e2e.cmp.ops", {"host": "x"}), {detect_reset: "true"})',
    )
    assert [(s["tags"], [m["value"] for m in s["measurements"]]) for s in resp] == [
        ({"disk": "d0", "host": "x"}, [10.0, 10.0, 10.0, 10.0])
    ]
    assert resp[0]["metric"]["name"] == "e2e.cmp.ops"
    assert resp[0]["period"] == 60


def test_appoptics_create_composite_then_get_measurements(ao) -> None:
    ao.create_composite("e2e.cmp.total", 'sum(s("e2e.cmp.ops", {"disk": "d0"}))', description="a test composite")
    resp = ao.get_measurements("e2e.cmp.total", start_time=START, resolution=60)
    assert resp["name"] == "e2e.cmp.total"
    assert [m["value"] for m in resp["series"][0]["measurements"]] == [0.0, 11.0, 22.0, 33.0, 44.0]
    narrowed = ao.get_measurements("e2e.cmp.total", start_time=START, resolution=60, tags_search="host=y")
    assert [m["value"] for m in narrowed["series"][0]["measurements"]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    listed = {m.name: m for m in ao.list_metrics(name="e2e.cmp")}
    assert listed["e2e.cmp.total"].composite == 'sum(s("e2e.cmp.ops", {"disk": "d0"}))'


def test_appoptics_bad_composite_is_a_bad_request(ao) -> None:
    with pytest.raises(appoptics_metrics.exceptions.BadRequest):
        ao.create_composite("e2e.cmp.bad", 'sum(s("e2e.cmp.ops", "*")')


@pytest.mark.parametrize("tagged", [True, False], ids=["measurements-route", "metrics-route"])
def test_librato_get_composite_on_both_routes(ao, server: LocalRuntime, host: str, tagged: bool) -> None:
    api = librato.connect("me@example.com", server.admin_token, hostname=host, protocol="http")
    if tagged:
        api.set_tags({"env": "e2e"})  # with connection tags the client asks GET /v1/measurements, else /v1/metrics
    resp = api.get_composite('max(s("e2e.cmp.ops", "*"))', start_time=START, resolution=60)
    assert [m["value"] for m in resp[0]["measurements"]] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert resp[0]["tags"] == {"disk": "d0"}
