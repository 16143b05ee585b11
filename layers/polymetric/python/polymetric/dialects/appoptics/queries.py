"""Query-string rules of ``GET /v1/measurements/:name`` (seed: Retrieve Measurements)."""

import re

from polymetric.dialects import contract
from polymetric.dialects.appoptics import paging
from polymetric.dialects.params import integer, one
from polymetric.errors import InvalidInputError
from polymetric.models.query import MeasurementsQuery
from polymetric.models.tags import TAG_NAME_CHARS, TAG_NAME_MAX, TagFilter
from polymetric.query import tags_search
from polymetric.query.limits import MAX_RESOLUTION
from polymetric.query.resample import GROUP_FUNCTIONS, SUMMARY_FUNCTIONS

# ``tags[name]=v``; ``tags[name][]=v`` is how the clients (and Rails-style encoders) send a list of values,
# ``tags[name][0]=v`` how Node's ``qs`` does.
_TAG_KEY = re.compile(r"^tags\[(.*?)\](?:\[\d*\])?$")
# A filter's tag name: a stored tag name (models.tags), with ``*`` wildcards, after an optional ``!`` (absent).
_FILTER_NAME = re.compile(rf"!?(?:{TAG_NAME_CHARS}|\*){{1,{TAG_NAME_MAX}}}")

# What ``time_window`` reads (also the annotation stream routes' window, without duration).
WINDOW = (
    contract.integer("start_time", "Unix seconds; required unless duration is given", minimum=0),
    contract.integer("end_time", "Unix seconds; default now", minimum=0),
    contract.integer("duration", "Seconds before end_time", minimum=1),
)
# ``tags[name]=pattern``: a deepObject of tag names to patterns.
TAGS = contract.Param(
    "tags", {"type": "object", "additionalProperties": {"type": "string"}}, description="tags[name]=pattern"
)
# What ``measurements_query`` reads.
PARAMS = (
    contract.example(
        contract.required(contract.integer("resolution", "Seconds per point", minimum=1, maximum=MAX_RESOLUTION)), 60
    ),
    *WINDOW[:2],
    contract.example(WINDOW[2], 3600),
    TAGS,
    contract.string("tags_search", "A tag search expression (not with tags)"),
    contract.string("summary_function", enum=tuple(SUMMARY_FUNCTIONS)),
    contract.string("group_by", "Tag names, comma separated, or *"),
    contract.string("group_by_function", enum=tuple(GROUP_FUNCTIONS)),
    contract.string(paging.PARAM, "From a links entry: the next page of series"),
)


def time_window(values: dict[str, list[str]], now: int) -> tuple[int, int]:
    """start/end from start_time, end_time, duration: all three is an error; one of start_time/duration is needed."""
    start = integer(values, "start_time", minimum=0)
    end = integer(values, "end_time", minimum=0)
    duration = integer(values, "duration", minimum=1)
    if start is not None and end is not None and duration is not None:
        raise InvalidInputError.param("duration", "cannot be combined with both start_time and end_time")
    if start is None and duration is None:
        raise InvalidInputError.param("start_time", "is required unless duration is given")
    if start is None:
        assert duration is not None
        end = end if end is not None else now
        start = end - duration
    elif end is None:
        if duration is None and start > now:
            raise InvalidInputError.param("start_time", f"must not be after the current time ({now}) without end_time")
        end = start + duration if duration is not None else now
    if end < start:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    return start, end


def tag_filter(values: dict[str, list[str]]) -> TagFilter:
    pairs: list[tuple[str, str]] = []
    for key, vals in values.items():
        match = _TAG_KEY.match(key)
        if match:
            name = match.group(1)
            if not name:
                raise InvalidInputError.param("tags", "tag filters are written tags[name]=pattern")
            if not _FILTER_NAME.fullmatch(name):
                raise InvalidInputError.param("tags", f"tag name {name!r} must match /\\A[-.:_\\w]{{1,64}}\\z/")
            pairs.extend((name, v) for v in vals)
    for whole in values.get("tags", []):
        if whole.strip() not in ("*", "{}", ""):
            raise InvalidInputError.param("tags", "use tags[name]=pattern, or tags=* for every series")
    return TagFilter.from_pairs(pairs)


def group_by(values: dict[str, list[str]]) -> tuple[str, ...]:
    raw = values.get("group_by", []) + values.get("group_by[]", [])
    names = tuple(n.strip() for v in raw for n in v.split(",") if n.strip())
    if "*" in names and len(names) > 1:
        raise InvalidInputError.param("group_by", "* cannot be combined with tag names")
    return names


def measurements_query(name: str, values: dict[str, list[str]], now: int) -> MeasurementsQuery:
    resolution = integer(values, "resolution", minimum=1, maximum=MAX_RESOLUTION)
    if resolution is None:
        raise InvalidInputError.param("resolution", "is required")
    start, end = time_window(values, now)
    search_text = one(values, "tags_search")
    tags = tag_filter(values)
    if search_text is not None and (tags.terms or "tags" in values):
        raise InvalidInputError.param("tags_search", "may not be combined with tags")
    search = tags_search.parse(search_text) if search_text is not None else None
    session = one(values, paging.PARAM)
    summary = one(values, "summary_function")
    if summary is not None and summary not in SUMMARY_FUNCTIONS:
        raise InvalidInputError.param("summary_function", f"must be one of {', '.join(SUMMARY_FUNCTIONS)}")
    groups = group_by(values)
    function = one(values, "group_by_function")
    if function is not None and function not in GROUP_FUNCTIONS:
        raise InvalidInputError.param("group_by_function", f"must be one of {', '.join(GROUP_FUNCTIONS)}")
    if groups and function is None:
        raise InvalidInputError.param("group_by_function", "is required when group_by is set")
    return MeasurementsQuery(
        name=name,
        start=start,
        end=end,
        resolution=resolution,
        tags=tags,
        group_by=groups,
        group_by_function=function,
        summary_function=summary,
        search=search,
        after=paging.decode(session) if session else None,
    )
