"""Every environment variable the layer reads, in one place (names match template.yaml Globals).

No other module reads ``os.environ``; tests set variables with monkeypatch and call
``get_settings.cache_clear()``.
"""

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    # Resource names have no defaults: a template that forgets one fails at cold start.
    META_TABLE: str
    SAMPLES_TABLE: str
    COMPACTION_QUEUE_URL: str
    NOTIFICATIONS_QUEUE_URL: str
    SNAPSHOTS_BUCKET: str
    SNAPSHOT_QUEUE_URL: str
    AWS_DEFAULT_REGION: str = "us-east-1"
    # Seconds a container trusts its caches of API tokens and registered series.
    CACHE_SECONDS: int = Field(default=60, ge=0)
    # Per-series Queries a read runs at once (a group_by over 100 series is 100 Queries).
    READ_CONCURRENCY: int = Field(default=16, ge=1, le=64)
    # Alert delivery: PagerDuty's Events API v2 endpoint (a test points it at a loopback receiver), the
    # sender of alert e-mail (an SES-verified identity), how long an HTTP receiver may take.
    PAGERDUTY_EVENTS_URL: str = "https://events.pagerduty.com/v2/enqueue"
    ALERTS_MAIL_FROM: str = "alerts@polymetric.invalid"
    DELIVERY_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=60)
    # Snapshot PNG links: presigned S3 URLs valid this long; the local runtime (make serve) sets
    # OBJECT_URL_BASE instead, because a presigned URL of in-process moto points nowhere.
    SNAPSHOT_URL_SECONDS: int = Field(default=86400, ge=60, le=604800)
    OBJECT_URL_BASE: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
