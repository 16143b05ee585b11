"""Alerts, notification services and numeric ids (PynamoDB items in the Meta table; keys in ``keys.py``).

An alert item and its name item are written in one transaction, so two alerts never share a name.
Conditions are kept as one JSON attribute: they are always read and written with their alert.
"""

import json
from dataclasses import asdict
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from polymetric.errors import AlreadyExistsError, ConflictError, VersionConflictError
from polymetric.models.alert import Alert, Condition, Service, TagSpec
from polymetric.storage import keys
from polymetric.storage.failures import failed_condition_at, save_versioned, translated
from polymetric.storage.tables import OrgItem, _MetaItem, bound, count_upto


class IdCounterItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    value = NumberAttribute(default=0)


class AlertItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    alert_id = NumberAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    conditions = UnicodeAttribute(default="[]")  # JSON list of condition objects
    services = UnicodeAttribute(default="[]")  # JSON list of service ids
    attributes = UnicodeAttribute(default="{}")  # JSON object
    active = BooleanAttribute(default=True)
    rearm_seconds = NumberAttribute()
    rearm_per_signal = BooleanAttribute(default=False)
    md = BooleanAttribute(default=False)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    tracked_since = NumberAttribute(null=True)  # absent on alerts stored before it: updated_at stands in
    version = VersionAttribute()


class AlertNameItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    alert_id = NumberAttribute()


class AlertOrgItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass


class ServiceItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    service_id = NumberAttribute()
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    settings = UnicodeAttribute(default="{}")  # JSON object of strings
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()


def next_ids(tenant: str, count: int = 1) -> list[int]:
    """``count`` fresh numeric ids of the organization (one atomic counter for alerts, conditions, services)."""
    if count <= 0:
        return []
    pk, sk = keys.id_counter(tenant)
    item = bound(IdCounterItem)(pk, sk)
    with translated("id sequence update failed"):
        item.update(actions=[IdCounterItem.value.add(count)])
    last = int(item.value)
    return list(range(last - count + 1, last + 1))


def _condition_doc(c: Condition) -> dict[str, Any]:
    doc = asdict(c)
    doc["tags"] = [asdict(t) for t in c.tags]
    return doc


def _condition(doc: dict[str, Any]) -> Condition:
    tags = tuple(TagSpec(t["name"], tuple(t.get("values", ())), bool(t.get("grouped"))) for t in doc.get("tags", []))
    return Condition(**{**doc, "tags": tags})


def _to_alert(item: AlertItem) -> Alert:
    return Alert(
        id=int(item.alert_id),
        name=item.name,
        description=item.description,
        conditions=tuple(_condition(c) for c in json.loads(item.conditions)),
        service_ids=tuple(int(s) for s in json.loads(item.services)),
        attributes=json.loads(item.attributes),
        active=bool(item.active),
        rearm_seconds=int(item.rearm_seconds),
        rearm_per_signal=bool(item.rearm_per_signal),
        md=bool(item.md),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        tracked_since=int(item.updated_at if item.tracked_since is None else item.tracked_since),
        version=item.version,
    )


def _to_item(tenant: str, alert: Alert) -> AlertItem:
    pk, sk = keys.alert(tenant, alert.id)
    item = bound(AlertItem)(
        pk,
        sk,
        alert_id=alert.id,
        name=alert.name,
        description=alert.description,
        conditions=json.dumps([_condition_doc(c) for c in alert.conditions]),
        services=json.dumps(list(alert.service_ids)),
        attributes=json.dumps(alert.attributes),
        active=alert.active,
        rearm_seconds=alert.rearm_seconds,
        rearm_per_signal=alert.rearm_per_signal,
        md=alert.md,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        tracked_since=alert.tracked_since,
    )
    if alert.version is not None:
        item.version = alert.version
    return item


def _name_item(tenant: str, alert: Alert) -> AlertNameItem:
    pk, sk = keys.alert_name(tenant, alert.key)
    return bound(AlertNameItem)(pk, sk, alert_id=alert.id)


def _connection() -> Any:
    return bound(AlertItem)._get_connection().connection


def create_alert(tenant: str, alert: Alert) -> None:
    """Store a new alert; ConflictError when its name is taken."""
    org_pk, org_sk = keys.alert_org(tenant)
    with translated("alert create failed"):
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_name_item(tenant, alert), condition=AlertNameItem.pk.does_not_exist())
                tx.save(_to_item(tenant, alert), condition=AlertItem.pk.does_not_exist())
                tx.save(bound(AlertOrgItem)(org_pk, org_sk))
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" in str(exc.cancellation_reasons or exc):
                raise ConflictError(f"an alert named {alert.name} already exists") from exc
            raise


