"""Anomify flux (contract section 1): every rule of the validation order, with what was stored."""

import gzip
import json
import time

import pytest

from polymetric.domain import tenants
from polymetric.models.tenant import Role
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api, Reply

POST = "/flux/metric_data_post"
GET = "/flux/metric_data"


@pytest.fixture
def flux(template: Template) -> Api:
    return Api(template, None)


def post(flux: Api, body: object, **kw) -> Reply:
    return flux.post(POST, body=body if isinstance(body, str) else json.dumps(body), **kw)


def stored(api: Api, name: str, start: int | None = None) -> list[tuple[int, float]]:
    reply = api.get(f"/v1/measurements/{name}", query={"start_time": start or int(time.time()) - 7200, "resolution": 1})
    if reply.status == 404:
        return []
    assert reply.status == 200, reply.text
    return [(p["time"], p["value"]) for s in reply.json["series"] for p in s["measurements"]]


def metric_names(api: Api) -> list[str]:
    return [m["name"] for m in api.get("/v1/metrics").json["metrics"]]


def error(reply: Reply, status: int, message: str) -> None:
    assert (reply.status, reply.json) == (status, {"code": status, "message": message}), reply.text
    assert reply.headers["content-type"] == "application/json"


def test_multi_metric_post_is_204_and_readable(flux: Api, api: Api, org: Org) -> None:
    now = int(time.time())
    body = {
        "key": org.admin,
        "metrics": [
            {"metric": "aws.eu-west-1a.nginx-1.cpu.user", "timestamp": now - 60, "value": 1.0},
            {"metric": "aws.eu-west-1b.nginx-2.cpu.user", "timestamp": now - 60, "value": "0.2"},
        ],
    }
    reply = post(flux, body)
    assert (reply.status, reply.text) == (204, "")
    assert stored(api, "aws.eu-west-1a.nginx-1.cpu.user") == [(now - 60, 1.0)]
    assert stored(api, "aws.eu-west-1b.nginx-2.cpu.user") == [(now - 60, 0.2)]
    series = api.get("/v1/measurements/aws.eu-west-1a.nginx-1.cpu.user", query={"duration": 600, "resolution": 60})
    assert series.json["series"][0]["tags"] == {}


def test_single_metric_form_is_204(flux: Api, api: Api, org: Org) -> None:
    now = int(time.time())
    reply = post(flux, {"key": org.admin, "metric": "single.metric", "timestamp": now, "value": 7})
    assert reply.status == 204
    assert stored(api, "single.metric") == [(now, 7.0)]


def test_missing_timestamp_means_now_and_unknown_fields_are_ignored(flux: Api, api: Api, org: Org) -> None:
    before = int(time.time())
    reply = post(flux, {"key": org.admin, "extra": 1, "metrics": [{"metric": "no.ts", "value": 1, "other": "x"}]})
    assert reply.status == 204
    [(t, v)] = stored(api, "no.ts")
    assert before <= t <= int(time.time()) and v == 1.0


def test_key_header_as_telegraf_sends_it(flux: Api, api: Api, org: Org) -> None:
    reply = post(flux, {"metrics": [{"metric": "hdr.key", "value": 2}]}, headers={"key": org.admin})
    assert reply.status == 204
    assert [v for _, v in stored(api, "hdr.key")] == [2.0]


def test_body_key_wins_over_the_header(flux: Api, org: Org) -> None:
    reply = post(flux, {"key": "unknown", "metrics": [{"metric": "m", "value": 2}]}, headers={"key": org.admin})
    error(reply, 401, "invalid key")


def test_gzip_body_is_decompressed(flux: Api, api: Api, org: Org) -> None:
    import base64

    raw = gzip.compress(json.dumps({"key": org.admin, "metrics": [{"metric": "gz.metric", "value": 3}]}).encode())
    reply = post(flux, "", headers={"Content-Encoding": "gzip"}, content_type="application/json")
    error(reply, 400, "invalid json data")
    reply = _binary_post(flux, base64.b64encode(raw).decode(), {"Content-Encoding": "gzip"})
    assert reply.status == 204, reply.text
    assert [v for _, v in stored(api, "gz.metric")] == [3.0]


