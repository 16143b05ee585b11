"""Create template.yaml's tables and queues in whatever AWS boto3 talks to (moto, in practice).

Tables and queues are never re-declared elsewhere: the local server and the test suite both call
`create_resources(load_template(...))`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from polymetric_local.limits import enforce_item_size
from polymetric_local.template import (
    Function,
    Queue,
    ScheduleEvent,
    StateMachine,
    Table,
    Template,
    TemplateError,
    resolve_intrinsic,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "polymetric-local"
DEFAULT_REGION = "us-east-1"
# moto's default account; ARNs built here (functions, rules) match the ones moto builds for queues.
ACCOUNT_ID = "123456789012"
LOCAL_API_ID = "localapi00"

# CloudFormation property -> SQS attribute; the names happen to be equal, but not every property is one.
_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)
_SIMPLE_TABLE_TYPES = {"String": "S", "Number": "N", "Binary": "B"}


@dataclass
class LocalResources:
    """Logical id -> local physical name, URL and ARN, plus intrinsic resolution against them."""

    template: Template
    prefix: str = DEFAULT_PREFIX
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    tables: dict[str, str] = field(default_factory=dict)
    table_arns: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    queue_names: dict[str, str] = field(default_factory=dict)
    state_machine_arns: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)

    def physical_name(self, logical_id: str) -> str:
        return f"{self.prefix}-{logical_id}"

    def function_name(self, function: Function | str) -> str:
        return self.physical_name(function if isinstance(function, str) else function.logical_id)

    def function_arn(self, function: Function | str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name(function)}"

    def rule_arn(self, event: ScheduleEvent) -> str:
        name = event.rule_name or self.physical_name(event.rule_id)
        return f"arn:aws:events:{self.region}:{self.account_id}:rule/{name}"

    def lookup(self, name: str, attribute: str | None) -> str:
        """Value of `!Ref name` (attribute None) or `!GetAtt name.attribute`; KeyError names what is unknown."""
        if attribute is None:
            pseudo = {
                "AWS::Region": self.region,
                "AWS::AccountId": self.account_id,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": self.prefix,
                "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.prefix}/local",
            }
            if name in pseudo:
                return pseudo[name]
            if name in self.template.parameters:
                return _as_env_value(self.template.parameters[name])
        values: dict[str | None, str] = {}
        if name in self.tables:
            values = {None: self.tables[name], "Arn": self.table_arns[name]}
        elif name in self.queue_urls:
            values = {
                None: self.queue_urls[name],
                "Arn": self.queue_arns[name],
                "QueueName": self.queue_names[name],
                "QueueUrl": self.queue_urls[name],
            }
        elif name in self.buckets:
            values = {
                None: self.buckets[name],
                "Arn": f"arn:aws:s3:::{self.buckets[name]}",
                "DomainName": f"{self.buckets[name]}.s3.amazonaws.com",
            }
        elif name in self.template.functions:
            values = {None: self.function_name(name), "Arn": self.function_arn(name)}
        elif name in self.state_machine_arns:
            arn = self.state_machine_arns[name]
            values = {None: arn, "Arn": arn, "Name": arn.rsplit(":", 1)[-1]}
        elif name in self.template.apis:
            values = {None: LOCAL_API_ID, "RootResourceId": "localroot0"}
        if attribute in values:
            return values[attribute]
        what = name if attribute is None else f"{name}.{attribute}"
        raise KeyError(f"{what} is not a resource the local runtime created")

    def resolve(self, value: Any, *, where: str) -> Any:
        return resolve_intrinsic(value, self.lookup, where=where)

    def env_for(self, function: Function | str) -> dict[str, str]:
        """The function's Environment.Variables (Globals merged), with intrinsics resolved to local resources."""
        fn = self.template.functions[function] if isinstance(function, str) else function
        return {
            key: _as_env_value(self.resolve(value, where=f"{fn.logical_id}.Environment.Variables.{key}"))
            for key, value in fn.environment.items()
        }


def create_resources(
    template: Template,
    *,
    prefix: str = DEFAULT_PREFIX,
    region: str = DEFAULT_REGION,
    session: boto3.session.Session | None = None,
) -> LocalResources:
    """Create every table (with GSIs and TTL), queue (dead-letter queues first), bucket and SES identity of the
    template."""
    enforce_item_size()
    session = session or boto3.session.Session(region_name=region)
    resources = LocalResources(template=template, prefix=prefix, region=region)
    dynamodb: DynamoDBClient = session.client("dynamodb", region_name=region)
    sqs: SQSClient = session.client("sqs", region_name=region)
    for table in template.tables.values():
        _create_table(dynamodb, resources, table)
    for queue in _dead_letter_queues_first(template.queues):
        _create_queue(sqs, resources, queue)
    if template.state_machines:
        stepfunctions = session.client("stepfunctions", region_name=region)
        for machine in template.state_machines.values():
            _create_state_machine(stepfunctions, resources, machine)
    if template.buckets:
        s3 = session.client("s3", region_name=region)
        for logical_id in template.buckets:
            # Lower case and no BucketName from the template: local names never collide with real buckets.
            name = resources.physical_name(logical_id).lower()
            s3.create_bucket(Bucket=name)
            resources.buckets[logical_id] = name
    if template.email_identities:
        ses = session.client("ses", region_name=region)
        for logical_id, identity in template.email_identities.items():
            # On AWS the identity's owner confirms it; locally it is verified at once, so mail can be sent as it.
            ses.verify_email_identity(
                EmailAddress=str(resources.resolve(identity, where=f"{logical_id}.EmailIdentity"))
            )
    return resources


