"""The steps of the bulk metric jobs state machine (MetricJobsStateMachine in template.yaml).

Events are the state machine's payloads: ``{"step": "plan" | "batch" | "finish" | "fail", "tenant", "job_id", ...}``.
An exception fails the step; the state machine retries StorageError (throttling) and fails the job otherwise.
"""

import polymetric.coldstart

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.domain import bulk_metrics
from polymetric.observability import logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    step, tenant, job_id = str(event["step"]), str(event["tenant"]), int(event["job_id"])
    logger.append_keys(tenant=tenant, job_id=job_id, step=step)
    if step == "plan":
        batches = bulk_metrics.plan(tenant, job_id)
        return {"batches": batches, "count": len(batches)}
    if step == "batch":
        return {"metrics": bulk_metrics.run_batch(tenant, job_id, int(event["batch"]))}
    if step == "finish":
        return {"state": bulk_metrics.finish(tenant, job_id, int(event["count"])).state.value}
    if step == "fail":
        return {"state": bulk_metrics.fail(tenant, job_id, event.get("error")).state.value}
    raise ValueError(f"unknown step {step!r}")


polymetric.coldstart.ready()
