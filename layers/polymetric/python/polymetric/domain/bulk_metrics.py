"""Update or delete a set of metrics (seed: Update a Metric, Delete a Metric): in the request when the set
is small, else as a job that a Step Functions state machine runs in batches.

A request never does work that grows with the data: it reads at most ``SCAN_INLINE`` metric keys to
resolve a pattern, changes at most ``UPDATE_INLINE`` metrics or deletes at most ``DELETE_INLINE``
metrics of at most ``SERIES_INLINE`` series together; anything bigger becomes a job (202 + Location). A series
can hold up to ~1,330 items (768 hour blocks, 558 day rollups: samples may be backdated that far), so 25
series are at most ~33,000 deletes, ~1,330 BatchWriteItem calls 8 at a time: a few seconds.

The state machine (``MetricJobsStateMachine`` in template.yaml) calls the steps below through
``functions/metric_jobs``: ``plan`` resolves the set and writes its batches, a Map runs ``run_batch``
for each (with retries), then ``finish`` (or ``fail``) ends the job. The same machine deletes an annotation
stream too big to delete in a request (``STREAM_DELETE``, started by ``domain.annotations``) and the records of
a deleted Argus descriptor (``RECORDS_DELETE``, ``domain.argus``): one batch each.
"""

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from polymetric.domain import jobs
from polymetric.domain import metrics as metric_rules
from polymetric.domain.conflicts import retried
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.job import Job
from polymetric.observability import logger
from polymetric.storage import annotations as annotation_store
from polymetric.storage import argus as argus_store
from polymetric.storage import jobs as job_store
from polymetric.storage import metrics as store
from polymetric.storage import registry, workflows

DELETE = "metrics.delete"
UPDATE = "metrics.update"
STREAM_DELETE = "annotations.delete"  # domain.annotations.STREAM_DELETE
RECORDS_DELETE = "argus.delete"  # domain.argus.RECORDS_DELETE
DELETE_INLINE = 10
UPDATE_INLINE = 100
SERIES_INLINE = 25
SCAN_INLINE = 1000
SCAN_PAGE = 500
BATCH = {DELETE: 25, UPDATE: 200}
MAX_NAMES = 10_000
MARK_INLINE = 100  # metrics a delete request marks itself (its job marks the rest when it plans)


@dataclass(frozen=True)
class Selection:
    """A list of metric names, or one pattern with ``*`` wildcards (the seed allows one or the other)."""

    names: tuple[str, ...] = ()
    pattern: str | None = None

    def as_spec(self) -> dict[str, Any]:
        return {"names": list(self.names), "pattern": self.pattern}


def select(names: list[str]) -> Selection:
    patterns = [n for n in names if "*" in n]
    if patterns and len(names) > 1:
        raise InvalidInputError.param("names", "give either a list of metric names or one pattern, not both")
    if len(names) > MAX_NAMES:
        raise InvalidInputError.param("names", f"at most {MAX_NAMES} names per request: use a pattern")
    if patterns:
        return Selection(pattern=patterns[0].lower())
    return Selection(names=tuple(sorted({n.lower() for n in names})))


def _matching(tenant: str, pattern: str, *, budget: int | None) -> list[str] | None:
    """Metric keys matching ``pattern``, reading keys page by page; None when ``budget`` keys were not enough."""
    matched: list[str] = []
    after: str | None = None
    read = 0
    while True:
        page, after = store.keys_page(tenant, after=after, limit=SCAN_PAGE)
        read += len(page)
        matched.extend(k for k in page if fnmatch.fnmatchcase(k, pattern))
        if after is None:
            return matched
        if budget is not None and read >= budget:
            return None


def _small(tenant: str, selection: Selection, limit: int) -> list[str] | None:
    """The selected keys when there are at most ``limit`` and finding them is cheap; else None."""
    if selection.pattern is None:
        return list(selection.names) if len(selection.names) <= limit else None
    found = _matching(tenant, selection.pattern, budget=SCAN_INLINE)
    return found if found is not None and len(found) <= limit else None


def _start(
    tenant: str,
    kind: str,
    selection: Selection,
    changes: dict[str, Any] | None,
    before: Callable[[Job], None] | None = None,
) -> Job:
    """Create the job, run ``before`` with it (the job cannot have run yet), then start its state machine."""
    state_machine = workflows.metric_jobs_machine()
    job = jobs.create(tenant, kind, spec={"selection": selection.as_spec(), "changes": changes})
    if before is not None:
        before(job)
    workflows.start(state_machine, f"{tenant}-job-{job.id}", {"tenant": tenant, "job_id": job.id})
    logger.info("metric job started", job_id=job.id, kind=kind)
    return job


def delete(tenant: str, selection: Selection) -> Job | None:
    """Delete the metrics and their data now (None) or through a job (the job).

    A job marks its metrics first (those it knows in the request, the rest when it plans): until it
    ends, their measurements are refused rather than accepted and then deleted with them.
    """
    small = _small(tenant, selection, DELETE_INLINE)
    if small is not None and _few_series(tenant, small):
        metric_rules.delete(tenant, small)
        return None
    known = (small if small is not None else list(selection.names))[:MARK_INLINE]
    # Marked before the job starts: a job that ran first could see the metric created again and marked.
    return _start(tenant, DELETE, selection, None, before=lambda job: _mark_deleting(tenant, known, job.id))


