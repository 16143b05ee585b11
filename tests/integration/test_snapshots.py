"""Snapshots through the handlers: POST -> 202 and a queued job; the SQS renderer draws the PNG to S3."""

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3

from functions.snapshot_renderer.app import lambda_handler as renderer
from polymetric.config import get_settings
from polymetric.domain import snapshots
from polymetric.models.snapshot import Plot
from polymetric.models.tenant import Role
from polymetric.storage import snapshots as store
from tests.conftest import LambdaContext, Org, load_event
from tests.helpers_png import image, ink, palette_colours
from tests.integration.api import Api


def run_renderer() -> list[str]:
    """Every queued snapshot message through the renderer, as the event source mapping would; returns failures."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = get_settings().SNAPSHOT_QUEUE_URL
    failures: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, MessageSystemAttributeNames=["All"]).get(
        "Messages", []
    ):
        record = dict(
            load_event("sqs/snapshot-render")["Records"][0],
            messageId=messages[0]["MessageId"],
            receiptHandle=messages[0]["ReceiptHandle"],
            body=messages[0]["Body"],
            attributes=messages[0]["Attributes"],
        )
        result = renderer({"Records": [record]}, LambdaContext())
        failures += [f["itemIdentifier"] for f in result["batchItemFailures"]]
        if not result["batchItemFailures"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return failures


def _path(href: str) -> str:
    """The API path of an absolute href (the handlers build hrefs from the Host the caller used)."""
    return urlsplit(href).path.removeprefix("/Prod")


def _data(api: Api, now: int) -> None:
    measurements = [
        {"name": "cpu", "value": 20 + 5 * h + (t % 7), "time": now - t, "tags": {"host": f"h{h}", "env": "prod"}}
        for h in range(3)
        for t in range(60, 3600, 60)
    ]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202


def _chart(api: Api, body: dict[str, Any]) -> int:
    space = api.post("/v1/spaces", json_body={"name": f"s{time.time_ns()}"}).json["id"]
    reply = api.post(f"/v1/spaces/{space}/charts", json_body=body)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def test_line_snapshot_is_queued_rendered_and_linked(api: Api, org: Org) -> None:
    now = int(time.time())
    _data(api, now)
    chart = _chart(
        api,
        {
            "name": "CPU by host",
            "streams": [
                {"metric": "cpu", "tags": [{"name": "host", "values": ["*"]}], "group_function": "breakout"},
                {"metric": "cpu", "tags": [{"name": "env", "values": ["prod"]}], "name": "average", "units_short": "%"},
            ],
        },
    )
    created = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart, "type": "line"}}})
    assert created.status == 202, created.text
    body = created.json
    snapshot_id = int(body["href"].rsplit("/", 1)[1])
    assert created.headers["location"] == f"/v1/snapshots/{snapshot_id}"
    assert body["image_href"] is None and body["duration"] == 3600
    assert body["subject"] == {"chart": {"id": chart, "sources": ["*"], "type": "line"}}
    job_path = _path(body["job_href"])
    assert api.get(job_path).json["state"] == "queued"
    assert run_renderer() == []
    assert api.get(job_path).json == {"id": int(job_path.rsplit("/", 1)[1]), "state": "complete", "progress": 100.0}
    got = api.get(f"/v1/snapshots/{snapshot_id}").json
    assert got["image_href"].startswith("https://") and "X-Amz-Signature" in got["image_href"]
    png = store.get_image(f"{org.tenant}/{snapshot_id}.png")
    assert image(png).size == (800, 400)
    assert ink(png) > 0.03
    assert len(palette_colours(png)) == 4  # three hosts broken out, one averaged line


def test_bignumber_and_subject_tags_override(api: Api, org: Org) -> None:
    now = int(time.time())
    _data(api, now)
    chart = _chart(
        api,
        {
            "name": "CPU now",
            "type": "bignumber",
            "streams": [{"metric": "cpu", "tags": [{"name": "host", "values": ["h0"]}], "units_short": "%"}],
            "thresholds": [{"operator": ">", "value": 90, "type": "red"}],
        },
    )
    body = {
        "subject": {"chart": {"id": chart, "tags": [{"name": "host", "values": ["h2"]}]}},
        "duration": 1800,
        "end_time": now,
    }
    created = api.post("/v1/snapshots", json_body=body)
    assert created.status == 202
    assert run_renderer() == []
    snapshot_id = int(created.json["href"].rsplit("/", 1)[1])
    got = api.get(f"/v1/snapshots/{snapshot_id}").json
    assert got["duration"] == 1800 and got["image_href"]
    png = store.get_image(f"{org.tenant}/{snapshot_id}.png")
    assert image(png).size == (800, 400) and ink(png) > 0.02


def test_chart_deleted_before_rendering_fails_the_job(api: Api) -> None:
    space = api.post("/v1/spaces", json_body={"name": "gone"}).json["id"]
    chart = api.post(f"/v1/spaces/{space}/charts", json_body={"name": "c", "streams": [{"metric": "m"}]}).json["id"]
    created = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart}}})
    assert api.delete(f"/v1/spaces/{space}").status == 204
    assert run_renderer() == []
    job = api.get(_path(created.json["job_href"])).json
    assert job["state"] == "failed" and "chart" in job["errors"]
    assert api.get(_path(created.json["href"])).json["image_href"] is None


def test_bad_snapshot_requests_are_400s(api: Api, org: Org, template) -> None:
    chart = _chart(api, {"name": "c", "streams": [{"metric": "m"}]})
    cases = {
        "subject": {},
        "subject.chart.id": {"subject": {"chart": {"type": "line"}}},
        "subject.chart.type": {"subject": {"chart": {"id": chart, "type": "pie"}}},
        "duration": {"subject": {"chart": {"id": chart}}, "duration": 10},
        "end_time": {"subject": {"chart": {"id": chart}}, "end_time": "yesterday"},
        "subject.chart.source": {"subject": {"chart": {"id": chart, "source": ["web-1"]}}},
        "subject.chart.sources": {"subject": {"chart": {"id": chart, "sources": ["web-1", ""]}}},
    }
    for param, body in cases.items():
        reply = api.post("/v1/snapshots", json_body=body)
        assert reply.status == 400, (param, reply.text)
        assert param in reply.json["errors"]["params"], (param, reply.json)
    missing = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart + 999}}})
    assert missing.status == 400
    assert api.get("/v1/snapshots/424242").status == 404
    other = Api(template, org.token(Role.RECORDER))
    assert other.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart}}}).status == 403


def test_form_body_with_iso_end_time(api: Api) -> None:
    chart = _chart(api, {"name": "c", "streams": [{"metric": "m"}]})
    reply = api.post(
        "/v1/snapshots",
        form=f"subject[chart][id]={chart}&subject[chart][type]=stacked&subject[chart][source]=web-1"
        "&end_time=2026-12-01T10:00:00Z",
    )
    assert reply.status == 202, reply.text
    assert reply.json["end_time"] == "2026-12-01T10:00:00Z"
    assert json.loads(json.dumps(reply.json))["subject"] == {
        "chart": {"id": chart, "sources": ["web-1"], "type": "stacked"}
    }


def test_form_body_with_the_seeds_subject_as_json(api: Api) -> None:
    """curl --data-urlencode 'subject={"chart":{...}}': the seed's parameter value in the default content type."""
    chart = _chart(api, {"name": "c", "type": "line", "streams": [{"metric": "m"}]})
    subject = json.dumps({"chart": {"id": chart, "source": "*", "type": "stacked"}})
    reply = api.post("/v1/snapshots", form=urlencode({"subject": subject, "duration": "600"}))
    assert reply.status == 202, reply.text
    assert reply.json["subject"] == {"chart": {"id": chart, "sources": ["*"], "type": "stacked"}}
    assert reply.json["duration"] == 600
    broken = api.post("/v1/snapshots", form=urlencode({"subject": '{"chart": {"id": 1'}))
    assert broken.status == 400
    assert list(broken.json["errors"]["params"]) == ["subject"]
    assert "JSON object" in broken.json["errors"]["params"]["subject"][0]
    no_chart = api.post("/v1/snapshots", form=urlencode({"subject": json.dumps({"id": chart})}))
    assert (no_chart.status, list(no_chart.json["errors"]["params"])) == (400, ["subject"])


