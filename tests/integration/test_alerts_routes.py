"""Alerts and services through their handlers (seed: Alerts, Services): shapes, validation, paging, roles."""

import pytest

from polymetric.models.tenant import Role
from tests.conftest import Org
from tests.integration.api import Api

TAKEN = {"errors": {"params": {"name": ["has already been taken"]}}}  # seed: 422 Entity Already Exists
WEBHOOK = {"title": "hook", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/hook"}}


def _service(api: Api, body: dict | None = None) -> int:
    reply = api.post("/v1/services", json_body=body or WEBHOOK)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def _alert_body(name: str = "production.web.frontend.response_time", **extra) -> dict:
    body = {
        "name": name,
        "description": "Web Response Time",
        "conditions": [
            {
                "type": "above",
                "metric_name": "web.nginx.response_time",
                "threshold": 200,
                "summary_function": "max",
                "tags": [{"name": "tag_name", "grouped": False, "values": ["tag_value"]}],
            }
        ],
        "attributes": {"runbook_url": "http://myco.com/runbooks/response_time"},
        "active": True,
        "md": True,
    }
    body.update(extra)
    return body


def test_create_alert_answers_the_seed_shape(api: Api) -> None:
    service = _service(api)
    reply = api.post("/v1/alerts", json_body=_alert_body(services=[service]))
    assert reply.status == 201, reply.text
    body = reply.json
    assert reply.headers["location"] == f"/v1/alerts/{body['id']}"
    assert body["name"] == "production.web.frontend.response_time"
    condition = body["conditions"][0]
    assert isinstance(condition["id"], int)
    assert condition | {"id": 0} == {
        "id": 0,
        "type": "above",
        "metric_name": "web.nginx.response_time",
        "source": None,
        "threshold": 200.0,
        "summary_function": "max",
        "duration": None,
        "detect_reset": False,
        "tags": [{"name": "tag_name", "grouped": False, "values": ["tag_value"]}],
    }
    assert body["services"] == [{"id": service, "type": "webhook", "settings": WEBHOOK["settings"], "title": "hook"}]
    assert body["attributes"] == {"runbook_url": "http://myco.com/runbooks/response_time"}
    assert (body["active"], body["version"], body["rearm_seconds"], body["rearm_per_signal"], body["md"]) == (
        True,
        2,
        600,
        False,
        True,
    )
    assert api.get(f"/v1/alerts/{body['id']}").json == body


def test_create_alert_from_a_form_body(api: Api) -> None:
    form = (
        "name=form.alert&conditions%5B0%5D%5Btype%5D=below&conditions%5B0%5D%5Bmetric_name%5D=cpu"
        "&conditions%5B0%5D%5Bthreshold%5D=5&conditions%5B0%5D%5Bduration%5D=120&rearm_seconds=120&active=false"
    )
    reply = api.post("/v1/alerts", form=form)
    assert reply.status == 201, reply.text
    assert reply.json["conditions"][0]["threshold"] == 5.0
    assert reply.json["conditions"][0]["duration"] == 120
    assert (reply.json["active"], reply.json["rearm_seconds"]) == (False, 120)


def test_client_style_body_with_nulls_and_empty_tags_is_accepted(api: Api) -> None:
    """librato-metrics: tags {}, nulls, read-only keys, version; appoptics-metrics: no conditions then save()."""
    body = {
        "name": "client.alert",
        "md": False,
        "attributes": {},
        "version": 2,
        "description": None,
        "rearm_seconds": None,
        "active": True,
        "services": [],
        "id": None,
        "created_at": None,
        "updated_at": None,
        "rearm_per_signal": False,
        "conditions": [
            {
                "type": "absent",
                "metric_name": "m",
                "source": "*",
                "tags": {},
                "summary_function": None,
                "duration": 300,
                "threshold": None,
            }
        ],
    }
    reply = api.post("/v1/alerts", json_body=body)
    assert reply.status == 201, reply.text
    assert reply.json["conditions"][0]["type"] == "absent"
    empty = api.post("/v1/alerts", json_body={"name": "empty.alert", "conditions": [], "services": []})
    assert empty.status == 201


@pytest.mark.parametrize(
    ("patch", "param"),
    [
        ({"name": ""}, "name"),
        ({"name": "bad name!"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"conditions": [{"type": "sideways", "metric_name": "m", "threshold": 1}]}, "conditions[0].type"),
        ({"conditions": [{"type": "above", "threshold": 1}]}, "conditions[0].metric_name"),
        ({"conditions": [{"type": "below", "metric_name": "m"}]}, "conditions[0].threshold"),
        ({"conditions": [{"type": "above", "metric_name": "m", "threshold": "abc"}]}, "conditions[0].threshold"),
        ({"conditions": [{"type": "absent", "metric_name": "m"}]}, "conditions[0].duration"),
        ({"conditions": [{"type": "absent", "metric_name": "m", "duration": 59}]}, "conditions[0].duration"),
        (
            {"conditions": [{"type": "above", "metric_name": "m", "threshold": 1, "duration": 3601}]},
            "conditions[0].duration",
        ),
        (
            {"conditions": [{"type": "above", "metric_name": "m", "threshold": 1, "summary_function": "median"}]},
            "conditions[0].summary_function",
        ),
        (
            {"conditions": [{"type": "above", "metric_name": "m", "threshold": 1, "detect_reset": "maybe"}]},
            "conditions[0].detect_reset",
        ),
        (
            {"conditions": [{"type": "above", "metric_name": "m", "threshold": 1, "tags": [{"values": ["a"]}]}]},
            "conditions[0].tags[0].name",
        ),
        ({"conditions": "nope"}, "conditions[0]"),
        ({"rearm_seconds": 90}, "rearm_seconds"),
        ({"rearm_seconds": "soon"}, "rearm_seconds"),
        ({"active": "perhaps"}, "active"),
        ({"services": [987654]}, "services"),
        ({"services": ["abc"]}, "services[0]"),
        ({"attributes": {"runbook_url": "not a url"}}, "attributes.runbook_url"),
        ({"attributes": "x"}, "attributes"),
    ],
)
def test_bad_alert_bodies_are_400_naming_the_field(api: Api, patch: dict, param: str) -> None:
    reply = api.post("/v1/alerts", json_body=_alert_body(**patch))
    assert reply.status == 400, reply.text
    assert param in reply.json["errors"]["params"], reply.json


def test_alert_names_are_unique_case_insensitively_422(api: Api) -> None:
    assert api.post("/v1/alerts", json_body=_alert_body("dup.alert")).status == 201
    reply = api.post("/v1/alerts", json_body=_alert_body("DUP.alert"))
    assert (reply.status, reply.json) == (422, TAKEN)


def test_not_json_and_not_an_object_are_400(api: Api) -> None:
    assert api.post("/v1/alerts", body="{", content_type="application/json").status == 400
    assert api.post("/v1/alerts", body="[1]", content_type="application/json").status == 400
    assert api.post("/v1/services", body="{", content_type="application/json").status == 400


def test_update_keeps_condition_ids_and_removes_conditions_when_none_given(api: Api) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("upd.alert")).json
    cid = created["conditions"][0]["id"]
    changed = {**_alert_body("upd.alert"), "description": "new", "active": "false"}
    changed["conditions"][0]["id"] = cid
    assert api.put(f"/v1/alerts/{created['id']}", json_body=changed).status == 204
    got = api.get(f"/v1/alerts/{created['id']}").json
    assert (got["description"], got["active"], got["conditions"][0]["id"]) == ("new", False, cid)
    assert api.put(f"/v1/alerts/{created['id']}", json_body={"name": "upd.alert"}).status == 204
    assert api.get(f"/v1/alerts/{created['id']}").json["conditions"] == []


