"""Step Functions executions: the long jobs' state machines are started here, and only here."""

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from polymetric.errors import StorageError
from polymetric.storage import clients


def start(state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Start an execution (``name`` makes it idempotent: a retried start does not run twice); its ARN."""
    try:
        response = clients.stepfunctions().start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return ""
        raise StorageError("job start failed", cause=exc) from exc
    except BotoCoreError as exc:
        raise StorageError("job start failed", cause=exc) from exc
    return str(response["executionArn"])
