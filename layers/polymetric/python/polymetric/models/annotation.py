"""Annotation streams and events: things that happened, on a named stream (deploys, alerts, agent messages)."""

from dataclasses import dataclass, field

# Source name the AppOptics API groups events without a source under.
UNASSIGNED = "unassigned"
# Links one event may carry, however they come (event POST/PUT, POST .../links): 20 links of the longest
# rel, href and label keep an event item near 60 KB, well inside DynamoDB's 400 KB.
MAX_LINKS = 20


@dataclass(frozen=True)
class Annotation:
    stream: str
    id: int
    title: str
    start_time: int
    end_time: int | None = None
    description: str | None = None
    source: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AnnotationStream:
    name: str
    display_name: str | None = None


@dataclass(frozen=True)
class NewAnnotation:
    """A POSTed event, validated; ``start_time`` None means now."""

    title: str
    description: str | None = None
    source: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    links: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AnnotationChanges:
    """A PUT of an event: only the fields the request carried (``fields`` names them)."""

    fields: frozenset[str]
    title: str | None = None
    description: str | None = None
    end_time: int | None = None
    links: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StreamEvents:
    """GET /v1/annotations/:name: the stream and its events in [start, end], oldest first."""

    stream: AnnotationStream
    events: list[Annotation]
    start: int
    end: int
    truncated: bool = False


@dataclass(frozen=True)
class StreamPage:
    streams: list[AnnotationStream]
    found: int
    total: int
    offset: int
    length: int
