import pytest

from polymetric_local.template import Template
from tests.conftest import Org
from tests.integration.api import Api


@pytest.fixture
def api(template: Template, org: Org) -> Api:
    """The admin client of the ``org`` tenant."""
    return Api(template, org.admin)
