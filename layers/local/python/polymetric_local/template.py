"""A typed view of template.yaml: the functions, events, tables and queues the local runtime emulates.

Only what the local runtime needs is modelled. Intrinsics are kept as parsed (`{"Ref": ...}` dicts) and
resolved later by `resolve_intrinsic`, once the local resources (and so their names, URLs and ARNs) exist.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

logger = logging.getLogger(__name__)

DEFAULT_STAGE = "Prod"
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY_SIZE = 128
DEFAULT_SQS_BATCH_SIZE = 10
# A cron expression we cannot turn into a fixed interval still fires, hourly, so the function is exercised.
FALLBACK_INTERVAL_SECONDS = 3600

# SAM's implicit API, used by Api events without RestApiId.
IMPLICIT_API_ID = "ServerlessRestApi"


class TemplateError(ValueError):
    """template.yaml cannot be read or uses something the local runtime does not emulate."""


@dataclass(frozen=True)
class ApiEvent:
    name: str
    path: str
    method: str  # lower case; "any" matches every method
    api_id: str = IMPLICIT_API_ID


@dataclass(frozen=True)
class SqsEvent:
    name: str
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int = DEFAULT_SQS_BATCH_SIZE
    function_response_types: tuple[str, ...] = ()
    enabled: bool = True

    @property
    def report_batch_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types


@dataclass(frozen=True)
class Interval:
    """When a schedule fires: at every t with (t - offset) % seconds == 0 (UTC epoch seconds).

    `offset` None means "from when the timer starts", which is how a rate() rule behaves.
    """

    seconds: int
    offset: int | None = None


@dataclass(frozen=True)
class ScheduleEvent:
    name: str
    expression: str
    interval: Interval
    rule_id: str  # the logical id SAM gives the generated AWS::Events::Rule: <Function><Event>
    rule_name: str | None = None  # the Name property, when the template fixes the rule's physical name
    enabled: bool = True
    input: str | None = None  # the target's Input: when set, EventBridge sends it instead of the event


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    environment: Mapping[str, Any]  # unresolved: values may still be intrinsics
    timeout: int
    memory_size: int
    layer_paths: tuple[Path, ...]
    api_events: tuple[ApiEvent, ...] = ()
    sqs_events: tuple[SqsEvent, ...] = ()
    schedule_events: tuple[ScheduleEvent, ...] = ()

    @property
    def module_file(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_uri / (module.replace(".", "/") + ".py")

    @property
    def handler_attribute(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass(frozen=True)
class Table:
    logical_id: str
    type: str  # AWS::DynamoDB::Table or AWS::Serverless::SimpleTable
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class Queue:
    logical_id: str
    properties: Mapping[str, Any]

    @property
    def fifo(self) -> bool:
        return str(self.properties.get("FifoQueue", "false")).lower() == "true"

    @property
    def dead_letter_target(self) -> str | None:
        """Logical id of the queue named by RedrivePolicy.deadLetterTargetArn, if it is a !GetAtt X.Arn."""
        policy = self.properties.get("RedrivePolicy")
        if not isinstance(policy, Mapping):
            return None
        target = policy.get("deadLetterTargetArn")
        if isinstance(target, Mapping) and "Fn::GetAtt" in target:
            logical_id, _ = _split_get_att(target["Fn::GetAtt"])
            return logical_id
        return None


@dataclass(frozen=True)
class Bucket:
    logical_id: str
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class GatewayResponse:
    """What API Gateway answers itself (no function ran), as the template's GatewayResponses customise it."""

    status: int | None
    templates: Mapping[str, str]  # content type -> body
    headers: Mapping[str, str]


@dataclass(frozen=True)
class RestApi:
    logical_id: str
    stage: str
    binary_media_types: tuple[str, ...]
    # GatewayResponses by response type (MISSING_AUTHENTICATION_TOKEN, DEFAULT_4XX, ...)
    gateway_responses: Mapping[str, GatewayResponse] = field(default_factory=dict)


