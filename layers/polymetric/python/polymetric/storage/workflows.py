"""Step Functions executions: the long jobs' state machines are started here, and only here."""

import json
from typing import Any

from botocore.exceptions import ClientError

from polymetric.config import get_settings
from polymetric.errors import StorageError
from polymetric.storage import clients
from polymetric.storage.failures import translated


def metric_jobs_machine() -> str:
    """The bulk metric jobs' state machine; StorageError when the deployment has none."""
    arn = get_settings().METRIC_JOBS_STATE_MACHINE
    if not arn:
        raise StorageError("METRIC_JOBS_STATE_MACHINE is not configured: cannot start a job")
    return arn


def start(state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Start an execution (``name`` makes it idempotent: a retried start does not run twice); its ARN."""
    with translated("job start failed"):
        try:
            response = clients.stepfunctions().start_execution(
                stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return ""
            raise
    return str(response["executionArn"])