def test_a_snapshot_outlives_its_expired_job(api: Api, org: Org, monkeypatch) -> None:
    from polymetric import clock

    chart = api.post(f"/v1/spaces/{_space(api)}/charts", json_body={"name": "c", "streams": [{"metric": "m"}]})
    created = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart.json["id"]}}}).json
    assert run_renderer() == []
    later = clock.now() + 8 * 86400
    monkeypatch.setattr(clock, "now", lambda: later)
    assert api.get(_path(created["job_href"])).status == 404  # finished jobs are kept 7 days
    got = api.get(_path(created["href"]))
    assert got.status == 200 and got.json["image_href"] is not None


def _space(api: Api) -> int:
    return int(api.post("/v1/spaces", json_body={"name": f"s{time.time_ns()}"}).json["id"])


def _plot_of(org: Org, created: dict[str, Any]) -> Plot:
    """The Plot the renderer would draw for a snapshot just created."""
    snapshot = store.get(org.tenant, int(created["href"].rsplit("/", 1)[1]))
    assert snapshot is not None
    plots: list[Plot] = []

    def capture(plot: Plot) -> bytes:
        plots.append(plot)
        return b""

    snapshots.draw(org.tenant, snapshot, capture)
    return plots[0]


def test_log_yaxis_chart_is_plotted_on_a_log_axis(api: Api, org: Org) -> None:
    _data(api, int(time.time()))
    plots = []
    for log in (True, False):
        chart = _chart(api, {"name": "CPU", "use_log_yaxis": log, "streams": [{"metric": "cpu"}]})
        plots.append(_plot_of(org, api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart}}}).json))
    assert [p.log_y for p in plots] == [True, False]
    assert plots[0].series and plots[0].series[0].values


