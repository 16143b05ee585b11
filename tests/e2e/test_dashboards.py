"""Dashboards through the local server: annotations, spaces and charts, snapshots, with the real clients."""

import json
import time

import appoptics_metrics
import librato
import pytest

from polymetric_local.server import LocalRuntime
from tests.e2e.http import call
from tests.helpers_png import image, ink, palette_colours


@pytest.fixture(scope="module")
def ao(server: LocalRuntime, host: str) -> appoptics_metrics.AppOpticsConnection:
    return appoptics_metrics.connect(server.admin_token, hostname=host, protocol="http")


@pytest.fixture(scope="module")
def lb(server: LocalRuntime, host: str) -> librato.LibratoConnection:
    return librato.connect("me@example.com", server.admin_token, hostname=host, protocol="http")


def test_annotations_with_the_appoptics_client(ao) -> None:
    now = int(time.time())
    ao.post_annotation("e2e-deploys", title="Deployed v56", source="web1.acme", start_time=str(now - 100))
    ao.post_annotation(
        "e2e-deploys",
        title="Deployed v57",
        source="db1.acme",
        description="migrations",
        start_time=now - 50,
        links=[{"rel": "github", "href": "https://github.com/acme/app/commit/01beaf"}],
    )
    ao.post_annotation("e2e-deploys", title="Unsourced", start_time=now - 10)
    assert "e2e-deploys" in [s.name for s in ao.list_annotation_streams(name="e2e-dep")]
    stream = ao.get_annotation_stream("e2e-deploys", start_time=now - 60, sources=["db*"])
    assert stream.name == "e2e-deploys"
    (events,) = stream.events
    assert list(events) == ["db1.acme"]
    event = events["db1.acme"][0]
    assert event["links"] == [{"rel": "github", "href": "https://github.com/acme/app/commit/01beaf"}]
    fetched = ao.get_annotation("e2e-deploys", event["id"])
    assert fetched.name == "e2e-deploys"
    updated = ao.update_annotation_stream("e2e-deploys", display_name="Deploys")
    assert updated.display_name == "Deploys"
    ao.delete_annotation_stream("e2e-deploys")
    assert "e2e-deploys" not in [s.name for s in ao.list_annotation_streams()]


def test_annotation_event_update_links_and_delete_over_http(server: LocalRuntime, lb) -> None:
    lb.post_annotation("e2e-jobs", title="Batch run", start_time=1234567890)
    stream = lb.get_annotation_stream("e2e-jobs", start_time=1234567800, end_time=1234567900)
    event_id = stream.events[0]["unassigned"][0]["id"]
    base = f"{server.url}/v1/annotations/e2e-jobs/{event_id}"
    form = "application/x-www-form-urlencoded"
    put = call(base, "PUT", token=server.admin_token, body=b"end_time=1234567990&description=done", content_type=form)
    assert put.status == 204
    link = call(base + "/links", "POST", token=server.admin_token, body=b"rel=ci&href=https://ci/34", content_type=form)
    assert (link.status, link.headers["location"]) == (201, f"/v1/annotations/e2e-jobs/{event_id}/links/ci")
    got = call(base, token=server.admin_token).json
    assert (got["end_time"], got["description"], got["links"]) == (1234567990, "done", [link.json])
    assert call(base + "/links/ci", "DELETE", token=server.admin_token).status == 204
    assert call(base, "DELETE", token=server.admin_token).status == 204
    assert call(base, token=server.admin_token).status == 404


def test_cloudwisdom_events_show_in_their_stream(server: LocalRuntime) -> None:
    now_ms = int(time.time() * 1000)
    event = {"title": "Deploy finished", "type": "INFO", "timestamp": now_ms, "data": {"elementId": "e2e-host"}}
    body = json.dumps([event]).encode()
    posted = call(
        f"{server.url}/ingest/events/{server.admin_token}", "POST", body=body, content_type="application/json"
    )
    assert posted.status < 300, posted.body
    streams = call(f"{server.url}/v1/annotations", token=server.admin_token).json["annotations"]
    assert "cloudwisdom.info" in [s["name"] for s in streams]
    found = call(
        f"{server.url}/v1/annotations/cloudwisdom.info?start_time={int(time.time()) - 600}",
        token=server.admin_token,
    ).json
    titles = [e["title"] for group in found["events"] for events in group.values() for e in events]
    assert "Deploy finished" in titles


