"""Notifications of an alert's incidents: one message per (incident, kind, service), queued for the notifier."""

from polymetric.models.alert import Alert, AlertState, Notification, Violation
from polymetric.observability import logger, metrics
from polymetric.storage import alerts as store
from polymetric.storage import notifications as queue

TRIGGER = "trigger"
CLEAR = "clear"


def incident_key(tenant: str, alert: Alert, state: AlertState) -> str:
    """Stable for one incident (trigger and its clear), new for the next: the PagerDuty dedup key too."""
    return f"polymetric-{tenant}-{alert.id}-{state.incident}"


def _conditions(alert: Alert) -> list[dict[str, object]]:
    return [{"id": c.id, "type": c.type, "threshold": c.threshold, "duration": c.duration} for c in alert.conditions]


def _build(
    tenant: str, alert: Alert, state: AlertState, kind: str, at: int, violations: list[Violation], reason: str | None
) -> list[Notification]:
    account = store.org_name(tenant)
    key = incident_key(tenant, alert, state)
    # The same (incident, kind, time) is one delivery id whoever computes it, so a redelivered or
    # re-sent message never reaches a receiver twice.
    return [
        Notification(
            delivery_id=f"{key}-{kind}-{at}-{service_id}",
            tenant=tenant,
            account=account,
            alert_id=alert.id,
            alert_name=alert.name,
            runbook_url=alert.runbook_url,
            service_id=service_id,
            kind=kind,
            incident_key=key,
            trigger_time=at if kind == TRIGGER else (state.triggered_at or at),
            conditions=_conditions(alert),
            violations=violations,
            clear=reason,
        )
        for service_id in alert.service_ids
    ]


def triggers(tenant: str, alert: Alert, state: AlertState, at: int, violations: list[Violation]) -> list[Notification]:
    return _build(tenant, alert, state, TRIGGER, at, violations, None)


def clears(tenant: str, alert: Alert, state: AlertState, at: int, *, reason: str) -> list[Notification]:
    """``reason``: "normal" (the conditions stopped holding) or "manual" (POST /v1/alerts/:id/clear)."""
    return _build(tenant, alert, state, CLEAR, at, [], reason)


def send(tenant: str, notifications: list[Notification]) -> int:
    sent = queue.enqueue(notifications)
    if sent:
        logger.info("notifications queued", tenant=tenant, count=sent, kind=notifications[0].kind)
        metrics.add_metric(name="AlertNotificationsQueued", unit="Count", value=sent)
    return sent
