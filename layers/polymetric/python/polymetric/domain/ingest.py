"""Accept measurements: create missing metrics, register new series, store samples as hot slabs."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from itertools import repeat

from aws_lambda_powertools.metrics import MetricUnit

from polymetric import clock
from polymetric.domain import metrics as metric_rules
from polymetric.domain import rate_limits, token_scope
from polymetric.errors import BatchOutcome, InvalidInputError, ItemError, PartialAcceptanceError, RateLimitedError
from polymetric.models import window
from polymetric.models.hours import HOUR, day_of
from polymetric.models.measurement import Measurement, MeasurementBatch
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.samples import COUNT, LAST, MAX, MIN, SUM, SUMSQ, sumsq_from_stddev
from polymetric.models.series import series_id
from polymetric.observability import logger, metrics
from polymetric.storage import metrics as metric_store
from polymetric.storage import registry, samples, tokens

RATE_LIMITED = rate_limits.OVER_MEASUREMENTS


def accept(
    tenant: str,
    measurements: Sequence[Measurement],
    *,
    total: int,
    errors: list[ItemError],
    user_agent: str | None = None,
    request_id: str | None = None,
) -> BatchOutcome:
    """AppOptics semantics: store every valid measurement; when none could be stored, PartialAcceptanceError."""
    outcome = write(tenant, measurements, total=total, errors=errors, user_agent=user_agent, request_id=request_id)
    if outcome.rate_limited:  # seed: 429, and the body says what was accepted before the limit
        raise RateLimitedError(RATE_LIMITED, outcome)
    if outcome.accepted == 0:
        raise PartialAcceptanceError(outcome)
    return outcome


def write(
    tenant: str,
    measurements: Sequence[Measurement],
    *,
    total: int | None = None,
    errors: list[ItemError] | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> BatchOutcome:
    """Store measurements of any dialect into the one store; returns what was stored and what was not.

    Creates missing metrics (from the first measurement's ``properties``), registers new series and
    writes one hot slab per (metric, hour). ``errors`` are rejections the caller's validation made
    (their ``index`` is a measurement ``position``); measurements of composite metrics are refused here.
    """
    total = len(measurements) if total is None else total
    errors = list(errors or [])
    # Columns from here on: a reader's MeasurementBatch as it is, any other sequence turned into one.
    batch = MeasurementBatch.of(token_scope.apply(measurements))
    outside = _outside_window(batch, clock.now_float())
    if outside:
        errors.extend(outside)
        batch = _without(batch, {e.index for e in outside})
    limited, over = token_scope.limit(batch)
    batch = MeasurementBatch.of(limited)
    errors.extend(ItemError("measurements", RATE_LIMITED, m.position) for m in over)
    keys = list(map(str.lower, batch.names))
    known = _ensure_metrics(tenant, batch, keys, user_agent, errors)
    if not known.keys() >= set(keys):
        rejected = {e.index for e in errors}
        errors.extend(
            ItemError("name", f"metric {name} could not be created (see the measurement before)", position)
            for name, key, position in zip(batch.names, keys, batch.positions, strict=True)
            if key not in known and position not in rejected
        )
    # The measurements refused so far (and those of metrics that could not be created) stay out.
    kept = _without(batch, {e.index for e in errors})
    if kept is not batch:
        batch, keys = kept, list(map(str.lower, kept.names))
    stored = _store(tenant, batch, keys, known, request_id or uuid.uuid4().hex[:12])
    errors.sort(key=lambda e: -1 if e.index is None else e.index)  # in request order, whoever refused them
    outcome = BatchOutcome(total=total, accepted=stored, failed=total - stored, errors=errors, rate_limited=len(over))
    metrics.add_metric(name="MeasurementsAccepted", unit=MetricUnit.Count, value=stored)
    if outcome.failed:
        metrics.add_metric(name="MeasurementsRejected", unit=MetricUnit.Count, value=outcome.failed)
    logger.info("measurements stored" if stored else "no measurements stored", accepted=stored, rejected=outcome.failed)
    return outcome


def _outside_window(batch: MeasurementBatch, now: float) -> list[ItemError]:
    """The backstop of the accepted window: readers refuse first, in their dialect's words; nothing
    the store would drop before its tier's retention ends gets past here (a grace covers clock reads
    a moment apart)."""
    times = batch.times
    if not times or (
        math.isfinite(sum(times))  # min and max pass over a NaN that is not first
        and window.contains(min(times), now, grace=window.GRACE)
        and window.contains(max(times), now, grace=window.GRACE)
    ):
        return []  # the common case, two checks instead of one per measurement
    return [
        ItemError("time", f"time {t} {window.refusal(t, now) or 'is outside the accepted window'}", position)
        for t, position in zip(times, batch.positions, strict=True)
        if not window.contains(t, now, grace=window.GRACE)
    ]


def _without(batch: MeasurementBatch, positions: set[int | None]) -> MeasurementBatch:
    """The batch less the measurements at these request positions (the batch itself when it holds none of
    them: a reader's refusals name measurements that never reached it)."""
    if positions.isdisjoint(batch.positions):
        return batch
    return MeasurementBatch.of([m for m in batch if m.position not in positions])


def _ensure_metrics(
    tenant: str, batch: MeasurementBatch, keys: list[str], user_agent: str | None, errors: list[ItemError]
) -> dict[str, Metric]:
    """The metrics the batch names (``keys``: its lower-cased names), creating missing ones from the first
    measurement's properties.

    A measurement whose metric cannot take samples (a composite) or whose properties are invalid
    for a new metric is rejected on its own; ``errors`` receives it.
    """
    # The first position of each metric: reversed, so that the earliest is the one a dict keeps.
    first_at = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    first = {key: batch[i] for key, i in sorted(first_at.items(), key=lambda item: item[1])}  # in request order
    known = metric_store.get_many(tenant, first)
    new: list[Metric] = []
    for key, m in first.items():
        if key in known:
            continue
        try:
            new.append(metric_rules.new_metric(m.name, m.properties, user_agent=user_agent))
        except InvalidInputError as exc:
            errors.extend(ItemError(p, "; ".join(msgs), m.position) for p, msgs in exc.params.items())
    created = {m.key for m in metric_store.create_many(tenant, new)}
    lost_races = [m.key for m in new if m.key not in created]
    known.update({m.key: m for m in new if m.key in created})
    known.update(metric_store.get_many(tenant, lost_races) if lost_races else {})
    refused = {k: _refusal(v) for k, v in known.items() if v.type == COMPOSITE or v.deleting is not None}
    errors.extend(
        ItemError("name", f"{name} {refused[key]}", position)
        for name, key, position in zip(batch.names, keys, batch.positions, strict=True)
        if key in refused
    )
    return {k: v for k, v in known.items() if k not in refused}


def _refusal(metric: Metric) -> str:
    if metric.type == COMPOSITE:
        return "is a composite metric and takes no measurements"
    # Kept, it would go with the metric when the job deletes it: refused, a client can send it again.
    return f"is being deleted (job {metric.deleting}); send it again once the job has completed"


def _store(tenant: str, batch: MeasurementBatch, keys: list[str], known: dict[str, Metric], request_id: str) -> int:
    if not batch:
        return 0
    plain: dict[tuple[str, int], list[tuple[bytes, int, float]]] = defaultdict(list)
    summaries: dict[tuple[str, int], list[tuple[bytes, int, list[float]]]] = defaultdict(list)
    series: dict[str, dict[bytes, dict[str, str]]] = defaultdict(dict)
    last_hour: dict[str, int] = {}
    sids = map(series_id, repeat(tenant), keys, batch.tags)
    rows = zip(keys, sids, batch.tags, batch.times, batch.values, batch.summaries, strict=True)
    for key, sid, tags, t, value, summary in rows:
        series[key].setdefault(sid, tags)
        hour = t - t % HOUR
        if hour > last_hour.get(key, -1):
            last_hour[key] = hour
        if summary is None:
            assert value is not None
            plain[(key, hour)].append((sid, t - hour, value))
        else:
            count, total, lo, hi, last, stddev = summary
            row = [math.nan] * 6
            row[COUNT], row[SUM], row[MIN], row[MAX], row[LAST] = count, total, lo, hi, last
            row[SUMSQ] = sumsq_from_stddev(count, total, stddev)
            summaries[(key, hour)].append((sid, t - hour, row))
    last_day = {key: day_of(hour) for key, hour in last_hour.items()}
    slabs = [
        samples.Slab(key, hour, plain.get((key, hour), ()), summaries.get((key, hour), ()))
        for key, hour in sorted(plain.keys() | summaries.keys())
    ]
    samples.write_slabs(tenant, slabs, request_id=request_id, received_ms=clock.now_ms())
    # Series are registered once their data is stored: a failed write leaves no series without data, and
    # the client's retry (same samples, last write wins) registers them.
    created = sum(
        registry.ensure(tenant, key, known[key].created_at, members, last_day[key]) for key, members in series.items()
    )
    tokens.add_series(tenant, created)
    return len(batch)
