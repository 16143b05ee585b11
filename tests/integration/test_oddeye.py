"""OddEye barlus put/tsdb (contract section 3): codes, exact bodies, per-check drops, what was stored."""

import json
import time
from urllib.parse import quote

import pytest

from polymetric.domain import annotations, tenants
from polymetric.models.tenant import Role
from polymetric.storage import checks as check_store
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api, Reply

ROUTE = "/oddeye-barlus/put/tsdb"
NOW = int(time.time()) - 30
OK = ' {"state":"OK"}\n'


@pytest.fixture
def oddeye(template: Template) -> Api:
    return Api(template, None)


def item(metric: str = "rated_metric_name", **kw) -> dict:
    base = {
        "metric": metric,
        "reaction": 0,
        "tags": {"cluster": "testcluster", "group": "testing", "host": "host.domain.com", "type": "mytype"},
        "timestamp": NOW,
        "type": "Rate",
        "value": 12,
    }
    base.update(kw)
    return {k: v for k, v in base.items() if v is not ...}


def agent_post(oddeye: Api, uuid: str | None, data: object | None) -> Reply:
    """As oe-agent2 sends it: 'UUID=' + uuid + '&data=' + json.dumps(list), not URL-encoded."""
    parts = []
    if uuid is not None:
        parts.append(f"UUID={uuid}")
    if data is not None:
        parts.append("data=" + (data if isinstance(data, str) else json.dumps(data)))
    return oddeye.post(ROUTE, form="&".join(parts))


def answer(reply: Reply, status: int, body: str) -> None:
    assert (reply.status, reply.text) == (status, body)
    assert reply.headers["content-type"] == "json;charset=UTF-8"


def stored(api: Api, name: str) -> list[tuple[dict, int, float]]:
    reply = api.get(f"/v1/measurements/{name}", query={"start_time": NOW - 3600, "resolution": 1})
    if reply.status == 404:
        return []
    return [(s["tags"], p["time"], p["value"]) for s in reply.json["series"] for p in s["measurements"]]


def names(api: Api) -> list[str]:
    return sorted(m["name"] for m in api.get("/v1/metrics").json["metrics"])


def test_seed_sample_is_200_and_readable(oddeye: Api, api: Api, org: Org) -> None:
    data = [item(), item("notype_metric_name", type="None", value=55)]
    answer(agent_post(oddeye, org.admin, data), 200, OK)
    tags = {"cluster": "testcluster", "group": "testing", "host": "host.domain.com", "type": "mytype"}
    assert stored(api, "rated_metric_name") == [(tags, NOW, 12.0)]
    assert stored(api, "notype_metric_name") == [(tags, NOW, 55.0)]


def test_get_with_query_parameters(oddeye: Api, api: Api, org: Org) -> None:
    reply = oddeye.get(ROUTE, query={"UUID": org.admin, "data": json.dumps([item("via.get", value=3)])})
    answer(reply, 200, OK)
    assert [v for _, _, v in stored(api, "via.get")] == [3.0]


def test_url_encoded_form_and_plus_as_space(oddeye: Api, api: Api, org: Org) -> None:
    data = json.dumps([item("encoded", tags={"host": "a b"})])
    answer(oddeye.post(ROUTE, form=f"UUID={quote(org.admin)}&data={quote(data)}"), 200, OK)
    raw = json.dumps([item("plus", tags={"host": "a+b"})])
    answer(agent_post(oddeye, org.admin, raw), 200, OK)
    assert stored(api, "encoded")[0][0] == {"host": "a b"}
    assert stored(api, "plus")[0][0] == {"host": "a b"}


def test_query_string_wins_over_the_body(oddeye: Api, api: Api, org: Org) -> None:
    reply = oddeye.post(
        ROUTE + "", query={"UUID": org.admin}, form="UUID=unknown&data=" + json.dumps([item("q.first")])
    )
    answer(reply, 200, OK)


def test_sandbox_parameter_is_ignored(oddeye: Api, org: Org) -> None:
    form = f"UUID={org.admin}&sandbox=1&data=" + json.dumps([item()])
    answer(oddeye.post(ROUTE, form=form), 200, OK)


@pytest.mark.parametrize("uuid", [None, "", "   "])
def test_empty_uuid_is_406(oddeye: Api, api: Api, uuid: str | None) -> None:
    answer(agent_post(oddeye, uuid, [item()]), 406, ' {"state":"FAILURE",messge:"EMPTY UUID"}\n')
    assert names(api) == []


