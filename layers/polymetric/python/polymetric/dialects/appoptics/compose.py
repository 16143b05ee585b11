"""Query-string rules of composite queries: GET /v1/measurements?compose= and GET /v1/metrics?compose=.

Seed: "start_time and resolution are required. The end_time parameter is optional. The count parameter is
currently ignored." A missing end_time means now.
"""

from polymetric.dialects import contract
from polymetric.dialects.params import integer, one
from polymetric.errors import InvalidInputError
from polymetric.models.query import ComposeQuery
from polymetric.query.limits import MAX_RESOLUTION

# What ``compose_query`` reads.
PARAMS = (
    contract.example(
        contract.required(contract.string("compose", "A composite metric expression", min_length=1)),
        's("cpu", "*")',
    ),
    contract.example(contract.required(contract.integer("resolution", minimum=1, maximum=MAX_RESOLUTION)), 60),
    contract.example(contract.required(contract.integer("start_time", "Unix seconds", minimum=0)), 1795449600),
    contract.example(contract.integer("end_time", "Unix seconds; default now", minimum=0), 1795453200),
)


def compose_query(values: dict[str, list[str]], now: int) -> ComposeQuery:
    expression = one(values, "compose")
    if expression is None or not expression.strip():
        raise InvalidInputError.param("compose", "is required: a composite metric expression")
    resolution = integer(values, "resolution", minimum=1, maximum=MAX_RESOLUTION)
    if resolution is None:
        raise InvalidInputError.param("resolution", "is required with compose")
    start = integer(values, "start_time", minimum=0)
    if start is None:
        raise InvalidInputError.param("start_time", "is required with compose")
    end = integer(values, "end_time", minimum=0)
    if end is None and start > now:
        raise InvalidInputError.param("start_time", f"must not be after the current time ({now}) without end_time")
    end = now if end is None else end
    if end < start:
        raise InvalidInputError.param("end_time", "must not be before start_time")
    return ComposeQuery(expression, start, end, resolution)
