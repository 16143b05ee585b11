"""Every DynamoDB key Polymetric writes, and nothing else.

Keys are strings; numbers inside them are zero-padded so that they sort. Every key but the token
lookup starts with ``T#{tenant}#`` and is built from the *authenticated* tenant, never from
request fields. Metric names inside keys are lower-cased (the metric namespace is
case-insensitive); the name as first written is kept in the item.

Meta table (``pk``, ``sk``)::

    T#{t}                       ORG                    organization
    TOKEN#{sha256(token)}       TOKEN                  API token: tenant, role (auth resolves a token
                                                       before it knows the tenant, so this key is global)
    T#{t}#METRICS               {metric}               metric: name as written, type, period, attributes
    T#{t}#M#{metric}#SER        {sid}                  series registry: tags as first written
    T#{t}#ANNSTREAMS            {stream}               annotation stream: name as written
    T#{t}#ANN#{stream}          {start}#{id}           annotation event

Samples table (``pk``, ``sk``, TTL attribute ``ttl``)::

    T#{t}#M#{metric}#H#{hour}   {recv_ms}#{req}        hot slab: one per (metric, hour) per POST
    T#{t}#M#{metric}#HOURS      {hour}                 hours holding hot slabs (read path, compactor)
    T#{t}#S#{sid}               B60#{hour}             60 s hour block of one series (compactor, issue 3)
    T#{t}#S#{sid}               R3600#{day}            hourly rollups of one series-day (compactor, issue 3)

``hour`` and ``day`` are the epoch seconds of their start, 10 digits; ``sid`` is the 24-hex-digit
series id (``models.series.series_id``).
"""

HOUR = 3600
DAY = 86400


def _epoch(t: int) -> str:
    return f"{t:010d}"


def org(tenant: str) -> tuple[str, str]:
    return f"T#{tenant}", "ORG"


def token(token_hash: str) -> tuple[str, str]:
    return f"TOKEN#{token_hash}", "TOKEN"


def metrics_pk(tenant: str) -> str:
    return f"T#{tenant}#METRICS"


def metric(tenant: str, metric_lower: str) -> tuple[str, str]:
    return metrics_pk(tenant), metric_lower


def annotation_streams_pk(tenant: str) -> str:
    return f"T#{tenant}#ANNSTREAMS"


def annotations_pk(tenant: str, stream_lower: str) -> str:
    return f"T#{tenant}#ANN#{stream_lower}"


def annotation_sk(start_time: int, event_id: int) -> str:
    return f"{_epoch(start_time)}#{event_id:019d}"


def series_registry_pk(tenant: str, metric_lower: str) -> str:
    return f"T#{tenant}#M#{metric_lower}#SER"


def hot_slab_pk(tenant: str, metric_lower: str, hour: int) -> str:
    return f"T#{tenant}#M#{metric_lower}#H#{_epoch(hour)}"


def hot_slab_sk(received_ms: int, request_id: str) -> str:
    return f"{received_ms:013d}#{request_id}"


def hours_pk(tenant: str, metric_lower: str) -> str:
    return f"T#{tenant}#M#{metric_lower}#HOURS"


def hour_sk(hour: int) -> str:
    return _epoch(hour)


def hour_of(t: int) -> int:
    return t - t % HOUR
