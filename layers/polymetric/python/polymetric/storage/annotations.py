"""Annotation streams and events (PynamoDB items in the Meta table; keys in ``keys.py``)."""

import time

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException

from polymetric.errors import StorageError
from polymetric.models.annotation import Annotation
from polymetric.storage import keys
from polymetric.storage.tables import _MetaItem, bound


class AnnotationStreamItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    name = UnicodeAttribute()
    display_name = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class AnnotationItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    stream = UnicodeAttribute()
    event_id = NumberAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    start_time = NumberAttribute()
    end_time = NumberAttribute(null=True)
    links: ListAttribute[MapAttribute[str, str]] = ListAttribute(default=list)


def ensure_stream(tenant: str, name: str) -> None:
    """Create the stream unless it exists (first spelling kept)."""
    item = bound(AnnotationStreamItem)(
        keys.annotation_streams_pk(tenant), name.lower(), name=name, created_at=int(time.time())
    )
    try:
        item.save(condition=AnnotationStreamItem.pk.does_not_exist())
    except PynamoDBException as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise StorageError("annotation stream write failed", cause=exc) from exc


def save(tenant: str, event: Annotation) -> None:
    item = bound(AnnotationItem)(
        keys.annotations_pk(tenant, event.stream.lower()),
        keys.annotation_sk(event.start_time, event.id),
        stream=event.stream,
        event_id=event.id,
        title=event.title,
        description=event.description,
        source=event.source,
        start_time=event.start_time,
        end_time=event.end_time,
        links=[dict(link) for link in event.links],
    )
    try:
        item.save()
    except PynamoDBException as exc:
        raise StorageError("annotation write failed", cause=exc) from exc


def events(tenant: str, stream: str, start: int, end: int) -> list[Annotation]:
    """Events of a stream whose start_time is in [start, end], oldest first."""
    model = bound(AnnotationItem)
    condition = model.sk.between(keys.annotation_sk(start, 0), keys.annotation_sk(end, 10**19 - 1))
    try:
        return [
            Annotation(
                stream=i.stream,
                id=int(i.event_id),
                title=i.title,
                start_time=int(i.start_time),
                end_time=int(i.end_time) if i.end_time is not None else None,
                description=i.description,
                source=i.source,
                links=[{str(k): str(v) for k, v in dict(link).items()} for link in i.links],
            )
            for i in model.query(keys.annotations_pk(tenant, stream.lower()), condition)
        ]
    except PynamoDBException as exc:
        raise StorageError("annotation read failed", cause=exc) from exc


def streams(tenant: str) -> list[str]:
    try:
        return [i.name for i in bound(AnnotationStreamItem).query(keys.annotation_streams_pk(tenant))]
    except PynamoDBException as exc:
        raise StorageError("annotation stream list failed", cause=exc) from exc
