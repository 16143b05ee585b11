"""Anomify, OddEye and legacy Librato over HTTP against the local server, read back through the AppOptics API."""

import gzip
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import librato

from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call


def send(url: str, method: str, body: bytes | None, headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def points(server: LocalRuntime, name: str, since: int, **tags: str) -> list[tuple[dict, int, float]]:
    query = f"start_time={since}&resolution=1" + "".join(f"&tags%5B{k}%5D={v}" for k, v in tags.items())
    got = call(f"{server.url}/v1/measurements/{name}?{query}", token=server.admin_token)
    assert got.status == 200, got.body
    return [(s["tags"], p["time"], p["value"]) for s in got.json["series"] for p in s["measurements"]]


def test_anomify_seed_curl_post(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    body = {
        "key": server.admin_token,
        "metrics": [
            {"metric": "e2e.flux.nginx-1.cpu.user", "timestamp": now, "value": 1.0},
            {"metric": "e2e.flux.nginx-2.cpu.user", "timestamp": now, "value": 0.2},
        ],
    }
    reply = send(
        f"{server.url}/flux/metric_data_post", "POST", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    assert (reply.status, reply.body) == (204, b"")
    assert points(server, "e2e.flux.nginx-1.cpu.user", now - 10) == [({}, now, 1.0)]
    assert points(server, "e2e.flux.nginx-2.cpu.user", now - 10) == [({}, now, 0.2)]


def test_anomify_gzip_with_key_header_as_telegraf_sends_it(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    raw = gzip.compress(json.dumps({"metrics": [{"metric": "e2e.flux.gz", "timestamp": now, "value": 42}]}).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "key": server.admin_token}
    reply = send(f"{server.url}/flux/metric_data_post", "POST", raw, headers)
    assert reply.status == 204, reply.body
    assert points(server, "e2e.flux.gz", now - 10) == [({}, now, 42.0)]


def test_anomify_errors_over_http(server: LocalRuntime) -> None:
    url = f"{server.url}/flux/metric_data_post"
    big = send(url, "POST", b"x" * (1024 * 1024 + 1), {"Content-Type": "application/json"})
    assert (big.status, big.json) == (413, {"code": 413, "message": "payload too large"})
    bad = send(url, "POST", json.dumps({"key": "nope", "metric": "m", "timestamp": 1, "value": 1}).encode(), {})
    assert (bad.status, bad.json) == (401, {"code": 401, "message": "invalid key"})
    body = {
        "key": server.admin_token,
        "metrics": [{"metric": "e2e.flux.atomic", "value": 1}, {"metric": "x", "value": "abc"}],
    }
    atomic = send(url, "POST", json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert (atomic.status, atomic.json) == (400, {"code": 400, "message": "invalid value - abc"})
    assert call(f"{server.url}/v1/metrics/e2e.flux.atomic", token=server.admin_token).status == 404


def test_anomify_get(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    url = f"{server.url}/flux/metric_data?metric=e2e.flux.get&value=7&timestamp={now}&key={server.admin_token}"
    assert send(url, "GET", None, {}).status == 204
    assert points(server, "e2e.flux.get", now - 10) == [({}, now, 7.0)]
    unknown = send(f"{server.url}/flux/metric_data?metric=m&value=1&colour=red", "GET", None, {})
    assert (unknown.status, unknown.json) == (400, {"code": 400, "message": "Invalid parameter received - colour"})


def test_oddeye_agent_form_unencoded(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    checks = [
        {
            "metric": "e2e.oddeye.load",
            "reaction": 0,
            "tags": {"host": "host.domain.com", "cluster": "c 1"},
            "timestamp": now,
            "type": "Rate",
            "value": 12,
        },
        {
            "metric": "e2e.oddeye.nginx",
            "status": "ERROR",
            "message": "refused",
            "tags": {"host": "hobbit"},
            "timestamp": now,
            "type": "Special",
            "value": 0,
        },
        {"metric": "e2e.oddeye.untagged", "timestamp": now, "value": 1},
    ]
    form = ("UUID=" + server.admin_token + "&data=" + json.dumps(checks)).encode()
    reply = send(
        f"{server.url}/oddeye-barlus/put/tsdb", "POST", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 200
    assert reply.body == b' {"state":"OK", "advansed":[{"message":"tags not exist in input"}]}\n'
    assert reply.headers["content-type"] == "json;charset=UTF-8"
    assert points(server, "e2e.oddeye.load", now - 10) == [({"host": "host.domain.com", "cluster": "c 1"}, now, 12.0)]
    assert call(f"{server.url}/v1/metrics/e2e.oddeye.nginx", token=server.admin_token).status == 404


def test_oddeye_get_and_codes(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    data = json.dumps([{"metric": "e2e.oddeye.get", "tags": {"host": "h"}, "timestamp": now, "value": 3}])
    query = urllib.parse.urlencode({"UUID": server.admin_token, "data": data})
    reply = send(f"{server.url}/oddeye-barlus/put/tsdb?{query}", "GET", None, {})
    assert (reply.status, reply.body) == (200, b' {"state":"OK"}\n')
    assert points(server, "e2e.oddeye.get", now - 10) == [({"host": "h"}, now, 3.0)]
    empty = send(f"{server.url}/oddeye-barlus/put/tsdb", "POST", b"UUID=&data=[]", {})
    assert (empty.status, empty.body) == (406, b' {"state":"FAILURE",messge:"EMPTY UUID"}\n')
    unknown = send(f"{server.url}/oddeye-barlus/put/tsdb", "POST", b"UUID=nobody&data=[]", {})
    assert (unknown.status, unknown.body) == (424, b' {"state":"FAILURE",messge:"NOT VALID UUID"}\n')


def test_librato_client_untagged_submit_and_queue_use_the_legacy_route(server: LocalRuntime, host: str) -> None:
    api = librato.connect("me@example.com", server.admin_token, hostname=host, protocol="http")
    since = int(time.time()) - 5
    api.submit("e2e.legacy.gauge", 3.5)
    api.submit("e2e.legacy.sourced", 4, source="web-1")
    api.submit("e2e.legacy.counter", 100, type="counter", source="web-1")
    queue = api.new_queue()
    queue.add("e2e.legacy.queued", 1, source="q1")
    queue.add("e2e.legacy.queued", 2, source="q2")
    queue.add("e2e.legacy.queued.counter", 7, type="counter")
    queue.submit()
    assert [(t, v) for t, _, v in points(server, "e2e.legacy.gauge", since)] == [({}, 3.5)]
    assert [(t, v) for t, _, v in points(server, "e2e.legacy.sourced", since)] == [({"source": "web-1"}, 4.0)]
    assert [(t, v) for t, _, v in points(server, "e2e.legacy.counter", since)] == [({"source": "web-1"}, 100.0)]
    queued = sorted((t["source"], v) for t, _, v in points(server, "e2e.legacy.queued", since))
    assert queued == [("q1", 1.0), ("q2", 2.0)]
    assert [v for _, _, v in points(server, "e2e.legacy.queued.counter", since)] == [7.0]


def test_legacy_route_with_plain_http(server: LocalRuntime) -> None:
    now = int(time.time()) - 5
    body = {
        "source": "statsd",
        "measure_time": now,
        "gauges": [{"name": "e2e.legacy.timer", "count": 2, "sum": 10, "min": 4, "max": 6}],
    }
    reply = call(
        f"{server.url}/v1/metrics",
        "POST",
        token=server.admin_token,
        body=json.dumps(body).encode(),
        content_type="application/json",
    )
    assert (reply.status, reply.body) == (200, b"")
    assert points(server, "e2e.legacy.timer", now - 10) == [({"source": "statsd"}, now, 5.0)]


def test_binary_bodies_reach_appoptics_routes_too(server: LocalRuntime) -> None:
    """BinaryMediaTypes */* makes every body base64 in the event; the AppOptics POST still reads it."""
    body = {"tags": {"h": "b64"}, "measurements": [{"name": "e2e.b64", "value": 1}]}
    reply = call(
        f"{server.url}/v1/measurements",
        "POST",
        token=server.admin_token,
        body=json.dumps(body).encode(),
        content_type="application/json",
    )
    assert reply.status == 202
