"""GET /v1/measurements/:name: time window, resolution, tag filters, grouping and summary functions."""

import time

import pytest

from tests.integration.api import Api

NOW = int(time.time())
T0 = NOW - NOW % 3600 - 3 * 3600  # the start of an hour, three hours ago


def post(api: Api, *measurements: dict, tags: dict | None = None) -> None:
    body: dict = {"measurements": list(measurements)}
    if tags:
        body["tags"] = tags
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 202, reply.text


def get(api: Api, name: str = "disk", **query: object) -> dict:
    query.setdefault("start_time", T0)
    query.setdefault("end_time", T0 + 3 * 3600)
    query.setdefault("resolution", 60)
    reply = api.get(f"/v1/measurements/{name}", query=query)
    assert reply.status == 200, reply.text
    return reply.json


@pytest.fixture
def disk(api: Api) -> Api:
    """Four series of metric ``disk``; each gets values i+1, i+2, i+3 at minutes 0, 1 and 2 of T0's hour."""
    series = [
        {"region": "us-east", "name": "prod", "az": "a"},
        {"region": "us-west", "name": "prod", "az": "b"},
        {"region": "eu-west", "name": "prod"},
        {"region": "us-east", "name": "dev", "az": "a"},
    ]
    post(
        api,
        *[
            {"name": "disk", "value": i + k, "time": T0 + 60 * (k - 1), "tags": tags}
            for i, tags in enumerate(series)
            for k in (1, 2, 3)
        ],
    )
    return api


def values(series: dict) -> list[float]:
    return [m["value"] for m in series["measurements"]]


def test_response_shape_and_series_sorted_by_tag_pairs(disk: Api) -> None:
    body = get(disk)
    assert body["name"] == "disk"
    assert body["resolution"] == 60
    assert body["links"] == []
    # sorted by their sorted (name, value) pairs: az=a... < az=b... < name=prod...
    assert [s["tags"] for s in body["series"]] == [
        {"region": "us-east", "name": "dev", "az": "a"},
        {"region": "us-east", "name": "prod", "az": "a"},
        {"region": "us-west", "name": "prod", "az": "b"},
        {"region": "eu-west", "name": "prod"},
    ]
    assert body["series"][1]["measurements"] == [
        {"time": T0, "value": 1.0},
        {"time": T0 + 60, "value": 2.0},
        {"time": T0 + 120, "value": 3.0},
    ]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"tags[region]": "us-*"}, 3),
        ({"tags[region]": ["us-east", "eu-west"]}, 3),
        ({"tags[region][]": ["us-east", "eu-west"]}, 3),  # a list as the clients encode it
        ({"tags[region][]": "eu-west"}, 1),
        ({"tags[region][0]": "us-east", "tags[region][1]": "eu-west"}, 3),  # as Node's qs encodes a list
        ({"tags[region]": "us-*", "tags[name]": "prod"}, 2),
        ({"tags[region]": "!us-*"}, 1),
        ({"tags[!az]": "*"}, 1),
        ({"tags[az]": "*"}, 3),
        ({"tags[AZ]": "A"}, 2),
        ({"tags": "*"}, 4),
        ({"tags[region]": "ap-*"}, 0),
    ],
)
def test_tag_filters(disk: Api, tags: dict, expected: int) -> None:
    assert len(get(disk, **tags)["series"]) == expected


def test_group_by_sums_series_with_the_same_tag_values(disk: Api) -> None:
    body = get(disk, group_by="region", group_by_function="sum")
    assert [(s["tags"], values(s)) for s in body["series"]] == [
        ({"region": "eu-west"}, [3.0, 4.0, 5.0]),
        ({"region": "us-east"}, [1.0 + 4.0, 2.0 + 5.0, 3.0 + 6.0]),
        ({"region": "us-west"}, [2.0, 3.0, 4.0]),
    ]


@pytest.mark.parametrize(
    ("function", "expected"),
    [("sum", [10.0, 14.0, 18.0]), ("min", [1.0, 2.0, 3.0]), ("max", [4.0, 5.0, 6.0]), ("mean", [2.5, 3.5, 4.5])],
)
def test_group_by_star_folds_every_series(disk: Api, function: str, expected: list[float]) -> None:
    body = get(disk, group_by="*", group_by_function=function)
    assert body["series"] == [
        {"tags": {}, "measurements": [{"time": T0 + 60 * k, "value": v} for k, v in enumerate(expected)]}
    ]


def test_group_by_list_forms_and_filtering_on_group_tags(disk: Api) -> None:
    by_list = get(disk, **{"group_by[]": ["region", "az"], "group_by_function": "max"})
    by_comma = get(disk, group_by="region,az", group_by_function="max")
    assert by_list == by_comma
    # eu-west has no az tag: group_by also filters
    assert [s["tags"] for s in by_list["series"]] == [
        {"region": "us-east", "az": "a"},
        {"region": "us-west", "az": "b"},
    ]


def test_downsampling_to_coarser_resolution(disk: Api) -> None:
    body = get(disk, resolution=3600, **{"tags[name]": "prod", "tags[region]": "us-east"})
    assert body["series"][0]["measurements"] == [{"time": T0, "value": 2.0}]
    body = get(disk, resolution=3600, summary_function="sum", **{"tags[region]": "us-east", "tags[name]": "prod"})
    assert values(body["series"][0]) == [6.0]


