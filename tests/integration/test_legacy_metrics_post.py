"""Legacy Librato POST /v1/metrics: gauges and counters, source as a tag, atomic validation."""

import time

import pytest

from tests.integration.api import Api

NOW = int(time.time()) - 60


def series(api: Api, name: str, **query) -> list[dict]:
    reply = api.get(f"/v1/measurements/{name}", query={"start_time": NOW - 600, "resolution": 1, **query})
    return reply.json["series"] if reply.status == 200 else []


def names(api: Api) -> list[str]:
    return sorted(m["name"] for m in api.get("/v1/metrics").json["metrics"])


def test_gauges_and_counters_land_with_source_as_tag(api: Api) -> None:
    body = {
        "gauges": [
            {"name": "cpu.load", "value": 0.42, "source": "web-1", "measure_time": NOW},
            {"name": "bare", "value": 1, "measure_time": NOW},
        ],
        "counters": [{"name": "requests", "value": 1200, "source": "web-1", "measure_time": NOW}],
    }
    reply = api.post("/v1/metrics", json_body=body)
    assert (reply.status, reply.text) == (200, "")
    assert series(api, "cpu.load") == [{"tags": {"source": "web-1"}, "measurements": [{"time": NOW, "value": 0.42}]}]
    assert series(api, "requests") == [{"tags": {"source": "web-1"}, "measurements": [{"time": NOW, "value": 1200.0}]}]
    assert series(api, "bare") == [{"tags": {}, "measurements": [{"time": NOW, "value": 1.0}]}]


def test_top_level_source_and_measure_time(api: Api) -> None:
    body = {
        "source": "db-1",
        "measure_time": NOW,
        "gauges": [{"name": "g", "value": 3}, {"name": "g", "value": 4, "source": "db-2"}],
    }
    assert api.post("/v1/metrics", json_body=body).status == 200
    got = {s["tags"]["source"]: s["measurements"] for s in series(api, "g")}
    assert got == {"db-1": [{"time": NOW, "value": 3.0}], "db-2": [{"time": NOW, "value": 4.0}]}


def test_missing_measure_time_means_now(api: Api) -> None:
    before = int(time.time())
    assert api.post("/v1/metrics", json_body={"gauges": [{"name": "now", "value": 1}]}).status == 200
    [s] = series(api, "now")
    assert s["measurements"][0]["time"] >= before


def test_hash_form_keyed_by_name(api: Api) -> None:
    body = {
        "gauges": {"hashed": {"value": 5, "measure_time": NOW}},
        "counters": {"hits": {"value": 9, "measure_time": NOW, "source": "s"}},
    }
    assert api.post("/v1/metrics", json_body=body).status == 200
    assert series(api, "hashed")[0]["measurements"] == [{"time": NOW, "value": 5.0}]
    assert series(api, "hits")[0]["tags"] == {"source": "s"}


def test_summary_gauge_as_statsd_backends_send_it(api: Api) -> None:
    gauge = {
        "name": "latency",
        "count": 3,
        "sum": 36.0,
        "min": 10.0,
        "max": 14.0,
        "sum_squares": 434.0,
        "measure_time": NOW,
    }
    assert api.post("/v1/metrics", json_body={"gauges": [gauge]}).status == 200
    assert series(api, "latency")[0]["measurements"] == [{"time": NOW, "value": 12.0}]
    for function, expected in (("max", 14.0), ("min", 10.0), ("sum", 36.0), ("count", 3.0)):
        got = series(api, "latency", summary_function=function)
        assert got[0]["measurements"][0]["value"] == expected, function


def test_form_body_with_bracket_keys(api: Api) -> None:
    form = f"gauges[0][name]=formed&gauges[0][value]=2.5&gauges[0][source]=f1&measure_time={NOW}"
    assert api.post("/v1/metrics", form=form).status == 200
    assert series(api, "formed") == [{"tags": {"source": "f1"}, "measurements": [{"time": NOW, "value": 2.5}]}]


def test_metric_properties_set_up_a_new_metric(api: Api) -> None:
    gauge = {
        "name": "described",
        "value": 1,
        "period": 60,
        "display_name": "Described",
        "attributes": {"display_max": 10},
    }
    assert api.post("/v1/metrics", json_body={"gauges": [gauge]}).status == 200
    metric = api.get("/v1/metrics/described").json
    assert (metric["period"], metric["display_name"], metric["attributes"]["display_max"]) == (60, "Described", 10)


