"""A POST of any size API Gateway accepts is stored or refused with a 4xx, never a 5xx (moto refuses
items over DynamoDB's 400 KB, like AWS: polymetric_local.limits)."""

import random
import time

import pytest

from polymetric.errors import StorageError
from polymetric.storage import registry, samples
from tests.conftest import Org
from tests.integration.api import Api


def big_body(count: int, hour: int, seed: int = 1) -> dict:
    """``count`` full-precision floats of one metric in one hour, each of its own series."""
    rnd = random.Random(seed)
    return {
        "measurements": [
            {"name": "big", "value": rnd.random() * 100, "time": hour + i % 3600, "tags": {"host": f"h{i:05d}"}}
            for i in range(count)
        ]
    }


def test_post_35k_measurements_of_one_metric_hour_is_stored(api: Api) -> None:
    hour = int(time.time()) // 3600 * 3600
    body = big_body(35_000, hour)
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202, reply.text
    assert reply.json["measurements"]["summary"]["accepted"] == 35_000
    got = api.get("/v1/measurements/big", query={"start_time": hour, "resolution": 1, "tags[host]": "h00007"})
    assert got.status == 200, got.text
    (series,) = got.json["series"]
    sent = [(m["time"], m["value"]) for m in body["measurements"] if m["tags"]["host"] == "h00007"]
    assert [(p["time"], p["value"]) for p in series["measurements"]] == sent


def test_series_are_registered_only_with_their_data(api: Api, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise StorageError("throttled")

    monkeypatch.setattr(samples, "write_slabs", fail)
    reply = api.post("/v1/measurements", json_body={"measurements": [{"name": "m", "value": 1, "tags": {"a": "b"}}]})
    assert reply.status == 503
    assert registry.load(org.tenant, "m") == []