@pytest.mark.parametrize(
    ("function", "expected"),
    [("count", [3.0]), ("max", [3.0]), ("min", [1.0]), ("stddev", [pytest.approx((2 / 3) ** 0.5)])],
)
def test_summary_functions_when_downsampling(disk: Api, function: str, expected: list) -> None:
    body = get(disk, resolution=600, summary_function=function, **{"tags[region]": "us-east", "tags[name]": "prod"})
    assert values(body["series"][0]) == expected


def test_derivative_is_the_change_between_buckets(disk: Api) -> None:
    body = get(disk, summary_function="derivative", **{"tags[region]": "us-east", "tags[name]": "prod"})
    assert body["series"][0]["measurements"] == [{"time": T0 + 60, "value": 1.0}, {"time": T0 + 120, "value": 1.0}]


def test_summary_function_all_returns_every_summary(disk: Api) -> None:
    body = get(disk, resolution=600, summary_function="all", **{"tags[region]": "us-east", "tags[name]": "prod"})
    [point] = body["series"][0]["measurements"]
    assert point == {
        "time": T0,
        "value": 2.0,
        "count": 3.0,
        "sum": 6.0,
        "min": 1.0,
        "max": 3.0,
        "last": 3.0,
        "stddev": pytest.approx((2 / 3) ** 0.5),
    }


def test_persisted_summarize_function_is_the_default(disk: Api) -> None:
    assert disk.put("/v1/metrics/disk", json_body={"attributes": {"summarize_function": "sum"}}).status == 204
    body = get(disk, resolution=600, **{"tags[region]": "us-east", "tags[name]": "prod"})
    assert values(body["series"][0]) == [6.0]


def test_times_are_floored_to_the_resolution(api: Api) -> None:
    post(api, {"name": "m", "value": 7, "time": T0 + 125, "tags": {"h": "a"}})
    body = get(api, "m", start_time=T0 + 61, resolution=60)
    assert body["series"][0]["measurements"] == [{"time": T0 + 120, "value": 7.0}]


def test_window_excludes_samples_outside_it(disk: Api) -> None:
    body = get(disk, start_time=T0 + 60, end_time=T0 + 60, **{"tags[region]": "eu-west"})
    assert values(body["series"][0]) == [4.0]


def test_duration_counts_back_from_now(api: Api) -> None:
    now = int(time.time())  # not the module's NOW: collection may be many minutes earlier
    post(
        api,
        {"name": "m", "value": 1, "time": now - 30, "tags": {"h": "a"}},
        {"name": "m", "value": 2, "time": now - 3000, "tags": {"h": "a"}},
    )
    reply = api.get("/v1/measurements/m", query={"duration": 600, "resolution": 1})
    assert values(reply.json["series"][0]) == [1.0]


def test_summaries_and_plain_values_mix_exactly(api: Api) -> None:
    post(
        api,
        {"name": "lat", "value": 10, "time": T0, "tags": {"h": "a"}},
        {"name": "lat", "count": 4, "sum": 20, "min": 1, "max": 9, "time": T0 + 30, "tags": {"h": "a"}},
    )
    body = get(api, "lat", resolution=60, summary_function="mean")
    assert values(body["series"][0]) == [6.0]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"duration": 60}, "resolution"),
        ({"resolution": 0, "duration": 60}, "resolution"),
        ({"resolution": 604801, "duration": 60}, "resolution"),
        ({"resolution": "abc", "duration": 60}, "resolution"),
        ({"resolution": 60}, "start_time"),
        ({"resolution": 60, "start_time": 1, "end_time": 2, "duration": 3}, "duration"),
        ({"resolution": 60, "start_time": 100, "end_time": 50}, "end_time"),
        ({"resolution": 60, "duration": 60, "summary_function": "median"}, "summary_function"),
        ({"resolution": 60, "duration": 60, "group_by": "region"}, "group_by_function"),
        ({"resolution": 60, "duration": 60, "group_by": "region", "group_by_function": "avg"}, "group_by_function"),
        (
            {
                "resolution": 60,
                "duration": 60,
                "group_by": "region",
                "group_by_function": "sum",
                "summary_function": "all",
            },
            "group_by",
        ),
        ({"resolution": 60, "duration": 60, "tags": "region"}, "tags"),
        ({"resolution": 60, "duration": 60, "tags[bad name!]": "x"}, "tags"),  # matched nothing: an empty 200
    ],
)
def test_bad_queries_are_400_naming_the_parameter(disk: Api, query: dict, param: str) -> None:
    reply = disk.get("/v1/measurements/disk", query=query)
    assert reply.status == 400, reply.text
    assert param in reply.json["errors"]["params"]


def test_unknown_metric_is_404(api: Api) -> None:
    reply = api.get("/v1/measurements/nope", query={"duration": 60, "resolution": 60})
    assert reply.status == 404
    assert reply.json == {"errors": {"request": ["Metric nope not found"]}}


def test_metric_without_data_in_window_has_no_series(disk: Api) -> None:
    assert get(disk, start_time=T0 - 7200, end_time=T0 - 3600)["series"] == []
