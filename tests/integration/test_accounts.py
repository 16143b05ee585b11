"""API tokens, environments and the organization over HTTP (seed: API Tokens, Environments)."""

import json
import re
import time
from collections.abc import Callable

import pytest

from polymetric import clock
from polymetric.domain import tenants
from polymetric.models.tenant import TokenChanges
from polymetric.storage import tokens as token_store
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api, Reply

NOW = int(time.time()) - 60
NOW_MS = NOW * 1000


def make_token(api: Api, **body: object) -> Reply:
    reply = api.post("/v1/api_tokens", json_body=body)
    assert reply.status == 201, reply.text
    return reply


def test_create_shows_the_secret_once_then_masks_it(template: Template, api: Api) -> None:
    created = make_token(api, name="collectors", role="recorder")
    body = created.json
    assert re.fullmatch(r"[0-9a-f]{64}", body["token"])
    assert created.headers["location"] == f"/v1/api_tokens/{body['id']}"
    assert body["role"] == "recorder" and body["active"] is True and body["environment"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", body["created_at"])
    listed = api.get("/v1/api_tokens").json
    mine = next(t for t in listed["api_tokens"] if t["id"] == body["id"])
    assert mine["token"] != body["token"]
    assert mine["token"][:4] == body["token"][:4] and mine["token"][-4:] == body["token"][-4:] and "*" in mine["token"]
    assert body["token"] not in json.dumps(listed)
    assert listed["query"] == {"found": 2, "length": 2, "offset": 0, "total": 2}
    # hrefs are absolute, as the seed shows them, with the stage a deployed API's paths start with
    stage_host = {"Host": "abc.execute-api.us-east-1.amazonaws.com"}
    (seen,) = api.get(f"/v1/api_tokens/{body['id']}", headers=stage_host).json["api_tokens"]
    assert seen["href"] == f"https://abc.execute-api.us-east-1.amazonaws.com/Prod/v1/api_tokens/{body['id']}"
    assert Api(template, body["token"]).post("/v1/measurements", json_body=_measure("cpu")).status == 202


def test_form_body_and_defaults(api: Api) -> None:
    reply = api.post("/v1/api_tokens", form="name=My New Token&role=admin&active=false")
    assert reply.status == 201, reply.text
    assert (reply.json["name"], reply.json["role"], reply.json["active"]) == ("My New Token", "admin", False)
    viewer = make_token(api, name="least").json
    assert viewer["role"] == "viewer"  # the least a token may do when no role is given


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "x", "role": "root"}, "role"),
        ({"name": "x", "active": "maybe"}, "active"),
    ],
)
def test_bad_token_bodies_are_400(api: Api, body: dict, param: str) -> None:
    reply = api.post("/v1/api_tokens", json_body=body)
    assert reply.status == 400
    assert param in reply.json["errors"]["params"]


def test_names_match_with_wildcards_and_page(api: Api) -> None:
    for name in ("token for collectors", "token that has been disabled", "other"):
        make_token(api, name=name)
    found = api.get("/v1/api_tokens", query={"name": "*token*"}).json
    assert sorted(t["name"] for t in found["api_tokens"]) == ["token for collectors", "token that has been disabled"]
    assert api.get("/v1/api_tokens/oth*").json["query"]["found"] == 1
    page = api.get("/v1/api_tokens", query={"offset": 1, "length": 2}).json
    assert page["query"] == {"found": 4, "length": 2, "offset": 1, "total": 4}
    assert api.get("/v1/api_tokens", query={"length": 1000}).status == 400


def test_get_put_delete_by_id_or_by_the_token_itself(template: Template, api: Api) -> None:
    created = make_token(api, name="ci", role="viewer").json
    by_secret = api.get(f"/v1/api_tokens/{created['token']}").json["api_tokens"]
    assert [t["id"] for t in by_secret] == [created["id"]]
    updated = api.put(f"/v1/api_tokens/{created['id']}", form="name=New Token Name&role=recorder")
    assert updated.status == 200
    assert (updated.json["name"], updated.json["role"]) == ("New Token Name", "recorder")
    assert "*" in updated.json["token"]
    assert api.delete(f"/v1/api_tokens/{created['token']}").status == 204
    assert Api(template, created["token"]).post("/v1/measurements", json_body=_measure("x")).status == 401
    assert api.get(f"/v1/api_tokens/{created['id']}").json["api_tokens"] == []
    assert api.put(f"/v1/api_tokens/{created['id']}", json_body={"name": "x"}).status == 404


