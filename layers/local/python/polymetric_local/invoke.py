"""Run a template function's handler in this process, the way the Lambda Python runtime would.

Invariants:
1. One invocation at a time (`Invoker.lock`): environment variables are process-global and moto is not
   guaranteed thread-safe. Everything that touches moto from another thread takes the same lock.
2. The function's environment is in os.environ while its module is imported and while it runs.
3. Event and result cross a JSON boundary, as they do in Lambda, so a handler gets fresh dicts and a
   result Lambda could not serialize fails here too.
"""

from __future__ import annotations

import decimal
import importlib.util
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from polymetric_local.resources import LocalResources
from polymetric_local.template import Function, Template

logger = logging.getLogger(__name__)

Handler = Callable[[Any, Any], Any]


class HandlerLoadError(RuntimeError):
    """A function's handler module or attribute cannot be loaded (Lambda reports Runtime.ImportModuleError)."""


@dataclass
class LambdaContext:
    """The attributes and method of the Lambda Python runtime's context object that handlers use."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline_ms: int = field(default_factory=lambda: int(time.time() * 1000) + 3000)
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


class EnvironmentPatch:
    """Sets and unsets os.environ keys, remembering the original values so `restore()` puts them back."""

    def __init__(self) -> None:
        self._original: dict[str, str | None] = {}

    def set(self, values: Mapping[str, str | None]) -> None:
        for key, value in values.items():
            if key not in self._original:
                self._original[key] = os.environ.get(key)
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def reset(self, keys: Iterable[str]) -> None:
        for key in list(keys):
            if key not in self._original:
                continue
            original = self._original.pop(key)
            if original is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = original

    def restore(self) -> None:
        self.reset(list(self._original))


class Invoker:
    def __init__(self, template: Template, resources: LocalResources, environment: EnvironmentPatch) -> None:
        self.template = template
        self.resources = resources
        self.lock = threading.RLock()
        self._environment = environment
        self._applied: set[str] = set()
        self._handlers: dict[str, Handler] = {}
        self._module_names: list[str] = []

    def prepare_sys_path(self) -> None:
        """Put the repo root and every layer's packages on sys.path, as Lambda does with /opt/python."""
        paths = [self.template.root]
        for fn in self.template.functions.values():
            paths.extend(p for p in fn.layer_paths if p not in paths)
        for path in reversed(paths):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))

    def function_env(self, function: Function) -> dict[str, str]:
        """os.environ additions for one function: its template variables plus what the Lambda runtime sets."""
        return {
            "AWS_REGION": self.resources.region,
            "AWS_DEFAULT_REGION": self.resources.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.resources.function_name(function),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "_HANDLER": function.handler,
            **self.resources.env_for(function),
        }

    def apply_env(self, function: Function) -> None:
        env = self.function_env(function)
        # Another function's own variables must not leak into this one.
        self._environment.reset(self._applied - env.keys())
        self._environment.set(env)
        self._applied = set(env)

    def invoke(self, function_id: str, event: Any) -> Any:
        """Call the function's handler with `event`; returns the JSON-decoded result, raises what it raises."""
        function = self.template.functions[function_id]
        payload = json.loads(json.dumps(event))
        with self.lock:
            self.apply_env(function)
            handler = self._handler(function)
            context = self.context(function)
            started = time.monotonic()
            try:
                result = handler(payload, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > function.timeout:
                    logger.warning(
                        "%s ran %.1f s, past its Timeout of %d s: Lambda would have stopped it",
                        function_id,
                        elapsed,
                        function.timeout,
                    )
        return json.loads(json.dumps(result, default=_lambda_json_default))

    def context(self, function: Function) -> LambdaContext:
        name = self.resources.function_name(function)
        return LambdaContext(
            function_name=name,
            memory_limit_in_mb=function.memory_size,
            invoked_function_arn=self.resources.function_arn(function),
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{name}",
            log_stream_name=time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()) + uuid.uuid4().hex,
            deadline_ms=int(time.time() * 1000) + function.timeout * 1000,
        )

    def unload(self) -> None:
        """Forget the loaded handler modules, so the next invocation is a cold start."""
        with self.lock:
            for name in self._module_names:
                sys.modules.pop(name, None)
            self._module_names.clear()
            self._handlers.clear()

    def _handler(self, function: Function) -> Handler:
        handler = self._handlers.get(function.logical_id)
        if handler is None:
            module = self._import(function)
            attribute = getattr(module, function.handler_attribute, None)
            if not callable(attribute):
                raise HandlerLoadError(f"{function.logical_id}: {function.module_file} has no {function.handler}")
            handler = self._handlers[function.logical_id] = attribute
        return handler

    def _import(self, function: Function) -> ModuleType:
        # Every function's module is called "app": a per-function name keeps them apart in sys.modules.
        name = "_polymetric_local_fn_" + re.sub(r"\W", "_", function.logical_id)
        path = function.module_file
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not path.is_file():
            raise HandlerLoadError(f"{function.logical_id}: no handler module at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        # Lambda runs with the code directory as the working root, so sibling modules import by bare name.
        code_dir = str(function.code_uri)
        added = code_dir not in sys.path
        if added:
            sys.path.insert(0, code_dir)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            # A failed cold start is retried on the next request, as Lambda does with a fresh container.
            sys.modules.pop(name, None)
            raise
        finally:
            if added and code_dir in sys.path:
                sys.path.remove(code_dir)
        self._module_names.append(name)
        logger.debug("loaded %s from %s", function.logical_id, Path(path))
        return module


def _lambda_json_default(value: Any) -> Any:
    # The Lambda Python runtime serializes Decimal (what boto3 returns for DynamoDB numbers) as a float.
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
