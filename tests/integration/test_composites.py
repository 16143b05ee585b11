"""Composite queries through the handlers: compose= on both routes, persisted composites, tags_search, paging."""

import json
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polymetric.query import limits
from polymetric.query.composite import ast
from tests.integration.api import Api
from tests.unit.query.composite.test_properties import trees

NOW = int(time.time())
T0 = NOW - NOW % 3600 - 3 * 3600  # the start of an hour, three hours ago
HOSTS = {"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 40.0], "c": [5.0, 5.0, 5.0]}


@pytest.fixture
def data(api: Api) -> Api:
    """``req`` per host (a, b in us; c in eu) and ``err`` for a and b, at minutes 0, 1, 2 of T0's hour."""
    region = {"a": "us", "b": "us", "c": "eu"}
    measurements = [
        {"name": "req", "value": v, "time": T0 + 60 * k, "tags": {"host": h, "region": region[h]}}
        for h, values in HOSTS.items()
        for k, v in enumerate(values)
    ]
    measurements += [
        {"name": "err", "value": v / 10, "time": T0 + 60 * k, "tags": {"host": h, "region": "us"}}
        for h in ("a", "b")
        for k, v in enumerate(HOSTS[h])
    ]
    reply = api.post("/v1/measurements", json_body={"measurements": measurements})
    assert reply.status == 202, reply.text
    return api


def compose(api: Api, expression: str, route: str = "/v1/measurements", **query: object):
    query = {"compose": expression, "start_time": T0, "end_time": T0 + 600, "resolution": 60, **query}
    return api.get(route, query=query)


def points(values: list[float], start: int = 0) -> list[dict]:
    return [{"time": T0 + 60 * (start + k), "value": v} for k, v in enumerate(values)]


@pytest.mark.parametrize("route", ["/v1/measurements", "/v1/metrics"])
def test_compose_answers_the_seed_shape_on_both_routes(data: Api, route: str) -> None:
    reply = compose(data, 'derive(s("req", {"host": "b"}), {detect_reset: "true"})', route)
    assert reply.status == 200, reply.text
    assert reply.json == [
        {
            "tags": {"host": "b", "region": "us"},
            "measurements": points([10.0, 20.0], start=1),
            "metric": {
                "name": "req",
                "type": "gauge",
                "attributes": {"created_by_ua": "integration-test/1.0"},
                "period": None,
            },
            "period": 60,
        }
    ]


def test_compose_folds_metrics_and_tags(data: Api) -> None:
    reply = compose(data, 'divide([sum(s("err", "*")), sum(s("req", {"region": "us"}))])')
    assert reply.status == 200, reply.text
    (series,) = reply.json
    assert series["tags"] == {"region": "us"}
    assert series["metric"] == {"name": "composite", "type": "composite", "attributes": {}, "period": 60}
    assert [m["value"] for m in series["measurements"]] == pytest.approx([0.1, 0.1, 0.1])


def test_compose_group_by_and_timeshift(data: Api) -> None:
    reply = compose(data, 'group_by("region", sum(s("req", "*")))')
    assert [(s["tags"], [m["value"] for m in s["measurements"]]) for s in reply.json] == [
        ({"host": "c", "region": "eu"}, [5.0, 5.0, 5.0]),
        ({"region": "us"}, [11.0, 22.0, 43.0]),
    ]
    shifted = compose(data, 'timeshift("1m", s("req", {"host": "a"}))')
    assert shifted.json[0]["measurements"] == points([1.0, 2.0, 3.0], start=1)


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ({"start_time": None}, "start_time", "is required with compose"),
        ({"resolution": None}, "resolution", "is required with compose"),
        ({"compose": ""}, "compose", "is required: a composite metric expression"),
        ({"compose": 'sum(s("req", "*")'}, "compose", "expected ',' or ')' but found end of input at position 18"),
        ({"compose": 'avg(s("req", "*"))'}, "compose", "unknown function avg() at position 1"),
        ({"end_time": T0 - 60}, "end_time", "must not be before start_time"),
    ],
)
def test_bad_compose_queries_are_400(data: Api, query: dict, param: str, message: str) -> None:
    base = {"compose": 's("req", "*")', "start_time": T0, "resolution": 60, **query}
    reply = data.get("/v1/measurements", query={k: v for k, v in base.items() if v is not None})
    assert reply.status == 400, reply.text
    assert reply.json == {"errors": {"params": {param: [message]}}}


