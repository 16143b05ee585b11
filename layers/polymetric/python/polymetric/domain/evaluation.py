"""The alert evaluator: once a minute, judge every active alert and move its state, notifying on changes.

1. Each metric that some condition names is read once per tick: the union of the series its
   conditions' tag filters select, over the longest window they need; every condition then picks its
   streams from that read (``Reads``). A persisted composite metric is evaluated by minute.
2. An alert holds when ALL its conditions have a stream beyond them (``query.alerting`` judges).
3. State moves by a conditional write of the alert's state item (``advance`` decides); only the run
   whose write lands queues notifications, so overlapping runs never notify twice.
4. Repeats wait ``rearm_seconds`` (per stream with ``rearm_per_signal``), and so does a new trigger
   after a clear: no two trigger notifications closer than that. When the alert stops holding its
   services get a clear. Inactive alerts are not evaluated and never notify (deactivating a
   triggered one clears it, ``domain.alerts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from polymetric import clock
from polymetric.domain import notifications
from polymetric.domain import series as reads
from polymetric.lazy import np
from polymetric.models.alert import (
    ABSENT,
    ANOMALOUS,
    Alert,
    AlertState,
    Condition,
    Notification,
    StreamState,
    Violation,
)
from polymetric.models.metric import COMPOSITE, Metric
from polymetric.models.query import MeasurementsQuery
from polymetric.models.samples import from_values
from polymetric.models.tags import TagFilter
from polymetric.observability import logger, metrics
from polymetric.query import alerting, anomaly, resample
from polymetric.storage import alert_state
from polymetric.storage import alerts as store
from polymetric.storage import metrics as metric_store

HOUR = 3600
HISTORY_SECONDS = 28 * 86400  # the hourly history an anomaly model is fitted on


def tag_filter(condition: Condition) -> TagFilter:
    return TagFilter.from_pairs((t.name, v) for t in condition.tags for v in (t.values or ("*",)))


class Reads:
    """The tick's reads of one organization: each metric once, shared by every condition that names it."""

    def __init__(self, tenant: str, alerts: Iterable[Alert], now: int) -> None:
        self.tenant = tenant
        self.now = now
        self.count = 0
        conditions: dict[str, list[Condition]] = {}
        for alert in alerts:
            for c in alert.conditions:
                conditions.setdefault(c.metric_name.lower(), []).append(c)
        self._metrics = metric_store.get_many(tenant, conditions) if conditions else {}
        # A metric's look-back follows its reporting period: the metric is read first.
        self._wanted: dict[str, tuple[list[TagFilter], int]] = {
            key: ([tag_filter(c) for c in found], max(alerting.window(c, self.period(c)) for c in found))
            for key, found in conditions.items()
        }
        self._read: dict[str, list[alerting.StreamSamples]] = {}
        self._models: dict[str, dict[str, anomaly.Model | None]] = {}
        self._anomalous = {c.metric_name.lower() for a in alerts for c in a.conditions if c.type == ANOMALOUS}
        self._absent = {c.metric_name.lower() for a in alerts for c in a.conditions if c.type == ABSENT}

    def period(self, condition: Condition) -> int:
        metric = self._metrics.get(condition.metric_name.lower())
        return (metric.period or 60) if metric is not None else 60

    def streams(self, condition: Condition) -> list[alerting.StreamSamples]:
        key = condition.metric_name.lower()
        if key not in self._read:
            self._read[key] = self._load(key)
        wanted = tag_filter(condition)
        return [s for s in self._read[key] if wanted.matches(s.tags)]

    def models(self, condition: Condition) -> dict[str, anomaly.Model | None]:
        """The anomaly model of each stream of the condition's metric, from its hourly history (read once)."""
        key = condition.metric_name.lower()
        if key not in self._models:
            self._models[key] = self._fit(key)
        return self._models[key]

    def _since(self, key: str, start: int) -> int:
        """Series that stopped reporting before the read's first day have no sample to judge, so are not
        read, unless an ``absent`` condition names the metric: it judges every stream ever seen."""
        return 0 if key in self._absent else start

    def _fit(self, key: str) -> dict[str, anomaly.Model | None]:
        metric = self._metrics.get(key)
        if metric is None or metric.type == COMPOSITE:
            return {}
        filters, _ = self._wanted[key]
        end = self.now - self.now % HOUR - 1  # closed hours only
        series = reads.select_any(self.tenant, metric, filters, self._since(key, end + 1 - HISTORY_SECONDS))
        if not series:
            return {}
        self.count += 1
        buckets, _ = reads.load_buckets(self.tenant, metric, series, end + 1 - HISTORY_SECONDS, end, HOUR)
        out: dict[str, anomaly.Model | None] = {}
        for i, sl in enumerate(resample.split(buckets.series, len(series))):
            stats = buckets.stats[sl]
            out[alerting.label(series[i].tags)] = anomaly.fit(buckets.times[sl], alerting.statistic(stats, "average"))
        return out

    def _load(self, key: str) -> list[alerting.StreamSamples]:
        metric = self._metrics.get(key)
        if metric is None:
            return []
        self.count += 1
        filters, window = self._wanted[key]
        start = self.now - window
        if metric.type == COMPOSITE:
            return self._composite(metric, start)
        series = reads.select_any(self.tenant, metric, filters, self._since(key, start))
        if not series:
            return []
        buckets, _ = reads.load_buckets(self.tenant, metric, series, start, self.now, 1)
        out = []
        for i, sl in enumerate(resample.split(buckets.series, len(series))):
            tags = series[i].tags
            out.append(alerting.StreamSamples(alerting.label(tags), tags, buckets.times[sl], buckets.stats[sl]))
        return out

    def _composite(self, metric: Metric, start: int) -> list[alerting.StreamSamples]:
        from polymetric.domain import composites  # only alerts on composite metrics need the expression engine

        q = MeasurementsQuery(name=metric.name, start=start, end=self.now, resolution=60)
        out = []
        for s in composites.measure(self.tenant, metric, q).series:
            times = np.array([p["time"] for p in s.points], dtype=np.int64)
            values = from_values(np.array([p["value"] for p in s.points], dtype=np.float64))
            out.append(alerting.StreamSamples(alerting.label(s.tags), s.tags, times, values, span=q.resolution))
        return out


