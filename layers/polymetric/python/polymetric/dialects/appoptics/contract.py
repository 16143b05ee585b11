"""What every AppOptics/Librato v1 route takes and answers (seed sections of each route), for the OpenAPI document.

Bodies are TypedDicts that pydantic turns into JSON Schema: the fields the readers of this package (and the
domain's alert rules) look at, with their types. The query parameters come from the readers themselves
(``pages.params``, ``listing.PARAMS``, ``queries.PARAMS``...). Imported only by ``dialects/openapi.py``.
"""

from typing import Annotated, Any, Literal, Required

from pydantic import ConfigDict, Field
from typing_extensions import TypeAliasType, TypedDict

from polymetric.dialects import contract
from polymetric.dialects.appoptics import accounts, compose, listing, pages, queries, sources
from polymetric.dialects.appoptics.measurements import MeasurementsPostIn
from polymetric.dialects.contract import FORM, JSON, Answer, Operation, Param

BOTH = (JSON, FORM)
STRICT = ConfigDict(extra="forbid")  # the readers refuse properties they do not know
Text = Annotated[str, Field(max_length=255)]
Name = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9.:\-_]+$")]  # alert and metric names
EnvironmentName = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[-.:_?\\/\w ]+$")]
Attributes = dict[str, Any]
Number = int | float


# --- shared shapes -----------------------------------------------------------------------------------------


class Query(TypedDict):
    found: int
    length: int
    offset: int
    total: int


class Summary(TypedDict):
    total: int
    accepted: int
    failed: int
    filtered: int


class ItemError(TypedDict, total=False):
    param: str
    value: Any
    reason: str


class MeasurementsSummaryBody(TypedDict):
    measurements: dict[Literal["summary"], Summary]
    errors: list[dict[str, Any]]


class Errors(TypedDict, total=False):
    params: dict[str, list[str]]
    request: list[str]
    system: list[str]


class AppOpticsError(TypedDict):
    """Seed: Error Messages."""

    errors: Errors


class Job(TypedDict, total=False):
    id: Required[int]
    state: Required[str]
    progress: Number
    output: Any
    errors: Any


# A refusal: the error object, or (a POST /v1/measurements that accepted nothing, a rate limit) the summary.
AppOpticsRefusal = TypeAliasType("AppOpticsRefusal", AppOpticsError | MeasurementsSummaryBody)


# --- metrics and measurements --------------------------------------------------------------------------------


class Metric(TypedDict, total=False):
    name: Required[str]
    display_name: Required[str | None]
    type: Required[str]
    description: Required[str | None]
    period: Required[int | None]
    source_lag: Required[None]
    attributes: Required[Attributes]
    composite: str | None


class LegacyPoint(TypedDict, total=False):
    """A legacy point: a summarized one (count > 1) also has ``sum``, and ``min``/``max`` where known."""

    measure_time: Required[int]
    value: Required[Number]
    count: Required[Number]
    sum: Number
    min: Number
    max: Number


class NextTime(TypedDict):
    next_time: int


class MetricMeasurements(Metric, total=False):
    """Legacy GET /v1/metrics/:name with a time interval: the metric and its measurements by source."""

    resolution: Required[int]
    measurements: Required[dict[str, list[LegacyPoint]]]
    query: NextTime


class MetricPage(TypedDict):
    query: Query
    metrics: list[Metric]


class MetricIn(TypedDict, total=False):
    """PUT /v1/metrics/:name; ``type: composite`` with ``composite`` makes a composite metric."""

    __pydantic_config__ = STRICT  # type: ignore[misc]
    type: Literal["gauge", "counter", "composite"]
    display_name: str | None
    description: str | None
    period: int | None
    attributes: Attributes
    composite: str


class MetricsBulkIn(TypedDict, total=False):
    """PUT/DELETE /v1/metrics: the metrics selected by ``names`` (a list, or one ``*`` pattern)."""

    __pydantic_config__ = STRICT  # type: ignore[misc]
    names: Required[Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | Name]
    display_name: str | None
    description: str | None
    period: int | None
    attributes: Attributes


