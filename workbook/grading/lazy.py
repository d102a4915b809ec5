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
import importlib.util
import types


class LazyModule:
    """A module imported the first time one of its attributes is read.

    With private=True it is the grader's own copy, run from the module's file and kept out of
    `sys.modules`: learner code that imports the module and changes it changes another object.
    """

    __slots__ = ("_name", "_private", "_module")

    def __init__(self, name: str, private: bool = False):
        self._name = name
        self._private = private
        self._module = None

    def __getattr__(self, attr: str):
        return getattr(self._load(), attr)

    def _load(self) -> types.ModuleType:
        module = self._module
        if module is None:
            if self._private:
                spec = importlib.util.find_spec(self._name)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            else:
                module = importlib.import_module(self._name)
            self._module = module
        return module

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


np = LazyModule("numpy")
R = LazyModule("workbook.reference", private=True)
"""The grader's own copy of the reference implementations (see `integrity`)."""
