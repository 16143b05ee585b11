"""Whatever an agent sends to a CloudWisdom route, the answer is a 202 or a 4xx in the CloudWisdom envelope."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.test_never_5xx import SLOW, json_values

stamps = st.one_of(
    st.integers(), st.floats(), st.text(max_size=30), st.sampled_from(["2015-09-08T13:39:33.948Z", "now"])
)
numbers = st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=6), st.booleans())
pairs = st.one_of(
    st.lists(st.fixed_dictionaries({}, optional={"name": json_values, "value": json_values}), max_size=3), json_values
)
sample = st.fixed_dictionaries(
    {},
    optional={
        "metricId": st.one_of(st.text(max_size=10), json_values),
        "timestamp": stamps,
        **dict.fromkeys(("val", "min", "max", "avg", "sum", "cnt"), numbers),
    },
)
metric = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=10), json_values),
        "type": st.one_of(st.sampled_from(["COUNTER", "GAUGE"]), json_values),
        "sparseDataStrategy": st.one_of(st.sampled_from(["None", "ReplaceWithLast", "x"]), json_values),
        "tags": pairs,
    },
)
element = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=12), json_values),
        "type": st.one_of(st.text(max_size=8), json_values),
        "name": json_values,
        "location": json_values,
        "metrics": st.one_of(st.lists(metric, max_size=3), json_values),
        "samples": st.one_of(st.lists(sample, max_size=4), json_values),
        "attributes": pairs,
        "tags": pairs,
        "relations": st.one_of(st.lists(st.fixed_dictionaries({"fqn": json_values}), max_size=2), json_values),
    },
)
event = st.fixed_dictionaries(
    {},
    optional={
        "title": json_values,
        "type": json_values,
        "timestamp": stamps,
        "source": json_values,
        "tags": pairs,
        "data": st.one_of(st.dictionaries(st.text(max_size=8), json_values, max_size=3), json_values),
    },
)
options = st.sampled_from(["", "SEND_RESPONSE_BODY", "INJECT_TIMESTAMP", "SEND_RESPONSE_BODY,INJECT_TIMESTAMP"])


def assert_cloudwisdom_shape(status: int, text: str) -> None:
    assert status < 500, text
    if status >= 400:
        body = json.loads(text)
        assert body["status"] == status and isinstance(body["errors"], list) and body["detail"]


@pytest.fixture
def recorder(org: Org) -> str:
    return org.admin


@SLOW
@given(body=st.one_of(st.lists(element, max_size=3), json_values), opts=options)
def test_post_elements_never_5xx(api: Api, recorder: str, body: object, opts: str) -> None:
    reply = api.post(
        f"/ingest/{recorder}", body=json.dumps(body), token=None, headers={"X-Netuitive-Api-Options": opts}
    )
    assert_cloudwisdom_shape(reply.status, reply.text)


@SLOW
@given(raw=st.binary(max_size=200), path=st.sampled_from(["/ingest/{}", "/ingest/events/{}", "/ingest/statsd/{}"]))
def test_garbage_bytes_never_5xx(api: Api, recorder: str, raw: bytes, path: str) -> None:
    reply = api.post(path.format(recorder), body=raw.decode("latin-1"), token=None)
    assert_cloudwisdom_shape(reply.status, reply.text)


@SLOW
@given(body=st.one_of(st.lists(event, max_size=3), json_values), opts=options)
def test_post_events_never_5xx(api: Api, recorder: str, body: object, opts: str) -> None:
    reply = api.post(
        f"/ingest/events/{recorder}", body=json.dumps(body), token=None, headers={"X-Netuitive-Api-Options": opts}
    )
    assert_cloudwisdom_shape(reply.status, reply.text)


segment = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), min_size=1, max_size=12
)


@SLOW
@given(api_id=segment, name=segment, fqn=segment, ttl=segment)
def test_check_never_5xx(api: Api, recorder: str, api_id: str, name: str, fqn: str, ttl: str) -> None:
    for key in (recorder, api_id):
        reply = api.post(f"/check/{key}/{name}/{fqn}/{ttl}", token=None)
        assert_cloudwisdom_shape(reply.status, reply.text)
