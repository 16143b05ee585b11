"""CloudWisdom ingest through the handlers: contract §2 (routes, options, parsing, validation, storage)."""

import time
from typing import Any

import pytest

from polymetric.domain import annotations, cloudwisdom
from polymetric.models.tenant import Role
from tests.conftest import Org
from tests.integration.api import Api

NOW_MS = int(time.time() * 1000)
MIN_MS = NOW_MS - NOW_MS % 60_000 - 600_000  # ten minutes ago, on a minute boundary


def element(samples: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "webhost01",
        "name": "Web Host 01",
        "type": "server",
        "metrics": [{"id": "cpu", "name": "CPU %"}],
        "samples": samples if samples is not None else [{"metricId": "cpu", "timestamp": MIN_MS, "val": 14.0}],
        **extra,
    }


def post(api: Api, token: str | None, body: Any, *, path: str = "/ingest/{}", headers: dict[str, str] | None = None):
    raw = body if isinstance(body, str) else __import__("json").dumps(body)
    return api.post(path.format(token), body=raw, content_type="application/json", token=None, headers=headers)


def read(
    api: Api, name: str, *, start: int = MIN_MS // 1000 - 3600, resolution: int = 60, end: int | None = None
) -> list[dict[str, Any]]:
    query = {"start_time": start, "resolution": resolution, **({"end_time": end} if end else {})}
    reply = api.get(f"/v1/measurements/{name}", query=query)
    if reply.status == 404:
        return []
    assert reply.status == 200, reply.text
    return reply.json["series"]


def assert_error(reply: Any, status: int, detail: str, errors: list[str] | None = None) -> None:
    assert reply.status == status, reply.text
    body = reply.json
    assert body["status"] == status
    assert body["detail"] == detail
    assert isinstance(body["serverTimestamp"], int)
    assert body["iso8601DateTime"].endswith("Z")
    if errors is not None:
        assert body["errors"] == errors


@pytest.fixture
def token(org: Org) -> str:
    return org.token(Role.RECORDER)


