"""Powertools' REST resolver, made safe for concurrent invocations in one process (aws-lambda-powertools 3, pinned).

``ApiGatewayResolver.resolve`` keeps the current event and Lambda context in class attributes of
``BaseRouter``: one per process, which is right on Lambda (a process runs one invocation at a time) and
wrong here, where invocations run concurrently in threads (each in a container of its own, invoke.py, but
containers share the process). While installed, the resolver reads both from the invoking thread:
``resolve`` stores them per thread, and properties on ``ApiGatewayResolver`` (before ``BaseRouter`` in the
resolvers' MRO) answer ``app.current_event`` and ``app.lambda_context`` from there.
``tests/unit/local/test_powertools.py`` fails when an upgrade changes what this relies on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_local = threading.local()
_original: dict[str, Callable[..., Any]] = {}
_lock = threading.Lock()
_ATTRIBUTES = ("current_event", "lambda_context")


def install() -> None:
    """Patch the resolver (idempotent; process-wide). Does nothing without Powertools installed."""
    with _lock:
        if _original:
            return
        try:
            from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
        except ImportError:
            return
        resolve = _original["resolve"] = ApiGatewayResolver.resolve

        def per_thread_resolve(self: Any, event: Any, context: Any) -> Any:
            raw = getattr(event, "raw_event", event)  # resolve() accepts a data class too
            previous = (getattr(_local, "current_event", None), getattr(_local, "lambda_context", None))
            _local.current_event = self._to_proxy_event(raw)
            _local.lambda_context = context
            try:
                return resolve(self, event, context)
            finally:
                _local.current_event, _local.lambda_context = previous

        ApiGatewayResolver.resolve = per_thread_resolve  # type: ignore[method-assign]
        for name in _ATTRIBUTES:
            setattr(ApiGatewayResolver, name, property(_getter(name), _setter(name)))


def uninstall() -> None:
    with _lock:
        if not _original:
            return
        from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

        ApiGatewayResolver.resolve = _original.pop("resolve")  # type: ignore[method-assign]
        for name in _ATTRIBUTES:
            delattr(ApiGatewayResolver, name)


def _getter(name: str) -> Callable[[Any], Any]:
    def get(_self: Any) -> Any:
        return getattr(_local, name, None)

    return get


def _setter(name: str) -> Callable[[Any, Any], None]:
    def set_(_self: Any, value: Any) -> None:
        setattr(_local, name, value)

    return set_
