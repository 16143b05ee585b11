"""Compaction and storage tiers: closed hours become blocks and rollups; reads are the same before and after."""

import time

import pytest

from polymetric.config import get_settings
from polymetric.domain import compaction, folding
from polymetric.storage import keys, samples
from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.compaction_helpers import chunk_items, run_compaction, scan, stored_series

NOW = int(time.time())
H = keys.hour_of(NOW) - 3 * keys.HOUR  # a closed hour, three hours ago
FUNCTIONS = ("mean", "sum", "min", "max", "count", "stddev", "derivative", "all")


def post(api: Api, *measurements: dict) -> None:
    reply = api.post("/v1/measurements", json_body={"measurements": list(measurements)})
    assert reply.status == 202, reply.text


def read(api: Api, name: str, start: int, end: int, resolution: int, **query: object) -> dict:
    reply = api.get(
        f"/v1/measurements/{name}", query={"start_time": start, "end_time": end, "resolution": resolution, **query}
    )
    assert reply.status == 200, reply.text
    return reply.json


def close(a: object, b: object, path: str = "") -> None:
    """Equal, but floats within 1e-9 relative (rollups sum in another order than raw samples)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            close(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-9), path
    else:
        assert a == b, path


@pytest.fixture
def mixed(api: Api) -> Api:
    """Three series over two closed hours: gauges every minute, a summary series, and a gap."""
    rows = []
    for minute in range(120):
        t = H - keys.HOUR + 60 * minute
        rows.append(
            {
                "name": "lat",
                "value": round(10 + (minute * 7919 % 97) / 10, 1),
                "time": t,
                "tags": {"host": "a", "az": "1"},
            }
        )
        if minute % 3:
            rows.append({"name": "lat", "value": float(minute % 11), "time": t + 5, "tags": {"host": "b", "az": "1"}})
        if minute % 10 == 0:
            rows.append(
                {
                    "name": "lat",
                    "count": 4,
                    "sum": 8.0 + minute,
                    "min": 1.0,
                    "max": 9.5,
                    "last": 2.0,
                    "stddev": 1.5,
                    "time": t,
                    "tags": {"host": "c", "az": "2"},
                }
            )
    post(api, *rows)
    return api


def snapshot(api: Api) -> dict:
    start, end = H - keys.HOUR, H + keys.HOUR - 1
    out = {}
    for resolution in (1, 60, 300, 3600, 7200, 86400):
        for function in FUNCTIONS:
            out[(resolution, function)] = read(api, "lat", start, end, resolution, summary_function=function)
        out[(resolution, "group")] = read(api, "lat", start, end, resolution, group_by="az", group_by_function="max")
    return out


def test_reads_are_identical_before_and_after_compaction(mixed: Api) -> None:
    before = snapshot(mixed)
    result = run_compaction()
    assert result["queued"] == 2 and result["handled"] == 2 and result["failures"] == []
    assert samples.pending_hours_all() == {}
    close(snapshot(mixed), before)


def test_compaction_stores_every_series_hour_in_one_chunk_per_metric_hour(mixed: Api, org: Org) -> None:
    run_compaction()
    assert stored_series("R") == []  # the day is not over: its rollups wait for its fold
    folding.fold_through(org.tenant, "lat", keys.day_of(H), NOW, None)
    blocks, rollups = stored_series("B"), stored_series("R")
    assert len(blocks) == 6 and len(set(blocks)) == 6  # 3 series × 2 hours, each once
    assert len(chunk_items("B")) == 2  # small hours: one chunk each
    days = {(keys.day_of(start), sid) for _, start, sid in blocks}
    assert sorted((keys.day_of(start), sid) for _, start, sid in rollups) == sorted(days)  # a row set per series-day
    assert not [i for i in scan(get_settings().SAMPLES_TABLE) if i["pk"]["S"].endswith("#HOURS")]


def test_ttls_are_set_per_tier(mixed: Api) -> None:
    run_compaction()
    for item in scan(get_settings().SAMPLES_TABLE):
        sk, ttl, kind = item["sk"]["S"], int(item["ttl"]["N"]), item["pk"]["S"].split("#")[4]
        if kind == "B":
            assert ttl == int(sk.split("#")[0]) + keys.HOUR + 32 * keys.DAY
        elif kind == "R":
            assert ttl == int(sk.split("#")[0]) + keys.DAY + 558 * keys.DAY
        elif "#H#" in item["pk"]["S"]:  # hot slab: 2 days after the hour ends, or after its arrival when later
            hour = int(item["pk"]["S"].rsplit("#", 1)[1])
            arrival = int(item["sk"]["S"].split("#")[0]) // 1000
            assert abs(ttl - (max(hour + keys.HOUR, arrival) + 2 * keys.DAY)) <= 1


def test_rerunning_compaction_changes_nothing(mixed: Api) -> None:
    run_compaction()
    first = {(i["pk"]["S"], i["sk"]["S"]): i for i in scan(get_settings().SAMPLES_TABLE)}
    # A duplicated message for an hour already done is a no-op; a forced re-merge writes the same bytes.
    tenant = next(iter(first))[0].split("#")[1]
    assert compaction.compact(compaction.HourJob(tenant, "lat", H)).items_written == 0
    samples.write_hour_marker(tenant, "lat", H)
    assert compaction.compact(compaction.HourJob(tenant, "lat", H)).done
    assert {(i["pk"]["S"], i["sk"]["S"]): i for i in scan(get_settings().SAMPLES_TABLE)} == first


def test_open_hours_are_not_compacted(api: Api) -> None:
    now = int(time.time())  # not the module's NOW: collection may be minutes earlier
    post(api, {"name": "open", "value": 1, "time": now - 30, "tags": {"h": "a"}})
    assert run_compaction()["queued"] == 0
    assert run_compaction(now=now + 2 * keys.HOUR)["failures"] == []  # two hours later its round runs
    assert [start for _, start, _ in stored_series("B")] == [keys.hour_of(now - 30)]


def test_late_data_is_merged_and_the_last_write_wins(mixed: Api) -> None:
    run_compaction()
    post(
        mixed,
        {"name": "lat", "value": 999.0, "time": H, "tags": {"host": "a", "az": "1"}},
        {"name": "lat", "value": 5.0, "time": H + 1, "tags": {"host": "z", "az": "9"}},
    )
    before = snapshot(mixed)
    points = read(mixed, "lat", H, H + 59, 1, **{"tags[host]": "a"})["series"][0]["measurements"]
    assert points == [{"time": H, "value": 999.0}]
    assert run_compaction()["handled"] == 1
    close(snapshot(mixed), before)
    assert len(read(mixed, "lat", H, H + 59, 1)["series"]) == 3  # hosts a, c and the late z


def test_a_write_during_compaction_keeps_the_hour_pending(mixed: Api, org: Org) -> None:
    token = samples.pending_hours(org.tenant, "lat", H, H)[H]
    samples.write_hour_marker(org.tenant, "lat", H)  # a late write rewrites the token
    assert not samples.forget_hour(org.tenant, "lat", H, token)
    assert H in samples.pending_hours(org.tenant, "lat", H, H)


def test_service_side_aggregation_combines_writes_once(api: Api) -> None:
    api.put("/v1/metrics/ssa", json_body={"period": 60, "attributes": {"aggregate": True}})
    for value in (1.0, 2.0, 6.0):
        post(api, {"name": "ssa", "value": value, "time": H + 10, "tags": {"h": "a"}})
    post(api, {"name": "ssa", "value": 3.0, "time": H + 50, "tags": {"h": "a"}})
    expected = {"count": 4.0, "sum": 12.0, "min": 1.0, "max": 6.0}

    def point() -> dict:
        return read(api, "ssa", H, H + 59, 1, summary_function="all")["series"][0]["measurements"]

    assert len(point()) == 1 and {k: point()[0][k] for k in expected} == expected
    run_compaction()
    assert chunk_items("B")
    assert {k: point()[0][k] for k in expected} == expected
    # Without aggregation the last write of the same second wins.
    post(api, {"name": "plain", "value": 1.0, "time": H + 10, "tags": {"h": "a"}})
    post(api, {"name": "plain", "value": 2.0, "time": H + 10, "tags": {"h": "a"}})
    assert read(api, "plain", H, H + 59, 1)["series"][0]["measurements"] == [{"time": H + 10, "value": 2.0}]


@pytest.mark.parametrize(
    ("days_ago", "resolution", "status"),
    [
        (31, 60, 200),
        (33, 60, 400),
        (33, 300, 400),
        (33, 5400, 400),
        (33, 3600, 200),
        (33, 86400, 200),
        (33, 604800, 200),
        (600, 86400, 200),
    ],
)
def test_tier_selection_at_the_boundaries(api: Api, days_ago: int, resolution: int, status: int) -> None:
    reply = api.get("/v1/measurements/lat", query={"start_time": NOW - days_ago * keys.DAY, "resolution": resolution})
    if status == 200:
        post(api, {"name": "lat", "value": 1, "time": NOW - 60, "tags": {"h": "a"}})
        reply = api.get(
            "/v1/measurements/lat", query={"start_time": NOW - days_ago * keys.DAY, "resolution": resolution}
        )
    else:
        post(api, {"name": "lat", "value": 1, "time": NOW - 60, "tags": {"h": "a"}})
        reply = api.get(
            "/v1/measurements/lat", query={"start_time": NOW - days_ago * keys.DAY, "resolution": resolution}
        )
        assert "32 days" in reply.json["errors"]["params"]["resolution"][0]
    assert reply.status == status, reply.text


def test_old_data_is_served_from_rollups_exactly(api: Api) -> None:
    day = keys.day_of(NOW) - 40 * keys.DAY
    points = [(day + 600 * i, float(i % 7)) for i in range(6 * 48)]  # every 10 minutes for two days
    post(api, *[{"name": "old", "value": v, "time": t, "tags": {"h": "a"}} for t, v in points])
    run_compaction()
    for resolution in (3600, 86400, 604800):
        for function in ("mean", "sum", "max", "count"):
            body = read(api, "old", day, day + 2 * keys.DAY - 1, resolution, summary_function=function)
            got = {m["time"]: m["value"] for m in body["series"][0]["measurements"]}
            buckets: dict[int, list[float]] = {}
            for t, v in points:
                buckets.setdefault(t - t % resolution, []).append(v)
            reduce = {"mean": lambda vs: sum(vs) / len(vs), "sum": sum, "max": max, "count": len}[function]
            assert got == pytest.approx({b: float(reduce(vs)) for b, vs in buckets.items()}), (resolution, function)


def test_delete_removes_every_tier(mixed: Api) -> None:
    run_compaction()
    post(mixed, {"name": "lat", "value": 1.0, "time": NOW - 30, "tags": {"host": "a", "az": "1"}})
    assert mixed.delete("/v1/metrics/lat").status == 204
    assert scan(get_settings().SAMPLES_TABLE) == []
    post(mixed, {"name": "lat", "value": 7.0, "time": H + 1, "tags": {"host": "a", "az": "1"}})
    assert read(mixed, "lat", H - keys.HOUR, H + keys.HOUR, 1)["series"][0]["measurements"] == [
        {"time": H + 1, "value": 7.0}
    ]


def test_sample_worker_events_run(mixed: Api, org: Org) -> None:
    """events/sqs/compaction-hour.json, with its tenant filled in, compacts that hour."""
    import json

    from functions.compactor.app import lambda_handler
    from tests.conftest import LambdaContext, load_event

    event = load_event("sqs/compaction-hour")
    event["Records"][0]["body"] = json.dumps({"tenant": org.tenant, "metric": "lat", "hour": H})
    assert lambda_handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert H not in samples.pending_hours(org.tenant, "lat", H, H)
    # A bad message beside a good one is reported alone (partial batch failure), then dead-lettered by SQS.
    broken = load_event("sqs/compaction-hour")
    good = dict(broken["Records"][0], messageId="good", body=event["Records"][0]["body"])
    bad = dict(broken["Records"][0], messageId="bad", body="{not json")
    assert lambda_handler({"Records": [good, bad]}, LambdaContext()) == {
        "batchItemFailures": [{"itemIdentifier": "bad"}]
    }


def test_a_series_id_ending_in_a_zero_byte_survives_every_tier(api: Api, org: Org) -> None:
    """numpy's S12 strips trailing NUL bytes: such a series (1 in 256) must still be found everywhere."""
    from polymetric.models.series import series_id

    host = next(f"h{i}" for i in range(100_000) if series_id(org.tenant, "nul", {"host": f"h{i}"}).endswith(b"\x00"))
    post(api, *[{"name": "nul", "value": float(m), "time": H + 60 * m, "tags": {"host": host}} for m in range(3)])
    before = read(api, "nul", H, H + 3599, 60)
    assert len(before["series"][0]["measurements"]) == 3
    run_compaction()
    assert read(api, "nul", H, H + 3599, 60) == before
    assert read(api, "nul", H, H + 3599, 3600)["series"][0]["measurements"] == [{"time": H, "value": 1.0}]