def test_post_elements_202_no_body_and_readable_as_element_dot_metric(api: Api, org: Org, token: str) -> None:
    reply = post(api, token, [element()])
    assert reply.status == 202 and reply.text == ""
    series = read(api, "webhost01.cpu")
    assert series[0]["tags"] == {"type": "server"}
    assert series[0]["measurements"] == [{"time": MIN_MS // 1000, "value": 14.0}]


def test_send_response_body_gives_the_documented_202_body(api: Api, token: str) -> None:
    reply = post(
        api,
        token,
        [element(), {**element(), "id": "webapp01"}],
        headers={"X-Netuitive-Api-Options": " SEND_RESPONSE_BODY , FOO"},
    )
    assert reply.status == 202
    body = reply.json
    assert body["status"] == 202 and body["message"] == "ACCEPTED" and body["detail"] == "2 elements received"
    assert abs(body["serverTimestamp"] - time.time() * 1000) < 60_000
    assert len(body["iso8601DateTime"]) == 24 and body["iso8601DateTime"].endswith("Z")


@pytest.mark.parametrize("path", ["/ingest/{}", "/ingest/infrastructure/{}", "/ingest/ruby/{}", "/ingest/statsd/{}"])
def test_every_element_alias_stores(api: Api, token: str, path: str) -> None:
    assert post(api, token, [element()], path=path).status == 202
    assert read(api, "webhost01.cpu")[0]["measurements"][0]["value"] == 14.0


def test_unknown_api_id_is_401_in_the_envelope_and_stores_nothing(api: Api) -> None:
    reply = post(api, "not-a-token", [element()])
    assert_error(reply, 401, "Credentials are invalid.")
    assert reply.json["message"] == "UNAUTHORIZED"
    assert read(api, "webhost01.cpu") == []


def test_viewer_token_may_not_ingest(api: Api, org: Org) -> None:
    reply = post(api, org.token(Role.VIEWER), [element()])
    assert reply.status == 403 and reply.json["message"] == "FORBIDDEN"
    assert read(api, "webhost01.cpu") == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{not json", "Could not read JSON"),
        ("", "No content to map"),
        ('{"id": "x"}', "java.util.ArrayList out of START_OBJECT"),
        ("[1]", "IngestElement out of VALUE_NUMBER"),
        (
            '[{"id": "a", "type": "t", "samples": [{"metricId": "m", "timestamp": "ZZZZZZZZZZZZZZZZZ", "val": 1}]}]',
            "String value 'ZZZZZZZZZZZZZZZZZ'",
        ),
        (
            '[{"id": "a", "type": "t", "samples": [{"metricId": "m", "timestamp": "2015-09-07T14:26:47EDT"}]}]',
            "'2015-09-07T14:26:47EDT'",
        ),
        (
            '[{"id": "a", "type": "t", "samples": [{"metricId": "m", "timestamp": 1441475739000, "val": "abc"}]}]',
            "value 'abc'",
        ),
        ('[{"id": {"x": 1}, "type": "t"}]', "java.lang.String out of START_OBJECT"),
        ('[{"id": "a", "type": "t", "metrics": {"id": "m"}}]', "out of START_OBJECT"),
    ],
)
def test_parse_errors_are_400_error_parsing_json_request(api: Api, token: str, body: str, fragment: str) -> None:
    reply = post(api, token, body)
    assert_error(reply, 400, "Error Parsing JSON Request")
    assert reply.json["message"] == "BAD_REQUEST"
    assert fragment in reply.json["errors"][0]


def test_missing_timestamp_is_the_seed_validation_error(api: Api, token: str) -> None:
    reply = post(api, token, [element([{"metricId": "cpu", "val": 1}])])
    assert_error(
        reply,
        400,
        "Input Validation Failed",
        [
            "Missing required field on Sample, 'timestamp'. See ingest documentation to see how to send in "
            "samples without timestamps."
        ],
    )
    assert read(api, "webhost01.cpu") == []


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ([{"type": "server"}], ["Missing required field on Element, 'id'."]),
        ([{"id": "!!!", "type": "server"}], ["Missing required field on Element, 'id'."]),
        ([{"id": "a"}], ["Missing required field on Element, 'type'."]),
        ([{"id": "a", "type": "t", "metrics": [{"name": "x"}]}], ["Missing required field on Metric, 'id'."]),
        (
            [{"id": "a", "type": "t", "samples": [{"timestamp": 1, "val": 1}]}],
            ["Missing required field on Sample, 'metricId'."],
        ),
        (
            [{"id": "a", "type": "t", "samples": [{"metricId": "m", "timestamp": MIN_MS, "val": None, "cnt": None}]}],
            ["Sample for metric 'm' has no value (val, min, max, avg, sum, cnt)."],
        ),
    ],
)
def test_validation_errors_are_400_input_validation_failed(api: Api, token: str, body: Any, errors: list[str]) -> None:
    assert_error(post(api, token, body), 400, "Input Validation Failed", errors)


def test_one_bad_element_rejects_the_whole_request(api: Api, token: str) -> None:
    reply = post(api, token, [element(), {"id": "b", "type": "t", "samples": [{"metricId": "m", "val": 1}]}])
    assert reply.status == 400
    assert read(api, "webhost01.cpu") == []
    assert cloudwisdom.element(_tenant(api), "webhost01") is None


def test_timestamp_more_than_an_hour_ahead_is_refused(api: Api, token: str) -> None:
    reply = post(api, token, [element([{"metricId": "cpu", "timestamp": NOW_MS + 7_200_000, "val": 1}])])
    assert_error(reply, 400, "Input Validation Failed")
    assert "outside the accepted range" in reply.json["errors"][0]


BASE = MIN_MS // 1000  # epoch seconds, a minute boundary ten minutes ago
_ISO = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(BASE))
_ISO_MINUS_4 = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(BASE - 4 * 3600))
_ISO_PLUS_2 = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(BASE + 2 * 3600))


@pytest.mark.parametrize(
    "stamp",
    [
        BASE * 1000,
        str(BASE * 1000),
        f"{_ISO_MINUS_4}.457-0400",
        f"{_ISO_MINUS_4}-0400",
        f"{_ISO}.948Z",
        f"{_ISO}Z",
        f"{_ISO_PLUS_2}+02:00",
    ],
)
def test_timestamp_forms(api: Api, token: str, stamp: Any) -> None:
    assert post(api, token, [element([{"metricId": "cpu", "timestamp": stamp, "val": 3}])]).status == 202
    assert read(api, "webhost01.cpu", start=BASE - 60, resolution=1)[0]["measurements"][0]["time"] == BASE


def test_timestamp_older_than_the_store_keeps_is_refused(api: Api, token: str) -> None:
    reply = post(api, token, [element([{"metricId": "cpu", "timestamp": 1441465330000, "val": 1}])])
    assert_error(reply, 400, "Input Validation Failed")
    assert "outside the accepted range" in reply.json["errors"][0]


