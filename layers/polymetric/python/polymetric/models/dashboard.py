"""Spaces, their charts and the charts' streams (seed: Spaces, Charts)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

ChartType = Literal["line", "stacked", "bignumber"]
CHART_TYPES: tuple[ChartType, ...] = ("line", "stacked", "bignumber")
GROUP_FUNCTIONS = ("average", "sum", "min", "max", "breakout")
SUMMARY_FUNCTIONS = ("average", "sum", "min", "max", "count", "derivative")
DOWNSAMPLE_FUNCTIONS = ("average", "sum", "min", "max", "count")


class TagSelector(BaseModel):
    """One tag of a stream: value patterns (``*`` wildcards), ``grouped`` (a line per value), ``dynamic``."""

    model_config = ConfigDict(frozen=True)

    name: str
    values: list[str] = []
    grouped: bool | None = None
    dynamic: bool | None = None


class Stream(BaseModel):
    """A metric with tags, or a composite expression; the display options AppOptics keeps with it."""

    model_config = ConfigDict(frozen=True)

    id: int
    metric: str | None = None
    composite: str | None = None
    tags: list[TagSelector] = []
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


class Threshold(BaseModel):
    model_config = ConfigDict(frozen=True)

    operator: Literal[">", "<", "="]
    value: float
    type: Literal["red", "yellow"]


class Chart(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    space_id: int
    name: str
    type: ChartType = "line"
    streams: list[Stream] = []
    min: float | None = None
    max: float | None = None
    label: str | None = None
    related_space: int | None = None
    use_log_yaxis: bool | None = None
    use_last_value: bool | None = None
    thresholds: list[Threshold] | None = None


class Space(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    chart_ids: list[int] = []
    tags: bool = False
    version: int | None = None  # optimistic lock of the stored item


class SpacePage(BaseModel):
    spaces: list[Space]
    found: int
    total: int
    offset: int
    length: int


class StreamInput(BaseModel):
    """A stream as a request gave it: ``id`` keeps an existing stream (and what the request left out)."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    given: frozenset[str]  # the stream fields the request carried
    values: dict[str, object]


class ChartInput(BaseModel):
    """A chart body; ``given`` names the fields a PUT changes."""

    model_config = ConfigDict(frozen=True)

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
