"""EventBridge schedule: queue the closed hours that still hold hot slabs for compaction."""

import polymetric.coldstart

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import compaction
from polymetric.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, int]:
    # The schedule's own time, not the clock: a delayed or replayed tick plans what it was meant to.
    scheduled = datetime.fromisoformat(EventBridgeEvent(event).time.replace("Z", "+00:00")).timestamp()
    return {"queued": compaction.enqueue(now=scheduled)}


polymetric.coldstart.ready()
