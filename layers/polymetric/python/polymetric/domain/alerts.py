"""Alert use cases: create, read, list, update, delete, service links, status and manual clear (seed: Alerts)."""

import itertools
from dataclasses import dataclass, replace
from typing import Any

from polymetric import clock
from polymetric.domain import alert_rules as rules
from polymetric.domain import notifications, room
from polymetric.domain.conflicts import retried, retrying
from polymetric.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidInputError,
    NameTakenError,
    NotFoundError,
    VersionConflictError,
)
from polymetric.models.alert import Alert, AlertState, Condition, DeliveryAttempt, Service
from polymetric.storage import alert_state
from polymetric.storage import alerts as store

RECENTLY_CLEARED_SECONDS = 86400
ORDERS = ("updated_at", "name", "id")


def _now() -> int:
    return clock.now()


class _Ids:
    """Fresh ids drawn from the organization's counter in one write, however many conditions need one."""

    def __init__(self, tenant: str, doc: dict[str, Any]) -> None:
        conditions = doc.get("conditions")
        wanted = 1 + (len(conditions) if isinstance(conditions, list | dict) else 0)
        self._tenant = tenant
        self._wanted = wanted
        self._free: list[int] = []

    def __call__(self) -> int:
        if not self._free:
            self._free = store.next_ids(self._tenant, self._wanted)
        return self._free.pop(0)


def _check_services(tenant: str, ids: list[int]) -> tuple[int, ...]:
    known = {s.id for s in store.list_services(tenant)} if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidInputError.param("services", f"no service with id {', '.join(map(str, missing))}")
    return tuple(ids)


def _check_unique(tenant: str, name: str, own_id: int | None = None) -> None:
    taken_by = store.alert_id_by_name(tenant, name)
    if taken_by is not None and taken_by != own_id:
        raise NameTakenError()


def create(tenant: str, doc: dict[str, Any]) -> Alert:
    """POST /v1/alerts: a new alert from a JSON or form body (201)."""
    name = rules.alert_name(doc.get("name"))
    rules.conditions(doc.get("conditions"), set(), itertools.count(1).__next__)  # a bad body costs no ids
    room.check("alerts", store.count_alerts(tenant, room.MAX_ALERTS), room.MAX_ALERTS)
    ids = _Ids(tenant, doc)
    alert_id = ids()  # the alert's id first, then its conditions' (one counter update for all)
    conditions = rules.conditions(doc.get("conditions"), set(), ids)
    now = _now()
    alert = Alert(
        id=alert_id,
        name=name,
        conditions=conditions,
        service_ids=_check_services(tenant, rules.service_ids(doc.get("services"))),
        attributes=rules.alert_attributes(doc.get("attributes")),
        description=_description(doc.get("description")),
        active=_flag(doc, "active", True),
        rearm_seconds=rules.rearm_seconds(doc.get("rearm_seconds")),
        rearm_per_signal=_flag(doc, "rearm_per_signal", False),
        md=_flag(doc, "md", False),
        created_at=now,
        updated_at=now,
        tracked_since=now,
    )
    _check_unique(tenant, name)
    try:
        store.create_alert(tenant, alert)
    except ConflictError:
        raise NameTakenError() from None
    return alert


def _flag(doc: dict[str, Any], key: str, default: bool) -> bool:
    value = doc.get(key)
    return default if value is None or value == "" else rules.boolean(key, value)


def _description(value: Any) -> str | None:
    return None if value is None else rules.text("description", value, 1024)


def update(tenant: str, alert_id: str, doc: dict[str, Any]) -> Alert:
    """PUT /v1/alerts/:id (204). Conditions are replaced by the body's (none given: none kept, as the seed says)."""
    current, alert = _replace(tenant, alert_id, doc)
    if not alert.active or not alert.conditions:
        # It will not be judged again: its open incident ends here, for the services that were told of it.
        _clear(tenant, current, "manual")
    return alert


@retrying  # a concurrent PUT of the same alert: read it again and apply this one after it
def _replace(tenant: str, alert_id: str, doc: dict[str, Any]) -> tuple[Alert, Alert]:
    """The alert as read, and as the PUT leaves it (stored)."""
    current = get(tenant, alert_id)
    name = rules.alert_name(rules.given("name", doc["name"])) if "name" in doc else current.name
    ids = _Ids(tenant, doc)
    changes: dict[str, Any] = {
        "name": name,
        "conditions": rules.conditions(doc.get("conditions"), {c.id for c in current.conditions}, ids),
        "updated_at": _now(),
    }
    if doc.get("services") is not None:
        changes["service_ids"] = _check_services(tenant, rules.service_ids(doc["services"]))
    if "attributes" in doc:
        changes["attributes"] = rules.alert_attributes(doc["attributes"])
    if doc.get("description") is not None:
        changes["description"] = _description(doc["description"])
    if doc.get("rearm_seconds") not in (None, ""):
        changes["rearm_seconds"] = rules.rearm_seconds(doc["rearm_seconds"])
    for key in ("active", "rearm_per_signal", "md"):
        if doc.get(key) not in (None, ""):
            changes[key] = rules.boolean(key, doc[key])
    if name.lower() != current.key:
        _check_unique(tenant, name, current.id)
    alert = current.with_changes(**changes)
    if _ids_aside(alert.conditions) != _ids_aside(current.conditions) or (alert.active and not current.active):
        alert = alert.with_changes(tracked_since=changes["updated_at"])
    try:
        store.replace_alert(tenant, current.name, alert)
    except AlreadyExistsError:  # renamed to a name another alert took since the check above
        raise NameTakenError() from None
    return current, alert