def test_rename_frees_the_old_name(api: Api) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("old.name")).json
    assert api.put(f"/v1/alerts/{created['id']}", json_body={"name": "new.name"}).status == 204
    assert api.post("/v1/alerts", json_body=_alert_body("old.name")).status == 201
    taken = api.put(f"/v1/alerts/{created['id']}", json_body={"name": "OLD.name"})
    assert (taken.status, taken.json) == (422, TAKEN)


@pytest.mark.parametrize("empty", ["", None])
def test_renaming_an_alert_or_service_to_nothing_is_400_and_omitting_the_name_keeps_it(api: Api, empty) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("named.alert")).json
    reply = api.put(f"/v1/alerts/{created['id']}", json_body={**_alert_body("x"), "name": empty})
    assert (reply.status, reply.json) == (400, {"errors": {"params": {"name": ["must not be empty"]}}})
    assert api.put(f"/v1/alerts/{created['id']}", json_body={"description": "kept"}).status == 204
    assert api.get(f"/v1/alerts/{created['id']}").json["name"] == "named.alert"
    sid = _service(api)
    reply = api.put(f"/v1/services/{sid}", json_body={"title": empty})
    assert (reply.status, reply.json) == (400, {"errors": {"params": {"title": ["must not be empty"]}}})
    assert api.put(f"/v1/services/{sid}", json_body={"settings": {"url": "http://127.0.0.1:9/other"}}).status == 204
    assert api.get(f"/v1/services/{sid}").json["title"] == "hook"


