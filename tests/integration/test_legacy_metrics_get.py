"""Legacy Librato GET /v1/metrics/:name with a time interval: measurements by source, through the handler."""

import time
from collections.abc import Callable

import pytest

from polymetric.models.tenant import Role
from polymetric.query import sources
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api

NOW = int(time.time())
T0 = NOW - NOW % 60 - 600  # a whole minute, ten minutes ago


def submit(api: Api, *gauges: dict, **top: object) -> None:
    reply = api.post("/v1/metrics", json_body={"gauges": list(gauges), **top})
    assert reply.status == 200, reply.text


def read(api: Api, name: str = "cpu_temp", **query: object) -> dict:
    reply = api.get(f"/v1/metrics/{name}", query=query)
    assert reply.status == 200, reply.text
    return reply.json


@pytest.fixture
def cpu(api: Api) -> Api:
    """cpu_temp: web-1 at minutes 0-4 of T0 (values 10..14), web-2 at minutes 3-4, and no source at minute 4."""
    submit(api, *({"name": "cpu_temp", "value": 10 + i, "measure_time": T0 + 60 * i} for i in range(5)), source="web-1")
    submit(api, *({"name": "cpu_temp", "value": 20 + i, "measure_time": T0 + 60 * i} for i in (3, 4)), source="web-2")
    submit(api, {"name": "cpu_temp", "value": 1, "measure_time": T0 + 240})
    return api


def values(body: dict, source: str) -> list[tuple[int, float]]:
    return [(p["measure_time"], p["value"]) for p in body["measurements"][source]]


def test_without_a_time_interval_the_answer_is_the_metric_alone(cpu: Api) -> None:
    body = read(cpu, resolution=60, source="*")
    assert "measurements" not in body and "resolution" not in body and body["name"] == "cpu_temp"


def test_count_is_the_last_points_of_each_source_before_end_time(cpu: Api) -> None:
    body = read(cpu, count=2, resolution=60, end_time=T0 + 299)
    assert body["name"] == "cpu_temp" and body["type"] == "gauge" and body["resolution"] == 60
    assert "query" not in body
    assert values(body, "web-1") == [(T0 + 180, 13.0), (T0 + 240, 14.0)]
    assert values(body, "web-2") == [(T0 + 180, 23.0), (T0 + 240, 24.0)]
    assert body["measurements"]["unassigned"] == [{"measure_time": T0 + 240, "value": 1.0, "count": 1}]


def test_start_time_with_count_is_the_first_points(cpu: Api) -> None:
    body = read(cpu, start_time=T0, count=2, resolution=60)
    assert values(body, "web-1") == [(T0, 10.0), (T0 + 60, 11.0)]
    assert values(body, "web-2") == [(T0 + 180, 23.0)]  # its first points, within the 4 minutes read
    assert set(body["measurements"]) == {"web-1", "web-2"}  # unassigned starts after them


def test_a_coarser_resolution_averages_and_carries_the_summary(cpu: Api) -> None:
    points = read(cpu, start_time=T0, end_time=T0 + 299, resolution=600, source="web-1")["measurements"]["web-1"]
    # T0 is a whole minute: its five minutes fall in one or two buckets of ten.
    assert [p["measure_time"] for p in points] == sorted({t - t % 600 for t in (T0, T0 + 240)})
    assert sum(p["count"] for p in points) == 5 and sum(p.get("sum", p["value"]) for p in points) == 60.0
    for p in points:
        if p["count"] > 1:
            assert p["value"] == p["sum"] / p["count"] and p["min"] <= p["value"] <= p["max"]
    if len(points) == 1:
        assert points == [
            {"measure_time": T0 - T0 % 600, "value": 12.0, "count": 5, "sum": 60.0, "min": 10.0, "max": 14.0}
        ]


def test_source_pattern_and_sources_list_filter(cpu: Api) -> None:
    assert set(read(cpu, start_time=T0, source="web-*")["measurements"]) == {"web-1", "web-2"}
    assert set(read(cpu, start_time=T0, source="WEB-2")["measurements"]) == {"web-2"}
    assert set(read(cpu, start_time=T0, source="unassigned")["measurements"]) == {"unassigned"}
    assert set(read(cpu, start_time=T0, **{"sources[]": ["web-1", "unassigned"]})["measurements"]) == {
        "web-1",
        "unassigned",
    }
    assert read(cpu, start_time=T0, source="db-*")["measurements"] == {}


