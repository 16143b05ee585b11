"""SQS worker: compact one (tenant, metric, hour) per message; failed messages are retried, then dead-lettered."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import compaction
from polymetric.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def compact_record(record: SQSRecord) -> None:
    job = record.json_body
    compaction.compact(compaction.HourJob(str(job["tenant"]), str(job["metric"]), int(job["hour"])))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=compact_record, processor=processor, context=context)
