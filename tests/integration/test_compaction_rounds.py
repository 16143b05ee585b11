"""On-time compaction rounds: live hours register nothing at ingest and are compacted once closed."""

import json
import time
from typing import Any

import boto3
import pytest

from functions.compactor.app import lambda_handler as compactor
from polymetric.config import get_settings
from polymetric.domain import compaction
from polymetric.storage import keys, rounds, samples
from tests.conftest import Org, load_event
from tests.integration.api import Api
from tests.integration.compaction_helpers import CompactorContext, run_compaction, scan, stored_series

NOW = OPEN = LATER = 0  # set per test by the autouse fixture below (a module-level clock goes stale)


@pytest.fixture(autouse=True)
def _clock() -> None:
    global NOW, OPEN, LATER
    NOW = int(time.time())
    OPEN = keys.hour_of(NOW)  # the hour live traffic writes to
    LATER = OPEN + 2 * keys.HOUR + 15 * 60  # a tick at which OPEN (and the hour after it) are closed


def post(api: Api, *measurements: dict[str, Any]) -> None:
    reply = api.post("/v1/measurements", json_body={"measurements": list(measurements)})
    assert reply.status == 202, reply.text


def live(api: Api) -> None:
    """Two metrics, three series, a point a minute of the open hour up to now."""
    rows = []
    for t in range(OPEN, NOW + 1, 60):
        rows.append({"name": "cpu", "value": float(t % 7), "time": t, "tags": {"host": "a"}})
        rows.append({"name": "cpu", "value": float(t % 5), "time": t, "tags": {"host": "b"}})
        rows.append({"name": "disk.used", "value": float(t % 11), "time": t, "tags": {"host": "a"}})
    post(api, *rows)


def read(api: Api, name: str, resolution: int) -> dict[str, Any]:
    reply = api.get(
        f"/v1/measurements/{name}",
        query={"start_time": OPEN, "end_time": OPEN + keys.HOUR - 1, "resolution": resolution},
    )
    assert reply.status == 200, reply.text
    return reply.json


def items(prefix: str = "") -> list[dict[str, Any]]:
    return [i for i in scan(get_settings().SAMPLES_TABLE) if i["sk"]["S"].startswith(prefix)]


def receive_all() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = get_settings().COMPACTION_QUEUE_URL
    out = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]).get(
        "Messages", []
    ):
        out.extend(batch)
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_live_writes_register_nothing_and_late_writes_leave_an_hours_item(api: Api, org: Org) -> None:
    live(api)
    assert not [i for i in scan(get_settings().SAMPLES_TABLE) if i["pk"]["S"].endswith("#HOURS")]
    post(api, {"name": "cpu", "value": 1.0, "time": OPEN - 3 * keys.HOUR, "tags": {"host": "a"}})
    # Further ahead than the accepted window (models.window: 1 hour) is refused, so it leaves nothing.
    ahead = {"name": "cpu", "value": 1.0, "time": OPEN + 3 * keys.HOUR, "tags": {"host": "a"}}
    assert api.post("/v1/measurements", json_body={"measurements": [ahead]}).status == 400
    assert sorted(samples.pending_hours(org.tenant, "cpu", OPEN - keys.DAY, OPEN + keys.DAY)) == [OPEN - 3 * keys.HOUR]


def test_a_closed_hour_is_compacted_by_its_round_and_reads_stay_the_same(api: Api, org: Org) -> None:
    live(api)
    before = {(n, r): read(api, n, r) for n in ("cpu", "disk.used") for r in (60, 3600)}
    assert OPEN in compaction.uncompacted_hours(org.tenant, "cpu", OPEN, OPEN + keys.HOUR - 1)
    result = run_compaction(now=LATER)
    assert result["failures"] == [] and result["handled"] == result["queued"] > 0
    assert len(stored_series("B")) == 3  # a block per series; rollups wait for the day's fold (test_folding)
    marks = rounds.watermarks(org.tenant)
    assert marks is not None and marks.done > OPEN
    # Reads no longer look at the hour's slabs, and answer the same.
    assert compaction.uncompacted_hours(org.tenant, "cpu", OPEN, OPEN + keys.HOUR - 1) == []
    assert {(n, r): read(api, n, r) for n in ("cpu", "disk.used") for r in (60, 3600)} == before


def test_a_round_runs_once_and_a_repeated_chunk_changes_nothing(api: Api, org: Org) -> None:
    live(api)
    run_compaction(now=LATER)
    stored = {(i["pk"]["S"], i["sk"]["S"]): i for i in scan(get_settings().SAMPLES_TABLE)}
    assert run_compaction(now=LATER)["queued"] == 0  # planned already
    heads = [i for i in stored.values() if i["sk"]["S"].endswith("#HEAD")]
    chunk = sorted(heads[0]["chunks"]["SS"])[0]
    names = [n for n in ("cpu", "disk.used") if rounds.chunk_id([n]) == chunk] or ["cpu", "disk.used"]
    compaction.compact(compaction.ChunkJob(org.tenant, OPEN, chunk, tuple(names)))
    assert {(i["pk"]["S"], i["sk"]["S"]): i for i in scan(get_settings().SAMPLES_TABLE)} == stored


