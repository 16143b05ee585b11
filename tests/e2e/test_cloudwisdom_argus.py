"""CloudWisdom over plain HTTP and Argus through the real argus-api client, read back through the AppOptics API."""

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from argus_api.exceptions.http import AuthenticationFailedException, ValidationErrorException
from argus_api.lib.metrics.v1 import descriptor as descriptors
from argus_api.lib.metrics.v1.metric import metric as metrics
from argus_api.session import ArgusAPISession

from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call

NOW_MS = int(time.time() * 1000)
T0 = NOW_MS - NOW_MS % 60_000 - 300_000


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> Answer:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def measurements(server: LocalRuntime, name: str, start: int) -> list[dict[str, Any]]:
    got = call(f"{server.url}/v1/measurements/{name}?start_time={start}&resolution=60", token=server.admin_token)
    assert got.status == 200, got.body
    return got.json["series"]


# --- CloudWisdom ------------------------------------------------------------------------------------------


def test_cloudwisdom_elements_land_in_the_one_store(server: LocalRuntime) -> None:
    body = [
        {
            "id": "e2e-cw-host",
            "type": "SERVER",
            "tags": [{"name": "env", "value": "prod"}],
            "metrics": [{"id": "cpu", "sparseDataStrategy": "ReplaceWithZero"}],
            "samples": [{"metricId": "cpu", "timestamp": T0, "val": 14.0}],
        }
    ]
    reply = post(
        f"{server.url}/ingest/infrastructure/{server.admin_token}",
        body,
        {"X-Netuitive-Api-Options": "SEND_RESPONSE_BODY"},
    )
    assert reply.status == 202
    assert reply.json["detail"] == "1 elements received"
    (series,) = measurements(server, "e2e-cw-host.cpu", T0 // 1000)
    assert series["tags"] == {"env": "prod", "type": "SERVER"}
    points = series["measurements"]
    assert points[0] == {"time": T0 // 1000, "value": 14.0}
    assert points[1] == {"time": T0 // 1000 + 60, "value": 0.0}  # sparseDataStrategy ReplaceWithZero


def test_cloudwisdom_202_without_body_and_errors_in_the_envelope(server: LocalRuntime) -> None:
    ok = post(
        f"{server.url}/ingest/{server.admin_token}",
        [{"id": "e2e-cw-2", "type": "t", "samples": [{"metricId": "m", "val": 1}]}],
        {"X-Netuitive-Api-Options": "INJECT_TIMESTAMP"},
    )
    assert ok.status == 202 and ok.body == b""
    bad = post(f"{server.url}/ingest/{server.admin_token}", b"{nope")
    assert bad.status == 400 and bad.json["detail"] == "Error Parsing JSON Request"
    unknown = post(f"{server.url}/ingest/not-a-token", [])
    assert unknown.status == 401 and unknown.json["message"] == "UNAUTHORIZED"


def test_cloudwisdom_events_and_checks(server: LocalRuntime) -> None:
    events = [
        {"timestamp": T0, "title": "deploy", "type": "INFO", "data": {"elementId": "e2e-cw-host", "message": "v2"}}
    ]
    assert post(f"{server.url}/ingest/events/{server.admin_token}", events).status == 202
    assert post(f"{server.url}/check/{server.admin_token}/heartbeat/e2e-cw-host/300", b"").status == 202


# --- Argus (argus-api 5.1.0) ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session(server: LocalRuntime) -> ArgusAPISession:
    return ArgusAPISession(auth=server.admin_token, api_url=server.url)


def test_argus_client_creates_submits_searches_and_aggregates(server: LocalRuntime, session: ArgusAPISession) -> None:
    created = descriptors.add_metric_descriptor(
        adminFunction="admin",
        readFunction="read",
        writeFunction="write",
        shortName="e2e.netflow",
        description="Packets per VLAN",
        keys=[
            {"name": "ipAddress", "type": "ip", "description": "source", "language": "english", "translator": "none"},
            {"name": "vlan", "type": "integer", "description": "vlan", "language": "english", "translator": "none"},
        ],
        values=[
            {"name": "packages", "description": "packets", "unit": "count", "defaultAggregationFunction": "sum"},
            {"name": "frames", "description": "frames", "unit": "count", "defaultAggregationFunction": "sum"},
        ],
        api_session=session,
    )
    assert created["responseCode"] == 201 and created["data"]["shortName"] == "e2e.netflow"
    assert descriptors.get_metric_descriptor("e2e.netflow", api_session=session)["data"]["id"] == created["data"]["id"]
    assert descriptors.get_metric_descriptors(api_session=session)["count"] >= 1
    records = [
        {
            "timestamp": T0 + i * 60_000,
            "keys": {"ipAddress": f"10.10.0.{i}", "vlan": str(100 + i % 2)},
            "values": {"packages": i, "frames": 2 * i},
        }
        for i in range(1, 5)
    ]
    submitted = metrics.submit_metric("e2e.netflow", records=records, api_session=session)
    assert submitted["data"] == {"success": 4, "failed": 0, "errorInformationList": []}

    found = metrics.search_metrics(
        "e2e.netflow", startTimestamp=str(T0), keys={"vlan": "101"}, sortBy=["-packages"], api_session=session
    )
    assert found["count"] == 2
    assert [r["values"][0]["value"] for r in found["data"]] == [3, 1]

    aggregated = metrics.aggregate_metrics(
        "e2e.netflow",
        startTimestamp=str(T0),
        values=[{"name": "packages", "aggregationFunction": "sum"}],
        groupBy=[{"key": "vlan", "limit": 5}],
        resolution=0,
        api_session=session,
    )
    assert [(b["keys"][0]["value"], b["values"][0]["value"]) for b in aggregated["data"]] == [("100", 6), ("101", 4)]

    (series_1,) = [
        s for s in measurements(server, "e2e.netflow.packages", T0 // 1000) if s["tags"]["ipAddress"] == "10.10.0.1"
    ]
    assert series_1["measurements"] == [{"time": T0 // 1000 + 60, "value": 1.0}]


def test_argus_client_sees_412_and_401(server: LocalRuntime, session: ArgusAPISession) -> None:
    with pytest.raises(ValidationErrorException) as raised:
        metrics.submit_metric(
            "e2e.netflow", records=[{"keys": {"vlan": "1"}, "values": {"packages": 1}}], api_session=session
        )
    assert raised.value.status_code == 412
    with pytest.raises(AuthenticationFailedException):
        descriptors.get_metric_descriptors(api_session=ArgusAPISession(auth="wrong", api_url=server.url))
