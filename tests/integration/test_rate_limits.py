"""Per-token rate limits: headers on every authenticated response, 429 past the limits, counters in DynamoDB."""

import json
import time
from collections.abc import Callable

import pytest

from polymetric.config import get_settings
from polymetric.domain import rate_limits, tenants
from polymetric.models.tenant import Principal, Role
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api

NOW = int(time.time()) - 60


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch, aws: object) -> Callable[..., None]:
    def set_limits(**values: int) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"RATE_LIMIT_{key.upper()}", str(value))
        get_settings.cache_clear()

    yield set_limits
    get_settings.cache_clear()


def _measure(count: int, name: str = "m") -> dict:
    return {"tags": {"h": "a"}, "measurements": [{"name": name, "value": i, "time": NOW - i} for i in range(count)]}


def _std(reply) -> dict[str, int]:
    return {k: int(v) for k, v in (part.split("=") for part in reply.headers["x-librato-ratelimit-std"].split(","))}


def test_every_authenticated_response_carries_the_headers(api: Api) -> None:
    for reply in (
        api.get("/v1/metrics"),
        api.get("/v1/metrics/nope"),  # an error answer too
        api.post("/v1/measurements", json_body=_measure(2)),
        api.get("/v1/organization"),
    ):
        assert int(reply.headers["x-ratelimit-limit"]) == 10_000, reply.headers
        assert 0 < int(reply.headers["x-ratelimit-remaining"]) < 10_000
        assert int(reply.headers["x-ratelimit-reset"]) > time.time()
        assert _std(reply)["limit"] == 10_000
    remaining = [int(api.get("/v1/metrics").headers["x-ratelimit-remaining"]) for _ in range(3)]
    assert remaining == [remaining[0], remaining[0] - 1, remaining[0] - 2]
    posted = api.post("/v1/measurements", json_body=_measure(3))
    assert "limit=1000000,remaining=" in posted.headers["x-librato-ratelimit-measurements"]
    assert "x-ratelimit-limit" not in Api(api.template, None).get("/v1/metrics").headers  # not authenticated


def test_over_the_request_limit_is_429_per_token(template: Template, org: Org, limits) -> None:
    limits(requests=3)
    api = Api(template, org.admin)
    assert [api.get("/v1/metrics").status for _ in range(3)] == [200, 200, 200]
    refused = api.get("/v1/metrics")
    assert refused.status == 429
    assert refused.json == {
        "errors": {"request": ["This API token is over its request rate limit: retry after the reset."]}
    }
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    other = tenants.create_token(org.tenant, Role.ADMIN, "other")
    assert Api(template, other).get("/v1/metrics").status == 200  # limits are per token
    # Through another dialect, in its own error shape.
    flux = api.post("/flux/metric_data_post", body=json.dumps({"key": org.admin, "metrics": []}), token=None)
    assert flux.status == 429


def test_the_counters_are_shared_through_dynamodb_not_process_memory(org: Org, limits) -> None:
    limits(requests=2)
    principal = Principal(org.tenant, Role.ADMIN, "shared")
    now = time.time()
    assert rate_limits.take_request(principal, now)[1]
    tenants.forget_cached_tokens()  # as another Lambda instance would start: nothing in memory
    budget, within = rate_limits.take_request(principal, now)
    assert within and budget.remaining == 0
    assert not rate_limits.take_request(principal, now)[1]
    later = now + get_settings().RATE_LIMIT_WINDOW
    budget, within = rate_limits.take_request(principal, later)  # a new window: whole again
    assert within and budget.remaining == 1


def test_a_measurement_post_over_the_limit_keeps_what_fits(api: Api, limits) -> None:
    limits(measurements=5)
    reply = api.post("/v1/measurements", json_body=_measure(8))
    assert reply.status == 429
    summary = reply.json["measurements"]["summary"]
    assert (summary["total"], summary["accepted"], summary["failed"]) == (8, 5, 3)
    assert len(reply.json["errors"]) == 3 and "rate limit" in reply.json["errors"][0]["reason"]
    assert reply.headers["x-librato-ratelimit-measurements"].startswith("limit=5,remaining=0,")
    assert "retry-after" in reply.headers
    stored = api.get("/v1/measurements/m", query={"start_time": NOW - 600, "resolution": 1}).json
    assert len(stored["series"][0]["measurements"]) == 5
    again = api.post("/v1/measurements", json_body=_measure(1, "n"))
    assert again.status == 429 and again.json["measurements"]["summary"]["accepted"] == 0


