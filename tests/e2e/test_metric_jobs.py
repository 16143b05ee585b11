"""Bulk metric jobs under the local server: the template's state machine really runs (moto executes it) and
its tasks call the same handlers. 1,000 metrics are updated and deleted by pattern through jobs."""

import json
import time

import boto3
import pytest

from polymetric.storage import keys
from polymetric_local.server import LocalRuntime
from tests.e2e.http import Answer, call

COUNT = 1000
PREFIX = "e2e.jobs."


def _seed_metrics(server: LocalRuntime) -> None:
    """1,000 metrics written straight into the Meta table (ingesting them over HTTP is slow under moto)."""
    table = server.resources.tables["MetaTable"]
    client = boto3.client("dynamodb", region_name=server.resources.region)
    created = str(int(time.time() * 1000))
    items = [
        {
            "pk": {"S": keys.metrics_pk("local")},
            "sk": {"S": f"{PREFIX}m{i:04d}"},
            "name": {"S": f"{PREFIX}m{i:04d}"},
            "type": {"S": "gauge"},
            "attributes": {"M": {}},
            "created_at": {"N": created},
            "version": {"N": "1"},
        }
        for i in range(COUNT)
    ]
    with server.lock:
        for start in range(0, len(items), 25):
            client.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
            )
        # Written around storage: keep the organization's metric counter as storage would.
        pk, sk = keys.org("local")
        client.update_item(
            TableName=table,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="ADD metric_count :n",
            ExpressionAttributeValues={":n": {"N": str(COUNT)}},
        )


def _follow(server: LocalRuntime, reply: Answer, timeout: float = 600) -> list[dict]:
    """Poll the job the 202 names until it ends; every answer seen."""
    assert reply.status == 202, reply.body
    location = reply.headers["location"]
    assert location == f"/v1/jobs/{reply.json['id']}"
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = call(f"{server.url}{location}", token=server.admin_token).json
        seen.append(job)
        if job["state"] in ("complete", "failed", "canceled"):
            return seen
        time.sleep(0.5)
    raise AssertionError(f"job did not finish: {seen[-3:]}")


def _count(server: LocalRuntime) -> int:
    found = call(f"{server.url}/v1/metrics?name={PREFIX}*&length=1", token=server.admin_token)
    return int(found.json["query"]["found"])


def _organization_metrics(server: LocalRuntime) -> int:
    return int(call(f"{server.url}/v1/organization", token=server.admin_token).json["counts"]["metrics"])


def test_1000_metrics_updated_then_deleted_by_pattern_through_jobs(server: LocalRuntime) -> None:
    before = _organization_metrics(server)
    _seed_metrics(server)
    assert _count(server) == COUNT
    assert _organization_metrics(server) == before + COUNT
    update = call(
        f"{server.url}/v1/metrics",
        "PUT",
        token=server.admin_token,
        body=f"names={PREFIX}*&display_units_short=ms&period=60".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    seen = _follow(server, update)
    assert seen[-1] == {"id": update.json["id"], "state": "complete", "progress": 100.0}
    metric = call(f"{server.url}/v1/metrics/{PREFIX}m0777", token=server.admin_token).json
    assert metric["period"] == 60 and metric["attributes"]["display_units_short"] == "ms"

    delete = call(
        f"{server.url}/v1/metrics",
        "DELETE",
        token=server.admin_token,
        body=json.dumps({"names": f"{PREFIX}*"}).encode(),
        content_type="application/json",
    )
    seen = _follow(server, delete)
    assert seen[-1]["state"] == "complete"
    progress = [s["progress"] for s in seen if "progress" in s]
    assert progress == sorted(progress) and progress[-1] == 100.0
    assert any(0 < p < 100 for p in progress), seen  # it reported progress on the way
    assert _count(server) == 0
    assert _organization_metrics(server) == before  # the job's deletes kept the counter


def test_a_big_annotation_stream_is_deleted_by_a_job(server: LocalRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
    from polymetric.domain import annotations

    monkeypatch.setattr(annotations, "EVENTS_INLINE", 2)  # the layer is shared with the in-process server
    for title in ("one", "two", "three"):
        posted = call(
            f"{server.url}/v1/annotations/e2e.deploys",
            "POST",
            token=server.admin_token,
            body=json.dumps({"title": title}).encode(),
            content_type="application/json",
        )
        assert posted.status == 201
    deleted = call(f"{server.url}/v1/annotations/e2e.deploys", "DELETE", token=server.admin_token)
    assert _follow(server, deleted)[-1]["state"] == "complete"
    assert call(f"{server.url}/v1/annotations/e2e.deploys", token=server.admin_token).status == 404


def test_a_small_set_is_done_in_the_request(server: LocalRuntime) -> None:
    for name in ("e2e.small.a", "e2e.small.b"):
        call(
            f"{server.url}/v1/metrics/{name}",
            "PUT",
            token=server.admin_token,
            body=b"period=10",
            content_type="application/x-www-form-urlencoded",
        )
    reply = call(
        f"{server.url}/v1/metrics",
        "DELETE",
        token=server.admin_token,
        body=b"names=e2e.small.*",
        content_type="application/x-www-form-urlencoded",
    )
    assert (reply.status, reply.body) == (204, b"")
    assert call(f"{server.url}/v1/metrics/e2e.small.a", token=server.admin_token).status == 404


def test_unknown_jobs_are_404(server: LocalRuntime) -> None:
    assert call(f"{server.url}/v1/jobs/987654", token=server.admin_token).status == 404
