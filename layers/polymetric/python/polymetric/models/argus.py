"""Argus metrics v1: descriptors (the schema of a metric) and records as submitted."""

from dataclasses import dataclass, field

MAX_WINDOW = 10_000  # records a search, or buckets an aggregation, may return (Elasticsearch's result window)
UNIT_MS = {"milliseconds": 1, "seconds": 1000, "minutes": 60_000, "hours": 3_600_000, "days": 86_400_000}


@dataclass(frozen=True)
class DescriptorKey:
    name: str
    type: str = "string"  # ip | hostName | integer | string | uuid
    description: str = ""
    language: str = "english"
    translator: str = "none"


@dataclass(frozen=True)
class DescriptorValue:
    name: str
    description: str = ""
    unit: str = "count"
    default_aggregation_function: str = "sum"
    default_weight_by_value: str | None = None


@dataclass(frozen=True)
class Descriptor:
    id: str
    short_name: str
    description: str
    admin_function: str
    read_function: str
    write_function: str
    keys: tuple[DescriptorKey, ...]
    values: tuple[DescriptorValue, ...]
    name: str | None = None
    deduplication_function: str = "none"  # none | first | last
    time_frame_size: int = 0
    time_frame_size_unit: str = "milliseconds"
    category: str = "OTHER"
    customer: str | None = None
    domain: str | None = None
    global_descriptor: bool = False
    keep_audit_data: bool = True
    keep_backup: bool = True
    use_separate_index: bool = False
    localized_names: dict[str, str] = field(default_factory=dict)
    localized_descriptions: dict[str, str] = field(default_factory=dict)
    created_ms: int = 0
    updated_ms: int = 0

    @property
    def frame_ms(self) -> int:
        return self.time_frame_size * UNIT_MS.get(self.time_frame_size_unit, 1)

    def key(self, name: str) -> DescriptorKey | None:
        return next((k for k in self.keys if k.name == name), None)

    def value(self, name: str) -> DescriptorValue | None:
        return next((v for v in self.values if v.name == name), None)


@dataclass(frozen=True)
class MetricRecord:
    """One record as submitted (timestamp normalised to the descriptor's time frame)."""

    id: str
    timestamp_ms: int
    submitted_ms: int
    customer: str
    keys: dict[str, str]
    values: dict[str, int]
    submitted_by: str = ""


# --- requests: descriptor listing, record submission, search and aggregation ---------------------------


@dataclass(frozen=True)
class DescriptorQuery:
    limit: int = 25
    offset: int = 0
    keywords: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordDraft:
    index: int
    timestamp_ms: int
    keys: dict[str, str]
    values: dict[str, int]
    customer: str | None


@dataclass(frozen=True)
class Submission:
    valid: list[RecordDraft]
    errors: dict[int, list[str]]  # submission index -> messages
    params: dict[str, list[str]]  # field path -> messages (the 412 body)
    values: dict[str, str]
    ignore_on_failed: bool


@dataclass(frozen=True)
class KeyInterval:
    name: str
    values: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    gt: str | None = None
    gte: str | None = None
    lt: str | None = None
    lte: str | None = None


@dataclass(frozen=True)
class Criterion:
    customers: tuple[str, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)
    intervals: tuple[KeyInterval, ...] = ()
    required: bool = False
    exclude: bool = False


@dataclass(frozen=True)
class MetricSearch:
    start_ms: int
    end_ms: int
    criterion: Criterion
    sub_criteria: tuple[Criterion, ...] = ()
    limit: int = 25
    offset: int = 0
    sort_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValueSpec:
    name: str
    function: str
    weight: str | None = None


@dataclass(frozen=True)
class GroupBy:
    key: str
    limit: int = 10


@dataclass(frozen=True)
class MetricAggregation:
    search: MetricSearch
    values: tuple[ValueSpec, ...]
    group_by: tuple[GroupBy, ...] = ()
    include_others: bool = True
    resolution_ms: int = 0
    calendar_interval: str | None = None


@dataclass(frozen=True)
class Aggregate:
    """One bucket of an aggregation: its groupBy key values, time, and the aggregated values."""

    keys: tuple[tuple[str, str], ...]
    timestamp_ms: int
    values: tuple[tuple[str, float | int | None], ...]
    customer: str | None = None
