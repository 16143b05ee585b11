"""Organizations and API tokens (PynamoDB items in the Meta table). Tokens are stored only as SHA-256.

A token is two items written together in one transaction: the global ``TOKEN#{hash}`` item that
authentication reads (it does not know the tenant yet) and the organization's ``T#{t}#TOKENS`` item
that listings read.
"""

import hashlib
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from polymetric import clock
from polymetric.errors import InvalidInputError, NotFoundError
from polymetric.models.tenant import ApiToken, Organization, Principal, Role, TokenChanges
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, failed_condition_at, translated
from polymetric.storage.tables import OrgItem, TenantTokenItem, TokenItem, bound


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What GET /v1/organization counts -> the organization item's counter attribute.
COUNTERS = {
    "metrics": "metric_count",
    "series": "series_count",
    "api_tokens": "token_count",
    "environments": "environment_count",
}
# Most API tokens one organization may have: listings and the last-admin check read them all, and renaming an
# environment rewrites each of its tokens (one transaction each: 500 stay within seconds).
MAX_TOKENS = 500


def save_org(tenant: str, name: str) -> None:
    pk, sk = keys.org(tenant)
    with translated("organization write failed"):
        item = bound(OrgItem)(pk, sk, tenant=tenant, name=name, created_at=clock.now())
        for attr in COUNTERS.values():
            setattr(item, attr, 0)
        item.save()


def org_exists(tenant: str) -> bool:
    pk, sk = keys.org(tenant)
    return bound(OrgItem).count(pk, OrgItem.sk == sk) > 0


def get_org(tenant: str) -> Organization | None:
    pk, sk = keys.org(tenant)
    with translated("organization read failed"):
        try:
            item = bound(OrgItem).get(pk, sk)
        except OrgItem.DoesNotExist:
            return None
    return Organization(
        tenant=item.tenant,
        name=item.name,
        created_at=int(item.created_at),
        metric_quota=None if item.metric_quota is None else int(item.metric_quota),
        counts={
            name: max(0, int(getattr(item, attr))) for name, attr in COUNTERS.items() if getattr(item, attr) is not None
        },
    )


def add_count(tenant: str, counter: str, count: int) -> None:
    """ADD ``count`` to one of the organization's counters (``count`` < 0 when things are deleted).

    Skipped while the counter is missing (an organization saved before it existed, until ``init_count``
    sets it): ADD would start it at zero and undercount for ever.
    """
    if not count:
        return
    attr = getattr(OrgItem, COUNTERS[counter])
    pk, sk = keys.org(tenant)
    with translated("organization write failed"):
        try:
            bound(OrgItem)(pk, sk).update(actions=[attr.add(count)], condition=attr.exists())
        except PynamoDBException as exc:
            if conditional_failed(exc):
                return
            raise


def init_count(tenant: str, counter: str, value: int) -> None:
    """Set a missing counter from a one-time count (a counter another call set meanwhile is kept)."""
    attr = getattr(OrgItem, COUNTERS[counter])
    pk, sk = keys.org(tenant)
    with translated("organization write failed"):
        try:
            bound(OrgItem)(pk, sk).update(
                actions=[attr.set(value)], condition=OrgItem.pk.exists() & attr.does_not_exist()
            )
        except PynamoDBException as exc:
            if conditional_failed(exc):
                return
            raise


def add_series(tenant: str, count: int) -> None:
    """Keep the organization's series count (``count`` < 0 when series are deleted)."""
    if not count:
        return
    pk, sk = keys.org(tenant)
    with translated("organization write failed"):
        try:
            bound(OrgItem)(pk, sk).update(actions=[OrgItem.series_count.add(count)], condition=OrgItem.pk.exists())
        except PynamoDBException as exc:
            if conditional_failed(exc):
                return  # no organization item (tests that write without one); nothing to count
            raise


def metric_quota(tenant: str) -> int | None:
    org = get_org(tenant)
    return None if org is None else org.metric_quota


def set_metric_quota(tenant: str, quota: int | None) -> None:
    pk, sk = keys.org(tenant)
    with translated("organization write failed"):
        bound(OrgItem)(pk, sk).update(
            actions=[OrgItem.metric_quota.remove() if quota is None else OrgItem.metric_quota.set(quota)],
            condition=OrgItem.pk.exists(),
        )


def _api_token(item: TenantTokenItem) -> ApiToken:
    return ApiToken(
        id=int(item.token_id),
        name=item.name,
        role=Role(item.role),
        active=bool(item.active),
        environment=item.environment,
        masked=item.masked,
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
    )


def _transact() -> TransactWrite:
    return TransactWrite(connection=bound(TokenItem)._get_connection().connection)


