"""Annotation streams and events (seed: Annotations). Other dialects record theirs here too
(CloudWisdom external events and checks, OddEye agent messages), so they show in the same streams.

1. A stream is created by its first event; names are 1-255 characters of ``A-Za-z0-9.:-_``, matched
   case-insensitively and shown as first written.
2. An event's ``rel``s are unique, and it has at most ``MAX_LINKS`` links; ``start_time`` is fixed at creation (it
   places the event in time).
3. Times are Unix seconds from 0 to ``FOREVER``, in events and in read windows: an event's start is 10 digits in
   its sort key, so a larger time (milliseconds, say) would sort and window wrongly.
4. A stream read returns at most ``MAX_EVENTS`` events, oldest first; a narrower window reads the rest. The
   ``sources`` filter applies before that cut, and a read goes through at most ``SCAN_EVENTS`` events and
   ``SCAN_PAGES`` Query pages: past either, it answers the matching events read so far, with ``truncated``.
"""

import dataclasses
import fnmatch
import re

from polymetric import clock
from polymetric.domain import jobs, room
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.annotation import (
    MAX_LINKS,
    Annotation,
    AnnotationChanges,
    AnnotationStream,
    NewAnnotation,
    StreamEvents,
    StreamPage,
)
from polymetric.models.job import Job
from polymetric.observability import logger
from polymetric.storage import annotations as store
from polymetric.storage import sequences, workflows

STREAM_RE = re.compile(r"[A-Za-z0-9.:\-_]{1,255}")
MAX_EVENTS = 1000
# What one stream read may go through to find MAX_EVENTS events of the requested sources: SCAN_EVENTS events
# (ten full pages of small events), and SCAN_PAGES Query responses of at most 1 MB each, above the ~57 pages
# that MAX_EVENTS events of the largest size take, so a read without ``sources`` never stops early. Either
# way a read stays a few seconds, far inside API Gateway's 29 s.
SCAN_EVENTS = 10 * MAX_EVENTS
SCAN_PAGES = 64
# A stream delete in the request removes at most this many events (two items each: ~400 BatchWriteItem calls);
# a bigger stream is deleted by a job on the long jobs' state machine.
EVENTS_INLINE = 5000
STREAM_DELETE = "annotations.delete"
SEQUENCE = "annotations"
FOREVER = 2**31 - 1


def check_stream_name(stream: str) -> str:
    if not STREAM_RE.fullmatch(stream):
        raise InvalidInputError.param("name", "annotation stream names are 1 to 255 characters of A-Za-z0-9.:-_")
    return stream


def check_seconds(param: str, t: int | None) -> None:
    if t is not None and not 0 <= t <= FOREVER:
        raise InvalidInputError.param(param, f"must be Unix seconds, from 0 to {FOREVER}")


