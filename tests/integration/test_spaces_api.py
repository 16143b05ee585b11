"""AppOptics spaces and charts through the handler: CRUD, paging, stream validation, stream ids kept."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polymetric.models.tenant import Role
from tests.conftest import Org
from tests.integration.api import Api

CPU_CHART = {
    "type": "line",
    "name": "CPU Usage",
    "streams": [
        {"metric": "cpu.percent.idle", "tags": [{"name": "environment", "values": ["*"]}]},
        {"metric": "cpu.percent.user", "tags": [{"name": "environment", "values": ["prod"]}], "color": "#52D74C"},
    ],
}


def _space(api: Api, name: str = "CPUs") -> int:
    reply = api.post("/v1/spaces", json_body={"name": name})
    assert reply.status == 201, reply.text
    return reply.json["id"]


def test_space_crud_and_listing(api: Api) -> None:
    created = api.post("/v1/spaces", form="name=CPUs")
    assert created.status == 201
    space_id = created.json["id"]
    assert created.json == {"id": space_id, "name": "CPUs"}
    assert created.headers["location"] == f"/v1/spaces/{space_id}"
    assert api.get(f"/v1/spaces/{space_id}").json == {"id": space_id, "name": "CPUs", "charts": [], "tags": False}
    assert api.put(f"/v1/spaces/{space_id}", json_body={"name": "MEMORY"}).status == 204
    assert api.get(f"/v1/spaces/{space_id}").json["name"] == "MEMORY"
    for name in ("staging_ops", "prod_ops", "web"):
        _space(api, name)
    found = api.get("/v1/spaces", query={"name": "ops"}).json
    assert found == {
        "query": {"found": 2, "length": 2, "offset": 0, "total": 4},
        "spaces": [
            {"id": found["spaces"][0]["id"], "name": "prod_ops"},
            {"id": found["spaces"][1]["id"], "name": "staging_ops"},
        ],
    }
    page = api.get("/v1/spaces", query={"offset": 1, "length": 2}).json
    assert [s["name"] for s in page["spaces"]] == ["prod_ops", "staging_ops"]
    assert api.delete(f"/v1/spaces/{space_id}").status == 204
    assert api.get(f"/v1/spaces/{space_id}").status == 404


def test_space_names_are_unique_422_and_tags_false_is_accepted(api: Api) -> None:
    taken = {"errors": {"params": {"name": ["has already been taken"]}}}  # seed: 422 Entity Already Exists
    assert api.post("/v1/spaces", json_body={"name": "Ops", "tags": False}).status == 201
    dup = api.post("/v1/spaces", json_body={"name": "ops"})
    assert (dup.status, dup.json) == (422, taken)
    other = api.post("/v1/spaces", json_body={"name": "Dev"}).json["id"]
    renamed = api.put(f"/v1/spaces/{other}", json_body={"name": "OPS"})
    assert (renamed.status, renamed.json) == (422, taken)
    missing = api.post("/v1/spaces", json_body={})
    assert (missing.status, missing.json) == (400, {"errors": {"params": {"name": ["is required"]}}})


EMPTY_NAME = {"errors": {"params": {"name": ["must not be empty"]}}}


RENAMES = [{"json_body": {"name": ""}}, {"json_body": {"name": None}}, {"form": "name="}]


@pytest.mark.parametrize("rename", RENAMES, ids=["empty", "null", "form"])
def test_renaming_a_space_or_chart_to_an_empty_name_is_400_and_changes_nothing(api: Api, rename: dict) -> None:
    space_id = _space(api, "Named")
    chart = api.post(f"/v1/spaces/{space_id}/charts", json_body=CPU_CHART).json
    space_put = api.put(f"/v1/spaces/{space_id}", **rename)
    assert (space_put.status, space_put.json) == (400, EMPTY_NAME)
    chart_put = api.put(f"/v1/spaces/{space_id}/charts/{chart['id']}", **rename)
    assert (chart_put.status, chart_put.json) == (400, EMPTY_NAME)
    assert api.get(f"/v1/spaces/{space_id}").json["name"] == "Named"
    assert api.get(f"/v1/spaces/{space_id}/charts/{chart['id']}").json["name"] == "CPU Usage"


def test_updates_that_omit_the_name_keep_it(api: Api) -> None:
    space_id = _space(api, "Kept")
    chart = api.post(f"/v1/spaces/{space_id}/charts", json_body=CPU_CHART).json
    assert api.put(f"/v1/spaces/{space_id}", json_body={}).status == 204
    assert api.put(f"/v1/spaces/{space_id}", form="tags=true").status == 204
    updated = api.put(f"/v1/spaces/{space_id}/charts/{chart['id']}", form="label=percent&min=")
    assert updated.status == 200, updated.text
    assert (updated.json["name"], updated.json["label"]) == ("CPU Usage", "percent")
    assert api.get(f"/v1/spaces/{space_id}").json["name"] == "Kept"


def test_chart_crud_keeps_stream_ids_and_tags_across_client_style_put(api: Api) -> None:
    space_id = _space(api)
    created = api.post(f"/v1/spaces/{space_id}/charts", json_body=CPU_CHART)
    assert created.status == 201, created.text
    chart = created.json
    path = f"/v1/spaces/{space_id}/charts/{chart['id']}"
    assert created.headers["location"] == path
    assert chart["name"] == "CPU Usage" and chart["type"] == "line" and chart["thresholds"] is None
    first, second = chart["streams"]
    assert first == {
        "id": first["id"],
        "metric": "cpu.percent.idle",
        "type": "gauge",
        "tags": [{"name": "environment", "values": ["*"]}],
    }
    assert second["color"] == "#52D74C"
    assert api.get(path).json == chart
    assert api.get(f"/v1/spaces/{space_id}/charts").json == [chart]
    assert api.get(f"/v1/spaces/{space_id}").json["charts"] == [{"id": chart["id"]}]
    # The clients' update_chart: streams rebuilt from the model, tags and color dropped, source "*" added
    resent = [{"id": s["id"], "metric": s["metric"], "type": "gauge", "source": "*"} for s in chart["streams"]]
    updated = api.put(path, json_body={"name": "Temperature", "type": "line", "streams": resent})
    assert updated.status == 200
    assert updated.json["name"] == "Temperature"
    assert updated.json["streams"] == chart["streams"]
    # A rename without streams leaves them as they are
    assert api.put(path, json_body={"name": "Temp"}).json["streams"] == chart["streams"]
    assert api.delete(path).status == 204
    assert api.get(path).status == 404
    assert api.get(f"/v1/spaces/{space_id}/charts").json == []
    assert api.get(f"/v1/spaces/{space_id}").json["charts"] == []


def test_composite_streams_replace_and_bad_composites_name_the_position(api: Api) -> None:
    space_id = _space(api)
    chart = api.post(f"/v1/spaces/{space_id}/charts", json_body=CPU_CHART).json
    expression = (
        'divide([sum(s("cpu.percent.idle",{"environment":"*"})),sum(s("cpu.percent.user",{"environment":"*"}))])'
    )
    replaced = api.post(
        f"/v1/spaces/{space_id}/charts/{chart['id']}",
        json_body={"type": "line", "streams": [{"composite": expression}]},
    )
    assert replaced.status == 200
    (stream,) = replaced.json["streams"]
    assert stream == {"id": stream["id"], "composite": expression, "type": "composite"}
    bad = api.post(
        f"/v1/spaces/{space_id}/charts",
        json_body={"name": "bad", "streams": [{"metric": "m"}, {"composite": 'sum(s("m", "*")'}]},
    )
    assert bad.status == 400
    (message,) = bad.json["errors"]["params"]["streams[1].composite"]
    assert "at position" in message
    unknown = api.post(
        f"/v1/spaces/{space_id}/charts", json_body={"name": "f", "streams": [{"composite": 'nope(s("m","*"))'}]}
    )
    assert unknown.status == 400 and "unknown function nope()" in json.dumps(unknown.json)


def test_bignumber_chart_with_and_without_thresholds(api: Api) -> None:
    space_id = _space(api)
    stream = {"metric": "cpu.percent.user", "source": "*", "group_function": "average", "summary_function": "average"}
    plain = api.post(
        f"/v1/spaces/{space_id}/charts",
        json_body={"name": "CPU", "type": "bignumber", "use_last_value": True, "streams": [stream]},
    )
    assert plain.status == 201 and plain.json["use_last_value"] is True
    red = api.post(
        f"/v1/spaces/{space_id}/charts",
        json_body={
            "name": "CPU red",
            "type": "bignumber",
            "streams": [{"metric": "cpu.percent.user", "tags": [{"name": "environment", "values": ["prod"]}]}],
            "thresholds": [{"operator": ">", "value": 90, "type": "red"}],
        },
    )
    assert red.json["thresholds"] == [{"operator": ">", "value": 90.0, "type": "red"}]
    two = api.post(
        f"/v1/spaces/{space_id}/charts",
        json_body={"name": "two", "type": "bignumber", "streams": [{"metric": "a"}, {"metric": "b"}]},
    )
    assert two.status == 400 and "streams" in two.json["errors"]["params"]


def test_every_stream_property_is_validated(api: Api) -> None:
    space_id = _space(api)
    charts = f"/v1/spaces/{space_id}/charts"
    cases = {
        "streams[0].color": {"metric": "m", "color": "green"},
        "streams[0].group_function": {"metric": "m", "group_function": "median"},
        "streams[0].summary_function": {"metric": "m", "summary_function": "p99"},
        "streams[0].downsample_function": {"metric": "m", "downsample_function": "last"},
        "streams[0].transform_function": {"metric": "m", "transform_function": "import os"},
        "streams[0].period": {"metric": "m", "period": -5},
        "streams[0].metric": {"metric": "bad name"},
        "streams[0].tags[0].values": {"metric": "m", "tags": [{"name": "env"}]},
        "streams[0]": {"units_long": "ms"},
    }
    for param, stream in cases.items():
        reply = api.post(charts, json_body={"name": "c", "streams": [stream]})
        assert reply.status == 400, (param, reply.text)
        assert param in reply.json["errors"]["params"], (param, reply.json)
    assert api.post(charts, json_body={"name": "c", "type": "pie"}).status == 400
    good = {
        "metric": "not.yet.reported",
        "tags": [{"name": "region", "values": ["us-*"], "grouped": True}, {"name": "@host", "dynamic": True}],
        "group_function": "breakout",
        "summary_function": "max",
        "downsample_function": "sum",
        "units_short": "ms",
        "units_long": "milliseconds",
        "min": 0,
        "max": 100,
        "transform_function": "x/1000",
        "period": 60,
        "name": "latency",
    }
    ok = api.post(charts, json_body={"name": "c", "streams": [good], "min": 0, "max": 10, "label": "ms"})
    assert ok.status == 201, ok.text
    assert {k: v for k, v in ok.json["streams"][0].items() if k not in ("id", "type")} == good


def test_roles_and_tenants(api: Api, org: Org, org_factory, template) -> None:
    space_id = _space(api)
    chart = api.post(f"/v1/spaces/{space_id}/charts", json_body=CPU_CHART).json
    viewer = Api(template, org.token(Role.VIEWER))
    assert viewer.get(f"/v1/spaces/{space_id}/charts").status == 200
    assert viewer.post("/v1/spaces", json_body={"name": "x"}).status == 403
    other = Api(template, org_factory("other").admin)
    assert other.get(f"/v1/spaces/{space_id}").status == 404
    assert other.get(f"/v1/spaces/{space_id}/charts/{chart['id']}").status == 404
    assert other.get("/v1/spaces").json["spaces"] == []
    assert api.get(f"/v1/spaces/{space_id + 1000}/charts/{chart['id']}").status == 404


stream_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), st.lists(st.text(max_size=3), max_size=2)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(["name", "type", "streams", "min", "thresholds", "use_last_value"]),
        st.one_of(
            stream_values,
            st.lists(
                st.dictionaries(
                    st.sampled_from(["metric", "composite", "tags", "color", "period", "id", "group_function"]),
                    stream_values,
                ),
                max_size=3,
            ),
        ),
    )
)
def test_chart_writes_never_5xx(api: Api, body: dict) -> None:
    space_id = api.get("/v1/spaces", query={"name": "fuzz"}).json["spaces"]
    sid = space_id[0]["id"] if space_id else _space(api, "fuzz")
    reply = api.post(f"/v1/spaces/{sid}/charts", body=json.dumps(body), content_type="application/json")
    assert reply.status in (201, 400), reply.text
