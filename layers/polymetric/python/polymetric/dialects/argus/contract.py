"""What the Argus metrics v1 routes take and answer (seed: Argus metrics API), for the OpenAPI document.

Every answer, success or refusal, is the ResultStash envelope (``responses.envelope``); ``data`` varies.
"""

from typing import Annotated, Any, Literal, Required

from pydantic import Field
from typing_extensions import TypedDict

from polymetric.dialects import contract
from polymetric.dialects.argus.fields import CATEGORIES, DEDUPLICATION, FUNCTIONS, LANGUAGES, MAX_TIMESTAMP, UNITS
from polymetric.dialects.contract import Answer, Operation, Param
from polymetric.dialects.schemas import one_of
from polymetric.models.argus import MAX_WINDOW, UNIT_MS

ShortName = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_:\-.]+$")]  # fields.NAME_RE
ISO_UTC = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z"
# Epoch ms, as a number or digits, ISO-8601 UTC or now-1h (search.time_ms).
Timestamp = (
    Annotated[int, Field(ge=0, le=MAX_TIMESTAMP)]
    | Annotated[
        str,
        Field(
            pattern=r"^([0-9]{1,13}|now(-[0-9]{1,6}(ms|s|m|h|d|w))?|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z)$"
        ),
    ]
)
# The readers' choices (fields.choice: any case).
Unit = Annotated[str, one_of(UNITS, any_case=True)]
Function = Annotated[str, one_of(FUNCTIONS, any_case=True)]
Language = Annotated[str, one_of(LANGUAGES, any_case=True)]
Deduplication = Annotated[str, one_of(DEDUPLICATION, any_case=True)]
Category = Annotated[str, one_of(CATEGORIES, any_case=True)]
TimeUnit = Annotated[str, one_of(tuple(UNIT_MS), any_case=True)]


class KeyIn(TypedDict, total=False):
    name: Required[ShortName]
    type: str  # ip, hostName, integer, uuid; anything else is a string key
    description: Required[str]
    language: Language
    translator: str


class ValueIn(TypedDict, total=False):
    name: Required[ShortName]
    description: Required[str]
    unit: Unit
    defaultAggregationFunction: Function
    defaultWeightByValue: str


class DescriptorIn(TypedDict, total=False):
    shortName: Required[ShortName]
    description: Required[str]
    adminFunction: Required[str]
    readFunction: Required[str]
    writeFunction: Required[str]
    keys: Required[Annotated[list[KeyIn], Field(min_length=1)]]
    values: Required[Annotated[list[ValueIn], Field(min_length=1)]]
    name: str
    deduplicationFunction: Deduplication
    timeFrameSize: int
    timeFrameSizeUnit: TimeUnit
    category: Category
    customer: str
    domain: str
    globalDescriptor: bool
    keepAuditData: bool
    keepBackup: bool
    useSeparateIndex: bool
    localizedNames: dict[str, str]
    localizedDescriptions: dict[str, str]


class DescriptorChangesIn(TypedDict, total=False):
    shortName: str
    description: str
    name: str
    adminFunction: str
    readFunction: str
    writeFunction: str
    deduplicationFunction: Deduplication
    timeFrameSize: int
    timeFrameSizeUnit: TimeUnit
    category: Category
    keepAuditData: bool
    keepBackup: bool
    useSeparateIndex: bool
    localizedNames: dict[str, str]
    localizedDescriptions: dict[str, str]
    addKeys: list[KeyIn]
    updateKeys: list[KeyIn]
    removeKeys: list[str]
    addValues: list[ValueIn]
    updateValues: list[ValueIn]
    removeValues: list[str]


class DescriptorSearchIn(TypedDict, total=False):
    limit: int
    offset: int
    keywords: list[str]
    customer: list[str]
    descriptorDomain: list[str]
    domain: list[str]


class RecordIn(TypedDict, total=False):
    timestamp: Timestamp
    keys: Required[dict[str, str]]
    values: Required[dict[str, int]]
    customer: str


class SubmissionIn(TypedDict, total=False):
    records: Required[list[RecordIn]]
    ignoreOnFailed: bool


class KeyInterval(TypedDict, total=False):
    name: Required[str]
    values: list[str]
    cidrs: list[str]
    gt: Any
    gte: Any
    lt: Any
    lte: Any


class Criteria(TypedDict, total=False):
    keys: dict[str, str]
    keyIntervals: list[KeyInterval]
    customer: list[str]
    required: bool
    exclude: bool
    subCriteria: list[dict[str, Any]]


class SearchIn(TypedDict, total=False):
    startTimestamp: Timestamp
    endTimestamp: Timestamp
    keys: dict[str, str]
    keyIntervals: list[KeyInterval]
    customer: list[str]
    subCriteria: list[Criteria]
    limit: int
    offset: int
    sortBy: Any


class ValueSpec(TypedDict, total=False):
    name: Required[str]
    aggregationFunction: Function
    weightByValue: str
    valueAsWeight: str


