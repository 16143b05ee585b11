"""Lazily created AWS clients, so that moto (tests, local runtime) intercepts them."""

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from polymetric.config import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CONFIG = Config(retries={"max_attempts": 8, "mode": "adaptive"})


@lru_cache(maxsize=1)
def dynamodb() -> "DynamoDBClient":
    return boto3.client("dynamodb", region_name=get_settings().AWS_DEFAULT_REGION, config=_CONFIG)


def reset() -> None:
    """Forget cached clients, settings and bound tables (tests start a new moto backend per test)."""
    from polymetric.storage import cache, tables  # local import: both import this module's settings

    dynamodb.cache_clear()
    get_settings.cache_clear()
    tables.unbind()
    cache.clear_all()
