"""POST /v1/measurements through the handler, against the template's tables in moto."""

import time

import pytest

from tests.integration.api import Api


def now() -> int:
    return int(time.time())


def read(api: Api, name: str, **query: object) -> list[dict]:
    query.setdefault("duration", 7200)
    query.setdefault("resolution", 1)
    reply = api.get(f"/v1/measurements/{name}", query=query)
    assert reply.status == 200, reply.text
    return reply.json["series"]


def test_post_accepts_all_valid_measurements(api: Api) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={
            "tags": {"region": "us-west", "name": "web-prod-3"},
            "measurements": [{"name": "cpu", "value": 4.5}, {"name": "memory", "value": 10.5}],
        },
    )
    assert reply.status == 202
    assert reply.json == {
        "measurements": {"summary": {"total": 2, "accepted": 2, "failed": 0, "filtered": 0}},
        "errors": [],
    }
    assert "x-partial-failure" not in reply.headers
    assert read(api, "cpu")[0]["tags"] == {"region": "us-west", "name": "web-prod-3"}


def test_partial_failure_reports_each_rejected_measurement(api: Api) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={
            "tags": {"host": "a"},
            "measurements": [
                {"name": "ok", "value": 1, "time": now() - 10},
                {"name": "bad name", "value": 2},
                {"name": "ok", "value": 3, "tags": {"bad tag": "x"}},
                {"name": "ok", "count": 2},
            ],
        },
    )
    assert reply.status == 202
    assert reply.headers["x-partial-failure"] == "true"
    assert reply.json["measurements"]["summary"] == {"total": 4, "accepted": 1, "failed": 3, "filtered": 0}
    assert [(e["index"], e["param"]) for e in reply.json["errors"]] == [(1, "name"), (2, "tags"), (3, "sum")]
    points = read(api, "ok")[0]["measurements"]
    assert [p["value"] for p in points] == [1.0]


def test_all_rejected_is_400_and_stores_nothing(api: Api) -> None:
    reply = api.post("/v1/measurements", json_body={"measurements": [{"name": "lonely", "value": 1}]})
    assert reply.status == 400
    assert reply.json["measurements"]["summary"] == {"total": 1, "accepted": 0, "failed": 1, "filtered": 0}
    assert reply.json["errors"] == [{"param": "tags", "reason": "Must have at least one tag", "index": 0}]
    assert api.get("/v1/metrics/lonely").status == 404


@pytest.mark.parametrize(
    ("measurement", "param"),
    [
        ({"name": "x" * 256, "value": 1}, "name"),
        ({"name": "cpu/total", "value": 1}, "name"),
        ({"name": "", "value": 1}, "name"),
        ({"name": "m", "value": 1, "tags": {"t" * 65: "v"}}, "tags"),
        ({"name": "m", "value": 1, "tags": {"t": "v" * 256}}, "tags"),
        ({"name": "m", "value": 1, "tags": {"t": "a*b"}}, "tags"),
        ({"name": "m", "value": 1, "tags": {"t": ""}}, "tags"),
        ({"name": "m", "value": 1, "tags": {f"t{i}": "v" for i in range(51)}}, "tags"),
        ({"name": "m", "value": 1, "tags": {}}, "tags"),
        ({"name": "m", "value": 1, "count": 1, "sum": 1}, "value"),
        ({"name": "m", "sum": 3}, "count"),
        ({"name": "m", "count": 0, "sum": 0}, "count"),
        ({"name": "m", "value": 1, "max": 3}, "max"),
        ({"name": "m"}, "value"),
        ({"name": "m", "value": "abc"}, "value"),
        ({"name": "m", "value": 1, "period": -5}, "period"),
        ({"name": "m", "value": 1, "attributes": {"color": "red"}}, "attributes.color"),
    ],
)
def test_each_measurement_rule_rejects_only_that_measurement(api: Api, measurement: dict, param: str) -> None:
    measurement.setdefault("tags", {"host": "h"}) if "tags" not in measurement else None
    reply = api.post(
        "/v1/measurements",
        json_body={"measurements": [{"name": "good", "value": 1, "tags": {"host": "h"}}, measurement]},
    )
    assert reply.status == 202, reply.text
    assert reply.json["measurements"]["summary"]["failed"] == 1
    assert reply.json["errors"][0]["param"] == param
    assert reply.json["errors"][0]["index"] == 1


def test_fifty_tags_are_allowed(api: Api) -> None:
    tags = {f"t{i}": "v" for i in range(50)}
    assert (
        api.post("/v1/measurements", json_body={"measurements": [{"name": "m", "value": 1, "tags": tags}]}).status
        == 202
    )


