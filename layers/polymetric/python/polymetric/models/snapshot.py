"""Snapshots: a chart drawn to a PNG over a time window (seed: Snapshots), and what the renderer draws.

Frozen dataclasses, not pydantic models (as in ``models.dashboard``): the snapshots function's cold start would
otherwise load pydantic for records the dialect has already checked field by field.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from polymetric.models.dashboard import ChartType, TagSelector, Threshold

DEFAULT_DURATION = 3600
MAX_DURATION = 31 * 86400


@dataclass(frozen=True)
class SnapshotRequest:
    """POST /v1/snapshots, validated: the chart, its optional type and tag overrides, the window."""

    chart_id: int
    type: ChartType | None = None
    tags: list[TagSelector] = field(default_factory=list)
    sources: list[str] = field(default_factory=lambda: ["*"])  # legacy Librato source patterns; "*" is every one
    duration: int = DEFAULT_DURATION
    end_time: int | None = None  # None: now


@dataclass(frozen=True)
class Snapshot:
    id: int
    job_id: int
    chart_id: int
    duration: int
    end_time: int
    created_at: int
    updated_at: int
    type: ChartType | None = None  # the request's, else the chart's when the snapshot was taken
    tags: list[TagSelector] = field(default_factory=list)
    sources: list[str] = field(default_factory=lambda: ["*"])
    image_key: str | None = None  # the PNG's object key once rendered


def snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    """The stored form."""
    return dataclasses.asdict(snapshot)


def snapshot_from_dict(doc: dict[str, Any]) -> Snapshot:
    return Snapshot(**{**doc, "tags": [TagSelector(**t) for t in doc.get("tags") or []]})


@dataclass(frozen=True)
class PlotSeries:
    """One line (or stacked band) of a chart: what it is (``name`` and ``tags``) and values on the plot's grid."""

    name: str  # the stream's display name or metric
    values: list[float | None]
    tags: dict[str, str] = field(default_factory=dict)  # the series' tags, or the stream's folded tag filters
    color: str | None = None
    units: str | None = None


@dataclass(frozen=True)
class Plot:
    """Everything the renderer needs to draw a chart: pure data, no I/O."""

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
    log_y: bool = False  # the chart's use_log_yaxis: a logarithmic y axis
    thresholds: list[Threshold] = field(default_factory=list)
    use_last_value: bool = True
