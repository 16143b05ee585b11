"""Environments (seed: Environments): named groups of API tokens whose writes are tagged ``environment=<name>``.

The name becomes a tag value, so it follows the tag value rules. Renaming an environment renames it on
its tokens too; an environment still bound to tokens cannot be deleted.
"""

import re

from polymetric import clock
from polymetric.domain import tenants
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.tenant import Environment, TokenChanges
from polymetric.storage import environments as store
from polymetric.storage import sequences, tokens

SEQUENCE = "environments"
NAME_RE = re.compile(r"^[-.:_?\\/\w ]{1,255}$")


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise InvalidInputError.param("name", "is required: 1 to 255 characters of A-Za-z0-9 space and -.:_?\\/")
    return name


def create(tenant: str, name: str) -> Environment:
    now = clock.now()
    environment = Environment(id=sequences.next_id(SEQUENCE), name=check_name(name), created_at=now, updated_at=now)
    tenants.ensure_counts(tenant)  # the environment limit is a condition on the organization's counter
    store.create(tenant, environment)
    return environment


def get(tenant: str, environment_id: str) -> Environment:
    found = store.get(tenant, int(environment_id)) if environment_id.isdigit() else None
    if found is None:
        raise NotFoundError(f"Environment {environment_id} not found")
    return found


def by_name(tenant: str, name: str) -> Environment:
    found = store.find_by_name(tenant, name)
    if found is None:
        raise NotFoundError(f"Environment {name} not found")
    return found


def list_all(tenant: str) -> list[Environment]:
    return store.list_all(tenant)


def _bound_tokens(tenant: str, environment: Environment) -> list[int]:
    return [t.id for t in tokens.list_tokens(tenant) if (t.environment or "").lower() == environment.name.lower()]


def rename(tenant: str, environment_id: str, name: str) -> Environment:
    current = get(tenant, environment_id)
    renamed = store.rename(tenant, current, check_name(name))
    for token_id in _bound_tokens(tenant, current):
        tokens.update_token(tenant, token_id, TokenChanges(environment=renamed.name))
    tenants.forget_cached_tokens()
    return renamed


def delete(tenant: str, environment_id: str) -> None:
    current = get(tenant, environment_id)
    bound = _bound_tokens(tenant, current)
    if bound:
        raise InvalidInputError(
            request=[f"Environment {current.name} is used by {len(bound)} API token(s): unbind or delete them first."]
        )
    store.delete(tenant, current)
