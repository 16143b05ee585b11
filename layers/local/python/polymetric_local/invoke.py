"""Run a template function's handler in this process, the way the Lambda Python runtime would.

Invariants:
1. Invocations run concurrently, as on Lambda, each in the thread that asked for it and in a *container* of
   its own: a container is one import of the function's handler module (its module-level state: a
   resolver, a batch processor), used by one invocation at a time and kept warm for the next. A container
   is made (a cold start) when every one of the function's containers is busy. The layer's modules are
   shared, as they are not in Lambda: powertools.py makes Powertools' resolver per thread, and moto sees
   one AWS call at a time (calls.py).
2. The function's environment is in os.environ while its module is imported and while it runs: variables
   every function shares are set process-wide (threads a handler starts see them too); the rest are an
   overlay for the invoking thread only (``InvocationEnviron``), so concurrent functions never see each
   other's variables.
3. Event and result cross a JSON boundary, as they do in Lambda, so a handler gets fresh dicts and a
   result Lambda could not serialize fails here too.
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

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


class InvocationEnviron(os._Environ[str]):
    """os.environ's class while the runtime runs: the invoking thread's function variables over the process's.

    A value of None in the overlay hides a process variable (another function's own variable)."""

    overlay = threading.local()

    def _layer(self) -> Mapping[str, str | None] | None:
        layer: Mapping[str, str | None] | None = getattr(self.overlay, "env", None)
        return layer

    def __getitem__(self, key: str) -> str:
        layer = self._layer()
        if layer is not None and key in layer:
            value = layer[key]
            if value is None:
                raise KeyError(key)
            return value
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        layer = self._layer()
        if layer is None:
            yield from super().__iter__()
            return
        yield from (key for key in super().__iter__() if key not in layer)
        yield from (key for key, value in layer.items() if value is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"environ({dict(self)!r})"

    @classmethod
    @contextlib.contextmanager
    def using(cls, env: Mapping[str, str | None]) -> Iterator[None]:
        previous = getattr(cls.overlay, "env", None)
        cls.overlay.env = env
        try:
            yield
        finally:
            cls.overlay.env = previous

    @staticmethod
    def install() -> None:
        os.environ.__class__ = InvocationEnviron

    @staticmethod
    def uninstall() -> None:
        os.environ.__class__ = os._Environ


class Invoker:
    def __init__(self, template: Template, resources: LocalResources, environment: EnvironmentPatch) -> None:
        self.template = template
        self.resources = resources
        self._environment = environment
        self._load_lock = threading.Lock()  # cold starts one at a time: they edit sys.path and sys.modules
        self._idle: dict[str, list[Handler]] = {}  # warm containers by function
        self._containers: dict[str, int] = {}  # containers made by function
        self._module_names: list[str] = []
        self._envs: dict[str, dict[str, str | None]] = {}

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

    def prepare_environment(self) -> None:
        """Set the variables every function shares process-wide; keep each function's overlay for `environment`."""
        envs = {fid: self.function_env(fn) for fid, fn in self.template.functions.items()}
        shared: dict[str, str] = {}
        if envs:
            first, *others = envs.values()
            shared = {k: v for k, v in first.items() if all(other.get(k) == v for other in others)}
        every_key = {key for env in envs.values() for key in env}
        self._environment.set(shared)
        # Another function's own variables must not leak into this one: the overlay hides them.
        self._envs = {
            fid: {**dict.fromkeys(every_key - env.keys()), **{k: v for k, v in env.items() if k not in shared}}
            for fid, env in envs.items()
        }

    @contextlib.contextmanager
    def environment(self, function: Function) -> Iterator[None]:
        """The function's environment in os.environ, for this thread."""
        env = self._envs.get(function.logical_id)
        if env is None:
            env = self._envs[function.logical_id] = dict(self.function_env(function))
        with InvocationEnviron.using(env):
            yield

    def invoke(self, function_id: str, event: Any) -> Any:
        """Call the function's handler with `event`; returns the JSON-decoded result, raises what it raises."""
        function = self.template.functions[function_id]
        payload = json.loads(json.dumps(event))
        with self.environment(function):
            handler = self._container(function)
            context = self.context(function)
            started = time.monotonic()
            try:
                result = handler(payload, context)
            finally:
                self._idle[function.logical_id].append(handler)  # warm for the next invocation
                elapsed = time.monotonic() - started
                if elapsed > function.timeout:
                    logger.warning(
                        "%s ran %.1f s, past its Timeout of %d s: Lambda would have stopped it",
                        function_id,
                        elapsed,
                        function.timeout,
                    )
        return json.loads(json.dumps(result, default=_lambda_json_default))

    def containers(self, function_id: str) -> int:
        """How many containers (imports of its handler module) the function has had since the last unload."""
        return self._containers.get(function_id, 0)

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
        with self._load_lock:
            for name in self._module_names:
                sys.modules.pop(name, None)
            self._module_names.clear()
            self._idle.clear()
            self._containers.clear()

    def _container(self, function: Function) -> Handler:
        """A warm container's handler (taken until the invocation returns it), or a new container's."""
        idle = self._idle.setdefault(function.logical_id, [])
        with contextlib.suppress(IndexError):
            return idle.pop()  # list.pop is atomic: two threads never get the same container
        with self._load_lock:
            number = self._containers.get(function.logical_id, 0) + 1
            module = self._import(function, number)
            handler = getattr(module, function.handler_attribute, None)
            if not callable(handler):
                raise HandlerLoadError(f"{function.logical_id}: {function.module_file} has no {function.handler}")
            self._containers[function.logical_id] = number
        return cast(Handler, handler)

    def _import(self, function: Function, container: int) -> ModuleType:
        # Every function's module is called "app": a per-container name keeps them apart in sys.modules.
        name = "_polymetric_local_fn_" + re.sub(r"\W", "_", function.logical_id) + f"_{container}"
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
