"""Every DynamoDB key Polymetric writes, and nothing else.

Keys are strings; numbers inside them are zero-padded so that they sort. Every key but the token
lookup starts with ``T#{tenant}#`` and is built from the *authenticated* tenant, never from
request fields. Metric names inside keys are lower-cased (the metric namespace is
case-insensitive); the name as first written is kept in the item.

Meta table (``pk``, ``sk``)::

    T#{t}                       ORG                    organization
    ORGS                        {t}                    every organization (global: the compaction planner
                                                       lists them) with its compaction watermarks: planned
                                                       (last hour whose round is written) and done (hours
                                                       before it are compacted)
    TOKEN#{sha256(token)}       TOKEN                  API token: tenant, id, role, active, environment (auth
                                                       resolves a token before it knows the tenant: global key)
    T#{t}#TOKENS                {id}                   the same token as its organization lists it: the hash,
                                                       a masked form, name (written with the global item in
                                                       one transaction)
    T#{t}#ENVS                  {id}                   environment: name
    T#{t}#RATE                  {token id}             rate-limit counters of the token's current window
    T#{t}#ENVNAMES              {name}                 environment name -> id (keeps names unique)
    SEQ                         {name}                 counter of integer ids (jobs, tokens, environments):
                                                       global, so no two organizations share an id
    T#{t}#JOBS                  {id}                   job: kind, state, progress, units done of total, errors,
                                                       spec (what it does)
    T#{t}#JOBS                  {id}#B{n}              batch n of the job's work (metric names), until it ends
    T#{t}#METRICS               {metric}               metric: name as written, type, period, attributes
    T#{t}#ANNSTREAMS            {stream}               annotation stream: name as written
    T#{t}#ANN#{stream}          {start}#{id}           annotation event
    T#{t}#ANN#{stream}          ID#{id}                where event {id} is: its start (GET/PUT/DELETE by id);
                                                       "I" sorts after digits, so time ranges never see it
    T#{t}#SPACES                {space id}             space: name, chart ids in display order
    T#{t}#CHARTS                {chart id}             chart: space id, type, attributes, streams (JSON)
    T#{t}#SNAPSHOTS             {snapshot id}          snapshot: subject, window, job id, image key
    T#{t}#CHECKKINDS            {metric}               OddEye check: type and reaction last sent
    T#{t}#SPARSE                {metric}               sparse-data strategy of a metric + lifetime max/min/last
    T#{t}#CW#ELEMENTS           {element id}           CloudWisdom element: metadata, metrics, counter baselines
    T#{t}#CW#CHECKS             {fqn}#{check}          CloudWisdom heartbeat of a check: last post, TTL
    T#{t}#SEQ                   SEQ                    the organization's id counter (alerts, conditions, services)
    T#{t}#ALERTS                {alert id}             alert: name, conditions (JSON), service ids, settings
    T#{t}#ALERTNAMES            {alert name}           alert name -> id (written with the alert, so names stay unique)
    T#{t}#SERVICES              {service id}           notification service: type, title, settings
    T#{t}#ALERTSTATE            {alert id}             evaluator state: triggered, since, per-stream map
    T#{t}#DELIVERY#{alert id}   {at ms}#{delivery}#{n} one delivery attempt of a notification and its outcome
    T#{t}#DELIVERED             {delivery id}          a notification that reached its receiver (redeliveries skip it)
    ALERTORGS                   {t}                    organizations that have alerts (global: the evaluator
                                                       schedule has no tenant)
    CHECKDUE#{shard}            {deadline}#{t}#{fqn}#{check}
                                                       when a check's TTL runs out (global, like tokens: the
                                                       schedule that reports missed checks has no tenant)
    T#{t}#ARGUS#DESC            {descriptor id}        Argus metric descriptor (shortName inside)
    T#{t}#ARGUS#R#{descriptor}  {ts ms}#{record id}    Argus record as submitted (dedup first/last: the
                                                       record id is a hash of customer + keys + time frame)

Samples table (``pk``, ``sk``, TTL attribute ``ttl``; sparse GSI ``PendingIndex`` on ``gpk``/``gsk``)::

    T#{t}#M#{metric}#H#{hour}   {recv_ms}#{req}[#{part}] hot slab: one per (metric, hour) per POST (parts when
                                                       over 380 KB); TTL 2 d past the hour's end or its arrival
    T#{t}#M#{metric}#H#{hour}   ~SHARDED               the hour also has sharded slabs (below)
    T#{t}#M#{metric}#H#{hour}#{shard}  {recv_ms}#{req}[#{part}]
                                                       a POST of SHARD_ROWS or more rows for one metric-hour:
                                                       its rows by shard (the series id's first byte, 256),
                                                       so a read of a few series reads their shards only
    T#{t}#M#{metric}#HOURS      {hour}                 late data: slabs written to an hour after it closed;
                                                       carries ``token`` (rewritten by every late write)
                                                       and, for the compactor's planner, gpk
                                                       PENDING#{shard} / gsk {hour}#{tenant}#{metric}
    T#{t}#ROUNDS                {hour}#HEAD            on-time compaction round of an hour: its chunk ids
                                                       (a chunk: metrics compacted by one queue message)
                                                       and when they were last queued
    T#{t}#ROUNDS                {hour}#C{chunk}        that chunk is compacted; round items' TTL hour + 7 d
    T#{t}#M#{metric}#SER        {sid}                  series index: tags as first written, ``seen`` (the
                                                       last day it took samples); TTL seen + 559 d
    T#{t}#M#{metric}#TAG#{name} {value}#{sid}          posting: the series with that tag value (same
                                                       attributes), so a tag filter reads what it selects
    T#{t}#M#{metric}#B#{gen}    {hour}#{sid}           chunk of hour blocks: the samples of a run of the metric's
                                                       series in that hour, from ``sid`` up to the next chunk's
                                                       (no sid: the hour's first chunk) (``tiers.py``); TTL 32 d
    T#{t}#M#{metric}#R#{gen}    {day}#{sid}            chunk of rollups: hourly rows of a run of series that day;
                                                       TTL 558 d

``hour`` and ``day`` are the epoch seconds of their start, 10 digits; ``sid`` is the 24-hex-digit
series id (``models.series.series_id``); ``gen`` is the metric's ``created_at``, so a metric deleted
and created again never sees the old chunks.
"""

