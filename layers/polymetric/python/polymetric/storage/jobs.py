"""Jobs (PynamoDB items in the Meta table, keys in ``keys.py``).

A job's progress is either set outright or counted: ``total`` units of work (batches of metrics)
and ``done`` units, added atomically by whichever worker finishes one, so parallel steps of a
Step Functions Map never overwrite each other's progress.

Jobs expire (the Meta table's TTL attribute ``expires_at``): a finished job is kept ``FINISHED_RETENTION``
(7 days) after it finished, one that never finishes (its workers lost) ``OPEN_RETENTION`` (30 days) after it
was made, and its batch items as long. DynamoDB deletes expired items within days, so reads treat an item
past ``expires_at`` as gone already.
"""

import json
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from polymetric import clock
from polymetric.models.job import Job, JobState
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, translated
from polymetric.storage.tables import _MetaItem, bound

OPEN_STATES = (JobState.QUEUED.value, JobState.WORKING.value)
DAY = 86400
FINISHED_RETENTION = 7 * DAY
OPEN_RETENTION = 30 * DAY


def expired(expires_at: float | None, now: int | None = None) -> bool:
    return expires_at is not None and float(expires_at) <= (clock.now() if now is None else now)


class JobItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    job_id = NumberAttribute()
    kind = UnicodeAttribute()
    state = UnicodeAttribute()
    progress = NumberAttribute(null=True)
    total = NumberAttribute(null=True)
    done = NumberAttribute(default=0)
    errors = UnicodeAttribute(null=True)  # JSON: field -> messages
    output = UnicodeAttribute(null=True)  # JSON object
    spec = UnicodeAttribute(null=True)  # JSON: what the job does (the workers read it)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    expires_at = NumberAttribute(null=True)  # the Meta table's TTL attribute


def _to_job(item: JobItem) -> Job:
    progress = None if item.progress is None else float(item.progress)
    if progress is None and item.total:
        progress = round(min(100.0, 100.0 * float(item.done) / float(item.total)), 2)
    return Job(
        id=int(item.job_id),
        kind=item.kind,
        state=JobState(item.state),
        progress=progress,
        errors=json.loads(item.errors) if item.errors else None,
        output=json.loads(item.output) if item.output else None,
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
    )


class JobBatchItem(_MetaItem):
    """One unit of a job's work (a batch of metric names), written by the plan step, read by one worker."""

    class Meta(_MetaItem.Meta):
        pass

    names = UnicodeAttribute()  # JSON list
    expires_at = NumberAttribute(null=True)  # deleted when the job ends; else expires with an open job


def save_new(tenant: str, job: Job, total: int | None, spec: dict[str, Any] | None = None) -> None:
    pk, sk = keys.job(tenant, job.id)
    item = bound(JobItem)(
        pk,
        sk,
        job_id=job.id,
        kind=job.kind,
        state=job.state.value,
        progress=job.progress,
        total=total,
        done=0,
        spec=None if spec is None else json.dumps(spec),
        created_at=job.created_at,
        updated_at=job.updated_at,
        expires_at=job.created_at + OPEN_RETENTION,
    )
    with translated("job write failed"):
        item.save(condition=JobItem.pk.does_not_exist())


def get(tenant: str, job_id: int) -> Job | None:
    pk, sk = keys.job(tenant, job_id)
    with translated("job read failed"):
        try:
            item = bound(JobItem).get(pk, sk, consistent_read=True)
        except JobItem.DoesNotExist:
            return None
    return None if expired(item.expires_at) else _to_job(item)


def update(
    tenant: str,
    job_id: int,
    *,
    state: JobState | None = None,
    progress: float | None = None,
    add_done: int = 0,
    errors: dict[str, list[str]] | None = None,
    output: dict[str, Any] | None = None,
) -> Job | None:
    """Change a job that is still queued or working; None when it does not exist or has already finished."""
    now = clock.now()
    actions: list[Action] = [JobItem.updated_at.set(now)]
    if state is not None:
        actions.append(JobItem.state.set(state.value))
        if state.finished:
            actions.append(JobItem.expires_at.set(now + FINISHED_RETENTION))
    if progress is not None:
        actions.append(JobItem.progress.set(progress))
    if add_done:
        actions.append(JobItem.done.add(add_done))
    if errors is not None:
        actions.append(JobItem.errors.set(json.dumps(errors)))
    if output is not None:
        actions.append(JobItem.output.set(json.dumps(output)))
    pk, sk = keys.job(tenant, job_id)
    item = bound(JobItem)(pk, sk)
    with translated("job update failed"):
        try:
            item.update(actions=actions, condition=JobItem.pk.exists() & JobItem.state.is_in(*OPEN_STATES))
        except UpdateError as exc:
            if conditional_failed(exc):
                return None
            raise
    return _to_job(item)


def spec(tenant: str, job_id: int) -> dict[str, Any] | None:
    pk, sk = keys.job(tenant, job_id)
    with translated("job read failed"):
        try:
            item = bound(JobItem).get(pk, sk, consistent_read=True, attributes_to_get=["spec"])
        except JobItem.DoesNotExist:
            return None
    return json.loads(item.spec) if item.spec else None


def set_total(tenant: str, job_id: int, total: int) -> None:
    pk, sk = keys.job(tenant, job_id)
    with translated("job update failed"):
        bound(JobItem)(pk, sk).update(actions=[JobItem.total.set(total)], condition=JobItem.pk.exists())


def save_batches(tenant: str, job_id: int, batches: list[list[str]]) -> None:
    model = bound(JobBatchItem)
    expires_at = clock.now() + OPEN_RETENTION
    with translated("job write failed"), model.batch_write() as writer:
        for index, names in enumerate(batches):
            pk, sk = keys.job_batch(tenant, job_id, index)
            writer.save(model(pk, sk, names=json.dumps(names), expires_at=expires_at))


def batch(tenant: str, job_id: int, index: int) -> list[str] | None:
    pk, sk = keys.job_batch(tenant, job_id, index)
    with translated("job read failed"):
        try:
            return list(json.loads(bound(JobBatchItem).get(pk, sk, consistent_read=True).names))
        except JobBatchItem.DoesNotExist:
            return None


def delete_batches(tenant: str, job_id: int, count: int) -> None:
    model = bound(JobBatchItem)
    with translated("job cleanup failed"), model.batch_write() as writer:
        for index in range(count):
            writer.delete(model(*keys.job_batch(tenant, job_id, index)))
