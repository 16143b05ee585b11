"""Organizations and API tokens (PynamoDB items in the Meta table). Tokens are stored only as SHA-256."""

import hashlib
import time

from pynamodb.exceptions import PynamoDBException

from polymetric.errors import StorageError
from polymetric.models.tenant import Principal
from polymetric.storage import keys
from polymetric.storage.tables import OrgItem, TokenItem, bound


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def save_org(tenant: str, name: str) -> None:
    pk, sk = keys.org(tenant)
    try:
        bound(OrgItem)(pk, sk, tenant=tenant, name=name, created_at=int(time.time())).save()
    except PynamoDBException as exc:
        raise StorageError("organization write failed", cause=exc) from exc


def org_exists(tenant: str) -> bool:
    pk, sk = keys.org(tenant)
    return bound(OrgItem).count(pk, OrgItem.sk == sk) > 0


def metric_quota(tenant: str) -> int | None:
    pk, sk = keys.org(tenant)
    try:
        item = bound(OrgItem).get(pk, sk)
    except OrgItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise StorageError("organization read failed", cause=exc) from exc
    return None if item.metric_quota is None else int(item.metric_quota)


def set_metric_quota(tenant: str, quota: int | None) -> None:
    pk, sk = keys.org(tenant)
    try:
        bound(OrgItem)(pk, sk).update(
            actions=[OrgItem.metric_quota.remove() if quota is None else OrgItem.metric_quota.set(quota)],
            condition=OrgItem.pk.exists(),
        )
    except PynamoDBException as exc:
        raise StorageError("organization write failed", cause=exc) from exc


def save_token(token: str, principal: Principal, name: str) -> None:
    pk, sk = keys.token(token_hash(token))
    item = bound(TokenItem)(
        pk,
        sk,
        tenant=principal.tenant,
        token_id=principal.token_id,
        name=name,
        role=principal.role.value,
        active=True,
        created_at=int(time.time()),
    )
    try:
        item.save()
    except PynamoDBException as exc:
        raise StorageError("token write failed", cause=exc) from exc


def find_token(token: str) -> Principal | None:
    pk, sk = keys.token(token_hash(token))
    try:
        item = bound(TokenItem).get(pk, sk)
    except TokenItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise StorageError("token read failed", cause=exc) from exc
    if not item.active:
        return None
    return Principal.of(item.tenant, item.role, item.token_id)