def unique_links(links: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(links) > MAX_LINKS:
        raise InvalidInputError.param("links", f"at most {MAX_LINKS} links per event")
    seen: set[str] = set()
    for link in links:
        if link["rel"] in seen:
            raise InvalidInputError.param("links", f"rel {link['rel']!r} is given twice; a rel must be unique")
        seen.add(link["rel"])
    return links


def record(
    tenant: str,
    stream: str,
    title: str,
    *,
    description: str | None = None,
    source: str | None = None,
    start_time: int | None = None,
    end_time: int | None = None,
    links: list[dict[str, str]] | None = None,
) -> Annotation:
    """Store one event on ``stream`` (created on first use). ``start_time`` defaults to now."""
    check_stream_name(stream)
    if not title:
        raise InvalidInputError.param("title", "is required")
    check_seconds("start_time", start_time)
    check_seconds("end_time", end_time)
    event = Annotation(
        stream=stream,
        id=sequences.next_id(SEQUENCE),  # small integers: JavaScript clients lose digits past 2**53
        title=title[:255],
        start_time=int(start_time if start_time is not None else clock.now_float()),
        end_time=end_time,
        description=description,
        source=source,
        links=unique_links(list(links or [])),
    )
    if event.end_time is not None and event.end_time < event.start_time:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    event = dataclasses.replace(event, stream=_ensure_stream(tenant, stream))
    store.save(tenant, event)
    return event


def _ensure_stream(tenant: str, stream: str) -> str:
    """The stream's name as first written, creating the stream with this spelling if it is new."""
    found = store.get_stream(tenant, stream)
    if found is not None:
        return found.name
    most = room.MAX_ANNOTATION_STREAMS
    room.check("annotation streams", store.count_streams(tenant, most), most)
    return store.ensure_stream(tenant, stream)


def create(tenant: str, stream: str, new: NewAnnotation) -> Annotation:
    """POST /v1/annotations/:name."""
    return record(
        tenant,
        stream,
        new.title,
        description=new.description,
        source=new.source,
        start_time=new.start_time,
        end_time=new.end_time,
        links=new.links,
    )


def events(tenant: str, stream: str, start: int, end: int) -> list[Annotation]:
    return store.events(tenant, stream, start, end)


def streams(tenant: str) -> list[str]:
    return store.streams(tenant)


def _stream(tenant: str, name: str) -> AnnotationStream:
    found = store.get_stream(tenant, name)
    if found is None:
        raise NotFoundError(f"Annotation stream {name} not found")
    return found


def list_streams(tenant: str, *, name: str | None, offset: int, length: int, descending: bool) -> StreamPage:
    """GET /v1/annotations: ``name`` is a substring (or a ``*`` pattern) of the stream name."""
    everything = store.list_streams(tenant)
    found = [s for s in everything if not name or _name_matches(s.name, name)]
    if descending:
        found.reverse()
    page = found[offset : offset + length]
    return StreamPage(page, found=len(found), total=len(everything), offset=offset, length=len(page))


def _name_matches(name: str, pattern: str) -> bool:
    if "*" in pattern:
        return fnmatch.fnmatchcase(name.lower(), pattern.lower())
    return pattern.lower() in name.lower()


def read_stream(
    tenant: str, name: str, *, start: int | None, end: int | None, sources: list[str] | None
) -> StreamEvents:
    """GET /v1/annotations/:name: events whose start is in the window, of the ``sources`` patterns if given."""
    check_seconds("start_time", start)
    check_seconds("end_time", end)
    stream = _stream(tenant, name)
    start = start if start is not None else 0
    end = end if end is not None else FOREVER
    if end < start:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    found, truncated = _matching_events(tenant, name, start, end, sources)
    return StreamEvents(stream, [_shown_in(stream, e) for e in found], start, end, truncated)


def _shown_in(stream: AnnotationStream, event: Annotation) -> Annotation:
    """The event under its stream's spelling (events written before every event took it may carry another)."""
    return event if event.stream == stream.name else dataclasses.replace(event, stream=stream.name)


def _matching_events(
    tenant: str, name: str, start: int, end: int, sources: list[str] | None
) -> tuple[list[Annotation], bool]:
    """The first ``MAX_EVENTS`` events of the window from ``sources``, and whether there may be more."""
    found: list[Annotation] = []
    read = 0
    pages = store.event_pages(tenant, name, start, end, page_size=MAX_EVENTS + 1)
    for pages_read, (page, more) in enumerate(pages, start=1):
        read += len(page)
        found.extend(e for e in page if not sources or any(_source_matches(e.source, p) for p in sources))
        if len(found) > MAX_EVENTS:
            return found[:MAX_EVENTS], True
        if more and (read >= SCAN_EVENTS or pages_read >= SCAN_PAGES):
            logger.info("annotation read budget spent", stream=name, events_read=read, pages=pages_read)
            return found, True
    return found, False


def _source_matches(source: str | None, pattern: str) -> bool:
    return source is not None and fnmatch.fnmatchcase(source.lower(), pattern.lower())


def update_stream(tenant: str, name: str, display_name: str | None) -> AnnotationStream:
    """PUT /v1/annotations/:name: set the display name (the stream is created if it did not exist)."""
    check_stream_name(name)
    _ensure_stream(tenant, name)
    store.set_display_name(tenant, name, display_name)
    return _stream(tenant, name)


def delete_stream(tenant: str, name: str) -> Job | None:
    """DELETE /v1/annotations/:name: the stream and its events now (None) when it has at most ``EVENTS_INLINE``
    events, else a job (the stream stays until the job has deleted its events)."""
    stream = _stream(tenant, name)
    if store.count_stream_items(tenant, name, 2 * EVENTS_INLINE + 1) <= 2 * EVENTS_INLINE:
        store.delete_stream(tenant, name)
        return None
    job = jobs.create(tenant, STREAM_DELETE, spec={"stream": stream.name})
    workflows.start(workflows.metric_jobs_machine(), f"{tenant}-job-{job.id}", {"tenant": tenant, "job_id": job.id})
    logger.info("annotation stream delete job started", job_id=job.id, stream=stream.name)
    return job


def get(tenant: str, stream: str, event_id: int) -> Annotation:
    found = store.get(tenant, stream, event_id)
    if found is None:
        raise NotFoundError(f"Annotation {event_id} not found in stream {stream}")
    shown = store.get_stream(tenant, stream)  # the request's spelling, or an older event's, may differ from it
    return _shown_in(shown, found) if shown is not None else found


def update(tenant: str, stream: str, event_id: int, changes: AnnotationChanges) -> Annotation:
    """PUT /v1/annotations/:name/:id: title, description, end_time and links, as given."""
    event = get(tenant, stream, event_id)
    updated = dataclasses.replace(
        event,
        **{f: getattr(changes, f) for f in changes.fields if f in ("title", "description", "end_time")},
    )
    if "end_time" in changes.fields:
        check_seconds("end_time", changes.end_time)
    if "links" in changes.fields:
        updated = dataclasses.replace(updated, links=unique_links(list(changes.links)))
    if updated.end_time is not None and updated.end_time < updated.start_time:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    store.save(tenant, updated)
    return updated


def delete(tenant: str, stream: str, event_id: int) -> None:
    store.delete(tenant, get(tenant, stream, event_id))


def add_link(tenant: str, stream: str, event_id: int, link: dict[str, str]) -> dict[str, str]:
    """POST .../links: a link with a rel the event already has replaces it (rels stay unique); a new rel on an
    event that has ``MAX_LINKS`` links is refused (a replacement never adds one, so it is always allowed)."""
    event = get(tenant, stream, event_id)
    links = [existing for existing in event.links if existing["rel"] != link["rel"]]
    if len(links) >= MAX_LINKS and len(links) == len(event.links):
        raise InvalidInputError.param("links", f"at most {MAX_LINKS} links per event")
    links.append(link)
    store.save(tenant, dataclasses.replace(event, links=links))
    return link


def delete_link(tenant: str, stream: str, event_id: int, rel: str) -> None:
    event = get(tenant, stream, event_id)
    links = [existing for existing in event.links if existing["rel"] != rel]
    if len(links) == len(event.links):
        raise NotFoundError(f"Annotation {event_id} has no link {rel}")
    store.save(tenant, dataclasses.replace(event, links=links))