def test_a_recorder_made_through_the_api_posts_and_cannot_read_or_manage(template: Template, api: Api) -> None:
    recorder = make_token(api, name="agent", role="recorder").json
    as_recorder = Api(template, recorder["token"])
    assert as_recorder.post("/v1/measurements", json_body=_measure("cpu")).status == 202
    assert as_recorder.get("/v1/metrics").status == 403
    assert as_recorder.get("/v1/measurements/cpu", query={"duration": 60, "resolution": 60}).status == 403
    assert as_recorder.get("/v1/api_tokens").status == 403
    assert as_recorder.post("/v1/api_tokens", json_body={"name": "mine", "role": "admin"}).status == 403
    escalate = as_recorder.put(f"/v1/api_tokens/{recorder['id']}", json_body={"role": "admin"})
    assert escalate.status == 403
    assert api.get(f"/v1/api_tokens/{recorder['id']}").json["api_tokens"][0]["role"] == "recorder"


def test_the_last_active_admin_token_stays(api: Api, org: Org) -> None:
    mine = api.get("/v1/api_tokens").json["api_tokens"][0]
    for change in ({"active": False}, {"role": "viewer"}):
        reply = api.put(f"/v1/api_tokens/{mine['id']}", json_body=change)
        assert reply.status == 400
        assert "last active admin" in reply.json["errors"]["request"][0]
    assert api.delete(f"/v1/api_tokens/{mine['id']}").status == 400
    make_token(api, name="second admin", role="admin")
    assert api.put(f"/v1/api_tokens/{mine['id']}", json_body={"role": "viewer"}).status == 200


def _measure(name: str, tags: dict | None = None) -> dict:
    return {"tags": tags or {"host": "a"}, "measurements": [{"name": name, "value": 1, "time": NOW}]}


def _every_dialect_write(api: Api, token: str, suffix: str) -> dict[str, Reply]:
    """One write through each dialect with ``token``; the metric each one writes is named in the key."""
    replies = {
        f"ao.{suffix}": api.post("/v1/measurements", json_body=_measure(f"ao.{suffix}"), token=token),
        f"legacy.{suffix}": api.post(
            "/v1/metrics", json_body={"gauges": [{"name": f"legacy.{suffix}", "value": 1}]}, token=token
        ),
        f"anomify.{suffix}": api.post(
            "/flux/metric_data_post",
            body=json.dumps({"key": token, "metrics": [{"metric": f"anomify.{suffix}", "value": 1.0}]}),
            token=None,
        ),
        f"oddeye.{suffix}": api.post(
            "/oddeye-barlus/put/tsdb",
            form=f"UUID={token}&data="
            + json.dumps(
                [{"metric": f"oddeye.{suffix}", "tags": {"host": "h"}, "timestamp": NOW, "type": "None", "value": 1}]
            ),
            token=None,
        ),
        f"cw{suffix}.cpu": api.post(
            f"/ingest/{token}",
            body=json.dumps(
                [
                    {
                        "id": f"cw{suffix}",
                        "name": "host",
                        "type": "server",
                        "metrics": [{"id": "cpu", "name": "CPU"}],
                        "samples": [{"metricId": "cpu", "timestamp": NOW_MS, "val": 1.0}],
                    }
                ]
            ),
            content_type="application/json",
            token=None,
        ),
    }
    descriptor = {
        "shortName": f"flow{suffix}",
        "description": "flows",
        "adminFunction": "admin",
        "readFunction": "read",
        "writeFunction": "write",
        "keys": [{"name": "ip", "type": "string", "description": "ip", "language": "english", "translator": "none"}],
        "values": [{"name": "packets", "description": "p", "unit": "count", "defaultAggregationFunction": "sum"}],
    }
    admin = {"Argus-API-Key": str(api.token)}
    created = api.request("POST", "/metrics/v1/descriptor", token=None, headers=admin, body=json.dumps(descriptor))
    assert created.status == 201, created.text
    records = {"records": [{"timestamp": NOW_MS, "keys": {"ip": "1"}, "values": {"packets": 5}}]}
    replies[f"flow{suffix}.packets"] = api.request(
        "POST",
        f"/metrics/v1/metric/flow{suffix}",
        token=None,
        headers={"Argus-API-Key": token},
        body=json.dumps(records),
    )
    return replies


