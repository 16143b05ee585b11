"""Bulk PUT/DELETE /v1/metrics: inline for small sets, jobs for larger ones; the job steps through their handler.

moto does not execute state machines here (tests/e2e/test_metric_jobs.py runs the real one under the local
server): these tests call the steps' handler with the payloads the state machine passes.
"""

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import pytest

from functions.metric_jobs.app import lambda_handler as steps
from polymetric.domain import bulk_metrics, jobs
from polymetric_local.template import Template
from tests.conftest import LambdaContext, Org
from tests.integration.api import Api

NOW = int(time.time()) - 60


def _metrics(api: Api, names: list[str], *, series: int = 1) -> None:
    body = {
        "measurements": [
            {"name": n, "value": 1, "time": NOW, "tags": {"host": f"h{s}"}} for n in names for s in range(series)
        ]
    }
    assert api.post("/v1/measurements", json_body=body).status == 202


def _run(org: Org, job_id: int) -> list[dict[str, Any]]:
    """What the state machine does: plan, every batch, finish. Returns the job after each step."""
    seen = []
    plan = steps({"step": "plan", "tenant": org.tenant, "job_id": job_id}, LambdaContext())
    for batch in plan["batches"]:
        steps({"step": "batch", "tenant": org.tenant, "job_id": job_id, "batch": batch}, LambdaContext())
        seen.append(dataclasses.asdict(jobs.get(org.tenant, job_id)))
    steps({"step": "finish", "tenant": org.tenant, "job_id": job_id, "count": plan["count"]}, LambdaContext())
    seen.append(dataclasses.asdict(jobs.get(org.tenant, job_id)))
    return seen


def _names(api: Api, pattern: str) -> list[str]:
    return [m["name"] for m in api.get("/v1/metrics", query={"name": pattern}).json["metrics"]]


def test_small_update_by_names_is_done_in_the_request(api: Api) -> None:
    _metrics(api, ["cpu", "servers", "reqs"])
    reply = api.put("/v1/metrics", form="names%5B%5D=cpu&names%5B%5D=servers&names%5B%5D=reqs&period=60&display_min=0")
    assert (reply.status, reply.text) == (204, "")
    for name in ("cpu", "servers", "reqs"):
        metric = api.get(f"/v1/metrics/{name}").json
        assert metric["period"] == 60 and metric["attributes"]["display_min"] == 0


def test_small_update_by_pattern_json(api: Api) -> None:
    _metrics(api, ["a.time", "b.time", "c.count"])
    reply = api.put("/v1/metrics", json_body={"names": "*.time", "attributes": {"display_units_short": "ms"}})
    assert reply.status == 204
    units = {
        n: api.get(f"/v1/metrics/{n}").json["attributes"].get("display_units_short") for n in ("a.time", "c.count")
    }
    assert units == {"a.time": "ms", "c.count": None}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"names": ["a"], "type": "composite"}, "params"),
        ({"names": ["a"]}, "request"),
        ({"names": ["a"], "period": -1}, "params"),
        ({"names": ["a*", "b"], "period": 60}, "params"),
        ({"period": 60}, "params"),
    ],
)
def test_bad_bulk_updates_are_400(api: Api, body: dict, where: str) -> None:
    reply = api.put("/v1/metrics", json_body=body)
    assert reply.status == 400, reply.text
    assert where in reply.json["errors"]


def test_small_delete_is_done_in_the_request(api: Api) -> None:
    _metrics(api, ["cpu.0", "cpu.90", "mem"])
    reply = api.delete("/v1/metrics", form="names=cpu*")
    assert (reply.status, reply.text) == (204, "")
    assert _names(api, "") == ["mem"]


