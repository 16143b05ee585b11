"""Record and read annotation events. Other dialects record theirs here (agent messages, external events).

The AppOptics annotations API itself is not built yet; ``record`` and ``events`` are its seam.
"""

import re
import time
import uuid

from polymetric.errors import InvalidInputError
from polymetric.models.annotation import Annotation
from polymetric.storage import annotations as store

STREAM_RE = re.compile(r"[A-Za-z0-9.:\-_]{1,255}")


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
    if not STREAM_RE.fullmatch(stream):
        raise InvalidInputError.param("name", "annotation stream names are 1 to 255 characters of A-Za-z0-9.:-_")
    if not title:
        raise InvalidInputError.param("title", "is required")
    event = Annotation(
        stream=stream,
        id=uuid.uuid4().int >> 66,  # 62-bit random id: unique without a counter item to contend on
        title=title[:255],
        start_time=int(start_time if start_time is not None else time.time()),
        end_time=end_time,
        description=description,
        source=source,
        links=links or [],
    )
    store.ensure_stream(tenant, stream)
    store.save(tenant, event)
    return event


def events(tenant: str, stream: str, start: int, end: int) -> list[Annotation]:
    return store.events(tenant, stream, start, end)


def streams(tenant: str) -> list[str]:
    return store.streams(tenant)
