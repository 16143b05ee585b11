"""Spaces and charts (PynamoDB items in the Meta table; keys in ``keys.py``).

A space lists its chart ids in display order; a chart item names its space and holds the chart as
JSON, so a chart is read by id alone (snapshots name only the chart).
"""

import json
from typing import cast

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException

from polymetric.errors import ConflictError, StorageError
from polymetric.models.dashboard import Chart, Space, chart_from_dict, to_dict
from polymetric.storage import keys
from polymetric.storage.tables import _MetaItem, bound, get_by_sort_keys


class SpaceItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    space_id = NumberAttribute()
    name = UnicodeAttribute()
    tags = BooleanAttribute(default=False)
    chart_ids: ListAttribute[NumberAttribute] = ListAttribute(of=NumberAttribute, default=list)
    version = VersionAttribute()


class ChartItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    space_id = NumberAttribute()
    doc = UnicodeAttribute()  # the Chart as JSON


def _to_space(item: SpaceItem) -> Space:
    return Space(
        id=int(item.space_id),
        name=item.name,
        chart_ids=[int(cast(float, c)) for c in item.chart_ids],
        tags=bool(item.tags),
        version=item.version,
    )


def list_spaces(tenant: str) -> list[Space]:
    """Every space of the organization, oldest first."""
    try:
        return [_to_space(i) for i in bound(SpaceItem).query(keys.spaces_pk(tenant))]
    except PynamoDBException as exc:
        raise StorageError("space list failed", cause=exc) from exc


def get_space(tenant: str, space_id: int) -> Space | None:
    try:
        return _to_space(bound(SpaceItem).get(keys.spaces_pk(tenant), keys.numeric_id_sk(space_id)))
    except SpaceItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise StorageError("space read failed", cause=exc) from exc


def save_space(tenant: str, space: Space) -> Space:
    """Create (``version`` None) or update; a concurrent change in between is a ConflictError."""
    item = bound(SpaceItem)(
        keys.spaces_pk(tenant),
        keys.numeric_id_sk(space.id),
        space_id=space.id,
        name=space.name,
        tags=space.tags,
        chart_ids=list(space.chart_ids),
    )
    if space.version is not None:
        item.version = space.version
    try:
        item.save()
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise ConflictError(f"Space {space.id} changed while it was being updated; retry") from exc
        raise StorageError("space write failed", cause=exc) from exc
    return _to_space(item)


def delete_space(tenant: str, space: Space) -> None:
    """The space and its charts."""
    try:
        with bound(ChartItem).batch_write() as batch:
            for chart_id in space.chart_ids:
                batch.delete(bound(ChartItem)(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id)))
        item = bound(SpaceItem)(keys.spaces_pk(tenant), keys.numeric_id_sk(space.id))
        if space.version is not None:
            item.version = space.version
        item.delete()
    except DeleteError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise ConflictError(f"Space {space.id} changed while it was being deleted; retry") from exc
        raise StorageError("space delete failed", cause=exc) from exc
    except PynamoDBException as exc:
        raise StorageError("space delete failed", cause=exc) from exc


def get_chart(tenant: str, chart_id: int) -> Chart | None:
    try:
        item = bound(ChartItem).get(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id))
    except ChartItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise StorageError("chart read failed", cause=exc) from exc
    return chart_from_dict(json.loads(item.doc))


def get_charts(tenant: str, chart_ids: list[int]) -> list[Chart]:
    """The charts with these ids, in that order (ids without a chart are skipped)."""
    items = get_by_sort_keys(ChartItem, keys.charts_pk(tenant), [keys.numeric_id_sk(c) for c in chart_ids], "chart")
    by_id = {int(i.sk): chart_from_dict(json.loads(i.doc)) for i in items}
    return [by_id[c] for c in chart_ids if c in by_id]


def save_chart(tenant: str, chart: Chart) -> None:
    item = bound(ChartItem)(
        keys.charts_pk(tenant),
        keys.numeric_id_sk(chart.id),
        space_id=chart.space_id,
        doc=json.dumps(to_dict(chart), separators=(",", ":")),
    )
    try:
        item.save()
    except PynamoDBException as exc:
        raise StorageError("chart write failed", cause=exc) from exc


def delete_chart(tenant: str, chart_id: int) -> None:
    try:
        bound(ChartItem)(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id)).delete()
    except PynamoDBException as exc:
        raise StorageError("chart delete failed", cause=exc) from exc