def test_tagged_series_without_source_are_unassigned_combined_per_time(api: Api) -> None:
    body = {
        "time": T0,
        "measurements": [
            {"name": "mem", "value": 2, "tags": {"host": "a"}},
            {"name": "mem", "value": 4, "tags": {"host": "b"}},
            {"name": "mem", "value": 7, "tags": {"host": "c", "source": "web-1"}},
        ],
    }
    assert api.post("/v1/measurements", json_body=body).status == 202
    got = read(api, "mem", start_time=T0, resolution=60)["measurements"]
    assert got == {
        "unassigned": [{"measure_time": T0, "value": 3.0, "count": 2, "sum": 6.0, "min": 2.0, "max": 4.0}],
        "web-1": [{"measure_time": T0, "value": 7.0, "count": 1}],
    }


def test_summarize_sources_adds_all(cpu: Api) -> None:
    body = read(cpu, start_time=T0 + 240, end_time=T0 + 299, resolution=60, summarize_sources="true")
    assert body["measurements"]["all"] == [
        {"measure_time": T0 + 240, "value": 13.0, "count": 3, "sum": 39.0, "min": 1.0, "max": 24.0}
    ]
    alone = read(cpu, start_time=T0, summarize_sources="true", breakout_sources="false")["measurements"]
    assert list(alone) == ["all"]


def test_a_long_window_is_paged_by_next_time(cpu: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "PAGE_POINTS", 3)
    query = {"start_time": T0, "end_time": T0 + 299, "resolution": 60, "source": "web-1"}
    seen: list[tuple[int, float]] = []
    for _ in range(5):
        body = read(cpu, **query)
        seen += values(body, "web-1")
        if "query" not in body:
            break
        query["start_time"] = body["query"]["next_time"]
    assert seen == [(T0 + 60 * i, 10.0 + i) for i in range(5)]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"end_time": T0}, "start_time"),
        ({"count": 3, "group_by": "max"}, "group_by"),
        ({"count": 3, "summarize_time": "true"}, "summarize_time"),
        ({"count": 3, "resolution": 0}, "resolution"),
        ({"count": 3, "source": "bad;source"}, "source"),
    ],
)
def test_refusals_are_400_naming_the_parameter(cpu: Api, query: dict, param: str) -> None:
    reply = cpu.get("/v1/metrics/cpu_temp", query=query)
    assert reply.status == 400 and list(reply.json["errors"]["params"]) == [param], reply.text


def test_unknown_metric_is_404(api: Api) -> None:
    assert api.get("/v1/metrics/nope", query={"count": 3}).status == 404


def test_a_composite_metric_is_refused(api: Api) -> None:
    assert api.put("/v1/metrics/comp", json_body={"type": "composite", "composite": 's("cpu", "*")'}).status == 201
    reply = api.get("/v1/metrics/comp", query={"count": 3})
    assert reply.status == 400 and "GET /v1/measurements" in reply.text


def test_a_viewer_reads_and_another_organization_sees_nothing(
    template: Template, org: Org, cpu: Api, org_factory: Callable[[str], Org]
) -> None:
    viewer = Api(template, org.token(Role.VIEWER))
    assert set(read(viewer, start_time=T0)["measurements"]) == {"web-1", "web-2", "unassigned"}
    other = Api(template, org_factory("other").admin)
    assert other.get("/v1/metrics/cpu_temp", query={"start_time": T0}).status == 404
    submit(other, {"name": "cpu_temp", "value": 99, "measure_time": T0}, source="web-1")
    assert read(other, start_time=T0)["measurements"] == {"web-1": [{"measure_time": T0, "value": 99.0, "count": 1}]}


def test_count_finds_the_last_points_when_the_newest_minutes_are_empty(cpu: Api) -> None:
    """The bucket of end_time is often still empty (now, with nothing sent yet this minute): the last N points
    are the last N there are, not the points of the last N buckets."""
    body = read(cpu, count=2, resolution=60, end_time=T0 + 359)  # one empty minute after the last point
    assert values(body, "web-1") == [(T0 + 180, 13), (T0 + 240, 14)]
    assert values(body, "web-2") == [(T0 + 180, 23), (T0 + 240, 24)]
