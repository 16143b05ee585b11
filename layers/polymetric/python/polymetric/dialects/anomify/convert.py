"""Anomify points -> store measurements: the metric name as sent, no tags, Unix seconds."""

from polymetric.models.measurement import Measurement

from .requests import FluxPoint


def to_measurements(points: list[FluxPoint]) -> list[Measurement]:
    """Points in request order; a later point for the same (metric, timestamp) replaces an earlier one."""
    last = {(p.metric.lower(), p.timestamp): p for p in points}
    return [Measurement(p.metric, {}, p.timestamp, p.value, None, {}, p.position) for p in last.values()]
