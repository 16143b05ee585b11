"""Environments (Meta table): ``T#{t}#ENVS/{id}`` holds one, ``T#{t}#ENVNAMES/{name}`` keeps names unique.

Both items change together in one transaction, so two requests creating the same name cannot both win.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from polymetric import clock
from polymetric.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from polymetric.models.tenant import Environment
from polymetric.storage import keys, tokens
from polymetric.storage.failures import translated
from polymetric.storage.tables import OrgItem, _MetaItem, bound

# Most environments one organization may have: listings and GET /v1/environments read them all.
MAX_ENVIRONMENTS = 1000


class EnvironmentItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    environment_id = NumberAttribute()
    name = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


class EnvironmentNameItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    environment_id = NumberAttribute()


def _environment(item: EnvironmentItem) -> Environment:
    return Environment(
        id=int(item.environment_id),
        name=item.name,
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
    )


def _transact() -> TransactWrite:
    return TransactWrite(connection=bound(EnvironmentItem)._get_connection().connection)


def _conflict(exc: TransactWriteError) -> bool:
    return "ConditionalCheckFailed" in f"{exc.cause_response_code} {exc.cause_response_message}"


def create(tenant: str, environment: Environment) -> None:
    """Store a new environment; ConflictError when the organization already has one of that name."""
    pk, sk = keys.environment(tenant, environment.id)
    npk, nsk = keys.environment_name(tenant, environment.name.lower())
    with translated("environment write failed"):
        try:
            with _transact() as tx:
                tx.save(
                    bound(EnvironmentNameItem)(npk, nsk, environment_id=environment.id),
                    condition=EnvironmentNameItem.pk.does_not_exist(),
                )
                tx.save(
                    bound(EnvironmentItem)(
                        pk,
                        sk,
                        environment_id=environment.id,
                        name=environment.name,
                        created_at=environment.created_at,
                        updated_at=environment.updated_at,
                    )
                )
                tx.update(
                    bound(OrgItem)(*keys.org(tenant)),
                    actions=[OrgItem.environment_count.add(1)],
                    condition=OrgItem.environment_count < MAX_ENVIRONMENTS,  # false while missing: tenants.counts
                )
        except TransactWriteError as exc:
            reasons = [r.code if r is not None else None for r in exc.cancellation_reasons or []]
            if reasons[2:3] == ["ConditionalCheckFailed"]:
                limit = f"The organization has {MAX_ENVIRONMENTS} environments, the most it may have"
                raise InvalidInputError(request=[f"{limit}: delete some first."]) from exc
            if _conflict(exc):
                raise AlreadyExistsError(f"An environment named {environment.name} already exists.") from exc
            raise


def get(tenant: str, environment_id: int) -> Environment | None:
    pk, sk = keys.environment(tenant, environment_id)
    with translated("environment read failed"):
        try:
            return _environment(bound(EnvironmentItem).get(pk, sk, consistent_read=True))
        except EnvironmentItem.DoesNotExist:
            return None


def find_by_name(tenant: str, name: str) -> Environment | None:
    npk, nsk = keys.environment_name(tenant, name.lower())
    with translated("environment read failed"):
        try:
            found = bound(EnvironmentNameItem).get(npk, nsk, consistent_read=True)
        except EnvironmentNameItem.DoesNotExist:
            return None
    return get(tenant, int(found.environment_id))


def list_all(tenant: str) -> list[Environment]:
    with translated("environment list failed"):
        return [_environment(i) for i in bound(EnvironmentItem).query(keys.environments_pk(tenant))]


def count(tenant: str) -> int:
    with translated("environment count failed"):
        return int(bound(EnvironmentItem).count(keys.environments_pk(tenant)))


def rename(tenant: str, current: Environment, name: str) -> Environment:
    """Give the environment a new name (the old name is freed in the same transaction)."""
    pk, sk = keys.environment(tenant, current.id)
    old_npk, old_nsk = keys.environment_name(tenant, current.name.lower())
    npk, nsk = keys.environment_name(tenant, name.lower())
    now = clock.now()
    with translated("environment write failed"):
        try:
            with _transact() as tx:
                if nsk != old_nsk:
                    tx.delete(bound(EnvironmentNameItem)(old_npk, old_nsk))
                    tx.save(
                        bound(EnvironmentNameItem)(npk, nsk, environment_id=current.id),
                        condition=EnvironmentNameItem.pk.does_not_exist(),
                    )
                tx.update(
                    bound(EnvironmentItem)(pk, sk),
                    actions=[EnvironmentItem.name.set(name), EnvironmentItem.updated_at.set(now)],
                    condition=EnvironmentItem.pk.exists(),
                )
        except TransactWriteError as exc:
            if _conflict(exc):
                if get(tenant, current.id) is None:
                    raise NotFoundError(f"Environment {current.id} not found") from exc
                raise AlreadyExistsError(f"An environment named {name} already exists.") from exc
            raise
    return Environment(id=current.id, name=name, created_at=current.created_at, updated_at=now)


def delete(tenant: str, environment: Environment) -> None:
    pk, sk = keys.environment(tenant, environment.id)
    npk, nsk = keys.environment_name(tenant, environment.name.lower())
    with translated("environment delete failed"):
        try:
            with _transact() as tx:
                tx.delete(bound(EnvironmentItem)(pk, sk), condition=EnvironmentItem.pk.exists())
                tx.delete(bound(EnvironmentNameItem)(npk, nsk))
        except TransactWriteError as exc:
            if _conflict(exc):
                raise NotFoundError(f"Environment {environment.id} not found") from exc  # a racing delete won
            raise
    tokens.add_count(tenant, "environments", -1)
