"""Spaces and their charts (seed: Spaces, Charts).

1. Space names are unique in an organization (case-insensitive).
2. A chart belongs to one space; its streams keep their ids across updates, and a stream sent back with
   its id keeps whatever the request left out (the clients drop ``tags`` and ``color`` on a chart PUT).
3. Unknown metric names are allowed in streams (as AppOptics does); composites were checked by the dialect.
4. A bignumber chart shows one stream.
"""

import dataclasses
import fnmatch
from typing import Any

from polymetric.domain import room
from polymetric.domain.conflicts import retrying
from polymetric.errors import ConflictError, InvalidInputError, NameTakenError, NotFoundError
from polymetric.models.dashboard import Chart, ChartInput, Space, SpacePage, Stream, StreamInput
from polymetric.storage import sequences
from polymetric.storage import spaces as store

SPACES = "spaces"
CHARTS = "charts"
STREAMS = "streams"
MAX_CHARTS = 200
_CHART_FIELDS = (
    "name",
    "type",
    "min",
    "max",
    "label",
    "related_space",
    "use_log_yaxis",
    "use_last_value",
    "thresholds",
)


def _matches(name: str, pattern: str) -> bool:
    if "*" in pattern:
        return fnmatch.fnmatchcase(name.lower(), pattern.lower())
    return pattern.lower() in name.lower()


def list_spaces(tenant: str, *, name: str | None, offset: int, length: int, descending: bool) -> SpacePage:
    everything = sorted(store.list_spaces(tenant), key=lambda s: (s.name.lower(), s.id))
    found = [s for s in everything if not name or _matches(s.name, name)]
    if descending:
        found.reverse()
    page = found[offset : offset + length]
    return SpacePage(spaces=page, found=len(found), total=len(everything), offset=offset, length=len(page))


def _unique(tenant: str, name: str, space_id: int | None = None) -> None:
    if any(s.name.lower() == name.lower() and s.id != space_id for s in store.list_spaces(tenant)):
        raise NameTakenError()


def create_space(tenant: str, name: str, *, tags: bool = False) -> Space:
    room.check("spaces", store.count_spaces(tenant, room.MAX_SPACES), room.MAX_SPACES)
    _unique(tenant, name)
    return store.save_space(tenant, Space(id=sequences.next_id(SPACES), name=name, tags=tags))


def get_space(tenant: str, space_id: int) -> Space:
    found = store.get_space(tenant, space_id)
    if found is None:
        raise NotFoundError(f"Space {space_id} not found")
    return found


@retrying
def rename_space(tenant: str, space_id: int, name: str | None) -> Space:
    space = get_space(tenant, space_id)
    if name is None or name == space.name:
        return space
    _unique(tenant, name, space_id)
    return store.save_space(tenant, dataclasses.replace(space, name=name))


@retrying  # a chart added meanwhile is deleted with the space
def delete_space(tenant: str, space_id: int) -> None:
    store.delete_space(tenant, get_space(tenant, space_id))


def list_charts(tenant: str, space_id: int) -> list[Chart]:
    return store.get_charts(tenant, get_space(tenant, space_id).chart_ids)


def get_chart(tenant: str, space_id: int, chart_id: int) -> Chart:
    chart = store.get_chart(tenant, chart_id)
    if chart is None or chart.space_id != space_id:
        raise NotFoundError(f"Chart {chart_id} not found in space {space_id}")
    return chart


def chart_by_id(tenant: str, chart_id: int) -> Chart:
    """A chart of any of the organization's spaces (snapshots name only the chart)."""
    chart = store.get_chart(tenant, chart_id)
    if chart is None:
        raise NotFoundError(f"Chart {chart_id} not found")
    return chart


def _streams(old: list[Stream], inputs: list[StreamInput]) -> list[Stream]:
    by_id = {s.id: s for s in old}
    fresh = iter(sequences.next_ids(STREAMS, sum(1 for i in inputs if i.id not in by_id)))
    out = []
    for index, given in enumerate(inputs):
        values = dict(given.values)
        if "composite" in values and "metric" not in values:
            values.update(metric=None, tags=values.get("tags", []))
        if "metric" in values and "composite" not in values:
            values["composite"] = None
        base = by_id.get(given.id) if given.id is not None else None
        stream = dataclasses.replace(base, **values) if base is not None else Stream(**{**values, "id": next(fresh)})
        check_stream(stream, f"streams[{index}]")
        out.append(stream)
    return out


def check_stream(s: Stream, param: str) -> None:
    """A stream after merging with the one its id named: exactly one of metric and composite."""
    if (s.metric is None) == (s.composite is None):
        raise InvalidInputError.param(param, "needs either a metric or a composite")


def _check(chart: Chart) -> Chart:
    if chart.type == "bignumber" and len(chart.streams) > 1:
        raise InvalidInputError.param("streams", "a bignumber chart shows one stream")
    return chart


def create_chart(tenant: str, space_id: int, body: ChartInput) -> Chart:
    space = get_space(tenant, space_id)
    if len(space.chart_ids) >= MAX_CHARTS:
        raise InvalidInputError.param("space", f"a space holds at most {MAX_CHARTS} charts")
    chart = _check(
        Chart(
            **{
                **{k: getattr(body, k) for k in _CHART_FIELDS if k in body.given and getattr(body, k) is not None},
                "id": sequences.next_id(CHARTS),
                "space_id": space_id,
                "streams": _streams([], body.streams or []),
            }
        )
    )
    store.save_chart(tenant, chart)
    try:
        _add_chart_id(tenant, space_id, chart.id)
    except (ConflictError, NotFoundError):
        store.delete_chart(tenant, chart.id)
        raise
    return chart


@retrying
def _add_chart_id(tenant: str, space_id: int, chart_id: int) -> None:
    space = get_space(tenant, space_id)
    store.save_space(tenant, dataclasses.replace(space, chart_ids=[*space.chart_ids, chart_id]))


def update_chart(tenant: str, space_id: int, chart_id: int, body: ChartInput) -> Chart:
    """PUT: the fields given replace the chart's; ``streams``, when given, replace its streams (merged by id)."""
    chart = get_chart(tenant, space_id, chart_id)
    changes: dict[str, Any] = {k: getattr(body, k) for k in _CHART_FIELDS if k in body.given}
    if changes.get("name") is None:
        changes.pop("name", None)
    if changes.get("type") is None:
        changes.pop("type", None)
    if body.streams is not None:
        changes["streams"] = _streams(chart.streams, body.streams)
    updated = _check(dataclasses.replace(chart, **changes))
    store.save_chart(tenant, updated)
    return updated


def delete_chart(tenant: str, space_id: int, chart_id: int) -> None:
    get_chart(tenant, space_id, chart_id)
    _drop_chart_id(tenant, space_id, chart_id)
    store.delete_chart(tenant, chart_id)


@retrying
def _drop_chart_id(tenant: str, space_id: int, chart_id: int) -> None:
    space = get_space(tenant, space_id)
    store.save_space(tenant, dataclasses.replace(space, chart_ids=[c for c in space.chart_ids if c != chart_id]))