def test_compose_over_too_many_points_is_400(data: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_POINTS", 20)
    reply = compose(data, 's("req", "*")')
    assert reply.status == 400
    assert "narrow the query" in reply.json["errors"]["params"]["compose"][0]


def test_persisted_composite_is_evaluated_by_get_measurements(data: Api) -> None:
    expr = 'sum(s("req", "*"))'
    assert data.put("/v1/metrics/req.total", json_body={"type": "composite", "composite": expr}).status == 201
    reply = data.get("/v1/measurements/req.total", query={"start_time": T0, "end_time": T0 + 600, "resolution": 60})
    assert reply.status == 200, reply.text
    assert reply.json == {
        "name": "req.total",
        "resolution": 60,
        "series": [{"tags": {}, "measurements": points([16.0, 27.0, 48.0])}],
        "links": [],
    }
    narrowed = data.get(
        "/v1/measurements/req.total",
        query={"start_time": T0, "end_time": T0 + 600, "resolution": 60, "tags_search": "region=us and not host=b"},
    )
    assert narrowed.json["series"] == [{"tags": {"host": "a", "region": "us"}, "measurements": points([1.0, 2.0, 3.0])}]
    listed = {m["name"]: m for m in data.get("/v1/metrics").json["metrics"]}["req.total"]
    assert {k: listed[k] for k in ("name", "type", "period", "composite")} == {
        "name": "req.total",
        "type": "composite",
        "period": None,
        "composite": expr,
    }
    assert "attributes" in listed


@pytest.mark.parametrize(
    ("composite", "message"),
    [
        ('sum(s("req", "*")', "expected ',' or ')' but found end of input at position 18"),
        ('window(s("req", "*"), {size: 100})', "window() option size must be between 1 and 64 at position 30"),
        ('s("req.nested", "*")', "series('req.nested') names a composite metric: composite metrics cannot be nested"),
        ('s("other", "*")', "series('other') names a composite metric: composite metrics cannot be nested"),
    ],
)
def test_bad_persisted_composites_are_400(data: Api, composite: str, message: str) -> None:
    assert data.put("/v1/metrics/other", json_body={"type": "composite", "composite": 's("req", "*")'}).status == 201
    reply = data.put("/v1/metrics/req.nested", json_body={"type": "composite", "composite": composite})
    assert reply.status == 400, reply.text
    assert reply.json == {"errors": {"params": {"composite": [message]}}}


def test_updating_a_composite_validates_it(data: Api) -> None:
    assert data.put("/v1/metrics/ratio", json_body={"type": "composite", "composite": 's("req", "*")'}).status == 201
    reply = data.put("/v1/metrics/ratio", json_body={"composite": 'scale(s("req", "*"))'})
    assert reply.status == 400
    assert reply.json["errors"]["params"]["composite"] == ["scale() takes 2 arguments but was given 1 at position 1"]
    assert data.put("/v1/metrics/ratio", json_body={"composite": 'max(s("req", "*"))'}).status == 204


def test_composite_queried_with_tags_or_group_by_is_400(data: Api) -> None:
    data.put("/v1/metrics/req.total", json_body={"type": "composite", "composite": 's("req", "*")'})
    base = {"start_time": T0, "resolution": 60}
    reply = data.get("/v1/measurements/req.total", query={**base, "tags[host]": "a"})
    assert reply.json == {
        "errors": {"params": {"tags": ["req.total is a composite metric: filter it with tags_search"]}}
    }
    reply = data.get("/v1/measurements/req.total", query={**base, "group_by": "host", "group_by_function": "sum"})
    assert reply.status == 400
    assert "group_by" in reply.json["errors"]["params"]


def test_tags_search_filters_plain_queries(data: Api) -> None:
    base = {"start_time": T0, "end_time": T0 + 600, "resolution": 60}
    reply = data.get("/v1/measurements/req", query={**base, "tags_search": "region=us and (host=a or host=c)"})
    assert [s["tags"]["host"] for s in reply.json["series"]] == ["a"]
    reply = data.get("/v1/measurements/req", query={**base, "tags_search": "not region=us"})
    assert [s["tags"]["host"] for s in reply.json["series"]] == ["c"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tags_search": "region=us", "tags[host]": "a"}, "may not be combined with tags"),
        ({"tags_search": "region=us", "tags": "*"}, "may not be combined with tags"),
        ({"tags_search": "region=us and"}, "expected a tag name but found end of input at position 14"),
        (
            {"tags_search": "region"},
            "expected '=' or '!=' after tag name 'region' but found end of input at position 7",
        ),
    ],
)
def test_bad_tags_search_is_400(data: Api, query: dict, message: str) -> None:
    reply = data.get("/v1/measurements/req", query={"start_time": T0, "resolution": 60, **query})
    assert reply.status == 400, reply.text
    assert reply.json == {"errors": {"params": {"tags_search": [message]}}}


