"""Snapshots (seed: Snapshots): a chart drawn to a PNG in the background, followed as a job.

1. ``create`` checks the chart and window, records the snapshot (its type: the request's, else the chart's) and its
   job (queued) and queues the work.
2. ``render`` (the SQS worker) reads the chart's streams through the query engine, draws the PNG with
   ``draw_png`` the renderer function passes in (``polymetric.plotting.png.render``: only that function
   loads matplotlib), stores it and completes the job. A bad chart fails the job with errors; a storage
   failure is retried by SQS and fails the job on the last attempt.
3. ``render`` is idempotent: a finished job's snapshot is left as it is.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from polymetric import clock
from polymetric.domain import jobs, spaces
from polymetric.errors import InvalidInputError, NotFoundError, PolymetricError
from polymetric.models.job import Job, JobState
from polymetric.models.snapshot import MAX_DURATION, Plot, Snapshot, SnapshotRequest
from polymetric.observability import logger
from polymetric.storage import queues, sequences
from polymetric.storage import snapshots as store

KIND = "snapshot"
SEQUENCE = "snapshots"


@dataclass(frozen=True)
class SnapshotView:
    snapshot: Snapshot
    job: Job
    image_url: str | None


def create(tenant: str, request: SnapshotRequest, *, now: int | None = None) -> SnapshotView:
    try:
        chart = spaces.chart_by_id(tenant, request.chart_id)
    except NotFoundError:
        raise InvalidInputError.param("subject", f"chart {request.chart_id} does not exist") from None
    if not 60 <= request.duration <= MAX_DURATION:
        raise InvalidInputError.param("duration", f"must be between 60 and {MAX_DURATION} seconds")
    moment = now if now is not None else clock.now()
    job = jobs.create(tenant, KIND)
    snapshot = Snapshot(
        id=sequences.next_id(SEQUENCE),
        job_id=job.id,
        chart_id=request.chart_id,
        type=request.type or chart.type,
        tags=request.tags,
        sources=request.sources,
        duration=request.duration,
        end_time=request.end_time if request.end_time is not None else moment,
        created_at=moment,
        updated_at=moment,
    )
    store.save(tenant, snapshot)
    queues.send_snapshot(tenant, message(tenant, snapshot.id))
    logger.info("snapshot queued", snapshot=snapshot.id, chart=snapshot.chart_id, job=job.id)
    return SnapshotView(snapshot, job, None)


def message(tenant: str, snapshot_id: int) -> dict[str, object]:
    return {"tenant": tenant, "snapshot": snapshot_id}


def get(tenant: str, snapshot_id: int) -> SnapshotView:
    snapshot = store.get(tenant, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"Snapshot {snapshot_id} not found")
    url = store.image_url(snapshot.image_key) if snapshot.image_key else None
    return SnapshotView(snapshot, jobs.find(tenant, snapshot.job_id) or _expired_job(snapshot), url)


def _expired_job(snapshot: Snapshot) -> Job:
    """What a snapshot says of its job once the job record has expired: it ended with the image, or without."""
    done = snapshot.image_key is not None
    return Job(
        id=snapshot.job_id,
        kind=KIND,
        state=JobState.COMPLETE if done else JobState.FAILED,
        progress=100.0 if done else None,
        errors=None if done else {"job": ["the snapshot was never rendered"]},
        created_at=snapshot.created_at,
        updated_at=snapshot.updated_at,
    )


DrawPng = Callable[[Plot], bytes]


def draw(tenant: str, snapshot: Snapshot, draw_png: DrawPng) -> bytes:
    """The snapshot's PNG (no storage write)."""
    from polymetric.domain import chart_data  # the query engine (numpy): the renderer's, not the API's, cold start

    chart = spaces.chart_by_id(tenant, snapshot.chart_id)
    plot = chart_data.plot(
        tenant,
        chart,
        start=snapshot.end_time - snapshot.duration,
        end=snapshot.end_time,
        overrides=snapshot.tags,
        chart_type=snapshot.type,
        sources=snapshot.sources,
    )
    return draw_png(plot)


def render(tenant: str, snapshot_id: int, draw_png: DrawPng, *, last_attempt: bool = False) -> None:
    snapshot = store.get(tenant, snapshot_id)
    if snapshot is None:
        logger.warning("snapshot to render is gone", snapshot=snapshot_id)
        return
    job = jobs.find(tenant, snapshot.job_id)
    if job is None or job.state.finished:  # None: expired, so long finished
        return
    jobs.start(tenant, snapshot.job_id)
    try:
        png = draw(tenant, snapshot, draw_png)
        key = store.image_key(tenant, snapshot.id)
        store.put_image(key, png)
        store.save(tenant, dataclasses.replace(snapshot, image_key=key, updated_at=clock.now()))
    except (InvalidInputError, NotFoundError) as exc:  # the chart changed or went away: retrying cannot help
        jobs.fail(tenant, snapshot.job_id, {"chart": [str(exc)]})
        logger.info("snapshot failed", snapshot=snapshot_id, error=str(exc))
        return
    except PolymetricError as exc:
        if last_attempt:
            jobs.fail(tenant, snapshot.job_id, {"system": ["The snapshot could not be rendered."]})
        raise exc
    jobs.complete(tenant, snapshot.job_id)
    logger.info("snapshot rendered", snapshot=snapshot_id, bytes=len(png))
