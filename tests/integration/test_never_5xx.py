"""Whatever a client sends, the answer is a 2xx or a 4xx in the AppOptics error shape, never a 5xx."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.api import Api

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
measurement = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=30), st.sampled_from(["cpu", "a.b:c-d_e"]), json_values),
        "value": st.one_of(st.floats(), st.integers(), st.none(), st.text(max_size=5)),
        "count": st.one_of(st.floats(), st.integers(), st.none()),
        "sum": st.one_of(st.floats(), st.none()),
        "min": st.floats(),
        "max": st.floats(),
        "stddev": st.floats(),
        "time": st.one_of(st.integers(), st.floats(), st.text(max_size=5)),
        "period": json_values,
        "tags": st.one_of(
            st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers()), max_size=3), json_values
        ),
        "attributes": json_values,
    },
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"measurements": st.lists(measurement, max_size=4)},
        optional={"tags": json_values, "time": json_values, "period": json_values},
    ),
    json_values,
)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_client_error_shape(status: int, text: str) -> None:
    assert status < 500, text
    if status >= 400:
        body = json.loads(text)
        assert "errors" in body


@SLOW
@given(body=bodies)
def test_post_measurements_never_5xx(api: Api, body: object) -> None:
    reply = api.post("/v1/measurements", body=json.dumps(body, allow_nan=True), content_type="application/json")
    assert_client_error_shape(reply.status, reply.text)


@SLOW
@given(raw=st.binary(max_size=200))
def test_post_measurements_garbage_bytes_never_5xx(api: Api, raw: bytes) -> None:
    reply = api.post("/v1/measurements", body=raw.decode("latin-1"), content_type="application/json")
    assert_client_error_shape(reply.status, reply.text)


query_keys = st.sampled_from(
    [
        "start_time",
        "end_time",
        "duration",
        "resolution",
        "tags[region]",
        "tags[!az]",
        "group_by",
        "group_by[]",
        "group_by_function",
        "summary_function",
        "tags",
        "tags[]",
        "tags_search",
        "offset",
        "length",
        "sort",
        "orderby",
        "name",
    ]
)


@SLOW
@given(query=st.dictionaries(query_keys, st.lists(st.text(max_size=12), min_size=1, max_size=3), max_size=6))
def test_queries_never_5xx(api: Api, query: dict) -> None:
    api.post("/v1/measurements", json_body={"tags": {"region": "us"}, "measurements": [{"name": "cpu", "value": 1}]})
    for path in ("/v1/measurements/cpu", "/v1/metrics"):
        reply = api.get(path, query=query)
        assert_client_error_shape(reply.status, reply.text)


@SLOW
@given(body=json_values, form=st.text(max_size=60))
def test_metric_writes_never_5xx(api: Api, body: object, form: str) -> None:
    for reply in (
        api.put("/v1/metrics/m", body=json.dumps(body), content_type="application/json"),
        api.put("/v1/metrics/m", form=form),
        api.delete("/v1/metrics", body=json.dumps(body), content_type="application/json"),
        api.delete("/v1/metrics", form=form),
    ):
        assert_client_error_shape(reply.status, reply.text)
