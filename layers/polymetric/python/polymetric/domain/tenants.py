"""Organizations (the tenants), authentication, and the organization summary (GET /v1/organization)."""

import secrets

from polymetric import clock
from polymetric.config import get_settings
from polymetric.errors import NotFoundError, UnauthorizedError
from polymetric.models.secrets import masked
from polymetric.models.tenant import ApiToken, Organization, Principal, Role
from polymetric.storage import environments, rounds, sequences, tokens
from polymetric.storage import metrics as metric_store

LOCAL_TENANT = "local"
TOKEN_SEQUENCE = "api_tokens"

_principals: dict[str, tuple[Principal, float]] = {}


def create_org(name: str, tenant: str | None = None) -> str:
    tenant = tenant or secrets.token_hex(6)
    tokens.save_org(tenant, name)
    rounds.register(tenant, clock.now())  # the compaction planner lists organizations there
    return tenant


def new_token(
    tenant: str,
    role: Role,
    name: str | None,
    *,
    token: str | None = None,
    active: bool = True,
    environment: str | None = None,
) -> ApiToken:
    """Store a new API token (hashed); the returned one carries the secret, shown this once."""
    token = token or secrets.token_hex(32)
    ensure_counts(tenant)  # the token limit is a condition on the organization's token counter
    now = clock.now()
    created = ApiToken(
        id=sequences.next_id(TOKEN_SEQUENCE),
        name=name,
        role=role,
        active=active,
        environment=environment,
        masked=masked(token),
        created_at=now,
        updated_at=now,
        secret=token,
    )
    tokens.create_token(tenant, token, created)
    return created


def create_token(tenant: str, role: Role, name: str, token: str | None = None, environment: str | None = None) -> str:
    """Store a new API token and return its secret (the clear token is never stored)."""
    secret = new_token(tenant, role, name, token=token, environment=environment).secret
    assert secret is not None
    return secret


def create_org_with_admin(name: str) -> tuple[str, str]:
    """A new organization and its first admin token: (tenant, token). What ``org create`` runs."""
    tenant = create_org(name)
    return tenant, create_token(tenant, Role.ADMIN, "first admin")


def bootstrap(tenant: str, name: str, admin_token: str) -> None:
    """An organization with a known admin token, made if missing (idempotent: the local server runs it at every
    start, the deploy-time custom resource at every stack update)."""
    if not tokens.org_exists(tenant):
        create_org(name, tenant=tenant)
    rounds.register(tenant, clock.now())  # no-op once listed (data saved by older versions)
    if tokens.listed_id(admin_token) is None:  # unknown, or stored before tokens were listed
        create_token(tenant, Role.ADMIN, "admin", token=admin_token)


def bootstrap_local(admin_token: str) -> None:
    """The local server's organization and admin token."""
    bootstrap(LOCAL_TENANT, "Local organization", admin_token)


def authenticate(token: str | None) -> Principal:
    """The principal of an active API token; 401 when missing, unknown or inactive."""
    if not token:
        raise UnauthorizedError("Please provide credentials for authentication.")
    principal = find(token)
    if principal is None:
        raise UnauthorizedError("Credentials are invalid.")
    return principal


def find(token: str) -> Principal | None:
    """The principal of an active API token, None when unknown or inactive.

    Only active tokens are cached, per container, for TOKEN_CACHE_SECONDS (5): a token deactivated, demoted or
    deleted through another container stops working there within that time (at once in the container that
    changed it); an unknown or inactive token is looked up again at every request.
    """
    cached = _principals.get(token)
    now = clock.monotonic()
    if cached and now - cached[1] < get_settings().TOKEN_CACHE_SECONDS:
        return cached[0]
    principal = tokens.find_token(token)
    if principal is not None:
        _principals[token] = (principal, now)
    else:
        _principals.pop(token, None)
    return principal


def organization(tenant: str) -> Organization:
    """The organization with its counts: metrics, series, API tokens, environments (one item read: the counts
    are counters kept by every create and delete)."""
    org = tokens.get_org(tenant)
    if org is None:
        raise NotFoundError("Organization not found")
    return Organization(
        tenant=org.tenant,
        name=org.name,
        created_at=org.created_at,
        metric_quota=org.metric_quota,
        counts=_counts(tenant, org.counts),
    )


def ensure_counts(tenant: str) -> None:
    """Give an organization saved before its counters existed the counters it lacks (token and environment
    creation need them: their limits are conditions on them)."""
    org = tokens.get_org(tenant)
    if org is not None:
        _counts(tenant, org.counts)


def _no_series(_tenant: str) -> int:
    return 0  # the series counter is as old as organizations: only tests write without it


_COUNT_ONCE = {
    "metrics": metric_store.count,
    "series": _no_series,
    "api_tokens": tokens.count_tokens,
    "environments": environments.count,
}


def _counts(tenant: str, counts: dict[str, int]) -> dict[str, int]:
    """The counters, each missing one counted once and stored. Writes racing that first count may be missed
    (an ADD to a missing counter is skipped), so such a count can be off by the creates and deletes of the
    moment it was taken."""
    complete = dict(counts)
    for name, count_once in _COUNT_ONCE.items():
        if name not in complete:
            complete[name] = count_once(tenant)
            tokens.init_count(tenant, name, complete[name])
    return {name: complete[name] for name in _COUNT_ONCE}


def metric_quota(tenant: str) -> int | None:
    """How many metrics the organization may have; None: no quota."""
    return tokens.metric_quota(tenant)


def set_metric_quota(tenant: str, quota: int | None) -> None:
    tokens.set_metric_quota(tenant, quota)


def forget_cached_tokens() -> None:
    _principals.clear()
