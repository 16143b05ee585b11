"""Whatever a client sends to the alert and service routes, the answer is a 2xx or a 4xx in AppOptics shape."""

import json

from hypothesis import given
from hypothesis import strategies as st

from tests.integration.api import Api
from tests.integration.test_never_5xx import SLOW, assert_client_error_shape, json_values

condition = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(st.sampled_from(["above", "below", "absent", "anomalous"]), json_values),
        "metric_name": st.one_of(st.sampled_from(["cpu", "a.b"]), json_values),
        "threshold": st.one_of(st.floats(), st.integers(), st.text(max_size=5), json_values),
        "duration": st.one_of(st.integers(), st.floats(), st.text(max_size=5), json_values),
        "summary_function": st.one_of(st.sampled_from(["max", "derivative"]), json_values),
        "detect_reset": json_values,
        "sensitivity": json_values,
        "id": json_values,
        "tags": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {}, optional={"name": json_values, "values": json_values, "grouped": json_values}
                ),
                max_size=3,
            ),
            json_values,
        ),
    },
)
alert_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(st.sampled_from(["a.b", "x"]), json_values),
            "conditions": st.one_of(st.lists(condition, max_size=3), json_values),
            "services": json_values,
            "attributes": json_values,
            "active": json_values,
            "rearm_seconds": st.one_of(st.integers(), json_values),
            "rearm_per_signal": json_values,
            "md": json_values,
            "description": json_values,
        },
    ),
    json_values,
)
service_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "title": json_values,
            "type": st.one_of(st.sampled_from(["webhook", "slack", "pagerduty", "mail", "sns"]), json_values),
            "settings": st.one_of(
                st.dictionaries(st.sampled_from(["url", "service_key", "addresses", "topic_arn"]), json_values),
                json_values,
            ),
        },
    ),
    json_values,
)


@SLOW
@given(body=alert_bodies)
def test_alert_bodies_never_5xx(api: Api, body: object) -> None:
    reply = api.post("/v1/alerts", body=json.dumps(body, allow_nan=True), content_type="application/json")
    assert_client_error_shape(reply.status, reply.text)
    reply = api.put("/v1/alerts/1", body=json.dumps(body, allow_nan=True), content_type="application/json")
    assert_client_error_shape(reply.status, reply.text)


@SLOW
@given(body=service_bodies)
def test_service_bodies_never_5xx(api: Api, body: object) -> None:
    reply = api.post("/v1/services", body=json.dumps(body, allow_nan=True), content_type="application/json")
    assert_client_error_shape(reply.status, reply.text)
    if reply.status == 201:
        again = api.put(f"/v1/services/{reply.json['id']}", body=json.dumps(body), content_type="application/json")
        assert_client_error_shape(again.status, again.text)


@SLOW
@given(form=st.text(max_size=80))
def test_alert_form_bodies_never_5xx(api: Api, form: str) -> None:
    reply = api.post("/v1/alerts", form=form)
    assert_client_error_shape(reply.status, reply.text)
