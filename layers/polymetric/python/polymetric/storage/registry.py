"""Series registry: which series a metric has, with their tags as first written (Meta table)."""

import itertools
from collections.abc import Mapping

from polymetric.config import get_settings
from polymetric.models.series import Series
from polymetric.storage import batch, keys
from polymetric.storage.cache import TtlCache

_registered = TtlCache()


def ensure(
    tenant: str, metric_lower: str, generation: int, series: Mapping[bytes, Mapping[str, str]], first_hour: int
) -> int:
    """Register series not seen yet. One BatchGetItem per 100 unknown series, then puts for the missing ones.

    Two writers racing on a brand-new series both put it; the tags then come from the later one,
    which differs from the earlier at most in letter case. Returns the number of series created.
    """
    table = get_settings().META_TABLE
    pk = keys.series_registry_pk(tenant, metric_lower)
    unknown = [sid for sid in series if not _registered.fresh((table, tenant, metric_lower, generation, sid))]
    if not unknown:
        return 0
    found = batch.get(table, [{"pk": {"S": pk}, "sk": {"S": sid.hex()}} for sid in unknown], projection="sk")
    existing = {bytes.fromhex(i["sk"]["S"]) for i in found}
    missing = [sid for sid in unknown if sid not in existing]
    batch.write(
        table,
        [
            {
                "pk": {"S": pk},
                "sk": {"S": sid.hex()},
                "tags": {"M": {k: {"S": v} for k, v in series[sid].items()}},
                "first_hour": {"N": str(first_hour)},
            }
            for sid in missing
        ],
    )
    for sid in unknown:
        _registered.add((table, tenant, metric_lower, generation, sid))
    return len(missing)


def load(tenant: str, metric_lower: str) -> list[Series]:
    table = get_settings().META_TABLE
    return [
        Series(bytes.fromhex(i["sk"]["S"]), {k: v["S"] for k, v in i.get("tags", {}).get("M", {}).items()})
        for i in batch.query(table, keys.series_registry_pk(tenant, metric_lower))
    ]


def has_more_than(tenant: str, metric_lower: str, limit: int) -> bool:
    """Whether the metric has more than ``limit`` series (reads at most limit + 1 keys)."""
    found = itertools.islice(
        batch.query(get_settings().META_TABLE, keys.series_registry_pk(tenant, metric_lower), projection="sk"),
        limit + 1,
    )
    return sum(1 for _ in found) > limit


def delete(tenant: str, metric_lower: str, known: list[Series] | None = None) -> int:
    """Delete the metric's series registry; ``known``: the series just loaded (saves reading them again)."""
    table = get_settings().META_TABLE
    pk = keys.series_registry_pk(tenant, metric_lower)
    if known is None:
        doomed = [{"pk": i["pk"], "sk": i["sk"]} for i in batch.query(table, pk, projection="pk, sk")]
    else:
        doomed = [{"pk": {"S": pk}, "sk": {"S": s.sid.hex()}} for s in known]
    batch.write(table, deletes=doomed)
    _registered.clear()
    return len(doomed)
