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
