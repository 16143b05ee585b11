"""Spaces and charts (PynamoDB items in the Meta table; keys in ``keys.py``).

A space lists its chart ids in display order; a chart item names its space and holds the chart as
JSON, so a chart is read by id alone (snapshots name only the chart).
"""

import json
from typing import cast

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DeleteError

from polymetric.errors import VersionConflictError
from polymetric.models.dashboard import Chart, Space, chart_from_dict, to_dict
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, save_versioned, translated
from polymetric.storage.tables import _MetaItem, bound, count_upto, get_by_sort_keys


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
    with translated("space list failed"):
        return [_to_space(i) for i in bound(SpaceItem).query(keys.spaces_pk(tenant))]


def count_spaces(tenant: str, limit: int) -> int:
    return count_upto(SpaceItem, keys.spaces_pk(tenant), limit, "space")


def get_space(tenant: str, space_id: int) -> Space | None:
    with translated("space read failed"):
        try:
            return _to_space(bound(SpaceItem).get(keys.spaces_pk(tenant), keys.numeric_id_sk(space_id)))
        except SpaceItem.DoesNotExist:
            return None


def save_space(tenant: str, space: Space) -> Space:
    """Create (``version`` None) or update; a concurrent change in between is a VersionConflictError."""
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
    save_versioned(item, "space write failed", f"Space {space.id} changed while it was being updated; retry")
    return _to_space(item)


def delete_space(tenant: str, space: Space) -> None:
    """The space and its charts."""
    with translated("space delete failed"):
        try:
            with bound(ChartItem).batch_write() as batch:
                for chart_id in space.chart_ids:
                    batch.delete(bound(ChartItem)(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id)))
            item = bound(SpaceItem)(keys.spaces_pk(tenant), keys.numeric_id_sk(space.id))
            if space.version is not None:
                item.version = space.version
            item.delete()
        except DeleteError as exc:
            if conditional_failed(exc):
                raise VersionConflictError(f"Space {space.id} changed while it was being deleted; retry") from exc
            raise


def get_chart(tenant: str, chart_id: int) -> Chart | None:
    with translated("chart read failed"):
        try:
            item = bound(ChartItem).get(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id))
        except ChartItem.DoesNotExist:
            return None
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
    with translated("chart write failed"):
        item.save()


def delete_chart(tenant: str, chart_id: int) -> None:
    with translated("chart delete failed"):
        bound(ChartItem)(keys.charts_pk(tenant), keys.numeric_id_sk(chart_id)).delete()