def test_a_large_update_is_a_job_that_reports_progress(api: Api, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bulk_metrics.BATCH, bulk_metrics.UPDATE, 10)
    names = [f"bulk.m{i:03d}" for i in range(bulk_metrics.UPDATE_INLINE + 20)]
    _metrics(api, names)
    reply = api.put("/v1/metrics", json_body={"names": "bulk.*", "display_units_short": "ms"})
    assert reply.status == 202, reply.text
    job_id = reply.json["id"]
    assert reply.headers["location"] == f"/v1/jobs/{job_id}"
    assert api.get(f"/v1/jobs/{job_id}").json == {"id": job_id, "state": "queued"}
    seen = _run(org, job_id)
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[0] < 100 and progress[-1] == 100.0
    assert [s["state"] for s in seen[:-1]] == ["working"] * (len(seen) - 1)
    assert api.get(f"/v1/jobs/{job_id}").json == {"id": job_id, "state": "complete", "progress": 100.0}
    assert all(api.get(f"/v1/metrics/{n}").json["attributes"]["display_units_short"] == "ms" for n in names[::17])


def test_a_large_delete_is_a_job_and_leaves_other_metrics_and_organizations_alone(
    template: Template, api: Api, org: Org, org_factory: Callable[[str], Org]
) -> None:
    other = org_factory("other")
    names = [f"bulk.m{i:02d}" for i in range(bulk_metrics.DELETE_INLINE + 5)]
    _metrics(api, [*names, "keep.me"])
    _metrics(Api(template, other.admin), ["bulk.m00"])
    reply = api.delete("/v1/metrics", json_body={"names": "bulk.*"})
    assert reply.status == 202
    _run(org, reply.json["id"])
    assert _names(api, "") == ["keep.me"]
    assert _names(Api(template, other.admin), "") == ["bulk.m00"]
    assert api.get("/v1/organization").json["counts"]["series"] == 1


def test_deleting_one_metric_with_many_series_is_a_job(api: Api, org: Org) -> None:
    _metrics(api, ["wide"], series=bulk_metrics.SERIES_INLINE + 1)
    _metrics(api, ["narrow"], series=2)
    assert api.delete("/v1/metrics/narrow").status == 204
    reply = api.delete("/v1/metrics/wide")
    assert reply.status == 202
    assert api.get("/v1/metrics/wide").status == 200  # until the job has run
    _run(org, reply.json["id"])
    assert api.get("/v1/metrics/wide").status == 404
    assert api.delete("/v1/metrics/wide").status == 404


def test_measurements_of_a_metric_being_deleted_are_refused_not_lost(api: Api, org: Org) -> None:
    _metrics(api, ["wide"], series=bulk_metrics.SERIES_INLINE + 1)
    job_id = api.delete("/v1/metrics/wide").json["id"]
    late = {"measurements": [{"name": "wide", "value": 42, "time": NOW, "tags": {"host": "after"}}]}
    reply = api.post("/v1/measurements", json_body=late)
    assert reply.status == 400, reply.text  # it was a 202, then the job deleted it with the metric
    assert f"is being deleted (job {job_id})" in str(reply.json)
    _run(org, job_id)
    assert api.post("/v1/measurements", json_body=late).status == 202  # once the job is done: a new metric
    body = api.get("/v1/measurements/wide", query={"start_time": NOW - 60, "resolution": 1}).json
    assert [s["tags"] for s in body["series"]] == [{"host": "after"}]


def test_a_failed_delete_takes_measurements_again(api: Api, org: Org) -> None:
    names = [f"bulk.m{i:02d}" for i in range(bulk_metrics.DELETE_INLINE + 1)]
    _metrics(api, names)
    job_id = api.delete("/v1/metrics", json_body={"names": names}).json["id"]
    body = {"measurements": [{"name": names[0], "value": 1, "tags": {"host": "a"}}]}
    reply = api.post("/v1/measurements", json_body=body)
    assert reply.status == 400 and "is being deleted" in reply.text
    steps({"step": "fail", "tenant": org.tenant, "job_id": job_id, "error": {"Error": "E"}}, LambdaContext())
    assert api.post("/v1/measurements", json_body=body).status == 202


