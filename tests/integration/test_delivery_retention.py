"""Alert delivery records expire (the Meta table's TTL attribute ``expires_at``)."""

from polymetric import clock
from polymetric.models.alert import DeliveryAttempt
from polymetric.storage import alert_state, keys
from polymetric.storage.tables import bound
from tests.conftest import Org


def _attempt(at: int, delivery: str) -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery_id=delivery, alert_id=1, service_id=1, service_type="webhook", kind="trigger", attempt=1,
        at=at, outcome="delivered",
    )  # fmt: skip


def test_delivery_attempts_and_marks_carry_an_expiry_and_expired_attempts_are_not_listed(org: Org) -> None:
    now = clock.now()
    alert_state.record_attempt(org.tenant, _attempt(now - 31 * 86400, "old"))
    alert_state.record_attempt(org.tenant, _attempt(now, "new"))
    assert [a.delivery_id for a in alert_state.attempts(org.tenant, 1)] == ["new"]
    alert_state.mark_delivered(org.tenant, "new", now)
    attempts = bound(alert_state.DeliveryItem).query(keys.deliveries_pk(org.tenant, 1))
    assert sorted(int(i.expires_at) - now for i in attempts) == [-86400, 30 * 86400]
    mark = bound(alert_state.DeliveredItem).get(*keys.delivered(org.tenant, "new"))
    assert int(mark.expires_at) - now == 15 * 86400