def test_a_tokens_counters_expire_a_day_after_its_last_window(org: Org, limits) -> None:
    """A deleted or idle token's counter item does not stay for ever (the Meta table's TTL on expires_at)."""
    import boto3

    from polymetric.config import get_settings
    from polymetric.storage import keys

    limits(requests=5)
    principal = Principal(org.tenant, Role.ADMIN, "expiring")
    now = time.time()
    assert rate_limits.take_request(principal, now)[1]
    pk, sk = keys.rate_limit(org.tenant, "expiring")
    item = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=get_settings().META_TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )["Item"]
    window_start = int(item["w"]["N"])
    assert int(item["expires_at"]["N"]) == window_start + 86400 > now


def _counter_updates(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every UpdateItem the rate-limit counters make, as sent."""
    from polymetric.storage import clients

    calls: list[dict] = []
    real = clients.dynamodb()

    class Spy:
        def __getattr__(self, name: str):
            return getattr(real, name)

        def update_item(self, **kwargs):
            if kwargs["Key"]["pk"]["S"].endswith("#RATE"):
                calls.append(kwargs)
            return real.update_item(**kwargs)

    monkeypatch.setattr(clients, "dynamodb", lambda: Spy())
    return calls


def test_a_measurement_post_counts_its_request_and_measurements_in_one_update(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two counter updates per post were a third of the local server's time under `make load`; one does both."""
    api.get("/v1/metrics")  # the window has started
    calls = _counter_updates(monkeypatch)
    before = int(api.get("/v1/metrics").headers["x-ratelimit-remaining"])
    calls.clear()
    posted = api.post("/v1/measurements", json_body=_measure(4))
    assert posted.status == 202
    assert len(calls) == 1 and calls[0]["UpdateExpression"].count(":n") == 2, calls
    assert int(posted.headers["x-ratelimit-remaining"]) == before - 1
    assert "remaining=" in posted.headers["x-librato-ratelimit-measurements"]
    assert int(api.get("/v1/metrics").headers["x-ratelimit-remaining"]) == before - 2


def test_a_measurement_post_over_the_request_limit_stores_nothing(template: Template, org: Org, limits) -> None:
    limits(requests=2)
    api = Api(template, org.admin)
    assert api.post("/v1/measurements", json_body=_measure(2, "kept")).status == 202
    assert api.get("/v1/metrics").status == 200
    refused = api.post("/v1/measurements", json_body=_measure(3, "refused"))
    assert refused.status == 429 and refused.headers["x-ratelimit-remaining"] == "0"
    assert "request rate limit" in refused.text
    assert "x-librato-ratelimit-measurements" not in refused.headers  # it wrote none
    limits(requests=100)
    assert api.get("/v1/metrics/refused").status == 404  # not created, nothing stored
    measurements = int(api.get("/v1/metrics").headers["x-ratelimit-remaining"])
    assert measurements >= 0
    posted = api.post("/v1/measurements", json_body=_measure(1, "after"))
    # The refused post's 3 measurements were given back: only the kept 2 and this 1 count.
    assert posted.headers["x-librato-ratelimit-measurements"].startswith("limit=1000000,remaining=999997,")


def test_an_argus_submission_over_the_request_limit_stores_no_record(template: Template, org: Org, limits) -> None:
    """Argus stores its records before their measurements: its request is counted first, as every route's."""
    from tests.integration.test_argus import DESCRIPTOR, call, record, search, submit

    api = Api(template, org.admin)
    assert call(api, "POST", "/metrics/v1/descriptor", org.admin, DESCRIPTOR).status == 201
    limits(requests=1)
    assert api.get("/v1/metrics").status in (200, 429)  # the window's allowance is used up
    assert submit(api, org.admin, [record()]).status == 429
    limits(requests=100)
    assert search(api, org.admin).json["count"] == 0


def test_a_server_error_over_the_request_limit_stays_a_server_error(
    template: Template, org: Org, limits, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.domain import ingest
    from polymetric.errors import StorageError

    api = Api(template, org.admin)
    limits(requests=1)
    assert api.get("/v1/metrics").status == 200

    def broken(*args, **kwargs):
        raise StorageError("the table is unavailable")

    monkeypatch.setattr(ingest, "accept", broken)
    reply = api.post("/v1/measurements", json_body=_measure(2))
    assert reply.status >= 500, reply.text


def test_the_errors_of_a_post_come_in_request_order_whoever_refused_them(api: Api, limits) -> None:
    limits(measurements=1)
    body = _measure(3)
    body["measurements"].append({"name": "bad name", "value": 1, "time": NOW})
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 429
    assert [e["index"] for e in reply.json["errors"]] == [1, 2, 3], reply.json


def _points(api: Api, *names: str) -> int:
    found = 0
    for name in names:
        reply = api.get(f"/v1/measurements/{name}", query={"start_time": NOW - 3600, "resolution": 1})
        found += sum(len(s["measurements"]) for s in reply.json["series"]) if reply.status == 200 else 0
    return found


def test_the_atomic_dialects_past_the_measurement_limit_store_nothing_and_say_429(
    template: Template, org: Org, limits
) -> None:
    """Anomify, OddEye, CloudWisdom, Argus and the legacy Librato post are all-or-nothing: a request that does not
    fit the token's measurement budget is a 429 in its dialect's shape, not a 2xx that kept part of it."""
    from tests.integration.test_argus import DESCRIPTOR, call, record, search, submit

    api, anonymous = Api(template, org.admin), Api(template, None)
    assert call(api, "POST", "/metrics/v1/descriptor", org.admin, DESCRIPTOR).status == 201
    limits(measurements=5)
    names = [f"lim.m{i}" for i in range(8)]
    anomify = {"key": org.admin, "metrics": [{"metric": n, "timestamp": NOW, "value": 1} for n in names]}
    oddeye = json.dumps([{"metric": n, "tags": {"host": "h"}, "timestamp": NOW, "value": 1} for n in names])
    element = {"id": "e1", "type": "server", "name": "E1"}
    cloudwisdom = [{**element, "samples": [{"metricId": f"m{i}", "timestamp": NOW * 1000, "val": i} for i in range(8)]}]
    replies = {
        "anomify": anonymous.post("/flux/metric_data_post", body=json.dumps(anomify)),
        "oddeye": anonymous.post("/oddeye-barlus/put/tsdb", form=f"UUID={org.admin}&data={oddeye}"),
        "cloudwisdom": anonymous.post(
            f"/ingest/{org.admin}", body=json.dumps(cloudwisdom), content_type="application/json"
        ),
        "argus": submit(api, org.admin, [record(vlan=str(v), ts=(NOW - v) * 1000) for v in range(3)]),  # 6 values
        "librato": api.post("/v1/metrics", json_body={"gauges": [{"name": n, "value": 1} for n in names]}),
    }
    assert {k: r.status for k, r in replies.items()} == dict.fromkeys(replies, 429), {
        k: r.text for k, r in replies.items()
    }
    assert _points(api, *names, *(f"e1.m{i}" for i in range(8)), "netflow.packages", "netflow.frames") == 0
    assert search(api, org.admin).json["count"] == 0
    # What fits is kept: the budget was given back whole
    assert anonymous.post(
        "/flux/metric_data_post", body=json.dumps({**anomify, "metrics": anomify["metrics"][:5]})
    ).status in (200, 204)
    assert _points(api, *names) == 5


def test_a_reservation_the_writes_do_not_spend_goes_back(org: Org, limits) -> None:
    """Argus reserves every value of a submission, then writes only new records' (dedup ``first``): what a
    request reserved and did not write is returned to the token's budget when the request ends."""
    from polymetric.domain import token_scope
    from polymetric.models.measurement import Measurement

    limits(measurements=10)
    principal = Principal(org.tenant, Role.ADMIN, "reserving")
    with token_scope.writing_as(principal, {}):
        token_scope.reserve(8)
        token_scope.limit([Measurement("m", {"h": "a"}, NOW, 1.0, None, {})] * 3)  # spends 3 of the 8
    allowed, budgets, _ = rate_limits.take_measurements(principal, 7)
    assert allowed == 7 and budgets["measurements"].remaining == 0  # 3 used + 7 = the limit: the 5 unspent came back