def create_token(tenant: str, token: str, api_token: ApiToken) -> None:
    """Store both items of a new token (the clear token is never stored)."""
    digest = token_hash(token)
    pk, sk = keys.token(digest)
    global_item = bound(TokenItem)(
        pk,
        sk,
        tenant=tenant,
        token_id=str(api_token.id),
        name=api_token.name or "",
        role=api_token.role.value,
        active=api_token.active,
        environment=api_token.environment,
        created_at=api_token.created_at,
    )
    tpk, tsk = keys.tenant_token(tenant, api_token.id)
    tenant_item = bound(TenantTokenItem)(
        tpk,
        tsk,
        token_hash=digest,
        token_id=api_token.id,
        name=api_token.name,
        role=api_token.role.value,
        active=api_token.active,
        environment=api_token.environment,
        masked=api_token.masked,
        created_at=api_token.created_at,
        updated_at=api_token.updated_at,
    )
    opk, osk = keys.org(tenant)
    with translated("token write failed"):
        try:
            with _transact() as tx:
                tx.save(global_item)
                tx.save(tenant_item, condition=TenantTokenItem.pk.does_not_exist())
                tx.update(
                    bound(OrgItem)(opk, osk),
                    actions=[OrgItem.token_count.add(1)],
                    condition=OrgItem.token_count < MAX_TOKENS,  # false while missing: see tenants.counts
                )
        except TransactWriteError as exc:
            if failed_condition_at(exc, 2):
                raise InvalidInputError(
                    request=[f"The organization has {MAX_TOKENS} API tokens, the most it may have: delete some first."]
                ) from exc
            raise


def find_token(token: str) -> Principal | None:
    """The principal of an active token; None when unknown or inactive."""
    pk, sk = keys.token(token_hash(token))
    with translated("token read failed"):
        try:
            item = bound(TokenItem).get(pk, sk, consistent_read=True)
        except TokenItem.DoesNotExist:
            return None
    if not item.active:
        return None
    return Principal.of(item.tenant, item.role, item.token_id, item.environment)


def listed_id(token: str) -> tuple[str, int] | None:
    """(tenant, id) of a token its organization lists, active or not; None for unknown and unlisted ones."""
    pk, sk = keys.token(token_hash(token))
    with translated("token read failed"):
        try:
            item = bound(TokenItem).get(pk, sk, consistent_read=True)
        except TokenItem.DoesNotExist:
            return None
    return (item.tenant, int(item.token_id)) if item.token_id.isdigit() else None


def list_tokens(tenant: str) -> list[ApiToken]:
    """Every token of the organization, by id (an organization has tens of tokens, not millions)."""
    with translated("token list failed"):
        return [_api_token(i) for i in bound(TenantTokenItem).query(keys.tokens_pk(tenant), consistent_read=True)]


def count_tokens(tenant: str) -> int:
    with translated("token count failed"):
        return int(bound(TenantTokenItem).count(keys.tokens_pk(tenant)))


def _tenant_item(tenant: str, token_id: int) -> TenantTokenItem | None:
    pk, sk = keys.tenant_token(tenant, token_id)
    with translated("token read failed"):
        try:
            return bound(TenantTokenItem).get(pk, sk, consistent_read=True)
        except TenantTokenItem.DoesNotExist:
            return None


def get_token(tenant: str, token_id: int) -> ApiToken | None:
    item = _tenant_item(tenant, token_id)
    return None if item is None else _api_token(item)


def update_token(tenant: str, token_id: int, changes: TokenChanges) -> ApiToken:
    """Apply ``changes`` to both items at once; NotFoundError when the token is gone."""
    item = _tenant_item(tenant, token_id)
    if item is None:
        raise NotFoundError(f"API token {token_id} not found")
    fields: dict[str, Any] = {}
    if changes.name is not None:
        fields["name"] = changes.name
    if changes.role is not None:
        fields["role"] = changes.role.value
    if changes.active is not None:
        fields["active"] = changes.active
    if changes.environment is not None:
        fields["environment"] = changes.environment or None
    global_model = bound(TokenItem)
    bound(TenantTokenItem)
    g_actions = [
        getattr(TokenItem, k).remove() if v is None else getattr(TokenItem, k).set(v) for k, v in fields.items()
    ]
    t_actions = [
        getattr(TenantTokenItem, k).remove() if v is None else getattr(TenantTokenItem, k).set(v)
        for k, v in fields.items()
    ]
    t_actions.append(TenantTokenItem.updated_at.set(clock.now()))
    gpk, gsk = keys.token(item.token_hash)
    with translated("token update failed"):
        try:
            with _transact() as tx:
                if g_actions:
                    tx.update(global_model(gpk, gsk), actions=g_actions, condition=TokenItem.pk.exists())
                tx.update(item, actions=t_actions, condition=TenantTokenItem.pk.exists())
        except TransactWriteError as exc:
            if "ConditionalCheckFailed" in str(exc.cause_response_message) + str(exc.cancellation_reasons):
                raise NotFoundError(f"API token {token_id} not found") from exc
            raise
    found = get_token(tenant, token_id)
    if found is None:
        raise NotFoundError(f"API token {token_id} not found")
    return found


def delete_token(tenant: str, token_id: int) -> None:
    item = _tenant_item(tenant, token_id)
    if item is None:
        raise NotFoundError(f"API token {token_id} not found")
    gpk, gsk = keys.token(item.token_hash)
    with translated("token delete failed"):
        try:
            with _transact() as tx:
                tx.delete(bound(TokenItem)(gpk, gsk))
                tx.delete(item, condition=TenantTokenItem.pk.exists())  # of two racing deletes one counts
        except TransactWriteError as exc:
            if failed_condition_at(exc, 1):
                raise NotFoundError(f"API token {token_id} not found") from exc
            raise
    add_count(tenant, "api_tokens", -1)
