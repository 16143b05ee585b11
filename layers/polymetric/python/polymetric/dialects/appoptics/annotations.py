"""Annotation bodies of the AppOptics API (seed: Annotations), JSON or form-encoded, and their responses.

Two additions the Librato-family clients need (real-clients.md): an event carries its stream's ``name``,
and ``PUT /v1/annotations/:name`` answers the stream object.
"""

from typing import Any

from polymetric.dialects.appoptics import fields
from polymetric.errors import InvalidInputError
from polymetric.models.annotation import (
    MAX_LINKS,
    UNASSIGNED,
    Annotation,
    AnnotationChanges,
    AnnotationStream,
    NewAnnotation,
    StreamEvents,
    StreamPage,
)


def link(doc: Any, param: str = "link") -> dict[str, str]:
    """``rel`` and ``href`` required, ``label`` optional."""
    if not isinstance(doc, dict):
        raise InvalidInputError.param(param, "must be an object with rel, href and optional label")
    out = {
        "rel": fields.text(doc, "rel", required=True, param=f"{param}.rel") or "",
        "href": fields.text(doc, "href", limit=2048, required=True, param=f"{param}.href") or "",
    }
    label = fields.text(doc, "label", param=f"{param}.label")
    if label is not None:
        out["label"] = label
    return out


def links(doc: dict[str, Any]) -> list[dict[str, str]]:
    found = fields.items(doc, "links") or []
    if len(found) > MAX_LINKS:
        raise InvalidInputError.param("links", f"at most {MAX_LINKS} links per event")
    return [link(item, f"links[{i}]") for i, item in enumerate(found)]


def new_event(doc: dict[str, Any]) -> NewAnnotation:
    return NewAnnotation(
        title=fields.text(doc, "title", required=True) or "",
        description=fields.text(doc, "description", limit=4096),
        source=fields.text(doc, "source"),
        start_time=fields.whole(doc, "start_time", minimum=0),
        end_time=fields.whole(doc, "end_time", minimum=0),
        links=links(doc),
    )


def event_changes(doc: dict[str, Any]) -> AnnotationChanges:
    given = frozenset(k for k in ("title", "description", "end_time", "links") if k in doc)
    if not given:
        raise InvalidInputError(request=["Give at least one of title, description, end_time, links."])
    title = fields.text(doc, "title")
    if "title" in given and not title:
        raise InvalidInputError.param("title", "may not be empty")
    return AnnotationChanges(
        fields=given,
        title=title,
        description=fields.text(doc, "description", limit=4096),
        end_time=fields.whole(doc, "end_time", minimum=0),
        links=links(doc),
    )


def display_name(doc: dict[str, Any]) -> str | None:
    return fields.text(doc, "display_name")


def event_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise InvalidInputError.param("id", "must be an annotation event id (a whole number)")
    return int(raw)


def event(e: Annotation) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.stream,
        "title": e.title,
        "description": e.description,
        "source": e.source,
        "start_time": e.start_time,
        "end_time": e.end_time,
        "links": [dict(lk) for lk in e.links],
    }


def stream(s: AnnotationStream) -> dict[str, Any]:
    return {"name": s.name, "display_name": s.display_name}


def stream_page(page: StreamPage) -> dict[str, Any]:
    return {
        "query": {"found": page.found, "length": page.length, "offset": page.offset, "total": page.total},
        "annotations": [stream(s) for s in page.streams],
    }


def stream_events(found: StreamEvents) -> dict[str, Any]:
    """The seed's shape: ``events`` is a list holding one object of source -> events (``unassigned``)."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for e in found.events:
        by_source.setdefault(e.source or UNASSIGNED, []).append(event(e))
    body = stream(found.stream)
    body["events"] = [by_source] if by_source else []
    body["query"] = {"start_time": found.start, "end_time": found.end, "truncated": found.truncated}
    return body