def test_done_waits_for_every_chunk_and_slabs_answer_meanwhile(api: Api, org: Org) -> None:
    live(api)
    before = read(api, "cpu", 60)
    compaction.enqueue(now=LATER)
    messages = receive_all()
    assert len(messages) >= 2  # both metrics, in every closed hour since the organization was created
    by_metric = {json.loads(m["Body"])["metrics"][0]: m for m in messages if json.loads(m["Body"])["hour"] == OPEN}
    lost = by_metric["cpu"]  # say it went to the dead-letter queue
    for m in messages:
        if m is not lost:
            compaction.compact(compaction.job_from_message(json.loads(m["Body"])), now=LATER)
    marks = rounds.watermarks(org.tenant)
    assert marks is not None and marks.done <= OPEN
    assert read(api, "cpu", 60) == before  # still from the slabs
    compaction.compact(compaction.job_from_message(json.loads(lost["Body"])), now=LATER)  # redriven
    marks = rounds.watermarks(org.tenant)
    assert marks is not None and marks.done > OPEN
    assert read(api, "cpu", 60) == before  # now from the blocks


def test_a_round_left_incomplete_is_queued_again_an_hour_later(api: Api, org: Org) -> None:
    live(api)
    before = read(api, "cpu", 60)
    compaction.enqueue(now=LATER)
    for m in receive_all():
        job = compaction.job_from_message(json.loads(m["Body"]))
        if not (isinstance(job, compaction.ChunkJob) and job.hour == OPEN and "cpu" in job.metrics):
            compaction.compact(job, now=LATER)  # the one with cpu in it was dead-lettered
    assert run_compaction(now=LATER + 30 * 60)["queued"] == 0  # its retries may still be under way
    result = run_compaction(now=LATER + compaction.REDRIVE_AFTER)
    assert result["failures"] == [] and result["handled"] >= 1
    marks = rounds.watermarks(org.tenant)
    assert marks is not None and marks.done > OPEN
    assert read(api, "cpu", 60) == before


def test_a_worker_short_of_time_queues_the_rest_of_its_chunk(api: Api, org: Org) -> None:
    live(api)
    names = ("cpu", "disk.used")
    job = compaction.ChunkJob(org.tenant, OPEN, rounds.chunk_id(list(names)), names)
    compaction.compact(job, now=LATER, seconds_left=lambda: 5.0)  # time for the first metric only
    assert len(stored_series("B")) == 2  # cpu's two series
    assert not items(keys.round_sk(OPEN, "C"))  # the chunk is not done yet
    (rest,) = receive_all()
    assert json.loads(rest["Body"]) == {**job.as_message(), "metrics": ["disk.used"]}
    assert rest["Attributes"]["MessageGroupId"] == keys.compaction_group(org.tenant, "disk.used")
    compaction.compact(compaction.job_from_message(json.loads(rest["Body"])), now=LATER)
    assert len(stored_series("B")) == 3
    assert items(keys.round_sk(OPEN, f"C{job.chunk}"))


def test_a_planner_that_stopped_halfway_is_taken_up_with_metrics_created_since(api: Api, org: Org) -> None:
    live(api)
    chunks = compaction.tenant_chunks(org.tenant)
    first = compaction.round_jobs(org.tenant, OPEN, LATER, chunks, rounds.Round())  # then the planner stopped
    post(api, {"name": "new.metric", "value": 1.0, "time": OPEN + 5, "tags": {"host": "a"}})
    compaction.compact(first[0], now=LATER)  # one of the old messages still runs
    result = run_compaction(now=LATER)
    assert result["failures"] == []
    head = next(i for i in items() if i["sk"]["S"] == keys.round_sk(OPEN, "HEAD"))
    assert len(head["chunks"]["SS"]) == len(rounds.chunked(org.tenant, ["cpu", "disk.used", "new.metric"]))
    marks = rounds.watermarks(org.tenant)
    assert marks is not None and marks.done > OPEN
    reply = api.get("/v1/measurements/new.metric", query={"start_time": OPEN, "resolution": 60})
    assert reply.json["series"][0]["measurements"] == [{"time": OPEN, "value": 1.0}]
    assert OPEN in {start for _, start, _ in stored_series("B")}


def test_messages_are_grouped_so_that_a_metric_is_compacted_by_one_worker_at_a_time(api: Api, org: Org) -> None:
    live(api)
    post(api, {"name": "cpu", "value": 1.0, "time": OPEN - 3 * keys.HOUR, "tags": {"host": "a"}})  # late data
    compaction.enqueue(now=LATER)
    groups: dict[str, set[str]] = {}
    for m in receive_all():
        body = json.loads(m["Body"])
        for name in body.get("metrics", [body.get("metric")]):
            groups.setdefault(name, set()).add(m["Attributes"]["MessageGroupId"])
    assert groups["cpu"] == {keys.compaction_group(org.tenant, "cpu")}
    assert all(len(g) == 1 for g in groups.values())


@pytest.mark.parametrize("event_name", ["sqs/compaction-round-chunk"])
def test_the_sample_chunk_event_compacts_its_metrics(api: Api, org: Org, event_name: str) -> None:
    live(api)
    event = load_event(event_name)
    body = json.loads(event["Records"][0]["body"])
    body.update(tenant=org.tenant, hour=OPEN, chunk=rounds.chunk_id(body["metrics"]))
    event["Records"][0]["body"] = json.dumps(body)
    assert compactor(event, CompactorContext()) == {"batchItemFailures": []}
    assert len(stored_series("B")) == 3  # cpu a, cpu b, disk.used a
    assert items(keys.round_sk(OPEN, f"C{body['chunk']}"))