def test_list_searches_names_pages_and_puts_the_exact_name_first(api: Api) -> None:
    for name in ("my.alert.name.longer", "my.alert.name", "other"):
        assert api.post("/v1/alerts", json_body=_alert_body(name)).status == 201
    found = api.get("/v1/alerts", query={"name": "MY.ALERT.NAME"}).json
    assert [a["name"] for a in found["alerts"]] == ["my.alert.name", "my.alert.name.longer"]
    assert found["query"] == {"found": 2, "length": 2, "offset": 0, "total": 3}
    page = api.get("/v1/alerts", query={"offset": 1, "length": 1}).json
    assert page["query"] == {"found": 3, "length": 1, "offset": 1, "total": 3}
    assert api.get("/v1/alerts", query={"length": 101}).status == 400
    assert api.get("/v1/alerts", query={"orderby": "color"}).status == 400


def test_delete_alert_by_id_and_404s(api: Api) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("gone.alert")).json
    assert api.delete(f"/v1/alerts/{created['id']}").status == 204
    assert api.get(f"/v1/alerts/{created['id']}").status == 404
    assert api.delete(f"/v1/alerts/{created['id']}").status == 404
    assert api.get("/v1/alerts/no.such.alert").status == 404


def test_alert_services_association(api: Api) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("svc.alert")).json
    service = _service(api)
    reply = api.post(f"/v1/alerts/{created['id']}/services", form=f"service={service}")
    assert reply.status == 201
    assert reply.headers["location"] == f"/v1/alerts/{created['id']}/services/{service}"
    assert [s["id"] for s in api.get(f"/v1/alerts/{created['id']}").json["services"]] == [service]
    assert api.post(f"/v1/alerts/{created['id']}/services", json_body={"service": 424242}).status == 400
    assert api.post(f"/v1/alerts/{created['id']}/services", json_body={}).status == 400
    assert api.delete(f"/v1/alerts/{created['id']}/services/{service}").status == 204
    assert api.get(f"/v1/alerts/{created['id']}").json["services"] == []
    assert api.delete(f"/v1/alerts/{created['id']}/services/{service}").status == 404


def test_status_of_a_new_alert_is_ok(api: Api) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("st.alert")).json
    reply = api.get(f"/v1/alerts/{created['id']}/status")
    assert reply.json == {"alert": {"id": created["id"]}, "status": "ok", "deliveries": []}
    assert api.get("/v1/alerts/status").json == {"cleared": [], "firing": []}
    assert api.post(f"/v1/alerts/{created['id']}/clear").status == 204


def test_viewers_read_and_only_admins_write(api: Api, org: Org) -> None:
    viewer = Api(api.template, org.token(Role.VIEWER))
    created = api.post("/v1/alerts", json_body=_alert_body("role.alert")).json
    assert viewer.get("/v1/alerts").status == 200
    assert viewer.get(f"/v1/alerts/{created['id']}").status == 200
    assert "deliveries" not in viewer.get(f"/v1/alerts/{created['id']}/status").json
    assert viewer.get("/v1/services").status == 200
    assert viewer.post("/v1/alerts", json_body=_alert_body("viewer.alert")).status == 403
    assert viewer.delete(f"/v1/alerts/{created['id']}").status == 403
    assert viewer.post(f"/v1/alerts/{created['id']}/clear").status == 403
    assert viewer.post("/v1/services", json_body=WEBHOOK).status == 403
    recorder = Api(api.template, org.token(Role.RECORDER))
    assert recorder.get("/v1/alerts").status == 403
    assert Api(api.template, None).get("/v1/alerts").status == 401


def test_tenants_do_not_see_each_others_alerts(api: Api, org_factory) -> None:
    created = api.post("/v1/alerts", json_body=_alert_body("mine")).json
    other = Api(api.template, org_factory("other").admin)
    assert other.get(f"/v1/alerts/{created['id']}").status == 404
    assert other.get("/v1/alerts").json["alerts"] == []


