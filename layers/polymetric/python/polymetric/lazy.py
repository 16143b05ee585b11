"""Heavy modules bound at import, loaded at first use: a cold start pays only for what its request runs.

``from polymetric.lazy import np`` reads like ``import numpy as np``; numpy (about a third of a
handler's import time, see bench/cold.py) is imported when code first touches ``np.<anything>``.
Annotations naming numpy types stay unevaluated (``from __future__ import annotations``).
"""

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "np"]


class LazyModule(ModuleType):
    """Stands for module ``name`` until an attribute is read, then imports it and takes its namespace."""

    def __getattr__(self, attr: str) -> Any:
        # Only reached for names not yet copied: the first use, and submodules numpy loads on demand.
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)  # later reads are plain attribute lookups, no call
        return getattr(module, attr)


if TYPE_CHECKING:
    import numpy as np
else:
    np = LazyModule("numpy")