def test_unknown_uuid_is_424(oddeye: Api, api: Api) -> None:
    body = ' {"state":"FAILURE",messge:"NOT VALID UUID"}\n'
    answer(agent_post(oddeye, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", [item()]), 424, body)
    assert names(api) == []


def test_viewer_token_is_not_a_valid_uuid(oddeye: Api, api: Api, org: Org) -> None:
    answer(agent_post(oddeye, org.token(Role.VIEWER), [item()]), 424, ' {"state":"FAILURE",messge:"NOT VALID UUID"}\n')
    answer(agent_post(oddeye, org.token(Role.RECORDER), [item()]), 200, OK)


def test_uuid_is_trimmed(oddeye: Api, org: Org) -> None:
    answer(oddeye.post(ROUTE, form=f"UUID=%20{org.admin}%20&data=" + json.dumps([item()])), 200, OK)


@pytest.mark.parametrize("data", [None, ""])
def test_empty_data_is_424(oddeye: Api, org: Org, data: str | None) -> None:
    answer(agent_post(oddeye, org.admin, data), 424, ' {"state":"FAILURE","message":"Empty Data"}\n')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[{", "Malformed JSON: End of input at line 1 column 3"),
        ("not json at all", "Malformed JSON: Did not consume the entire document at line 1 column 5"),
        ('{"metric": "m"}', "Not a JSON Array"),
        ("5", "Not a JSON Array"),
        ("[1, 2]", "Not a JSON Object"),
        (json.dumps([{"metric": "ok", "tags": {}, "timestamp": 1, "value": 1}, "x"]), "Not a JSON Object"),
        (json.dumps([{"metric": "m", "tags": ["a"], "timestamp": 1, "value": 1}]), "Not a JSON Object: tags"),
    ],
)
def test_unreadable_data_is_415_and_stores_nothing(oddeye: Api, api: Api, org: Org, data: str, message: str) -> None:
    answer(agent_post(oddeye, org.admin, data), 415, ' {"state":"FAILURE","message":"' + message + ' "}\n')
    assert names(api) == []


def test_empty_array_is_411(oddeye: Api, org: Org) -> None:
    answer(agent_post(oddeye, org.admin, "[]"), 411, ' {"state":"FAILURE","message":"NOT VALID JSON Array"}\n')


def test_lenient_json_as_in_the_seed_error_sample(oddeye: Api, api: Api, org: Org) -> None:
    data = (
        "[{'status': 'ERROR', 'reaction': -2, 'value': 16, 'timestamp': NOW, 'tags': {'cluster': 'testcluster', "
        "'group': 'testing', 'host': 'hobbit'}, 'metric': 'check_nginx', 'type': 'Special', "
        "'message': '7, Failed to connect to 127.0.0.1 port 80: Connection refused'}, "
        "{metric: lenient.point, tags: {host: h1}, timestamp: NOW, value: 2.5, /* comment */ type: None}]"
    ).replace("NOW", str(NOW))
    answer(agent_post(oddeye, org.admin, data), 200, OK)
    assert stored(api, "lenient.point") == [({"host": "h1"}, NOW, 2.5)]
    [event] = annotations.events(org.tenant, "oddeye", NOW - 10, NOW + 10)
    assert (event.title, event.source) == ("check_nginx ERROR", "hobbit")
    assert event.description == "7, Failed to connect to 127.0.0.1 port 80: Connection refused"


DROPS = [
    ({"tags": ...}, "tags not exist in input"),
    ({"tags": None}, "tags not exist in input"),
    ({"tags": "host=a"}, "tags not json in input"),
    ({"tags": 5}, "tags not json in input"),
    ({"timestamp": ...}, "timestamp not exist in input"),
    ({"metric": ...}, "metric not exist in input"),
    ({"value": ...}, "value not exist in input"),
    ({"value": None}, "value not exist in input"),
    ({"metric": "disk/sda"}, "metric not valid in input"),
    ({"metric": "naïve"}, "metric not valid in input"),
    ({"metric": 5}, "metric not valid in input"),
    ({"metric": "x" * 256}, "metric not valid in input"),
    ({"value": "abc"}, "value not numeric in input"),
    ({"value": True}, "value not numeric in input"),
    ({"value": {"a": 1}}, "value not numeric in input"),
    ({"timestamp": "soon"}, "timestamp not valid in input"),
    ({"timestamp": int(time.time() * 1000)}, "timestamp not valid in input"),
    ({"timestamp": -1}, "timestamp not valid in input"),
    ({"tags": {"host": {"nested": 1}}}, "tags not valid in input"),
    ({"tags": {"bad tag!": "x"}}, "tags not valid in input"),
    ({"tags": {"host": "a|b"}}, "tags not valid in input"),
]


@pytest.mark.parametrize(("change", "message"), DROPS)
def test_a_bad_check_is_dropped_and_reported(oddeye: Api, api: Api, org: Org, change: dict, message: str) -> None:
    reply = agent_post(oddeye, org.admin, [item("kept", value=1), item(**{"metric": "dropped", **change})])
    answer(reply, 200, ' {"state":"OK", "advansed":[{"message":"' + message + '"}]}\n')
    assert names(api) == ["kept"]


@pytest.mark.parametrize(("change", "message"), DROPS[:8])
def test_nothing_left_is_411_with_the_reasons(oddeye: Api, api: Api, org: Org, change: dict, message: str) -> None:
    reply = agent_post(oddeye, org.admin, [item(**{"metric": "a", **change}), item("b", tags=...)])
    body = (
        ' {"state":"FAILURE","message":"Not valid data", "advansed":[{"message":"'
        + message
        + '"},{"message":"tags not exist in input"}]}\n'
    )
    answer(reply, 411, body)
    assert names(api) == []


@pytest.mark.parametrize(
    ("field", "sent", "expected"),
    [("timestamp", str(NOW), NOW), ("timestamp", NOW + 0.75, NOW), ("value", "12.5", 12.5), ("value", -3, -3.0)],
)
def test_numbers_may_be_strings_or_fractions(
    oddeye: Api, api: Api, org: Org, field: str, sent: object, expected: float
) -> None:
    answer(agent_post(oddeye, org.admin, [item("n", **{field: sent})]), 200, OK)
    [(_, t, v)] = stored(api, "n")
    assert (t if field == "timestamp" else v) == expected


def test_tag_values_are_stringified_and_the_credential_tag_never_stored(oddeye: Api, api: Api, org: Org) -> None:
    tags = {"host": "h", "port": 8080, "ratio": 1.5, "up": True, "UUID": org.admin, "empty": "", "none": None}
    answer(agent_post(oddeye, org.admin, [item("tagged", tags=tags)]), 200, OK)
    assert stored(api, "tagged")[0][0] == {"host": "h", "port": "8080", "ratio": "1.5", "up": "true"}


def test_untagged_check_is_stored_without_tags(oddeye: Api, api: Api, org: Org) -> None:
    answer(agent_post(oddeye, org.admin, [item("bare", tags={})]), 200, OK)
    assert stored(api, "bare") == [({}, NOW, 12.0)]


def test_special_error_is_an_annotation_not_a_point(oddeye: Api, api: Api, org: Org) -> None:
    special = item(
        "Load-Average",
        type="Special",
        status="ERROR",
        message="ERROR: System Load average is at 123.25 percent of available  resources",
        tags={"cluster": "testcluster", "group": "testing", "host": "hobbit"},
        value=0,
    )
    answer(agent_post(oddeye, org.admin, [special, item("cpu", value=1)]), 200, OK)
    assert names(api) == ["cpu"]
    [event] = annotations.events(org.tenant, "oddeye", NOW - 10, NOW + 10)
    assert event.title == "Load-Average ERROR"
    assert event.description == "ERROR: System Load average is at 123.25 percent of available  resources"
    assert (event.source, event.start_time) == ("hobbit", NOW)
    # and the AppOptics annotations API shows it, grouped by its host
    shown = api.get("/v1/annotations/oddeye", query={"start_time": NOW - 10, "end_time": NOW + 10}).json
    assert [e["title"] for e in shown["events"][0]["hobbit"]] == ["Load-Average ERROR"]


def test_special_ok_records_nothing(oddeye: Api, api: Api, org: Org) -> None:
    special = item("Load-Average", type="special", status="OK", message="fine", value="n/a")
    answer(agent_post(oddeye, org.admin, [special]), 200, OK)
    assert names(api) == []
    assert annotations.events(org.tenant, "oddeye", NOW - 10, NOW + 10) == []


def test_type_and_reaction_are_kept_as_metric_metadata(oddeye: Api, org: Org) -> None:
    check_store.forget_cache()
    data = [
        item("counter.metric", type="counter", reaction=-1),
        item("rate.metric", type="Rate", reaction=-3),
        item("unknown.type", type="Whatever", reaction=7),
        item("default.type", type=..., reaction=...),
    ]
    answer(agent_post(oddeye, org.admin, data), 200, OK)
    kinds = {k: (v.type, v.reaction) for k, v in check_store.kinds(org.tenant).items()}
    assert kinds == {
        "counter.metric": ("Counter", -1),
        "rate.metric": ("Rate", -3),
        "unknown.type": ("None", 0),
        "default.type": ("None", 0),
    }


def test_quota_leaves_new_metrics_out_and_402_when_nothing_fits(oddeye: Api, api: Api, org: Org) -> None:
    tenants.set_metric_quota(org.tenant, 1)
    answer(agent_post(oddeye, org.admin, [item("known")]), 200, OK)
    reply = agent_post(oddeye, org.admin, [item("known", value=2), item("new.one")])
    answer(reply, 200, ' {"state":"OK", "advansed":[{"message":"metric over quota in input"}]}\n')
    answer(agent_post(oddeye, org.admin, [item("new.two")]), 402, ' {"state":"FAILURE","message":"Payment Required"}\n')
    assert names(api) == ["known"]
