"""Job bodies: the seed's four examples."""

import pytest

from polymetric.dialects.appoptics.jobs import job, location
from polymetric.models.job import Job, JobState


def _job(**kw: object) -> Job:
    fields: dict[str, object] = {"id": 123456, "kind": "metrics.delete", "created_at": 1, "updated_at": 1, **kw}
    fields["state"] = JobState(str(fields.get("state", "queued")))
    return Job(**fields)  # type: ignore[arg-type]


def test_seed_examples() -> None:
    assert job(_job(state="working", progress=31.56)) == {"id": 123456, "state": "working", "progress": 31.56}
    assert job(_job(state="complete", progress=100.0)) == {"id": 123456, "state": "complete", "progress": 100.0}
    assert job(_job()) == {"id": 123456, "state": "queued"}
    failed = job(_job(state="failed", errors={"name": ["is invalid"]}))
    assert failed == {"id": 123456, "state": "failed", "errors": {"name": ["is invalid"]}}


def test_location_names_the_job() -> None:
    assert location(_job()) == {"Location": "/v1/jobs/123456"}


def test_progress_and_ids_are_bounded() -> None:
    with pytest.raises(ValueError, match="percentage"):
        _job(progress=101)
    with pytest.raises(ValueError, match="ids start at 1"):
        _job(id=0)


def test_finished_states() -> None:
    assert {s for s in JobState if s.finished} == {JobState.COMPLETE, JobState.FAILED, JobState.CANCELED}
