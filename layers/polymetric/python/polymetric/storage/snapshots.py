"""Snapshot records (Meta table; keys in ``keys.py``) and their PNGs (the snapshots bucket).

Object keys are ``{tenant}/{snapshot id}.png``: built from the authenticated tenant, like every key.
"""

import json
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from polymetric.config import get_settings
from polymetric.models.snapshot import Snapshot, snapshot_from_dict, snapshot_to_dict
from polymetric.storage import keys
from polymetric.storage.clients import s3
from polymetric.storage.failures import translated
from polymetric.storage.tables import _MetaItem, bound

PNG = "image/png"


class SnapshotItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    doc = UnicodeAttribute()  # the Snapshot as JSON
    updated_at = NumberAttribute()


def save(tenant: str, snapshot: Snapshot) -> None:
    item = bound(SnapshotItem)(
        keys.snapshots_pk(tenant),
        keys.numeric_id_sk(snapshot.id),
        doc=json.dumps(snapshot_to_dict(snapshot), separators=(",", ":")),
        updated_at=snapshot.updated_at,
    )
    with translated("snapshot write failed"):
        item.save()


def get(tenant: str, snapshot_id: int) -> Snapshot | None:
    with translated("snapshot read failed"):
        try:
            item = bound(SnapshotItem).get(keys.snapshots_pk(tenant), keys.numeric_id_sk(snapshot_id))
        except SnapshotItem.DoesNotExist:
            return None
    return snapshot_from_dict(json.loads(item.doc))


def image_key(tenant: str, snapshot_id: int) -> str:
    return f"{tenant}/{snapshot_id}.png"


def put_image(key: str, png: bytes) -> None:
    with translated("snapshot image write failed"):
        s3().put_object(Bucket=get_settings().SNAPSHOTS_BUCKET, Key=key, Body=png, ContentType=PNG)


def get_image(key: str) -> bytes:
    with translated("snapshot image read failed"):
        body: Any = s3().get_object(Bucket=get_settings().SNAPSHOTS_BUCKET, Key=key)["Body"]
        return bytes(body.read())


def image_url(key: str) -> str:
    """A URL that serves the PNG: presigned S3 (or the local runtime's object route under ``make serve``)."""
    settings = get_settings()
    if settings.OBJECT_URL_BASE:
        return f"{settings.OBJECT_URL_BASE.rstrip('/')}/{settings.SNAPSHOTS_BUCKET}/{key}"
    with translated("snapshot link failed"):
        return str(
            s3().generate_presigned_url(
                "get_object",
                Params={"Bucket": settings.SNAPSHOTS_BUCKET, "Key": key},
                ExpiresIn=settings.SNAPSHOT_URL_SECONDS,
            )
        )