import zlib

from polymetric.models.hours import DAY as DAY
from polymetric.models.hours import HOUR as HOUR
from polymetric.models.hours import day_of as day_of
from polymetric.models.hours import hour_of as hour_of

# (HOUR, DAY, hour_of, day_of: the time grain of every key below, re-exported for storage)
PENDING_SHARDS = 4


def _epoch(t: int) -> str:
    return f"{t:010d}"


def org(tenant: str) -> tuple[str, str]:
    return f"T#{tenant}", "ORG"


ORGS_PK = "ORGS"


def org_listing(tenant: str) -> tuple[str, str]:
    return ORGS_PK, tenant


def token(token_hash: str) -> tuple[str, str]:
    return f"TOKEN#{token_hash}", "TOKEN"


SEQUENCES_PK = "SEQ"


def sequence(name: str) -> tuple[str, str]:
    return SEQUENCES_PK, name


def jobs_pk(tenant: str) -> str:
    return f"T#{tenant}#JOBS"


def job(tenant: str, job_id: int) -> tuple[str, str]:
    return jobs_pk(tenant), f"{job_id:012d}"


def tokens_pk(tenant: str) -> str:
    return f"T#{tenant}#TOKENS"


def tenant_token(tenant: str, token_id: int) -> tuple[str, str]:
    return tokens_pk(tenant), f"{token_id:012d}"


def rate_limit(tenant: str, token_id: str) -> tuple[str, str]:
    return f"T#{tenant}#RATE", token_id


def environments_pk(tenant: str) -> str:
    return f"T#{tenant}#ENVS"


def environment(tenant: str, environment_id: int) -> tuple[str, str]:
    return environments_pk(tenant), f"{environment_id:012d}"


def environment_name(tenant: str, name_lower: str) -> tuple[str, str]:
    return f"T#{tenant}#ENVNAMES", name_lower


