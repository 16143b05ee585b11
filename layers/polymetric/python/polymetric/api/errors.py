"""The one place that maps domain errors to HTTP responses, in the shape of the dialect a function passes in."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError

from polymetric.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PolymetricError,
    RateLimitedError,
    StorageError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from polymetric.models.dialect import JSON, ErrorDialect
from polymetric.observability import logger

from .limits import rate_limit_headers
from .render import json_response

# Every dialect's statuses, but for the classes a dialect overrides (``ErrorDialect.statuses``).
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
    PaymentRequiredError: 402,
    RateLimitedError: 429,
}


def status_of(error: PolymetricError, dialect: ErrorDialect) -> int:
    """The most specific status for the error's class: the dialect's override, else the common map, else 400."""
    for cls in type(error).__mro__:
        if cls in dialect.statuses:
            return dialect.statuses[cls]
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_response(
    error: PolymetricError, dialect: ErrorDialect, headers: dict[str, str] | None = None
) -> Response[str]:
    status = status_of(error, dialect)
    body = dialect.body(error, status)
    if dialect.content_type == JSON:
        return json_response(status, body, headers)
    return Response(status_code=status, content_type=dialect.content_type, body=body, headers=headers)


def register_error_handlers(app: APIGatewayRestResolver, dialect: ErrorDialect) -> None:
    @app.exception_handler(PolymetricError)  # type: ignore[untyped-decorator]
    def domain_error(error: PolymetricError) -> Response[str]:
        status = status_of(error, dialect)
        if status == 401:
            headers: dict[str, str] | None = {"WWW-Authenticate": 'Basic realm="Polymetric"'}
        else:
            headers = rate_limit_headers(app, refused=status == 429)
        if status >= 500:
            logger.exception("storage failure", error=str(error))
        else:
            logger.info("request refused", status=status, error=str(error))
        return error_response(error, dialect, headers)

    @app.not_found
    def unknown_route(_: RouteNotFoundError) -> Response[str]:
        return error_response(NotFoundError("The requested resource does not exist."), dialect)

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(_: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return json_response(500, {"errors": {"system": ["Internal error."]}})
