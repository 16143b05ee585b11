"""Agent checks (OddEye): points into the one store, non-OK statuses as annotation events, kinds as metadata."""

from collections.abc import Sequence

from polymetric.domain import annotations, ingest, quotas, token_scope
from polymetric.errors import PaymentRequiredError
from polymetric.models.check import CheckEvent, CheckKind
from polymetric.models.measurement import Measurement
from polymetric.storage import checks as store

STREAM = "oddeye"


def record(
    tenant: str,
    measurements: Sequence[Measurement],
    events: Sequence[CheckEvent],
    kinds: Sequence[CheckKind],
    *,
    user_agent: str | None = None,
) -> quotas.Admission:
    """Store a batch of checks. New metrics over the organization's quota are left out (``refused``); when
    that leaves nothing at all, PaymentRequiredError and nothing is stored.

    Status events go to the annotation stream ``oddeye``: title ``<metric> <status>``, the message as the
    description, the ``host`` tag as the source.
    """
    admission = quotas.admit(tenant, measurements)
    if admission.refused and not admission.admitted and not events:
        raise PaymentRequiredError("Payment Required")
    if admission.admitted:
        token_scope.reserve(len(admission.admitted))  # all of the batch fits the rate limit, or 429 and none
        ingest.write(tenant, admission.admitted, user_agent=user_agent)
    for e in events:
        annotations.record(
            tenant, STREAM, f"{e.metric} {e.status}", description=e.message, source=e.host, start_time=e.time
        )
    store.save_kinds(tenant, [k for k in kinds if not admission.is_refused(k.metric)])
    return admission
