"""AppOptics job bodies (seed: Jobs): id and state always; progress, output and errors when they are known."""

from typing import Any

from polymetric.models.job import Job, JobState


def job(j: Job) -> dict[str, Any]:
    body: dict[str, Any] = {"id": j.id, "state": j.state.value}
    if j.state != JobState.QUEUED and j.progress is not None:
        body["progress"] = j.progress
    if j.output is not None:
        body["output"] = j.output
    if j.errors:
        body["errors"] = j.errors
    return body


def location(j: Job) -> dict[str, str]:
    """The header of a 202 that started a job."""
    return {"Location": f"/v1/jobs/{j.id}"}
