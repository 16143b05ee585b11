"""How `make serve` prints the handlers' logs (Powertools).

By default, one readable line per request: the access line, with what the handler logged below WARNING
appended to it (``... 202 89 12.3ms | measurements stored tenant=local accepted=1 rejected=0``); warnings
and errors get a line of their own, traceback below. With ``--json-logs`` / ``POLYMETRIC_JSON_LOGS=1``,
every record as Lambda sends it to CloudWatch: compact JSON, one object per line. (The runtime sets
POWERTOOLS_DEV, under which Powertools itself indents each record over ~15 lines.)
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

JSON_LOGS_ENV = "POLYMETRIC_JSON_LOGS"
# API tokens in a URL: CloudWisdom's path (/ingest/[kind/]{apiId}, /check/{apiId}/...), the token itself
# named in /v1/api_tokens/{name} (an id is digits), Anomify's ``key`` and OddEye's ``UUID`` query
# parameters; a path may start with the stage (/Prod/...), as the router accepts it.
_TOKEN_IN_PATH = re.compile(
    r"^((?:/[^/?]+)??(?:/ingest(?:/events/ruby|/events|/infrastructure|/ruby|/statsd)?/|/check/|/v1/api_tokens/))"
    r"(?!\d+$)[^/?]+"
)
_TOKEN_PARAMETERS = frozenset(("key", "UUID"))
MASK = "****"
# What every record carries on Lambda; the access line printed for the request already says which route ran.
_CONTEXT = frozenset(
    (
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "sampling_rate",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "correlation_id",
        "xray_trace_id",
        "exception",
        "exception_name",
        "exception_notes",
        "stack_trace",
    )
)


class OneLineFormatter(LambdaPowertoolsFormatter):
    """``<time> <LEVEL> <Function>: <message> key=value ...``, the traceback below when there is one."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        function = str(log.get("function_name", "")).rsplit("-", 1)[-1]
        extras = " ".join(f"{key}={_text(value)}" for key, value in log.items() if key not in _CONTEXT)
        line = f"{log.get('timestamp', '')} {log.get('level', '')} {function}: {log.get('message', '')}"
        line = f"{line} {extras}" if extras else line
        return f"{line}\n{log['exception']}" if log.get("exception") else line


class JsonLinesFormatter(LambdaPowertoolsFormatter):
    """Powertools' record as on Lambda: compact JSON, one object per line."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return json.dumps(log, default=str, separators=(",", ":"), ensure_ascii=False)


class _IntoAccessLine(logging.Filter):
    """Keeps records below WARNING for the access line of the request being handled on this thread."""

    def __init__(self, formatter: OneLineFormatter) -> None:
        super().__init__()
        self.formatter = formatter

    def filter(self, record: logging.LogRecord) -> bool:
        notes: list[str] | None = getattr(_pending, "notes", None)
        if notes is None or record.levelno >= logging.WARNING:
            return True  # a queue worker or a schedule (no access line), or worth a line of its own
        notes.append(self.formatter.format(record).split(": ", 1)[-1])
        return False


_pending = threading.local()


def begin_request() -> None:
    """From now on this thread's records below WARNING wait for the request's access line."""
    _pending.notes = []


def request_notes() -> str:
    """What the handler logged below WARNING since begin_request(), as a suffix of the access line."""
    notes: list[str] = getattr(_pending, "notes", None) or []
    _pending.notes = None
    return "".join(f" | {note}" for note in notes)


def use_local_format(*, json_logs: bool, logger: Logger | None = None) -> None:
    """Swap the formatter of the layer's Powertools logger (or ``logger``), keeping the keys it was given."""
    if logger is None:
        try:  # importable once the runtime has started, unless the template's layer is not Polymetric's
            from polymetric.observability import logger as layer_logger
        except ModuleNotFoundError:
            return
        logger = layer_logger
    current = logger.registered_formatter
    formatter = JsonLinesFormatter() if json_logs else OneLineFormatter()
    formatter.log_format.update(getattr(current, "log_format", {}))
    handler = logger.registered_handler
    handler.setFormatter(formatter)
    if isinstance(formatter, OneLineFormatter):
        handler.addFilter(_IntoAccessLine(formatter))


def redacted(target: str) -> str:
    """A request target as the access line prints it: API tokens in its path or query masked."""
    path, question, query = target.partition("?")
    path = _TOKEN_IN_PATH.sub(rf"\g<1>{MASK}", path)
    if question:
        query = "&".join(map(_masked_parameter, query.split("&")))
    return f"{path}{question}{query}"


def _masked_parameter(pair: str) -> str:
    name, equals, _ = pair.partition("=")
    return f"{name}={MASK}" if equals and unquote_plus(name) in _TOKEN_PARAMETERS else pair


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, separators=(",", ":"))
