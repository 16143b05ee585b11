"""AppOptics API tokens, environments and organization: request bodies in, response bodies out.

Bodies are JSON or form-encoded (seed: API Tokens), already read into a dict; booleans may be strings.
"""

import time
from typing import Any

from polymetric.dialects import contract
from polymetric.errors import InvalidInputError
from polymetric.models.tenant import ApiToken, Environment, NewToken, Organization, Page, Role, TokenChanges

MAX_PAGE = 100
TRUE = ("true", "1", "yes", "t")
FALSE = ("false", "0", "no", "f")
NAME_LIMIT = 255
# What ``page_request`` reads.
PAGE_PARAMS = (
    contract.integer("offset", "Index of the first item", minimum=0, maximum=2**31),
    contract.integer("length", "Items per page", minimum=1, maximum=MAX_PAGE),
)


def _text(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > NAME_LIMIT:
        raise InvalidInputError.param(key, f"must be a string of at most {NAME_LIMIT} characters")
    return value


def _role(doc: dict[str, Any]) -> Role | None:
    value = doc.get("role")
    if value is None:
        return None
    try:
        return Role(str(value).lower())
    except ValueError:
        raise InvalidInputError.param("role", "must be one of admin, recorder, viewer") from None


def _active(doc: dict[str, Any]) -> bool | None:
    value = doc.get("active")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE + FALSE:
        return value.lower() in TRUE
    raise InvalidInputError.param("active", "must be true or false")


def new_token(doc: dict[str, Any]) -> NewToken:
    """POST /v1/api_tokens: ``name`` required, ``role`` (default viewer: the least a token may do),
    ``active`` (default true), ``environment``. A ``token`` field is ignored: secrets are generated."""
    name = _text(doc, "name")
    if not name or not name.strip():
        raise InvalidInputError.param("name", "is required")
    active = _active(doc)
    return NewToken(
        name=name,
        role=_role(doc) or Role.VIEWER,
        active=True if active is None else active,
        environment=_text(doc, "environment") or None,
    )


def token_changes(doc: dict[str, Any]) -> TokenChanges:
    """PUT /v1/api_tokens/:id: only the fields present change; ``environment`` null or "" unbinds."""
    name = _text(doc, "name")
    if name is not None and not name.strip():
        raise InvalidInputError.param("name", "may not be blank")
    environment = _text(doc, "environment")
    if "environment" in doc and environment is None:
        environment = ""
    changes = TokenChanges(name=name, role=_role(doc), active=_active(doc), environment=environment)
    if changes == TokenChanges():
        raise InvalidInputError(request=["Nothing to change: give name, role, active or environment."])
    return changes


def environment_name(doc: dict[str, Any], query: dict[str, list[str]]) -> Any:
    """The ``name`` of an environment from the body or, as the seed's curl shows, the query string."""
    if "name" in doc:
        return doc["name"]
    values = query.get("name")
    return values[-1] if values else None


def page_request(query: dict[str, list[str]]) -> tuple[int, int]:
    """(offset, length) of a listing; length at most 100."""

    def integer(key: str, default: int, lo: int, hi: int) -> int:
        raw = query.get(key)
        if not raw or raw[-1] == "":
            return default
        try:
            value = int(raw[-1])
        except ValueError:
            raise InvalidInputError.param(key, "must be a whole number") from None
        if not lo <= value <= hi:
            raise InvalidInputError.param(key, f"must be between {lo} and {hi}")
        return value

    return integer("offset", 0, 0, 2**31), integer("length", MAX_PAGE, 1, MAX_PAGE)


def _utc(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def token(t: ApiToken, base: str = "") -> dict[str, Any]:
    """A token; ``token`` is the secret only in the answer to the POST that made it, masked everywhere else.
    ``base``: the API's URL as the caller reached it, for an absolute ``href`` as the seed shows."""
    return {
        "id": t.id,
        "name": t.name,
        "token": t.secret or t.masked,
        "active": t.active,
        "role": t.role.value,
        "environment": t.environment,
        "href": f"{base}/v1/api_tokens/{t.id}",
        "created_at": _utc(t.created_at),
        "updated_at": _utc(t.updated_at),
    }


def token_page(page: Page[ApiToken], base: str = "") -> dict[str, Any]:
    return {
        "api_tokens": [token(t, base) for t in page.items],
        "query": {"found": page.found, "length": len(page.items), "offset": page.offset, "total": page.total},
    }


def environment(e: Environment) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "created_at": e.created_at, "updated_at": e.updated_at}


def environment_list(found: list[Environment]) -> dict[str, Any]:
    return {
        "environments": [environment(e) for e in found],
        "query": {"found": len(found), "length": len(found), "offset": 0, "total": len(found)},
    }


def organization(org: Organization, limits: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": org.tenant,  # seed: "Unique organization ID", a string
        "name": org.name,
        "created_at": org.created_at,
        "limits": {"metrics": org.metric_quota, **limits},
        "counts": dict(org.counts),
    }