def test_inject_timestamp_overwrites_and_fills_timestamps(api: Api, token: str) -> None:
    body = [element([{"metricId": "cpu", "val": 1}, {"metricId": "mem", "timestamp": 1441475739000, "val": 2}])]
    reply = post(api, token, body, headers={"X-Netuitive-Api-Options": "INJECT_TIMESTAMP"})
    assert reply.status == 202 and reply.text == ""
    now = int(time.time())
    for name in ("webhost01.cpu", "webhost01.mem"):
        (point,) = read(api, name, start=now - 120, resolution=1)[0]["measurements"]
        assert abs(point["time"] - now) <= 5


def test_ids_are_sanitised(api: Api, token: str) -> None:
    body = [
        {
            "id": "web host#1",
            "type": "server",
            "samples": [{"metricId": "cpu.cpu1.guest nice!", "timestamp": MIN_MS, "val": 1}],
        }
    ]
    assert post(api, token, body).status == 202
    assert read(api, "web_host1.cpu.cpu1.guest_nice")[0]["measurements"][0]["value"] == 1.0


def test_nulls_are_absent_and_numeric_strings_coerced(api: Api, token: str) -> None:
    body = [
        element(
            [
                {
                    "metricId": "cpu",
                    "timestamp": MIN_MS,
                    "val": "42.5",
                    "min": None,
                    "max": None,
                    "avg": None,
                    "sum": None,
                    "cnt": None,
                }
            ]
        )
    ]
    assert post(api, token, body).status == 202
    assert read(api, "webhost01.cpu")[0]["measurements"][0]["value"] == 42.5


def test_aggregate_samples_become_summaries(api: Api, token: str) -> None:
    body = [element([{"metricId": "cpu", "timestamp": MIN_MS, "min": 1, "max": 9, "sum": 20, "cnt": 4, "avg": 5}])]
    assert post(api, token, body).status == 202
    reply = api.get(
        "/v1/measurements/webhost01.cpu",
        query={"start_time": MIN_MS // 1000 - 60, "resolution": 60, "summary_function": "all"},
    )
    point = reply.json["series"][0]["measurements"][0]
    assert (point["count"], point["sum"], point["min"], point["max"]) == (4, 20, 1, 9)


def test_val_with_aggregates_is_accepted(api: Api, token: str) -> None:
    body = [
        element([{"metricId": "cpu", "timestamp": MIN_MS, "val": 3, "min": 1, "max": 5, "avg": 3, "sum": 6, "cnt": 2}])
    ]
    assert post(api, token, body).status == 202
    assert read(api, "webhost01.cpu")[0]["measurements"][0]["value"] == 3.0


BEYOND = "beyond the largest magnitude stored, 10^126"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"val": 1e127}, f"Sample for metric 'big' has val 1e+127, {BEYOND}."),
        ({"val": "-2e200"}, f"Sample for metric 'big' has val -2e+200, {BEYOND}."),
        ({"max": 1e300, "cnt": 2}, f"Sample for metric 'big' has max 1e+300, {BEYOND}."),
        ({"avg": 1e300, "cnt": 1e10}, f"Sample for metric 'big' has avg 1e+300, {BEYOND}."),
        ({"avg": 1e120, "cnt": 1e10}, f"Sample for metric 'big' has a sum (avg x cnt) of 1e+130, {BEYOND}."),
        ({"val": 1e100, "min": 1, "cnt": 1e30}, f"Sample for metric 'big' has a sum (val x cnt) of 1e+130, {BEYOND}."),
        (
            {"min": -1e120, "max": -1e120, "cnt": 1e7},
            f"Sample for metric 'big' has a sum ((min + max) / 2 x cnt) of -1e+127, {BEYOND}.",
        ),
    ],
)
def test_values_beyond_10_to_the_126_are_refused_and_nothing_is_stored(
    api: Api, token: str, values: dict[str, Any], error: str
) -> None:
    """A sum the store would derive counts too: avg 1e300 x cnt 1e10 was stored as Infinity, unreadable JSON."""
    sample = {"metricId": "big", "timestamp": MIN_MS, **values}
    reply = post(api, token, [element([sample, {"metricId": "cpu", "timestamp": MIN_MS, "val": 1}])])
    assert_error(reply, 400, "Input Validation Failed", [error])
    assert read(api, "webhost01.big") == [] and read(api, "webhost01.cpu") == []
    assert cloudwisdom.element(_tenant(api), "webhost01") is None