@pytest.mark.parametrize(
    ("body", "params"),
    [
        ({}, {"gauges": ["must include at least one gauge or counter"]}),
        ({"gauges": []}, {"gauges": ["must include at least one gauge or counter"]}),
        ({"gauges": "x"}, {"gauges": ["must be a list of objects or an object keyed by metric name"]}),
        ({"gauges": [5]}, {"gauges[0]": ["must be an object"]}),
        (
            {"gauges": [{"name": "bad name!", "value": 1}]},
            {"gauges[0].name": ["metric names must be 1 to 255 characters of A-Za-z0-9.:-_"]},
        ),
        ({"gauges": [{"value": 1}]}, {"gauges[0].name": ["metric names must be 1 to 255 characters of A-Za-z0-9.:-_"]}),
        ({"gauges": [{"name": "g"}]}, {"gauges[0].value": ["value (or count and sum) is required"]}),
        ({"counters": [{"name": "c"}]}, {"counters[0].value": ["is required"]}),
        ({"counters": [{"name": "c", "count": 1, "sum": 2}]}, {"counters[0].value": ["is required"]}),
        ({"gauges": [{"name": "g", "value": "abc"}]}, {"gauges[0].value": ["must be a number"]}),
        ({"gauges": [{"name": "g", "value": True}]}, {"gauges[0].value": ["must be a number"]}),
        (
            {"gauges": [{"name": "g", "value": 1e200}]},
            {"gauges[0].value": ["must be a finite number of at most 10^126"]},
        ),
        ({"gauges": [{"name": "g", "count": 2}]}, {"gauges[0].sum": ["count and sum must be given together"]}),
        ({"gauges": [{"name": "g", "count": 0, "sum": 1}]}, {"gauges[0].count": ["must be greater than 0"]}),
        (
            {"gauges": [{"name": "g", "value": 1, "source": "a|b"}]},
            {"gauges[0].source": ["must be 1 to 255 characters of A-Za-z0-9 .:-_?\\/"]},
        ),
        ({"gauges": [{"name": "g", "value": 1, "source": {"x": 1}}]}, {"gauges[0].source": ["must be a string"]}),
        (
            {"gauges": [{"name": "g", "value": 1, "measure_time": "soon"}]},
            {"gauges[0].measure_time": ["must be a number"]},
        ),
        (
            {"gauges": [{"name": "g", "value": 1, "measure_time": -5}]},
            {"gauges[0].measure_time": ["must be a Unix time in seconds"]},
        ),
        (
            {"gauges": [{"name": "g", "value": 1, "measure_time": 1795452216000}]},
            {"gauges[0].measure_time": ["must be a Unix time in seconds"]},
        ),
    ],
)
def test_invalid_bodies_are_400_and_store_nothing(api: Api, body: dict, params: dict) -> None:
    reply = api.post("/v1/metrics", json_body=body)
    assert (reply.status, reply.json) == (400, {"errors": {"params": params}})
    assert names(api) == []


def test_one_bad_gauge_rejects_the_whole_request(api: Api) -> None:
    body = {
        "gauges": [{"name": "good", "value": 1}, {"name": "bad name", "value": 2}],
        "counters": [{"name": "c", "value": 1}],
    }
    reply = api.post("/v1/metrics", json_body=body)
    assert reply.status == 400
    assert list(reply.json["errors"]["params"]) == ["gauges[1].name"]
    assert names(api) == []


def test_not_json_is_400(api: Api) -> None:
    reply = api.post("/v1/metrics", body="{nope", content_type="application/json")
    assert (reply.status, reply.json) == (400, {"errors": {"request": ["The request body is not valid JSON."]}})


def test_summary_gauge_with_stddev_m2_as_the_statsd_librato_backend_sends_it(api: Api) -> None:
    """stddev_m2 is the sum of squared deviations: samples 10, 12, 14 have m2 = 8, population stddev sqrt(8/3)."""
    gauge = {"name": "timer.m2", "count": 3, "sum": 36, "min": 10, "max": 14, "stddev_m2": 8, "measure_time": NOW}
    assert api.post("/v1/metrics", json_body={"gauges": [gauge]}).status == 200
    [got] = series(api, "timer.m2", summary_function="stddev")
    assert got["measurements"][0]["value"] == pytest.approx((8 / 3) ** 0.5)
    [got] = series(api, "timer.m2", summary_function="mean")
    assert got["measurements"] == [{"time": NOW, "value": 12.0}]


@pytest.mark.parametrize(
    ("extra", "params"),
    [
        (
            {"sum_squares": 434, "stddev_m2": 8},
            {"gauges[0].stddev_m2": ["only one of sum_squares and stddev_m2 may be set"]},
        ),
        ({"stddev_m2": -1}, {"gauges[0].stddev_m2": ["must not be negative"]}),
        ({"stddev_m2": "x"}, {"gauges[0].stddev_m2": ["must be a number"]}),
    ],
)
def test_invalid_stddev_m2_is_400(api: Api, extra: dict, params: dict) -> None:
    gauge = {"name": "timer.bad", "count": 3, "sum": 36, **extra}
    reply = api.post("/v1/metrics", json_body={"gauges": [gauge]})
    assert (reply.status, reply.json) == (400, {"errors": {"params": params}})


@pytest.mark.parametrize("empty", ["", None])
def test_an_empty_item_source_takes_the_top_level_source(api: Api, empty: str | None) -> None:
    body = {"source": "top", "measure_time": NOW, "gauges": [{"name": "src.empty", "value": 1, "source": empty}]}
    assert api.post("/v1/metrics", json_body=body).status == 200
    assert series(api, "src.empty") == [{"tags": {"source": "top"}, "measurements": [{"time": NOW, "value": 1.0}]}]


def test_the_empty_200_is_not_labelled_json(api: Api) -> None:
    reply = api.post("/v1/metrics", json_body={"gauges": [{"name": "labelled", "value": 1}]})
    assert (reply.status, reply.text) == (200, "")
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
