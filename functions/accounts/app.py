"""AppOptics account routes: API tokens (admins only), environments, the organization."""

import polymetric.coldstart

from aws_lambda_powertools.event_handler import Response

from polymetric.api.auth import allow, principal
from polymetric.api.render import json_response, no_content
from polymetric.api.requests import base_url, document, query_values
from polymetric.api.resolver import build_resolver, entrypoint
from polymetric.dialects.appoptics import accounts, errors
from polymetric.domain import api_tokens, environments, rate_limits, tenants
from polymetric.models.tenant import Ability

app = build_resolver(errors.ERRORS)


@app.post("/v1/api_tokens", middlewares=[allow(Ability.MANAGE)])
def create_token() -> Response[str]:
    created = api_tokens.create(principal(app).tenant, accounts.new_token(document(app)))
    return json_response(201, accounts.token(created, base_url(app)), {"Location": f"/v1/api_tokens/{created.id}"})


@app.get("/v1/api_tokens", middlewares=[allow(Ability.MANAGE)])
def list_tokens() -> Response[str]:
    values = query_values(app)
    offset, length = accounts.page_request(values)
    name = values["name"][-1] if values.get("name") else None
    return json_response(
        200,
        accounts.token_page(
            api_tokens.list_page(principal(app).tenant, name=name, offset=offset, length=length), base_url(app)
        ),
    )


@app.get("/v1/api_tokens/<name>", middlewares=[allow(Ability.MANAGE)])
def get_tokens(name: str) -> Response[str]:
    offset, length = accounts.page_request(query_values(app))
    return json_response(
        200,
        accounts.token_page(
            api_tokens.lookup(principal(app).tenant, name, offset=offset, length=length), base_url(app)
        ),
    )


@app.put("/v1/api_tokens/<name>", middlewares=[allow(Ability.MANAGE)])
def update_token(name: str) -> Response[str]:
    updated = api_tokens.update(principal(app).tenant, name, accounts.token_changes(document(app)))
    return json_response(200, accounts.token(updated, base_url(app)))


@app.delete("/v1/api_tokens/<name>", middlewares=[allow(Ability.MANAGE)])
def delete_token(name: str) -> Response[str]:
    api_tokens.delete(principal(app).tenant, name)
    return no_content()


@app.post("/v1/environments", middlewares=[allow(Ability.MANAGE)])
def create_environment() -> Response[str]:
    name = accounts.environment_name(document(app), query_values(app))
    created = environments.create(principal(app).tenant, name)
    return json_response(201, accounts.environment(created), {"Location": f"/v1/environments/{created.id}"})


@app.get("/v1/environments", middlewares=[allow(Ability.READ)])
def list_environments() -> Response[str]:
    tenant, name = principal(app).tenant, accounts.environment_name(document(app), query_values(app))
    if name:  # seed: "List Specific Environment" answers the one environment
        return json_response(200, accounts.environment(environments.by_name(tenant, str(name))))
    return json_response(200, accounts.environment_list(environments.list_all(tenant)))


@app.get("/v1/environments/<id>", middlewares=[allow(Ability.READ)])
def get_environment(id: str) -> Response[str]:
    return json_response(200, accounts.environment(environments.get(principal(app).tenant, id)))


@app.put("/v1/environments/<id>", middlewares=[allow(Ability.MANAGE)])
def rename_environment(id: str) -> Response[str]:
    environments.rename(principal(app).tenant, id, accounts.environment_name(document(app), query_values(app)))
    return no_content()


@app.delete("/v1/environments/<id>", middlewares=[allow(Ability.MANAGE)])
def delete_environment(id: str) -> Response[str]:
    environments.delete(principal(app).tenant, id)
    return no_content()


@app.get("/v1/organization", middlewares=[allow(Ability.READ)])
def get_organization() -> Response[str]:
    org = tenants.organization(principal(app).tenant)
    return json_response(200, accounts.organization(org, rate_limits.limits()))


lambda_handler = entrypoint(app)

polymetric.coldstart.ready()
