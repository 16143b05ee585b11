"""Series identity: a metric plus its tag set, matched case-insensitively."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

SID_BYTES = 12
# Agents post the same series every interval: a batch of 1,000 measurements names a few hundred series at
# most, and the next batch the same ones. Bounded: a container with tag churn keeps the recent ones.
SID_CACHE = 32768


def series_id(tenant: str, metric: str, tags: Mapping[str, str]) -> bytes:
    """blake2b-96 over (tenant, lower(metric), sorted lower-cased tags): stable, needs no lookup."""
    return _series_id(tenant, metric, tuple(tags.items()))


@lru_cache(maxsize=SID_CACHE)
def _series_id(tenant: str, metric: str, tags: tuple[tuple[str, str], ...]) -> bytes:
    parts = [tenant, "\x00", metric.lower()]
    for k, v in sorted((k.lower(), v.lower()) for k, v in tags):
        parts += ("\x00", k, "=", v)
    return hashlib.blake2b("".join(parts).encode(), digest_size=SID_BYTES).digest()


@dataclass(frozen=True)
class Series:
    """A registered series: its id and its tags as first written."""

    sid: bytes
    tags: dict[str, str]

    @property
    def sort_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k.lower(), v.lower()) for k, v in self.tags.items()))
