"""What alert services receive (../shared/contracts/alerting.md): the AppOptics webhook payload, a Slack
message, a PagerDuty Events v2 event, and the subject and text of mail and SNS messages."""

import datetime
import json
import unicodedata
from typing import Any

from polymetric.models.alert import Notification, Violation

ALERT_VERSION = 2
SNS_SUBJECT_MAX = 99  # SNS Publish: "less than 100 characters long"


def _violation(v: Violation) -> dict[str, Any]:
    return {
        "metric": v.metric,
        "value": v.value,
        "recorded_at": v.recorded_at,
        "condition_violated": v.condition_id,
        "count": v.count,
        "begin": v.begin,
        "end": v.end,
    }


def webhook_payload(n: Notification) -> dict[str, Any]:
    """The object of the webhook's ``payload`` form field: a trigger, or a clear (``clear``: normal or manual)."""
    body: dict[str, Any] = {
        "alert": {"id": n.alert_id, "name": n.alert_name, "runbook_url": n.runbook_url, "version": ALERT_VERSION},
        "incident_key": n.incident_key,
        "account": n.account,
        "trigger_time": n.trigger_time,
    }
    if n.kind == "clear":
        body["clear"] = n.clear or "normal"
        return body
    violations: dict[str, list[dict[str, Any]]] = {}
    for v in n.violations:
        violations.setdefault(v.stream, []).append(_violation(v))
    body["conditions"] = n.conditions
    body["violations"] = violations
    return body


def webhook_json(n: Notification) -> str:
    return json.dumps(webhook_payload(n), separators=(",", ":"))


def sns_subject(n: Notification) -> str:
    """The alert's name (alerting.md), as SNS takes a Subject: no line breaks or control characters, < 100 long."""
    readable = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else c for c in n.alert_name
    )
    return " ".join(readable.split())[:SNS_SUBJECT_MAX].rstrip() or f"Alert {n.alert_id}"


def subject(n: Notification) -> str:
    if n.kind == "clear":
        return f"Alert {n.alert_name} has cleared"[:100]
    return f"Alert {n.alert_name} has triggered"[:100]


def text(n: Notification) -> str:
    """A plain-text account of the notification (mail body, Slack text)."""
    lines = [subject(n) + ("" if n.kind != "clear" else f" ({n.clear or 'normal'})") + "."]
    for v in n.violations:
        value = "no data" if v.value is None else f"{v.value:g}"
        threshold = next((c.get("threshold") for c in n.conditions if c.get("id") == v.condition_id), None)
        beyond = "" if threshold is None else f" (threshold {threshold:g})"
        lines.append(f"- {v.metric} on {v.stream}: {value}{beyond} at {v.recorded_at}")
    if n.runbook_url:
        lines.append(f"Runbook: {n.runbook_url}")
    lines.append(f"Incident: {n.incident_key}")
    return "\n".join(lines)


def slack_message(n: Notification) -> dict[str, Any]:
    color = "good" if n.kind == "clear" else "danger"
    fields = (
        [{"title": "Metric", "value": v.metric, "short": True} for v in n.violations[:1]]
        + [{"title": "Stream", "value": v.stream, "short": True} for v in n.violations[:1]]
        + [
            {"title": "Value", "value": "no data" if v.value is None else f"{v.value:g}", "short": True}
            for v in n.violations[:1]
        ]
    )
    if n.runbook_url:
        fields.append({"title": "Runbook", "value": f"<{n.runbook_url}|runbook>", "short": False})
    return {
        "text": subject(n),
        "attachments": [{"color": color, "fallback": text(n), "text": text(n), "fields": fields}],
    }


def pagerduty_event(n: Notification, routing_key: str) -> dict[str, Any]:
    """Events API v2: trigger or resolve, deduplicated on the incident key."""
    if n.kind == "clear":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": n.incident_key}
    first = n.violations[0] if n.violations else None
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": n.incident_key,
        "payload": {
            "summary": subject(n) + (f": {first.metric} on {first.stream}" if first else ""),
            "source": first.stream if first else n.alert_name,
            "severity": "critical",
            "timestamp": _iso(n.trigger_time),
            "custom_details": webhook_payload(n),
        },
        "links": [{"href": n.runbook_url, "text": "Runbook"}] if n.runbook_url else [],
    }


def _iso(t: int) -> str:
    return datetime.datetime.fromtimestamp(t, tz=datetime.UTC).isoformat().replace("+00:00", "Z")