def replace_alert(tenant: str, old_name: str, alert: Alert) -> None:
    """Overwrite the alert read as ``alert.version`` (and move its name item when renamed):
    VersionConflictError when that version moved on meanwhile, AlreadyExistsError when the new name is taken."""
    renamed = old_name.lower() != alert.key
    with translated("alert update failed"):
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(_to_item(tenant, alert))  # conditioned on the version read
                if renamed:
                    tx.save(_name_item(tenant, alert), condition=AlertNameItem.pk.does_not_exist())
                    pk, sk = keys.alert_name(tenant, old_name.lower())
                    tx.delete(bound(AlertNameItem)(pk, sk))
        except TransactWriteError as exc:
            # PynamoDB sends deletes before puts: [old name, alert, new name] when renamed, else [alert].
            # The version first: read again, the name may be free by then (or taken: the domain's check says).
            if failed_condition_at(exc, 1 if renamed else 0):
                raise VersionConflictError(f"alert {alert.name} changed while it was being updated, retry") from exc
            if renamed and failed_condition_at(exc, 2):
                raise AlreadyExistsError(f"an alert named {alert.name} already exists") from exc
            raise


def alert_id_by_name(tenant: str, name: str) -> int | None:
    """The id of the alert named ``name`` (case-insensitive), from its name item."""
    pk, sk = keys.alert_name(tenant, name.lower())
    with translated("alert name read failed"):
        try:
            return int(bound(AlertNameItem).get(pk, sk, consistent_read=True).alert_id)
        except AlertNameItem.DoesNotExist:
            return None


def get_alert(tenant: str, alert_id: int) -> Alert | None:
    pk, sk = keys.alert(tenant, alert_id)
    with translated("alert read failed"):
        try:
            return _to_alert(bound(AlertItem).get(pk, sk, consistent_read=True))
        except AlertItem.DoesNotExist:
            return None


def list_alerts(tenant: str) -> list[Alert]:
    """Every alert of the organization, by id."""
    with translated("alert list failed"):
        return [_to_alert(i) for i in bound(AlertItem).query(keys.alerts_pk(tenant))]


def count_alerts(tenant: str, limit: int) -> int:
    return count_upto(AlertItem, keys.alerts_pk(tenant), limit, "alert")


def count_services(tenant: str, limit: int) -> int:
    return count_upto(ServiceItem, keys.services_pk(tenant), limit, "service")


def delete_alert(tenant: str, alert: Alert) -> None:
    pk, sk = keys.alert(tenant, alert.id)
    name_pk, name_sk = keys.alert_name(tenant, alert.key)
    with translated("alert delete failed"), TransactWrite(connection=_connection()) as tx:
        tx.delete(bound(AlertItem)(pk, sk), add_version_condition=False)
        tx.delete(bound(AlertNameItem)(name_pk, name_sk))


def alert_tenants() -> list[str]:
    """Organizations that ever had an alert (the evaluator's work list)."""
    with translated("alert organization list failed"):
        return [i.sk for i in bound(AlertOrgItem).query(keys.ALERT_ORGS_PK)]


def _to_service(item: ServiceItem) -> Service:
    return Service(
        id=int(item.service_id),
        type=item.type,
        title=item.title,
        settings=json.loads(item.settings),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        version=item.version,
    )


def save_service(tenant: str, service: Service) -> None:
    """Create (``version`` None) or overwrite the service read as ``service.version``."""
    pk, sk = keys.service(tenant, service.id)
    item = bound(ServiceItem)(
        pk,
        sk,
        service_id=service.id,
        type=service.type,
        title=service.title,
        settings=json.dumps(service.settings),
        created_at=service.created_at,
        updated_at=service.updated_at,
    )
    if service.version is not None:
        item.version = service.version
    save_versioned(item, "service write failed", f"service {service.id} changed while it was being updated, retry")


def get_service(tenant: str, service_id: int) -> Service | None:
    pk, sk = keys.service(tenant, service_id)
    with translated("service read failed"):
        try:
            return _to_service(bound(ServiceItem).get(pk, sk, consistent_read=True))
        except ServiceItem.DoesNotExist:
            return None


def list_services(tenant: str) -> list[Service]:
    with translated("service list failed"):
        return [_to_service(i) for i in bound(ServiceItem).query(keys.services_pk(tenant))]


def delete_service(tenant: str, service_id: int) -> None:
    pk, sk = keys.service(tenant, service_id)
    with translated("service delete failed"):
        bound(ServiceItem)(pk, sk).delete(add_version_condition=False)


def org_name(tenant: str) -> str:
    """The organization's display name (the ``account`` of notifications); the tenant id when unnamed."""
    pk, sk = keys.org(tenant)
    with translated("organization read failed"):
        try:
            return str(bound(OrgItem).get(pk, sk).name)
        except OrgItem.DoesNotExist:
            return tenant