def test_spaces_and_charts_with_the_appoptics_model_helpers(ao) -> None:
    from appoptics_metrics.spaces import Space

    space = Space(ao, "e2e CPUs")
    space.save()  # POST {"name", "tags": false}
    assert space.id is not None
    assert ao.find_space("e2e CPUs").id == space.id
    line = ao.create_chart(
        "CPU Usage",
        space,
        streams=[
            {"metric": "cpu.percent.idle", "tags": [{"name": "environment", "values": ["*"]}]},
            {"metric": "cpu.percent.user", "tags": [{"name": "environment", "values": ["prod"]}], "color": "#52D74C"},
        ],
    )
    big = space.add_bignumber_chart("CPU now", "cpu.percent.user")
    stacked = space.add_single_stacked_chart("Stacked", "cpu.percent.user")
    charts = ao.list_charts_in_space(space)
    assert [c.name for c in charts] == ["CPU Usage", "CPU now", "Stacked"]
    assert [c.type for c in charts] == ["line", "bignumber", "stacked"]
    assert ao.get_space(space.id).chart_ids == [line.id, big.id, stacked.id]
    # Rename through the model: streams go back without tags and color, and keep them
    chart = ao.get_chart(line.id, space.id)
    chart.space_id = space.id
    chart.rename("Temperature")
    again = ao.get_chart(line.id, space.id)
    assert again.name == "Temperature"
    assert [s.tags for s in again.streams] == [
        [{"name": "environment", "values": ["*"]}],
        [{"name": "environment", "values": ["prod"]}],
    ]
    assert again.streams[1].color == "#52D74C"
    assert [s.id for s in again.streams] == [s.id for s in chart.streams]
    # A composite stream added through the model
    again.space_id = space.id
    again.new_stream(composite='sum(s("cpu.percent.user", {"environment": "*"}))')
    again.save()
    assert ao.get_chart(line.id, space.id).streams[2].composite.startswith("sum(")
    space.rename("e2e Temperatures")
    assert ao.get_space(space.id).name == "e2e Temperatures"
    ao.delete_chart(big.id, space.id)
    assert [c.id for c in ao.list_charts_in_space(space)] == [line.id, stacked.id]
    space.delete()
    with pytest.raises(appoptics_metrics.exceptions.NotFound):
        ao.get_space(space.id)


def test_spaces_with_the_librato_client_and_bad_composites(lb) -> None:
    space = lb.create_space("e2e librato space")
    with pytest.raises(librato.exceptions.BadRequest):
        lb.create_chart("bad", space, streams=[{"composite": 'sum(s("a", "*")'}])
    chart = lb.create_chart("ok", space, type="line", streams=[{"metric": "m", "source": "*"}])
    assert [c.id for c in lb.list_charts_in_space(space)] == [chart.id]
    assert "e2e librato space" in [s.name for s in lb.list_spaces(name="librato")]
    lb.delete_space(space.id)


def _wait_for_image(server: LocalRuntime, href: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = call(href, token=server.admin_token).json
        if got["image_href"] or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def test_snapshots_of_a_line_and_a_bignumber_chart_reach_a_fetchable_png(server: LocalRuntime, ao) -> None:
    now = int(time.time())
    queue = ao.new_queue()
    for host in ("a", "b", "c"):
        for minute in range(1, 60, 2):
            queue.add("e2e.snap.cpu", 30 + 10 * ord(host) % 7 + minute % 5, tags={"host": host}, time=now - 60 * minute)
    queue.submit()
    space = ao.create_space("e2e snapshots")
    line = ao.create_chart(
        "CPU by host",
        space,
        streams=[{"metric": "e2e.snap.cpu", "tags": [{"name": "host", "values": ["*"]}], "group_function": "breakout"}],
    )
    big = space.add_bignumber_chart("CPU now", "e2e.snap.cpu")
    for chart_id in (line.id, big.id):
        created = call(
            f"{server.url}/v1/snapshots",
            "POST",
            token=server.admin_token,
            body=json.dumps({"subject": {"chart": {"id": chart_id}}}).encode(),
            content_type="application/json",
        )
        assert created.status == 202, created.body
        assert created.json["image_href"] is None
        assert created.json["href"].startswith(server.url)
        got = _wait_for_image(server, created.json["href"])
        assert got["image_href"], got
        job = call(created.json["job_href"], token=server.admin_token).json
        assert job["state"] == "complete"
        png = call(got["image_href"])  # no credentials: the link is what a user pastes into a chat
        assert png.status == 200 and png.headers["content-type"] == "image/png"
        assert image(png.body).size == (800, 400) and ink(png.body) > 0.02
        if chart_id == line.id:
            assert len(palette_colours(png.body)) == 3
