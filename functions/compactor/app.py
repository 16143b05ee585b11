"""SQS worker: one compaction job per message (a chunk of an hour's round, or an hour of late data).

The queue is FIFO, grouped per (organization, metric shard): a failed message stops the rest of
its group in the batch (retried in order, then dead-lettered), other groups go on.
"""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import compaction
from polymetric.observability import logger, metrics, tracer

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def compact_record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    # A chunk running short of time queues its remaining metrics rather than timing out.
    left = lambda_context.get_remaining_time_in_millis
    compaction.compact(compaction.job_from_message(record.json_body), seconds_left=lambda: left() / 1000)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=compact_record, processor=processor, context=context)


polymetric.coldstart.ready()
