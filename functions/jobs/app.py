"""AppOptics jobs: GET /v1/jobs/{id}, the state of a long operation started by another route."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors
from polymetric.dialects.appoptics import jobs as render
from polymetric.domain import jobs
from polymetric.errors import NotFoundError
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.get("/v1/jobs/<job_id>", middlewares=[allow(Ability.READ)])
def get_job(job_id: str) -> Response[str]:
    if not job_id.isdigit():
        raise NotFoundError(f"Job {job_id} not found")
    return json_response(200, render.job(jobs.get(principal(app).tenant, int(job_id))))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