Source = Annotated[str, Field(pattern=r"^[A-Za-z0-9 .:\-_?\\/]+$", min_length=1, max_length=255)]


class LegacyValues(TypedDict, total=False):
    """A ``value``, or a summary (``count``, ``sum``, ``min``, ``max``, ``sum_squares``)."""

    value: float
    count: Annotated[int, Field(ge=1)]
    sum: float
    min: float
    max: float
    sum_squares: float
    source: Source
    measure_time: int


class LegacyMeasurement(LegacyValues, total=False):
    name: Required[Name]


# A list, or the legacy hash form: an object keyed by metric name.
Legacy = (
    Annotated[list[LegacyMeasurement], Field(min_length=1)] | Annotated[dict[Name, LegacyValues], Field(min_length=1)]
)


class _LegacyFields(TypedDict, total=False):
    source: Source
    measure_time: int


class LegacyGauges(_LegacyFields, total=False):
    gauges: Required[Legacy]
    counters: Legacy


class LegacyCounters(_LegacyFields, total=False):
    gauges: Legacy
    counters: Required[Legacy]


# Legacy Librato POST /v1/metrics: at least one gauge or counter.
LegacyIn = LegacyGauges | LegacyCounters


class Point(TypedDict, total=False):
    time: Required[int]
    value: Number
    count: Number
    sum: Number
    min: Number
    max: Number
    last: Number
    stddev: Number


class Series(TypedDict):
    tags: dict[str, str]
    measurements: list[Point]


class Link(TypedDict, total=False):
    rel: Required[str]
    href: Required[str]
    label: str


class MeasurementsBody(TypedDict):
    name: str
    resolution: int
    series: list[Series]
    links: list[Link]


class SourceMetric(TypedDict):
    name: str
    type: str
    attributes: Attributes
    period: int | None


class CompositeSeries(TypedDict):
    tags: dict[str, str]
    measurements: list[Point]
    metric: SourceMetric
    period: int | None


# --- annotations ---------------------------------------------------------------------------------------------


class LinkIn(TypedDict, total=False):
    rel: Required[str]
    href: Required[str]
    label: str


class AnnotationIn(TypedDict, total=False):
    title: Required[Annotated[str, Field(min_length=1, max_length=255)]]
    description: str
    source: str
    start_time: int
    end_time: int
    links: list[LinkIn]


class AnnotationChangesIn(TypedDict, total=False):
    title: str
    description: str
    end_time: int
    links: list[LinkIn]


class StreamIn(TypedDict, total=False):
    display_name: str


class Annotation(TypedDict):
    id: int
    name: str
    title: str
    description: str | None
    source: str | None
    start_time: int
    end_time: int | None
    links: list[Link]


class Stream(TypedDict):
    name: str
    display_name: str | None


class StreamPage(TypedDict):
    query: Query
    annotations: list[Stream]


class StreamWindow(TypedDict):
    start_time: int | None
    end_time: int | None
    truncated: bool


class StreamEvents(TypedDict):
    name: str
    display_name: str | None
    events: list[dict[str, list[Annotation]]]
    query: StreamWindow


# --- api tokens, environments, organization ------------------------------------------------------------------

Role = Literal["admin", "recorder", "viewer"]


class TokenIn(TypedDict, total=False):
    name: Required[str]
    role: Role
    active: bool
    environment: str | None


class TokenChangesIn(TypedDict, total=False):
    name: str
    role: Role
    active: bool
    environment: str | None


class Token(TypedDict):
    id: int | str
    name: str
    token: str
    active: bool
    role: Role
    environment: str | None
    href: str
    created_at: str
    updated_at: str


class TokenPage(TypedDict):
    api_tokens: list[Token]
    query: Query


