"""Resolver factory and Lambda entry point: auth, error map and observability configured once."""

from collections.abc import Callable
from re import Match
from typing import Any, cast
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.models.dialect import ErrorDialect
from polymetric.observability import logger, metrics, tracer

from .errors import register_error_handlers

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class _DecodingResolver(APIGatewayRestResolver):
    """Routes match the path as API Gateway (REST) passes it on, percent-encoded as the client sent it; the
    names they capture reach the routes decoded, as API Gateway decodes ``pathParameters``: so
    ``/v1/metrics/app%3Areq`` (``encodeURIComponent``) names the metric ``app:req``."""

    def _convert_matches_into_route_keys(self, match: Match[str]) -> dict[str, str]:
        return {name: unquote(value) for name, value in match.groupdict().items()}


def build_resolver(errors: ErrorDialect) -> APIGatewayRestResolver:
    """A REST (v1 payload) resolver answering errors in a dialect's shape (``dialects/<name>/errors.py``)."""
    # debug=False even under POWERTOOLS_DEV: debug mode prints whole events, Authorization headers included.
    app = _DecodingResolver(debug=False)
    register_error_handlers(app, errors)
    return app


def entrypoint(app: APIGatewayRestResolver) -> Handler:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response: dict[str, Any] = app.resolve(event, context)
        return response

    return cast(Handler, lambda_handler)
