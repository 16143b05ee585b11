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
    AWS_DEFAULT_REGION: str = "us-east-1"
    # Seconds a container trusts its caches of API tokens and registered series.
    CACHE_SECONDS: int = Field(default=60, ge=0)
    # Per-series Queries a read runs at once (a group_by over 100 series is 100 Queries).
    READ_CONCURRENCY: int = Field(default=16, ge=1, le=64)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
