"""A POST of many rows for one metric-hour writes them by shard: a read of one series reads its shard only;
compaction, last-write-wins and deletes see every shard."""

import time

import pytest

from polymetric.config import get_settings
from polymetric.domain import metrics
from polymetric.models.series import series_id
from polymetric.storage import keys, samples
from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.compaction_helpers import run_compaction, scan, stored_series

SERIES = 300


@pytest.fixture(autouse=True)
def _small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(samples, "SHARD_ROWS", 100)  # 300 rows shard, as 16,384 would in production


def post(api: Api, t: int, hosts: range, value: float) -> None:
    body = {
        "measurements": [{"name": "wide", "value": value + i, "time": t, "tags": {"host": f"h{i:03d}"}} for i in hosts]
    }
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202, reply.text


def values(api: Api, start: int, host: str) -> list[float]:
    reply = api.get("/v1/measurements/wide", query={"start_time": start, "resolution": 1, "tags[host]": host})
    assert reply.status == 200, reply.text
    return [p["value"] for s in reply.json["series"] for p in s["measurements"]]


def test_one_series_reads_its_shard_and_later_writes_win(api: Api, org: Org) -> None:
    now = int(time.time())
    hour = keys.hour_of(now)
    post(api, now - 10, range(1), 1.0)  # small: the main partition
    post(api, now - 10, range(SERIES), 100.0)  # large: sharded, overwrites h000
    post(api, now - 5, range(1), 7.0)
    sid = series_id(org.tenant, "wide", {"host": "h000"})
    slabs = samples.read_hour(org.tenant, "wide", hour, [sid])
    assert len(slabs.keys) == 3  # two small slabs and h000's shard of the large one
    assert values(api, now - 60, "h000") == [100.0, 7.0]
    assert values(api, now - 60, "h123") == [223.0]


def test_compaction_sees_every_shard(api: Api) -> None:
    h = keys.hour_of(int(time.time())) - 3 * keys.HOUR  # closed: late data, compacted at the next tick
    post(api, h + 60, range(SERIES), 0.0)
    assert run_compaction()["failures"] == []
    assert sorted(start for _, start, _ in stored_series("B")) == [h] * SERIES
    assert values(api, h, "h299") == [299.0]


def test_delete_sees_every_shard(api: Api, org: Org) -> None:
    post(api, int(time.time()) - 10, range(SERIES), 0.0)
    metrics.delete(org.tenant, ["wide"])  # (through the API a metric this wide is deleted by a job)
    assert [i for i in scan(get_settings().SAMPLES_TABLE) if "#M#wide#H#" in i["pk"]["S"]] == []
