"""Metric metadata adapter (PynamoDB ``MetricItem`` in the Meta table)."""

import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from polymetric.models.metric import Metric
from polymetric.storage import keys, tokens
from polymetric.storage.failures import conditional_failed, save_versioned, translated
from polymetric.storage.tables import MetricItem, bound, get_by_sort_keys


def _plain(value: Any) -> Any:
    """PynamoDB hands numbers in maps back as Decimal; the domain speaks int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _to_metric(item: MetricItem) -> Metric:
    return Metric(
        name=item.name,
        type=item.type,
        display_name=item.display_name,
        description=item.description,
        period=int(item.period) if item.period is not None else None,
        attributes=_plain(item.attributes.as_dict()),  # type: ignore[no-untyped-call]
        composite=item.composite,
        created_at=int(item.created_at),
        folded_until=int(item.folded_until or 0),
        deleting=int(item.deleting) if item.deleting is not None else None,
        version=item.version,
    )


def _to_item(tenant: str, metric: Metric) -> MetricItem:
    pk, sk = keys.metric(tenant, metric.key)
    model = bound(MetricItem)
    item = model(
        pk,
        sk,
        name=metric.name,
        type=metric.type,
        display_name=metric.display_name,
        description=metric.description,
        period=metric.period,
        attributes=dict(metric.attributes),
        composite=metric.composite,
        created_at=metric.created_at,
        folded_until=metric.folded_until,
        deleting=metric.deleting,
    )
    if metric.version is not None:
        item.version = metric.version
    return item


def get(tenant: str, metric_lower: str) -> Metric | None:
    pk, sk = keys.metric(tenant, metric_lower)
    with translated("metric read failed"):
        try:
            return _to_metric(bound(MetricItem).get(pk, sk, consistent_read=True))
        except MetricItem.DoesNotExist:
            return None


def get_many(tenant: str, names_lower: Iterable[str]) -> dict[str, Metric]:
    found = get_by_sort_keys(MetricItem, keys.metrics_pk(tenant), names_lower, "metric batch")
    return {m.key: m for m in map(_to_metric, found)}


def list_all(tenant: str, *, consistent: bool = False, limit: int | None = None) -> list[Metric]:
    """Every metric of the tenant (at most ``limit``), ordered by lower-cased name."""
    with translated("metric list failed"):
        items = bound(MetricItem).query(keys.metrics_pk(tenant), consistent_read=consistent)
        return [_to_metric(i) for i in itertools.islice(items, limit)]


def list_prefixed(tenant: str, prefix: str, *, limit: int) -> list[Metric]:
    """The metrics whose lower-cased name starts with ``prefix``, in order; at most ``limit`` + 1 are read, so the
    caller tells "more than ``limit``" apart."""
    with translated("metric list failed"):
        condition = MetricItem.sk.startswith(prefix) if prefix else None
        items = bound(MetricItem).query(keys.metrics_pk(tenant), condition)
        return [_to_metric(i) for i in itertools.islice(items, limit + 1)]


def create(tenant: str, metric: Metric) -> bool:
    """Create the metric unless it exists. Returns False when another writer created it first."""
    item = _to_item(tenant, metric)
    with translated("metric create failed"):
        try:
            item.save(condition=MetricItem.pk.does_not_exist())  # plus PynamoDB's "version does not exist"
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
    tokens.add_count(tenant, "metrics", 1)
    return True


TRANSACTION_ITEMS = 100


def create_many(tenant: str, metrics: list[Metric]) -> list[Metric]:
    """Create metrics that do not exist yet, 100 per conditional transaction; returns the ones this call created.

    A transaction fails whole when any one metric already exists (another writer won the race);
    that chunk is then created one conditional put at a time.
    """
    created: list[Metric] = []
    model = bound(MetricItem)
    for i in range(0, len(metrics), TRANSACTION_ITEMS):
        chunk = metrics[i : i + TRANSACTION_ITEMS]
        try:
            with TransactWrite(connection=model._get_connection().connection) as tx:
                for metric in chunk:
                    tx.save(_to_item(tenant, metric), condition=MetricItem.pk.does_not_exist())
            created.extend(chunk)
            tokens.add_count(tenant, "metrics", len(chunk))
        except TransactWriteError:
            created.extend(m for m in chunk if create(tenant, m))  # each counted by create
    return created


def replace(tenant: str, metric: Metric) -> None:
    """Overwrite the stored metric read as ``metric.version``; VersionConflictError if it changed or vanished
    meanwhile."""
    item = _to_item(tenant, metric)
    save_versioned(item, "metric update failed", f"metric {metric.name} changed while it was being updated, retry")


def delete(tenant: str, metric_lower: str) -> None:
    pk, sk = keys.metric(tenant, metric_lower)
    with translated("metric delete failed"):
        try:
            bound(MetricItem)(pk, sk).delete(condition=MetricItem.pk.exists(), add_version_condition=False)
        except DeleteError as exc:
            if conditional_failed(exc):
                return  # gone already (a racing delete counted it)
            raise
    tokens.add_count(tenant, "metrics", -1)


def count(tenant: str) -> int:
    """How many metrics the organization has (a COUNT query: it reads every key, so only GET /v1/organization
    runs it, once, for an organization saved before its metric counter existed)."""
    with translated("metric count failed"):
        return int(bound(MetricItem).count(keys.metrics_pk(tenant)))


def keys_page(tenant: str, *, after: str | None, limit: int) -> tuple[list[str], str | None]:
    """Up to ``limit`` metric keys (lower-cased names) in order, after ``after``; and where the next page starts."""
    pk = keys.metrics_pk(tenant)
    with translated("metric list failed"):
        result = bound(MetricItem).query(
            pk,
            limit=limit,
            attributes_to_get=["sk"],
            last_evaluated_key={"pk": {"S": pk}, "sk": {"S": after}} if after else None,
        )
        found = [item.sk for item in result]
    last = result.last_evaluated_key
    return found, (last["sk"]["S"] if last and len(found) >= limit else None)
