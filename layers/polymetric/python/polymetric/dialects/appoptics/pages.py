"""The generic pagination parameters of list routes (seed: Pagination): offset, length, orderby, sort."""

from typing import TypedDict

from polymetric.dialects import contract
from polymetric.dialects.params import integer, one
from polymetric.errors import InvalidInputError

MAX_LENGTH = 100


def params(orders: tuple[str, ...]) -> tuple[contract.Param, ...]:
    """What ``page`` reads; ``orders`` are the use case's permissible ``orderby`` values."""
    return (
        contract.integer("offset", "Index of the first item", minimum=0),
        contract.integer("length", "Items per page", minimum=1, maximum=MAX_LENGTH),
        contract.string("orderby", enum=orders),
        contract.string("sort", enum=("asc", "desc")),
    )


class Page(TypedDict):
    offset: int
    length: int
    orderby: str | None
    descending: bool


def page(values: dict[str, list[str]]) -> Page:
    """The page asked for; ``orderby`` is checked by the use case, which knows its permissible values."""
    sort = (one(values, "sort") or "asc").lower()
    if sort not in ("asc", "desc"):
        raise InvalidInputError.param("sort", "must be asc or desc")
    return Page(
        offset=integer(values, "offset", minimum=0) or 0,
        length=integer(values, "length", minimum=1, maximum=MAX_LENGTH) or MAX_LENGTH,
        orderby=one(values, "orderby") or None,
        descending=sort == "desc",
    )
