"""Organizations and their API tokens."""

import secrets
import time

from polymetric.errors import UnauthorizedError
from polymetric.models.tenant import Principal, Role
from polymetric.storage import rounds, tokens

LOCAL_TENANT = "local"

_principals: dict[str, tuple[Principal, float]] = {}
_TOKEN_CACHE_SECONDS = 60.0


def create_org(name: str, tenant: str | None = None) -> str:
    tenant = tenant or secrets.token_hex(6)
    tokens.save_org(tenant, name)
    rounds.register(tenant, int(time.time()))  # the compaction planner lists organizations there
    return tenant


def create_token(tenant: str, role: Role, name: str, token: str | None = None) -> str:
    """Store a new API token (hashed) and return it; the clear token is never stored."""
    token = token or secrets.token_hex(32)
    tokens.save_token(token, Principal(tenant, role, secrets.token_hex(4)), name)
    return token


def bootstrap_local(admin_token: str) -> None:
    """The local server's organization and admin token (idempotent: run at every start)."""
    if not tokens.org_exists(LOCAL_TENANT):
        create_org("Local organization", tenant=LOCAL_TENANT)
    rounds.register(LOCAL_TENANT, int(time.time()))  # no-op once listed (data saved by older versions)
    if tokens.find_token(admin_token) is None:
        create_token(LOCAL_TENANT, Role.ADMIN, "local admin", token=admin_token)


def authenticate(token: str | None) -> Principal:
    """The principal of an API token. Found tokens are cached per container for a minute."""
    if not token:
        raise UnauthorizedError("Please provide credentials for authentication.")
    principal = find(token)
    if principal is None:
        raise UnauthorizedError("Credentials are invalid.")
    return principal


def find(token: str) -> Principal | None:
    """The principal of an API token, None when unknown. Found tokens are cached per container for a minute."""
    cached = _principals.get(token)
    now = time.monotonic()
    if cached and now - cached[1] < _TOKEN_CACHE_SECONDS:
        return cached[0]
    principal = tokens.find_token(token)
    if principal is not None:
        _principals[token] = (principal, now)
    return principal


def metric_quota(tenant: str) -> int | None:
    """How many metrics the organization may have; None: no quota."""
    return tokens.metric_quota(tenant)


def set_metric_quota(tenant: str, quota: int | None) -> None:
    tokens.set_metric_quota(tenant, quota)


def forget_cached_tokens() -> None:
    _principals.clear()
