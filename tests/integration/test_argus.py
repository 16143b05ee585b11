"""Argus metrics v1 through the handlers: contract §4 (envelope, descriptors, submit, search, aggregate)."""

import json
import time
from typing import Any

import pytest

from polymetric.models.tenant import Role
from tests.conftest import Org
from tests.integration.api import Api

NOW_MS = int(time.time() * 1000)
T0 = NOW_MS - NOW_MS % 60_000 - 600_000

DESCRIPTOR = {
    "shortName": "netflow",
    "description": "Packets per VLAN",
    "adminFunction": "admin",
    "readFunction": "read",
    "writeFunction": "write",
    "keys": [
        {"name": "ipAddress", "type": "ip", "description": "source", "language": "english", "translator": "none"},
        {"name": "vlan", "type": "integer", "description": "vlan", "language": "english", "translator": "none"},
    ],
    "values": [
        {"name": "packages", "description": "packets", "unit": "count", "defaultAggregationFunction": "sum"},
        {"name": "frames", "description": "frames", "unit": "count", "defaultAggregationFunction": "max"},
    ],
}


def call(api: Api, method: str, path: str, key: str | None, body: Any = None, query: dict | None = None):
    headers = {"Argus-API-Key": key} if key is not None else {}
    raw = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    return api.request(
        method, path, body=raw, content_type="application/json", token=None, headers=headers, query=query
    )


def record(ip: str = "10.10.0.1", vlan: str = "101", packages: int = 5, frames: int = 10, ts: int = T0) -> dict:
    return {
        "timestamp": ts,
        "keys": {"ipAddress": ip, "vlan": vlan},
        "values": {"packages": packages, "frames": frames},
    }


def assert_envelope(reply: Any, status: int) -> dict:
    assert reply.status == status, reply.text
    body = reply.json
    assert set(body) == {"responseCode", "limit", "offset", "count", "size", "metaData", "messages", "data"}
    assert body["responseCode"] == status
    return body


def assert_field_error(reply: Any, field: str, fragment: str = "") -> dict:
    body = assert_envelope(reply, 412)
    assert body["data"] is None
    hits = [m for m in body["messages"] if m["type"] == "FIELD_ERROR" and m["field"] == field]
    assert hits, body["messages"]
    assert fragment in hits[0]["message"]
    return hits[0]


@pytest.fixture
def key(org: Org) -> str:
    return org.admin


@pytest.fixture
def desc(api: Api, key: str) -> dict:
    return assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, DESCRIPTOR), 201)["data"]


def search(api: Api, key: str, body: dict | None = None, name: str = "netflow"):
    return call(api, "POST", f"/metrics/v1/metric/{name}/search", key, {"startTimestamp": 0, **(body or {})})


def submit(api: Api, key: str, records: list, **extra: Any):
    return call(api, "POST", "/metrics/v1/metric/netflow", key, {"records": records, **extra})


# --- descriptors ---------------------------------------------------------------------------------------


def test_create_descriptor_201_echoes_with_id(api: Api, desc: dict) -> None:
    assert len(desc["id"]) == 36 and desc["shortName"] == "netflow"
    assert desc["adminFunction"]["name"] == "admin" and isinstance(desc["adminFunction"]["id"], int)
    assert [k["name"] for k in desc["keys"]] == ["ipAddress", "vlan"]
    assert desc["values"][1]["defaultAggregationFunction"] == "max"
    assert desc["deduplicationFunction"] == "none" and desc["flags"] == []


def test_descriptor_get_by_id_or_short_name_list_and_search(api: Api, key: str, desc: dict) -> None:
    for ref in (desc["id"], "netflow", "NETFLOW"):
        body = assert_envelope(call(api, "GET", f"/metrics/v1/descriptor/{ref}", key), 200)
        assert body["data"]["id"] == desc["id"] and body["size"] == 0
    listed = assert_envelope(call(api, "GET", "/metrics/v1/descriptor", key, query={"limit": 25, "offset": 0}), 200)
    assert (listed["count"], listed["size"], listed["limit"]) == (1, 1, 25)
    found = assert_envelope(call(api, "POST", "/metrics/v1/descriptor/search", key, {"keywords": ["vlan"]}), 200)
    assert found["count"] == 1
    none = assert_envelope(call(api, "POST", "/metrics/v1/descriptor/search", key, {"keywords": ["nope"]}), 200)
    assert none["data"] == [] and none["count"] == 0


