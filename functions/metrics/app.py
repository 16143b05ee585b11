"""AppOptics metrics: list, get, create/update, delete (by name or in bulk).

The legacy Librato routes (composite queries on GET /v1/metrics, gauges/counters on POST, measurements by
source on GET /v1/metrics/:name with a time interval) import the query engine and the measurement models at
their first call, not at every cold start (bench/cold.py).
"""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric import clock
from polymetric.api.auth import allow, principal
from polymetric.api.render import empty, json_response, no_content
from polymetric.api.requests import document, header, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import errors, jobs, listing, responses, sources
from polymetric.domain import bulk_metrics, metrics
from polymetric.models.job import Job
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.get("/v1/metrics", middlewares=[allow(Ability.READ)])
def list_metrics() -> Response[str]:
    values = query_values(app)
    if "compose" in values:  # the legacy Librato route of composite queries
        from polymetric.dialects.appoptics import compose
        from polymetric.domain import composites

        q = compose.compose_query(values, now=clock.now())
        return json_response(200, responses.composite(composites.compose(principal(app).tenant, q)))
    page = listing.page_request(values)
    return json_response(200, responses.metric_page(metrics.list_page(principal(app).tenant, **page)))


@app.post("/v1/metrics", middlewares=[allow(Ability.RECORD, writes_measurements=True)])
def post_legacy_metrics() -> Response[str]:
    """Legacy Librato ``gauges``/``counters`` (librato-metrics' untagged submits): 200, empty body."""
    from polymetric.dialects.librato import requests as legacy
    from polymetric.domain import ingest, token_scope

    user_agent = header(app, "User-Agent")
    batch = legacy.parse(document(app), now=clock.now(), user_agent=user_agent)
    token_scope.reserve(len(batch))  # all of the post fits the rate limit, or 429 and none of it is stored
    ingest.write(principal(app).tenant, batch, user_agent=user_agent)
    return empty(200)


def _done_or_job(job: Job | None) -> Response[str]:
    """204 when the work is done; 202 + Location of the job that does it (seed: Jobs)."""
    if job is None:
        return no_content()
    return json_response(202, jobs.job(job), jobs.location(job))


@app.put("/v1/metrics", middlewares=[allow(Ability.MANAGE)])
def update_metrics() -> Response[str]:
    doc = document(app)
    selection = bulk_metrics.select(listing.names(doc))
    return _done_or_job(bulk_metrics.update(principal(app).tenant, selection, doc))


@app.delete("/v1/metrics", middlewares=[allow(Ability.MANAGE)])
def delete_metrics() -> Response[str]:
    selection = bulk_metrics.select(listing.names(document(app)))
    return _done_or_job(bulk_metrics.delete(principal(app).tenant, selection))


@app.get("/v1/metrics/<name>", middlewares=[allow(Ability.READ)])
def get_metric(name: str) -> Response[str]:
    values = query_values(app)
    if sources.asks_measurements(values):  # legacy Librato: the measurements of a time interval, by source
        from polymetric.domain import query

        q = sources.sources_query(name, values, now=clock.now())
        return json_response(200, sources.metric_measurements(query.by_source(principal(app).tenant, q)))
    return json_response(200, responses.metric(metrics.get(principal(app).tenant, name)))


@app.put("/v1/metrics/<name>", middlewares=[allow(Ability.MANAGE)])
def put_metric(name: str) -> Response[str]:
    result = metrics.put(principal(app).tenant, name, document(app), user_agent=header(app, "User-Agent"))
    if not result.created:
        return no_content()
    return json_response(201, responses.metric(result.metric), {"Location": f"/v1/metrics/{result.metric.name}"})


@app.delete("/v1/metrics/<name>", middlewares=[allow(Ability.MANAGE)])
def delete_metric(name: str) -> Response[str]:
    return _done_or_job(bulk_metrics.delete_one(principal(app).tenant, name))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
