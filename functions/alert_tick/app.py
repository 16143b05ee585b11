"""EventBridge schedule, every minute: evaluate every active alert and queue the notifications that follow."""

import polymetric.coldstart

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import evaluation
from polymetric.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, int]:
    scheduled = datetime.fromisoformat(EventBridgeEvent(event).time.replace("Z", "+00:00")).timestamp()
    return vars(evaluation.tick(now=int(scheduled)))


polymetric.coldstart.ready()
