"""Shared fixtures: moto with the template's own resources, tenants and tokens, events, Lambda context."""

import base64
import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from polymetric.domain import tenants
from polymetric.models.tenant import Role
from polymetric.storage import clients
from polymetric_local import directreads, fastreads, partitions
from polymetric_local.resources import LocalResources, create_resources
from polymetric_local.template import Template, load_template

# Powertools reads these when polymetric.observability is first imported, which may be at collection.
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "polymetric")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Polymetric")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

REPO = Path(__file__).resolve().parents[1]
EVENTS = REPO / "events"


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Times near now (computed from the clock when a module is collected) get an id without the number:
    the test workers of `pytest -n` collect separately, a second apart, and must name the same tests."""
    number = val if isinstance(val, int | float) and not isinstance(val, bool) else None
    if isinstance(val, str) and val.isdigit():
        number = int(val)
    if number is not None and 1e9 <= abs(number) < 1e14:
        return f"{argname}-epoch"
    return None


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template(REPO / "template.yaml")


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach a real AWS account, whatever the machine's environment says."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "polymetric",
        "POWERTOOLS_METRICS_NAMESPACE": "Polymetric",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextlib.contextmanager
def _partition_reads() -> Iterator[None]:
    """The local runtime's moto patches (each checked against plain moto in tests/unit/local): a Query reads
    its partition, not a sort of the whole table (a 35,000-series POST made each Query take ~15 s)."""
    patches = [p for p in (partitions, fastreads, directreads) if not p.installed()]
    for patch in patches:
        patch.install()
    try:
        yield
    finally:
        for patch in patches:
            patch.uninstall()


@pytest.fixture
def aws(template: Template, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalResources]:
    """moto, with exactly the tables and queues of template.yaml, and the functions' environment set."""
    with mock_aws(), _partition_reads():
        resources = create_resources(template)
        for function in template.functions.values():
            for key, value in resources.env_for(function).items():
                monkeypatch.setenv(key, value)
        clients.reset()
        tenants.forget_cached_tokens()
        yield resources
    clients.reset()
    tenants.forget_cached_tokens()


@dataclass
class Org:
    """A tenant with an admin token; ``token(role)`` mints more."""

    tenant: str
    admin: str
    extra: dict[Role, str] = field(default_factory=dict)

    def token(self, role: Role) -> str:
        if role == Role.ADMIN:
            return self.admin
        if role not in self.extra:
            self.extra[role] = tenants.create_token(self.tenant, role, f"test {role.value}")
        return self.extra[role]


def basic(token: str, user: str | None = None) -> str:
    raw = f"{user}:{token}" if user is not None else f"{token}:"
    return "Basic " + base64.b64encode(raw.encode()).decode()


@pytest.fixture
def org_factory(aws: LocalResources) -> Callable[[str], Org]:
    def make(name: str = "acme") -> Org:
        tenant = tenants.create_org(name)
        return Org(tenant, tenants.create_token(tenant, Role.ADMIN, "test admin"))

    return make


@pytest.fixture
def org(org_factory: Callable[[str], Org]) -> Org:
    return org_factory("acme")


@dataclass
class LambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (e.g. ``apigw/measurements-post``), as a fresh dict to patch."""
    return json.loads((EVENTS / f"{name}.json").read_text())
