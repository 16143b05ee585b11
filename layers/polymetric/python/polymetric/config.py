"""Every environment variable the layer reads, in one place (names match template.yaml Globals).

No other module reads ``os.environ``; tests set variables with monkeypatch and call
``get_settings.cache_clear()``. ``Settings`` is a plain dataclass whose types and bounds pydantic checks
at the first read: defining a pydantic model here would load pydantic (about 60 ms) into every cold
start, routes that validate nothing else included (bench/cold.py).
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from annotated_types import Ge, Gt, Interval, Le


@dataclass(frozen=True)
class Settings:
    # Resource names have no defaults: a template that forgets one fails at the first request.
    META_TABLE: str
    SAMPLES_TABLE: str
    COMPACTION_QUEUE_URL: str
    NOTIFICATIONS_QUEUE_URL: str
    SNAPSHOTS_BUCKET: str
    SNAPSHOT_QUEUE_URL: str
    AWS_DEFAULT_REGION: str = "us-east-1"
    # Per API token and window: requests on any route, measurements written through any dialect (429 past them).
    RATE_LIMIT_WINDOW: Annotated[int, Ge(1)] = 60
    RATE_LIMIT_REQUESTS: Annotated[int, Ge(1)] = 10_000
    RATE_LIMIT_MEASUREMENTS: Annotated[int, Ge(1)] = 1_000_000
    # The bulk metric jobs state machine (Globals: built from the machine's fixed name).
    METRIC_JOBS_STATE_MACHINE: str | None = None
    # Seconds a container trusts its cache of registered series.
    CACHE_SECONDS: Annotated[int, Ge(0)] = 60
    # Seconds a container trusts a token it found active: how long a token deactivated, demoted or deleted
    # through another container may still work there (one consistent GetItem per token and window).
    TOKEN_CACHE_SECONDS: Annotated[int, Interval(ge=0, le=60)] = 5
    # Per-series Queries a read runs at once (a group_by over 100 series is 100 Queries).
    READ_CONCURRENCY: Annotated[int, Interval(ge=1, le=64)] = 16
    # BatchWriteItem calls a write runs at once (a 35,000-measurement POST is hundreds of batches).
    WRITE_CONCURRENCY: Annotated[int, Interval(ge=1, le=64)] = 8
    # Alert delivery: PagerDuty's Events API v2 endpoint (a test points it at a loopback receiver), the
    # sender of alert e-mail (an SES-verified identity), how long an HTTP receiver may take.
    PAGERDUTY_EVENTS_URL: str = "https://events.pagerduty.com/v2/enqueue"
    ALERTS_MAIL_FROM: str = "alerts@polymetric.invalid"
    DELIVERY_TIMEOUT_SECONDS: Annotated[float, Gt(0), Le(60)] = 10.0
    # Snapshot PNG links: presigned S3 URLs valid this long; the local runtime (make serve) sets
    # OBJECT_URL_BASE instead, because a presigned URL of in-process moto points nowhere.
    SNAPSHOT_URL_SECONDS: Annotated[int, Interval(ge=60, le=604800)] = 86400
    OBJECT_URL_BASE: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    from pydantic import TypeAdapter  # see the module docstring

    return TypeAdapter(Settings).validate_python(dict(os.environ))
