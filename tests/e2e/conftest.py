"""One local server for the e2e package, on a free port, over in-process moto (polymetric_local)."""

import secrets
from collections.abc import Iterator

import pytest

from polymetric_local.server import LocalRuntime
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def _aws_env() -> None:
    """The server owns the AWS environment here; the per-test moto fixture of the other levels is not wanted."""


# Package scope: while a runtime runs, any other mock_aws in the process nests into it.
@pytest.fixture(scope="package")
def server() -> Iterator[LocalRuntime]:
    runtime = LocalRuntime(REPO, port=0, admin_token=secrets.token_hex(16), schedules_enabled=False).start()
    yield runtime
    runtime.stop()


@pytest.fixture(scope="package")
def host(server: LocalRuntime) -> str:
    return server.url.removeprefix("http://")