@dataclass(frozen=True)
class Step:
    """What a tick does to one alert: the state to write (None: nothing changed) and what to notify."""

    state: AlertState | None
    kind: str | None = None
    violations: list[Violation] = field(default_factory=list)


def advance(alert: Alert, state: AlertState, holds: bool, violations: list[Violation], now: int) -> Step:
    """The state machine of one alert at a tick (pure)."""
    if not holds:
        if not state.triggered:
            return Step(None)
        cleared = replace(state, triggered=False, cleared_at=now, streams={}, evaluated_at=now)
        return Step(cleared, notifications.CLEAR)
    labels = sorted({v.stream for v in violations})
    if not state.triggered:
        if state.notified_at and now - state.notified_at < alert.rearm_seconds:
            return Step(None)  # re-triggered within the rearm time of the last notification: wait for it
        streams = {name: StreamState(now, now) for name in labels}
        fired = replace(
            state,
            triggered=True,
            triggered_at=now,
            notified_at=now,
            evaluated_at=now,
            incident=state.incident + 1,
            streams=streams,
        )
        return Step(fired, notifications.TRIGGER, violations)
    kept = {name: state.streams.get(name, StreamState(now, 0)) for name in labels}
    if alert.rearm_per_signal:
        due = {name for name, s in kept.items() if now - s.notified >= alert.rearm_seconds}
    else:
        due = set(labels) if now - state.notified_at >= alert.rearm_seconds else set()
    if due:
        kept = {name: StreamState(s.since, now) if name in due else s for name, s in kept.items()}
        again = replace(state, notified_at=now, evaluated_at=now, streams=kept)
        return Step(again, notifications.TRIGGER, [v for v in violations if v.stream in due])
    if kept.keys() == state.streams.keys():
        return Step(None)
    return Step(replace(state, streams=kept, evaluated_at=now))


@dataclass
class TickReport:
    tenants: int = 0
    alerts: int = 0
    reads: int = 0
    triggered: int = 0
    cleared: int = 0
    notifications: int = 0


def judge_all(
    alerts: list[Alert], states: dict[int, AlertState], data: Reads, now: int
) -> list[tuple[Alert, AlertState, Step]]:
    """Every alert's step at ``now`` from the tick's reads: the evaluation itself, without writes."""
    steps = []
    for alert in alerts:
        state = states.get(alert.id, AlertState(alert.id))
        judged = [
            alerting.judge(
                c,
                data.streams(c),
                now=now,
                since=alert.tracked_since,
                period=data.period(c),
                fresh_after=now if state.triggered else max(now - alerting.TICK_SECONDS, state.evaluated_at),
                models=data.models(c) if c.type == ANOMALOUS else None,
            )
            for c in alert.conditions
        ]
        violations = [v for found in judged for v in found]
        steps.append((alert, state, advance(alert, state, all(judged), violations, now)))
    return steps


def evaluate_tenant(tenant: str, now: int, report: TickReport | None = None) -> TickReport:
    """Judge the organization's active alerts at ``now`` and queue the notifications that follow."""
    report = report or TickReport()
    alerts = [a for a in store.list_alerts(tenant) if a.active and a.conditions]
    if not alerts:
        return report
    data = Reads(tenant, alerts, now)
    queued: list[Notification] = []
    for alert, state, step in judge_all(alerts, alert_state.all_states(tenant), data, now):
        if step.state is None or not alert_state.write(tenant, step.state):
            continue  # nothing changed, or another run moved this alert first
        if step.kind == notifications.TRIGGER:
            report.triggered += int(not state.triggered)
            queued += notifications.triggers(tenant, alert, step.state, now, step.violations)
        elif step.kind == notifications.CLEAR:
            report.cleared += 1
            queued += notifications.clears(tenant, alert, state, now, reason="normal")
    report.alerts += len(alerts)
    report.reads += data.count
    report.notifications += notifications.send(tenant, queued) if queued else 0
    return report


def tick(now: int | None = None) -> TickReport:
    """One scheduled run over every organization that has alerts."""
    now = clock.now() if now is None else now
    report = TickReport()
    for tenant in store.alert_tenants():
        report.tenants += 1
        evaluate_tenant(tenant, now, report)
    logger.info("alerts evaluated", **vars(report))
    metrics.add_metric(name="AlertsTriggered", unit="Count", value=report.triggered)
    return report
