"""SQS worker: renders one queued snapshot per message to a PNG (matplotlib comes from the PlottingLayer)."""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import snapshots
from polymetric.models.snapshot import Plot
from polymetric.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)
# The queue's maxReceiveCount (template.yaml): the last try marks the job failed before the DLQ takes it.
MAX_RECEIVES = 3


def draw_png(plot: Plot) -> bytes:
    """matplotlib (the PlottingLayer) and numpy load at the first snapshot a container draws, not at init:
    about 0.5 s that the first message pays instead of the cold import (bench/snapshot.py reports both)."""
    from polymetric.plotting import png

    return png.render(plot)


def render_record(record: SQSRecord) -> None:
    body = record.json_body
    receives = int(record.attributes.approximate_receive_count or 1)
    snapshots.render(str(body["tenant"]), int(body["snapshot"]), draw_png, last_attempt=receives >= MAX_RECEIVES)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=render_record, processor=processor, context=context)


polymetric.coldstart.ready()