@pytest.mark.parametrize(
    ("body", "status", "created"),
    [
        ({"title": "hook", "type": "webhook", "settings": {"url": "https://example.com/h"}}, 201, None),
        ({"title": "chat", "type": "slack", "settings": {"url": "https://hooks.slack.com/services/A/B/C"}}, 201, None),
        ({"title": "pd", "type": "pagerduty", "settings": {"service_key": "abc123"}}, 201, None),
        (
            {"title": "ops", "type": "mail", "settings": {"addresses": "a@example.com, b@example.com"}},
            201,
            {"addresses": "a@example.com,b@example.com"},
        ),
        (
            {"title": "topic", "type": "sns", "settings": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:ops"}},
            201,
            None,
        ),
    ],
)
def test_service_types(api: Api, body: dict, status: int, created: dict | None) -> None:
    reply = api.post("/v1/services", json_body=body)
    assert reply.status == status, reply.text
    assert reply.json["settings"] == (created or body["settings"])
    assert api.get(f"/v1/services/{reply.json['id']}").json == reply.json


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"type": "webhook", "settings": {"url": "http://x.example"}}, "title"),
        ({"title": "t", "type": "campfire", "settings": {}}, "type"),
        ({"title": "t", "settings": {}}, "type"),
        ({"title": "t", "type": "webhook", "settings": {}}, "settings.url"),
        ({"title": "t", "type": "webhook", "settings": {"url": "ftp://x"}}, "settings.url"),
        ({"title": "t", "type": "webhook"}, "settings"),
        ({"title": "t", "type": "slack", "settings": {"url": ""}}, "settings.url"),
        ({"title": "t", "type": "pagerduty", "settings": {}}, "settings.service_key"),
        ({"title": "t", "type": "mail", "settings": {"addresses": "nobody"}}, "settings.addresses"),
        ({"title": "t", "type": "sns", "settings": {"topic_arn": "ops"}}, "settings.topic_arn"),
    ],
)
def test_bad_service_bodies_are_400_naming_the_field(api: Api, body: dict, param: str) -> None:
    reply = api.post("/v1/services", json_body=body)
    assert reply.status == 400, reply.text
    assert param in reply.json["errors"]["params"], reply.json


def test_service_form_update_list_and_delete(api: Api) -> None:
    reply = api.post(
        "/v1/services", form="title=Notify+Ops&type=webhook&settings%5Burl%5D=http%3A%2F%2Fexample.com%2Fh"
    )
    assert reply.status == 201, reply.text
    sid = reply.json["id"]
    assert api.put(f"/v1/services/{sid}", form="title=Notify+Ops+Chatroom").status == 204
    assert api.get(f"/v1/services/{sid}").json["title"] == "Notify Ops Chatroom"
    assert api.put(f"/v1/services/{sid}", json_body={"type": "mail"}).status == 400
    _service(api, {"title": "another", "type": "pagerduty", "settings": {"service_key": "k"}})
    listed = api.get("/v1/services").json
    assert [s["title"] for s in listed["services"]] == ["another", "Notify Ops Chatroom"]
    assert listed["query"] == {"found": 2, "length": 2, "offset": 0, "total": 2}
    assert next(s["title"] for s in api.get("/v1/services", query={"sort": "desc"}).json["services"]) == (
        "Notify Ops Chatroom"
    )
    assert api.get("/v1/services", query={"orderby": "name"}).status == 400
    alert = api.post("/v1/alerts", json_body=_alert_body("uses.service", services=[sid])).json
    assert api.delete(f"/v1/services/{sid}").status == 204
    assert api.get(f"/v1/services/{sid}").status == 404
    assert api.get(f"/v1/alerts/{alert['id']}").json["services"] == []


def test_a_legacy_source_pattern_scopes_the_condition_as_a_source_tag(api: Api) -> None:
    """Librato conditions scope by ``source``; legacy samples keep it as the tag ``source``."""
    condition = {"type": "above", "metric_name": "m", "threshold": 5}
    scoped = api.post("/v1/alerts", json_body={"name": "by.source", "conditions": [{**condition, "source": "web-*"}]})
    assert scoped.status == 201, scoped.text
    assert scoped.json["conditions"][0]["tags"] == [{"name": "source", "values": ["web-*"], "grouped": False}]
    everything = api.post("/v1/alerts", json_body={"name": "all.sources", "conditions": [{**condition, "source": "*"}]})
    assert everything.json["conditions"][0]["tags"] == []
    both = {**condition, "source": "db-*", "tags": [{"name": "source", "values": ["web-1"]}]}
    kept = api.post("/v1/alerts", json_body={"name": "tag.wins", "conditions": [both]})
    assert kept.json["conditions"][0]["tags"] == [{"name": "source", "values": ["web-1"], "grouped": False}]