def _ids_aside(conditions: tuple[Condition, ...]) -> list[Condition]:
    """Conditions as the evaluator judges them: a PUT that repeats them without their ids changes nothing."""
    return [replace(c, id=0) for c in conditions]


def get(tenant: str, alert_id: str) -> Alert:
    """An alert by numeric id, or by exact name (the seed: "by providing the id or name")."""
    found: Alert | None = None
    if alert_id.isdigit():
        found = store.get_alert(tenant, int(alert_id))
    else:
        by_name = store.alert_id_by_name(tenant, alert_id)
        found = store.get_alert(tenant, by_name) if by_name is not None else None
    if found is None:
        raise NotFoundError(f"Alert {alert_id} not found")
    return found


@dataclass(frozen=True)
class AlertPage:
    alerts: list[Alert]
    services: dict[int, Service]
    found: int
    total: int
    offset: int
    length: int


def list_page(
    tenant: str, *, name: str | None, offset: int, length: int, orderby: str | None, descending: bool
) -> AlertPage:
    """GET /v1/alerts: ``name`` is a case-insensitive substring; an exact match comes first (clients take the
    first hit of ``?name=`` as the alert of that name)."""
    everything = store.list_alerts(tenant)
    order = orderby or "updated_at"
    if order not in ORDERS:
        raise InvalidInputError.param("orderby", f"must be one of {', '.join(ORDERS)}")
    found = [a for a in everything if not name or name.lower() in a.key]
    found.sort(key=lambda a: (getattr(a, order if order != "name" else "key"), a.id), reverse=descending)
    if name:
        found.sort(key=lambda a: a.key != name.lower())
    page = found[offset : offset + length]
    return AlertPage(page, services_of(tenant), len(found), len(everything), offset, len(page))


def services_of(tenant: str) -> dict[int, Service]:
    return {s.id: s for s in store.list_services(tenant)}


def delete(tenant: str, alert_id: str) -> None:
    alert = get(tenant, alert_id)
    _clear(tenant, alert, "manual")  # a receiver's open incident (PagerDuty) would otherwise stay open
    store.delete_alert(tenant, alert)
    alert_state.delete(tenant, alert.id)


@retrying
def add_service(tenant: str, alert_id: str, doc: dict[str, Any]) -> tuple[Alert, int]:
    """POST /v1/alerts/:id/services with ``service=<id>`` (201)."""
    alert = get(tenant, alert_id)
    if doc.get("service") in (None, ""):
        raise InvalidInputError.param("service", "is required: the id of the service to notify")
    service_id = rules.whole("service", doc["service"])
    _check_services(tenant, [service_id])
    if service_id not in alert.service_ids:
        alert = alert.with_changes(service_ids=(*alert.service_ids, service_id), updated_at=_now())
        store.replace_alert(tenant, alert.name, alert)
    return alert, service_id


@retrying
def remove_service(tenant: str, alert_id: str, service_id: str) -> None:
    alert = get(tenant, alert_id)
    if not service_id.isdigit() or int(service_id) not in alert.service_ids:
        raise NotFoundError(f"Service {service_id} is not associated with alert {alert.id}")
    kept = tuple(s for s in alert.service_ids if s != int(service_id))
    store.replace_alert(tenant, alert.name, alert.with_changes(service_ids=kept, updated_at=_now()))


@dataclass(frozen=True)
class AlertStatus:
    alert: Alert
    state: AlertState
    deliveries: list[DeliveryAttempt] | None  # admins only


def status(tenant: str, alert_id: str, *, with_deliveries: bool) -> AlertStatus:
    alert = get(tenant, alert_id)
    deliveries = alert_state.attempts(tenant, alert.id) if with_deliveries else None
    return AlertStatus(alert, alert_state.get(tenant, alert.id), deliveries)


@dataclass(frozen=True)
class StatusSummary:
    firing: list[AlertState]
    cleared: list[AlertState]


def status_summary(tenant: str) -> StatusSummary:
    """GET /v1/alerts/status: alerts triggered now, and those cleared within the last day."""
    alive = {a.id for a in store.list_alerts(tenant)}
    states = [s for s in alert_state.all_states(tenant).values() if s.alert_id in alive]
    since = _now() - RECENTLY_CLEARED_SECONDS
    return StatusSummary(
        firing=[s for s in states if s.triggered],
        cleared=[s for s in states if not s.triggered and s.cleared_at is not None and s.cleared_at >= since],
    )


def clear(tenant: str, alert_id: str) -> None:
    """POST /v1/alerts/:id/clear: a triggered alert becomes ok and its services get a "manual" clear."""
    _clear(tenant, get(tenant, alert_id), "manual")


def _clear(tenant: str, alert: Alert, reason: str) -> None:
    """End the alert's incident if it is triggered: state ok, and a clear to its services."""

    def cleared() -> tuple[AlertState, int] | None:  # an evaluator run may write the state in between
        state = alert_state.get(tenant, alert.id)
        if not state.triggered:
            return None
        now = _now()
        ok = AlertState(
            alert_id=alert.id,
            triggered=False,
            triggered_at=state.triggered_at,
            cleared_at=now,
            notified_at=state.notified_at,
            evaluated_at=state.evaluated_at,
            incident=state.incident,
            version=state.version,
        )
        if not alert_state.write(tenant, ok):
            raise VersionConflictError(f"alert {alert.id} changed while it was being cleared, retry")
        return state, now

    done = retried(cleared)
    if done is not None:
        state, now = done
        notifications.send(tenant, notifications.clears(tenant, alert, state, now, reason=reason))
