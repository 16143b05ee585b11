"""Anomify, OddEye and legacy Librato: whatever arrives, a 2xx or a 4xx in the dialect's own shape, never a 5xx."""

import base64
import gzip
import importlib
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polymetric_local.template import Template
from tests.conftest import LambdaContext, Org, load_event
from tests.integration.api import Api
from tests.integration.test_never_5xx import json_values

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ODDEYE_FAILURE = re.compile(r'^ \{"state":"FAILURE",(messge:"[A-Z ]+"|"message":.*)\}\n$', re.S)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12))
flux_metric = st.fixed_dictionaries(
    {},
    optional={
        "metric": st.one_of(st.text(max_size=20), st.sampled_from(["cpu", "a.b", "x y", "m/1"]), json_values),
        "timestamp": st.one_of(st.integers(), st.floats(), st.text(max_size=12), scalars),
        "value": st.one_of(st.floats(), st.integers(), st.text(max_size=6), json_values),
        "fill": st.one_of(st.sampled_from(["true", "True", "false"]), scalars),
    },
)


def flux_bodies(key: str) -> st.SearchStrategy:
    return st.one_of(
        st.fixed_dictionaries(
            {"key": st.one_of(st.just(key), scalars)},
            optional={"metrics": st.one_of(st.lists(flux_metric, max_size=4), json_values), "test": scalars},
        ),
        flux_metric.map(lambda m: {"key": key, **m}),
        json_values,
    )


def assert_flux_shape(status: int, text: str) -> None:
    assert status < 500, text
    if status >= 400:
        body = json.loads(text)
        assert body["code"] == status and isinstance(body.get("message", body.get("error")), str), text


@SLOW
@given(data=st.data())
def test_anomify_post_never_5xx(template: Template, org: Org, data: st.DataObject) -> None:
    body = data.draw(flux_bodies(org.admin))
    reply = Api(template, None).post("/flux/metric_data_post", body=json.dumps(body, allow_nan=True))
    assert_flux_shape(reply.status, reply.text)


@SLOW
@given(raw=st.binary(max_size=200), encoding=st.sampled_from([None, "gzip", "deflate"]), wrap=st.booleans())
def test_anomify_garbage_bytes_never_5xx(org: Org, raw: bytes, encoding: str | None, wrap: bool) -> None:
    event = load_event("apigw/anomify-post-gzip")
    payload = gzip.compress(raw) if wrap else raw
    event["headers"] = {"Content-Type": "application/json", "key": org.admin}
    if encoding:
        event["headers"]["Content-Encoding"] = encoding
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    event["body"], event["isBase64Encoded"] = base64.b64encode(payload).decode(), True
    reply = importlib.import_module("functions.anomify.app").lambda_handler(event, LambdaContext())
    assert_flux_shape(reply["statusCode"], reply["body"])


@SLOW
@given(
    query=st.dictionaries(
        st.sampled_from(["key", "metric", "value", "timestamp", "fill", "x"]), st.text(max_size=12), max_size=5
    )
)
def test_anomify_get_never_5xx(template: Template, org: Org, query: dict) -> None:
    if query.get("key") == "":
        query["key"] = org.admin
    reply = Api(template, None).get("/flux/metric_data", query=query)
    assert_flux_shape(reply.status, reply.text)


oddeye_item = st.fixed_dictionaries(
    {},
    optional={
        "metric": st.one_of(st.text(max_size=12), st.just("cpu"), json_values),
        "tags": st.one_of(st.dictionaries(st.text(max_size=6), scalars, max_size=3), json_values),
        "timestamp": st.one_of(st.integers(), st.floats(), st.text(max_size=12)),
        "value": st.one_of(st.floats(), st.integers(), st.text(max_size=6), json_values),
        "type": st.one_of(st.sampled_from(["Special", "Counter", "None", "Rate"]), scalars),
        "reaction": st.one_of(st.integers(), scalars),
        "status": st.one_of(st.sampled_from(["ERROR", "OK"]), scalars),
        "message": st.one_of(st.text(max_size=20), scalars),
    },
)


def assert_oddeye_shape(status: int, text: str) -> None:
    assert status < 500, text
    if status >= 400:
        assert ODDEYE_FAILURE.match(text), text


@SLOW
@given(
    data=st.one_of(st.lists(oddeye_item, max_size=4).map(json.dumps), st.text(max_size=60), json_values.map(json.dumps))
)
def test_oddeye_post_never_5xx(template: Template, org: Org, data: str) -> None:
    reply = Api(template, None).post("/oddeye-barlus/put/tsdb", form=f"UUID={org.admin}&data={data}")
    assert_oddeye_shape(reply.status, reply.text)


@SLOW
@given(
    form=st.text(max_size=80),
    query=st.dictionaries(st.sampled_from(["UUID", "data", "sandbox"]), st.text(max_size=20), max_size=3),
)
def test_oddeye_garbage_forms_never_5xx(template: Template, org: Org, form: str, query: dict) -> None:
    api = Api(template, None)
    assert_oddeye_shape(*_status_text(api.post("/oddeye-barlus/put/tsdb", form=form, query=query)))
    assert_oddeye_shape(*_status_text(api.get("/oddeye-barlus/put/tsdb", query=query)))


def _status_text(reply) -> tuple[int, str]:
    return reply.status, reply.text


legacy_item = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=12), st.just("cpu"), json_values),
        "value": st.one_of(st.floats(), st.integers(), st.text(max_size=5), json_values),
        "count": st.one_of(st.floats(), st.integers(), scalars),
        "sum": st.one_of(st.floats(), scalars),
        "min": scalars,
        "max": scalars,
        "sum_squares": st.one_of(st.floats(), scalars),
        "source": st.one_of(st.text(max_size=8), json_values),
        "measure_time": st.one_of(st.integers(), st.floats(), st.text(max_size=5)),
        "period": json_values,
        "attributes": json_values,
    },
)


@SLOW
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "gauges": st.one_of(
                    st.lists(legacy_item, max_size=3),
                    st.dictionaries(st.text(max_size=5), legacy_item, max_size=2),
                    json_values,
                ),
                "counters": st.one_of(st.lists(legacy_item, max_size=3), json_values),
                "source": json_values,
                "measure_time": json_values,
            },
        ),
        json_values,
    )
)
def test_legacy_metrics_post_never_5xx(api: Api, body: object) -> None:
    reply = api.post("/v1/metrics", body=json.dumps(body, allow_nan=True), content_type="application/json")
    assert reply.status < 500, reply.text
    if reply.status >= 400:
        assert "errors" in json.loads(reply.text)
