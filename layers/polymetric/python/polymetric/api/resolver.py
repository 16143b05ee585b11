"""Resolver factory and Lambda entry point: auth, error map and observability configured once."""

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.models.dialect import ErrorDialect
from polymetric.observability import logger, metrics, tracer

from .errors import register_error_handlers

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def build_resolver(errors: ErrorDialect) -> APIGatewayRestResolver:
    """A REST (v1 payload) resolver answering errors in a dialect's shape (``dialects/<name>/errors.py``)."""
    # debug=False even under POWERTOOLS_DEV: debug mode prints whole events, Authorization headers included.
    app = APIGatewayRestResolver(debug=False)
    register_error_handlers(app, errors)
    return app


def entrypoint(app: APIGatewayRestResolver) -> Handler:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response: dict[str, Any] = app.resolve(_decoded_path(event), context)
        return response

    return cast(Handler, lambda_handler)


def _decoded_path(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its path percent-decoded: API Gateway (REST) hands the path on as the client encoded
    it (its pathParameters decoded), and the resolver matches routes and takes names from the path, so
    ``/v1/metrics/app%3Areq`` (``encodeURIComponent``) names the metric ``app:req`` as ``/v1/metrics/app:req`` does."""
    path = event.get("path")
    if not isinstance(path, str) or "%" not in path:
        return event
    return {**event, "path": unquote(path)}