def test_series_pages_follow_links_and_return_every_series_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PAGE_SERIES", 3)
    measurements = [{"name": "many", "value": i, "time": T0, "tags": {"n": f"{i:02d}"}} for i in range(8)]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202
    seen: list[str] = []
    query: dict = {"start_time": T0, "end_time": T0 + 600, "resolution": 60, "tags[n]": "*"}
    pages = 0
    while True:
        body = api.get("/v1/measurements/many", query=query).json
        pages += 1
        seen += [s["tags"]["n"] for s in body["series"]]
        if not body["links"]:
            break
        (link,) = body["links"]
        assert link["rel"] == "next" and link["href"].startswith("https://localhost/v1/measurements/many?")
        # a series registered between two pages must not repeat one or hide one already due
        api.post(
            "/v1/measurements",
            json_body={"measurements": [{"name": "many", "value": 1, "time": T0, "tags": {"n": "00a"}}]},
        )
        query = {**query, "session_key": link["href"].rpartition("session_key=")[2]}
    assert pages == 3
    assert seen == sorted(set(seen)) and seen[:3] == ["00", "01", "02"]
    assert set(seen) >= {f"{i:02d}" for i in range(8)}


def test_summary_function_all_pages_too(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PAGE_SERIES", 3)
    measurements = [{"name": "every", "value": i, "time": T0, "tags": {"n": f"{i}"}} for i in range(5)]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202
    query = {"start_time": T0, "end_time": T0 + 600, "resolution": 60, "summary_function": "all"}
    first = api.get("/v1/measurements/every", query=query, headers={"Host": "abc.execute-api.us-east-1.amazonaws.com"})
    (link,) = first.json["links"]
    assert link["href"].startswith("https://abc.execute-api.us-east-1.amazonaws.com/Prod/v1/measurements/every?")
    first = first.json
    rest = api.get("/v1/measurements/every", query={**query, "session_key": link["href"].rpartition("=")[2]}).json
    assert [s["tags"]["n"] for s in first["series"] + rest["series"]] == ["0", "1", "2", "3", "4"]
    assert rest["links"] == [] and set(rest["series"][0]["measurements"][0]) >= {"count", "stddev"}


def test_a_bad_session_key_is_400(data: Api) -> None:
    reply = data.get("/v1/measurements/req", query={"start_time": T0, "resolution": 60, "session_key": "nope!"})
    assert reply.status == 400
    assert list(reply.json["errors"]["params"]) == ["session_key"]


def test_plain_query_over_too_many_points_is_400(data: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_POINTS", 10)
    reply = data.get("/v1/measurements/req", query={"start_time": T0, "end_time": T0 + 600, "resolution": 60})
    assert reply.status == 400
    assert reply.json["errors"]["params"]["resolution"] == [
        f"the query covers 3 series × 11 time buckets, more than 10 points; {limits.NARROW}"
    ]


_calls = st.builds(
    ast.Call,
    st.sampled_from(["s", "sum", "derive", "window", "timeshift", "group_by", "divide", "top", "fill", "map", "scale"]),
    st.lists(trees, max_size=3).map(tuple),
)


_leaf = st.sampled_from(['s("req", "*")', 's("err", {"host": "a"})', 's("r*", {"region": "!eu"}, {period: 120})', "[]"])
_n = st.integers(0, 70)
valid = st.recursive(
    _leaf,
    lambda x: st.one_of(
        st.builds("sum({})".format, x),
        st.builds("max([{}, {}])".format, x, x),
        st.builds('derive({}, {{detect_reset: "true"}})'.format, x),
        st.builds("integrate(rate({}))".format, x),
        st.builds('window({}, {{size: {}, function: "median"}})'.format, x, _n),
        st.builds("top({}, {{count: {}}})".format, x, _n),
        st.builds('timeshift("0,{}m", {})'.format, _n, x),
        st.builds('group_by("host", {})'.format, x),
        st.builds("divide([{}, {}])".format, x, x),
        st.builds('fill({}, {{value: "last"}})'.format, x),
        st.builds('scale(zero_fill({}), {{factor: "1/{}"}})'.format, x, _n),
        st.builds("filter({}, {{gt: {}}})".format, x, _n),
        st.builds('map({{host: "*"}}, {})'.format, x),
    ),
    max_leaves=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=st.one_of(st.text(max_size=40), _calls.map(ast.unparse), valid))
def test_any_compose_expression_is_answered_without_a_5xx(data: Api, expression: str) -> None:
    for route in ("/v1/measurements", "/v1/metrics"):
        reply = compose(data, expression, route)
        assert reply.status in (200, 400), reply.text
        assert reply.status == 200 or "errors" in json.loads(reply.text)


def _out_of_range(expression: str) -> bool:
    """Options the generator can draw outside their documented range: window size 1..64, count >= 1, x/0."""
    sizes = [int(n) for n in re.findall(r"size: (\d+)", expression)]
    counts = [int(n) for n in re.findall(r"count: (\d+)", expression)]
    return '"1/0"' in expression or any(not 1 <= n <= 64 for n in sizes) or 0 in counts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=valid)
def test_well_formed_compositions_evaluate(data: Api, expression: str) -> None:
    reply = compose(data, expression)
    assert reply.status == (400 if _out_of_range(expression) else 200), (expression, reply.text)


def test_a_series_pattern_matching_too_many_metrics_is_400_naming_the_limit(
    data: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_PATTERN_METRICS", 1)
    reply = compose(data, 's("*", "*")')
    assert reply.status == 400
    assert reply.json["errors"]["request"] == ["series('*') matches 2 metrics, more than 1; narrow the pattern"]
    assert compose(data, 's("re*", "*")').status == 200  # one metric: within the limit


def test_a_series_pattern_scans_only_names_after_its_literal_prefix(data: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SCANNED_METRICS", 1)
    reply = compose(data, 's("*q", "*")')  # no literal prefix: every name would be tried
    assert reply.status == 400
    assert "more than 1 metric names start with ''" in reply.json["errors"]["request"][0]
    assert compose(data, 's("re*", "*")').status == 200  # one name starts with "re"


def test_reading_more_indexed_series_than_a_request_may_is_400(data: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index entries one request goes through are bounded: a composite shares the bound among its series()."""
    monkeypatch.setattr(limits, "MAX_INDEXED_SERIES", 4)
    assert compose(data, 's("req", "*")').status == 200  # 3 series
    reply = compose(data, 'sum([s("req", "*"), s("err", "*")])')  # 3 + 2
    assert reply.status == 400
    assert reply.json["errors"]["request"][0].startswith("The query goes through more than 4 indexed series")
    plain = data.get("/v1/measurements/req", query={"start_time": T0, "resolution": 60})
    assert plain.status == 200
    monkeypatch.setattr(limits, "MAX_INDEXED_SERIES", 2)
    plain = data.get("/v1/measurements/req", query={"start_time": T0, "resolution": 60})
    assert plain.status == 400 and "tags[host]=web-1" in plain.json["errors"]["request"][0]
    # A literal tag value reads only its postings: within the bound.
    narrowed = data.get("/v1/measurements/req", query={"start_time": T0, "resolution": 60, "tags[host]": "a"})
    assert narrowed.status == 200 and len(narrowed.json["series"]) == 1