def function_for(resources: LocalResources, name_or_arn: str) -> str | None:
    """The logical id of the template function a Lambda name or ARN (as a state machine task names it) means."""
    name = name_or_arn.split(":function:", 1)[-1].split(":", 1)[0]
    for logical_id in resources.template.functions:
        if resources.function_name(logical_id) == name:
            return logical_id
    return None


def _create_state_machine(client: Any, resources: LocalResources, machine: StateMachine) -> None:
    """Create the machine with its DefinitionSubstitutions applied (``${Name}`` -> the local value)."""
    values = {
        key: _as_env_value(resources.resolve(value, where=f"{machine.logical_id}.DefinitionSubstitutions.{key}"))
        for key, value in machine.substitutions.items()
    }
    text = json.dumps(machine.definition)
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    name = resources.physical_name(machine.logical_id)
    if machine.name is not None:
        name = str(resources.resolve(machine.name, where=f"{machine.logical_id}.Name"))
    arn = client.create_state_machine(
        name=name,
        definition=text,
        roleArn=f"arn:aws:iam::{resources.account_id}:role/{name}",
        type=machine.type,
    )["stateMachineArn"]
    resources.state_machine_arns[machine.logical_id] = str(arn)


def _create_table(client: DynamoDBClient, resources: LocalResources, table: Table) -> None:
    name = resources.physical_name(table.logical_id)
    props: dict[str, Any] = resources.resolve(dict(table.properties), where=f"{table.logical_id}.Properties")
    request = _table_request(name, table.type, props)
    response = client.create_table(**request)
    resources.tables[table.logical_id] = name
    resources.table_arns[table.logical_id] = response["TableDescription"].get("TableArn", "")
    ttl = props.get("TimeToLiveSpecification")
    if isinstance(ttl, Mapping) and str(ttl.get("Enabled")).lower() == "true":
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": str(ttl["AttributeName"])},
        )


def _table_request(name: str, table_type: str, props: Mapping[str, Any]) -> dict[str, Any]:
    if table_type == "AWS::Serverless::SimpleTable":
        key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        return {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": _SIMPLE_TABLE_TYPES[key["Type"]]}],
            "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        # On-demand locally whatever the template says: moto does not throttle, and no capacity needs sizing.
        "BillingMode": "PAY_PER_REQUEST",
    }
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = props["LocalSecondaryIndexes"]
    stream = props.get("StreamSpecification")
    if isinstance(stream, Mapping) and stream.get("StreamViewType"):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return request


def _dead_letter_queues_first(queues: Mapping[str, Queue]) -> list[Queue]:
    ordered: list[Queue] = []
    visiting: set[str] = set()

    def visit(queue: Queue) -> None:
        if any(q.logical_id == queue.logical_id for q in ordered):
            return
        if queue.logical_id in visiting:
            raise TemplateError(f"{queue.logical_id}: RedrivePolicy forms a cycle of dead-letter queues")
        visiting.add(queue.logical_id)
        target = queue.dead_letter_target
        if target is not None:
            if target not in queues:
                raise TemplateError(f"{queue.logical_id}: dead-letter queue {target} is not an AWS::SQS::Queue")
            visit(queues[target])
        ordered.append(queue)

    for queue in queues.values():
        visit(queue)
    return ordered


def _create_queue(client: SQSClient, resources: LocalResources, queue: Queue) -> None:
    name = resources.physical_name(queue.logical_id) + (".fifo" if queue.fifo else "")
    props: dict[str, Any] = resources.resolve(dict(queue.properties), where=f"{queue.logical_id}.Properties")
    attributes = {
        key: json.dumps(props[key]) if isinstance(props[key], Mapping) else _as_env_value(props[key])
        for key in _QUEUE_ATTRIBUTES
        if key in props
    }
    if not queue.fifo:
        # SQS refuses FifoQueue=false on create; absence is how a standard queue is asked for.
        attributes.pop("FifoQueue", None)
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    resources.queue_urls[queue.logical_id] = url
    resources.queue_arns[queue.logical_id] = arn
    resources.queue_names[queue.logical_id] = name


def _as_env_value(value: Any) -> str:
    # CloudFormation turns YAML booleans into "true"/"false", not Python's "True".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