def test_unknown_descriptor_is_404_in_the_envelope(api: Api, key: str) -> None:
    body = assert_envelope(call(api, "GET", "/metrics/v1/descriptor/nope", key), 404)
    assert body["data"] is None and body["messages"][0]["type"] == "ACTION_ERROR"
    assert_envelope(call(api, "POST", "/metrics/v1/metric/nope", key, {"records": [record()]}), 404)


def test_duplicate_short_name_is_412(api: Api, key: str, desc: dict) -> None:
    hit = assert_field_error(call(api, "POST", "/metrics/v1/descriptor", key, DESCRIPTOR), "shortName")
    assert hit["parameter"] == "netflow"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shortName": None}, "shortName"),
        ({"shortName": "bad name!"}, "shortName"),
        ({"description": None}, "description"),
        ({"adminFunction": None}, "adminFunction"),
        ({"keys": []}, "keys"),
        ({"values": []}, "values"),
        ({"keys": [{"name": "customer", "type": "string", "description": "x"}]}, "keys[0].name"),
        ({"keys": [{"name": "k", "type": "float", "description": "x"}]}, "keys[0].type"),
        (
            {"values": [{"name": "v", "description": "d", "defaultAggregationFunction": "median"}]},
            "values[0].defaultAggregationFunction",
        ),
        ({"deduplicationFunction": "sometimes"}, "deduplicationFunction"),
        ({"timeFrameSizeUnit": "weeks"}, "timeFrameSizeUnit"),
        ({"category": 5}, "category"),
    ],
)
def test_descriptor_validation_is_412_field_error(api: Api, key: str, change: dict, field: str) -> None:
    assert_field_error(call(api, "POST", "/metrics/v1/descriptor", key, {**DESCRIPTOR, **change}), field)
    assert assert_envelope(call(api, "GET", "/metrics/v1/descriptor", key), 200)["count"] == 0


def test_malformed_json_is_400_invalid_json_request(api: Api, key: str) -> None:
    body = assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, "{nope"), 400)
    assert body["messages"][0]["message"] == "Invalid JSON request received."
    assert body["messages"][0]["messageTemplate"] == "invalid.json.request"


def test_update_descriptor_200_and_220_when_nothing_changes(api: Api, key: str, desc: dict) -> None:
    body = {
        "addKeys": [{"name": "host", "type": "hostName", "description": "h"}],
        "removeValues": ["frames"],
        "timeFrameSizeUnit": "milliseconds",
    }
    updated = assert_envelope(call(api, "PUT", "/metrics/v1/descriptor/netflow", key, body), 200)["data"]
    assert [k["name"] for k in updated["keys"]] == ["ipAddress", "vlan", "host"]
    assert [v["name"] for v in updated["values"]] == ["packages"]
    same = call(api, "PUT", "/metrics/v1/descriptor/netflow", key, {"timeFrameSizeUnit": "milliseconds"})
    assert assert_envelope(same, 220)["messages"][0]["message"] == "No values updated"
    assert_field_error(call(api, "PUT", "/metrics/v1/descriptor/netflow", key, {"removeKeys": ["nope"]}), "removeKeys")


def test_delete_descriptor_returns_it_and_removes_records(api: Api, key: str, desc: dict) -> None:
    assert submit(api, key, [record()]).status == 201
    gone = assert_envelope(call(api, "DELETE", "/metrics/v1/descriptor/netflow", key), 200)
    assert gone["data"]["id"] == desc["id"]
    assert call(api, "GET", "/metrics/v1/descriptor/netflow", key).status == 404
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, DESCRIPTOR), 201)
    assert assert_envelope(search(api, key), 200)["data"] == []


# --- auth ------------------------------------------------------------------------------------------------