def job_batch(tenant: str, job_id: int, index: int) -> tuple[str, str]:
    return jobs_pk(tenant), f"{job_id:012d}#B{index:06d}"


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


def annotation_id_sk(event_id: int) -> str:
    return f"ID#{event_id:019d}"


def spaces_pk(tenant: str) -> str:
    return f"T#{tenant}#SPACES"


def charts_pk(tenant: str) -> str:
    return f"T#{tenant}#CHARTS"


def snapshots_pk(tenant: str) -> str:
    return f"T#{tenant}#SNAPSHOTS"


def numeric_id_sk(numeric_id: int) -> str:
    return f"{numeric_id:019d}"


def check_kinds_pk(tenant: str) -> str:
    return f"T#{tenant}#CHECKKINDS"


def series_registry_pk(tenant: str, metric_lower: str) -> str:
    return f"T#{tenant}#M#{metric_lower}#SER"


POSTING_SEPARATOR = "#"  # tag names and values never hold one (measurement rules)


def series_posting(tenant: str, metric_lower: str, name_lower: str, value_lower: str, sid_hex: str) -> tuple[str, str]:
    """Posting of a series under one of its tags; with ``sid_hex`` empty, the sort key prefix of that value."""
    return f"T#{tenant}#M#{metric_lower}#TAG#{name_lower}", f"{value_lower}{POSTING_SEPARATOR}{sid_hex}"


def posting_sid(sk: str) -> str:
    return sk.rsplit(POSTING_SEPARATOR, 1)[1]


SLAB_SHARDS = 256
SHARDED_SK = "~SHARDED"  # sorts after every slab of the hour's main partition


def hot_slab_pk(tenant: str, metric_lower: str, hour: int, shard: int | None = None) -> str:
    """The hour's main slab partition, or (``shard``, 0..255: a series id's first byte) one of its shards."""
    main = f"T#{tenant}#M#{metric_lower}#H#{_epoch(hour)}"
    return main if shard is None else f"{main}#{shard:03d}"


def slab_shard(sid: bytes) -> int:
    return sid[0]


def hot_slab_sk(received_ms: int, request_id: str, part: int = 0) -> str:
    """Parts after the first of a split slab sort right after it, in order."""
    return f"{received_ms:013d}#{request_id}" + (f"#{part:03d}" if part else "")


def hours_pk(tenant: str, metric_lower: str) -> str:
    return f"T#{tenant}#M#{metric_lower}#HOURS"


def hour_sk(hour: int) -> str:
    return _epoch(hour)


def rounds_pk(tenant: str) -> str:
    return f"T#{tenant}#ROUNDS"


def round_sk(hour: int, part: str) -> str:
    """``part``: HEAD or C{chunk id}."""
    return f"{_epoch(hour)}#{part}"


def block_chunks_pk(tenant: str, metric_lower: str, generation: int) -> str:
    return f"T#{tenant}#M#{metric_lower}#B#{generation}"


def rollup_chunks_pk(tenant: str, metric_lower: str, generation: int) -> str:
    return f"T#{tenant}#M#{metric_lower}#R#{generation}"


def chunk_sk(start: int, sid_hex: str = "") -> str:
    """The chunk of the period (hour or day) starting at ``start`` that covers sids from ``sid_hex`` on;
    with no sid, the period's first chunk (it covers the lowest sids)."""
    return f"{_epoch(start)}#{sid_hex}"


def chunk_sid(sk: str) -> str:
    return sk.rsplit("#", 1)[1]


def pending_gsi(tenant: str, metric_lower: str, hour: int) -> tuple[str, str]:
    """GSI key of an uncompacted hour: a few shards, sorted by hour, so the planner reads only closed hours."""
    shard = zlib.crc32(f"{tenant}#{metric_lower}".encode()) % PENDING_SHARDS
    return pending_gpk(shard), f"{_epoch(hour)}#{tenant}#{metric_lower}"


def pending_gpk(shard: int) -> str:
    return f"PENDING#{shard}"


