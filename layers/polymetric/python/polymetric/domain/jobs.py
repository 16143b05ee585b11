"""Jobs: the state of long operations (seed: Jobs), run by Step Functions or queue workers.

States move queued -> working -> complete | failed | canceled and never leave a finished state:
a retried step that reports on a finished job changes nothing.
"""

from typing import Any

from polymetric import clock
from polymetric.errors import NotFoundError
from polymetric.models.job import Job, JobState
from polymetric.storage import jobs as store
from polymetric.storage import sequences

SEQUENCE = "jobs"


def create(tenant: str, kind: str, *, total_units: int | None = None, spec: dict[str, Any] | None = None) -> Job:
    """A queued job of ``kind``; with ``total_units`` its progress is counted by ``advance``. ``spec`` is what
    its workers need to know (JSON)."""
    now = clock.now()
    job = Job(id=sequences.next_id(SEQUENCE), kind=kind, created_at=now, updated_at=now)
    store.save_new(tenant, job, total_units, spec)
    return job


def find(tenant: str, job_id: int) -> Job | None:
    """The organization's job; None when it does not exist or has expired (jobs are kept 7 days once finished)."""
    return store.get(tenant, job_id)


def get(tenant: str, job_id: int) -> Job:
    """The organization's job; another organization's job is not found."""
    job = store.get(tenant, job_id)
    if job is None:
        raise NotFoundError(f"Job {job_id} not found")
    return job


def _changed(tenant: str, job_id: int, changed: Job | None) -> Job:
    """The job after an update; when the update did not apply (finished job), the job as it stands."""
    return changed if changed is not None else get(tenant, job_id)


def start(tenant: str, job_id: int) -> Job:
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.WORKING))


def set_progress(tenant: str, job_id: int, percent: float) -> Job:
    percent = max(0.0, min(100.0, float(percent)))
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.WORKING, progress=percent))


def advance(tenant: str, job_id: int, units: int = 1) -> Job:
    """Count ``units`` of the job's ``total_units`` as done (atomic: parallel workers may call it)."""
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.WORKING, add_done=units))


def complete(tenant: str, job_id: int) -> Job:
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.COMPLETE, progress=100.0))


def fail(tenant: str, job_id: int, errors: dict[str, list[str]]) -> Job:
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.FAILED, errors=errors))


def cancel(tenant: str, job_id: int) -> Job:
    return _changed(tenant, job_id, store.update(tenant, job_id, state=JobState.CANCELED))
