"""HTTP Basic credentials -> principal, and the per-route ability check."""

import base64
import binascii
from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from polymetric.domain import rate_limits, tenants, token_scope
from polymetric.errors import ForbiddenError, RateLimitedError, UnauthorizedError
from polymetric.models.limits import REQUESTS, RateBudget
from polymetric.models.tenant import Ability, Principal
from polymetric.observability import logger

from .limits import BUDGETS, headers_for

PRINCIPAL = "principal"
ABILITY = "ability"


def token_from_basic(header: str | None) -> str | None:
    """The API token of a Basic header: the password when non-empty (librato: email:token), else the user."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text; UnicodeDecodeError is one too
        return None
    user, _, password = decoded.partition(":")
    return password or user or None


Credentials = Callable[[APIGatewayRestResolver], str | None]


def basic_credentials(app: APIGatewayRestResolver) -> str | None:
    """The AppOptics/Librato way: HTTP Basic."""
    return token_from_basic(app.current_event.headers.get("Authorization"))


def allow(
    ability: Ability, credentials: Credentials = basic_credentials, *, writes_measurements: bool = False
) -> Callable[[APIGatewayRestResolver, NextMiddleware], Response[str]]:
    """Route middleware: authenticate the caller and require ``ability`` of its role.

    ``credentials`` finds the API token where the dialect carries it (Basic header, a body field,
    a path segment, a custom header); every dialect's token is a Polymetric API token.
    ``writes_measurements``: the route's request is counted against the request limit together with its
    measurements (``token_scope.limit``), in one counter update instead of two. Only for routes that write
    nothing before their measurements (a request over the limit must not have written anything when refused).
    """

    def middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
        principal = tenants.authenticate(credentials(app))
        budgets: dict[str, RateBudget] = {}
        app.append_context(**{BUDGETS: budgets})  # type: ignore[no-untyped-call]
        if not writes_measurements:
            budgets[REQUESTS], within = rate_limits.take_request(principal)
            if not within:
                raise RateLimitedError(rate_limits.OVER_REQUESTS)
        with token_scope.writing_as(principal, budgets, request_pending=writes_measurements):
            if not principal.can(ability):
                raise ForbiddenError(f"This API token ({principal.role.value}) may not perform this action.")
            logger.append_keys(tenant=principal.tenant)
            app.append_context(**{PRINCIPAL: principal})  # type: ignore[no-untyped-call]
            response = next_middleware(app)
        response.headers.update(headers_for(budgets))
        return response

    middleware.__name__ = f"allow_{ability.value}"
    setattr(middleware, ABILITY, ability)
    return middleware


def principal(app: APIGatewayRestResolver) -> Principal:
    found = app.context.get(PRINCIPAL)
    if not isinstance(found, Principal):
        raise UnauthorizedError("Please provide credentials for authentication.")
    return found
