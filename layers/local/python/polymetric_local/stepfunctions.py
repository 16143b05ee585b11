"""Step Functions locally: moto executes the template's state machines for real (its ASL interpreter), and
their Lambda tasks run the template's own handlers in this process, through the Invoker.

moto's Lambda cannot run code without Docker; with ``use_docker`` off it uses LambdaSimpleBackend, whose
``invoke`` is replaced here (a private moto API: moto is pinned, and tests/integration/local covers it).
A handler that raises answers as Lambda does, with a function error named after the exception, so the
state machine's Retry and Catch see ``StorageError`` or ``ValueError`` as they would on AWS.
The task's Invoke call holds the lock on moto (calls.py); the handler runs with it suspended, so a long task
does not stop every other invocation's calls.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from unittest import mock

from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.config import DefaultConfig

from polymetric_local.calls import CALLS
from polymetric_local.invoke import Invoker
from polymetric_local.resources import function_for

logger = logging.getLogger(__name__)

# mock_aws config: execute state machines, and take Lambda invocations without Docker.
MOTO_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def _error(response_headers: Any, kind: str, message: str) -> bytes:
    response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps({"errorType": kind, "errorMessage": message}).encode()


def lambda_tasks(invoker: Invoker) -> Any:
    """A patcher (start()/stop()) routing moto's Lambda invocations to the template's handlers."""

    def invoke(
        _backend: Any, function_name: str, _qualifier: Any, body: Any, _headers: Any, response_headers: Any
    ) -> bytes:
        logical_id = function_for(invoker.resources, function_name)
        if logical_id is None:
            return _error(response_headers, "ResourceNotFoundException", f"no template function {function_name}")
        try:
            payload = json.loads(body) if body else {}
            with CALLS.suspended():
                result = invoker.invoke(logical_id, payload)
        except Exception as exc:
            logger.exception("%s failed in a state machine task", logical_id)
            return _error(response_headers, type(exc).__name__, str(exc))
        return json.dumps(result).encode()

    return mock.patch.object(LambdaSimpleBackend, "invoke", invoke)
