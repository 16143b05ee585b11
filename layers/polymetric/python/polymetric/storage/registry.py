"""Series index: which series a metric has, with their tags as first written, and postings by tag value.

Per series (Samples table, layout in ``keys.py``) one series item in the metric's series partition and one
posting per tag in the partition of that tag name, sorted by value, so ``tags[host]=web-1`` reads the
postings of ``web-1`` only (a prefix wildcard, ``web-*``, a range of them) instead of every series the
metric ever had. Every item carries ``seen``, the last day the series took samples; ingest rewrites the
items at most once per series and day, and their TTL is that day plus the rollups' retention, so a series
that stopped reporting leaves the index when its last data expires, and reads skip it before that once
their window starts after ``seen``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from polymetric.config import get_settings
from polymetric.errors import ReadLimitError
from polymetric.models import window
from polymetric.models.query import ReadBudget
from polymetric.models.series import Series
from polymetric.storage import batch, keys
from polymetric.storage.cache import Marks

Item = dict[str, dict[str, object]]
# How long an index entry outlives the last day its series took samples: the longest tier (rollups).
RETENTION = window.RETENTION + keys.DAY
# (tenant, metric, generation, sid): index items are written at most once per series and day, so a
# container trusts what it marked or read for the rest of that day.
_marked = Marks()


@dataclass(frozen=True)
class Lookup:
    """Postings to read: a tag (lower-cased name) whose value is ``value``, or starts with it (``prefix``)."""

    name: str
    value: str
    prefix: bool = False


def ensure(
    tenant: str, metric_lower: str, generation: int, series: Mapping[bytes, Mapping[str, str]], day_seen: int
) -> int:
    """Index series that took samples on ``day_seen`` (a day's start) unless they are indexed for that day.

    Series this container marked (or read as marked) for that day cost nothing; the others cost one
    BatchGetItem per 100, then a series item and a posting per tag for each series not marked yet.
    Returns the number of series new to the index.
    """
    table = get_settings().SAMPLES_TABLE
    pk = keys.series_registry_pk(tenant, metric_lower)
    unknown = [sid for sid in series if _marked.day((tenant, metric_lower, generation, sid)) < day_seen]
    if not unknown:
        return 0
    found = batch.get(
        table, [{"pk": {"S": pk}, "sk": {"S": sid.hex()}} for sid in unknown], projection="sk, seen, first_day"
    )
    stored = {bytes.fromhex(i["sk"]["S"]): i for i in found}
    items: list[Item] = []
    marked: list[bytes] = []
    for sid in unknown:
        old = stored.get(sid)
        if old is not None and int(old.get("seen", {}).get("N", "0")) >= day_seen:
            marked.append(sid)
            continue
        first_day = min(day_seen, int(old["first_day"]["N"])) if old is not None and "first_day" in old else day_seen
        items.extend(_index_items(tenant, metric_lower, sid, series[sid], day_seen, first_day))
        marked.append(sid)
    # Postings first, series items after: a series item says its postings are written, so a write that
    # fails part way leaves series that the client's retry indexes again (it skips those indexed today).
    batch.write(table, [i for i in items if i["pk"]["S"] != pk])
    batch.write(table, [i for i in items if i["pk"]["S"] == pk])
    _marked.mark([(tenant, metric_lower, generation, sid) for sid in marked], day_seen)
    return sum(1 for sid in unknown if sid not in stored)


def _index_items(
    tenant: str, metric_lower: str, sid: bytes, tags: Mapping[str, str], day_seen: int, first_day: int
) -> list[Item]:
    common: Item = {
        "tags": {"M": {k: {"S": v} for k, v in tags.items()}},
        "seen": {"N": str(day_seen)},
        "first_day": {"N": str(first_day)},
        "ttl": {"N": str(day_seen + keys.DAY + RETENTION)},
    }
    out: list[Item] = [{"pk": {"S": keys.series_registry_pk(tenant, metric_lower)}, "sk": {"S": sid.hex()}, **common}]
    for name, value in tags.items():
        pk, sk = keys.series_posting(tenant, metric_lower, name.lower(), value.lower(), sid.hex())
        out.append({"pk": {"S": pk}, "sk": {"S": sk}, **common})
    return out


def _series(item: Mapping[str, dict[str, object]], sid_hex: str) -> Series:
    tags = item.get("tags", {}).get("M", {})
    assert isinstance(tags, dict)
    return Series(bytes.fromhex(sid_hex), {k: v["S"] for k, v in tags.items()})


def _active(item: Mapping[str, dict[str, object]], since: int) -> bool:
    return int(str(item.get("seen", {}).get("N", "0"))) >= keys.day_of(max(since, 0))


def load(tenant: str, metric_lower: str, since: int = 0, *, budget: ReadBudget | None = None) -> list[Series]:
    """Every indexed series of the metric (that took samples on the day of ``since`` or later).

    ``budget``: the index items the caller may still read, spent here (series gone before ``since`` count:
    they are read too); ReadLimitError rather than read past it.
    """
    table = get_settings().SAMPLES_TABLE
    items = _bounded(batch.query(table, keys.series_registry_pk(tenant, metric_lower)), budget)
    return [_series(i, i["sk"]["S"]) for i in items if _active(i, since)]


def lookup(
    tenant: str, metric_lower: str, lookups: Sequence[Lookup], since: int = 0, *, budget: ReadBudget | None = None
) -> list[Series]:
    """The series with any of ``lookups``' tag values (that took samples on the day of ``since`` or later).

    One Query per lookup, of the postings of that value (or value prefix) alone; each posting read is spent
    from ``budget``, as in ``load``.
    """
    table = get_settings().SAMPLES_TABLE
    found: dict[str, Series] = {}
    for wanted in lookups:
        pk, prefix = keys.series_posting(tenant, metric_lower, wanted.name, wanted.value, "")
        if wanted.prefix:
            prefix = prefix.removesuffix(keys.POSTING_SEPARATOR)
        for item in _bounded(batch.query(table, pk, sk_prefix=prefix), budget):
            sid_hex = keys.posting_sid(item["sk"]["S"])
            if sid_hex not in found and _active(item, since):
                found[sid_hex] = _series(item, sid_hex)
    return list(found.values())


def _bounded(items: Iterable[batch.Item], budget: ReadBudget | None) -> Iterator[batch.Item]:
    for item in items:
        if budget is not None:
            if budget.remaining <= 0:
                raise ReadLimitError
            budget.remaining -= 1
        yield item


def count_upto(tenant: str, metric_lower: str, limit: int) -> int:
    """How many series the metric has, counting no further than ``limit`` (reads at most ``limit`` keys)."""
    found = itertools.islice(
        batch.query(get_settings().SAMPLES_TABLE, keys.series_registry_pk(tenant, metric_lower), projection="sk"),
        limit,
    )
    return sum(1 for _ in found)


def delete(tenant: str, metric_lower: str, known: list[Series] | None = None) -> int:
    """Delete the metric's series index; ``known``: the series just loaded (saves reading them again)."""
    table = get_settings().SAMPLES_TABLE
    series = load(tenant, metric_lower) if known is None else known
    doomed: list[Item] = []
    for s in series:
        doomed.append({"pk": {"S": keys.series_registry_pk(tenant, metric_lower)}, "sk": {"S": s.sid.hex()}})
        for name, value in s.tags.items():
            pk, sk = keys.series_posting(tenant, metric_lower, name.lower(), value.lower(), s.sid.hex())
            doomed.append({"pk": {"S": pk}, "sk": {"S": sk}})
    batch.write(table, deletes=_distinct(doomed))
    _marked.clear()
    return len(series)


def _distinct(items: Iterable[Item]) -> list[Item]:
    seen: dict[tuple[object, object], Item] = {}
    for i in items:
        seen.setdefault((i["pk"]["S"], i["sk"]["S"]), i)
    return list(seen.values())
