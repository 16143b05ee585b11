"""Jobs: the domain's state machine over the Meta table, and GET /v1/jobs/{id} (seed: Jobs)."""

from collections.abc import Callable

import pytest

from polymetric.domain import jobs
from polymetric.errors import NotFoundError
from polymetric.models.job import JobState
from polymetric.models.tenant import Role
from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api


def test_a_new_job_is_queued_and_shows_only_id_and_state(api: Api, org: Org) -> None:
    job = jobs.create(org.tenant, "metrics.delete")
    assert job.state == JobState.QUEUED
    reply = api.get(f"/v1/jobs/{job.id}")
    assert reply.status == 200
    assert reply.json == {"id": job.id, "state": "queued"}


def test_ids_are_integers_unique_across_organizations(org_factory: Callable[[str], Org]) -> None:
    a, b = org_factory("a"), org_factory("b")
    ids = [jobs.create(a.tenant, "x").id, jobs.create(b.tenant, "x").id, jobs.create(a.tenant, "x").id]
    assert ids == sorted(set(ids))
    assert all(isinstance(i, int) for i in ids)


def test_counted_progress_then_complete(api: Api, org: Org) -> None:
    job = jobs.create(org.tenant, "metrics.update", total_units=4)
    jobs.start(org.tenant, job.id)
    jobs.advance(org.tenant, job.id)
    assert api.get(f"/v1/jobs/{job.id}").json == {"id": job.id, "state": "working", "progress": 25.0}
    jobs.advance(org.tenant, job.id, 2)
    assert jobs.get(org.tenant, job.id).progress == 75.0
    jobs.complete(org.tenant, job.id)
    assert api.get(f"/v1/jobs/{job.id}").json == {"id": job.id, "state": "complete", "progress": 100.0}


def test_set_progress_is_clamped(org: Org) -> None:
    job = jobs.create(org.tenant, "snapshot")
    assert jobs.set_progress(org.tenant, job.id, 31.56).progress == 31.56
    assert jobs.set_progress(org.tenant, job.id, 140).progress == 100.0


def test_failed_job_reports_errors_in_the_seed_shape(api: Api, org: Org) -> None:
    job = jobs.create(org.tenant, "metrics.delete")
    jobs.fail(org.tenant, job.id, {"name": ["is invalid"]})
    assert api.get(f"/v1/jobs/{job.id}").json == {"id": job.id, "state": "failed", "errors": {"name": ["is invalid"]}}


def test_a_finished_job_never_changes_again(org: Org) -> None:
    job = jobs.create(org.tenant, "metrics.delete")
    jobs.fail(org.tenant, job.id, {"request": ["boom"]})
    assert jobs.complete(org.tenant, job.id).state == JobState.FAILED  # a retried step reporting late
    assert jobs.start(org.tenant, job.id).state == JobState.FAILED
    jobs.create(org.tenant, "x")
    canceled = jobs.cancel(org.tenant, jobs.create(org.tenant, "x").id)
    assert canceled.state == JobState.CANCELED
    assert jobs.advance(org.tenant, canceled.id).state == JobState.CANCELED


def test_another_organizations_job_is_not_found(template: Template, org_factory: Callable[[str], Org]) -> None:
    mine, theirs = org_factory("mine"), org_factory("theirs")
    job = jobs.create(theirs.tenant, "metrics.delete")
    with pytest.raises(NotFoundError):
        jobs.get(mine.tenant, job.id)
    for operation in (jobs.start, jobs.complete, jobs.cancel):
        with pytest.raises(NotFoundError):
            operation(mine.tenant, job.id)
    reply = Api(template, mine.admin).get(f"/v1/jobs/{job.id}")
    assert reply.status == 404
    assert reply.json == {"errors": {"request": [f"Job {job.id} not found"]}}
    assert jobs.get(theirs.tenant, job.id).state == JobState.QUEUED


@pytest.mark.parametrize("job_id", ["0", "abc", "99999", "-1"])
def test_unknown_or_malformed_ids_are_404(api: Api, job_id: str) -> None:
    reply = api.get(f"/v1/jobs/{job_id}")
    assert reply.status == 404
    assert "errors" in reply.json


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.VIEWER, 200), (Role.RECORDER, 403)])
def test_admins_and_viewers_read_jobs(template: Template, org: Org, role: Role, status: int) -> None:
    job = jobs.create(org.tenant, "metrics.delete")
    assert Api(template, org.token(role)).get(f"/v1/jobs/{job.id}").status == status


def test_the_meta_table_expires_items_on_expires_at(aws) -> None:
    """Jobs and alert delivery records expire through the Meta table's TTL (template.yaml); locally the runtime
    drops expired items when it restores its tables, as it does for the Samples table."""
    import boto3

    from polymetric.config import get_settings

    client = boto3.client("dynamodb", region_name="us-east-1")
    ttl = client.describe_time_to_live(TableName=get_settings().META_TABLE)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_a_finished_job_is_kept_seven_days_an_open_one_thirty(
    api: Api, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric import clock

    start = clock.now()
    finished, open_job = jobs.create(org.tenant, "metrics.delete"), jobs.create(org.tenant, "metrics.delete")
    jobs.complete(org.tenant, finished.id)
    monkeypatch.setattr(clock, "now", lambda: start + 7 * 86400 - 60)
    assert api.get(f"/v1/jobs/{finished.id}").status == 200
    monkeypatch.setattr(clock, "now", lambda: start + 7 * 86400 + 60)
    # DynamoDB deletes an expired item within days: reads treat it as gone at once.
    assert api.get(f"/v1/jobs/{finished.id}").status == 404
    assert api.get(f"/v1/jobs/{open_job.id}").status == 200
    monkeypatch.setattr(clock, "now", lambda: start + 30 * 86400 + 60)
    assert api.get(f"/v1/jobs/{open_job.id}").status == 404