def _binary_post(flux: Api, b64: str, headers: dict[str, str]) -> Reply:
    """A base64 event, as API Gateway delivers bodies of binary media types (template: BinaryMediaTypes */*)."""
    import importlib

    from tests.conftest import LambdaContext, load_event

    event = load_event("apigw/anomify-post-gzip")
    event["headers"] = {"Content-Type": "application/json", **headers}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["body"], event["isBase64Encoded"] = b64, True
    raw = importlib.import_module("functions.anomify.app").lambda_handler(event, LambdaContext())
    merged = {k: v[-1] for k, v in (raw.get("multiValueHeaders") or {}).items()}
    merged.update(raw.get("headers") or {})
    return Reply(raw["statusCode"], {k.lower(): v for k, v in merged.items()}, raw.get("body") or "")


def test_broken_gzip_is_invalid_json(flux: Api, org: Org) -> None:
    import base64

    reply = _binary_post(flux, base64.b64encode(b"\x1f\x8bnot gzip").decode(), {"Content-Encoding": "gzip"})
    error(reply, 400, "invalid json data")


def test_body_over_1024_kib_is_413_before_parsing(flux: Api, api: Api, org: Org) -> None:
    padding = "x" * (1024 * 1024)
    reply = post(flux, {"key": org.admin, "metrics": [{"metric": "big", "value": 1}], "pad": padding})
    error(reply, 413, "payload too large")
    error(post(flux, "not json " + padding), 413, "payload too large")
    assert "big" not in metric_names(api)


def test_body_just_under_the_limit_is_read(flux: Api, api: Api, org: Org) -> None:
    head = json.dumps({"key": org.admin, "metrics": [{"metric": "fits", "value": 1}], "pad": ""})
    body = head[:-2] + "x" * (1024 * 1024 - len(head)) + '"}'
    assert len(body) == 1024 * 1024
    assert post(flux, body).status == 204


@pytest.mark.parametrize("body", ["not json", "", "{", "{'key': 1}", "[1]", '"text"', "5"])
def test_invalid_json_data(flux: Api, body: str) -> None:
    error(post(flux, body), 400, "invalid json data")


@pytest.mark.parametrize("body", ["{}", "[]", "null", "0", "false"])
def test_falsy_json_is_no_post_data(flux: Api, body: str) -> None:
    error(post(flux, body), 400, "no POST data received")


def test_no_key(flux: Api) -> None:
    error(post(flux, {"metrics": [{"metric": "m", "value": 1}]}), 400, "no key passed")


def test_unknown_key_is_401(flux: Api, api: Api) -> None:
    error(
        post(flux, {"key": "0000000000EXAMPLEKEY00000000000", "metric": "m", "timestamp": 1, "value": 1}),
        401,
        "invalid key",
    )
    assert metric_names(api) == []


def test_viewer_key_is_403(flux: Api, org: Org) -> None:
    reply = post(flux, {"key": org.token(Role.VIEWER), "metrics": [{"metric": "m", "value": 1}]})
    error(reply, 403, "This API token (viewer) may not perform this action.")


def test_recorder_key_may_post(flux: Api, org: Org) -> None:
    assert post(flux, {"key": org.token(Role.RECORDER), "metrics": [{"metric": "m", "value": 1}]}).status == 204


@pytest.mark.parametrize("metrics", [{"metric": "m"}, "m", [1, 2], [{"metric": "m", "value": 1}, "x"], 5])
def test_invalid_metrics_element(flux: Api, org: Org, metrics: object) -> None:
    error(post(flux, {"key": org.admin, "metrics": metrics}), 400, "invalid metrics element")


@pytest.mark.parametrize(
    "body",
    [{}, {"metrics": []}, {"metric": "m", "value": 1}, {"metric": "m", "timestamp": 1}, {"timestamp": 1, "value": 1}],
)
def test_no_metric_data_passed(flux: Api, org: Org, body: dict) -> None:
    error(post(flux, {"key": org.admin, **body}), 400, "no metric data passed")


def check(flux: Api, org: Org, metric: dict, message: str) -> None:
    error(post(flux, {"key": org.admin, "metrics": [metric]}), 400, message)


@pytest.mark.parametrize(("name", "shown"), [(None, "None"), (5, "5"), ("", "''"), (["a"], "['a']")])
def test_metric_missing_or_not_text(flux: Api, org: Org, name: object, shown: str) -> None:
    metric = {"value": 1} if name is None else {"metric": name, "value": 1}
    check(flux, org, metric, f"invalid metric - {shown}")


