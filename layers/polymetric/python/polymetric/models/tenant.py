"""Who is calling: the tenant (organization) and the role of the API token."""

from dataclasses import dataclass
from enum import StrEnum


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

    @classmethod
    def of(cls, tenant: str, role: str, token_id: str) -> "Principal":
        return cls(tenant, Role(role), token_id)

    def can(self, ability: Ability) -> bool:
        return ability in GRANTS[self.role]