def test_a_pattern_over_more_metrics_than_a_request_reads_is_a_job(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_metrics, "SCAN_INLINE", 4)
    monkeypatch.setattr(bulk_metrics, "SCAN_PAGE", 2)
    _metrics(api, ["a1", "a2", "a3", "a4", "a5", "zz"])
    assert api.delete("/v1/metrics", json_body={"names": "zz*"}).status == 202  # one match, but past the budget


def test_a_failed_step_fails_the_job_with_its_reason(api: Api, org: Org) -> None:
    names = [f"bulk.m{i:02d}" for i in range(bulk_metrics.DELETE_INLINE + 1)]
    _metrics(api, names)
    job_id = api.delete("/v1/metrics", json_body={"names": names}).json["id"]
    error = {"Error": "ValueError", "Cause": '{"errorMessage": "boom"}'}
    steps({"step": "fail", "tenant": org.tenant, "job_id": job_id, "error": error}, LambdaContext())
    body = api.get(f"/v1/jobs/{job_id}").json
    assert body["state"] == "failed" and "boom" in body["errors"]["request"][0]


def test_the_state_machine_runs_the_steps_function(template: Template) -> None:
    machine = template.state_machines["MetricJobsStateMachine"]
    assert machine.substitutions["StepsFunctionArn"] == {"Fn::GetAtt": ["MetricJobsFunction", "Arn"]}
    states = machine.definition["States"]
    assert states["Batches"]["Type"] == "Map"
    retried = states["Batches"]["ItemProcessor"]["States"]["RunBatch"]["Retry"][0]["ErrorEquals"]
    assert "Lambda.TooManyRequestsException" in retried and "StorageError" in retried


def test_a_listing_past_the_limit_is_a_clear_400(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from polymetric.domain import metrics

    _metrics(api, ["a", "b", "c"])
    assert api.get("/v1/metrics").json["query"]["total"] == 3
    monkeypatch.setattr(metrics, "LIST_LIMIT", 2)
    reply = api.get("/v1/metrics")
    assert reply.status == 400
    assert "more than 2 metrics" in reply.json["errors"]["request"][0]


def test_the_series_a_request_deletes_are_counted_across_its_metrics(api: Api, org: Org) -> None:
    """A request deletes at most SERIES_INLINE series in all: each series' data grows with its age, so a few
    metrics of many series each are a job, not a request."""
    per_metric = bulk_metrics.SERIES_INLINE // 2 + 1
    _metrics(api, ["pair.a", "pair.b"], series=per_metric)  # each under the bound, together over it
    reply = api.delete("/v1/metrics", json_body={"names": ["pair.a", "pair.b"]})
    assert reply.status == 202
    _run(org, reply.json["id"])
    assert _names(api, "pair") == []


def test_deleting_an_annotation_stream_of_many_events_is_a_job(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.domain import annotations

    monkeypatch.setattr(annotations, "EVENTS_INLINE", 2)
    for title in ("a", "b"):
        assert api.post("/v1/annotations/small", json_body={"title": title}).status == 201
        assert api.post("/v1/annotations/deploys", json_body={"title": title}).status == 201
    assert api.post("/v1/annotations/deploys", json_body={"title": "c"}).status == 201
    assert api.delete("/v1/annotations/small").status == 204  # two events: in the request
    reply = api.delete("/v1/annotations/deploys")
    assert reply.status == 202
    assert reply.headers["location"] == f"/v1/jobs/{reply.json['id']}"
    assert api.get("/v1/annotations/deploys").status == 200  # until the job has run
    seen = _run(org, reply.json["id"])
    assert seen[-1]["state"] == "complete"
    assert api.get("/v1/annotations/deploys").status == 404
    assert api.post("/v1/annotations/deploys", json_body={"title": "new"}).status == 201
    assert len(api.get("/v1/annotations/deploys").json["events"][0]["unassigned"]) == 1  # nothing of the old
