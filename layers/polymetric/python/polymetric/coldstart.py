"""A function's cold start on Lambda: the cycle collector paused while its handler module loads.

A handler's imports allocate a few hundred thousand objects (botocore's models, pydantic's schemas,
Powertools) and no garbage cycles, yet every 700 allocations start a collector pass, and the later
passes walk everything loaded so far: a tenth of each cold start (bench/cold.py). So every handler
module imports this module before anything else (its own isort section in pyproject.toml), which
pauses the collector, and calls ``ready()`` as its last statement, which moves what the start built
into the permanent generation (``gc.freeze``: later passes skip it) and resumes the collector.

Only in a Lambda execution environment (``AWS_LAMBDA_RUNTIME_API``, set by the runtime and its
emulator): there an import that fails ends the process, while a process that loads many handlers and
outlives a failed one (tests, ``make serve``) would be left without a collector, and would freeze its
fixtures and emulated tables for good. Importing it again pauses nothing.
"""

import gc
import os

_paused = "AWS_LAMBDA_RUNTIME_API" in os.environ and gc.isenabled()
if _paused:
    gc.disable()


def ready() -> None:
    """The handler module has loaded: freeze what it built, resume the collector. Later calls do nothing."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    gc.enable()
