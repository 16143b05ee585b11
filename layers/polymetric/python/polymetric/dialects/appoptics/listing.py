"""Pagination and bulk-name parameters of the metrics routes (seed: Pagination, Delete a Metric)."""

from typing import Any, TypedDict

from polymetric.dialects import contract
from polymetric.dialects.params import integer, one
from polymetric.errors import InvalidInputError
from polymetric.models.metric import MAX_PAGE

# What ``page_request`` reads.
PARAMS = (
    contract.string("name", "Filter by name"),
    contract.integer("offset", "Index of the first item", minimum=0),
    contract.integer("length", "Items per page", minimum=1, maximum=MAX_PAGE),
    contract.string("orderby", enum=("name",)),
    contract.string("sort", enum=("asc", "desc")),
)


class PageRequest(TypedDict):
    name: str | None
    offset: int
    length: int
    descending: bool


def page_request(values: dict[str, list[str]]) -> PageRequest:
    offset = integer(values, "offset", minimum=0) or 0
    length = integer(values, "length", minimum=1, maximum=MAX_PAGE)
    orderby = one(values, "orderby")
    if orderby not in (None, "", "name"):
        raise InvalidInputError.param("orderby", "must be name")
    sort = (one(values, "sort") or "asc").lower()
    if sort not in ("asc", "desc"):
        raise InvalidInputError.param("sort", "must be asc or desc")
    return PageRequest(name=one(values, "name"), offset=offset, length=length or MAX_PAGE, descending=sort == "desc")


def names(doc: dict[str, Any]) -> list[str]:
    """``names`` as a list of names, or one name or ``*`` pattern (form: ``names[]=a``, ``names=cpu*``)."""
    raw = doc.get("names")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(n, str) and n for n in raw):
        raise InvalidInputError.param("names", "must be a non-empty list of metric names or one pattern")
    return raw