@pytest.mark.parametrize("how", ["deactivated", "deleted"])
def test_an_inactive_or_deleted_token_is_401_through_every_dialect(
    template: Template, api: Api, org: Org, how: str
) -> None:
    created = make_token(api, name="agent", role="admin").json
    token = created["token"]
    assert all(r.status < 300 for r in _every_dialect_write(api, token, "before").values())
    if how == "deactivated":
        assert api.put(f"/v1/api_tokens/{created['id']}", json_body={"active": "false"}).status == 200
    else:
        assert api.delete(f"/v1/api_tokens/{created['id']}").status == 204
    statuses = {name: r.status for name, r in _every_dialect_write(api, token, "after").items()}
    # Each dialect refuses it as it refuses an unknown credential: OddEye's documented code for that is 424.
    assert statuses == {name: 424 if name.startswith("oddeye") else 401 for name in statuses}
    argus = api.request("GET", "/metrics/v1/descriptor", token=None, headers={"Argus-API-Key": token})
    assert argus.status == 401
    assert Api(template, token).get("/v1/metrics").status == 401
    assert Api(template, token).get(f"/v1/jobs/{1}").status == 401
    if how == "deactivated":  # active again: works again
        api.put(f"/v1/api_tokens/{created['id']}", json_body={"active": True})
        assert Api(template, token).get("/v1/metrics").status == 200