class EnvironmentIn(TypedDict, total=False):
    name: Required[EnvironmentName]


class Environment(TypedDict):
    id: int | str
    name: str
    created_at: int
    updated_at: int


class EnvironmentList(TypedDict):
    environments: list[Environment]
    query: Query


class Organization(TypedDict):
    id: str
    name: str
    created_at: int
    limits: dict[str, Any]
    counts: dict[str, int]


# --- spaces and charts ---------------------------------------------------------------------------------------


class TagSelectorIn(TypedDict, total=False):
    name: Required[str]
    values: list[str]
    dynamic: bool
    grouped: bool


class StreamSpec(TypedDict, total=False):
    """A chart stream: a ``metric`` with ``tags``, or a ``composite`` expression."""

    id: int
    metric: Name
    composite: str
    tags: list[TagSelectorIn]
    group_function: str
    summary_function: str
    downsample_function: str
    color: str
    name: str
    units_short: str
    units_long: str
    min: Number
    max: Number
    transform_function: str
    period: int
    position: int
    split_axis: bool
    type: str


class Threshold(TypedDict):
    operator: Literal[">", "<", "="]
    value: Number
    type: Literal["red", "yellow"]


class ChartChangesIn(TypedDict, total=False):
    name: Annotated[str, Field(min_length=1, max_length=255)]
    type: Literal["line", "stacked", "bignumber"]
    streams: list[StreamSpec]
    min: Number
    max: Number
    label: str
    related_space: int
    use_log_yaxis: bool
    use_last_value: bool
    thresholds: list[Threshold]


class ChartIn(ChartChangesIn, total=False):
    """POST /v1/spaces/:id/charts: a name is required."""

    name: Required[Annotated[str, Field(min_length=1, max_length=255)]]  # type: ignore[misc]


class Chart(TypedDict, total=False):
    id: Required[int]
    name: Required[str]
    type: Required[str]
    streams: Required[list[dict[str, Any]]]
    thresholds: Required[list[Threshold] | None]
    min: Number
    max: Number
    label: str
    related_space: int
    use_log_yaxis: bool
    use_last_value: bool


class SpaceIn(TypedDict, total=False):
    name: Required[Annotated[str, Field(min_length=1, max_length=255)]]
    tags: bool


class SpaceChangesIn(TypedDict, total=False):
    name: str


class Space(TypedDict, total=False):
    id: Required[int]
    name: Required[str]
    charts: list[dict[Literal["id"], int]]
    tags: bool


class SpacePage(TypedDict):
    query: Query
    spaces: list[Space]


# --- alerts and services -------------------------------------------------------------------------------------


class TagSpec(TypedDict, total=False):
    name: Required[str]
    grouped: bool
    values: list[str]


class ConditionIn(TypedDict, total=False):
    id: int
    type: Required[Literal["above", "below", "absent", "anomaly"]]
    metric_name: Required[Name]
    threshold: Number
    summary_function: str
    duration: int
    detect_reset: bool
    sensitivity: Number
    tags: list[TagSpec]


class AlertIn(TypedDict, total=False):
    name: Required[Name]
    description: str | None
    conditions: list[ConditionIn]
    services: list[int | str | dict[str, Any]]
    attributes: Attributes
    active: bool
    rearm_seconds: int
    rearm_per_signal: bool
    md: bool


class AlertChangesIn(TypedDict, total=False):
    name: Name
    description: str | None
    conditions: list[ConditionIn]
    services: list[int | str | dict[str, Any]]
    attributes: Attributes
    active: bool
    rearm_seconds: int
    rearm_per_signal: bool
    md: bool


class Condition(TypedDict, total=False):
    id: Required[int]
    type: Required[str]
    metric_name: Required[str]
    source: Required[None]
    threshold: Required[Number | None]
    summary_function: Required[str | None]
    duration: Required[int | None]
    detect_reset: Required[bool]
    tags: Required[list[TagSpec]]
    sensitivity: Number


