"""Snapshots: a chart drawn to a PNG over a time window (seed: Snapshots), and what the renderer draws."""

from pydantic import BaseModel, ConfigDict

from polymetric.models.dashboard import ChartType, TagSelector, Threshold

DEFAULT_DURATION = 3600
MAX_DURATION = 31 * 86400


class SnapshotRequest(BaseModel):
    """POST /v1/snapshots, validated: the chart, its optional type and tag overrides, the window."""

    model_config = ConfigDict(frozen=True)

    chart_id: int
    type: ChartType | None = None
    tags: list[TagSelector] = []
    duration: int = DEFAULT_DURATION
    end_time: int | None = None  # None: now


class Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    job_id: int
    chart_id: int
    type: ChartType | None = None
    tags: list[TagSelector] = []
    duration: int
    end_time: int
    created_at: int
    updated_at: int
    image_key: str | None = None  # the PNG's object key once rendered


class PlotSeries(BaseModel):
    """One line (or stacked band) of a chart: what it is (``name`` and ``tags``) and values on the plot's grid."""

    model_config = ConfigDict(frozen=True)

    name: str  # the stream's display name or metric
    tags: dict[str, str] = {}  # the series' tags, or the stream's tag filters when it folds them into one line
    values: list[float | None]
    color: str | None = None
    units: str | None = None


class Plot(BaseModel):
    """Everything the renderer needs to draw a chart: pure data, no I/O."""

    model_config = ConfigDict(frozen=True)

    title: str
    type: ChartType
    start: int
    end: int
    times: list[int]  # epoch seconds, the grid every series' values sit on
    series: list[PlotSeries]
    y_label: str | None = None
    units_short: str | None = None
    y_min: float | None = None
    y_max: float | None = None
    thresholds: list[Threshold] = []
    use_last_value: bool = True