def test_values_at_10_to_the_126_are_stored_and_read_back_as_json(api: Api, token: str) -> None:
    samples = [
        {"metricId": "big", "timestamp": MIN_MS, "val": -1e126},
        {"metricId": "agg", "timestamp": MIN_MS, "avg": 1e115, "cnt": 1e10},
    ]
    assert post(api, token, [element(samples)]).status == 202
    assert read(api, "webhost01.big")[0]["measurements"][0]["value"] == -1e126
    reply = api.get(
        "/v1/measurements/webhost01.agg",
        query={"start_time": MIN_MS // 1000 - 60, "resolution": 60, "summary_function": "all"},
    )
    assert reply.status == 200 and "Infinity" not in reply.text
    point = reply.json["series"][0]["measurements"][0]
    assert (point["count"], point["sum"]) == (1e10, pytest.approx(1e125))


def test_a_counter_increase_beyond_10_to_the_126_is_refused(api: Api, token: str) -> None:
    metrics = [{"id": "requests", "type": "COUNTER"}]
    first = [{"metricId": "requests", "timestamp": MIN_MS, "val": -1e126}]
    assert post(api, token, [element(first, metrics=metrics)]).status == 202
    later = [{"metricId": "requests", "timestamp": MIN_MS + 60_000, "val": 1e126}]
    reply = post(api, token, [element(later, metrics=metrics)])
    assert_error(
        reply,
        400,
        "Input Validation Failed",
        [f"Counter 'webhost01.requests' would increase by 2e+126, {BEYOND}."],
    )
    assert read(api, "webhost01.requests") == []
    assert cloudwisdom.element(_tenant(api), "webhost01").counters["requests"] == (MIN_MS, -1e126)


def test_metric_id_not_in_metrics_is_created_implicitly(api: Api, token: str) -> None:
    assert post(api, token, [element([{"metricId": "disk", "timestamp": MIN_MS, "val": 7}])]).status == 202
    assert read(api, "webhost01.disk")[0]["measurements"][0]["value"] == 7.0
    assert "disk" in cloudwisdom.element(_tenant(api), "webhost01").metrics


def test_unknown_properties_are_ignored_and_element_type_and_tags_become_tags(api: Api, token: str) -> None:
    body = [element(tags=[{"name": "env", "value": "prod"}, {"name": "bad tag!", "value": "x"}], color="blue")]
    assert post(api, token, body).status == 202
    assert read(api, "webhost01.cpu")[0]["tags"] == {"env": "prod", "type": "server"}


def test_element_metadata_is_stored_merged_and_retrievable(api: Api, token: str) -> None:
    first = element(
        location="eu-west-1",
        attributes=[{"name": "cpus", "value": 8}, {"name": "datacenter", "value": "aws-east-1a"}],
        tags=[{"name": "env", "value": "prod"}],
        relations=[{"fqn": "load-balancer-east"}],
        metrics=[
            {
                "id": "cpu",
                "name": "CPU %",
                "unit": "percent",
                "type": "GAUGE",
                "tags": [{"name": "core", "value": "all"}],
            }
        ],
    )
    assert post(api, token, [first]).status == 202
    assert (
        post(
            api,
            token,
            [
                {
                    "id": "webhost01",
                    "type": "server",
                    "relations": [{"fqn": "db01"}],
                    "attributes": [{"name": "cpus", "value": "16"}],
                }
            ],
        ).status
        == 202
    )
    stored = cloudwisdom.element(_tenant(api), "WEBHOST01")
    assert stored is not None
    assert (stored.name, stored.type, stored.location) == ("Web Host 01", "server", "eu-west-1")
    assert stored.attributes == {"cpus": "16", "datacenter": "aws-east-1a"}
    assert stored.tags == {"env": "prod"}
    assert stored.relations == ["load-balancer-east", "db01"]
    assert stored.metrics["cpu"].unit == "percent" and stored.metrics["cpu"].tags == {"core": "all"}


def test_counter_metrics_store_increases(api: Api, token: str) -> None:
    metrics = [{"id": "requests", "type": "COUNTER"}]
    samples = [
        {"metricId": "requests", "timestamp": MIN_MS + i * 60_000, "val": v} for i, v in enumerate([100, 130, 190])
    ]
    assert post(api, token, [element(samples, metrics=metrics)]).status == 202
    later = [{"metricId": "requests", "timestamp": MIN_MS + 180_000, "val": 20}]  # a reset
    assert post(api, token, [element(later, metrics=metrics)]).status == 202
    values = [p["value"] for p in read(api, "webhost01.requests")[0]["measurements"]]
    assert values == [30.0, 60.0, 20.0]


@pytest.mark.parametrize(
    ("strategy", "injected"),
    [
        ("ReplaceWithZero", 0.0),
        ("ReplaceWithHistoricalMax", 9.0),
        ("ReplaceWithHistoricalMin", 2.0),
        ("ReplaceWithLast", 2.0),
    ],
)
def test_sparse_data_strategy_injects_values_in_empty_intervals(
    api: Api, token: str, strategy: str, injected: float
) -> None:
    metrics = [{"id": "q", "sparseDataStrategy": strategy}]
    samples = [
        {"metricId": "q", "timestamp": MIN_MS, "val": 9},
        {"metricId": "q", "timestamp": MIN_MS + 60_000, "val": 2},
    ]
    assert post(api, token, [element(samples, metrics=metrics)]).status == 202
    points = read(api, "webhost01.q", start=MIN_MS // 1000)[0]["measurements"]
    assert [p["value"] for p in points[:2]] == [9.0, 2.0]
    assert points[2] == {"time": MIN_MS // 1000 + 120, "value": injected}
    assert len(points) >= 9  # every ended minute up to now


def test_sparse_data_strategy_none_injects_nothing(api: Api, token: str) -> None:
    samples = [{"metricId": "q", "timestamp": MIN_MS, "val": 9}]
    assert post(api, token, [element(samples, metrics=[{"id": "q", "sparseDataStrategy": "None"}])]).status == 202
    assert len(read(api, "webhost01.q", start=MIN_MS // 1000)[0]["measurements"]) == 1


def test_unknown_sparse_data_strategy_is_a_validation_error(api: Api, token: str) -> None:
    reply = post(api, token, [element(metrics=[{"id": "cpu", "sparseDataStrategy": "Guess"}])])
    assert_error(reply, 400, "Input Validation Failed")
    assert read(api, "webhost01.cpu") == []


def test_events_become_annotations_per_type_and_without_element_id_are_discarded(api: Api, token: str) -> None:
    events = [
        {
            "source": "deploy-bot",
            "timestamp": MIN_MS,
            "title": "Deployed 1.2",
            "type": "info",
            "tags": [{"name": "app", "value": "web"}],
            "data": {"elementId": "webhost01", "level": "WARNING", "message": "slow start"},
        },
        {"timestamp": MIN_MS, "title": "dropped", "type": "INFO", "data": {"level": "INFO"}},
    ]
    reply = post(
        api, token, events, path="/ingest/events/{}", headers={"X-Netuitive-Api-Options": "SEND_RESPONSE_BODY"}
    )
    assert reply.status == 202 and reply.json["detail"] == "2 events received"
    (event,) = annotations.events(_tenant(api), "cloudwisdom.info", 0, 2**31)
    assert (event.title, event.description, event.source, event.start_time) == (
        "Deployed 1.2",
        "[WARNING] slow start",
        "deploy-bot",
        MIN_MS // 1000,
    )


def test_ruby_events_alias_and_inject_timestamp(api: Api, token: str) -> None:
    events = [{"title": "t", "type": "EXTERNAL_INFO", "data": {"elementId": "e"}}]
    reply = post(
        api, token, events, path="/ingest/events/ruby/{}", headers={"X-Netuitive-Api-Options": "INJECT_TIMESTAMP"}
    )
    assert reply.status == 202 and reply.text == ""
    (event,) = annotations.events(_tenant(api), "cloudwisdom.external_info", 0, 2**31)
    assert abs(event.start_time - time.time()) < 10


@pytest.mark.parametrize(
    "dropped",
    [
        {"timestamp": MIN_MS, "type": "INFO", "data": {"elementId": "e"}},
        {"timestamp": MIN_MS, "title": "", "type": "INFO", "data": {"elementId": "e"}},
        {"type": "INFO", "data": {"elementId": "e"}},  # no title, no time
        {"title": "no time, no element", "type": "INFO"},
        {"title": "long ago, no element", "timestamp": 1, "type": "INFO", "data": {}},
    ],
)
def test_events_without_element_id_or_title_are_accepted_and_dropped(
    api: Api, token: str, dropped: dict[str, Any]
) -> None:
    """Contract: only ``timestamp`` is required; events without ``data.elementId`` (or ``title``) are dropped."""
    kept = {"timestamp": MIN_MS, "title": "kept", "type": "INFO", "data": {"elementId": "e"}}
    reply = post(
        api,
        token,
        [dropped, kept],
        path="/ingest/events/{}",
        headers={"X-Netuitive-Api-Options": "SEND_RESPONSE_BODY"},
    )
    assert reply.status == 202, reply.text
    assert reply.json["detail"] == "2 events received"
    assert [e.title for e in annotations.events(_tenant(api), "cloudwisdom.info", 0, 2**31)] == ["kept"]


def test_events_bad_bodies(api: Api, token: str) -> None:
    assert_error(post(api, token, {"title": "x"}, path="/ingest/events/{}"), 400, "Error Parsing JSON Request")
    assert_error(
        post(api, token, [{"title": "x", "type": "INFO", "data": {"elementId": "e"}}], path="/ingest/events/{}"),
        400,
        "Input Validation Failed",
        ["Missing required field on Event, 'timestamp'."],
    )
    assert_error(
        post(api, token, [{"title": "x", "timestamp": 1, "data": {"elementId": "e"}}], path="/ingest/events/{}"),
        400,
        "Input Validation Failed",
    )
    unparsable = [{"title": "x", "timestamp": "ZZZZ", "data": {}}]  # parsing comes first, dropped or not
    assert_error(post(api, token, unparsable, path="/ingest/events/{}"), 400, "Error Parsing JSON Request")
    assert annotations.streams(_tenant(api)) == []


def test_check_202_and_a_missed_ttl_becomes_an_annotation(
    api: Api, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = api.post(f"/check/{token}/heartbeat/web host01/60", token=None)
    assert reply.status == 202 and reply.text == ""
    assert cloudwisdom.overdue(_tenant(api)) == []
    assert annotations.streams(_tenant(api)) == []
    later = time.time() + 200
    monkeypatch.setattr(time, "time", lambda: later)
    (overdue,) = cloudwisdom.overdue(_tenant(api))
    assert (overdue.name, overdue.element_fqn, overdue.ttl_seconds) == ("heartbeat", "web_host01", 60)
    assert api.post(f"/check/{token}/heartbeat/web host01/60", token=None).status == 202
    (event,) = annotations.events(_tenant(api), "cloudwisdom.checks", 0, 2**32)
    assert event.title == "check heartbeat on web_host01 missed its TTL"
    assert event.end_time - event.start_time >= 130


def test_a_check_that_never_comes_back_is_reported_by_the_schedule(
    api: Api, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from functions.heartbeats_tick.app import lambda_handler
    from tests.conftest import LambdaContext, load_event

    assert api.post(f"/check/{token}/heartbeat/web01/60", token=None).status == 202
    tick = load_event("eventbridge/heartbeats-tick")
    tick["time"] = datetime.fromtimestamp(time.time() + 30, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert lambda_handler(tick, LambdaContext()) == {"reported": 0}  # still within its TTL
    tick["time"] = datetime.fromtimestamp(time.time() + 120, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert lambda_handler(tick, LambdaContext()) == {"reported": 1}
    assert lambda_handler(tick, LambdaContext()) == {"reported": 0}  # reported once
    (event,) = annotations.events(_tenant(api), "cloudwisdom.checks", 0, 2**32)
    assert event.title == "check heartbeat on web01 missed its TTL"
    assert event.end_time is None
    # The heartbeat that finally comes records the recovery, not the miss a second time.
    later = time.time() + 300
    monkeypatch.setattr(time, "time", lambda: later)
    assert api.post(f"/check/{token}/heartbeat/web01/60", token=None).status == 202
    titles = [e.title for e in annotations.events(_tenant(api), "cloudwisdom.checks", 0, 2**32)]
    assert titles == ["check heartbeat on web01 missed its TTL", "check heartbeat on web01 recovered"]


@pytest.mark.parametrize("ttl", ["0", "abc", "-5"])
def test_check_with_a_bad_ttl_is_400(api: Api, token: str, ttl: str) -> None:
    assert_error(api.post(f"/check/{token}/hb/host/{ttl}", token=None), 400, "Input Validation Failed")
    assert cloudwisdom.overdue(_tenant(api), now=2**40) == []


def test_check_with_unknown_api_id_is_401(api: Api) -> None:
    assert_error(api.post("/check/nope/hb/host/60", token=None), 401, "Credentials are invalid.")


def _tenant(api: Api) -> str:
    from polymetric.domain import tenants

    return tenants.authenticate(api.token).tenant
