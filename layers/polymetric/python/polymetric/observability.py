"""The single logger, metrics and tracer of the layer (service and namespace come from template Globals)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()