def test_subject_echoes_id_sources_and_type_as_the_seed_shows(api: Api) -> None:
    stacked = _chart(api, {"name": "c", "type": "stacked", "streams": [{"metric": "m"}]})
    # The seed's subject parameter, {"chart":{"id": 1, "source": "*", "type": "stacked"}}, and its response subject.
    seed = api.post(
        "/v1/snapshots", json_body={"subject": {"chart": {"id": stacked, "source": "*", "type": "stacked"}}}
    )
    assert seed.status == 202, seed.text
    assert seed.json["subject"] == {"chart": {"id": stacked, "sources": ["*"], "type": "stacked"}}
    # Without type or source: the chart's type, every source; a GET says the same.
    bare = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": stacked}}}).json
    assert bare["subject"] == {"chart": {"id": stacked, "sources": ["*"], "type": "stacked"}}
    assert api.get(_path(bare["href"])).json["subject"] == bare["subject"]
    # A type given wins over the chart's; sources (the response's word) is read too.
    line = api.post(
        "/v1/snapshots", json_body={"subject": {"chart": {"id": stacked, "type": "line", "sources": ["web-*", "db-1"]}}}
    ).json
    assert line["subject"] == {"chart": {"id": stacked, "sources": ["web-*", "db-1"], "type": "line"}}


def test_subject_source_picks_the_series_drawn(api: Api, org: Org) -> None:
    now = int(time.time())
    measurements = [
        {"name": "load", "value": 1 + i, "time": now - t, "tags": {"source": src}}
        for i, src in enumerate(("web-1", "web-2", "db-1"))
        for t in range(60, 1800, 60)
    ]
    assert api.post("/v1/measurements", json_body={"measurements": measurements}).status == 202
    chart = _chart(api, {"name": "load", "streams": [{"metric": "load", "group_function": "breakout"}]})
    drawn: dict[str, list[str]] = {}
    for source in ("*", "web-*", "db-1"):
        created = api.post("/v1/snapshots", json_body={"subject": {"chart": {"id": chart, "source": source}}}).json
        assert created["subject"]["chart"]["sources"] == [source]
        drawn[source] = sorted(s.tags.get("source", "") for s in _plot_of(org, created).series)
    assert drawn == {"*": ["db-1", "web-1", "web-2"], "web-*": ["web-1", "web-2"], "db-1": ["db-1"]}
