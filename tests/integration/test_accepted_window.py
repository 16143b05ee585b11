"""Accepted means kept: every dialect refuses, in its own words, samples outside the accepted window
(models.window: 558 days ago to 1 hour ahead), and stores the rest for their tier's full retention."""

import json
import time

import pytest

from polymetric.domain import ingest
from polymetric.models import window
from polymetric.models.measurement import Measurement
from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.test_argus import DESCRIPTOR

NOW = int(time.time())
Y2015 = 1_420_070_400  # the seed's summary example is dated 2015
Y2017 = 1_500_000_000
TOO_OLD = NOW - window.RETENTION - 3_600
TOO_NEW = NOW + 2 * 3_600
KEPT_OLD = NOW - window.RETENTION + 2 * 86_400  # inside the window, only the hourly rollups still hold it


def stored(api: Api, name: str, start: int, resolution: int = 60) -> list[tuple[int, float]]:
    reply = api.get(f"/v1/measurements/{name}", query={"start_time": start, "end_time": NOW, "resolution": resolution})
    if reply.status == 404:
        return []
    assert reply.status == 200, reply.text
    return [(p["time"], p["value"]) for s in reply.json["series"] for p in s["measurements"]]


def test_window_bounds() -> None:
    first, last = window.bounds(NOW)
    assert (first, last) == (NOW - 558 * 86_400, NOW + 3_600)
    assert window.refusal(first, NOW) is None and window.refusal(last, NOW) is None
    assert "older than 558 days" in (window.refusal(first - 1, NOW) or "")
    assert "ahead of server time" in (window.refusal(last + 1, NOW) or "")
    assert window.refusal(float("inf"), NOW) is not None


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        (99_999_999_999_999_999_999, "ahead of server time"),
        (Y2015, "older than 558 days"),
        (TOO_OLD, "older than 558 days"),
        (TOO_NEW, "ahead of server time"),
    ],
)
def test_appoptics_refuses_the_measurement_and_keeps_the_rest(api: Api, when: int, fragment: str) -> None:
    body = {
        "tags": {"host": "a"},
        "measurements": [{"name": "w.bad", "value": 1, "time": when}, {"name": "w.ok", "value": 2}],
    }
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202, reply.text
    assert reply.headers.get("x-partial-failure") == "true"
    assert reply.json["measurements"]["summary"] == {"total": 2, "accepted": 1, "failed": 1, "filtered": 0}
    (error,) = reply.json["errors"]
    assert error["param"] == "time" and fragment in error["reason"]
    assert "w.bad" not in {m["name"] for m in api.get("/v1/metrics").json["metrics"]}


def test_appoptics_all_refused_is_400(api: Api) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={"time": Y2015, "measurements": [{"name": "w.old", "value": 1, "tags": {"h": "a"}}]},
    )
    assert reply.status == 400, reply.text
    assert "older than 558 days" in json.dumps(reply.json)


def test_json_1e400_time_is_a_400_not_a_500(api: Api) -> None:
    for body in (
        '{"measurements": [{"name": "w.inf", "value": 1, "time": 1e400, "tags": {"h": "a"}}]}',
        '{"time": 1e400, "measurements": [{"name": "w.inf", "value": 1, "tags": {"h": "a"}}]}',
    ):
        reply = api.post("/v1/measurements", body=body, content_type="application/json")
        assert reply.status == 400, reply.text
        assert "time" in reply.text


def test_a_sample_inside_the_window_is_kept_by_the_rollups(api: Api) -> None:
    body = {"measurements": [{"name": "w.kept", "value": 7, "time": KEPT_OLD, "tags": {"h": "a"}}]}
    assert api.post("/v1/measurements", json_body=body).status == 202
    start = KEPT_OLD - KEPT_OLD % 3600
    assert stored(api, "w.kept", start, resolution=3600) == [(start, 7.0)]


def test_librato_legacy_refuses_with_its_field(api: Api) -> None:
    reply = api.post("/v1/metrics", json_body={"gauges": [{"name": "w.legacy", "value": 1, "measure_time": Y2015}]})
    assert reply.status == 400, reply.text
    assert "older than 558 days" in json.dumps(reply.json["errors"]["params"]["gauges[0].measure_time"])


def test_oddeye_drops_a_2017_check_with_barlus_message(api: Api, org: Org) -> None:
    ok = {"metric": "w.oe", "timestamp": NOW - 30, "value": 1, "tags": {"host": "a"}, "type": "None", "reaction": 0}
    old = {**ok, "metric": "w.oe.old", "timestamp": Y2017}
    form = f"UUID={org.admin}&data=" + json.dumps([old, ok])
    reply = Api(api.template, None).post("/oddeye-barlus/put/tsdb", form=form)
    assert reply.status == 200, reply.text
    assert "timestamp not valid in input" in reply.text
    names = {m["name"] for m in api.get("/v1/metrics").json["metrics"]}
    assert "w.oe" in names and "w.oe.old" not in names