def pending_gsk_below(hour: int | None) -> str:
    """The PendingIndex sort key every hour before ``hour`` sorts below (every hour at all with None)."""
    return "~" if hour is None else _epoch(hour)


COMPACTION_SHARDS = 8


def compaction_group(tenant: str, metric_lower: str) -> str:
    """The FIFO message group of a metric's compaction: one worker at a time per group."""
    return f"{tenant}#{zlib.crc32(f'{tenant}#{metric_lower}'.encode()) % COMPACTION_SHARDS:02d}"


def parse_pending_sk(gsk: str) -> tuple[int, str, str]:
    """(hour, tenant, metric) of a PendingIndex sort key."""
    hour, tenant, metric_lower = gsk.split("#", 2)
    return int(hour), tenant, metric_lower


def sparse_pk(tenant: str) -> str:
    return f"T#{tenant}#SPARSE"


def cloudwisdom_elements_pk(tenant: str) -> str:
    return f"T#{tenant}#CW#ELEMENTS"


def cloudwisdom_heartbeats_pk(tenant: str) -> str:
    return f"T#{tenant}#CW#CHECKS"  # "CHECKS": the key stored items already have


def argus_descriptors_pk(tenant: str) -> str:
    return f"T#{tenant}#ARGUS#DESC"


def argus_records_pk(tenant: str, descriptor_id: str) -> str:
    return f"T#{tenant}#ARGUS#R#{descriptor_id}"


def argus_record_sk(timestamp_ms: int, record_id: str) -> str:
    return f"{timestamp_ms:013d}#{record_id}"


HEARTBEAT_SHARDS = 4


def heartbeat_due(tenant: str, element_fqn_lower: str, check_lower: str, deadline: int) -> tuple[str, str]:
    shard = zlib.crc32(f"{tenant}#{element_fqn_lower}#{check_lower}".encode()) % HEARTBEAT_SHARDS
    return heartbeat_due_pk(shard), f"{_epoch(deadline)}#{tenant}#{element_fqn_lower}#{check_lower}"


def heartbeat_due_pk(shard: int) -> str:
    return f"CHECKDUE#{shard}"


def heartbeat_due_sk_below(now: int) -> str:
    """Deadline keys before ``now`` sort below this."""
    return _epoch(now)


def parse_heartbeat_due_sk(sk: str) -> int:
    """The deadline of a CHECKDUE sort key."""
    return int(sk.split("#", 1)[0])


ID_DIGITS = 12


def id_counter(tenant: str) -> tuple[str, str]:
    return f"T#{tenant}#SEQ", "SEQ"


def alerts_pk(tenant: str) -> str:
    return f"T#{tenant}#ALERTS"


def alert(tenant: str, alert_id: int) -> tuple[str, str]:
    return alerts_pk(tenant), f"{alert_id:0{ID_DIGITS}d}"


def alert_name(tenant: str, name_lower: str) -> tuple[str, str]:
    return f"T#{tenant}#ALERTNAMES", name_lower


def services_pk(tenant: str) -> str:
    return f"T#{tenant}#SERVICES"


def service(tenant: str, service_id: int) -> tuple[str, str]:
    return services_pk(tenant), f"{service_id:0{ID_DIGITS}d}"


def alert_states_pk(tenant: str) -> str:
    return f"T#{tenant}#ALERTSTATE"


def alert_state(tenant: str, alert_id: int) -> tuple[str, str]:
    return alert_states_pk(tenant), f"{alert_id:0{ID_DIGITS}d}"


def deliveries_pk(tenant: str, alert_id: int) -> str:
    return f"T#{tenant}#DELIVERY#{alert_id:0{ID_DIGITS}d}"


def delivery_sk(at_ms: int, delivery_id: str, attempt: int) -> str:
    return f"{at_ms:013d}#{delivery_id}#{attempt:03d}"


def delivered(tenant: str, delivery_id: str) -> tuple[str, str]:
    return f"T#{tenant}#DELIVERED", delivery_id


ALERT_ORGS_PK = "ALERTORGS"


def alert_org(tenant: str) -> tuple[str, str]:
    return ALERT_ORGS_PK, tenant
