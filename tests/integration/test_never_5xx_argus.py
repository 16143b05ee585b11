"""Whatever a client sends to an Argus route, the answer is a 2xx or a 4xx in the Argus envelope."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.test_argus import DESCRIPTOR
from tests.integration.test_never_5xx import SLOW, json_values

times = st.one_of(
    st.integers(), st.floats(), st.text(max_size=12), st.sampled_from(["now", "now-1h", "0", "2024-01-01T00:00:00Z"])
)
names = st.one_of(st.sampled_from(["ipAddress", "vlan", "packages", "frames", "-packages", "customer"]), json_values)
record = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": times,
        "keys": st.one_of(
            st.dictionaries(names.filter(lambda n: isinstance(n, str)), json_values, max_size=3), json_values
        ),
        "values": st.one_of(
            st.dictionaries(st.sampled_from(["packages", "frames", "x"]), json_values, max_size=3), json_values
        ),
        "customer": json_values,
    },
)
criteria = {
    "startTimestamp": times,
    "endTimestamp": times,
    "keys": st.one_of(
        st.dictionaries(st.sampled_from(["ipAddress", "vlan", "x"]), json_values, max_size=2), json_values
    ),
    "keyIntervals": st.one_of(
        st.lists(
            st.dictionaries(st.sampled_from(["name", "gt", "lte", "values", "cidrs"]), json_values, max_size=4),
            max_size=2,
        ),
        json_values,
    ),
    "customer": json_values,
    "subCriteria": st.one_of(
        st.lists(
            st.dictionaries(st.sampled_from(["keys", "required", "exclude", "customer"]), json_values, max_size=3),
            max_size=2,
        ),
        json_values,
    ),
    "limit": st.one_of(st.integers(-5, 20000), json_values),
    "offset": st.one_of(st.integers(-5, 20000), json_values),
    "sortBy": st.one_of(st.lists(names, max_size=2), json_values),
}
search_body = st.fixed_dictionaries({}, optional=criteria)
aggregate_body = st.fixed_dictionaries(
    {},
    optional={
        **criteria,
        "values": st.one_of(
            st.lists(
                st.dictionaries(
                    st.sampled_from(["name", "aggregationFunction", "weightByValue", "valueAsWeight"]),
                    st.one_of(names, st.sampled_from(["wavg", "sum", "last"])),
                    max_size=3,
                ),
                max_size=2,
            ),
            json_values,
        ),
        "groupBy": st.one_of(
            st.lists(
                st.dictionaries(
                    st.sampled_from(["key", "limit"]), st.one_of(names, st.integers(-1, 20000)), max_size=2
                ),
                max_size=2,
            ),
            json_values,
        ),
        "resolution": st.one_of(st.integers(-1, 10**6), json_values),
        "resolutionUnit": st.one_of(st.sampled_from(["day", "hours", "millisecond", "x"]), json_values),
        "calendarInterval": st.one_of(st.sampled_from(["month", "week", "year", "x"]), json_values),
        "includeOthers": json_values,
    },
)
descriptor_body = st.one_of(
    st.fixed_dictionaries({}, optional={k: st.one_of(st.just(v), json_values) for k, v in DESCRIPTOR.items()}),
    json_values,
)


def assert_argus_shape(status: int, text: str) -> None:
    assert status < 500, text
    body = json.loads(text)
    assert body["responseCode"] == status
    if status >= 400:
        assert body["data"] is None and body["messages"]


@pytest.fixture
def key(api: Api, org: Org) -> str:
    reply = api.post(
        "/metrics/v1/descriptor", body=json.dumps(DESCRIPTOR), token=None, headers={"Argus-API-Key": org.admin}
    )
    assert reply.status == 201
    return org.admin


def send(api: Api, method: str, path: str, key: str, body: object) -> None:
    raw = body if isinstance(body, str) else json.dumps(body)
    reply = api.request(method, path, body=raw, token=None, headers={"Argus-API-Key": key})
    assert_argus_shape(reply.status, reply.text)


@SLOW
@given(
    body=st.one_of(
        st.fixed_dictionaries({"records": st.lists(record, max_size=3)}, optional={"ignoreOnFailed": json_values}),
        json_values,
    )
)
def test_submit_never_5xx(api: Api, key: str, body: object) -> None:
    send(api, "POST", "/metrics/v1/metric/netflow", key, body)


@SLOW
@given(body=search_body)
def test_search_never_5xx(api: Api, key: str, body: object) -> None:
    send(api, "POST", "/metrics/v1/metric/netflow/search", key, body)


@SLOW
@given(body=aggregate_body)
def test_aggregate_never_5xx(api: Api, key: str, body: object) -> None:
    send(api, "POST", "/metrics/v1/metric/netflow/aggregate", key, body)


@SLOW
@given(
    body=descriptor_body,
    update=st.dictionaries(
        st.sampled_from(
            ["addKeys", "removeKeys", "updateValues", "addValues", "shortName", "timeFrameSize", "category"]
        ),
        json_values,
        max_size=3,
    ),
)
def test_descriptor_writes_never_5xx(api: Api, key: str, body: object, update: dict) -> None:
    send(api, "POST", "/metrics/v1/descriptor", key, body)
    send(api, "POST", "/metrics/v1/descriptor/search", key, body)
    send(api, "PUT", "/metrics/v1/descriptor/netflow", key, update)


@SLOW
@given(
    raw=st.binary(max_size=120),
    ref=st.text(alphabet=st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), min_size=1, max_size=10),
    header=st.text(max_size=20),
)
def test_garbage_never_5xx(api: Api, key: str, raw: bytes, ref: str, header: str) -> None:
    body = raw.decode("latin-1")
    send(api, "POST", f"/metrics/v1/metric/{ref}", key, body)
    send(api, "POST", "/metrics/v1/metric/netflow/aggregate", key, body)
    send(api, "GET", f"/metrics/v1/descriptor/{ref}", key, None)
    reply = api.request(
        "GET", "/metrics/v1/descriptor", token=None, headers={"Argus-API-Key": header}, query={"limit": header}
    )
    assert_argus_shape(reply.status, reply.text)
