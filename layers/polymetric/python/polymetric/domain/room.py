"""Most of each kind of thing one organization may have, where a route reads them all (a listing, a name check,
the alert status summary): the number is bounded, so is the request. Past it, creating one more is a 400."""

from polymetric.errors import InvalidInputError

MAX_ALERTS = 2000
MAX_SERVICES = 1000
MAX_SPACES = 2000
MAX_ANNOTATION_STREAMS = 10_000
MAX_ARGUS_DESCRIPTORS = 1000


def check(what: str, count: int, most: int) -> None:
    """400 when the organization already has ``most`` of ``what`` (``count`` was counted up to ``most``)."""
    if count >= most:
        message = f"The organization has {most:,} {what}, the most it may have: delete some first."
        raise InvalidInputError(request=[message])
