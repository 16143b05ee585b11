"""The one place that maps domain errors to HTTP responses."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError

from polymetric.errors import (
    AlreadyExistsError,
    ConflictError,
    EmptyDataError,
    ForbiddenError,
    InvalidInputError,
    MissingCredentialsError,
    NotFoundError,
    NoValidItemsError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PolymetricError,
    StorageError,
    UnauthorizedError,
    UnknownAccountError,
    UnreadableDataError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
)
from polymetric.observability import logger

from .render import json_response

STATUS: dict[type[PolymetricError], int] = {
    InvalidInputError: 400,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    AlreadyExistsError: 422,  # seed: Entity Already Exists
    PayloadTooLargeError: 413,
    UnsupportedMediaTypeError: 415,
    StorageError: 503,
    # OddEye's own codes (seed: Error Codes)
    PaymentRequiredError: 402,
    MissingCredentialsError: 406,
    NoValidItemsError: 411,
    UnreadableDataError: 415,
    EmptyDataError: 424,
    UnknownAccountError: 424,
    ValidationFailedError: 412,
}

ErrorBody = Callable[[PolymetricError], Any]  # a JSON document, or what the dialect's ErrorRender takes
# How a dialect's error body goes on the wire: JSON by default; OddEye's bodies are not JSON.
ErrorRender = Callable[[int, Any, dict[str, str] | None], Response[str]]


def status_of(error: PolymetricError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def register_error_handlers(
    app: APIGatewayRestResolver, body_for: ErrorBody, render: ErrorRender = json_response
) -> None:
    @app.exception_handler(PolymetricError)  # type: ignore[untyped-decorator]
    def domain_error(error: PolymetricError) -> Response[str]:
        status = status_of(error)
        headers = {"WWW-Authenticate": 'Basic realm="Polymetric"'} if status == 401 else None
        if status >= 500:
            logger.exception("storage failure", error=str(error))
        else:
            logger.info("request refused", status=status, error=str(error))
        return render(status, body_for(error), headers)

    @app.not_found
    def unknown_route(_: RouteNotFoundError) -> Response[str]:
        return render(404, body_for(NotFoundError("The requested resource does not exist.")), None)

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(_: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return json_response(500, {"errors": {"system": ["Internal error."]}})
