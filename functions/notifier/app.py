"""SQS worker: deliver each queued alert notification to its service (partial batch failure).

A transient failure keeps the message, hidden for a backoff that grows with its receive count;
the fifth failure is reported too (GiveUpError), so the queue dead-letters the message.
Every attempt is recorded (domain/delivery.py).
"""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.dialects.appoptics import notifications as wire
from polymetric.domain import delivery
from polymetric.observability import logger, metrics, tracer
from polymetric.storage import notifications

# Failures are reported per message even when every message of the batch failed.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def deliver_record(record: SQSRecord) -> None:
    attempt = int(record.attributes.approximate_receive_count or 1)
    try:
        delivery.deliver(notifications.parse(record.body), attempt, wire)
    except delivery.RetryLaterError as retry:
        notifications.retry_later(record.receipt_handle, retry.backoff)
        raise


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver_record, processor=processor, context=context)


polymetric.coldstart.ready()
