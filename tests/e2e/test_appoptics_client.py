"""The unmodified appoptics-metrics client against the local server."""

import time

import appoptics_metrics
import pytest
from appoptics_metrics import exceptions

from polymetric_local.server import LocalRuntime


@pytest.fixture(scope="module")
def api(server: LocalRuntime, host: str) -> appoptics_metrics.AppOpticsConnection:
    return appoptics_metrics.connect(server.admin_token, hostname=host, protocol="http")


def test_submit_and_read_back_with_tag_filter(api) -> None:
    api.submit("e2e.ao.cpu", 40, tags={"region": "us-east", "host": "a"})
    api.submit("e2e.ao.cpu", 60, tags={"region": "us-west", "host": "b"})
    resp = api.get_measurements("e2e.ao.cpu", duration=600, resolution=60, tags={"region": "us-*"})
    assert resp["name"] == "e2e.ao.cpu"
    assert sorted(s["tags"]["host"] for s in resp["series"]) == ["a", "b"]
    only_east = api.get_measurements("e2e.ao.cpu", duration=600, resolution=60, tags={"region": "us-east"})
    assert [s["measurements"][0]["value"] for s in only_east["series"]] == [40.0]
    # A list of values is an OR; the client sends it as tags[region][]=...
    either = api.get_measurements("e2e.ao.cpu", duration=600, resolution=60, tags={"region": ["us-east", "us-west"]})
    assert sorted(s["tags"]["host"] for s in either["series"]) == ["a", "b"]


def test_queue_submit_group_by_and_summary_function(api) -> None:
    now = int(time.time()) // 60 * 60 - 120
    queue = api.new_queue(tags={"service": "web"})
    for host, value in (("a", 1.0), ("b", 2.0), ("c", 3.0)):
        queue.add("e2e.ao.requests", value, tags={"service": "web", "host": host}, time=now)
    queue.submit()
    grouped = api.get_measurements(
        "e2e.ao.requests", start_time=now - 60, resolution=60, group_by="service", group_by_function="sum"
    )
    assert grouped["series"] == [{"tags": {"service": "web"}, "measurements": [{"time": now, "value": 6.0}]}]
    counted = api.get_measurements(
        "e2e.ao.requests", start_time=now - 60, resolution=60, summary_function="count", tags={"host": "a"}
    )
    assert counted["series"][0]["measurements"][0]["value"] == 1.0


def test_summary_fields_with_value_none(api) -> None:
    api.submit_measurement(
        "e2e.ao.summary",
        None,
        period=60,
        sum=35,
        count=3,
        min=4.5,
        max=6.7,
        last=2.5,
        stddev=1.34,
        attributes={"aggregate": False},
        tags={"region": "us-east-1"},
    )
    resp = api.get_measurements(
        "e2e.ao.summary", duration=600, resolution=60, summary_function="max", tags={"region": "*"}
    )
    assert resp["series"][0]["measurements"][0]["value"] == 6.7


def test_metric_lifecycle(api) -> None:
    api.create_metric("e2e.ao.queue_len", type="gauge", display_name="num. elements", period=15)
    metric = api.get_metric("e2e.ao.queue_len")
    assert (metric.name, metric.period) == ("e2e.ao.queue_len", 15)
    api.update_metric("e2e.ao.queue_len", attributes={"display_min": 0, "display_units_short": "items"})
    assert api.get_metric("e2e.ao.queue_len").attributes["display_units_short"] == "items"
    assert "e2e.ao.queue_len" in [m.name for m in api.list_metrics(name="queue_len")]
    api.delete_metric("e2e.ao.queue_len")
    with pytest.raises(exceptions.NotFound):
        api.get_metric("e2e.ao.queue_len")


def test_bulk_delete_by_names(api) -> None:
    for name in ("e2e.ao.d1", "e2e.ao.d2"):
        api.create_metric(name)
    api.delete_metric(["e2e.ao.d1", "e2e.ao.d2"])
    assert [m.name for m in api.list_metrics(name="e2e.ao.d")] == []


def test_bad_input_raises_bad_request_not_a_retry_loop(api) -> None:
    with pytest.raises(exceptions.BadRequest):
        api.submit("e2e.ao.badtag", 1, tags={"bad tag": "x"})
    with pytest.raises(exceptions.BadRequest):
        api.get_measurements("e2e.ao.cpu", duration=60, resolution=604801)


def test_wrong_token_is_unauthorized(host: str) -> None:
    with pytest.raises(exceptions.Unauthorized):
        appoptics_metrics.connect("wrong", hostname=host, protocol="http").list_metrics()