def test_anomify_fill_refuses_what_no_tier_keeps(api: Api, org: Org) -> None:
    body = {"key": org.admin, "metrics": [{"metric": "w.flux", "timestamp": Y2017, "value": 1, "fill": "true"}]}
    reply = Api(api.template, None).post("/flux/metric_data_post", json_body=body, token=None)
    assert reply.status == 400, reply.text
    assert f"timestamp is too old, older than {window.RETENTION} seconds" in reply.text


def test_cloudwisdom_uses_the_same_window(api: Api, org: Org) -> None:
    body = [{"id": "e", "type": "t", "samples": [{"metricId": "m", "timestamp": Y2017 * 1000, "val": 1}]}]
    reply = api.post(f"/ingest/{org.admin}", json_body=body, token=None)
    assert reply.status == 400, reply.text
    assert window.DESCRIPTION in reply.text


def test_argus_refuses_the_record(api: Api, org: Org) -> None:
    descriptor = {**DESCRIPTOR, "shortName": "wflow"}
    headers = {"Argus-API-Key": org.admin}
    created = api.request("POST", "/metrics/v1/descriptor", json_body=descriptor, token=None, headers=headers)
    assert created.status == 201, created.text
    record = {
        "timestamp": Y2017 * 1000,
        "keys": {"ipAddress": "10.0.0.1", "vlan": "1"},
        "values": {"packages": 1, "frames": 1},
    }
    reply = api.request(
        "POST", "/metrics/v1/metric/wflow", json_body={"records": [record]}, token=None, headers=headers
    )
    assert reply.status == 412, reply.text
    assert any(m["field"] == "records[0].timestamp" for m in reply.json["messages"])


def test_ingest_backstop_refuses_what_a_reader_let_through(org: Org) -> None:
    old = Measurement("w.backstop", {"h": "a"}, Y2015, 1.0, None, {}, 0)
    fresh = Measurement("w.backstop.ok", {"h": "a"}, NOW, 1.0, None, {}, 1)
    outcome = ingest.write(org.tenant, [old, fresh])
    assert (outcome.accepted, outcome.failed) == (1, 1)
    assert outcome.errors[0].param == "time" and outcome.errors[0].index == 0


def test_slabs_of_backdated_hours_outlive_their_compaction(api: Api, org: Org) -> None:
    """A backdated slab's TTL counts from its arrival: restored after a restart, it is still there to compact."""
    from polymetric.config import get_settings
    from polymetric.storage import clients

    when = NOW - 10 * 86_400
    assert (
        api.post(
            "/v1/measurements",
            json_body={"measurements": [{"name": "w.late", "value": 1, "time": when, "tags": {"h": "a"}}]},
        ).status
        == 202
    )
    items = clients.dynamodb().scan(TableName=get_settings().SAMPLES_TABLE)["Items"]
    ttls = [int(i["ttl"]["N"]) for i in items if "#M#w.late#H#" in i["pk"]["S"]]
    assert ttls and min(ttls) > NOW


# --- inputs that answered 500 --------------------------------------------------------------------------


def test_metric_put_with_attributes_nested_thousands_deep_is_a_400(api: Api) -> None:
    assert (
        api.post(
            "/v1/measurements", json_body={"measurements": [{"name": "w.deep", "value": 1, "tags": {"h": "a"}}]}
        ).status
        == 202
    )
    deep = '{"attributes": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
    reply = api.request("PUT", "/v1/metrics/w.deep", body=deep, content_type="application/json")
    assert reply.status == 400, reply.text
    assert "nested too deeply" in reply.text
    form = "attributes" + "[a]" * 5000 + "=1"
    reply = api.request("PUT", "/v1/metrics/w.deep", form=form)
    assert reply.status == 400, reply.text
    assert "nested more than" in reply.text


@pytest.mark.parametrize("query", [{"start_time": 99_999_999_999}, {"start_time": NOW + 86_400, "resolution": 60}])
def test_a_start_time_in_the_future_says_so(api: Api, query: dict) -> None:
    assert (
        api.post(
            "/v1/measurements", json_body={"measurements": [{"name": "w.future", "value": 1, "tags": {"h": "a"}}]}
        ).status
        == 202
    )
    reply = api.get("/v1/measurements/w.future", query={"resolution": 60, **query})
    assert reply.status == 400, reply.text
    (message,) = reply.json["errors"]["params"]["start_time"]
    assert message.startswith("must not be after the current time")
    composite = api.get("/v1/measurements", query={"compose": 's("w.future", "*")', "resolution": 60, **query})
    assert composite.status == 400 and "start_time" in composite.json["errors"]["params"], composite.text
