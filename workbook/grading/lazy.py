"""NumPy and the reference implementations for the case tables, imported on first use.

The case tables (`cases/`) are imported with the registry, before NumPy is loaded in the browser;
their generators and mistakes run only when a check runs. `np.maximum(z, 0)` inside a table's
function imports NumPy then. A table must not touch `np` or `R` at import time (a test imports the
registry with NumPy blocked).

Why not `importlib.util.LazyLoader`: it registers the module in `sys.modules` before it is loaded,
which would make `import numpy` elsewhere return a half-made module when NumPy is unavailable.
"""

from __future__ import annotations

import importlib


class LazyModule:
    """A module imported the first time one of its attributes is read."""

    def __init__(self, name: str):
        self._name = name
        self._module = None

    def __getattr__(self, attr: str):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


np = LazyModule("numpy")
R = LazyModule("workbook.reference")