@pytest.mark.parametrize("name", ["cpu$user", "cpu;x", "naïve", "a+b", "50%", "disk/sda", "k=v", "a\tb"])
def test_invalid_characters_in_name(flux: Api, api: Api, org: Org, name: str) -> None:
    check(flux, org, {"metric": name, "value": 1}, f"invalid metric - {name} - invalid characters in name")
    assert metric_names(api) == []


@pytest.mark.parametrize("name", ["a." + "b" * 252, "c" * 256, ".".join(["abcdefghij"] * 24)[:256], "x" * 300])
def test_longer_than_255_characters(flux: Api, org: Org, name: str) -> None:
    check(flux, org, {"metric": name, "value": 1}, f"invalid metric - {name} - longer than 255 characters")


def test_name_of_255_with_short_elements_is_accepted(flux: Api, api: Api, org: Org) -> None:
    name = ".".join(["abcdefghi"] * 25) + "123456"
    assert len(name) == 255
    assert post(flux, {"key": org.admin, "metrics": [{"metric": name, "value": 1}]}).status == 204
    assert name in metric_names(api)


@pytest.mark.parametrize(
    ("sent", "stored_as"), [("cpu user", "cpu_user"), ("a..b", "a.b"), ("cpu*", "cpu_"), ("it's", "it_s")]
)
def test_skyline_rewrites_names(flux: Api, api: Api, org: Org, sent: str, stored_as: str) -> None:
    assert post(flux, {"key": org.admin, "metrics": [{"metric": sent, "value": 1}]}).status == 204
    assert metric_names(api) == [stored_as]


def ts_message(ts: object, reason: str) -> str:
    return f"invalid timestamp - {ts} - {reason}"


@pytest.mark.parametrize("ts", [1.0, "1.5", "abc", None, True, [1], "1478021700.0"])
def test_timestamp_is_not_an_int(flux: Api, org: Org, ts: object) -> None:
    check(flux, org, {"metric": "m", "timestamp": ts, "value": 1}, ts_message(ts, "timestamp is not an int"))


def test_timestamp_in_milliseconds_is_not_a_current_unix_timestamp(flux: Api, org: Org) -> None:
    ms = int(time.time() * 1000)
    check(
        flux,
        org,
        {"metric": "m", "timestamp": ms, "value": 1},
        ts_message(ms, "timestamp is not a valid current unix timestamp"),
    )
    check(
        flux,
        org,
        {"metric": "m", "timestamp": 12345, "value": 1},
        ts_message(12345, "timestamp is not a valid current unix timestamp"),
    )


def test_timestamp_too_old(flux: Api, api: Api, org: Org) -> None:
    old = int(time.time()) - 3700
    check(
        flux,
        org,
        {"metric": "m", "timestamp": old, "value": 1},
        ts_message(old, "timestamp is too old, older than 3600 seconds"),
    )
    edge = int(time.time()) - 3590
    assert (
        post(flux, {"key": org.admin, "metrics": [{"metric": "edge", "timestamp": str(edge), "value": 1}]}).status
        == 204
    )
    assert stored(api, "edge") == [(edge, 1.0)]


def test_timestamp_more_than_a_minute_ahead(flux: Api, api: Api, org: Org) -> None:
    ahead = int(time.time()) + 120
    check(
        flux,
        org,
        {"metric": "m", "timestamp": ahead, "value": 1},
        ts_message(ahead, "timestamp is more than 1 minute in the future"),
    )
    soon = int(time.time()) + 50
    assert post(flux, {"key": org.admin, "metrics": [{"metric": "soon", "timestamp": soon, "value": 1}]}).status == 204


@pytest.mark.parametrize("fill", ["true", "True"])
def test_fill_skips_the_timestamp_checks(flux: Api, api: Api, org: Org, fill: str) -> None:
    old = int(time.time()) - 86400
    body = {"key": org.admin, "metrics": [{"metric": "backfill", "timestamp": old, "value": 4, "fill": fill}]}
    assert post(flux, body).status == 204
    assert stored(api, "backfill", start=old - 10) == [(old, 4.0)]


