"""Jobs: long operations that outlive a request (seed: Jobs). Their id is what ``Location: /v1/jobs/:id`` names."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobState(StrEnum):
    QUEUED = "queued"
    WORKING = "working"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in (JobState.COMPLETE, JobState.FAILED, JobState.CANCELED)


class Job(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int = Field(ge=1)  # AppOptics job ids are integers
    kind: str  # what runs it: "metrics.delete", "metrics.update", "snapshot"
    state: JobState = JobState.QUEUED
    progress: float | None = Field(default=None, ge=0.0, le=100.0)
    # The seed's shape: field -> messages, e.g. {"name": ["is invalid"]}.
    errors: dict[str, list[str]] | None = None
    output: dict[str, Any] | None = None
    created_at: int  # epoch seconds
    updated_at: int