def test_another_container_stops_honouring_a_deactivated_token_within_seconds(
    template: Template, api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens are cached per Lambda container: one deactivated through another container (here: changed in
    the store behind this container's back) keeps working in this one for at most TOKEN_CACHE_SECONDS (5)."""
    created = make_token(api, name="agent", role="admin").json
    now = [1000.0]
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    assert tenants.find(created["token"]) is not None  # cached in this container
    token_store.update_token(org.tenant, created["id"], TokenChanges(active=False))
    now[0] += 4
    assert tenants.find(created["token"]) is not None  # still within the window
    now[0] += 2
    assert tenants.find(created["token"]) is None
    assert Api(template, created["token"]).get("/v1/metrics").status == 401
    token_store.update_token(org.tenant, created["id"], TokenChanges(active=True))
    assert tenants.find(created["token"]) is not None  # a refused token is not cached: active again at once


def _series_tags(api: Api, name: str) -> list[dict]:
    reply = api.get(f"/v1/measurements/{name}", query={"start_time": NOW - 600, "resolution": 60})
    assert reply.status == 200, (name, reply.text)
    return [s["tags"] for s in reply.json["series"]]


def test_an_environment_tokens_writes_carry_the_tag_through_every_dialect(api: Api) -> None:
    assert api.post("/v1/environments", json_body={"name": "Production"}).status == 201
    token = make_token(api, name="prod agent", role="recorder", environment="production").json
    assert token["environment"] == "Production"  # the environment's own spelling
    replies = _every_dialect_write(api, token["token"], "env")
    assert {n: r.status for n, r in replies.items() if r.status >= 300} == {}
    for name in replies:
        assert all(tags.get("environment") == "Production" for tags in _series_tags(api, name)), name
    # A measurement's own environment tag wins.
    own = _measure("ao.own", {"host": "a", "environment": "staging"})
    assert api.post("/v1/measurements", json_body=own, token=token["token"]).status == 202
    assert _series_tags(api, "ao.own") == [{"host": "a", "environment": "staging"}]
    # The admin token has no environment: nothing added.
    assert api.post("/v1/measurements", json_body=_measure("ao.plain")).status == 202
    assert _series_tags(api, "ao.plain") == [{"host": "a"}]


def test_a_token_needs_an_existing_environment(api: Api) -> None:
    reply = api.post("/v1/api_tokens", json_body={"name": "x", "environment": "nowhere"})
    assert reply.status == 400
    assert "environment" in reply.json["errors"]["params"]


def test_environments_crud(api: Api) -> None:
    created = api.post("/v1/environments", json_body={"name": "Production"})
    assert created.status == 201
    env = created.json
    assert set(env) == {"id", "name", "created_at", "updated_at"}
    assert created.headers["location"] == f"/v1/environments/{env['id']}"
    assert api.post("/v1/environments", query={"name": "staging"}).status == 201  # the seed's ?name= form
    assert api.post("/v1/environments", json_body={"name": "production"}).status == 422  # names are unique
    assert api.post("/v1/environments", json_body={"name": "bad/\u00e9;"}).status == 400
    listed = api.get("/v1/environments").json
    assert sorted(e["name"] for e in listed["environments"]) == ["Production", "staging"]
    assert api.get("/v1/environments", query={"name": "Production"}).json["id"] == env["id"]
    assert api.get(f"/v1/environments/{env['id']}").json["name"] == "Production"
    token = make_token(api, name="t", environment="Production").json
    assert api.put(f"/v1/environments/{env['id']}", json_body={"name": "ProductionNew"}).status == 204
    assert api.get(f"/v1/environments/{env['id']}").json["name"] == "ProductionNew"
    assert api.get(f"/v1/api_tokens/{token['id']}").json["api_tokens"][0]["environment"] == "ProductionNew"
    refused = api.delete(f"/v1/environments/{env['id']}")
    assert refused.status == 400 and "used by 1" in refused.json["errors"]["request"][0]
    assert api.put(f"/v1/api_tokens/{token['id']}", json_body={"environment": None}).status == 200
    assert api.delete(f"/v1/environments/{env['id']}").status == 204
    assert api.get(f"/v1/environments/{env['id']}").status == 404
    assert api.post("/v1/environments", json_body={"name": "ProductionNew"}).status == 201  # the name is free


def test_the_seeds_curl_examples_send_json_labelled_as_a_form(api: Api) -> None:
    """``curl -d '{"name":"Production"}'`` without -H sends application/x-www-form-urlencoded."""
    form = "application/x-www-form-urlencoded"
    created = api.post("/v1/environments", body='{"name":"Production"}', content_type=form)
    assert (created.status, created.json["name"]) == (201, "Production")
    env = created.json["id"]
    assert api.put(f"/v1/environments/{env}", body='{"name":"ProductionNew"}', content_type=form).status == 204
    shown = api.get("/v1/environments", body='{"name":"ProductionNew"}', content_type=form)
    assert (shown.status, shown.json["id"]) == (200, env)
    assert api.post("/v1/environments", form="name=Staging").status == 201  # a real form still reads as one


def test_organization_counts(api: Api, org: Org) -> None:
    api.post(
        "/v1/measurements",
        json_body={
            "measurements": [
                {"name": "a", "value": 1, "time": NOW, "tags": {"h": "1"}},
                {"name": "a", "value": 1, "time": NOW, "tags": {"h": "2"}},
                {"name": "b", "value": 1, "time": NOW, "tags": {"h": "1"}},
            ]
        },
    )
    api.post("/v1/environments", json_body={"name": "prod"})
    body = api.get("/v1/organization").json
    assert (body["id"], body["name"]) == (org.tenant, "acme")
    assert body["counts"] == {"metrics": 2, "series": 3, "api_tokens": 1, "environments": 1}
    assert body["limits"] == {
        "metrics": None,
        "window_seconds": 60,
        "requests_per_window": 10_000,
        "measurements_per_window": 1_000_000,
    }
    api.delete("/v1/metrics/a")
    assert api.get("/v1/organization").json["counts"]["series"] == 1


def test_another_organizations_tokens_and_environments_are_invisible(
    template: Template, org_factory: Callable[[str], Org]
) -> None:
    mine, theirs = org_factory("mine"), org_factory("theirs")
    me, them = Api(template, mine.admin), Api(template, theirs.admin)
    their_token = make_token(them, name="secret agent").json
    their_env = them.post("/v1/environments", json_body={"name": "theirs"}).json
    assert [t["name"] for t in me.get("/v1/api_tokens").json["api_tokens"]] == ["test admin"]
    for ref in (their_token["id"], their_token["token"]):
        assert me.get(f"/v1/api_tokens/{ref}").json["api_tokens"] == []
        assert me.put(f"/v1/api_tokens/{ref}", json_body={"active": False}).status == 404
        assert me.delete(f"/v1/api_tokens/{ref}").status == 404
    assert me.get("/v1/environments").json["environments"] == []
    assert me.get(f"/v1/environments/{their_env['id']}").status == 404
    assert me.get("/v1/environments", query={"name": "theirs"}).status == 404
    assert me.put(f"/v1/environments/{their_env['id']}", json_body={"name": "x"}).status == 404
    assert me.delete(f"/v1/environments/{their_env['id']}").status == 404
    assert me.post("/v1/api_tokens", json_body={"name": "x", "environment": "theirs"}).status == 400
    assert me.post("/v1/environments", json_body={"name": "theirs"}).status == 201  # names are per organization
    assert Api(template, their_token["token"]).get("/v1/metrics").status == 200  # untouched
    assert them.get(f"/v1/environments/{their_env['id']}").json["name"] == "theirs"
    assert me.get("/v1/organization").json["name"] == "mine"


def test_organization_counts_are_counters_not_reads_of_everything(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /v1/organization reads one item: the counts are kept by every create and delete."""
    from polymetric.storage import environments as env_store
    from polymetric.storage import metrics as metric_store

    def refuse(tenant: str) -> int:
        raise AssertionError("counted by reading everything")

    for counter in (metric_store, env_store):
        monkeypatch.setattr(counter, "count", refuse)
    monkeypatch.setattr(token_store, "count_tokens", refuse)
    measurements = [{"name": f"m{i}", "value": 1, "time": NOW, "tags": {"h": "1"}} for i in range(5)]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202
    assert api.put("/v1/metrics/by.put", json_body={"type": "gauge"}).status == 201
    token = make_token(api, name="second").json
    env = api.post("/v1/environments", json_body={"name": "prod"}).json
    assert api.get("/v1/organization").json["counts"] == {"metrics": 6, "series": 5, "api_tokens": 2, "environments": 1}
    assert api.delete("/v1/metrics/m0").status == 204
    assert api.delete("/v1/metrics", json_body={"names": ["m1", "m2", "nothing"]}).status == 204
    assert api.delete(f"/v1/api_tokens/{token['id']}").status == 204
    assert api.delete(f"/v1/environments/{env['id']}").status == 204
    assert api.get("/v1/organization").json["counts"] == {"metrics": 3, "series": 2, "api_tokens": 1, "environments": 0}


def test_an_organization_saved_before_the_counters_gets_them_at_its_first_read(api: Api, org: Org) -> None:
    from polymetric.storage import keys
    from polymetric.storage.tables import OrgItem, bound

    measurements = [{"name": f"m{i}", "value": 1, "time": NOW, "tags": {"h": "1"}} for i in range(3)]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202
    api.post("/v1/environments", json_body={"name": "prod"})
    bound(OrgItem)(*keys.org(org.tenant)).update(
        actions=[OrgItem.metric_count.remove(), OrgItem.token_count.remove(), OrgItem.environment_count.remove()]
    )
    assert api.get("/v1/organization").json["counts"] == {"metrics": 3, "series": 3, "api_tokens": 1, "environments": 1}
    assert api.put("/v1/metrics/more", json_body={"type": "gauge"}).status == 201
    make_token(api, name="another")
    assert api.get("/v1/organization").json["counts"] == {"metrics": 4, "series": 3, "api_tokens": 2, "environments": 1}


def test_tokens_and_environments_per_organization_are_limited(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings and the last-admin check read every token and environment: their number is bounded."""
    from polymetric.storage import environments as env_store

    monkeypatch.setattr(token_store, "MAX_TOKENS", 2)
    monkeypatch.setattr(env_store, "MAX_ENVIRONMENTS", 1)
    make_token(api, name="second")
    refused = api.post("/v1/api_tokens", json_body={"name": "third"})
    assert refused.status == 400 and "2 API tokens" in refused.json["errors"]["request"][0]
    assert api.post("/v1/environments", json_body={"name": "one"}).status == 201
    refused = api.post("/v1/environments", json_body={"name": "two"})
    assert refused.status == 400 and "1 environments" in refused.json["errors"]["request"][0]
    assert api.get("/v1/organization").json["counts"]["api_tokens"] == 2