def test_no_value_parameter_present(flux: Api, org: Org) -> None:
    check(flux, org, {"metric": "m", "timestamp": int(time.time())}, "no value parameter present")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "None"),
        ("abc", "abc"),
        ({"a": 1}, "{'a': 1}"),
        (True, "True"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("-Infinity", "-Infinity"),
        ("", ""),
        (1e300, "1e+300"),
    ],
)
def test_invalid_value(flux: Api, org: Org, value: object, shown: str) -> None:
    check(flux, org, {"metric": "m", "value": value}, f"invalid value - {shown}")


@pytest.mark.parametrize(("value", "expected"), [("0.5", 0.5), (" 12 ", 12.0), (-3, -3.0), ("1e3", 1000.0)])
def test_numeric_values_and_strings_are_accepted(flux: Api, api: Api, org: Org, value: object, expected: float) -> None:
    assert post(flux, {"key": org.admin, "metrics": [{"metric": "num", "value": value}]}).status == 204
    assert [v for _, v in stored(api, "num")] == [expected]


def test_one_bad_metric_rejects_the_whole_post(flux: Api, api: Api, org: Org) -> None:
    now = int(time.time())
    body = {
        "key": org.admin,
        "metrics": [
            {"metric": "good.one", "timestamp": now, "value": 1},
            {"metric": "good.two", "timestamp": now, "value": 2},
            {"metric": "bad", "timestamp": now, "value": "abc"},
        ],
    }
    error(post(flux, body), 400, "invalid value - abc")
    assert metric_names(api) == []


def test_first_failure_in_list_order_wins(flux: Api, org: Org) -> None:
    body = {"key": org.admin, "metrics": [{"metric": "a", "value": "x"}, {"metric": "b$", "value": 1}]}
    error(post(flux, body), 400, "invalid value - x")


def test_same_metric_and_timestamp_last_write_wins(flux: Api, api: Api, org: Org) -> None:
    now = int(time.time())
    metrics = [{"metric": "dup", "timestamp": now, "value": 1}, {"metric": "dup", "timestamp": now, "value": 5}]
    assert post(flux, {"key": org.admin, "metrics": metrics}).status == 204
    assert stored(api, "dup") == [(now, 5.0)]


def test_status_probe_answers_before_the_key_check(flux: Api) -> None:
    reply = post(flux, {"status": True})
    assert (reply.status, reply.json) == (200, {"status": "ok"})


def test_validate_key_answers_after_the_key_check(flux: Api, org: Org) -> None:
    reply = post(flux, {"key": org.admin, "validate_key": True})
    assert (reply.status, reply.json) == (200, {"status": "key valid"})
    error(post(flux, {"key": "nope", "validate_key": True}), 401, "invalid key")


@pytest.mark.parametrize("how", ["body", "header"])
def test_test_only_validates_and_stores_nothing(flux: Api, api: Api, org: Org, how: str) -> None:
    body: dict = {"key": org.admin, "metrics": [{"metric": "t.one", "value": 1}, {"metric": "t.two", "value": 2}]}
    headers = {"x-test-only": "true"} if how == "header" else None
    if how == "body":
        body["test"] = True
    reply = post(flux, body, headers=headers)
    assert reply.status == 200
    assert reply.json["submitted metrics count"] == 2
    assert metric_names(api) == []


def test_quota_207_accepts_known_metrics_and_rejects_new_ones(flux: Api, api: Api, org: Org) -> None:
    # Given an organization allowed 2 metrics that has 1
    tenants.set_metric_quota(org.tenant, 2)
    assert post(flux, {"key": org.admin, "metrics": [{"metric": "server-1.known.metric", "value": 1}]}).status == 204
    # When 1 known and 3 new metrics arrive
    metrics = [
        {"metric": "server-1.unknown.metric", "value": 1},
        {"metric": "server-1.some-other-unknown.metric", "value": 2},
        {"metric": "server-1.known.metric", "value": 3},
        {"metric": "server-1.new.metric", "value": 4},
    ]
    reply = post(flux, {"key": org.admin, "metrics": metrics})
    # Then the known one and the first new one fit; the others are reported
    assert reply.status == 207
    assert reply.json == {
        "code": 207,
        "data": [
            {"metric": "server-1.unknown.metric", "status": 204},
            {"metric": "server-1.some-other-unknown.metric", "status": 400},
            {"metric": "server-1.known.metric", "status": 204},
            {"metric": "server-1.new.metric", "status": 400},
        ],
        "error": "over quota - this account is allowed 2 metrics and an additional 2 new metrics were posted that "
        "have been rejected",
        "message": "2 metrics were processed and 2 metrics were rejected",
        "rejected metrics": ["server-1.some-other-unknown.metric", "server-1.new.metric"],
        "rejected metrics count": 2,
        "processed metrics": ["server-1.unknown.metric", "server-1.known.metric"],
        "processed metrics count": 2,
        "submitted metrics count": 4,
    }
    assert sorted(metric_names(api)) == ["server-1.known.metric", "server-1.unknown.metric"]
    assert [v for _, v in stored(api, "server-1.unknown.metric")] == [1.0]


