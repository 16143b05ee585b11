"""Spaces, their charts and the charts' streams (seed: Spaces, Charts).

Plain dataclasses, not pydantic models: the spaces function's cold start would otherwise load pydantic for
types the dialect has already checked field by field. ``to_dict``/``chart_from_dict`` are the stored form.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ChartType = Literal["line", "stacked", "bignumber"]
CHART_TYPES: tuple[ChartType, ...] = ("line", "stacked", "bignumber")
GROUP_FUNCTIONS = ("average", "sum", "min", "max", "breakout")
SUMMARY_FUNCTIONS = ("average", "sum", "min", "max", "count", "derivative")
DOWNSAMPLE_FUNCTIONS = ("average", "sum", "min", "max", "count")
THRESHOLD_OPERATORS = (">", "<", "=")
THRESHOLD_TYPES = ("red", "yellow")


@dataclass(frozen=True)
class TagSelector:
    """One tag of a stream: value patterns (``*`` wildcards), ``grouped`` (a line per value), ``dynamic``."""

    name: str
    values: list[str] = field(default_factory=list)
    grouped: bool | None = None
    dynamic: bool | None = None


@dataclass(frozen=True)
class Stream:
    """A metric with tags, or a composite expression; the display options AppOptics keeps with it."""

    id: int
    metric: str | None = None
    composite: str | None = None
    tags: list[TagSelector] = field(default_factory=list)
    source: str | None = None  # legacy Librato source; "*" is every source
    name: str | None = None
    group_function: str | None = None
    summary_function: str | None = None
    downsample_function: str | None = None
    transform_function: str | None = None
    color: str | None = None
    units_short: str | None = None
    units_long: str | None = None
    min: float | None = None
    max: float | None = None
    period: int | None = None
    split_axis: bool | None = None
    gap_detection: bool | None = None
    position: int | None = None

    @property
    def type(self) -> str:
        return "composite" if self.composite is not None else "gauge"


@dataclass(frozen=True)
class Threshold:
    operator: str  # one of THRESHOLD_OPERATORS
    value: float
    type: str  # one of THRESHOLD_TYPES


@dataclass(frozen=True)
class Chart:
    id: int
    space_id: int
    name: str
    type: ChartType = "line"
    streams: list[Stream] = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    label: str | None = None
    related_space: int | None = None
    use_log_yaxis: bool | None = None
    use_last_value: bool | None = None
    thresholds: list[Threshold] | None = None


@dataclass(frozen=True)
class Space:
    id: int
    name: str
    chart_ids: list[int] = field(default_factory=list)
    tags: bool = False
    version: int | None = None  # optimistic lock of the stored item


@dataclass(frozen=True)
class SpacePage:
    spaces: list[Space]
    found: int
    total: int
    offset: int
    length: int


@dataclass(frozen=True)
class StreamInput:
    """A stream as a request gave it: ``id`` keeps an existing stream (and what the request left out)."""

    given: frozenset[str]  # the stream fields the request carried
    values: dict[str, Any]
    id: int | None = None


@dataclass(frozen=True)
class ChartInput:
    """A chart body; ``given`` names the fields a PUT changes."""

    given: frozenset[str]
    name: str | None = None
    type: ChartType | None = None
    streams: list[StreamInput] | None = None
    min: float | None = None
    max: float | None = None
    label: str | None = None
    related_space: int | None = None
    use_log_yaxis: bool | None = None
    use_last_value: bool | None = None
    thresholds: list[Threshold] | None = None


def to_dict(chart: Chart) -> dict[str, Any]:
    return asdict(chart)


def stream_from_dict(doc: dict[str, Any]) -> Stream:
    return Stream(**{**doc, "tags": [TagSelector(**t) for t in doc.get("tags") or []]})


def chart_from_dict(doc: dict[str, Any]) -> Chart:
    thresholds = doc.get("thresholds")
    return Chart(
        **{
            **doc,
            "streams": [stream_from_dict(s) for s in doc.get("streams") or []],
            "thresholds": [Threshold(**t) for t in thresholds] if thresholds is not None else None,
        }
    )