def test_missing_or_invalid_key_is_401(api: Api) -> None:
    for key in (None, "", "wrong"):
        body = assert_envelope(call(api, "GET", "/metrics/v1/descriptor", key), 401)
        assert body["messages"][0]["type"] == "ACTION_ERROR"


def test_roles_viewer_reads_recorder_submits_admin_manages(api: Api, org: Org, desc: dict) -> None:
    viewer, recorder = org.token(Role.VIEWER), org.token(Role.RECORDER)
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", viewer, {**DESCRIPTOR, "shortName": "x"}), 403)
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", recorder, {**DESCRIPTOR, "shortName": "x"}), 403)
    assert_envelope(call(api, "DELETE", "/metrics/v1/descriptor/netflow", recorder), 403)
    assert_envelope(submit(api, viewer, [record()]), 403)
    assert_envelope(submit(api, recorder, [record()]), 201)
    assert_envelope(search(api, viewer), 200)
    assert_envelope(search(api, recorder), 403)
    assert_envelope(call(api, "GET", "/metrics/v1/descriptor/netflow", viewer), 200)


# --- submit ---------------------------------------------------------------------------------------------------


def test_submit_201_and_records_come_back_as_submitted(api: Api, key: str, desc: dict) -> None:
    body = assert_envelope(submit(api, key, [record(), record(ip="10.10.0.2", packages=7, ts=T0 + 1000)]), 201)
    assert body["data"] == {"success": 2, "failed": 0, "errorInformationList": []}
    found = assert_envelope(search(api, key), 200)
    assert found["count"] == 2 and found["size"] == 2
    first = found["data"][0]
    assert first["descriptor"] == {"id": desc["id"], "shortName": "netflow"}
    assert first["keys"] == [
        {"name": "ipAddress", "value": "10.10.0.1", "translation": "10.10.0.1"},
        {"name": "vlan", "value": "101", "translation": "101"},
    ]
    assert first["values"] == [
        {"name": "packages", "value": 5, "unit": "count"},
        {"name": "frames", "value": 10, "unit": "count"},
    ]
    assert first["metricTimestamp"] == T0 and first["submissionTimestamp"] >= NOW_MS - 1000
    assert first["customer"]["shortName"]


def test_submitted_records_are_readable_as_measurements(api: Api, key: str, desc: dict) -> None:
    assert submit(api, key, [record()]).status == 201
    reply = api.get("/v1/measurements/netflow.packages", query={"start_time": T0 // 1000 - 60, "resolution": 60})
    (series,) = reply.json["series"]
    assert series["tags"] == {"ipAddress": "10.10.0.1", "vlan": "101"}
    assert series["measurements"] == [{"time": T0 // 1000, "value": 5.0}]


def test_missing_timestamp_means_now(api: Api, key: str, desc: dict) -> None:
    rec = record()
    del rec["timestamp"]
    assert submit(api, key, [rec]).status == 201
    (found,) = assert_envelope(search(api, key), 200)["data"]
    assert abs(found["metricTimestamp"] - time.time() * 1000) < 10_000


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"keys": {"ipAddress": "10.10.0.1"}}, "records[1].keys.vlan"),
        ({"keys": {"ipAddress": "10.10.0.1", "vlan": "1", "extra": "x"}}, "records[1].keys.extra"),
        ({"keys": {"ipAddress": "not-an-ip", "vlan": "1"}}, "records[1].keys.ipAddress"),
        ({"keys": {"ipAddress": "10.0.0.1", "vlan": "x1"}}, "records[1].keys.vlan"),
        ({"values": {"packages": 1}}, "records[1].values.frames"),
        ({"values": {"packages": 1, "frames": 2, "bytes": 3}}, "records[1].values.bytes"),
        ({"values": {"packages": 1.5, "frames": 2}}, "records[1].values.packages"),
        ({"values": {"packages": "1", "frames": 2}}, "records[1].values.packages"),
        ({"timestamp": 0}, "records[1].timestamp"),
        ({"customer": "someone-else"}, "records[1].customer"),
    ],
)
def test_invalid_record_rejects_the_submission_and_stores_nothing(
    api: Api, key: str, desc: dict, bad: dict, field: str
) -> None:
    reply = submit(api, key, [record(), {**record(), **bad}])
    assert_field_error(reply, field)
    assert assert_envelope(search(api, key), 200)["data"] == []


