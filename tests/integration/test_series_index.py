"""The series index: a tag filter reads the postings of its values only; series that stopped reporting
leave it; ingest does not re-read what it indexed that day."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from polymetric.config import get_settings
from polymetric.domain.series import select_any, select_series
from polymetric.models.tags import TagFilter
from polymetric.storage import batch, keys, registry
from polymetric.storage import metrics as metric_store
from tests.conftest import Org
from tests.integration.api import Api


class ReadCounter:
    """Items returned by every Query and BatchGetItem of the sample path while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.query_items = 0
        self.gets = 0
        self.got_keys: list[str] = []
        real_query, real_get = batch.query, batch.get

        def query(*args: Any, **kwargs: Any) -> Iterator[Any]:
            for item in real_query(*args, **kwargs):
                self.query_items += 1
                yield item

        def get(*args: Any, **kwargs: Any) -> list[Any]:
            self.gets += 1
            self.got_keys += [k["pk"]["S"] for k in args[1]]
            return real_get(*args, **kwargs)

        monkeypatch.setattr(batch, "query", query)
        monkeypatch.setattr(batch, "get", get)


def now() -> int:
    return int(time.time())


def post_hosts(api: Api, hosts: int, t: int | None = None, name: str = "cpu") -> None:
    t = now() - 60 if t is None else t
    body = {
        "measurements": [{"name": name, "value": i, "time": t, "tags": {"host": f"h{i:03d}"}} for i in range(hosts)]
    }
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202, reply.text


def test_a_tag_value_reads_only_its_series(api: Api, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    post_hosts(api, 200)
    metric = metric_store.get(org.tenant, "cpu")
    assert metric is not None
    counter = ReadCounter(monkeypatch)
    chosen = select_series(org.tenant, metric, TagFilter.from_pairs([("host", "h007")]))
    assert [s.tags for s in chosen] == [{"host": "h007"}]
    assert counter.query_items == 1
    chosen = select_series(org.tenant, metric, TagFilter.from_pairs([("host", "h01*"), ("host", "h150")]))
    assert len(chosen) == 11
    assert counter.query_items == 1 + 11
    # Through the API, with the same answer as a filter the index cannot serve (a leading wildcard).
    reply = api.get("/v1/measurements/cpu", query={"duration": 3600, "resolution": 1, "tags[host]": "h01*"})
    assert reply.status == 200, reply.text
    assert sorted(s["tags"]["host"] for s in reply.json["series"]) == [f"h01{i}" for i in range(10)]
    reply = api.get("/v1/measurements/cpu", query={"duration": 3600, "resolution": 1, "tags[host]": "*01*"})
    assert sorted(s["tags"]["host"] for s in reply.json["series"]) == ["h001"] + [f"h01{i}" for i in range(10)] + [
        "h101"
    ]


def test_series_that_stopped_reporting_leave_the_index(api: Api, org: Org) -> None:
    today = keys.day_of(now())
    post_hosts(api, 1, t=now() - 3 * keys.DAY, name="old")  # h000, three days ago
    metric = metric_store.get(org.tenant, "old")
    assert metric is not None
    everything = TagFilter()
    assert [s.tags for s in select_series(org.tenant, metric, everything, since=today - 3 * keys.DAY)] == [
        {"host": "h000"}
    ]
    assert select_series(org.tenant, metric, everything, since=today) == []
    assert select_series(org.tenant, metric, TagFilter.from_pairs([("host", "h000")]), since=today) == []
    # Its index items expire with its last data (the rollups' retention after its last day).
    items = list(batch.query(get_settings().SAMPLES_TABLE, keys.series_registry_pk(org.tenant, "old")))
    assert [int(i["ttl"]["N"]) for i in items] == [today - 3 * keys.DAY + keys.DAY + registry.RETENTION]


def test_ingest_does_not_reread_what_it_indexed_today(api: Api, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_SECONDS", "0")  # the per-container TTL caches trust nothing
    get_settings.cache_clear()
    post_hosts(api, 50)
    counter = ReadCounter(monkeypatch)
    writes: list[Any] = []
    real_write = batch.write
    monkeypatch.setattr(
        batch, "write", lambda table, puts=(), deletes=(): writes.extend(puts) or real_write(table, puts, deletes)
    )
    post_hosts(api, 50, t=now() - 30)
    assert [w for w in writes if "#SER" in w["pk"]["S"] or "#TAG#" in w["pk"]["S"]] == []
    assert [k for k in counter.got_keys if "#SER" in k] == []  # no index read


def test_alert_conditions_read_the_postings_of_every_filter_or_the_whole_index(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_hosts(api, 200)
    gone = {"name": "cpu", "value": 1, "time": now() - 3 * keys.DAY, "tags": {"host": "h0070"}}
    assert api.post("/v1/measurements", json_body={"measurements": [gone]}).status == 202
    metric = metric_store.get(org.tenant, "cpu")
    assert metric is not None
    counter = ReadCounter(monkeypatch)
    one, prefix = TagFilter.from_pairs([("host", "h007")]), TagFilter.from_pairs([("host", "h15*")])
    chosen = select_any(org.tenant, metric, [one, prefix, one], since=now())
    assert sorted(s.tags["host"] for s in chosen) == ["h007"] + [f"h15{i}" for i in range(10)]
    assert [s.sid for s in chosen] == sorted(s.sid for s in chosen)  # index order, as the whole index reads
    assert counter.query_items == 1 + 10  # each posting once
    # A filter no posting serves (a leading wildcard): the whole index, and what any filter selects.
    chosen = select_any(org.tenant, metric, [one, TagFilter.from_pairs([("host", "*99")])])
    assert sorted(s.tags["host"] for s in chosen) == ["h007", "h099", "h199"]
    assert counter.query_items == 1 + 10 + 201
    # Series that stopped reporting before the read's first day are left out when ``since`` says so.
    prefixed = [TagFilter.from_pairs([("host", "h007*")])]
    assert sorted(s.tags["host"] for s in select_any(org.tenant, metric, prefixed)) == ["h007", "h0070"]
    assert [s.tags["host"] for s in select_any(org.tenant, metric, prefixed, since=now())] == ["h007"]


def test_a_series_whose_postings_failed_is_indexed_again_by_the_retry(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A series item says its postings are written: were it stored without them, the retry would skip it and
    a tag filter would never find the series."""
    from polymetric.errors import StorageError

    real = batch.write
    failed: list[bool] = []

    def postings_fail_once(table: str, puts: Any = (), deletes: Any = ()) -> int:
        postings = [i for i in puts if "#TAG#" in i["pk"]["S"]]
        if postings and not failed:
            failed.append(True)
            real(table, [i for i in puts if "#TAG#" not in i["pk"]["S"]], deletes)  # the rest of the call lands
            raise StorageError("throttled")
        return real(table, puts, deletes)

    monkeypatch.setattr(batch, "write", postings_fail_once)
    body = {"measurements": [{"name": "cpu", "value": 1, "time": now() - 60, "tags": {"host": "web-1"}}]}
    assert api.post("/v1/measurements", json_body=body).status >= 500
    registry._marked.clear()  # the retry may reach another container
    assert api.post("/v1/measurements", json_body=body).status == 202
    metric = metric_store.get(org.tenant, "cpu")
    assert metric is not None
    assert [s.tags for s in select_series(org.tenant, metric, TagFilter.from_pairs([("host", "web-1")]))] == [
        {"host": "web-1"}
    ]
