"""CloudWisdom ingest: elements (metadata + samples), external events, heartbeats.

- Samples go to the one store as ``<element id>.<metric id>`` (``cloudwisdom_samples.py``); a COUNTER
  increase beyond 10^126 (from a negative baseline) refuses the request before anything is stored.
- Element metadata is merged into what is stored: non-null name/type/location replace, attributes,
  tags and metrics merge (later wins), relations accumulate.
- External events become annotation events on the stream ``cloudwisdom.<type>`` (``cloudwisdom.info``,
  ``cloudwisdom.external_info``); events without ``data.elementId`` are discarded, as the real service does,
  and so are events without ``title`` (the dialect drops both before validating the timestamp).
- Heartbeats (``POST /check/...``): a check heartbeating again after its TTL ran out records an annotation
  on ``cloudwisdom.checks`` spanning the silence; ``overdue`` lists the checks silent right now.
"""

import re
from collections import defaultdict
from dataclasses import replace

from polymetric import clock
from polymetric.domain import annotations, cloudwisdom_samples, ingest, sparse, token_scope
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.element import BEYOND, Element, ElementMetric, ElementPost, ExternalEvent
from polymetric.models.measurement import HUGE, Measurement
from polymetric.models.sparse import Observation
from polymetric.storage import cloudwisdom as store
from polymetric.storage.cloudwisdom import Heartbeat

HEARTBEAT_STREAM = "cloudwisdom.checks"  # the stream missed heartbeats are reported on


def merge(current: Element | None, new: Element) -> Element:
    if current is None:
        return new
    metrics = dict(current.metrics)
    for mid, m in new.metrics.items():
        old = metrics.get(mid)
        metrics[mid] = m if old is None else _merge_metric(old, m)
    return replace(
        current,
        id=new.id,
        type=new.type or current.type,
        name=new.name if new.name is not None else current.name,
        location=new.location if new.location is not None else current.location,
        attributes={**current.attributes, **new.attributes},
        tags={**current.tags, **new.tags},
        relations=list(dict.fromkeys([*current.relations, *new.relations])),
        metrics=metrics,
    )


def _merge_metric(old: ElementMetric, new: ElementMetric) -> ElementMetric:
    return ElementMetric(
        id=new.id,
        name=new.name if new.name is not None else old.name,
        unit=new.unit if new.unit is not None else old.unit,
        type=new.type if new.type is not None else old.type,
        sparse_data_strategy=new.sparse_data_strategy or old.sparse_data_strategy,
        tags={**old.tags, **new.tags},
    )


def ingest_elements(tenant: str, posts: list[ElementPost], *, user_agent: str | None = None) -> int:
    """Store the samples and metadata of validated elements; returns the number of elements received."""
    now_ms = clock.now_ms()
    stored = store.get_many(tenant, [p.element.id for p in posts])
    merged: dict[str, Element] = {}
    measurements: list[Measurement] = []
    strategies: dict[str, str | None] = {}
    huge: list[str] = []  # COUNTER increases beyond the bound (each raw value is within it)
    for post in posts:
        key = post.element.id.lower()
        element = merge(merged.get(key) or stored.get(key), post.element)
        implicit = {s.metric_id: ElementMetric(s.metric_id) for s in post.samples if s.metric_id not in element.metrics}
        element = replace(element, metrics={**element.metrics, **implicit})
        counters = dict(element.counters)
        for sample in sorted(post.samples, key=lambda s: s.time_ms):
            metric = element.metrics[sample.metric_id]
            carried = sample
            if metric.is_counter:
                increase, baseline = cloudwisdom_samples.counter_increase(counters.get(sample.metric_id), sample)
                if baseline is not None:
                    counters[sample.metric_id] = baseline
                if increase is None:
                    continue
                carried = increase
            name = f"{element.id}.{sample.metric_id}"
            if carried.val is not None and abs(carried.val) > HUGE:
                huge.append(f"Counter '{name}' would increase by {carried.val:g}, {BEYOND}.")
            tags = cloudwisdom_samples.series_tags(element, metric)
            measurements.append(cloudwisdom_samples.measurement(name, tags, carried, len(measurements)))
        for mid, m in post.element.metrics.items():
            strategies[f"{element.id}.{mid}"] = m.sparse_data_strategy
        merged[key] = replace(element, counters=counters, updated_at=now_ms)
    if huge:
        raise InvalidInputError(request=huge)  # before anything is stored
    if measurements:
        token_scope.reserve(len(measurements))  # all of the request fits the rate limit, or 429 and none
        outcome = ingest.write(tenant, measurements, user_agent=user_agent)
        if outcome.errors:
            raise InvalidInputError(request=[e.reason for e in outcome.errors])
    store.save_many(tenant, merged.values())
    observations: dict[str, list[Observation]] = defaultdict(list)
    for stored_m in measurements:
        observations[stored_m.name].append(cloudwisdom_samples.observation(stored_m))
    sparse.remember(tenant, strategies, observations)
    return len(posts)


