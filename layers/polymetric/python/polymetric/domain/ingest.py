"""Accept measurements: create missing metrics, register new series, store samples as hot slabs."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence

from aws_lambda_powertools.metrics import MetricUnit

from polymetric import clock
from polymetric.domain import metrics as metric_rules
from polymetric.domain import token_scope
from polymetric.errors import BatchOutcome, InvalidInputError, ItemError, PartialAcceptanceError, RateLimitedError
from polymetric.models import window
from polymetric.models.hours import day_of, hour_of
from polymetric.models.measurement import Measurement
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.samples import COUNT, LAST, MAX, MIN, SUM, SUMSQ, sumsq_from_stddev
from polymetric.models.series import series_id
from polymetric.observability import logger, metrics
from polymetric.storage import metrics as metric_store
from polymetric.storage import registry, samples, tokens

RATE_LIMITED = "over this API token's measurement rate limit: retry after the reset"


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
    measurements = token_scope.apply(measurements)
    outside = _outside_window(measurements, clock.now_float())
    if outside:
        errors.extend(outside)
        refused = {e.index for e in outside}
        measurements = [m for m in measurements if m.position not in refused]
    measurements, over = token_scope.limit(measurements)
    errors.extend(ItemError("measurements", RATE_LIMITED, m.position) for m in over)
    known = _ensure_metrics(tenant, measurements, user_agent, errors)
    rejected = {e.index for e in errors}
    for m in measurements:
        if m.name.lower() not in known and m.position not in rejected:
            errors.append(
                ItemError("name", f"metric {m.name} could not be created (see the measurement before)", m.position)
            )
    rejected = {e.index for e in errors}
    keep = [m for m in measurements if m.name.lower() in known and m.position not in rejected]
    stored = _store(tenant, keep, known, request_id or uuid.uuid4().hex[:12])
    outcome = BatchOutcome(total=total, accepted=stored, failed=total - stored, errors=errors, rate_limited=len(over))
    metrics.add_metric(name="MeasurementsAccepted", unit=MetricUnit.Count, value=stored)
    if outcome.failed:
        metrics.add_metric(name="MeasurementsRejected", unit=MetricUnit.Count, value=outcome.failed)
    logger.info("measurements stored", accepted=stored, rejected=outcome.failed)
    return outcome


def _outside_window(measurements: Sequence[Measurement], now: float) -> list[ItemError]:
    """The backstop of the accepted window: readers refuse first, in their dialect's words; nothing
    the store would drop before its tier's retention ends gets past here (a grace covers clock reads
    a moment apart)."""
    times = [m.time for m in measurements]
    if not times or (
        math.isfinite(sum(times))  # min and max pass over a NaN that is not first
        and window.contains(min(times), now, grace=window.GRACE)
        and window.contains(max(times), now, grace=window.GRACE)
    ):
        return []  # the common case, two checks instead of one per measurement
    return [
        ItemError(
            "time", f"time {m.time} {window.refusal(m.time, now) or 'is outside the accepted window'}", m.position
        )
        for m in measurements
        if not window.contains(m.time, now, grace=window.GRACE)
    ]


def _ensure_metrics(
    tenant: str, measurements: Sequence[Measurement], user_agent: str | None, errors: list[ItemError]
) -> dict[str, Metric]:
    """The metrics the batch names, creating missing ones from the first measurement's properties.

    A measurement whose metric cannot take samples (a composite) or whose properties are invalid
    for a new metric is rejected on its own; ``errors`` receives it.
    """
    first: dict[str, Measurement] = {}
    for m in measurements:
        first.setdefault(m.name.lower(), m)
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
    for m in measurements:
        metric = known.get(m.name.lower())
        if metric is not None and metric.type == COMPOSITE:
            errors.append(ItemError("name", f"{m.name} is a composite metric and takes no measurements", m.position))
    return {k: v for k, v in known.items() if v.type != COMPOSITE}


def _store(tenant: str, measurements: Sequence[Measurement], known: dict[str, Metric], request_id: str) -> int:
    if not measurements:
        return 0
    plain: dict[tuple[str, int], list[tuple[bytes, int, float]]] = defaultdict(list)
    summaries: dict[tuple[str, int], list[tuple[bytes, int, list[float]]]] = defaultdict(list)
    series: dict[str, dict[bytes, dict[str, str]]] = defaultdict(dict)
    last_day: dict[str, int] = {}
    for m in measurements:
        key = m.name.lower()
        sid = series_id(tenant, key, m.tags)
        series[key].setdefault(sid, m.tags)
        hour = hour_of(m.time)
        last_day[key] = max(last_day.get(key, 0), day_of(hour))
        if m.summary is None:
            assert m.value is not None
            plain[(key, hour)].append((sid, m.time - hour, m.value))
        else:
            count, total, lo, hi, last, stddev = m.summary
            row = [math.nan] * 6
            row[COUNT], row[SUM], row[MIN], row[MAX], row[LAST] = count, total, lo, hi, last
            row[SUMSQ] = sumsq_from_stddev(count, total, stddev)
            summaries[(key, hour)].append((sid, m.time - hour, row))
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
    return len(measurements)