def test_quota_single_metric_post_is_400_with_the_report(flux: Api, api: Api, org: Org) -> None:
    tenants.set_metric_quota(org.tenant, 0)
    reply = post(flux, {"key": org.admin, "metric": "over", "timestamp": int(time.time()), "value": 1})
    assert reply.status == 400
    assert reply.json["code"] == 400
    assert reply.json["rejected metrics"] == ["over"]
    assert reply.json["data"] == [{"metric": "over", "status": 400}]
    assert metric_names(api) == []


def test_no_quota_means_no_limit(flux: Api, api: Api, org: Org) -> None:
    tenants.set_metric_quota(org.tenant, 1)
    tenants.set_metric_quota(org.tenant, None)
    metrics = [{"metric": f"free.{i}", "value": i} for i in range(5)]
    assert post(flux, {"key": org.admin, "metrics": metrics}).status == 204
    assert len(metric_names(api)) == 5


# GET /flux/metric_data


def test_get_stores_one_point(flux: Api, api: Api, org: Org) -> None:
    now = int(time.time())
    reply = flux.get(GET, query={"key": org.admin, "metric": "get.metric", "timestamp": now, "value": "2.5"})
    assert (reply.status, reply.text) == (204, "")
    assert stored(api, "get.metric") == [(now, 2.5)]


def test_get_without_timestamp_means_now(flux: Api, api: Api, org: Org) -> None:
    assert flux.get(GET, query={"key": org.admin, "metric": "get.now", "value": 1}).status == 204
    assert len(stored(api, "get.now")) == 1


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"metric": "m", "value": 1, "colour": "red"}, 400, "Invalid parameter received - colour"),
        ({"metric": "m", "value": 1}, 400, "no key parameter passed"),
        ({"key": "KEY", "value": 1}, 400, "no metric parameter passed"),
        ({"key": "KEY", "metric": "m"}, 400, "no value parameter passed"),
        ({"key": "unknown", "metric": "m", "value": 1}, 401, "invalid key"),
        ({"key": "KEY", "metric": "m", "value": "abc"}, 400, "invalid value - abc"),
        ({"key": "KEY", "metric": "m/x", "value": 1}, 400, "invalid metric - m/x - invalid characters in name"),
        (
            {"key": "KEY", "metric": "m", "value": 1, "timestamp": "1.5"},
            400,
            "invalid timestamp - 1.5 - timestamp is not an int",
        ),
    ],
)
def test_get_errors(flux: Api, api: Api, org: Org, query: dict, status: int, message: str) -> None:
    if query.get("key") == "KEY":
        query = {**query, "key": org.admin}
    error(flux.get(GET, query=query), status, message)
    assert metric_names(api) == []


def test_get_fill_backfills(flux: Api, api: Api, org: Org) -> None:
    old = int(time.time()) - 7200
    query = {"key": org.admin, "metric": "get.fill", "value": 1, "timestamp": old, "fill": "true"}
    assert flux.get(GET, query=query).status == 204
    assert stored(api, "get.fill", start=old - 10) == [(old, 1.0)]


@pytest.mark.parametrize("ts", [-1, 10_000_000_000, 1478021700000])
def test_fill_still_needs_a_unix_time_in_seconds(flux: Api, org: Org, ts: int) -> None:
    metric = {"metric": "m", "timestamp": ts, "value": 1, "fill": "true"}
    check(flux, org, metric, ts_message(ts, "timestamp is not a valid current unix timestamp"))
