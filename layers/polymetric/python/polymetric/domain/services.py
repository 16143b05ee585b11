"""Notification service use cases (seed: Services): create, read, list, update, delete."""

from dataclasses import dataclass
from typing import Any

from polymetric import clock
from polymetric.domain import alert_rules as rules
from polymetric.domain import room
from polymetric.domain.conflicts import retrying
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.alert import Service
from polymetric.storage import alerts as store

ORDERS = ("title", "updated_at")


def create(tenant: str, doc: dict[str, Any]) -> Service:
    title = rules.title(doc.get("title"))
    kind = rules.service_type(doc.get("type"))
    settings = rules.service_settings(kind, doc.get("settings"))
    room.check("services", store.count_services(tenant, room.MAX_SERVICES), room.MAX_SERVICES)
    now = clock.now()
    service = Service(store.next_ids(tenant)[0], kind, title, settings, now, now)
    store.save_service(tenant, service)
    return service


def get(tenant: str, service_id: str) -> Service:
    found = store.get_service(tenant, int(service_id)) if service_id.isdigit() else None
    if found is None:
        raise NotFoundError(f"Service {service_id} not found")
    return found


@retrying  # a concurrent PUT of the same service: read it again and apply this one after it
def update(tenant: str, service_id: str, doc: dict[str, Any]) -> Service:
    """PUT /v1/services/:id (204): given fields change; settings merge and are checked for the (new) type."""
    current = get(tenant, service_id)
    kind = rules.service_type(doc["type"]) if doc.get("type") is not None else current.type
    settings = current.settings
    if doc.get("settings") is not None:
        if not isinstance(doc["settings"], dict):
            rules.service_settings(kind, doc["settings"])  # raises the 400 naming settings
        settings = {**settings, **doc["settings"]}
    service = current.with_changes(
        type=kind,
        title=rules.title(rules.given("title", doc["title"])) if "title" in doc else current.title,
        settings=rules.service_settings(kind, settings),
        updated_at=clock.now(),
    )
    store.save_service(tenant, service)
    return service


def delete(tenant: str, service_id: str) -> None:
    """Delete the service; the seed: "it will automatically be removed from any alert that is currently using it"."""
    service = get(tenant, service_id)
    for alert in store.list_alerts(tenant):
        if service.id in alert.service_ids:
            _unlink(tenant, alert.id, service.id)
    store.delete_service(tenant, service.id)


@retrying
def _unlink(tenant: str, alert_id: int, service_id: int) -> None:
    """The alert without the service (read again: it may have changed since it was listed)."""
    alert = store.get_alert(tenant, alert_id)
    if alert is not None and service_id in alert.service_ids:
        kept = tuple(s for s in alert.service_ids if s != service_id)
        store.replace_alert(tenant, alert.name, alert.with_changes(service_ids=kept))


@dataclass(frozen=True)
class ServicePage:
    services: list[Service]
    found: int
    total: int
    offset: int
    length: int


def list_page(tenant: str, *, offset: int, length: int, orderby: str | None, descending: bool) -> ServicePage:
    everything = store.list_services(tenant)
    order = orderby or "title"
    if order not in ORDERS:
        raise InvalidInputError.param("orderby", f"must be one of {', '.join(ORDERS)}")
    ordered = sorted(everything, key=lambda s: (s.title.lower() if order == "title" else s.updated_at, s.id))
    if descending:
        ordered.reverse()
    page = ordered[offset : offset + length]
    return ServicePage(page, len(everything), len(everything), offset, len(page))
