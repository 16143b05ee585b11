"""A function's cold start: the cycle collector paused while its handler module loads.

A handler's imports allocate a few hundred thousand objects (botocore's models, pydantic's schemas,
Powertools) and no garbage cycles, yet every 700 allocations start a collector pass, and the later
passes walk everything loaded so far: a tenth of each cold start (bench/cold.py). So every handler
module imports this module before anything else (its own isort section in pyproject.toml), which
pauses the collector, and calls ``ready()`` as its last statement, which moves what the start built
into the permanent generation (``gc.freeze``: later passes skip it) and resumes the collector.

Importing it again (a process that loads several handlers: tests, the local server) pauses nothing.
"""

import gc

_resume = gc.isenabled()
gc.disable()
_paused = True


def ready() -> None:
    """The handler module has loaded: freeze what it built, resume the collector. Later calls do nothing."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    if _resume:
        gc.enable()
