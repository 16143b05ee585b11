"""On-time compaction rounds: which hours of an organization are planned and which are compacted.

Live writes register nothing per metric: once an hour has closed, the planner writes that hour's
*round*, every metric of the organization split into chunks (one queue message each) named by a
digest of their metric names; a worker marks its chunk compacted. A planner that stops halfway
plans the hour again: the same metrics give the same chunks; if metrics were created meanwhile,
the new chunk list replaces the old, and marks of old chunks no longer count.
Per organization the ``ORGS`` item keeps two watermarks:

- ``planned``: the last hour whose round is written (an hour without metrics writes no round);
- ``done``: every hour before it is compacted, so reads take those hours from blocks and rollups
  and read hot slabs only from ``done`` on (plus late data, which has HOURS items).

Both only move forward (conditional updates), so a reader holding an older ``done`` merely reads
more slabs. Layout in ``keys.py``.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from polymetric.config import get_settings
from polymetric.storage import batch, keys
from polymetric.storage.samples import COMPACTION_DELAY, WRITE_MARGIN

ROUND_TTL = 7 * keys.DAY
# A chunk (one queue message, one worker run) holds at most this many metrics and name bytes.
CHUNK_METRICS = 25
CHUNK_BYTES = 4000


@dataclass(frozen=True)
class Watermarks:
    tenant: str
    planned: int
    done: int


@dataclass
class Round:
    """One hour's round as stored: its chunk ids, and the chunks marked compacted."""

    chunks: set[str] | None = None  # None: no HEAD item (not written, or an hour without metrics)
    compacted: set[str] = field(default_factory=set)
    sent: int = 0  # when its messages were last queued

    @property
    def complete(self) -> bool:
        return self.chunks is None or self.chunks <= self.compacted


def chunk_id(names: list[str]) -> str:
    return hashlib.blake2b("\n".join(names).encode(), digest_size=6).hexdigest()


def chunked(tenant: str, metrics: Iterable[str]) -> list[list[str]]:
    """Metric names in chunks of one compaction group, at most CHUNK_METRICS names and CHUNK_BYTES bytes."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(metrics):
        groups[keys.compaction_group(tenant, name)].append(name)
    chunks: list[list[str]] = []
    for _, names in sorted(groups.items()):
        start, size = len(chunks), 0
        for name in names:
            width = len(name.encode()) + 3
            if len(chunks) == start or len(chunks[-1]) >= CHUNK_METRICS or size + width > CHUNK_BYTES:
                chunks.append([])
                size = 0
            chunks[-1].append(name)
            size += width
    return chunks


def first_round(created_at: int) -> int:
    """The first hour still open to live writes when the organization was created."""
    return keys.hour_of(created_at - keys.HOUR - COMPACTION_DELAY + WRITE_MARGIN) + keys.HOUR


def _watermarks(item: dict[str, dict[str, str]]) -> Watermarks:
    first = first_round(int(item["created_at"]["N"]))
    planned = int(item["planned"]["N"]) if "planned" in item else first - keys.HOUR
    done = int(item["done"]["N"]) if "done" in item else first
    return Watermarks(item["sk"]["S"], planned, done)


def register(tenant: str, created_at: int) -> None:
    """List an organization for the planner (idempotent); rounds start at ``first_round``."""
    pk, sk = keys.org_listing(tenant)
    batch.update_if(
        get_settings().META_TABLE,
        {"pk": {"S": pk}, "sk": {"S": sk}},
        "SET created_at = if_not_exists(created_at, :c)",
        {":c": {"N": str(created_at)}},
    )


def all_watermarks() -> list[Watermarks]:
    return [_watermarks(i) for i in batch.query(get_settings().META_TABLE, keys.ORGS_PK, consistent=True)]


def watermarks(tenant: str, *, consistent: bool = False) -> Watermarks | None:
    pk, sk = keys.org_listing(tenant)
    item = batch.get_one(get_settings().META_TABLE, {"pk": {"S": pk}, "sk": {"S": sk}}, consistent=consistent)
    return None if item is None else _watermarks(item)


def _advance(tenant: str, name: str, previous: int, hour: int) -> bool:
    pk, sk = keys.org_listing(tenant)
    return batch.update_if(
        get_settings().META_TABLE,
        {"pk": {"S": pk}, "sk": {"S": sk}},
        f"SET {name} = :h",
        {":h": {"N": str(hour)}, ":p": {"N": str(previous)}},
        f"attribute_exists(pk) AND (attribute_not_exists({name}) OR {name} = :p)",
    )


def set_planned(marks: Watermarks, hour: int) -> bool:
    return _advance(marks.tenant, "planned", marks.planned, hour)


def set_done(marks: Watermarks, hour: int) -> bool:
    return _advance(marks.tenant, "done", marks.done, hour)


def _item(tenant: str, hour: int, part: str, **attributes: dict[str, object]) -> dict[str, dict[str, object]]:
    return {
        "pk": {"S": keys.rounds_pk(tenant)},
        "sk": {"S": keys.round_sk(hour, part)},
        "ttl": {"N": str(hour + ROUND_TTL)},
        **attributes,
    }


def write_round(tenant: str, hour: int, chunks: list[list[str]], sent: int) -> None:
    head = _item(tenant, hour, "HEAD", sent={"N": str(sent)})
    ids = sorted({chunk_id(c) for c in chunks})
    if ids:  # DynamoDB has no empty sets: no attribute is an hour without metrics
        head["chunks"] = {"SS": ids}
    batch.write(get_settings().SAMPLES_TABLE, [head])


def mark_sent(tenant: str, hour: int, sent: int) -> None:
    batch.update_if(
        get_settings().SAMPLES_TABLE,
        {"pk": {"S": keys.rounds_pk(tenant)}, "sk": {"S": keys.round_sk(hour, "HEAD")}},
        "SET sent = :s",
        {":s": {"N": str(sent)}},
        "attribute_exists(pk)",
    )


def mark_compacted(tenant: str, hour: int, chunk: str) -> None:
    batch.write(get_settings().SAMPLES_TABLE, [_item(tenant, hour, f"C{chunk}")])


def rounds(tenant: str, first: int, last: int) -> dict[int, Round]:
    """The stored rounds of hours first..last (strongly consistent: workers decide on them)."""
    found: dict[int, Round] = defaultdict(Round)
    bounds = (keys.round_sk(first, ""), keys.round_sk(last, "~"))
    for item in batch.query(get_settings().SAMPLES_TABLE, keys.rounds_pk(tenant), sk_between=bounds, consistent=True):
        hour_text, part = item["sk"]["S"].split("#", 1)
        entry = found[int(hour_text)]
        if part == "HEAD":
            entry.chunks = set(item.get("chunks", {}).get("SS", []))
            entry.sent = int(item.get("sent", {}).get("N", "0"))
        else:
            entry.compacted.add(part[1:])
    return dict(found)
