"""A metric's metadata, as the domain sees it."""

from dataclasses import dataclass, field, replace
from typing import Any

GAUGE = "gauge"
COMPOSITE = "composite"
MAX_PAGE = 100  # metrics per page of GET /v1/metrics


@dataclass(frozen=True)
class Metric:
    name: str
    type: str = GAUGE
    display_name: str | None = None
    description: str | None = None
    period: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    composite: str | None = None
    # Creation time in ms: a metric deleted and created again gets a new one (a new "generation").
    created_at: int = 0
    # Days before this one (epoch seconds) have their hourly rollups folded into day chunks; later days are
    # read from their hour blocks (``domain.folding``).
    folded_until: int = 0
    # The job deleting the metric: its measurements are refused until the job ends (it would delete them).
    deleting: int | None = None
    # Optimistic-locking version of the stored item (None before it is stored).
    version: int | None = None

    @property
    def key(self) -> str:
        return self.name.lower()

    def with_changes(self, **changes: Any) -> "Metric":
        return replace(self, **changes)


@dataclass(frozen=True)
class MetricPage:
    """One page of a metric listing, and the counts the AppOptics ``query`` object reports."""

    metrics: list[Metric]
    found: int
    total: int
    offset: int
    length: int
