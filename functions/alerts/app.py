"""AppOptics alerts: create, list, get, update, delete, status, clear, and the alert's services."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import empty, json_response, no_content
from polymetric.api.requests import document, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import alerts as render
from polymetric.dialects.appoptics import errors
from polymetric.dialects.appoptics.pages import page
from polymetric.dialects.params import one
from polymetric.domain import alerts
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.post("/v1/alerts", middlewares=[allow(Ability.MANAGE)])
def create_alert() -> Response[str]:
    who = principal(app)
    alert = alerts.create(who.tenant, document(app))
    body = render.alert(alert, alerts.services_of(who.tenant), in_clear=who.reads_secrets)
    return json_response(201, body, {"Location": f"/v1/alerts/{alert.id}"})


@app.get("/v1/alerts", middlewares=[allow(Ability.READ)])
def list_alerts() -> Response[str]:
    who, values = principal(app), query_values(app)
    found = alerts.list_page(who.tenant, name=one(values, "name"), **page(values))
    body = render.alert_page(
        found.alerts,
        found.services,
        found=found.found,
        total=found.total,
        offset=found.offset,
        in_clear=who.reads_secrets,
    )
    return json_response(200, body)


@app.get("/v1/alerts/status", middlewares=[allow(Ability.READ)])
def alerts_status() -> Response[str]:
    summary = alerts.status_summary(principal(app).tenant)
    return json_response(200, render.status_summary(summary.firing, summary.cleared))


@app.get("/v1/alerts/<id>", middlewares=[allow(Ability.READ)])
def get_alert(id: str) -> Response[str]:
    who = principal(app)
    body = render.alert(alerts.get(who.tenant, id), alerts.services_of(who.tenant), in_clear=who.reads_secrets)
    return json_response(200, body)


@app.put("/v1/alerts/<id>", middlewares=[allow(Ability.MANAGE)])
def update_alert(id: str) -> Response[str]:
    alerts.update(principal(app).tenant, id, document(app))
    return no_content()


@app.delete("/v1/alerts/<id>", middlewares=[allow(Ability.MANAGE)])
def delete_alert(id: str) -> Response[str]:
    alerts.delete(principal(app).tenant, id)
    return no_content()


@app.get("/v1/alerts/<id>/status", middlewares=[allow(Ability.READ)])
def alert_status(id: str) -> Response[str]:
    who = principal(app)
    found = alerts.status(who.tenant, id, with_deliveries=who.can(Ability.MANAGE))
    return json_response(200, render.status(found.alert.id, found.state, found.deliveries))


@app.post("/v1/alerts/<id>/clear", middlewares=[allow(Ability.MANAGE)])
def clear_alert(id: str) -> Response[str]:
    alerts.clear(principal(app).tenant, id)
    return no_content()


@app.post("/v1/alerts/<id>/services", middlewares=[allow(Ability.MANAGE)])
def add_alert_service(id: str) -> Response[str]:
    alert, service_id = alerts.add_service(principal(app).tenant, id, document(app))
    return empty(201, {"Location": f"/v1/alerts/{alert.id}/services/{service_id}"})


@app.delete("/v1/alerts/<id>/services/<service_id>", middlewares=[allow(Ability.MANAGE)])
def remove_alert_service(id: str, service_id: str) -> Response[str]:
    alerts.remove_service(principal(app).tenant, id, service_id)
    return no_content()


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
