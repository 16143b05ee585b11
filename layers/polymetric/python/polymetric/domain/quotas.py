"""Metric quotas: known metrics are always accepted; new ones only while the organization has room."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from polymetric.domain import ingest, tenants, token_scope
from polymetric.models.measurement import Measurement
from polymetric.storage import metrics as metric_store


@dataclass
class Admission:
    """Which measurements may be stored. ``refused`` holds the lower-cased names of new metrics over the quota."""

    quota: int | None
    admitted: list[Measurement]
    refused: set[str] = field(default_factory=set)

    def is_refused(self, name: str) -> bool:
        return name.lower() in self.refused


def admit(tenant: str, measurements: Sequence[Measurement]) -> Admission:
    """Split a batch by the organization's ``metric_quota``; new metrics take the free room in batch order."""
    quota = tenants.metric_quota(tenant)
    if quota is None:
        return Admission(None, list(measurements))
    names = list(dict.fromkeys(m.name.lower() for m in measurements))
    known = metric_store.get_many(tenant, names)
    new = [n for n in names if n not in known]
    if not new:
        return Admission(quota, list(measurements))
    room = max(0, quota - tenants.organization(tenant).counts["metrics"])  # the counter: one item read
    refused = set(new[room:])
    return Admission(quota, [m for m in measurements if m.name.lower() not in refused], refused)


def write(tenant: str, measurements: Sequence[Measurement], *, user_agent: str | None = None) -> Admission:
    """Store what the quota admits (everything when there is none); see ``ingest.write``."""
    admission = admit(tenant, measurements)
    if admission.admitted:
        token_scope.reserve(len(admission.admitted))  # the request is atomic: all of it fits the rate limit, or 429
        ingest.write(tenant, admission.admitted, user_agent=user_agent)
    return admission
