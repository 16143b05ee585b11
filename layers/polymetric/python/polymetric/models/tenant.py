"""Who is calling (the tenant, i.e. organization, and the role of the API token) and the account's objects."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Role(StrEnum):
    ADMIN = "admin"
    RECORDER = "recorder"
    VIEWER = "viewer"


class Ability(StrEnum):
    """What a route needs. Roles grant abilities (AppOptics: full access / record only / read only)."""

    READ = "read"
    RECORD = "record"
    MANAGE = "manage"


GRANTS: dict[Role, frozenset[Ability]] = {
    Role.ADMIN: frozenset(Ability),
    Role.RECORDER: frozenset({Ability.RECORD}),
    Role.VIEWER: frozenset({Ability.READ}),
}


@dataclass(frozen=True)
class Principal:
    tenant: str
    role: Role
    token_id: str
    # The environment the token is bound to: its writes carry the tag environment=<name>.
    environment: str | None = None

    @classmethod
    def of(cls, tenant: str, role: str, token_id: str, environment: str | None = None) -> "Principal":
        return cls(tenant, Role(role), token_id, environment or None)

    def can(self, ability: Ability) -> bool:
        return ability in GRANTS[self.role]

    @property
    def reads_secrets(self) -> bool:
        """Whether notification credentials (service settings) show in clear: only to whom may manage them
        (admin tokens); everyone else reads them masked."""
        return self.can(Ability.MANAGE)


@dataclass(frozen=True)
class ApiToken:
    """An API token as its organization sees it: the secret itself only once, when it is created."""

    id: int
    name: str | None
    role: Role
    active: bool
    environment: str | None
    masked: str  # what listings show instead of the secret
    created_at: int
    updated_at: int
    secret: str | None = None  # set only on the token a create returns


@dataclass(frozen=True)
class NewToken:
    """A validated POST /v1/api_tokens."""

    name: str
    role: Role
    active: bool = True
    environment: str | None = None


@dataclass(frozen=True)
class TokenChanges:
    """A validated PUT: only the fields present change (``environment`` "" unbinds)."""

    name: str | None = None
    role: Role | None = None
    active: bool | None = None
    environment: str | None = None


@dataclass(frozen=True)
class Environment:
    id: int
    name: str
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: the items, how many matched (found) and how many exist (total)."""

    items: list[T]
    found: int
    total: int
    offset: int


@dataclass(frozen=True)
class Organization:
    tenant: str
    name: str
    created_at: int
    metric_quota: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
