"""AppOptics annotations through the handler: streams, events, search, links, updates, deletes."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polymetric.domain import annotations
from polymetric.models.annotation import MAX_LINKS, Annotation
from polymetric.models.tenant import Role
from polymetric.storage import annotations as store
from tests.conftest import Org
from tests.integration.api import Api


def _post(api: Api, stream: str, **body: object) -> dict:
    reply = api.post(f"/v1/annotations/{stream}", json_body=body)
    assert reply.status == 201, reply.text
    return reply.json


def test_first_event_creates_the_stream_and_reads_back_by_id(api: Api) -> None:
    reply = api.post(
        "/v1/annotations/app-deploys",
        json_body={"title": "Deployed v56", "source": "foo3.bar.com", "description": "v56", "start_time": 1234567890},
    )
    assert reply.status == 201
    event = reply.json
    assert reply.headers["location"] == f"/v1/annotations/app-deploys/{event['id']}"
    assert event == {
        "id": event["id"],
        "name": "app-deploys",
        "title": "Deployed v56",
        "description": "v56",
        "source": "foo3.bar.com",
        "start_time": 1234567890,
        "end_time": None,
        "links": [],
    }
    assert api.get(f"/v1/annotations/app-deploys/{event['id']}").json == event
    listed = api.get("/v1/annotations").json
    assert listed == {
        "query": {"found": 1, "length": 1, "offset": 0, "total": 1},
        "annotations": [{"name": "app-deploys", "display_name": None}],
    }


def test_form_body_with_bracketed_links(api: Api) -> None:
    form = (
        "title=My+Annotation&description=Joe+deployed+v29&start_time=1234567890"
        "&links[0][label]=Metrics+Gem&links[0][href]=https://github.com/x&links[0][rel]=github"
    )
    reply = api.post("/v1/annotations/api-deploys", form=form)
    assert reply.status == 201, reply.text
    assert reply.json["links"] == [{"rel": "github", "href": "https://github.com/x", "label": "Metrics Gem"}]
    assert reply.json["start_time"] == 1234567890


def test_stream_search_by_time_and_source_groups_by_source(api: Api) -> None:
    _post(api, "blog-posts", title="a", source="db1.acme", start_time=1234500100)
    _post(api, "blog-posts", title="b", source="db2.acme", start_time=1234500200)
    _post(api, "blog-posts", title="c", source="web1", start_time=1234500300)
    _post(api, "blog-posts", title="d", start_time=1234500400)
    _post(api, "blog-posts", title="late", source="db1.acme", start_time=1234700000)
    got = api.get(
        "/v1/annotations/blog-posts",
        query={"start_time": 1234500000, "end_time": 1234600000, "sources[]": ["db1.acme", "db2.acme"]},
    )
    assert got.status == 200
    events = got.json["events"][0]
    assert {s: [e["title"] for e in evs] for s, evs in events.items()} == {"db1.acme": ["a"], "db2.acme": ["b"]}
    wild = api.get("/v1/annotations/blog-posts", query={"start_time": 1234500000, "sources[]": "db*"}).json
    assert {s: [e["title"] for e in evs] for s, evs in wild["events"][0].items()} == {
        "db1.acme": ["a", "late"],
        "db2.acme": ["b"],
    }
    every = api.get("/v1/annotations/blog-posts", query={"start_time": 1234500250, "end_time": 1234600000}).json
    assert {s: [e["title"] for e in evs] for s, evs in every["events"][0].items()} == {
        "web1": ["c"],
        "unassigned": ["d"],
    }
    assert api.get("/v1/annotations/blog-posts", query={"start_time": 1, "end_time": 2}).json["events"] == []


def test_update_event_links_and_stream(api: Api) -> None:
    event = _post(api, "deploys", title="v1", start_time=1000, links=[{"rel": "ci", "href": "https://ci/1"}])
    path = f"/v1/annotations/deploys/{event['id']}"
    assert api.put(path, form="description=Deployed+git+SHA+601060a&end_time=1060").status == 204
    got = api.get(path).json
    assert (got["description"], got["end_time"], got["title"]) == ("Deployed git SHA 601060a", 1060, "v1")
    link = api.post(path + "/links", form="rel=github&label=Github+Commit&href=https://github.com/acme/app/commits/01")
    assert link.status == 201
    assert link.headers["location"] == path + "/links/github"
    assert link.json == {"rel": "github", "label": "Github Commit", "href": "https://github.com/acme/app/commits/01"}
    assert [lk["rel"] for lk in api.get(path).json["links"]] == ["ci", "github"]
    assert api.delete(path + "/links/ci").status == 204
    assert api.delete(path + "/links/ci").status == 404
    assert [lk["rel"] for lk in api.get(path).json["links"]] == ["github"]
    renamed = api.put("/v1/annotations/deploys", json_body={"name": "deploys", "display_name": "Deploys to API"})
    assert renamed.status == 200
    assert renamed.json == {"name": "deploys", "display_name": "Deploys to API"}
    assert api.get("/v1/annotations/deploys").json["display_name"] == "Deploys to API"


def test_delete_event_and_stream(api: Api) -> None:
    keep = _post(api, "s1", title="keep", start_time=10)
    gone = _post(api, "s1", title="gone", start_time=20)
    assert api.delete(f"/v1/annotations/s1/{gone['id']}").status == 204
    assert api.get(f"/v1/annotations/s1/{gone['id']}").status == 404
    left = api.get("/v1/annotations/s1", query={"start_time": 0}).json["events"][0]["unassigned"]
    assert [e["title"] for e in left] == ["keep"]
    assert api.delete("/v1/annotations/s1").status == 204
    assert api.get("/v1/annotations/s1").status == 404
    assert api.get(f"/v1/annotations/s1/{keep['id']}").status == 404
    assert api.get("/v1/annotations").json["annotations"] == []
    # A new event on the same name starts an empty stream again
    _post(api, "s1", title="again", start_time=30)
    assert [e["title"] for e in api.get("/v1/annotations/s1").json["events"][0]["unassigned"]] == ["again"]


def test_stream_list_name_search_and_paging(api: Api) -> None:
    for name in ("api-deploys", "app-deploys", "db-migrations", "api-restarts"):
        _post(api, name, title="x")
    found = api.get("/v1/annotations", query={"name": "api"}).json
    assert [s["name"] for s in found["annotations"]] == ["api-deploys", "api-restarts"]
    assert found["query"] == {"found": 2, "length": 2, "offset": 0, "total": 4}
    page = api.get("/v1/annotations", query={"offset": 1, "length": 2}).json
    assert [s["name"] for s in page["annotations"]] == ["api-restarts", "app-deploys"]


def test_cloudwisdom_and_oddeye_events_are_visible(api: Api, org: Org) -> None:
    # Given events recorded by another dialect through the domain seam
    annotations.record(org.tenant, "cloudwisdom.events", "Disk full", source="host-1", start_time=500)
    got = api.get("/v1/annotations/cloudwisdom.events", query={"start_time": 0}).json
    assert got["events"][0]["host-1"][0]["title"] == "Disk full"
    assert "cloudwisdom.events" in [s["name"] for s in api.get("/v1/annotations").json["annotations"]]


def test_bad_bodies_get_appoptics_400s(api: Api) -> None:
    missing = api.post("/v1/annotations/x", json_body={"description": "no title"})
    assert (missing.status, missing.json) == (400, {"errors": {"params": {"title": ["is required"]}}})
    dup = api.post(
        "/v1/annotations/x",
        json_body={"title": "t", "links": [{"rel": "a", "href": "h"}, {"rel": "a", "href": "i"}]},
    )
    assert dup.status == 400 and "links" in dup.json["errors"]["params"]
    assert api.post("/v1/annotations/x", json_body={"title": "t", "start_time": "soon"}).status == 400
    assert api.post("/v1/annotations/bad%20name", json_body={"title": "t"}).status in (400, 404)
    assert api.post("/v1/annotations/x", json_body={"title": "t", "start_time": 20, "end_time": 10}).status == 400
    event = _post(api, "x", title="t")
    assert api.put(f"/v1/annotations/x/{event['id']}", json_body={}).status == 400
    assert api.post(f"/v1/annotations/x/{event['id']}/links", json_body={"rel": "r"}).status == 400
    assert api.get("/v1/annotations/x/abc").status == 400
    assert api.get("/v1/annotations/x/123").status == 404


def test_roles_and_tenants(api: Api, org: Org, org_factory, template) -> None:
    event = _post(api, "deploys", title="v1")
    viewer = Api(template, org.token(Role.VIEWER))
    assert viewer.get("/v1/annotations/deploys").status == 200
    assert viewer.post("/v1/annotations/deploys", json_body={"title": "no"}).status == 403
    assert viewer.delete(f"/v1/annotations/deploys/{event['id']}").status == 403
    other = Api(template, org_factory("other").admin)
    assert other.get("/v1/annotations/deploys").status == 404
    assert other.get(f"/v1/annotations/deploys/{event['id']}").status == 404
    assert other.get("/v1/annotations").json["annotations"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(["title", "description", "source", "start_time", "end_time", "links"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=8),
            st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3), max_size=3),
        ),
    )
)
def test_annotation_writes_never_5xx(api: Api, body: dict) -> None:
    reply = api.post("/v1/annotations/fuzz", body=json.dumps(body), content_type="application/json")
    assert reply.status in (201, 400), reply.text


def test_link_post_stops_at_the_event_link_cap_but_replaces_a_rel(api: Api) -> None:
    # Given an event that already has the most links an event may carry
    links = [{"rel": f"r{i}", "href": f"https://ci/{i}"} for i in range(MAX_LINKS)]
    event = _post(api, "capped", title="t", links=links)
    path = f"/v1/annotations/capped/{event['id']}/links"
    # When one more rel is posted, then it is refused and the event is unchanged
    more = api.post(path, json_body={"rel": "one-more", "href": "https://ci/x"})
    assert (more.status, more.json) == (400, {"errors": {"params": {"links": ["at most 20 links per event"]}}})
    assert len(api.get(f"/v1/annotations/capped/{event['id']}").json["links"]) == MAX_LINKS
    # When a rel the event has is posted, then it replaces that link
    again = api.post(path, json_body={"rel": "r0", "href": "https://ci/new"})
    assert again.status == 201, again.text
    stored = api.get(f"/v1/annotations/capped/{event['id']}").json["links"]
    assert len(stored) == MAX_LINKS
    assert {"rel": "r0", "href": "https://ci/new"} in stored
    # When a link is deleted, then a new rel fits again
    assert api.delete(path + "/r1").status == 204
    assert api.post(path, json_body={"rel": "one-more", "href": "https://ci/x"}).status == 201


def _titles_by_source(body: dict) -> dict[str, list[str]]:
    return {s: [e["title"] for e in evs] for s, evs in (body["events"][0] if body["events"] else {}).items()}


def test_sources_filter_runs_before_the_event_cap(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given more events of another source than one read returns, then one of the requested source
    monkeypatch.setattr(annotations, "MAX_EVENTS", 3)
    for t in range(1, 6):
        _post(api, "mixed", title=f"w{t}", source="web1", start_time=t)
    _post(api, "mixed", title="d6", source="db1", start_time=6)
    # When that source is asked for, then its event is found and nothing was cut
    got = api.get("/v1/annotations/mixed", query={"start_time": 0, "sources[]": "db1"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d6"]}, False)
    # When more events of the source than the cap match, then the first ones come, oldest first, truncated
    for t in (7, 8, 9):
        _post(api, "mixed", title=f"d{t}", source="db1", start_time=t)
    got = api.get("/v1/annotations/mixed", query={"start_time": 0, "sources[]": "db*"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d6", "d7", "d8"]}, True)
    # When no source is given, then the cut is as before
    got = api.get("/v1/annotations/mixed", query={"start_time": 0}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"web1": ["w1", "w2", "w3"]}, True)


def test_sources_filter_read_is_bounded_and_says_truncated(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a db1 event, more web1 events than one read may go through, then another db1 event
    monkeypatch.setattr(annotations, "MAX_EVENTS", 3)
    monkeypatch.setattr(annotations, "SCAN_EVENTS", 8)
    _post(api, "busy", title="d1", source="db1", start_time=1)
    for t in range(2, 11):
        _post(api, "busy", title=f"w{t}", source="web1", start_time=t)
    _post(api, "busy", title="d11", source="db1", start_time=11)
    # When db1 is asked for, then the events read before the budget ran out come, and truncated says more may exist
    got = api.get("/v1/annotations/busy", query={"start_time": 0, "sources[]": "db1"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d1"]}, True)
    # When the page budget runs out first, then the same
    monkeypatch.setattr(annotations, "SCAN_EVENTS", 1000)
    monkeypatch.setattr(annotations, "SCAN_PAGES", 2)
    got = api.get("/v1/annotations/busy", query={"start_time": 0, "sources[]": "db1"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d1"]}, True)
    # When a narrower window is asked for, then it reads the rest
    got = api.get("/v1/annotations/busy", query={"start_time": 5, "sources[]": "db1"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d11"]}, False)
    # When the budget is spent on the very last page, then nothing is said to be cut
    monkeypatch.setattr(annotations, "SCAN_EVENTS", 3)
    got = api.get("/v1/annotations/busy", query={"start_time": 9, "sources[]": "db1"}).json
    assert (_titles_by_source(got), got["query"]["truncated"]) == ({"db1": ["d11"]}, False)


SECONDS_ONLY = ["must be Unix seconds, from 0 to 2147483647"]


@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_times_past_unix_seconds_are_refused(api: Api, field: str) -> None:
    # Given a time in milliseconds, where the API takes seconds
    ms = 1700000000000
    posted = api.post("/v1/annotations/ms", json_body={"title": "t", "start_time": 1, field: ms})
    assert (posted.status, posted.json) == (400, {"errors": {"params": {field: SECONDS_ONLY}}})
    form = api.post("/v1/annotations/ms", form=f"title=t&start_time=1&{field}={ms}")
    assert (form.status, form.json) == (400, {"errors": {"params": {field: SECONDS_ONLY}}})
    # The largest time still fits, on POST and on PUT
    event = _post(api, "ms", title="t", start_time=1, end_time=2**31 - 1)
    assert api.put(f"/v1/annotations/ms/{event['id']}", json_body={"end_time": 2**31 - 1}).status == 204
    if field == "end_time":
        put = api.put(f"/v1/annotations/ms/{event['id']}", json_body={"end_time": 2**31})
        assert (put.status, put.json) == (400, {"errors": {"params": {"end_time": SECONDS_ONLY}}})
        assert api.get(f"/v1/annotations/ms/{event['id']}").json["end_time"] == 2**31 - 1
    # And a read window in milliseconds is refused too, instead of silently finding nothing
    got = api.get("/v1/annotations/ms", query={field: ms})
    assert (got.status, got.json) == (400, {"errors": {"params": {field: SECONDS_ONLY}}})
    assert api.get("/v1/annotations/ms", query={field: 2**31 - 1}).status == 200
    assert api.get("/v1/annotations/ms").json["events"][0]["unassigned"][0]["id"] == event["id"]


def test_events_carry_the_stream_name_as_first_written(api: Api, org: Org) -> None:
    # Given a stream first written App-Deploys, then posted to as app-deploys
    first = _post(api, "App-Deploys", title="v1", start_time=100)
    second = api.post("/v1/annotations/app-deploys", json_body={"title": "v2", "start_time": 200})
    assert second.status == 201
    # Then every event, as answered, read by id (any spelling) or in the stream, carries the first spelling
    assert (first["name"], second.json["name"]) == ("App-Deploys", "App-Deploys")
    assert second.headers["location"] == f"/v1/annotations/App-Deploys/{second.json['id']}"
    assert api.get(f"/v1/annotations/APP-DEPLOYS/{second.json['id']}").json["name"] == "App-Deploys"
    listed = api.get("/v1/annotations/app-deploys", query={"start_time": 0}).json
    assert [e["name"] for e in listed["events"][0]["unassigned"]] == ["App-Deploys", "App-Deploys"]
    # And the domain seam other dialects record through does the same
    assert annotations.record(org.tenant, "APP-deploys", "v3", start_time=300).stream == "App-Deploys"
    # And an event stored under another spelling (before events took the stream's) is shown under the stream's
    old = Annotation(stream="APP-DEPLOYS", id=10**9, title="old", start_time=50)
    store.save(org.tenant, old)
    assert api.get(f"/v1/annotations/app-deploys/{old.id}").json["name"] == "App-Deploys"
    listed = api.get("/v1/annotations/app-deploys", query={"start_time": 0, "end_time": 60}).json
    assert [e["name"] for e in listed["events"][0]["unassigned"]] == ["App-Deploys"]
