"""Running learner code on the grader's behalf: exceptions, warnings, time, mutated inputs, NumPy.

Everything a learner's function can do to a check is contained here:
- exceptions (any BaseException) become a sentence naming the type, the message and the learner's
  line, never a traceback through the grader;
- warnings are recorded and reported as notes, never as failures;
- the time budget is spent call by call (see `budget`);
- inputs are copied before the call and compared afterwards, so in-place changes are noticed and
  the grader's own arrays are never touched;
- `NumpyGuard` keeps the grader's view of NumPy intact: the learner shares the `numpy` module with
  the grader, so `np.exp = lambda x: 0` in a notebook would otherwise change the reference too.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import traceback
import types
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import integrity
from .budget import Budget, BudgetExceeded, _is_library
from .format import format_index, format_number
from .integrity import Seal
from .result import safe_repr, safe_str, type_name

_MISSING = object()
_restore = Seal.restore
"""Bound at import: learner code that replaces Seal.restore is itself put back by the original."""

# Where NumPy's public names are defined, most specific first. The top-level `numpy` namespace is
# assembled from these at import time; a learner reassigning `np.exp` changes only `numpy.exp`.
_SOURCES = {
    "numpy": ("numpy.lib._*_impl", "numpy._core.fromnumeric", "numpy._core.numeric",
              "numpy._core.function_base", "numpy._core.shape_base", "numpy._core.numerictypes",
              "numpy._core._ufunc_config", "numpy._core.arrayprint", "numpy._core.einsumfunc",
              "numpy._core.getlimits", "numpy._core.printoptions", "numpy._core.memmap",
              "numpy._core.records", "numpy._core._asarray", "numpy._core.multiarray",
              "numpy._core.umath", "numpy._core", "numpy.matrixlib.defmatrix"),
    "numpy.random": ("numpy.random._generator", "numpy.random._pcg64", "numpy.random.mtrand",
                     "numpy.random.bit_generator", "numpy.random._mt19937", "numpy.random._philox",
                     "numpy.random._sfc64"),
}
_SKIP = {"test", "scimath", "emath"}
_canonical: dict[str, dict[str, object]] | None = None


def canonical_namespaces() -> dict[str, dict[str, object]]:
    """Map each guarded NumPy namespace to {name: the object its defining module holds}."""
    global _canonical
    if _canonical is None:
        _canonical = {target: _canonical_names(target, sources) for target, sources in _SOURCES.items()}
    return _canonical


def _source_modules(patterns):
    importlib.import_module("numpy")
    for pattern in patterns:
        if "*" in pattern:
            # Modules `import numpy` has loaded, not files: Pyodide ships packages as .pyc only.
            head, tail = pattern.split("*")
            names = sorted(m for m in list(sys.modules)
                           if m.startswith(head) and m.endswith(tail) and "." not in m[len(head):]
                           and "scimath" not in m)
        else:
            names = [pattern]
        for name in names:
            try:
                yield importlib.import_module(name)
            except ImportError:  # layouts differ between NumPy versions: guard what exists
                continue


def _canonical_names(target: str, patterns) -> dict[str, object]:
    module = importlib.import_module(target)
    names = [n for n in vars(module) if not n.startswith("_") and n not in _SKIP]
    sources = list(_source_modules(patterns))
    table: dict[str, object] = {}
    for name in names:
        for source in sources:
            value = vars(source).get(name, _MISSING)
            if value is not _MISSING and not isinstance(value, types.ModuleType):
                table[name] = value
                break
    return table


class NumpyGuard:
    """Give the grader pristine NumPy names while the learner keeps their own reassignments.

    Inside `with guard:` every guarded name that differs from its defining module's object is put
    back (and remembered as the learner's); `with guard.learner():` re-applies the learner's names
    for the duration of a learner call, then records any new reassignment and restores again. On
    exit the learner's names are put back, so the notebook behaves as the learner left it.
    """

    def __init__(self):
        self._tables = [(sys.modules[target], table) for target, table in canonical_namespaces().items()]
        self._learner: dict[tuple[int, str], object] = {}
        self._stack: contextlib.ExitStack | None = None
        self._learner_err: dict | None = None

    def _scan(self) -> dict[tuple[int, str], object]:
        found = {}
        for i, (module, table) in enumerate(self._tables):
            namespace = vars(module)
            for name, value in table.items():
                current = namespace.get(name, _MISSING)
                if current is not value:
                    found[(i, name)] = current
        return found

    def _set(self, values: dict[tuple[int, str], object], canonical: bool) -> None:
        for (i, name), value in values.items():
            module, table = self._tables[i]
            value = table[name] if canonical else value
            if value is _MISSING:
                vars(module).pop(name, None)
            else:
                setattr(module, name, value)

    @property
    def reassigned(self) -> list[str]:
        """The NumPy names the learner has reassigned, like 'numpy.exp'."""
        return sorted(f"{self._tables[i][0].__name__}.{name}" for i, name in self._learner)

    def __enter__(self):
        self._learner = self._scan()
        self._set(self._learner, canonical=True)
        self._learner_err = np.geterr()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(np.errstate(all="ignore"))
        self._stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc_info):
        self._stack.close()
        self._learner.update(self._scan())
        self._set(self._learner, canonical=False)
        return False

    @contextlib.contextmanager
    def learner(self):
        """Run the body in the learner's NumPy: their reassigned names and floating-point settings."""
        self._set(self._learner, canonical=False)
        try:
            with np.errstate(**self._learner_err):
                yield
        finally:
            now = self._scan()
            self._learner = now
            self._set(now, canonical=True)


@dataclass
class Call:
    """What one call of the learner's function did."""

    value: object = None
    """The returned value (None if it raised or ran out of time)."""
    error: str | None = None
    """A sentence describing the exception it raised, with the learner's line."""
    exception: BaseException | None = None
    """The exception itself, for matching known mistakes."""
    message: str = ""
    """The exception's message, read once under the time cap for reading learner objects."""
    timed_out: bool = False
    """Whether the time budget ran out during the call."""
    mutated: str | None = None
    """A sentence naming the input it changed in place."""
    warnings: list[str] = field(default_factory=list)
    """Warnings the call emitted, as 'Category: message'."""

    @property
    def ok(self) -> bool:
        """Whether the call returned normally, in time, without touching its inputs."""
        return self.error is None and not self.timed_out and self.mutated is None


READ_SECONDS = 1.0
"""At most this much of the budget for one read of a learner object (repr, str, losses, iteration)."""
READ_ITEMS = 100_000
"""At most this many items are read from a learner's sequence or iterator."""


class Harness:
    """Calls learner code for one check, sharing the check's time budget, NumPy guard and seal."""

    def __init__(self, guard: NumpyGuard, budget: Budget, entry: str, seal: Seal | None = None,
                 changed: list[str] | None = None):
        self.guard = guard
        self.budget = budget
        self.entry = entry
        self.seal = seal
        self.warnings: list[str] = []
        self.changed: list[str] = list(changed or [])
        """The workbook names learner code changed (and the seal put back) during this check."""

    def call(self, fn, args: tuple = (), names: tuple[str, ...] = (), kwargs: dict | None = None) -> Call:
        """Call fn on copies of args; report what it returned, raised, emitted or modified."""
        copies = tuple(copy_value(a) for a in args)
        result = self.run(fn, *copies, **(kwargs or {}))
        if result.error is None and not result.timed_out:
            for name, original, copy in zip(names, args, copies):
                change = describe_change(original, copy)
                if change:
                    result.mutated = (f"Your function changed its input `{name}` in place ({change}). "
                                      f"Leave inputs untouched: compute a new array instead "
                                      f"(e.g. with np.where, or work on `{name}.copy()`).")
                    break
        return result

    def run(self, fn, *args, **kwargs) -> Call:
        """Run learner code (a call, a conversion, a repr) inside the learner's world and budget."""
        return self._run(None, fn, args, kwargs)

    def read(self, fn, *args) -> Call:
        """Run grader code that reads a learner object (repr, iteration, len), for at most READ_SECONDS."""
        return self._run(READ_SECONDS, fn, args, {})

    def _run(self, cap: float | None, fn, args: tuple, kwargs: dict) -> Call:
        call = Call()
        if self.budget.exhausted:
            call.timed_out = True
            return call
        with self.guard.learner(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call.value = self.budget.run_capped(cap, fn, *args, **kwargs)
            except BudgetExceeded as exc:
                call.timed_out = True
                call.exception = exc
            except BaseException as exc:  # whatever the learner raises, even SystemExit
                call.exception = exc
                try:
                    call.message = self.budget.run_capped(READ_SECONDS, safe_str, exc, 1000)
                except BaseException:  # BudgetExceeded outside the learner's frames
                    call.message = ""
                call.error = describe_exception(exc, call.message)
        if self.seal is not None:
            for name in _restore(self.seal):
                if name not in self.changed:
                    self.changed.append(name)
        if self.budget.exhausted and not call.timed_out:
            # A long call into C cannot be interrupted; it is judged when it returns.
            call.timed_out = True
        for w in caught:
            try:  # a learner's warning class may have a __str__ that never ends
                message = self.budget.run_capped(READ_SECONDS, safe_str, w.message, 120)
            except BaseException:  # BudgetExceeded outside the learner's frames
                message = ""
            text = f"{type_name_of_class(w.category)}: {message}"
            call.warnings.append(text)
            if text not in self.warnings:
                self.warnings.append(text)
        return call

    def timeout_sentence(self, call: Call | None = None) -> str:
        """Explain that the time budget ran out, and where the learner's code was stopped."""
        where = ""
        if call is not None and call.exception is not None:
            where = learner_location(call.exception)
            where = f" It was stopped {where}." if where else ""
        return (f"Your code was still running when this check's time budget of "
                f"{self.budget.seconds:g} s ran out.{where} Look for a loop that never ends, "
                "or for far more work than needed (e.g. a Python loop over every element).")

    def warning_notes(self) -> tuple[str, ...]:
        """Notes for the Result: warnings seen (not failures), NumPy names the learner reassigned."""
        notes = []
        if self.warnings:
            shown = "; ".join(self.warnings[:3]) + ("; ..." if len(self.warnings) > 3 else "")
            notes.append(f"Your code emitted warnings ({shown}). Warnings do not count as failures, "
                         "but they often point to values that overflow or divide by zero.")
        if self.changed:
            notes.append(integrity.describe(self.changed))
        if self.guard.reassigned:
            names = ", ".join(self.guard.reassigned)
            notes.append(f"You have reassigned {names}. The grader used NumPy's own functions for the "
                         "expected values; your code ran with your versions.")
        return tuple(notes)


def type_name_of_class(cls) -> str:
    """The name of a class, whatever it is."""
    try:
        return str(cls.__name__)
    except BaseException:  # pragma: no cover - only for very strange warning categories
        return "Warning"


def learner_location(exc: BaseException) -> str:
    """'in relu_backward, line 4: `return ...`' for the learner's innermost frame, or ''."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_library(f.filename)]
    except BaseException:  # a broken linecache entry must not break the feedback
        return ""
    if not frames:
        return ""
    frame = frames[-1]
    code = (frame.line or "").strip()
    code = f": `{code}`" if code else ""
    return f"in {frame.name}, line {frame.lineno}{code}"


def describe_exception(exc: BaseException, message: str) -> str:
    """'Your function raised ValueError: ... (in f, line 3: `...`).'"""
    message = message.strip()
    if len(message) > 400:
        message = message[:385] + " ...[truncated]"
    where = learner_location(exc)
    where = f" ({where})" if where else ""
    text = f"{type_name(exc)}: {message}" if message else type_name(exc)
    return f"Your function raised {text}{where}."


def copy_value(value):
    """A copy of an input handed to learner code: arrays and lists of arrays are copied."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    return value


def describe_change(original, copy) -> str | None:
    """Describe how copy (given to the learner) differs from original, or None if it does not."""
    if isinstance(original, np.ndarray):
        if not isinstance(copy, np.ndarray) or copy.shape != original.shape:
            return "its shape changed"
        if np.array_equal(original, copy, equal_nan=original.dtype.kind in "fc"):
            return None
        diff = np.argwhere(~((original == copy) | (np.isnan(original) & np.isnan(copy))
                             if original.dtype.kind in "fc" else original == copy))
        index = tuple(int(i) for i in diff[0])
        return (f"at index {format_index(index)} it was {format_number(original[index])} before "
                f"the call and is {format_number(copy[index])} after it")
    if isinstance(original, list):
        if not isinstance(copy, list) or len(copy) != len(original):
            return "items were added or removed"
        for i, (a, b) in enumerate(zip(original, copy)):
            if isinstance(a, np.ndarray) and b is not a and not isinstance(b, np.ndarray):
                return f"item {i} was replaced"
            change = describe_change(a, b)
            if change:
                return f"item {i}: {change}"
        return None
    return None


def learner_repr(harness: Harness, value, limit: int = 300) -> str:
    """repr() of a value returned by learner code, run under the budget and the guard."""
    call = harness.read(safe_repr, value, limit)
    if call.timed_out or not isinstance(call.value, str):
        return f"<{type_name(value)} object>"
    return call.value
