"""The one read seam of plain and composite queries: pick a metric's series, read their buckets."""

from collections.abc import Sequence

from polymetric.domain import tiered
from polymetric.errors import InvalidInputError, ReadLimitError
from polymetric.models.metric import Metric
from polymetric.models.query import ReadBudget
from polymetric.models.series import Series
from polymetric.models.tags import TagFilter, TagMatcher
from polymetric.query import limits, resample
from polymetric.storage import registry


def select_series(
    tenant: str,
    metric: Metric,
    tags: TagMatcher,
    group_by: tuple[str, ...] = (),
    since: int = 0,
    budget: ReadBudget | None = None,
) -> list[Series]:
    """The metric's series whose tags match (and that carry every group_by tag), sorted by tag pairs.

    ``since``: the read's start; series that stopped taking samples on an earlier day are left out. A tag
    filter that requires a value (or a value prefix) of some tag reads only that value's postings. The index
    entries read are spent from ``budget`` (one request's, shared by the metrics it reads; by default
    ``limits.MAX_INDEXED_SERIES``): past it a 400 says how to narrow the query.
    """
    wanted = [g.lower() for g in group_by if g != "*"]
    lookups = postings(tags)
    budget = budget if budget is not None else ReadBudget(limits.MAX_INDEXED_SERIES)
    try:
        candidates = _candidates(tenant, metric, lookups, since, budget)
    except ReadLimitError:
        raise InvalidInputError(
            request=[
                f"The query goes through more than {limits.MAX_INDEXED_SERIES:,} indexed series"
                f" (reading {metric.name}): {limits.NARROW_INDEX}"
            ]
        ) from None
    chosen = [s for s in candidates if tags.matches(s.tags) and all(g in {k.lower() for k in s.tags} for g in wanted)]
    return sorted(chosen, key=lambda s: s.sort_key)


def select_any(tenant: str, metric: Metric, filters: Sequence[TagFilter], since: int = 0) -> list[Series]:
    """The metric's series that any of ``filters`` selects (the alert tick reads every condition on a metric at
    once), that took samples on the day of ``since`` or later, in index order.

    When every filter requires a value (or prefix) of some tag, only those values' postings are read, as for
    a query; otherwise the whole index. No budget: the tick is no request, and what it reads grows with the
    series the conditions select, not with every series the metric ever had.
    """
    each = [postings(f) for f in filters]
    # Any filter without postings can match series no posting lists: then every series is read.
    lookups = list(dict.fromkeys(lookup for found in each for lookup in found)) if each and all(each) else []
    chosen = [s for s in _candidates(tenant, metric, lookups, since) if any(f.matches(s.tags) for f in filters)]
    return sorted(chosen, key=lambda s: s.sid)


def _candidates(
    tenant: str, metric: Metric, lookups: list[registry.Lookup], since: int, budget: ReadBudget | None = None
) -> list[Series]:
    """The series of these postings, or with none every indexed series (that took samples since ``since``)."""
    if lookups:
        return registry.lookup(tenant, metric.key, lookups, since, budget=budget)
    return registry.load(tenant, metric.key, since, budget=budget)


def postings(tags: TagMatcher) -> list[registry.Lookup]:
    """Values one tag of every matching series must have (OR of them), or none to read every series.

    A term qualifies when its name has no wildcard, it requires the tag, and each of its patterns starts
    with at least one literal character; a term of exact values is preferred over prefixes.
    """
    if not isinstance(tags, TagFilter):
        return []
    usable = [
        t
        for t in tags.terms
        if "*" not in t.name and not t.absent and t.positives and all(not p.startswith("*") for p in t.positives)
    ]
    if not usable:
        return []
    term = min(usable, key=lambda t: sum("*" in p for p in t.positives))
    return [registry.Lookup(term.name.lower(), p.lower().split("*")[0], prefix="*" in p) for p in term.positives]


def load_buckets(
    tenant: str, metric: Metric, series: list[Series], start: int, end: int, resolution: int
) -> tuple[resample.Buckets, int]:
    """Merged (count, sum, min, max, last, sumsq) per series and bucket of ``resolution`` seconds in [start, end].

    ``Buckets.series`` indexes ``series``. It picks the storage tier. Returns the buckets and the number of
    items read.
    """
    return tiered.load(tenant, metric, series, start, end, resolution)
