"""Evaluator state of alerts and the record of notification deliveries (Meta table; keys in ``keys.py``).

State is one item per alert, holding the per-stream map too, so that one conditional write moves the
whole alert: two evaluator runs that overlap read the same version and only one of them may write
(and so notify). Delivery attempts are items under the alert, newest last by sort key.

Delivery records expire (the Meta table's TTL attribute ``expires_at``): attempts ``ATTEMPT_RETENTION``
(30 days) after they were made, delivered marks ``DELIVERED_RETENTION`` (15 days: past the 14 days SQS may
keep a message, so no redelivery can outlive its mark).
"""

import json

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from polymetric import clock
from polymetric.models.alert import AlertState, DeliveryAttempt, StreamState
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, translated
from polymetric.storage.tables import _MetaItem, bound

MAX_STREAMS = 1000  # per alert: keeps the item far below DynamoDB's 400 KB
DAY = 86400
ATTEMPT_RETENTION = 30 * DAY
DELIVERED_RETENTION = 15 * DAY


class AlertStateItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    alert_id = NumberAttribute()
    triggered = BooleanAttribute(default=False)
    triggered_at = NumberAttribute(null=True)
    cleared_at = NumberAttribute(null=True)
    notified_at = NumberAttribute(default=0)
    evaluated_at = NumberAttribute(default=0)
    incident = NumberAttribute(default=0)
    streams = UnicodeAttribute(default="{}")  # JSON: stream label -> [since, notified]
    # A plain number compared by hand (not a VersionAttribute): the evaluator writes the state it read
    # plus one, and an item that does not exist yet is written only if it still does not.
    revision = NumberAttribute(default=0)


class DeliveryItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    delivery_id = UnicodeAttribute()
    alert_id = NumberAttribute()
    service_id = NumberAttribute()
    service_type = UnicodeAttribute()
    kind = UnicodeAttribute()
    attempt = NumberAttribute()
    at = NumberAttribute()
    outcome = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    expires_at = NumberAttribute(null=True)  # the Meta table's TTL attribute


class DeliveredItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    at = NumberAttribute()
    expires_at = NumberAttribute(null=True)


def _to_state(item: AlertStateItem) -> AlertState:
    streams = {k: StreamState(int(v[0]), int(v[1])) for k, v in json.loads(item.streams).items()}
    return AlertState(
        alert_id=int(item.alert_id),
        triggered=bool(item.triggered),
        triggered_at=int(item.triggered_at) if item.triggered_at is not None else None,
        cleared_at=int(item.cleared_at) if item.cleared_at is not None else None,
        notified_at=int(item.notified_at),
        evaluated_at=int(item.evaluated_at),
        incident=int(item.incident),
        streams=streams,
        version=int(item.revision),
    )


def get(tenant: str, alert_id: int) -> AlertState:
    """The alert's state; a never-evaluated alert is ok (version None)."""
    pk, sk = keys.alert_state(tenant, alert_id)
    with translated("alert state read failed"):
        try:
            return _to_state(bound(AlertStateItem).get(pk, sk, consistent_read=True))
        except AlertStateItem.DoesNotExist:
            return AlertState(alert_id)


def all_states(tenant: str) -> dict[int, AlertState]:
    with translated("alert state list failed"):
        return {int(i.alert_id): _to_state(i) for i in bound(AlertStateItem).query(keys.alert_states_pk(tenant))}


def write(tenant: str, state: AlertState) -> bool:
    """Store ``state`` if the stored one is still the version it was computed from; False if another run won."""
    pk, sk = keys.alert_state(tenant, state.alert_id)
    streams = dict(sorted(state.streams.items())[:MAX_STREAMS])
    item = bound(AlertStateItem)(
        pk,
        sk,
        alert_id=state.alert_id,
        triggered=state.triggered,
        triggered_at=state.triggered_at,
        cleared_at=state.cleared_at,
        notified_at=state.notified_at,
        evaluated_at=state.evaluated_at,
        incident=state.incident,
        streams=json.dumps({k: [v.since, v.notified] for k, v in streams.items()}, separators=(",", ":")),
        revision=(state.version or 0) + 1,
    )
    condition = (
        AlertStateItem.pk.does_not_exist() if state.version is None else AlertStateItem.revision == state.version
    )
    with translated("alert state write failed"):
        try:
            item.save(condition=condition)
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
    return True


def delete(tenant: str, alert_id: int) -> None:
    pk, sk = keys.alert_state(tenant, alert_id)
    with translated("alert state delete failed"):
        bound(AlertStateItem)(pk, sk).delete()


def record_attempt(tenant: str, attempt: DeliveryAttempt) -> None:
    item = bound(DeliveryItem)(
        keys.deliveries_pk(tenant, attempt.alert_id),
        keys.delivery_sk(attempt.at * 1000 + clock.now_ms() % 1000, attempt.delivery_id, attempt.attempt),
        delivery_id=attempt.delivery_id,
        alert_id=attempt.alert_id,
        service_id=attempt.service_id,
        service_type=attempt.service_type,
        kind=attempt.kind,
        attempt=attempt.attempt,
        at=attempt.at,
        outcome=attempt.outcome,
        detail=attempt.detail[:1000],
        expires_at=attempt.at + ATTEMPT_RETENTION,
    )
    with translated("delivery record write failed"):
        item.save()


def attempts(tenant: str, alert_id: int, limit: int = 50) -> list[DeliveryAttempt]:
    """The newest ``limit`` attempts of the alert's notifications, newest first."""
    now = clock.now()
    with translated("delivery record read failed"):
        found = bound(DeliveryItem).query(keys.deliveries_pk(tenant, alert_id), scan_index_forward=False, limit=limit)
        return [
            DeliveryAttempt(
                delivery_id=i.delivery_id,
                alert_id=int(i.alert_id),
                service_id=int(i.service_id),
                service_type=i.service_type,
                kind=i.kind,
                attempt=int(i.attempt),
                at=int(i.at),
                outcome=i.outcome,
                detail=i.detail,
            )
            for i in found
            if i.expires_at is None or int(i.expires_at) > now  # DynamoDB deletes expired items within days
        ]


def mark_delivered(tenant: str, delivery_id: str, at: int) -> None:
    pk, sk = keys.delivered(tenant, delivery_id)
    with translated("delivery mark failed"):
        bound(DeliveredItem)(pk, sk, at=at, expires_at=at + DELIVERED_RETENTION).save()


def was_delivered(tenant: str, delivery_id: str) -> bool:
    pk, sk = keys.delivered(tenant, delivery_id)
    with translated("delivery mark read failed"):
        try:
            bound(DeliveredItem).get(pk, sk, consistent_read=True)
        except DeliveredItem.DoesNotExist:
            return False
    return True
