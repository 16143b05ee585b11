"""Alerts, their conditions and notification services, and the evaluator's state, as the domain sees them."""

from dataclasses import dataclass, field, replace
from typing import Any

from polymetric.models.secrets import masked

ABOVE = "above"
BELOW = "below"
ABSENT = "absent"
ANOMALOUS = "anomalous"  # our extension: a seasonal baseline per stream (domain/anomaly.py)
CONDITION_TYPES = (ABOVE, BELOW, ABSENT, ANOMALOUS)
SUMMARY_FUNCTIONS = ("min", "max", "average", "sum", "count", "derivative")
DEFAULT_REARM_SECONDS = 600

WEBHOOK = "webhook"
SLACK = "slack"
PAGERDUTY = "pagerduty"
MAIL = "mail"
SNS = "sns"
SERVICE_TYPES = (WEBHOOK, SLACK, PAGERDUTY, MAIL, SNS)
# The settings (domain/alert_rules.SETTINGS) that carry no credential: mail addresses, and an SNS topic (publishing
# to it takes AWS credentials of its own). Every other setting can: a webhook's url and secret (the HMAC key of
# its signature), a Slack url, a PagerDuty service_key, and any extra key a client stored (a chat token).
PLAIN_SETTINGS: dict[str, frozenset[str]] = {MAIL: frozenset({"addresses"}), SNS: frozenset({"topic_arn"})}


@dataclass(frozen=True)
class TagSpec:
    """One tag of a condition: a name, value patterns (``*`` wildcards, OR'd) and whether matches fold together."""

    name: str
    values: tuple[str, ...] = ()
    grouped: bool = False


@dataclass(frozen=True)
class Condition:
    id: int
    type: str
    metric_name: str
    threshold: float | None = None
    summary_function: str | None = None
    duration: int | None = None
    tags: tuple[TagSpec, ...] = ()
    detect_reset: bool = False
    sensitivity: float | None = None  # anomalous only: band width in robust deviations

    @property
    def grouped(self) -> bool:
        return any(t.grouped for t in self.tags)


@dataclass(frozen=True)
class Alert:
    id: int
    name: str
    conditions: tuple[Condition, ...] = ()
    service_ids: tuple[int, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    active: bool = True
    rearm_seconds: int = DEFAULT_REARM_SECONDS
    rearm_per_signal: bool = False
    md: bool = False
    created_at: int = 0
    updated_at: int = 0
    # When the evaluator started tracking the conditions: the create, the last change of the conditions, or
    # the last reactivation. Renaming, re-describing or attaching a service does not restart it.
    tracked_since: int = 0
    # Optimistic-locking version of the stored item (None before it is stored).
    version: int | None = None

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def runbook_url(self) -> str:
        return str(self.attributes.get("runbook_url") or "")

    def with_changes(self, **changes: Any) -> "Alert":
        return replace(self, **changes)


@dataclass(frozen=True)
class Service:
    id: int
    type: str
    title: str
    settings: dict[str, str] = field(default_factory=dict)
    created_at: int = 0
    updated_at: int = 0
    version: int | None = None

    def with_changes(self, **changes: Any) -> "Service":
        return replace(self, **changes)

    def masked_settings(self) -> dict[str, str]:
        """The settings as a token that may not manage services reads them: every key, each value that can
        carry a credential masked as API tokens are (first and last four characters)."""
        plain = PLAIN_SETTINGS.get(self.type, frozenset())
        return {k: v if k in plain else masked(str(v)) for k, v in self.settings.items()}


@dataclass(frozen=True)
class StreamState:
    """One stream of a triggered alert: since when it violates and when it was last notified."""

    since: int
    notified: int = 0


@dataclass(frozen=True)
class AlertState:
    """What the evaluator knows of an alert between ticks (one item, changed only by conditional writes)."""

    alert_id: int
    triggered: bool = False
    triggered_at: int | None = None
    cleared_at: int | None = None
    notified_at: int = 0
    evaluated_at: int = 0
    incident: int = 0  # bumped at every trigger: the incident key of the notifications
    streams: dict[str, StreamState] = field(default_factory=dict)
    # Stored-item version for the conditional write; None before the first write.
    version: int | None = None


@dataclass(frozen=True)
class Violation:
    """A stream beyond a condition at a tick: what the webhook's ``violations`` lists."""

    condition_id: int
    metric: str
    stream: str
    value: float | None
    recorded_at: int
    count: int
    begin: int
    end: int


@dataclass(frozen=True)
class Notification:
    """One message for one service: a trigger or a clear of an incident (what the notifier renders)."""

    delivery_id: str
    tenant: str
    account: str
    alert_id: int
    alert_name: str
    runbook_url: str
    service_id: int
    kind: str  # "trigger" or "clear"
    incident_key: str
    trigger_time: int
    conditions: list[dict[str, Any]] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    clear: str | None = None  # "normal" or "manual" on a clear


@dataclass(frozen=True)
class DeliveryAttempt:
    """One try to deliver a notification, and how it went (readable by admins on the alert's status)."""

    delivery_id: str
    alert_id: int
    service_id: int
    service_type: str
    kind: str
    attempt: int
    at: int
    outcome: str  # "delivered", "retrying", "failed"
    detail: str = ""
