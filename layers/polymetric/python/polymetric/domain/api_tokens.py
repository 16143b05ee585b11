"""API tokens as their organization manages them (seed: API Tokens). Only admin tokens reach these use cases.

A token is named by its integer id, or by the token itself. The organization keeps at least one
active admin token: the last one cannot be deactivated, demoted or deleted (nobody could manage the
organization any more).
"""

import fnmatch

from polymetric.domain import tenants
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.tenant import ApiToken, NewToken, Page, Role, TokenChanges
from polymetric.storage import environments, tokens


def _environment_name(tenant: str, name: str | None) -> str | None:
    """The environment's name as stored; 400 when the organization has none of that name."""
    if not name:
        return None
    found = environments.find_by_name(tenant, name)
    if found is None:
        raise InvalidInputError.param("environment", f"no environment named {name}: create it first")
    return found.name


def create(tenant: str, new: NewToken) -> ApiToken:
    return tenants.new_token(
        tenant, new.role, new.name, active=new.active, environment=_environment_name(tenant, new.environment)
    )


def resolve(tenant: str, ref: str) -> ApiToken:
    """The token named by its id or by the token itself; another organization's token is not found."""
    found: ApiToken | None = None
    if ref.isdigit():
        found = tokens.get_token(tenant, int(ref))
    else:
        listed = tokens.listed_id(ref)
        if listed is not None and listed[0] == tenant:
            found = tokens.get_token(tenant, listed[1])
    if found is None:
        raise NotFoundError(f"API token {ref if ref.isdigit() else '(given)'} not found")
    return found


def _matches(token: ApiToken, pattern: str) -> bool:
    name = (token.name or "").lower()
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(name, pattern.lower())
    return pattern.lower() in name


def list_page(tenant: str, *, name: str | None, offset: int, length: int) -> Page[ApiToken]:
    """The tokens whose name matches (``*`` wildcards, else a substring), by id."""
    everything = tokens.list_tokens(tenant)
    found = [t for t in everything if not name or _matches(t, name)]
    return Page(found[offset : offset + length], found=len(found), total=len(everything), offset=offset)


def lookup(tenant: str, ref: str, *, offset: int, length: int) -> Page[ApiToken]:
    """GET /v1/api_tokens/:name: the token of that id or secret, else the tokens whose name matches."""
    if ref.isdigit() or tokens.listed_id(ref) is not None:
        try:
            one = resolve(tenant, ref)
        except NotFoundError:
            return Page([], found=0, total=tokens.count_tokens(tenant), offset=offset)
        return Page([one], found=1, total=tokens.count_tokens(tenant), offset=offset)
    return list_page(tenant, name=ref, offset=offset, length=length)


def _keeps_an_admin(tenant: str, token: ApiToken, *, role: Role | None, active: bool | None) -> None:
    after_role = role or token.role
    after_active = token.active if active is None else active
    if token.role != Role.ADMIN or not token.active or (after_role == Role.ADMIN and after_active):
        return
    others = [t for t in tokens.list_tokens(tenant) if t.id != token.id and t.role == Role.ADMIN and t.active]
    if not others:
        raise InvalidInputError(request=["The organization's last active admin token cannot be removed or demoted."])


def update(tenant: str, ref: str, changes: TokenChanges) -> ApiToken:
    token = resolve(tenant, ref)
    _keeps_an_admin(tenant, token, role=changes.role, active=changes.active)
    if changes.environment:
        changes = TokenChanges(
            name=changes.name,
            role=changes.role,
            active=changes.active,
            environment=_environment_name(tenant, changes.environment),
        )
    updated = tokens.update_token(tenant, token.id, changes)
    tenants.forget_cached_tokens()  # this container at once; others within TOKEN_CACHE_SECONDS
    return updated


def delete(tenant: str, ref: str) -> None:
    token = resolve(tenant, ref)
    _keeps_an_admin(tenant, token, role=None, active=False)
    tokens.delete_token(tenant, token.id)
    tenants.forget_cached_tokens()