def test_huge_exponent_aborts_the_request(api: Api) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={
            "tags": {"h": "a"},
            "measurements": [{"name": "fine", "value": 1}, {"name": "huge", "value": 2e126}],
        },
    )
    assert reply.status == 400
    assert "value" in reply.json["errors"]["params"]
    assert api.get("/v1/metrics/fine").status == 404


def test_tiny_values_become_zero(api: Api) -> None:
    api.post(
        "/v1/measurements",
        json_body={"tags": {"h": "a"}, "measurements": [{"name": "tiny", "value": 1e-131, "time": now() - 5}]},
    )
    assert read(api, "tiny")[0]["measurements"][0]["value"] == 0.0


def test_value_null_beside_summary_fields_is_a_summary(api: Api) -> None:
    t = now() - 30
    reply = api.post(
        "/v1/measurements",
        json_body={
            "measurements": [
                {
                    "name": "cpu",
                    "value": None,
                    "time": t,
                    "period": 60,
                    "attributes": {"aggregate": False},
                    "sum": 35.0,
                    "count": 3,
                    "min": 4.5,
                    "max": 6.7,
                    "last": 2.5,
                    "stddev": 1.34,
                    "tags": {"region": "us-east-1", "az": "b"},
                }
            ]
        },
    )
    assert reply.status == 202, reply.text
    for function, expected in [("sum", 35.0), ("count", 3.0), ("min", 4.5), ("max", 6.7), ("mean", 35 / 3)]:
        [series] = read(api, "cpu", summary_function=function)
        assert series["measurements"][0]["value"] == pytest.approx(expected), function
    [series] = read(api, "cpu", summary_function="stddev")
    assert series["measurements"][0]["value"] == pytest.approx(1.34)
    metric = api.get("/v1/metrics/cpu").json
    assert metric["period"] == 60
    assert metric["attributes"]["aggregate"] is False


def test_per_measurement_tags_replace_top_level_tags(api: Api) -> None:
    api.post(
        "/v1/measurements",
        json_body={
            "tags": {"region": "us-west", "name": "web-prod-3"},
            "measurements": [
                {"name": "cpu", "value": 4.5, "tags": {"name": "web-prod-1"}},
                {"name": "memory", "value": 34.5, "tags": {"az": "e", "db": "db-prod-1"}},
            ],
        },
    )
    assert [s["tags"] for s in read(api, "cpu")] == [{"name": "web-prod-1"}]
    assert [s["tags"] for s in read(api, "memory")] == [{"az": "e", "db": "db-prod-1"}]


def test_top_level_time_applies_unless_measurement_has_its_own(api: Api) -> None:
    t = now() - now() % 60 - 600
    api.post(
        "/v1/measurements",
        json_body={
            "tags": {"h": "a"},
            "time": t,
            "measurements": [{"name": "a", "value": 1}, {"name": "b", "value": 2, "time": t + 60}],
        },
    )
    assert read(api, "a")[0]["measurements"][0]["time"] == t
    assert read(api, "b")[0]["measurements"][0]["time"] == t + 60


def test_missing_time_means_now(api: Api) -> None:
    before = now()
    api.post("/v1/measurements", json_body={"tags": {"h": "a"}, "measurements": [{"name": "a", "value": 1}]})
    t = read(api, "a")[0]["measurements"][0]["time"]
    assert before <= t <= now()


def test_post_creates_metric_with_properties_but_never_changes_existing(api: Api) -> None:
    api.post(
        "/v1/measurements",
        json_body={
            "tags": {"h": "a"},
            "measurements": [
                {
                    "name": "Req.Time",
                    "value": 1,
                    "period": 30,
                    "display_name": "Request time",
                    "attributes": {"display_units_short": "ms"},
                }
            ],
        },
    )
    api.post(
        "/v1/measurements",
        json_body={
            "tags": {"h": "a"},
            "measurements": [
                {"name": "req.time", "value": 2, "period": 90, "attributes": {"display_units_short": "s"}}
            ],
        },
    )
    metric = api.get("/v1/metrics/REQ.TIME").json
    assert metric["name"] == "Req.Time"
    assert metric["period"] == 30
    assert metric["display_name"] == "Request time"
    assert metric["attributes"]["display_units_short"] == "ms"
    assert metric["attributes"]["created_by_ua"] == "integration-test/1.0"


def test_names_and_tags_match_case_insensitively_and_keep_first_spelling(api: Api) -> None:
    t = now() - 100
    api.post(
        "/v1/measurements",
        json_body={
            "measurements": [
                {"name": "CPU", "value": 1, "time": t, "tags": {"Region": "US-East"}},
                {"name": "cpu", "value": 2, "time": t + 1, "tags": {"region": "us-east"}},
            ]
        },
    )
    [series] = read(api, "Cpu", tags={})
    assert series["tags"] == {"Region": "US-East"}
    assert [p["value"] for p in series["measurements"]] == [1.0, 2.0]