def _mark_deleting(tenant: str, keys: list[str], job_id: int | None, *, only: int | None = None) -> None:
    """Set (or, with ``job_id`` None, clear where it is ``only``) the job deleting each of these metrics."""
    for key in keys:

        def mark(key: str = key) -> None:
            metric = store.get(tenant, key)
            if metric is not None and metric.deleting != job_id and (job_id is not None or metric.deleting == only):
                store.replace(tenant, metric.with_changes(deleting=job_id))

        retried(mark)


def _few_series(tenant: str, metric_keys: list[str]) -> bool:
    """Whether these metrics have at most ``SERIES_INLINE`` series together (reads at most that many + 1 keys)."""
    left = SERIES_INLINE
    for key in metric_keys:
        left -= registry.count_upto(tenant, key, left + 1)
        if left < 0:
            return False
    return True


def delete_one(tenant: str, name: str) -> Job | None:
    """DELETE /v1/metrics/:name: 404 when unknown; a job when the metric has much data."""
    metric_rules.get(tenant, name)  # NotFoundError
    return delete(tenant, Selection(names=(name.lower(),)))


def update(tenant: str, selection: Selection, props: dict[str, Any]) -> Job | None:
    """Apply the same properties/attributes to every selected metric (unknown names are skipped)."""
    changes = metric_rules.bulk_changes(props)
    small = _small(tenant, selection, UPDATE_INLINE)
    if small is None:
        return _start(tenant, UPDATE, selection, changes)
    for key in small:
        metric_rules.update_existing(tenant, key, changes)
    return None


# --- the state machine's steps -------------------------------------------------------------------------


def _spec(tenant: str, job_id: int) -> dict[str, Any]:
    spec = job_store.spec(tenant, job_id)
    if spec is None:
        raise NotFoundError(f"Job {job_id} has no work recorded")
    return spec


def plan(tenant: str, job_id: int) -> list[int]:
    """Resolve the job's metrics and write them in batches; the batch numbers the Map runs over."""
    job = jobs.start(tenant, job_id)
    if job.state.finished:
        return []
    spec = _spec(tenant, job_id)
    if job.kind in (STREAM_DELETE, RECORDS_DELETE):  # one batch: the stream, or the descriptor's records
        job_store.save_batches(tenant, job_id, [[spec.get("stream") or spec["argus_descriptor"]]])
        job_store.set_total(tenant, job_id, 1)
        return [0]
    selection = spec["selection"]
    if selection["pattern"]:
        found = _matching(tenant, selection["pattern"], budget=None) or []
    else:
        found = list(selection["names"])
    if job.kind == DELETE:
        _mark_deleting(tenant, found, job_id)  # those the request did not mark
    size = BATCH[job.kind]
    batches = [found[i : i + size] for i in range(0, len(found), size)]
    job_store.save_batches(tenant, job_id, batches)
    job_store.set_total(tenant, job_id, max(1, len(batches)))
    logger.info("metric job planned", job_id=job_id, metrics=len(found), batches=len(batches))
    return list(range(len(batches)))


def run_batch(tenant: str, job_id: int, index: int) -> int:
    """Apply the job to one batch; safe to run again (a retry): deletes and updates are idempotent."""
    names = job_store.batch(tenant, job_id, index)
    if names is None:
        return 0
    spec = _spec(tenant, job_id)
    if "stream" in spec:
        annotation_store.delete_stream(tenant, spec["stream"])  # idempotent: a retry deletes what is left
    elif "argus_descriptor" in spec:
        argus_store.delete_records(tenant, spec["argus_descriptor"])
    elif spec["changes"] is None:
        metric_rules.delete(tenant, names)
    else:
        for key in names:
            metric_rules.update_existing(tenant, key, spec["changes"])
    jobs.advance(tenant, job_id)
    return len(names)


def finish(tenant: str, job_id: int, batches: int) -> Job:
    job_store.delete_batches(tenant, job_id, batches)
    return jobs.complete(tenant, job_id)


def fail(tenant: str, job_id: int, error: dict[str, Any] | None) -> Job:
    """The state machine caught an error it could not retry: the job fails, saying why (seed: errors)."""
    cause = str((error or {}).get("Cause") or (error or {}).get("Error") or "the job failed")
    logger.error("metric job failed", job_id=job_id, error=cause)
    spec = job_store.spec(tenant, job_id) or {}
    if spec.get("changes", {}) is None:  # a delete: the metrics it did not delete take measurements again
        selection = spec["selection"]
        names = _matching(tenant, selection["pattern"], budget=None) if selection["pattern"] else selection["names"]
        _mark_deleting(tenant, list(names or []), None, only=job_id)
    return jobs.fail(tenant, job_id, {"request": [cause[:500]]})