def test_ignore_on_failed_stores_the_valid_records(api: Api, key: str, desc: dict) -> None:
    reply = submit(
        api, key, [record(), {**record(), "values": {"packages": 1}}, record(ip="10.0.0.9")], ignoreOnFailed=True
    )
    body = assert_envelope(reply, 201)
    assert body["data"]["success"] == 2 and body["data"]["failed"] == 1
    (info,) = body["data"]["errorInformationList"]
    assert info["submissionIndex"] == 1 and "Missing value 'frames'." in info["errorMessages"]
    assert assert_envelope(search(api, key), 200)["count"] == 2


@pytest.mark.parametrize("body", [{"records": []}, {}, {"records": "x"}])
def test_submit_needs_records(api: Api, key: str, desc: dict, body: dict) -> None:
    assert_field_error(call(api, "POST", "/metrics/v1/metric/netflow", key, body), "records")


@pytest.mark.parametrize(("dedup", "expected"), [("none", [5, 7]), ("first", [5]), ("last", [7])])
def test_deduplication_per_time_frame(api: Api, key: str, dedup: str, expected: list[int]) -> None:
    descriptor = {**DESCRIPTOR, "deduplicationFunction": dedup, "timeFrameSize": 1, "timeFrameSizeUnit": "minutes"}
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, descriptor), 201)
    assert submit(api, key, [record(packages=5, ts=T0 + 1000)]).status == 201
    assert submit(api, key, [record(packages=7, ts=T0 + 2000)]).status == 201
    found = assert_envelope(search(api, key, {"sortBy": ["packages"]}), 200)["data"]
    assert [r["values"][0]["value"] for r in found] == expected
    assert {r["metricTimestamp"] for r in found} == {T0}


# --- search -------------------------------------------------------------------------------------------------------


@pytest.fixture
def loaded(api: Api, key: str, desc: dict) -> None:
    rows = [
        record(ip=f"10.0.{i % 2}.{i}", vlan=str(100 + i % 3), packages=i, frames=2 * i, ts=T0 + i * 60_000)
        for i in range(1, 7)
    ]
    assert submit(api, key, rows).status == 201


def ips(reply: Any) -> list[str]:
    return [r["keys"][0]["value"] for r in assert_envelope(reply, 200)["data"]]


def test_search_time_window_keys_and_cidr(api: Api, key: str, loaded: None) -> None:
    assert ips(search(api, key, {"startTimestamp": T0 + 120_000, "endTimestamp": T0 + 240_000})) == [
        "10.0.0.2",
        "10.0.1.3",
        "10.0.0.4",
    ]
    assert ips(search(api, key, {"keys": {"vlan": "101"}})) == ["10.0.1.1", "10.0.0.4"]
    assert ips(search(api, key, {"keys": {"ipAddress": "10.0.1.0/24"}})) == ["10.0.1.1", "10.0.1.3", "10.0.1.5"]
    assert ips(search(api, key, {"keyIntervals": [{"name": "vlan", "gte": "101", "lt": "102"}]})) == [
        "10.0.1.1",
        "10.0.0.4",
    ]


def test_search_sub_criteria_required_exclude_and_or(api: Api, key: str, loaded: None) -> None:
    sub = [{"keys": {"ipAddress": "10.0.1.0/24"}, "required": True}, {"keys": {"vlan": "102"}, "exclude": True}]
    assert ips(search(api, key, {"subCriteria": sub})) == ["10.0.1.1", "10.0.1.3"]
    either = [{"keys": {"vlan": "100"}}, {"keys": {"vlan": "101"}}]
    assert len(ips(search(api, key, {"subCriteria": either}))) == 4


def test_search_customer_filter(api: Api, key: str, loaded: None, org: Org) -> None:
    assert len(ips(search(api, key, {"customer": [org.tenant]}))) == 6
    assert ips(search(api, key, {"customer": ["mnemonic"]})) == []


