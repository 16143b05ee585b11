"""The single logger, metrics and tracer of the layer (service and namespace come from template Globals).

The tracer patches only the clients the layer calls AWS through. Powertools' default (every library
X-Ray knows) imports each of them that is installed, ``requests`` among them: tens of milliseconds
of every cold start for nothing traced (see bench/cold.py).
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

TRACED_MODULES = ("botocore", "pynamodb")

logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=TRACED_MODULES)