Setting = Annotated[str, Field(min_length=1, max_length=4096)]
Url = Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$", max_length=4096)]


class UrlSettings(TypedDict):
    url: Url


class PagerDutySettings(TypedDict):
    service_key: Setting


class MailSettings(TypedDict):
    addresses: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}$")]


class SnsSettings(TypedDict):
    topic_arn: Annotated[str, Field(pattern=r"^arn:aws:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")]


class _ServiceFields(TypedDict, total=False):
    title: Required[Annotated[str, Field(min_length=1, max_length=255)]]


class WebhookIn(_ServiceFields):
    type: Required[Literal["webhook", "slack"]]
    settings: Required[UrlSettings]


class PagerDutyIn(_ServiceFields):
    type: Required[Literal["pagerduty"]]
    settings: Required[PagerDutySettings]


class MailIn(_ServiceFields):
    type: Required[Literal["mail"]]
    settings: Required[MailSettings]


class SnsIn(_ServiceFields):
    type: Required[Literal["sns"]]
    settings: Required[SnsSettings]


# POST /v1/services: ``settings`` as the ``type`` needs them (domain/alert_rules.service_settings).
ServiceIn = WebhookIn | PagerDutyIn | MailIn | SnsIn


class ServiceChangesIn(TypedDict, total=False):
    title: str
    type: Literal["webhook", "slack", "pagerduty", "mail", "sns"]
    settings: dict[str, Any]


class Service(TypedDict):
    id: int
    type: str
    settings: dict[str, Any]
    title: str


class ServicePage(TypedDict):
    query: Query
    services: list[Service]


class Alert(TypedDict):
    id: int
    name: str
    description: str | None
    conditions: list[Condition]
    services: list[Service]
    attributes: Attributes
    active: bool
    created_at: int
    updated_at: int
    version: int
    rearm_seconds: int
    rearm_per_signal: bool
    md: bool


class AlertPage(TypedDict):
    query: Query
    alerts: list[Alert]


class AlertServiceIn(TypedDict, total=False):
    service: Required[Annotated[int, Field(ge=1)]]


class Delivery(TypedDict):
    delivery_id: str
    service_id: int
    service_type: str
    kind: str
    attempt: int
    at: int
    outcome: str
    detail: str | None


class AlertStatus(TypedDict, total=False):
    alert: Required[dict[Literal["id"], int]]
    status: Required[Literal["triggered", "ok"]]
    triggered_at: int | None
    cleared_at: int | None
    streams: list[dict[str, Any]]
    deliveries: list[Delivery]


class StatusSummary(TypedDict):
    cleared: list[dict[str, int | None]]
    firing: list[dict[str, int | None]]


# --- snapshots, elements -------------------------------------------------------------------------------------


class SnapshotChart(TypedDict, total=False):
    id: Required[Annotated[int, Field(ge=1)]]
    type: Literal["line", "stacked", "bignumber"]
    tags: list[TagSelectorIn]


class Subject(TypedDict):
    chart: SnapshotChart


class SnapshotIn(TypedDict, total=False):
    subject: Required[Subject]
    duration: Annotated[int, Field(ge=1)]
    end_time: Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")]


class Snapshot(TypedDict):
    href: str
    job_href: str
    image_href: str | None
    duration: int
    end_time: str
    created_at: str
    updated_at: str
    subject: dict[Literal["chart"], dict[str, Any]]
    state: str


class ElementMetric(TypedDict):
    id: str
    name: str | None
    unit: str | None
    type: str | None
    sparseDataStrategy: str | None
    tags: dict[str, str]


class Element(TypedDict):
    id: str
    name: str | None
    type: str | None
    location: str | None
    attributes: dict[str, Any]
    tags: dict[str, str]
    relations: list[Any]
    metrics: list[ElementMetric]
    updated_at: int


class ElementPage(TypedDict):
    query: Query
    elements: list[Element]