def test_search_sort_limit_offset(api: Api, key: str, loaded: None) -> None:
    page = assert_envelope(search(api, key, {"sortBy": ["-packages"], "limit": 2, "offset": 1}), 200)
    assert (page["count"], page["size"], page["limit"], page["offset"]) == (6, 2, 2, 1)
    assert [r["values"][0]["value"] for r in page["data"]] == [5, 4]
    assert [
        r["values"][0]["value"]
        for r in assert_envelope(search(api, key, {"sortBy": ["vlan", "-packages"]}), 200)["data"]
    ] == [6, 3, 4, 1, 5, 2]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 10001}, "limit"),
        ({"offset": 10000}, "offset"),
        ({"limit": 5000, "offset": 5001}, "offset"),
        ({"sortBy": ["nope"]}, "sortBy"),
        ({"keys": {"nope": "1"}}, "keys.nope"),
        ({"startTimestamp": "2024-01-01T00:00:00+02:00"}, "startTimestamp"),
        ({"startTimestamp": "yesterday"}, "startTimestamp"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_search_validation_is_412(api: Api, key: str, desc: dict, body: dict, field: str) -> None:
    assert_field_error(search(api, key, body), field)


def test_search_time_forms(api: Api, key: str, loaded: None) -> None:
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((T0 + 300_000) / 1000))
    assert len(ips(search(api, key, {"startTimestamp": iso}))) == 2
    assert len(ips(search(api, key, {"startTimestamp": str(T0 + 300_000), "endTimestamp": "now"}))) == 2
    assert len(ips(search(api, key, {"startTimestamp": "now-1h"}))) == 6
    assert ips(search(api, key, {"startTimestamp": "now-1m"})) == []