@dataclass(frozen=True)
class StateMachine:
    """An AWS::Serverless::StateMachine with an inline Definition (ASL as parsed) and its substitutions."""

    logical_id: str
    definition: Mapping[str, Any]
    substitutions: Mapping[str, Any]  # unresolved: values may still be intrinsics
    type: str = "STANDARD"
    name: Any = None  # the Name property (unresolved), when the template fixes the physical name


@dataclass(frozen=True)
class Template:
    path: Path
    root: Path
    functions: Mapping[str, Function]
    tables: Mapping[str, Table]
    queues: Mapping[str, Queue]
    apis: Mapping[str, RestApi]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    state_machines: Mapping[str, StateMachine] = field(default_factory=dict)
    buckets: Mapping[str, Bucket] = field(default_factory=dict)
    # AWS::SES::EmailIdentity: logical id -> the identity (unresolved), verified in moto so SES can send as it.
    email_identities: Mapping[str, Any] = field(default_factory=dict)
    resource_types: Mapping[str, str] = field(default_factory=dict)

    def api(self, api_id: str) -> RestApi:
        return self.apis.get(api_id) or self.apis[IMPLICIT_API_ID]


def load_template(path: Path | str) -> Template:
    """Parse a SAM template file; relative CodeUri/ContentUri are resolved against its directory."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc}") from exc
    return parse_template(text, path=path)


def parse_template(text: str, *, path: Path) -> Template:
    decoded, matches = decode_str(text)
    if matches or decoded is None:
        raise TemplateError(f"{path}: " + "; ".join(str(m) for m in matches))
    # cfn-lint's node classes carry line marks; plain dicts and strs are what boto3 and tests expect.
    doc: dict[str, Any] = json.loads(json.dumps(decoded, default=str))
    root = path.parent
    resources: dict[str, Any] = doc.get("Resources") or {}
    globals_ = doc.get("Globals") or {}
    builder = _Builder(root=root, resources=resources, globals_=globals_)
    # Api events without RestApiId attach to SAM's implicit API, which takes Globals.Api.
    _parse_api(builder, IMPLICIT_API_ID, {})
    for logical_id, resource in resources.items():
        parser = _RESOURCE_PARSERS.get(str(resource.get("Type")))
        if parser is not None:
            parser(builder, logical_id, resource.get("Properties") or {})
    parameters = {name: spec["Default"] for name, spec in (doc.get("Parameters") or {}).items() if "Default" in spec}
    return Template(
        path=path,
        root=root,
        functions=builder.functions,
        tables=builder.tables,
        queues=builder.queues,
        apis=builder.apis,
        parameters=parameters,
        state_machines=builder.state_machines,
        buckets=builder.buckets,
        email_identities=builder.email_identities,
        resource_types={logical_id: str(r.get("Type")) for logical_id, r in resources.items()},
    )


@dataclass
class _Builder:
    root: Path
    resources: Mapping[str, Any]
    globals_: Mapping[str, Any]
    functions: dict[str, Function] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    apis: dict[str, RestApi] = field(default_factory=dict)
    state_machines: dict[str, StateMachine] = field(default_factory=dict)
    email_identities: dict[str, Any] = field(default_factory=dict)


def _parse_function(builder: _Builder, logical_id: str, own: Mapping[str, Any]) -> None:
    global_props: Mapping[str, Any] = builder.globals_.get("Function") or {}
    props = {**global_props, **own}
    code_uri = props.get("CodeUri")
    if not isinstance(code_uri, str):
        logger.warning("skipping %s: only a local CodeUri directory can run locally", logical_id)
        return
    env: dict[str, Any] = {
        **((global_props.get("Environment") or {}).get("Variables") or {}),
        **((own.get("Environment") or {}).get("Variables") or {}),
    }
    # SAM appends a function's own Layers to the global ones.
    layers = [*(global_props.get("Layers") or []), *(own.get("Layers") or [])]
    api_events: list[ApiEvent] = []
    sqs_events: list[SqsEvent] = []
    schedule_events: list[ScheduleEvent] = []
    for name, event in (own.get("Events") or {}).items():
        kind = event.get("Type")
        ev_props: Mapping[str, Any] = event.get("Properties") or {}
        where = f"{logical_id}.Events.{name}"
        if kind == "Api":
            api_events.append(_api_event(name, ev_props, where))
        elif kind == "SQS":
            sqs_events.append(_sqs_event(name, ev_props, where))
        elif kind == "Schedule":
            schedule_events.append(_schedule_event(logical_id, name, ev_props, where))
        else:
            logger.warning("%s: event type %s is not emulated locally", where, kind)
    builder.functions[logical_id] = Function(
        logical_id=logical_id,
        code_uri=(builder.root / code_uri).resolve(),
        handler=str(props.get("Handler", "app.lambda_handler")),
        environment=env,
        timeout=int(props.get("Timeout", DEFAULT_TIMEOUT)),
        memory_size=int(props.get("MemorySize", DEFAULT_MEMORY_SIZE)),
        layer_paths=tuple(_layer_paths(builder, layers, logical_id)),
        api_events=tuple(api_events),
        sqs_events=tuple(sqs_events),
        schedule_events=tuple(schedule_events),
    )


def _layer_paths(builder: _Builder, layers: list[Any], logical_id: str) -> list[Path]:
    paths: list[Path] = []
    for layer in layers:
        ref = layer.get("Ref") if isinstance(layer, Mapping) else None
        resource = builder.resources.get(ref) if isinstance(ref, str) else None
        if not resource or resource.get("Type") != "AWS::Serverless::LayerVersion":
            logger.warning("%s: layer %r is not a local AWS::Serverless::LayerVersion; ignored", logical_id, layer)
            continue
        content = builder.root / str((resource.get("Properties") or {}).get("ContentUri", ""))
        # Lambda mounts a layer's python/ folder on sys.path; a ContentUri that already is that folder
        # (SAM nests the build output under python/) holds the packages directly.
        for candidate in (content / "python", content):
            if candidate.is_dir() and candidate.resolve() not in paths:
                paths.append(candidate.resolve())
    return paths


def _api_event(name: str, props: Mapping[str, Any], where: str) -> ApiEvent:
    path, method = props.get("Path"), props.get("Method")
    if not isinstance(path, str) or not isinstance(method, str):
        raise TemplateError(f"{where}: an Api event needs a string Path and Method")
    api = props.get("RestApiId")
    api_id = api.get("Ref") if isinstance(api, Mapping) else IMPLICIT_API_ID
    return ApiEvent(name=name, path=path, method=method.lower(), api_id=str(api_id))


def _sqs_event(name: str, props: Mapping[str, Any], where: str) -> SqsEvent:
    queue = props.get("Queue")
    if isinstance(queue, Mapping) and "Fn::GetAtt" in queue:
        logical_id, _ = _split_get_att(queue["Fn::GetAtt"])
    elif isinstance(queue, Mapping) and "Ref" in queue:
        logical_id = str(queue["Ref"])
    else:
        raise TemplateError(f"{where}: Queue must be !GetAtt <Queue>.Arn of a queue in this template, got {queue!r}")
    return SqsEvent(
        name=name,
        queue=logical_id,
        batch_size=int(props.get("BatchSize", DEFAULT_SQS_BATCH_SIZE)),
        function_response_types=tuple(props.get("FunctionResponseTypes") or ()),
        enabled=bool(props.get("Enabled", True)),
    )


def _schedule_event(function_id: str, name: str, props: Mapping[str, Any], where: str) -> ScheduleEvent:
    expression = props.get("Schedule")
    if not isinstance(expression, str):
        raise TemplateError(f"{where}: Schedule must be a rate() or cron() string")
    enabled = bool(props.get("Enabled", True)) and str(props.get("State", "ENABLED")).upper() == "ENABLED"
    raw_input = props.get("Input")
    return ScheduleEvent(
        name=name,
        expression=expression,
        interval=parse_schedule(expression, where=where),
        rule_id=f"{function_id}{name}",
        rule_name=str(props["Name"]) if props.get("Name") else None,
        enabled=enabled,
        input=raw_input if isinstance(raw_input, str) else None,
    )


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def parse_schedule(expression: str, *, where: str = "schedule") -> Interval:
    """Turn `rate(...)` exactly, and simple `cron(...)` approximately, into an Interval.

    Supported cron: minutes `*`, `*/N` or a number; hours `*`, `*/N` or a number; day-of-month, month and
    day-of-week `*` or `?`. `*/N` is taken as "every N", exact when N divides the hour (or the day).
    Anything else fires hourly, with a warning.
    """
    expression = expression.strip()
    rate = _RATE.match(expression)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if count < 1:
            raise TemplateError(f"{where}: {expression} must be at least 1 {unit}")
        return Interval(seconds=count * _UNIT_SECONDS[unit])
    if expression.startswith("cron(") and expression.endswith(")"):
        interval = _cron_interval(expression[5:-1].split())
        if interval is not None:
            return interval
    logger.warning("%s: cannot emulate schedule %r exactly; firing it every hour instead", where, expression)
    return Interval(seconds=FALLBACK_INTERVAL_SECONDS)


def _cron_interval(fields: list[str]) -> Interval | None:
    if len(fields) != 6 or any(f not in ("*", "?") for f in fields[2:5]):
        return None
    minute, hour = fields[0], fields[1]
    minute_step = _step(minute, 60)
    if hour == "*":
        if minute == "*":
            return Interval(seconds=60, offset=0)
        if minute_step is not None:
            return Interval(seconds=minute_step * 60, offset=0)
        if minute.isdigit() and int(minute) < 60:
            return Interval(seconds=3600, offset=int(minute) * 60)
        return None
    if not (minute.isdigit() and int(minute) < 60):
        return None
    hour_step = _step(hour, 24)
    if hour_step is not None:
        return Interval(seconds=hour_step * 3600, offset=int(minute) * 60)
    if hour.isdigit() and int(hour) < 24:
        return Interval(seconds=86400, offset=int(hour) * 3600 + int(minute) * 60)
    return None


def _step(value: str, limit: int) -> int | None:
    match = re.fullmatch(r"(?:\*|0)/(\d+)", value)
    if match and 0 < int(match.group(1)) < limit:
        return int(match.group(1))
    return None


def _parse_table(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    builder.tables[logical_id] = Table(logical_id, "AWS::DynamoDB::Table", props)


def _parse_simple_table(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    builder.tables[logical_id] = Table(logical_id, "AWS::Serverless::SimpleTable", props)


def _parse_queue(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    builder.queues[logical_id] = Queue(logical_id, props)


def _parse_bucket(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    builder.buckets[logical_id] = Bucket(logical_id, props)


def _parse_api(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    global_props: Mapping[str, Any] = builder.globals_.get("Api") or {}
    merged = {**global_props, **props}
    builder.apis[logical_id] = RestApi(
        logical_id=logical_id,
        stage=str(merged.get("StageName", DEFAULT_STAGE)),
        # SAM spells "/" as "~1" in BinaryMediaTypes.
        binary_media_types=tuple(str(t).replace("~1", "/") for t in merged.get("BinaryMediaTypes") or ()),
        gateway_responses={
            str(kind): _gateway_response(spec)
            for kind, spec in (merged.get("GatewayResponses") or {}).items()
            if isinstance(spec, Mapping)
        },
    )


def _gateway_response(spec: Mapping[str, Any]) -> GatewayResponse:
    headers = ((spec.get("ResponseParameters") or {}).get("Headers")) or {}
    return GatewayResponse(
        status=int(spec["StatusCode"]) if spec.get("StatusCode") is not None else None,
        templates={str(k): str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
        # SAM takes header values as static strings in single quotes ("'application/json'").
        headers={str(k): str(v).strip("'") for k, v in headers.items()},
    )


def _parse_state_machine(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    definition = props.get("Definition")
    uri = props.get("DefinitionUri")
    if definition is None and isinstance(uri, str):
        path = builder.root / uri
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TemplateError(f"{logical_id}: cannot read DefinitionUri {path}: {exc}") from exc
        decoded, matches = decode_str(text)
        if matches or decoded is None:
            raise TemplateError(f"{path}: " + "; ".join(str(m) for m in matches))
        definition = json.loads(json.dumps(decoded, default=str))
    if not isinstance(definition, Mapping):
        logger.warning("skipping %s: only an inline Definition or a local DefinitionUri can run locally", logical_id)
        return
    builder.state_machines[logical_id] = StateMachine(
        logical_id=logical_id,
        definition=definition,
        substitutions=dict(props.get("DefinitionSubstitutions") or {}),
        type=str(props.get("Type", "STANDARD")),
        name=props.get("Name"),
    )


def _parse_email_identity(builder: _Builder, logical_id: str, props: Mapping[str, Any]) -> None:
    builder.email_identities[logical_id] = props.get("EmailIdentity")


_RESOURCE_PARSERS: dict[str, Callable[[_Builder, str, Mapping[str, Any]], None]] = {
    "AWS::SES::EmailIdentity": _parse_email_identity,
    "AWS::Serverless::StateMachine": _parse_state_machine,
    "AWS::Serverless::Function": _parse_function,
    "AWS::DynamoDB::Table": _parse_table,
    "AWS::Serverless::SimpleTable": _parse_simple_table,
    "AWS::SQS::Queue": _parse_queue,
    "AWS::S3::Bucket": _parse_bucket,
    "AWS::Serverless::Api": _parse_api,
}


# Intrinsic resolution ------------------------------------------------------------------------------------------

Lookup = Callable[[str, str | None], str]
"""(logical id or pseudo parameter, attribute or None for Ref) -> value; raises KeyError when unknown."""

_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


def resolve_intrinsic(value: Any, lookup: Lookup, *, where: str) -> Any:
    """Resolve Ref, Fn::GetAtt, Fn::Sub and Fn::Join (recursively) through `lookup`."""
    if isinstance(value, list):
        return [resolve_intrinsic(v, lookup, where=where) for v in value]
    if not isinstance(value, Mapping):
        return value
    if len(value) != 1:
        return {k: resolve_intrinsic(v, lookup, where=f"{where}.{k}") for k, v in value.items()}
    key, arg = next(iter(value.items()))
    try:
        if key == "Ref":
            return lookup(str(arg), None)
        if key == "Fn::GetAtt":
            logical_id, attribute = _split_get_att(arg)
            return lookup(logical_id, attribute)
        if key == "Fn::Sub":
            return _sub(arg, lookup, where)
        if key == "Fn::Join":
            separator, items = arg
            return str(separator).join(str(i) for i in resolve_intrinsic(items, lookup, where=where))
    except KeyError as exc:
        raise TemplateError(f"{where}: cannot resolve {dict(value)!r} locally ({exc.args[0]})") from exc
    if key.startswith("Fn::") or key == "Condition":
        raise TemplateError(f"{where}: {key} is not supported by the local runtime")
    return {key: resolve_intrinsic(arg, lookup, where=f"{where}.{key}")}


def _sub(arg: Any, lookup: Lookup, where: str) -> str:
    if isinstance(arg, list):
        text, variables = str(arg[0]), {k: resolve_intrinsic(v, lookup, where=where) for k, v in arg[1].items()}
    else:
        text, variables = str(arg), {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in variables:
            return str(variables[name])
        if "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            return lookup(logical_id, attribute)
        return lookup(name, None)

    # "${!Literal}" is CloudFormation's escape for a literal "${Literal}".
    return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")


def _split_get_att(arg: Any) -> tuple[str, str]:
    if isinstance(arg, str):
        logical_id, _, attribute = arg.partition(".")
        return logical_id, attribute
    return str(arg[0]), str(arg[1])
