"""API tokens and environments under the local server, over HTTP, as a new user would use them."""

import json
import time

from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _post(server: LocalRuntime, path: str, token: str | None, body: object, content_type: str = JSON) -> Answer:
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return call(f"{server.url}{path}", "POST", token=token, body=raw, content_type=content_type)


def test_a_recorder_token_bound_to_an_environment_then_deactivated(server: LocalRuntime) -> None:
    admin = server.admin_token
    assert _post(server, "/v1/environments", admin, {"name": "e2e-prod"}).status == 201
    created = _post(server, "/v1/api_tokens", admin, "name=e2e agent&role=recorder&environment=e2e-prod", FORM)
    assert created.status == 201
    token, token_id = created.json["token"], created.json["id"]
    now = int(time.time()) - 30

    posted = _post(
        server,
        "/v1/measurements",
        token,
        {"tags": {"host": "a"}, "measurements": [{"name": "e2e.acct.cpu", "value": 1, "time": now}]},
    )
    assert posted.status == 202
    assert posted.headers["x-ratelimit-limit"] and posted.headers["x-librato-ratelimit-std"].startswith("limit=")
    flux = {"key": token, "metrics": [{"metric": "e2e.acct.flux", "timestamp": now, "value": 2.0}]}
    assert _post(server, "/flux/metric_data_post", None, flux).status == 204
    assert call(f"{server.url}/v1/metrics", token=token).status == 403  # a recorder cannot read
    assert _post(server, "/v1/api_tokens", token, {"name": "mine", "role": "admin"}).status == 403

    for name in ("e2e.acct.cpu", "e2e.acct.flux"):
        read = call(f"{server.url}/v1/measurements/{name}?start_time={now - 60}&resolution=60", token=admin).json
        assert read["series"][0]["tags"]["environment"] == "e2e-prod", read

    deactivated = call(
        f"{server.url}/v1/api_tokens/{token_id}", "PUT", token=admin, body=b"active=false", content_type=FORM
    )
    assert deactivated.status == 200 and deactivated.json["active"] is False
    assert _post(server, "/v1/measurements", token, {"measurements": [{"name": "x", "value": 1}]}).status == 401
    assert _post(server, "/flux/metric_data_post", None, flux).status == 401
    assert _post(server, f"/ingest/{token}", None, [{"id": "e", "name": "e", "type": "server"}]).status == 401
    oddeye = _post(server, "/oddeye-barlus/put/tsdb", None, f"UUID={token}&data=[]", FORM)
    assert oddeye.status == 424  # OddEye's own answer to an unknown credential
    listed = call(f"{server.url}/v1/api_tokens/{token_id}", token=admin).json["api_tokens"][0]
    assert listed["token"] != token and "*" in listed["token"]