def test_unlimited_search_over_10000_hits_is_412(
    api: Api, key: str, desc: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.query import argus

    monkeypatch.setattr(argus, "MAX_WINDOW", 1)
    assert submit(api, key, [record(), record(ip="10.0.0.2")]).status == 201
    assert_field_error(search(api, key, {"limit": 0}), "limit", "narrow your search")
    assert assert_envelope(search(api, key, {"limit": 1}), 200)["count"] == 2


# --- aggregate ------------------------------------------------------------------------------------------------------


def aggregate(api: Api, key: str, body: dict):
    return call(api, "POST", "/metrics/v1/metric/netflow/aggregate", key, {"startTimestamp": 0, **body})


def values_of(reply: Any) -> list[tuple]:
    return [
        (tuple(k["value"] for k in b["keys"]), b["metricTimestamp"], tuple(v["value"] for v in b["values"]))
        for b in assert_envelope(reply, 200)["data"]
    ]


@pytest.mark.parametrize(
    ("function", "expected"),
    [("sum", 21), ("avg", 3.5), ("min", 1), ("max", 6), ("sumOfSquares", 91), ("last", 6)],
)
def test_aggregate_functions_over_the_whole_range(
    api: Api, key: str, loaded: None, function: str, expected: float
) -> None:
    reply = aggregate(api, key, {"values": [{"name": "packages", "aggregationFunction": function}]})
    assert values_of(reply) == [((), 0, (expected,))]
    assert assert_envelope(reply, 200)["data"][0]["metricDescriptorID"]


def test_aggregate_default_function_is_the_descriptors(api: Api, key: str, loaded: None) -> None:
    assert values_of(aggregate(api, key, {"values": [{"name": "frames"}]})) == [((), 0, (12,))]


def test_aggregate_wavg_with_weight_by_value_or_value_as_weight(api: Api, key: str, loaded: None) -> None:
    expected = sum(i * 2 * i for i in range(1, 7)) / sum(2 * i for i in range(1, 7))
    for field in ("weightByValue", "valueAsWeight"):
        reply = aggregate(api, key, {"values": [{"name": "packages", "aggregationFunction": "wavg", field: "frames"}]})
        assert values_of(reply)[0][2][0] == pytest.approx(expected)
    assert_field_error(
        aggregate(api, key, {"values": [{"name": "packages", "aggregationFunction": "wavg"}]}),
        "values[0].weightByValue",
    )


def test_aggregate_group_by_with_limit_and_others(api: Api, key: str, loaded: None) -> None:
    reply = aggregate(api, key, {"values": [{"name": "packages"}], "groupBy": [{"key": "vlan", "limit": 2}]})
    assert values_of(reply) == [(("100",), 0, (9,)), (("102",), 0, (7,)), (("__others__",), 0, (5,))]
    reply = aggregate(
        api, key, {"values": [{"name": "packages"}], "groupBy": [{"key": "vlan", "limit": 1}], "includeOthers": False}
    )
    assert values_of(reply) == [(("100",), 0, (9,))]


def test_aggregate_resolution_buckets(api: Api, key: str, loaded: None) -> None:
    body = {
        "values": [{"name": "packages"}],
        "startTimestamp": T0,
        "endTimestamp": T0 + 600_000,
        "resolution": 3,
        "resolutionUnit": "minutes",
    }
    sums: dict[int, int] = {}
    for i in range(1, 7):  # buckets start at multiples of 3 minutes since the epoch
        start = (T0 + i * 60_000) // 180_000 * 180_000
        sums[start] = sums.get(start, 0) + i
    assert values_of(aggregate(api, key, body)) == [((), ts, (v,)) for ts, v in sorted(sums.items())]


def test_aggregate_resolution_buckets_are_aligned_to_the_epoch_not_to_the_start(
    api: Api, key: str, loaded: None
) -> None:
    hour = 3_600_000
    starts = sorted({(T0 + i * 60_000) // hour * hour for i in range(1, 7)})
    for start in (T0 - 1_234, T0 - 1_234 - 60_000, "now-1d"):  # a minute later, or "now", moves no bucket
        body = {"values": [{"name": "packages"}], "startTimestamp": start, "resolution": 1, "resolutionUnit": "hour"}
        buckets = values_of(aggregate(api, key, body))
        assert [ts for _, ts, _ in buckets] == starts, start
        assert sum(v[0] for _, _, v in buckets) == 21


def test_aggregate_resolution_over_the_default_range_counts_the_buckets_the_data_fills(
    api: Api, key: str, loaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seed's example: resolution 2 days from the default 0 to now (more than 10000 buckets could fit).
    body = {"values": [{"name": "packages"}], "resolution": 2, "resolutionUnit": "day"}
    day2 = 2 * 86_400_000
    starts = sorted({(T0 + i * 60_000) // day2 * day2 for i in range(1, 7)})
    buckets = values_of(call(api, "POST", "/metrics/v1/metric/netflow/aggregate", key, body))
    assert [ts for _, ts, _ in buckets] == starts
    assert sum(v[0] for _, _, v in buckets) == 21

    from polymetric.query import argus as engine

    monkeypatch.setattr(engine, "MAX_WINDOW", 6)  # the limit is on the buckets produced: 6 one-minute ones
    minutes = {**body, "resolution": 1, "resolutionUnit": "minute"}
    assert len(values_of(aggregate(api, key, minutes))) == 6
    monkeypatch.setattr(engine, "MAX_WINDOW", 5)
    assert_field_error(aggregate(api, key, minutes), "resolution", "More than 5 buckets")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": []}, "values"),
        ({"values": [{"name": "nope"}]}, "values[0].name"),
        ({"values": [{"name": "packages", "aggregationFunction": "median"}]}, "values[0].aggregationFunction"),
        ({"values": [{"name": "packages"}], "groupBy": [{"key": "nope"}]}, "groupBy[0].key"),
        ({"values": [{"name": "packages"}], "groupBy": [{"key": "vlan", "limit": 0}]}, "groupBy[0].limit"),
        ({"values": [{"name": "packages"}], "resolutionUnit": "fortnight"}, "resolutionUnit"),
        ({"values": [{"name": "packages"}], "resolution": -1}, "resolution"),
    ],
)
def test_aggregate_validation_is_412(api: Api, key: str, desc: dict, body: dict, field: str) -> None:
    assert_field_error(aggregate(api, key, body), field)


def test_descriptor_domain_query_is_accepted_on_every_route(api: Api, key: str, desc: dict) -> None:
    q = {"descriptorDomain": "mnemonic"}
    assert_envelope(call(api, "GET", "/metrics/v1/descriptor/netflow", key, query=q), 200)
    assert_envelope(call(api, "POST", "/metrics/v1/metric/netflow", key, {"records": [record()]}, query=q), 201)
    assert_envelope(call(api, "POST", "/metrics/v1/metric/netflow/search", key, {}, query=q), 200)


def test_global_descriptor_leaves_the_customer_blank(api: Api, key: str) -> None:
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, {**DESCRIPTOR, "globalDescriptor": True}), 201)
    assert_field_error(submit(api, key, [{**record(), "customer": "acme"}]), "records[0].customer")
    assert submit(api, key, [record()]).status == 201
    (found,) = assert_envelope(search(api, key), 200)["data"]
    assert found["customer"] is None


def test_aggregate_calendar_interval_and_group_by_customer(api: Api, key: str, loaded: None, org: Org) -> None:
    body = {"values": [{"name": "packages"}], "calendarInterval": "day", "groupBy": [{"key": "customer"}]}
    buckets = assert_envelope(aggregate(api, key, body), 200)["data"]
    days = sorted({(T0 + i * 60_000) // 86_400_000 * 86_400_000 for i in range(1, 7)})  # UTC day starts
    assert [b["metricTimestamp"] for b in buckets] == days
    assert sum(b["values"][0]["value"] for b in buckets) == 21
    assert all(b["customer"]["shortName"] == org.tenant and b["keys"] == [] for b in buckets)


# --- bounds: no request grows with the data ---------------------------------------------------------------


def test_a_search_reading_more_records_than_a_request_may_is_412_naming_the_range(
    api: Api, key: str, desc: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.domain import argus

    monkeypatch.setattr(argus, "MAX_RECORDS_READ", 1)
    assert submit(api, key, [record(), record(ip="10.0.0.2")]).status == 201
    assert_field_error(search(api, key, {"limit": 1}), "startTimestamp", "narrow it")
    assert_field_error(aggregate(api, key, {"values": [{"name": "packages"}]}), "startTimestamp", "narrow it")


def test_deleting_a_descriptor_with_many_records_hands_them_to_a_job(
    api: Api, key: str, desc: dict, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.metric_jobs.app import lambda_handler as steps
    from polymetric.domain import argus, jobs
    from polymetric.storage import argus as store
    from tests.conftest import LambdaContext

    monkeypatch.setattr(argus, "RECORDS_INLINE", 1)
    started: list[dict] = []
    monkeypatch.setattr(argus.workflows, "start", lambda arn, name, payload: started.append(payload) or "")
    assert submit(api, key, [record(), record(ip="10.0.0.2")]).status == 201
    assert assert_envelope(call(api, "DELETE", "/metrics/v1/descriptor/netflow", key), 200)["data"]["id"] == desc["id"]
    assert call(api, "GET", "/metrics/v1/descriptor/netflow", key).status == 404  # gone at once
    assert store.count_records(org.tenant, desc["id"], 10) == 2  # until the job has run
    [payload] = started
    plan = steps({"step": "plan", **payload}, LambdaContext())
    for batch in plan["batches"]:
        steps({"step": "batch", **payload, "batch": batch}, LambdaContext())
    steps({"step": "finish", **payload, "count": plan["count"]}, LambdaContext())
    assert store.count_records(org.tenant, desc["id"], 10) == 0
    assert jobs.get(org.tenant, payload["job_id"]).state.value == "complete"


def test_descriptors_per_organization_are_bounded(api: Api, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from polymetric.domain import room

    monkeypatch.setattr(room, "MAX_ARGUS_DESCRIPTORS", 1)
    assert_envelope(call(api, "POST", "/metrics/v1/descriptor", key, DESCRIPTOR), 201)
    refused = call(api, "POST", "/metrics/v1/descriptor", key, {**DESCRIPTOR, "shortName": "other"})
    assert refused.status == 400 and "1 metric descriptors" in refused.text