def test_same_series_and_time_keeps_the_last_write(api: Api) -> None:
    t = now() - 100
    for value in (1, 2, 3):
        api.post(
            "/v1/measurements",
            json_body={"tags": {"h": "a"}, "measurements": [{"name": "m", "value": value, "time": t}]},
        )
    assert [p["value"] for p in read(api, "m")[0]["measurements"]] == [3.0]


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            "not json",
            400,
            {"errors": {"request": ["The request body must be a JSON object with a measurements array."]}},
        ),
        ("{}", 400, {"errors": {"params": {"measurements": ["must include at least one measurement"]}}}),
        (
            '{"measurements": []}',
            400,
            {"errors": {"params": {"measurements": ["must include at least one measurement"]}}},
        ),
        ("[1, 2]", 400, {"errors": {"request": ["The request body must be a JSON object with a measurements array."]}}),
    ],
)
def test_unusable_bodies_are_400(api: Api, body: str, status: int, expected: dict) -> None:
    reply = api.post("/v1/measurements", body=body, content_type="application/json")
    assert (reply.status, reply.json) == (status, expected)


def test_form_encoded_measurements_are_415(api: Api) -> None:
    reply = api.post("/v1/measurements", form="measurements[0][name]=a&measurements[0][value]=1")
    assert reply.status == 415
    assert reply.json == {"errors": {"request": ["Content type was not application/json."]}}


def test_composite_metric_takes_no_measurements(api: Api) -> None:
    assert api.put("/v1/metrics/ratio", json_body={"type": "composite", "composite": 's("a", "*")'}).status == 201
    reply = api.post(
        "/v1/measurements", json_body={"tags": {"h": "a"}, "measurements": [{"name": "ratio", "value": 1}]}
    )
    assert reply.status == 400
    assert reply.json["errors"][0]["param"] == "name"


def test_empty_per_measurement_tags_take_the_top_level_tags_as_statsd_sends_them(api: Api) -> None:
    """The body statsd-librato-backend 2.0.16 posts: every untagged stat carries ``tags: {}``."""
    t = now() // 10 * 10 - 20
    reply = api.post(
        "/v1/measurements",
        json_body={
            "time": t,
            "tags": {"env": "prod", "host": "web-1"},
            "measurements": [
                {"name": "app.requests", "value": 10, "tags": {}},
                {"name": "app.latency", "count": 2, "sum": 30, "min": 10, "max": 20, "stddev_m2": 50, "tags": {}},
                {"name": "app.requests", "value": 3, "tags": {"route": "home"}},
            ],
        },
    )
    assert reply.status == 202, reply.text
    assert "x-partial-failure" not in reply.headers
    assert reply.json["measurements"]["summary"] == {"total": 3, "accepted": 3, "failed": 0, "filtered": 0}
    got = {tuple(sorted(s["tags"].items())): s["measurements"] for s in read(api, "app.requests")}
    assert got == {
        (("env", "prod"), ("host", "web-1")): [{"time": t, "value": 10.0}],
        (("route", "home"),): [{"time": t, "value": 3.0}],
    }
    [series] = read(api, "app.latency", summary_function="stddev")
    assert series["tags"] == {"env": "prod", "host": "web-1"}
    assert series["measurements"] == [{"time": t, "value": pytest.approx(5.0)}]  # sqrt(50 / 2)


def test_stddev_m2_reads_back_as_the_population_stddev_in_every_summary(api: Api) -> None:
    t = now() // 60 * 60 - 120
    # samples 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, population stddev 2
    m = {"name": "lat.m2", "count": 8, "sum": 40, "min": 2, "max": 9, "stddev_m2": 32, "tags": {"h": "a"}, "time": t}
    assert api.post("/v1/measurements", json_body={"measurements": [m]}).status == 202
    [series] = read(api, "lat.m2", summary_function="stddev")
    assert series["measurements"][0]["value"] == pytest.approx(2.0)
    [series] = read(api, "lat.m2", summary_function="all")
    point = series["measurements"][0]
    assert (point["count"], point["sum"], point["min"], point["max"]) == (8.0, 40.0, 2.0, 9.0)
    assert point["stddev"] == pytest.approx(2.0)


def test_stddev_beside_stddev_m2_is_a_per_measurement_failure(api: Api) -> None:
    body = {
        "tags": {"h": "a"},
        "measurements": [
            {"name": "both", "count": 2, "sum": 2, "stddev": 1, "stddev_m2": 2},
            {"name": "fine", "value": 1},
        ],
    }
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202
    assert reply.headers["x-partial-failure"] == "true"
    assert reply.json["errors"] == [
        {"param": "stddev_m2", "reason": "only one of stddev and stddev_m2 may be set", "index": 0}
    ]
