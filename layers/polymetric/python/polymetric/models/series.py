"""Series identity: a metric plus its tag set, matched case-insensitively."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

SID_BYTES = 12


def series_id(tenant: str, metric: str, tags: Mapping[str, str]) -> bytes:
    """blake2b-96 over (tenant, lower(metric), sorted lower-cased tags): stable, needs no lookup."""
    h = hashlib.blake2b(digest_size=SID_BYTES)
    h.update(tenant.encode())
    h.update(b"\x00")
    h.update(metric.lower().encode())
    for k, v in sorted((k.lower(), v.lower()) for k, v in tags.items()):
        h.update(b"\x00")
        h.update(k.encode())
        h.update(b"=")
        h.update(v.encode())
    return h.digest()


@dataclass(frozen=True)
class Series:
    """A registered series: its id and its tags as first written."""

    sid: bytes
    tags: dict[str, str]

    @property
    def sort_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k.lower(), v.lower()) for k, v in self.tags.items()))
