"""The registry of checks and `check(name, candidate)`, which runs one and never raises.

This module does not import NumPy: the registry is built from the specs in `cases/`, and NumPy (with
the runner a spec names) is imported the first time a check runs.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import types
from dataclasses import dataclass

from . import cases
from .budget import repr_within
from .integrity import Seal
from .result import Result, safe_str, type_name


@dataclass(frozen=True)
class CheckInfo:
    """One registered check, as listed before NumPy is loaded."""

    name: str
    """The registry name, used in `:check:` and in `check(name, ...)`."""
    entry: str
    """The function the learner defines and passes in (e.g. 'relu_backward', or 'train' for xor_mlp)."""
    budget: float
    """Default time budget in seconds for the learner's code."""
    summary: str
    """One line: the convention checked."""
    runner: str
    """The runner that judges it, 'module:function' inside workbook.grading."""

    @functools.cached_property
    def signature(self) -> str:
        """The learner's function signature, e.g. 'relu_backward(dz, z)', read from the reference function."""
        from .lazy import R

        return f"{self.entry}{inspect.signature(getattr(R, self.entry))}"


SPECS: types.MappingProxyType = types.MappingProxyType({spec.name: spec for spec in cases.SPECS})
"""Every check's spec by name, in teaching order."""

CHECKS: types.MappingProxyType = types.MappingProxyType(
    {spec.name: CheckInfo(spec.name, spec.entry, spec.budget, spec.summary, spec.runner) for spec in cases.SPECS})
"""Every check by name, in teaching order."""


_SEAL = Seal()
"""The grader's modules as they were before learner code ran (see `integrity`)."""
_restore = Seal.restore
"""Bound at import: learner code that replaces Seal.restore is itself put back by the original."""


def check(name: str, candidate, *, budget: float | None = None) -> Result:
    """Check the learner's function against the reference for `name`; never raises."""
    try:
        return _check(name, candidate, budget)
    except KeyboardInterrupt:
        return Result(False, "The check was interrupted.", name=safe_str(name, 60))
    except BaseException as exc:  # the grader must not crash the learner's notebook
        return Result(False, f"The grader itself failed ({type_name(exc)}: {safe_str(exc, 200)}). This is a bug "
                             "in the workbook, not in your code: please report it.", name=safe_str(name, 60))


def _check(name, candidate, budget) -> Result:
    info = CHECKS.get(name) if isinstance(name, str) else None
    if info is None:
        close = difflib.get_close_matches(str(name), list(CHECKS), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        return Result(False, f"Unknown check {repr_within(name, 60)}{suggestion}. Known checks: {', '.join(CHECKS)}.")
    label = info.entry if info.entry == info.name else f"{info.entry} ({info.name})"
    if candidate is None or candidate is Ellipsis:
        try:
            signature = info.signature
        except ImportError as exc:
            return _no_numpy(exc, label)
        return Result(False, f"There is no function to check yet: define `{signature}` in the cell above, "
                             "run it, then submit the function.", name=label)
    if not callable(candidate):
        return Result(False, f"Expected the function `{info.entry}` itself, but got a {type_name(candidate)} "
                             f"({repr_within(candidate, 80)}). Pass the function without calling it: "
                             f"`{info.entry}`, not `{info.entry}(...)`.", name=label)
    seconds = info.budget
    if budget is not None:
        try:
            seconds = float(budget)
        except (TypeError, ValueError):
            seconds = info.budget
    module_name, _, function = info.runner.partition(":")
    try:
        run = getattr(importlib.import_module(f".{module_name}", __package__), function)
        from .budget import Budget
        from .harness import Harness, NumpyGuard
        from .lazy import R

        _SEAL.add_loaded({"workbook.reference": R._load()})
    except ImportError as exc:
        return _no_numpy(exc, label)
    changed = _restore(_SEAL)
    if _SEAL.tainted:
        return Result(False, f"The workbook's grader was changed before it was first used "
                             f"({', '.join(_SEAL.tainted[:3])}), so it cannot judge reliably. Restart the kernel "
                             "(Kernel menu, Restart Kernel), run the notebook's cells again without changing "
                             "workbook.*, then check again.", name=label)
    with NumpyGuard() as guard:
        harness = Harness(guard, Budget(seconds), info.entry, _SEAL, changed)
        return run(SPECS[info.name], candidate, harness, label)


def _no_numpy(exc: ImportError, label: str) -> Result:
    return Result(False, f"NumPy could not be loaded in this browser: {safe_str(exc, 200)}. Reload the page; "
                         "if this persists, your browser may be blocking the Python packages.", name=label)