# --- the routes ----------------------------------------------------------------------------------------------

OK = Answer(None, "Done")
NO_CONTENT = {204: OK}
DONE_OR_JOB = {204: OK, 202: Answer(Job, "A job does it: Location names it")}
ALERT_ORDERS = ("updated_at", "name", "id")  # domain/alerts.ORDERS
SERVICE_ORDERS = ("title", "updated_at")  # domain/services.ORDERS
NAME = contract.string("name", "Only this name")
WHOLE_ID = {"id": {"type": "string", "pattern": "^[0-9]+$"}}

OPERATIONS: dict[tuple[str, str], Operation] = {
    # measurements (seed: Measurements)
    ("post", "/v1/measurements"): Operation(
        "Create measurements",
        {202: Answer(MeasurementsSummaryBody, "Accepted; failed ones listed with the summary")},
        body=MeasurementsPostIn,
        body_required=True,
        example={"tags": {"region": "us-east-1"}, "measurements": [{"name": "cpu", "value": 4.5}]},
        errors=(415,),
    ),
    ("get", "/v1/measurements/{name}"): Operation(
        "Retrieve measurements", {200: Answer(MeasurementsBody)}, params=queries.PARAMS
    ),
    ("get", "/v1/measurements"): Operation(
        "Composite query", {200: Answer(list[CompositeSeries])}, params=compose.PARAMS
    ),
    # metrics (seed: Metrics)
    ("get", "/v1/metrics"): Operation(
        "List metrics, or a composite query with compose",
        {200: Answer(MetricPage | list[CompositeSeries])},
        params=(
            *listing.PARAMS,
            contract.string("compose", "A composite expression: answers its series"),
            *(Param(p.name, p.schema, description=p.description) for p in compose.PARAMS if p.name != "compose"),
        ),
    ),
    ("post", "/v1/metrics"): Operation(
        "Legacy Librato gauges and counters",
        {200: OK},
        body=LegacyIn,
        media=BOTH,
        example={"gauges": [{"name": "cpu.load", "value": 0.42, "source": "web-1"}]},
    ),
    ("put", "/v1/metrics"): Operation("Update metrics in bulk", DONE_OR_JOB, body=MetricsBulkIn, media=BOTH),
    ("delete", "/v1/metrics"): Operation("Delete metrics in bulk", DONE_OR_JOB, body=MetricsBulkIn, media=BOTH),
    ("get", "/v1/metrics/{name}"): Operation(
        "Retrieve a metric; with a time interval (legacy Librato) also its measurements by source",
        {200: Answer(Metric | MetricMeasurements)},
        params=sources.PARAMS,
    ),
    ("put", "/v1/metrics/{name}"): Operation(
        "Create or update a metric", {201: Answer(Metric, "Created"), 204: OK}, body=MetricIn, media=BOTH
    ),
    ("delete", "/v1/metrics/{name}"): Operation("Delete a metric", DONE_OR_JOB),
    # annotations (seed: Annotations)
    ("get", "/v1/annotations"): Operation("List streams", {200: Answer(StreamPage)}, params=listing.PARAMS),
    ("get", "/v1/annotations/{name}"): Operation(
        "Events of a stream",
        {200: Answer(StreamEvents)},
        params=(*queries.WINDOW[:2], Param("sources", {"type": "array", "items": {"type": "string"}})),
    ),
    ("post", "/v1/annotations/{name}"): Operation(
        "Create an event", {201: Answer(Annotation, "Created")}, body=AnnotationIn, body_required=True, media=BOTH
    ),
    ("put", "/v1/annotations/{name}"): Operation("Update a stream", {200: Answer(Stream)}, body=StreamIn, media=BOTH),
    ("delete", "/v1/annotations/{name}"): Operation("Delete a stream (a job when it has many events)", DONE_OR_JOB),
    ("get", "/v1/annotations/{name}/{id}"): Operation(
        "Retrieve an event", {200: Answer(Annotation)}, path_schemas=WHOLE_ID
    ),
    ("put", "/v1/annotations/{name}/{id}"): Operation(
        "Update an event",
        NO_CONTENT,
        body=AnnotationChangesIn,
        body_required=True,
        media=BOTH,
        path_schemas=WHOLE_ID,
    ),
    ("delete", "/v1/annotations/{name}/{id}"): Operation("Delete an event", NO_CONTENT, path_schemas=WHOLE_ID),
    ("post", "/v1/annotations/{name}/{id}/links"): Operation(
        "Add a link",
        {201: Answer(Link, "Created")},
        body=LinkIn,
        body_required=True,
        media=BOTH,
        path_schemas=WHOLE_ID,
    ),
    ("delete", "/v1/annotations/{name}/{id}/links/{link}"): Operation(
        "Delete a link", NO_CONTENT, path_schemas=WHOLE_ID
    ),
    # jobs, tokens, environments, organization
    ("get", "/v1/jobs/{id}"): Operation("Job state", {200: Answer(Job)}),
    ("post", "/v1/api_tokens"): Operation(
        "Create a token",
        {201: Answer(Token, "Created; the only answer with the secret")},
        body=TokenIn,
        body_required=True,
        media=BOTH,
    ),
    ("get", "/v1/api_tokens"): Operation("List tokens", {200: Answer(TokenPage)}, params=(NAME, *accounts.PAGE_PARAMS)),
    ("get", "/v1/api_tokens/{name}"): Operation(
        "Tokens of one name", {200: Answer(TokenPage)}, params=accounts.PAGE_PARAMS
    ),
    ("put", "/v1/api_tokens/{name}"): Operation(
        "Update a token", {200: Answer(Token)}, body=TokenChangesIn, body_required=True, media=BOTH
    ),
    ("delete", "/v1/api_tokens/{name}"): Operation("Delete a token", NO_CONTENT),
    ("post", "/v1/environments"): Operation(
        "Create an environment",
        {201: Answer(Environment, "Created")},
        params=(NAME,),
        body=EnvironmentIn,
        media=BOTH,
        errors=(422,),
    ),
    ("get", "/v1/environments"): Operation(
        "List environments, or the one named", {200: Answer(EnvironmentList | Environment)}, params=(NAME,)
    ),
    ("get", "/v1/environments/{id}"): Operation("Retrieve an environment", {200: Answer(Environment)}),
    ("put", "/v1/environments/{id}"): Operation(
        "Rename an environment", NO_CONTENT, params=(NAME,), body=EnvironmentIn, media=BOTH, errors=(422,)
    ),
    ("delete", "/v1/environments/{id}"): Operation("Delete an environment", NO_CONTENT),
    ("get", "/v1/organization"): Operation("The organization, its limits and counts", {200: Answer(Organization)}),
    # spaces and charts (seed: Spaces, Charts)
    ("get", "/v1/spaces"): Operation("List spaces", {200: Answer(SpacePage)}, params=listing.PARAMS),
    ("post", "/v1/spaces"): Operation(
        "Create a space",
        {201: Answer(Space, "Created")},
        body=SpaceIn,
        body_required=True,
        media=BOTH,
        errors=(422,),
    ),
    ("get", "/v1/spaces/{id}"): Operation("Retrieve a space", {200: Answer(Space)}),
    ("put", "/v1/spaces/{id}"): Operation("Rename a space", NO_CONTENT, body=SpaceChangesIn, media=BOTH, errors=(422,)),
    ("delete", "/v1/spaces/{id}"): Operation("Delete a space", NO_CONTENT),
    ("get", "/v1/spaces/{id}/charts"): Operation("Charts of a space", {200: Answer(list[Chart])}),
    ("post", "/v1/spaces/{id}/charts"): Operation(
        "Create a chart", {201: Answer(Chart, "Created")}, body=ChartIn, body_required=True, media=BOTH
    ),
    ("get", "/v1/spaces/{id}/charts/{chart}"): Operation("Retrieve a chart", {200: Answer(Chart)}),
    ("put", "/v1/spaces/{id}/charts/{chart}"): Operation(
        "Update a chart", {200: Answer(Chart)}, body=ChartChangesIn, media=BOTH
    ),
    ("post", "/v1/spaces/{id}/charts/{chart}"): Operation(
        "Update a chart (the seed's POST form)", {200: Answer(Chart)}, body=ChartChangesIn, media=BOTH
    ),
    ("delete", "/v1/spaces/{id}/charts/{chart}"): Operation("Delete a chart", NO_CONTENT),
    # snapshots
    ("post", "/v1/snapshots"): Operation(
        "Render a chart",
        {202: Answer(Snapshot, "Queued: Location names it")},
        body=SnapshotIn,
        body_required=True,
        media=BOTH,
    ),
    ("get", "/v1/snapshots/{id}"): Operation("Snapshot state and image", {200: Answer(Snapshot)}),
    # alerts and services (seed: Alerts, Services)
    ("post", "/v1/alerts"): Operation(
        "Create an alert",
        {201: Answer(Alert, "Created")},
        body=AlertIn,
        body_required=True,
        media=BOTH,
        errors=(422,),
    ),
    ("get", "/v1/alerts"): Operation(
        "List alerts", {200: Answer(AlertPage)}, params=(NAME, *pages.params(ALERT_ORDERS))
    ),
    ("get", "/v1/alerts/status"): Operation("Firing and cleared alerts", {200: Answer(StatusSummary)}),
    ("get", "/v1/alerts/{id}"): Operation("Retrieve an alert", {200: Answer(Alert)}),
    ("put", "/v1/alerts/{id}"): Operation(
        "Update an alert", NO_CONTENT, body=AlertChangesIn, body_required=True, media=BOTH, errors=(422,)
    ),
    ("delete", "/v1/alerts/{id}"): Operation("Delete an alert", NO_CONTENT),
    ("get", "/v1/alerts/{id}/status"): Operation("Status of an alert", {200: Answer(AlertStatus)}),
    ("post", "/v1/alerts/{id}/clear"): Operation("Clear a firing alert", NO_CONTENT),
    ("post", "/v1/alerts/{id}/services"): Operation(
        "Attach a service",
        {201: Answer(None, "Attached: Location names it")},
        body=AlertServiceIn,
        body_required=True,
        media=BOTH,
    ),
    ("delete", "/v1/alerts/{id}/services/{service_id}"): Operation("Detach a service", NO_CONTENT),
    ("post", "/v1/services"): Operation(
        "Create a service", {201: Answer(Service, "Created")}, body=ServiceIn, body_required=True, media=BOTH
    ),
    ("get", "/v1/services"): Operation(
        "List services", {200: Answer(ServicePage)}, params=pages.params(SERVICE_ORDERS)
    ),
    ("get", "/v1/services/{id}"): Operation("Retrieve a service", {200: Answer(Service)}),
    ("put", "/v1/services/{id}"): Operation(
        "Update a service", NO_CONTENT, body=ServiceChangesIn, body_required=True, media=BOTH
    ),
    ("delete", "/v1/services/{id}"): Operation("Delete a service", NO_CONTENT),
    # CloudWisdom elements read through the v1 API
    ("get", "/v1/elements"): Operation("List elements", {200: Answer(ElementPage)}, params=listing.PARAMS),
    ("get", "/v1/elements/{name}"): Operation("Retrieve an element", {200: Answer(Element)}),
}
# Refusals every route may answer, in AppOpticsError's shape: bad input, no or unknown token, a role that may not,
# an unknown id or route, the organization's rate limit.
ERRORS = (400, 401, 403, 404, 429)
# And every route that reads a body: one that is neither JSON nor a form (text/plain, multipart) is a 415.
BODY_ERRORS = (415,)
