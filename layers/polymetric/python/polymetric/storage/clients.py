"""Lazily created AWS clients, so that moto (tests, local runtime) intercepts them."""

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from polymetric.config import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

# Enough pooled connections for the concurrent reads and batch writes (READ_/WRITE_CONCURRENCY ≤ 64).
_CONFIG = Config(retries={"max_attempts": 8, "mode": "adaptive"}, max_pool_connections=64)


def dynamodb() -> "DynamoDBClient":
    return _dynamodb(get_settings().AWS_DEFAULT_REGION)


@lru_cache(maxsize=4)
def _dynamodb(region: str) -> "DynamoDBClient":
    # Clients are costly to build (service model loading) and safe to keep: moto intercepts
    # every client created after it was imported, whichever mock is active.
    return boto3.client("dynamodb", region_name=region, config=_CONFIG)


def sqs() -> "SQSClient":
    return _sqs(get_settings().AWS_DEFAULT_REGION)


@lru_cache(maxsize=4)
def _sqs(region: str) -> "SQSClient":
    return boto3.client("sqs", region_name=region, config=_CONFIG)


def stepfunctions() -> Any:  # no type stubs installed for Step Functions: the three calls made are simple
    return _stepfunctions(get_settings().AWS_DEFAULT_REGION)


@lru_cache(maxsize=4)
def _stepfunctions(region: str) -> Any:
    return boto3.client("stepfunctions", region_name=region, config=_CONFIG)


def s3() -> Any:
    return _s3(get_settings().AWS_DEFAULT_REGION)


@lru_cache(maxsize=4)
def _s3(region: str) -> Any:
    # Virtual-host style with the regional endpoint: presigned URLs that work right after a bucket is created.
    return boto3.client("s3", region_name=region, config=_CONFIG.merge(Config(signature_version="s3v4")))


def reset() -> None:
    """Forget settings, table bindings and write caches (tests start a new moto backend per test)."""
    from polymetric.storage import cache, tables  # local import: both import this module's settings

    get_settings.cache_clear()
    tables.unbind()
    cache.clear_all()
