"""Plain HTTP against the local server: the README's curl flows, form bodies, errors, persistence."""

import json
import time

from polymetric_local.server import LocalRuntime
from tests.e2e.http import call


def test_post_then_get_with_group_by(server: LocalRuntime) -> None:
    now = int(time.time()) // 60 * 60 - 60
    body = {
        "tags": {"region": "us-west", "name": "web-prod-3"},
        "time": now,
        "measurements": [
            {"name": "e2e.http.cpu", "value": 4.5},
            {"name": "e2e.http.cpu", "value": 5.5, "tags": {"region": "us-east"}},
        ],
    }
    posted = call(
        f"{server.url}/v1/measurements",
        "POST",
        token=server.admin_token,
        body=json.dumps(body).encode(),
        content_type="application/json",
    )
    assert posted.status == 202
    assert posted.json["measurements"]["summary"]["accepted"] == 2
    got = call(
        f"{server.url}/v1/measurements/e2e.http.cpu?start_time={now}&resolution=60&group_by=*&group_by_function=sum",
        token=server.admin_token,
    )
    assert got.status == 200
    assert got.headers["content-type"] == "application/json"
    assert got.json["series"] == [{"tags": {}, "measurements": [{"time": now, "value": 10.0}]}]


def test_repeated_query_keys_reach_the_handler(server: LocalRuntime) -> None:
    now = int(time.time()) - 30
    for region in ("us-east", "us-west", "eu-west"):
        call(
            f"{server.url}/v1/measurements",
            "POST",
            token=server.admin_token,
            content_type="application/json",
            body=json.dumps(
                {"measurements": [{"name": "e2e.http.multi", "value": 1, "time": now, "tags": {"region": region}}]}
            ).encode(),
        )
    got = call(
        f"{server.url}/v1/measurements/e2e.http.multi?duration=600&resolution=1"
        "&tags%5Bregion%5D=us-east&tags%5Bregion%5D=eu-west",
        token=server.admin_token,
    )
    assert sorted(s["tags"]["region"] for s in got.json["series"]) == ["eu-west", "us-east"]


def test_form_encoded_metric_put_and_stage_prefix(server: LocalRuntime) -> None:
    put = call(
        f"{server.url}/Prod/v1/metrics/e2e.http.temp",
        "PUT",
        token=server.admin_token,
        body=b"display_name=Temperature+in+Celsius&attributes%5Bdisplay_min%5D=0",
        content_type="application/x-www-form-urlencoded",
    )
    assert put.status == 201
    assert put.headers["location"] == "/v1/metrics/e2e.http.temp"
    metric = call(f"{server.url}/v1/metrics/e2e.http.temp", token=server.admin_token).json
    assert (metric["display_name"], metric["attributes"]["display_min"]) == ("Temperature in Celsius", 0)


def test_errors_are_json_in_the_appoptics_shape(server: LocalRuntime) -> None:
    assert call(f"{server.url}/v1/metrics").json == {
        "errors": {"request": ["Please provide credentials for authentication."]}
    }
    bad = call(
        f"{server.url}/v1/measurements",
        "POST",
        token=server.admin_token,
        body=b"{nope",
        content_type="application/json",
    )
    assert bad.status == 400
    assert "errors" in bad.json
    assert call(f"{server.url}/v1/metrics/e2e.none", token=server.admin_token).status == 404
