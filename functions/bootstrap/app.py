"""Deploy time: the first organization and its admin token (custom resource FirstOrganization in template.yaml)."""

import polymetric.coldstart

import secrets
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from polymetric.api.custom_resource import handle
from polymetric.domain import tenants


def first_organization(kind: str, props: dict[str, Any], physical_id: str | None) -> tuple[str, dict[str, str]]:
    """Create/Update: make the organization (its id is the resource's physical id) and the admin token if missing.
    Delete: keep everything; the tables hold the organization's data."""
    tenant = physical_id if physical_id and kind != "Create" else secrets.token_hex(6)
    if kind != "Delete":
        tenants.bootstrap(tenant, str(props["OrganizationName"]), str(props["AdminToken"]))
    return tenant, {"OrganizationId": tenant}


def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> None:
    handle(event, first_organization)


polymetric.coldstart.ready()
