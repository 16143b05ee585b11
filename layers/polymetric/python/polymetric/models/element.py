"""CloudWisdom elements: the monitored things, their metadata, metrics and samples."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ElementMetric:
    id: str
    name: str | None = None
    unit: str | None = None
    type: str | None = None  # "COUNTER" means counter semantics; anything else is a gauge
    sparse_data_strategy: str | None = None  # None when not sent (the stored strategy stays)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def is_counter(self) -> bool:
        return (self.type or "").upper() == "COUNTER"


VALUES = ("val", "min", "max", "avg", "sum", "cnt")
BEYOND = "beyond the largest magnitude stored, 10^126"  # how a refusal says so


@dataclass(frozen=True)
class ElementSample:
    metric_id: str
    time_ms: int
    val: float | None = None
    min: float | None = None
    max: float | None = None
    avg: float | None = None
    sum: float | None = None
    cnt: float | None = None

    @property
    def is_plain(self) -> bool:
        """``val`` or ``cnt`` without min/max/avg/sum: a plain value, not a summary."""
        return self.min is None and self.max is None and self.avg is None and self.sum is None

    def count_and_total(self) -> tuple[float, float, str]:
        """A summary's count and sum, and where the sum comes from when derived.

        count = cnt (1 when absent or not positive); sum = sum, else avg x count, else val x count, else
        the min/max midpoint x count. Only for samples that are not plain.
        """
        count = self.cnt if self.cnt is not None and self.cnt > 0 else 1.0
        if self.sum is not None:
            return count, self.sum, "sum"
        if self.avg is not None:
            return count, self.avg * count, "avg x cnt"
        if self.val is not None:
            return count, self.val * count, "val x cnt"
        bounds = [b for b in (self.min, self.max) if b is not None]
        origin = "(min + max) / 2 x cnt" if len(bounds) == 2 else f"{'min' if self.min is not None else 'max'} x cnt"
        return count, sum(bounds) / len(bounds) * count, origin


@dataclass(frozen=True)
class Element:
    """An element's metadata as stored: the latest non-null name/type/location, merged maps and metrics."""

    id: str
    type: str | None = None
    name: str | None = None
    location: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    relations: list[str] = field(default_factory=list)
    metrics: dict[str, ElementMetric] = field(default_factory=dict)
    # COUNTER baselines: metric id -> (time ms, raw value) of the latest raw sample seen.
    counters: dict[str, tuple[int, float]] = field(default_factory=dict)
    updated_at: int = 0


@dataclass(frozen=True)
class ElementPost:
    """One element of an ingest request and its samples."""

    element: Element
    samples: list[ElementSample]


@dataclass(frozen=True)
class ExternalEvent:
    title: str
    type: str
    time_ms: int
    source: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