def element(tenant: str, element_id: str) -> Element | None:
    """The stored metadata of one element (id matched case-insensitively, after sanitising)."""
    return store.get_many(tenant, [element_id]).get(element_id.lower())


# GET /v1/elements reads the organization's elements to filter and count them (each holds its metrics and counter
# baselines, a few KB): past this many it would outgrow a request, so it is refused instead.
ELEMENTS_LIST_LIMIT = 10_000


def elements(tenant: str) -> list[Element]:
    found = store.list_all(tenant, limit=ELEMENTS_LIST_LIMIT)
    if len(found) > ELEMENTS_LIST_LIMIT:
        raise InvalidInputError(
            request=[
                f"This organization has more than {ELEMENTS_LIST_LIMIT} elements: too many to list in one request."
            ]
        )
    return found


def element_or_404(tenant: str, asked: str, element_id: str) -> Element:
    """The element stored as ``element_id`` (``asked`` sanitised); nothing left of it names none."""
    found = element(tenant, element_id) if element_id else None
    if found is None:
        raise NotFoundError(f"Element {asked} not found")
    return found


def element_page(
    tenant: str, *, name: str | None, offset: int, length: int, descending: bool
) -> tuple[list[Element], int]:
    """Elements whose id or name contains ``name``, ordered by id; and how many matched."""
    matching = [
        e
        for e in elements(tenant)
        if not name or name.lower() in e.id.lower() or name.lower() in (e.name or "").lower()
    ]
    matching.sort(key=lambda e: e.id.lower(), reverse=descending)
    return matching[offset : offset + length], len(matching)


def stream_of(event_type: str) -> str:
    return "cloudwisdom." + (re.sub(r"[^A-Za-z0-9.:\-_]", "_", event_type.lower())[:200] or "info")


def record_events(tenant: str, events: list[ExternalEvent | None]) -> int:
    """Record events as annotations; returns how many were received (discarded ones included)."""
    for e in events:
        if e is None:
            continue
        level = e.data.get("level")
        message = e.data.get("message")
        description = f"[{level}] {message}" if level and message else (message or level)
        annotations.record(
            tenant,
            stream_of(e.type),
            e.title,
            description=description,
            source=e.source or e.data.get("elementId"),
            start_time=e.time_ms // 1000,
        )
    return len(events)


def heartbeat(tenant: str, name: str, element_fqn: str, ttl_seconds: int) -> None:
    """Record a check's heartbeat. One after the previous TTL ran out records the missed interval as an
    annotation on ``cloudwisdom.checks`` (or, if the sweep already reported the miss, its recovery)."""
    now = clock.now()
    previous = store.record_heartbeat(tenant, name, element_fqn, ttl_seconds, now)
    if previous is None:
        return
    last_seen, ttl = previous.last_seen, previous.ttl_seconds
    if now <= last_seen + ttl:
        return
    description = f"no heartbeat for {now - last_seen} s (TTL {ttl} s)"
    if previous.reported:  # the sweep already recorded the miss when the TTL ran out
        annotations.record(
            tenant,
            HEARTBEAT_STREAM,
            f"check {name} on {element_fqn} recovered",
            description=description,
            source=element_fqn,
            start_time=now,
        )
        return
    annotations.record(
        tenant,
        HEARTBEAT_STREAM,
        f"check {name} on {element_fqn} missed its TTL",
        description=description,
        source=element_fqn,
        start_time=last_seen + ttl,
        end_time=now,
    )


def sweep(now: int | None = None) -> int:
    """Report every check whose TTL ran out without a new heartbeat (the schedule runs this each minute)."""
    at = clock.now() if now is None else now
    reported = 0
    for due in store.due_heartbeats(at):
        annotations.record(
            due.tenant,
            HEARTBEAT_STREAM,
            f"check {due.name} on {due.element_fqn} missed its TTL",
            description=f"no heartbeat since {due.last_seen} (TTL {due.ttl_seconds} s)",
            source=due.element_fqn,
            start_time=due.deadline,
        )
        store.forget_due(due)
        reported += 1
    return reported


def overdue(tenant: str, now: int | None = None) -> list[Heartbeat]:
    """The last heartbeat of every check whose TTL has run out since."""
    at = clock.now() if now is None else now
    return [h for h in store.heartbeats(tenant) if at > h.last_seen + h.ttl_seconds]
