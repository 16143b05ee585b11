"""PynamoDB items of the Meta table (layout in ``keys.py``).

Table names come from settings at first use, never at import: ``bound(Model)`` points a model at
the configured table and ``unbind()`` forgets that (tests start a fresh moto backend per test).
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from polymetric.config import get_settings
from polymetric.storage.failures import translated

M = TypeVar("M", bound=type[Model])
T = TypeVar("T", bound=Model)

_BOUND: set[type[Model]] = set()


class _MetaItem(Model):
    class Meta:
        table_name = "unbound"
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class OrgItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    tenant = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = NumberAttribute()
    # How many metrics the organization may have (Anomify's 207, OddEye's 402); None is unlimited.
    metric_quota = NumberAttribute(null=True)
    # Series registered minus series deleted (kept by ingest and metric deletes: counting the registry
    # itself would read every metric's partition).
    series_count = NumberAttribute(null=True)
    # Kept by every create and delete (atomic ADD), so GET /v1/organization reads one item however much
    # the organization holds. Organizations saved before these counters get them at their first read.
    metric_count = NumberAttribute(null=True)
    token_count = NumberAttribute(null=True)
    environment_count = NumberAttribute(null=True)


class TokenItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    tenant = UnicodeAttribute()
    token_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    environment = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class TenantTokenItem(_MetaItem):
    """The organization's view of a token (``T#{t}#TOKENS``): what listings read, with the hash to reach the
    global item that authentication reads."""

    class Meta(_MetaItem.Meta):
        pass

    token_hash = UnicodeAttribute()
    token_id = NumberAttribute()
    name = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    environment = UnicodeAttribute(null=True)
    masked = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


class MetricItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    name = UnicodeAttribute()
    type = UnicodeAttribute(default="gauge")
    display_name = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    period = NumberAttribute(null=True)
    composite = UnicodeAttribute(null=True)
    attributes: MapAttribute[str, Any] = MapAttribute(default=dict)  # type: ignore[no-untyped-call]
    # Bumped when a metric is deleted and created again: caches keyed by it never serve the old series.
    created_at = NumberAttribute()
    folded_until = NumberAttribute(default=0)
    deleting = NumberAttribute(null=True)
    version = VersionAttribute()


def count_upto(model: type[Model], pk: str, limit: int, what: str) -> int:
    """How many items partition ``pk`` holds, counting no further than ``limit`` (a COUNT Query: no item is
    transferred, and it reads at most ``limit`` keys)."""
    with translated(f"{what} count failed"):
        return int(bound(model).count(pk, limit=limit))


def get_by_sort_keys(model: type[T], pk: str, sort_keys: Iterable[str], what: str) -> list[T]:
    """The items of partition ``pk`` with these sort keys (BatchGetItem); storage errors become StorageError."""
    wanted = sorted(set(sort_keys))
    if not wanted:
        return []
    with translated(f"{what} read failed"):
        return list(bound(model).batch_get([(pk, sk) for sk in wanted]))


def bound(model: M) -> M:
    """The model, pointed at the configured Meta table."""
    if model not in _BOUND:
        settings = get_settings()
        if (model.Meta.table_name, model.Meta.region) != (settings.META_TABLE, settings.AWS_DEFAULT_REGION):
            model.Meta.table_name = settings.META_TABLE
            model.Meta.region = settings.AWS_DEFAULT_REGION
            model._connection = None  # its client is bound to the old table
        _BOUND.add(model)
    return model


def unbind() -> None:
    """Re-read the table names at next use (a connection is kept while its table stays the same)."""
    _BOUND.clear()
