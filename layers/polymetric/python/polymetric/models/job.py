"""Jobs: long operations that outlive a request (seed: Jobs). Their id is what ``Location: /v1/jobs/:id`` names."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    WORKING = "working"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in (JobState.COMPLETE, JobState.FAILED, JobState.CANCELED)


@dataclass(frozen=True, kw_only=True)
class Job:
    """A job as stored and answered. A dataclass, not a pydantic model: it is built only from our own
    storage and ids, and pydantic on the import path of every function that answers with a job would
    cost its cold start ~60 ms (bench/cold.py)."""

    id: int  # AppOptics job ids are integers, from 1
    kind: str  # what runs it: "metrics.delete", "metrics.update", "snapshot"
    state: JobState = JobState.QUEUED
    progress: float | None = None  # percent, 0-100, once started
    # The seed's shape: field -> messages, e.g. {"name": ["is invalid"]}.
    errors: dict[str, list[str]] | None = None
    output: dict[str, Any] | None = None
    created_at: int  # epoch seconds
    updated_at: int

    def __post_init__(self) -> None:
        if self.id < 1 or (self.progress is not None and not 0.0 <= self.progress <= 100.0):
            raise ValueError(f"job {self.id}: ids start at 1 and progress is a percentage, got {self.progress}")
