"""Annotation streams and events (PynamoDB items in the Meta table; keys in ``keys.py``).

An event is two items in its stream's partition: the event under ``{start}#{id}`` (time-range reads)
and a pointer under ``ID#{id}`` holding its start (reads, updates and deletes by id).
"""

from collections.abc import Iterator

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from polymetric import clock
from polymetric.models.annotation import Annotation, AnnotationStream
from polymetric.storage import keys
from polymetric.storage.failures import conditional_failed, translated
from polymetric.storage.tables import _MetaItem, bound, count_upto


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


class AnnotationIdItem(_MetaItem):
    class Meta(_MetaItem.Meta):
        pass

    start_time = NumberAttribute()


def ensure_stream(tenant: str, name: str) -> str:
    """Create the stream unless it exists (first spelling kept); the stream's name as stored."""
    model = bound(AnnotationStreamItem)
    item = model(keys.annotation_streams_pk(tenant), name.lower(), name=name, created_at=clock.now())
    with translated("annotation stream write failed"):
        try:
            item.save(condition=AnnotationStreamItem.pk.does_not_exist())
        except PynamoDBException as exc:
            if not conditional_failed(exc):
                raise
            # Another request created it first, maybe spelled otherwise: its spelling is the stream's
            return str(model.get(item.pk, item.sk, consistent_read=True).name)
    return name


def count_streams(tenant: str, limit: int) -> int:
    return count_upto(AnnotationStreamItem, keys.annotation_streams_pk(tenant), limit, "annotation stream")


def get_stream(tenant: str, name: str) -> AnnotationStream | None:
    with translated("annotation stream read failed"):
        try:
            item = bound(AnnotationStreamItem).get(keys.annotation_streams_pk(tenant), name.lower())
        except AnnotationStreamItem.DoesNotExist:
            return None
    return AnnotationStream(item.name, item.display_name)


def set_display_name(tenant: str, name: str, display_name: str | None) -> None:
    model = bound(AnnotationStreamItem)
    with translated("annotation stream update failed"):
        model(keys.annotation_streams_pk(tenant), name.lower()).update(
            actions=[model.display_name.set(display_name) if display_name else model.display_name.remove()]
        )


def _to_item(tenant: str, event: Annotation) -> AnnotationItem:
    return bound(AnnotationItem)(
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


def _to_event(item: AnnotationItem) -> Annotation:
    return Annotation(
        stream=item.stream,
        id=int(item.event_id),
        title=item.title,
        start_time=int(item.start_time),
        end_time=int(item.end_time) if item.end_time is not None else None,
        description=item.description,
        source=item.source,
        links=[{str(k): str(v) for k, v in dict(link).items()} for link in item.links],
    )


def save(tenant: str, event: Annotation) -> None:
    """Write the event and its id pointer (an update writes the same keys: start_time never changes)."""
    pointer = bound(AnnotationIdItem)(
        keys.annotations_pk(tenant, event.stream.lower()), keys.annotation_id_sk(event.id), start_time=event.start_time
    )
    with translated("annotation write failed"), bound(AnnotationItem).batch_write() as batch:
        batch.save(_to_item(tenant, event))
        batch.save(pointer)


def get(tenant: str, stream: str, event_id: int) -> Annotation | None:
    pk = keys.annotations_pk(tenant, stream.lower())
    with translated("annotation read failed"):
        try:
            pointer = bound(AnnotationIdItem).get(pk, keys.annotation_id_sk(event_id))
            item = bound(AnnotationItem).get(pk, keys.annotation_sk(int(pointer.start_time), event_id))
        except (AnnotationIdItem.DoesNotExist, AnnotationItem.DoesNotExist):
            return None
    return _to_event(item)


def delete(tenant: str, event: Annotation) -> None:
    pk = keys.annotations_pk(tenant, event.stream.lower())
    with translated("annotation delete failed"), bound(AnnotationItem).batch_write() as batch:
        batch.delete(bound(AnnotationItem)(pk, keys.annotation_sk(event.start_time, event.id)))
        batch.delete(bound(AnnotationIdItem)(pk, keys.annotation_id_sk(event.id)))


def events(tenant: str, stream: str, start: int, end: int, limit: int | None = None) -> list[Annotation]:
    """Events of a stream whose start_time is in [start, end], oldest first (at most ``limit``)."""
    model = bound(AnnotationItem)
    with translated("annotation read failed"):
        return [_to_event(i) for i in model.query(*_window(tenant, stream, start, end), limit=limit)]


def event_pages(
    tenant: str, stream: str, start: int, end: int, *, page_size: int
) -> Iterator[tuple[list[Annotation], bool]]:
    """The events of ``events``, one DynamoDB Query response at a time, and whether another page may follow:
    each page holds at most ``page_size`` events and 1 MB, so a caller that counts pages bounds what it reads."""
    model = bound(AnnotationItem)
    pages = model.query(*_window(tenant, stream, start, end), page_size=page_size).page_iter
    more = True
    while more:
        with translated("annotation read failed"):
            page = next(pages)
        more = pages.last_evaluated_key is not None
        yield [_to_event(model.from_raw_data(raw)) for raw in page.get("Items", [])], more


def _window(tenant: str, stream: str, start: int, end: int) -> tuple[str, Condition]:
    model = bound(AnnotationItem)
    return (
        keys.annotations_pk(tenant, stream.lower()),
        model.sk.between(keys.annotation_sk(start, 0), keys.annotation_sk(end, 10**19 - 1)),
    )


def streams(tenant: str) -> list[str]:
    return [s.name for s in list_streams(tenant)]


def list_streams(tenant: str) -> list[AnnotationStream]:
    """Every stream of the organization, by lower-cased name."""
    with translated("annotation stream list failed"):
        return [
            AnnotationStream(i.name, i.display_name)
            for i in bound(AnnotationStreamItem).query(keys.annotation_streams_pk(tenant))
        ]


def count_stream_items(tenant: str, name: str, limit: int) -> int:
    """Items of the stream's partition (two per event), counted no further than ``limit``."""
    return count_upto(AnnotationItem, keys.annotations_pk(tenant, name.lower()), limit, "annotation")


def delete_stream(tenant: str, name: str) -> int:
    """Delete the stream and every item of its partition; returns the number of events removed."""
    pk = keys.annotations_pk(tenant, name.lower())
    model = bound(AnnotationItem)
    removed = 0
    with translated("annotation stream delete failed"), model.batch_write() as batch:
        for item in _keys_only(pk):
            batch.delete(item)
            removed += 1
        batch.delete(bound(AnnotationStreamItem)(keys.annotation_streams_pk(tenant), name.lower()))
    return removed // 2


def _keys_only(pk: str) -> Iterator[AnnotationItem]:
    model = bound(AnnotationItem)
    for item in model.query(pk, attributes_to_get=["pk", "sk"]):
        yield model(item.pk, item.sk)
