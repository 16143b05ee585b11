"""CloudWisdom element metadata is retrievable through GET /v1/elements[/{id}]."""

import json
import time

import pytest

from polymetric.domain import cloudwisdom
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api


def ingest(api: Api, token: str, elements: list[dict]) -> None:
    reply = api.post(f"/ingest/{token}", token=None, body=json.dumps(elements), content_type="application/json")
    assert reply.status == 202, reply.text


def test_element_metadata_is_stored_merged_and_readable(api: Api, org: Org) -> None:
    now = int(time.time() * 1000)
    ingest(
        api,
        org.admin,
        [
            {
                "id": "webhost01",
                "name": "Web 1",
                "type": "SERVER",
                "location": "eu-west",
                "attributes": [{"name": "os", "value": "linux"}],
                "tags": [{"name": "role", "value": "web"}],
                "relations": [{"fqn": "db01"}],
                "metrics": [{"id": "cpu", "unit": "percent", "sparseDataStrategy": "ReplaceWithZero"}],
                "samples": [{"metricId": "cpu", "timestamp": now, "val": 14.0}],
            }
        ],
    )
    ingest(
        api,
        org.admin,
        [
            {"id": "webhost01", "type": "SERVER", "attributes": [{"name": "kernel", "value": "6.1"}]},
            {"id": "db01", "type": "SERVER"},
        ],
    )
    element = api.get("/v1/elements/webhost01").json
    assert (element["id"], element["name"], element["type"], element["location"]) == (
        "webhost01",
        "Web 1",
        "SERVER",
        "eu-west",
    )
    assert element["attributes"] == {"os": "linux", "kernel": "6.1"}
    assert element["tags"] == {"role": "web"}
    assert element["relations"] == ["db01"]
    assert element["metrics"][0]["id"] == "cpu"
    assert element["metrics"][0]["sparseDataStrategy"] == "ReplaceWithZero"
    page = api.get("/v1/elements", query={"length": 1}).json
    assert page["query"] == {"found": 2, "length": 1, "offset": 0, "total": 2}
    assert [e["id"] for e in page["elements"]] == ["db01"]
    assert [e["id"] for e in api.get("/v1/elements", query={"name": "web"}).json["elements"]] == ["webhost01"]


def test_unknown_element_is_404_and_other_tenants_see_nothing(
    template: Template, api: Api, org: Org, org_factory
) -> None:
    ingest(api, org.admin, [{"id": "secret01", "type": "SERVER"}])
    other = Api(template, org_factory("other").admin)
    assert other.get("/v1/elements/secret01").status == 404
    assert other.get("/v1/elements").json["elements"] == []
    reply = api.get("/v1/elements/nope")
    assert (reply.status, reply.json) == (404, {"errors": {"request": ["Element nope not found"]}})


def test_listing_more_elements_than_a_request_reads_is_a_clear_400(api: Api, org: Org, monkeypatch) -> None:
    from polymetric.domain import cloudwisdom

    monkeypatch.setattr(cloudwisdom, "ELEMENTS_LIST_LIMIT", 1)
    ingest(api, org.admin, [{"id": "one", "type": "SERVER"}, {"id": "two", "type": "SERVER"}])
    reply = api.get("/v1/elements")
    assert reply.status == 400
    assert reply.json["errors"]["request"] == [
        "This organization has more than 1 elements: too many to list in one request."
    ]
    assert api.get("/v1/elements/one").status == 200  # one element is still read on its own


def test_an_element_is_found_by_the_id_its_agent_sent(api: Api, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids are sanitised when stored (``my host#1`` is ``my_host1``); a lookup by the id as sent finds it."""
    ingest(api, org.admin, [{"id": "my host#1", "type": "SERVER"}])
    assert api.get("/v1/elements/my%20host%231").json["id"] == "my_host1"
    assert api.get("/v1/elements/my_host1").json["id"] == "my_host1"
    # Nothing left after sanitising: a 404 naming what was asked, and no read with an empty key (DynamoDB
    # refuses empty key strings; moto does not)
    read = cloudwisdom.store.get_many
    monkeypatch.setattr(cloudwisdom.store, "get_many", lambda t, ids: read(t, ids) if all(ids) else 1 / 0)
    missing = api.get("/v1/elements/%23%23")
    assert (missing.status, missing.json["errors"]["request"]) == (404, ["Element ## not found"])
