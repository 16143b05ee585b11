"""Folding: once a day is over its hourly rollups become day chunks; reads answer the same before and after."""

import time

import pytest

from polymetric import clock
from polymetric.domain import compaction, folding, query
from polymetric.models.query import MeasurementsQuery
from polymetric.models.tags import TagFilter
from polymetric.storage import keys
from polymetric.storage import metrics as metric_store
from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.compaction_helpers import chunk_items, run_compaction, stored_series
from tests.integration.test_compaction import close

NOW = int(time.time())
# A day that is over, and older than the hours compaction rounds cover (2 days): its data is late data,
# compacted hour by hour, and nothing folds it before a test does.
DAY0 = keys.day_of(NOW) - 3 * keys.DAY
LAST_HOUR = DAY0 + 23 * keys.HOUR


def post(api: Api, *measurements: dict) -> None:
    reply = api.post("/v1/measurements", json_body={"measurements": list(measurements)})
    assert reply.status == 202, reply.text


def read(api: Api, resolution: int, start: int = DAY0, end: int = DAY0 + keys.DAY - 1, **query: object) -> dict:
    params = {"start_time": start, "end_time": end, "resolution": resolution, "summary_function": "all", **query}
    reply = api.get("/v1/measurements/lat", query=params)
    assert reply.status == 200, reply.text
    return reply.json


def snapshot(api: Api) -> dict:
    return {r: read(api, r) for r in (60, 3600, 7200, 86400)}


@pytest.fixture
def day(api: Api) -> Api:
    """Hours 0-22 of a day (hour 23's compaction would fold it): a gauge every 10 minutes, an hourly summary,
    and a series seen in one hour only."""
    rows = []
    for minute in range(0, 1380, 10):
        t = DAY0 + 60 * minute
        rows.append({"name": "lat", "value": 50 + (minute * 7919 % 97) / 7, "time": t, "tags": {"host": "a"}})
        if minute % 60 == 0:
            summary = {"count": 3, "sum": 9.5 + minute, "min": 1.0, "max": 7.25}
            rows.append({"name": "lat", **summary, "time": t, "tags": {"host": "b"}})
    rows.append({"name": "lat", "value": 3.0, "time": DAY0 + 5 * keys.HOUR + 7, "tags": {"host": "c"}})
    post(api, *rows)
    assert run_compaction()["failures"] == []  # late data: every hour gets its blocks, no rollups yet
    return api


def items_read(tenant: str, resolution: int, host: str) -> int:
    tags = TagFilter.from_pairs([("host", host)])
    q = MeasurementsQuery(name="lat", start=DAY0, end=DAY0 + keys.DAY - 1, resolution=resolution, tags=tags)
    return query.measurements(tenant, q).items_read


def test_the_round_of_hour_23_folds_the_day_and_reads_stay_the_same(day: Api, org: Org) -> None:
    before = snapshot(day)
    assert stored_series("R") == []
    unfolded = items_read(org.tenant, 3600, "a")

    compaction.compact_hour(org.tenant, "lat", LAST_HOUR, NOW)

    rollups = {sid for _, start, sid in stored_series("R") if start == DAY0}
    assert len(rollups) == 3 and len(chunk_items("R")) == 1  # every series of the day, one chunk
    metric = metric_store.get(org.tenant, "lat")
    assert metric is not None and metric.folded_until == DAY0 + keys.DAY
    close(snapshot(day), before)
    # One item for the day instead of the block chunk of each hour.
    assert (unfolded, items_read(org.tenant, 3600, "a")) == (23, 1)


def test_late_data_for_a_folded_day_rewrites_its_rows(day: Api, org: Org) -> None:
    compaction.compact_hour(org.tenant, "lat", LAST_HOUR, NOW)
    post(day, {"name": "lat", "value": 1000.0, "time": DAY0 + 5 * keys.HOUR, "tags": {"host": "a"}})
    post(day, {"name": "lat", "value": 4.0, "time": DAY0 + 6 * keys.HOUR, "tags": {"host": "d"}})  # a new series
    assert run_compaction()["failures"] == []
    raw = read(day, 60)
    hourly = read(day, 3600)
    assert len(hourly["series"]) == 4
    for series in hourly["series"]:
        host = series["tags"]["host"]
        minutes = next(s for s in raw["series"] if s["tags"]["host"] == host)["measurements"]
        for point in series["measurements"]:
            inside = [m for m in minutes if point["time"] <= m["time"] < point["time"] + keys.HOUR]
            assert point["max"] == max(m["max"] for m in inside)
            assert point["sum"] == pytest.approx(sum(m["sum"] for m in inside))
    assert items_read(org.tenant, 3600, "d") == 1


def test_a_fold_run_again_writes_the_same_chunks(day: Api, org: Org) -> None:
    compaction.compact_hour(org.tenant, "lat", LAST_HOUR, NOW)
    first = {i["sk"]["S"]: i for i in chunk_items("R")}
    metric = metric_store.get(org.tenant, "lat")
    assert metric is not None
    metric_store.replace(org.tenant, metric.with_changes(folded_until=DAY0))  # as if the mark had not moved
    folding.fold_through(org.tenant, "lat", DAY0, NOW, None)
    assert {i["sk"]["S"]: i for i in chunk_items("R")} == first


def test_days_past_the_horizon_take_late_data_as_folded(api: Api) -> None:
    old = keys.day_of(NOW) - folding.HORIZON - 2 * keys.DAY
    post(api, {"name": "lat", "value": 7.5, "time": old + 3 * keys.HOUR + 1, "tags": {"host": "a"}})
    assert run_compaction()["failures"] == []
    assert [start for _, start, _ in stored_series("R")] == [old]  # no fold will come: straight into its day
    body = read(api, 3600, old, old + keys.DAY - 1)
    assert [(p["time"], p["sum"]) for p in body["series"][0]["measurements"]] == [(old + 3 * keys.HOUR, 7.5)]


def test_a_day_filled_late_is_folded_before_it_passes_the_horizon(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = keys.day_of(NOW) - folding.HORIZON  # not past the horizon yet: its data goes to blocks only
    rows = [
        {"name": "lat", "value": 1.0 + h, "time": day + h * keys.HOUR + 5, "tags": {"host": "a"}} for h in range(23)
    ]
    post(api, *rows)
    assert run_compaction()["failures"] == []
    later = NOW + keys.DAY  # the next night: the day is past the horizon, reads take it from day chunks
    monkeypatch.setattr(clock, "now_float", lambda: float(later))
    monkeypatch.setattr(clock, "now", lambda: later)
    compaction.compact_hour(org.tenant, "lat", keys.day_of(NOW) + 23 * keys.HOUR, later)
    body = read(api, 3600, day, day + keys.DAY - 1)
    assert [p["sum"] for p in body["series"][0]["measurements"]] == [1.0 + h for h in range(23)]
