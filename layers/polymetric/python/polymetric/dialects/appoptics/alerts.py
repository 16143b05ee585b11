"""AppOptics alert and service bodies (seed: The Alert Object, Service Properties, alert status)."""

from typing import Any

from polymetric.models.alert import ABSENT, Alert, AlertState, Condition, DeliveryAttempt, Service

ALERT_VERSION = 2


def service(s: Service, *, in_clear: bool) -> dict[str, Any]:
    """A service, wherever one is shown (GET /v1/services, alerts' ``services``): ``settings`` in clear only
    ``in_clear`` (an admin token), else with their credentials masked (``Service.masked_settings``)."""
    settings = dict(s.settings) if in_clear else s.masked_settings()
    return {"id": s.id, "type": s.type, "settings": settings, "title": s.title}


def condition(c: Condition) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.id,
        "type": c.type,
        "metric_name": c.metric_name,
        "source": None,
        "threshold": c.threshold,
        "summary_function": None if c.type == ABSENT else c.summary_function,
        "duration": c.duration,
        "detect_reset": c.detect_reset,
        "tags": [{"name": t.name, "grouped": t.grouped, "values": list(t.values)} for t in c.tags],
    }
    if c.sensitivity is not None:
        body["sensitivity"] = c.sensitivity
    return body


def alert(a: Alert, services: dict[int, Service], *, in_clear: bool) -> dict[str, Any]:
    """Every key the librato client requires (name, version, description, conditions, services, id, active,
    rearm_seconds, attributes, md); services as full objects, their settings ``in_clear`` or masked."""
    return {
        "id": a.id,
        "name": a.name,
        "description": a.description,
        "conditions": [condition(c) for c in a.conditions],
        "services": [service(services[i], in_clear=in_clear) for i in a.service_ids if i in services],
        "attributes": dict(a.attributes),
        "active": a.active,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "version": ALERT_VERSION,
        "rearm_seconds": a.rearm_seconds,
        "rearm_per_signal": a.rearm_per_signal,
        "md": a.md,
    }


def _query(found: int, total: int, offset: int, length: int) -> dict[str, int]:
    return {"found": found, "length": length, "offset": offset, "total": total}


def alert_page(
    alerts: list[Alert], services: dict[int, Service], *, found: int, total: int, offset: int, in_clear: bool
) -> dict[str, Any]:
    shown = [alert(a, services, in_clear=in_clear) for a in alerts]
    return {"query": _query(found, total, offset, len(alerts)), "alerts": shown}


def service_page(services: list[Service], *, found: int, total: int, offset: int, in_clear: bool) -> dict[str, Any]:
    shown = [service(s, in_clear=in_clear) for s in services]
    return {"query": _query(found, total, offset, len(services)), "services": shown}


def delivery(d: DeliveryAttempt) -> dict[str, Any]:
    return {
        "delivery_id": d.delivery_id,
        "service_id": d.service_id,
        "service_type": d.service_type,
        "kind": d.kind,
        "attempt": d.attempt,
        "at": d.at,
        "outcome": d.outcome,
        "detail": d.detail,
    }


def status(alert_id: int, state: AlertState, deliveries: list[DeliveryAttempt] | None) -> dict[str, Any]:
    """The seed's ``{"alert": {"id"}, "status"}``, plus when it triggered or cleared, the streams beyond
    their conditions, and (admins) the latest delivery attempts."""
    body: dict[str, Any] = {"alert": {"id": alert_id}, "status": "triggered" if state.triggered else "ok"}
    if state.triggered:
        body["triggered_at"] = state.triggered_at
        body["streams"] = [{"stream": k, "since": v.since} for k, v in sorted(state.streams.items())]
    elif state.cleared_at is not None:
        body["cleared_at"] = state.cleared_at
    if deliveries is not None:
        body["deliveries"] = [delivery(d) for d in deliveries]
    return body


def status_summary(firing: list[AlertState], cleared: list[AlertState]) -> dict[str, Any]:
    return {
        "cleared": [{"cleared_at": s.cleared_at, "id": s.alert_id} for s in cleared],
        "firing": [{"id": s.alert_id, "triggered_at": s.triggered_at} for s in firing],
    }
