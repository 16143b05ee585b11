"""Snapshot bodies of the AppOptics API (seed: Snapshots): the request's subject and window, the response."""

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from polymetric.dialects.appoptics import fields
from polymetric.dialects.appoptics.charts import chart_type, tag_selectors
from polymetric.errors import InvalidInputError
from polymetric.models.job import Job
from polymetric.models.snapshot import DEFAULT_DURATION, Snapshot, SnapshotRequest

MAX_SOURCES = 20


def request(doc: dict[str, Any]) -> SnapshotRequest:
    """``subject.chart`` with ``id``, optional ``type``, ``tags`` and ``source`` (the seed's example; ``sources``, the
    response's list, is taken too); ``duration`` and ``end_time``."""
    subject = _subject(doc.get("subject"))
    chart = subject.get("chart") if isinstance(subject, dict) else None
    if not isinstance(chart, dict):
        raise InvalidInputError.param("subject", 'must name a chart: {"chart": {"id": 1}}')
    chart_id = fields.whole(chart, "id", minimum=1, param="subject.chart.id")
    if chart_id is None:
        raise InvalidInputError.param("subject.chart.id", "is required")
    kind = chart_type(chart, "type", "subject.chart.type")
    tags = tag_selectors(chart["tags"], "subject.chart.tags") if chart.get("tags") is not None else []
    return SnapshotRequest(
        chart_id=chart_id,
        type=kind,
        tags=tags,
        sources=_sources(chart),
        duration=fields.whole(doc, "duration", minimum=1) or DEFAULT_DURATION,
        end_time=_time(doc.get("end_time")),
    )


def _subject(value: Any) -> Any:
    """The subject object, or the JSON text of one: a form carries only strings, and the seed's parameter table
    gives ``subject`` as ``{"chart":{"id": 1, "source": "*", "type": "stacked"}}`` (``subject[chart][id]=1`` works too).
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise InvalidInputError.param(
            "subject", 'must be a JSON object naming a chart: {"chart": {"id": 1}}, or subject[chart][id]=1 in a form'
        ) from None


def _sources(chart: dict[str, Any]) -> list[str]:
    if chart.get("sources") not in (None, ""):
        found = fields.items(chart, "sources", param="subject.chart.sources") or []
        if not found or len(found) > MAX_SOURCES or not all(isinstance(v, str) and 0 < len(v) <= 255 for v in found):
            raise InvalidInputError.param(
                "subject.chart.sources", f'must be a list of 1 to {MAX_SOURCES} source patterns such as "web-*"'
            )
        return found
    source = fields.text(chart, "source", param="subject.chart.source")
    return [source] if source else ["*"]


def _time(value: Any) -> int | None:
    """Epoch seconds or an ISO 8601 time (the seed shows times as ``2016-02-20T01:18:46Z``)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInputError.param("end_time", "must be epoch seconds or an ISO 8601 time") from None
        return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())
    return fields.whole({"end_time": value}, "end_time", minimum=0)


def snapshot_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInputError.param("id", "must be a snapshot id (a whole number)")
    return int(raw)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body(s: Snapshot, job: Job, image_url: str | None, base_url: str) -> dict[str, Any]:
    chart: dict[str, Any] = {"id": s.chart_id, "sources": s.sources}
    if s.type is not None:  # None only for a snapshot stored before the chart's type was recorded
        chart["type"] = s.type
    if s.tags:
        chart["tags"] = [{k: v for k, v in dataclasses.asdict(t).items() if v is not None} for t in s.tags]
    return {
        "href": f"{base_url}/v1/snapshots/{s.id}",
        "job_href": f"{base_url}/v1/jobs/{job.id}",
        "image_href": image_url,
        "duration": s.duration,
        "end_time": _iso(s.end_time),
        "created_at": _iso(s.created_at),
        "updated_at": _iso(s.updated_at),
        "subject": {"chart": chart},
        "state": job.state.value,
    }
