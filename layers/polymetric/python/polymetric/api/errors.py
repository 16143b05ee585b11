"""The one place that maps domain errors to HTTP responses."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError

from polymetric.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PolymetricError,
    StorageError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from polymetric.observability import logger

from .render import json_response

STATUS: dict[type[PolymetricError], int] = {
    InvalidInputError: 400,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    PayloadTooLargeError: 413,
    UnsupportedMediaTypeError: 415,
    StorageError: 503,
}

ErrorBody = Callable[[PolymetricError], dict[str, Any]]


def status_of(error: PolymetricError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def register_error_handlers(app: APIGatewayRestResolver, body_for: ErrorBody) -> None:
    @app.exception_handler(PolymetricError)  # type: ignore[untyped-decorator]
    def domain_error(error: PolymetricError) -> Response[str]:
        status = status_of(error)
        headers = {"WWW-Authenticate": 'Basic realm="Polymetric"'} if status == 401 else None
        if status >= 500:
            logger.exception("storage failure", error=str(error))
        else:
            logger.info("request refused", status=status, error=str(error))
        return json_response(status, body_for(error), headers)

    @app.not_found
    def unknown_route(_: RouteNotFoundError) -> Response[str]:
        return json_response(404, body_for(NotFoundError("The requested resource does not exist.")))

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(_: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return json_response(500, {"errors": {"system": ["Internal error."]}})