class AggregateIn(SearchIn, total=False):
    values: Required[Annotated[list[ValueSpec], Field(min_length=1)]]
    groupBy: list[dict[str, Any]]
    groupByCustomer: bool
    resolution: int
    resolutionUnit: str
    calendarInterval: Literal["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
    includeOthers: bool


class Message(TypedDict, total=False):
    type: Required[str]
    message: Required[str]
    messageTemplate: str | None
    field: str | None
    parameter: Any
    timestamp: int | None


class ArgusEnvelope(TypedDict):
    """ResultStash: every Argus answer."""

    responseCode: int
    limit: int
    offset: int
    count: int
    size: int
    metaData: dict[str, Any]
    messages: list[Message]
    data: Any


class Named(TypedDict):
    id: Any
    name: str


class Descriptor(TypedDict, total=False):
    id: Required[str]
    shortName: Required[str]
    name: str | None
    description: str
    adminFunction: Named
    readFunction: Named
    writeFunction: Named
    deduplicationFunction: str
    timeFrameSize: int
    timeFrameSizeUnit: str
    category: str
    customer: dict[str, Any]
    domain: dict[str, Any]
    globalDescriptor: bool
    keys: list[dict[str, Any]]
    values: list[dict[str, Any]]
    flags: list[str]
    createdTimestamp: int
    lastUpdatedTimestamp: int


class DescriptorEnvelope(ArgusEnvelope):
    data: Descriptor


class DescriptorList(ArgusEnvelope):
    data: list[Descriptor]


class Submitted(TypedDict):
    success: int
    failed: int
    errorInformationList: list[dict[str, Any]]


class SubmittedEnvelope(ArgusEnvelope):
    data: Submitted


class ListEnvelope(ArgusEnvelope):
    data: list[dict[str, Any]]


LIST_PARAMS = (
    contract.integer("limit", minimum=0, maximum=MAX_WINDOW),
    contract.integer("offset", minimum=0),
    Param("keywords", {"type": "array", "items": {"type": "string"}}),
    Param("customer", {"type": "array", "items": {"type": "string"}}),
    Param("descriptorDomain", {"type": "array", "items": {"type": "string"}}),
)
# The seed's netflow descriptor and requests over it (events/apigw/argus-*.json send the same).
NETFLOW = {
    "shortName": "netflow",
    "name": "Netflow",
    "description": "Packets and frames per address and VLAN",
    "adminFunction": "admin",
    "readFunction": "read",
    "writeFunction": "write",
    "keys": [
        {"name": "ipAddress", "type": "ip", "description": "Source address"},
        {"name": "vlan", "type": "integer", "description": "VLAN id"},
    ],
    "values": [
        {"name": "packages", "description": "Packets", "unit": "count", "defaultAggregationFunction": "sum"},
        {"name": "frames", "description": "Frames", "unit": "count", "defaultAggregationFunction": "max"},
    ],
}
SUBMIT = {"records": [{"keys": {"ipAddress": "10.10.0.1", "vlan": "101"}, "values": {"packages": 5, "frames": 10}}]}
SEARCH = {"startTimestamp": "0", "endTimestamp": "now", "limit": 25, "keys": {"ipAddress": "10.10.0.0/16"}}
AGGREGATE = {
    "startTimestamp": "now-30d",
    "endTimestamp": "now",
    "values": [{"name": "packages", "aggregationFunction": "sum"}],
    "groupBy": [{"key": "vlan", "limit": 25}],
    "resolution": 1,
    "resolutionUnit": "day",
}
DESCRIPTOR = {"descriptor": {"type": "string", "minLength": 1, "description": "A descriptor's id or shortName"}}
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", "/metrics/v1/descriptor"): Operation(
        "Add a descriptor",
        {201: Answer(DescriptorEnvelope, "Created")},
        body=DescriptorIn,
        body_required=True,
        example=NETFLOW,
    ),
    ("get", "/metrics/v1/descriptor"): Operation("List descriptors", {200: Answer(DescriptorList)}, params=LIST_PARAMS),
    ("post", "/metrics/v1/descriptor/search"): Operation(
        "Search descriptors", {200: Answer(DescriptorList)}, body=DescriptorSearchIn
    ),
    ("get", "/metrics/v1/descriptor/{descriptor}"): Operation(
        "Retrieve a descriptor", {200: Answer(DescriptorEnvelope)}, path_schemas=DESCRIPTOR
    ),
    ("put", "/metrics/v1/descriptor/{descriptor}"): Operation(
        "Update a descriptor",
        {200: Answer(DescriptorEnvelope), 220: Answer(DescriptorEnvelope, "No values updated")},
        body=DescriptorChangesIn,
        body_required=True,
        path_schemas=DESCRIPTOR,
    ),
    ("delete", "/metrics/v1/descriptor/{descriptor}"): Operation(
        "Delete a descriptor", {200: Answer(DescriptorEnvelope)}, path_schemas=DESCRIPTOR
    ),
    ("post", "/metrics/v1/metric/{descriptor}"): Operation(
        "Submit records",
        {201: Answer(SubmittedEnvelope, "Stored")},
        body=SubmissionIn,
        body_required=True,
        example=SUBMIT,
        path_schemas=DESCRIPTOR,
    ),
    ("post", "/metrics/v1/metric/{descriptor}/search"): Operation(
        "Search records", {200: Answer(ListEnvelope)}, body=SearchIn, path_schemas=DESCRIPTOR, example=SEARCH
    ),
    ("post", "/metrics/v1/metric/{descriptor}/aggregate"): Operation(
        "Aggregate records",
        {200: Answer(ListEnvelope)},
        body=AggregateIn,
        body_required=True,
        example=AGGREGATE,
        path_schemas=DESCRIPTOR,
    ),
}
# 400: a request it could not read; 412: one it read and refused (field errors).
ERRORS = (400, 401, 403, 404, 412, 429)
