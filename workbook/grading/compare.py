"""Comparing what a learner's function returned with the reference: type, dtype, shape, values.

Each comparison returns a `Finding` (a sentence, NumPy's mismatch report, and the learner's output
converted to plain arrays for matching known mistakes) or None when the output is right.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from .format import describe_shape, format_index, format_number, ordinal
from .harness import READ_ITEMS, Harness, learner_repr
from .result import type_name


@dataclass
class Finding:
    """Why one output is wrong."""

    sentence: str
    """What differs, in one or two sentences."""
    report: str | None = None
    """numpy.testing.assert_allclose's mismatch report, when values were compared."""
    hint: str | None = None
    """A hint the comparison itself can give (e.g. a list returned instead of an array)."""


def _assert_allclose():
    # The function object from its defining module: `np.testing.assert_allclose` may be reassigned.
    try:
        from numpy.testing._private.utils import assert_allclose
    except ImportError:  # another NumPy layout
        from numpy.testing import assert_allclose
    return assert_allclose


def mismatch_report(obtained, expected, rtol: float, atol: float) -> str:
    """numpy.testing's report for obtained vs expected, with ACTUAL/DESIRED renamed yours/expected."""
    try:
        _assert_allclose()(obtained, expected, rtol=rtol, atol=atol, err_msg="", verbose=True)
    except AssertionError as exc:
        text = str(exc).strip("\n")
    else:
        return ""
    text = re.sub(r"\bACTUAL\b", "yours", text)
    text = re.sub(r"\bDESIRED\b", "expected", text)
    return text


PLAIN_ITEMS = 64
"""Outputs with more items than this are not compared with known mistakes."""


class Comparer:
    """Compares learner outputs with expected values at one tolerance."""

    def __init__(self, harness: Harness, rtol: float, atol: float):
        self.harness = harness
        self.rtol = rtol
        self.atol = atol

    # ------------------------------------------------------------------ conversion to plain values

    def to_plain(self, value, kind: str):
        """The learner's output as float ndarray(s)/float for matching mistakes, or None."""
        if kind in ("tuple", "list"):
            items = self._items(value) if isinstance(value, (tuple, list)) else None
            if items is None or len(items) > PLAIN_ITEMS:  # no known mistake returns more arrays than that
                return None
            parts = [self.to_plain(v, "array") for v in items]
            return None if any(p is None for p in parts) else tuple(parts)
        if value is None or isinstance(value, (str, bytes, dict, set)):
            return None
        if isinstance(value, np.ndarray) and type(value) is np.ndarray and value.dtype.kind in "biuf":
            return value.astype(float)
        call = self.harness.run(_as_float_array, value)
        return call.value if call.error is None and not call.timed_out else None

    # ----------------------------------------------------------------------------- comparisons

    def compare(self, kind: str, value, expected, parts: tuple[str, ...] = ()) -> Finding | None:
        """Compare one output of the given kind ('array', 'scalar', 'tuple', 'list')."""
        if kind == "scalar":
            return self.scalar(value, expected)
        if kind == "array":
            return self.array(value, expected, "Your result")
        return self.sequence(kind, value, expected, parts)

    def _none(self, what: str) -> Finding:
        if what == "Your result":
            return Finding("Your function returned None. Did you forget the `return` statement? "
                           "(A function whose body is only `...` or `pass` returns None.)")
        return Finding(f"{what} is None.")

    def array(self, value, expected, what: str) -> Finding | None:
        """Compare an array output: type, dtype, shape, finiteness, then values."""
        if value is None:
            return self._none(what)
        if isinstance(value, (list, tuple)):
            return Finding(f"{what} is a Python {type_name(value)}, not a NumPy array. Return an array "
                           "(for instance by building it with NumPy operations, or with np.array(...)).")
        if isinstance(value, np.ndarray):
            call = self.harness.run(np.asarray, value)  # subclasses (masked, matrix) may run code
            if call.error is not None or call.timed_out:
                return Finding(f"{what} is a {type_name(value)} that could not be read as an array.")
            arr = call.value.view(np.ndarray) if isinstance(call.value, np.ndarray) else None
            if arr is None:
                return Finding(f"{what} is a {type_name(value)} that could not be read as an array.")
        elif isinstance(value, (int, float, np.generic)) and not isinstance(value, bool):
            arr = np.asarray(value)
        else:
            return Finding(f"{what} is {learner_repr(self.harness, value, 120)} "
                           f"(of type {type_name(value)}), but a NumPy array is expected.")
        if arr.dtype.kind not in "biuf":
            return Finding(f"{what} has dtype {arr.dtype}, but a real-valued float array is expected.")
        if arr.shape != expected.shape:
            return self._shape_finding(arr, expected, what)
        report = None
        if arr.dtype.kind != "f" and expected.dtype.kind == "f":
            kind = "boolean" if arr.dtype.kind == "b" else "integer"
            values_right = bool(np.allclose(arr.astype(float), expected, rtol=self.rtol, atol=self.atol))
            more = ("Its values are right, so convert it: e.g. .astype(float), or build it from "
                    "np.zeros(...), which is float by default." if values_right else
                    "Its values are also wrong; see the comparison below.")
            if not values_right:
                report = mismatch_report(arr.astype(float), expected, self.rtol, self.atol)
            return Finding(f"{what} has dtype {arr.dtype} ({kind}), but a float array is expected. {more}",
                           report)
        return self._values(arr, expected, what)

    def _shape_finding(self, arr, expected, what: str) -> Finding:
        got, want = describe_shape(arr.shape), describe_shape(expected.shape)
        if arr.ndim == 0:
            sentence = f"{what} is a single number ({format_number(arr)}), but an array of shape {want} is expected."
        else:
            sentence = f"{what} has shape {got}, but the expected shape is {want}."
        hint = None
        if arr.ndim == 2 and arr.T.shape == expected.shape and arr.dtype.kind in "biuf" and \
                np.allclose(arr.T.astype(float), expected, rtol=self.rtol, atol=self.atol):
            sentence += " It is the transpose of the expected result."
            hint = "Swap rows and columns: your values are right but transposed."
        elif arr.size == expected.size and arr.size > 1:
            sentence += " It has the right number of elements, so check for a stray reshape or a missing axis."
        elif arr.ndim > expected.ndim or arr.size > expected.size:
            sentence += (" Arrays of different shapes were probably broadcast together: "
                         "check the shapes of the intermediate results.")
        report = mismatch_report(arr, expected, self.rtol, self.atol)
        return Finding(sentence, report, hint)

    def _values(self, arr, expected, what: str) -> Finding | None:
        arr = arr.astype(float)
        bad_values = ~np.isfinite(arr) & np.isfinite(expected)
        if bad_values.any():
            index = tuple(int(i) for i in np.argwhere(bad_values)[0])
            return Finding(f"{what} contains {format_number(arr[index])} at index {format_index(index)}, "
                           f"where the expected value is {format_number(expected[index])}.",
                           mismatch_report(arr, expected, self.rtol, self.atol))
        close = np.isclose(arr, expected, rtol=self.rtol, atol=self.atol, equal_nan=True)
        if close.all():
            return None
        wrong = np.argwhere(~close)
        index = tuple(int(i) for i in wrong[0])
        values = f"expected {format_number(expected[index])}, got {format_number(arr[index])}"
        if arr.size == 1:
            sentence = f"{what} differs from the expected one: {values}."
        elif len(wrong) == 1:
            sentence = f"{what} differs from the expected one at index {format_index(index)}: {values}."
        else:
            sentence = (f"{what} differs from the expected one at {len(wrong)} of {arr.size} positions; "
                        f"the first is index {format_index(index)}: {values}.")
        return Finding(sentence, mismatch_report(arr, expected, self.rtol, self.atol))

    def scalar(self, value, expected: float) -> Finding | None:
        """Compare a single-number output (a loss or a penalty)."""
        what = "Your result"
        if value is None:
            return self._none(what)
        if isinstance(value, (bool, np.bool_)):
            return Finding(f"Your function returned {value}, a True/False value, but a number is expected.")
        if isinstance(value, np.ndarray) and value.ndim > 0:
            return Finding(f"Your function returned an array of shape {describe_shape(value.shape)}, but a single "
                           "number is expected: reduce it to one value (np.mean or np.sum), "
                           "or convert a one-element array with float(...).")
        if isinstance(value, (list, tuple)):
            return Finding(f"Your function returned a {type_name(value)}, but a single number is expected.")
        if isinstance(value, (int, float, np.generic, np.ndarray)):
            try:
                got = float(value)
            except (TypeError, ValueError):
                got = None
        else:
            got = None
        if got is None:
            return Finding(f"Your function returned {learner_repr(self.harness, value, 120)} "
                           f"(of type {type_name(value)}), but a single number is expected.")
        want = float(expected)
        if not np.isfinite(got):
            return Finding(f"Your result is {format_number(got)}, but the expected value is "
                           f"{format_number(want)}.")
        if np.isclose(got, want, rtol=self.rtol, atol=self.atol):
            return None
        allowed = self.atol + self.rtol * abs(want)
        return Finding(f"Your result is {format_number(got)}, but the expected value is {format_number(want)} "
                       f"(difference {abs(got - want):.3g}; allowed {allowed:.2g}).")

    def _items(self, value) -> tuple | None:
        """The items of a learner's tuple or list, read under the cap (a subclass may override iteration)."""
        if type(value) in (tuple, list):
            return tuple(value[: READ_ITEMS + 1])
        call = self.harness.read(lambda v: tuple(itertools.islice(iter(v), READ_ITEMS + 1)), value)
        return call.value if call.error is None and not call.timed_out else None

    def sequence(self, kind: str, value, expected, parts: tuple[str, ...]) -> Finding | None:
        """Compare a tuple of named arrays (adam's (w, m, v)) or a list of arrays (clipped grads)."""
        n = len(expected)
        items = self._items(value) if isinstance(value, (tuple, list)) else None
        if isinstance(value, (tuple, list)) and items is None:
            return Finding(f"Your function returned a {type_name(value)} whose items could not be read.")
        if kind == "tuple":
            shape = "(" + ", ".join(parts) + ")"
            if items is None:
                what = "None" if value is None else f"a {type_name(value)}"
                extra = " Did you forget the `return` statement?" if value is None else ""
                return Finding(f"Your function returned {what}, but the tuple {shape} is expected.{extra}")
            value = items
            if len(value) != n:
                return Finding(f"Your function returned {_count(value)} values, but the {n} values {shape} "
                               "are expected, in this order.")
            for i, (name, got, want) in enumerate(zip(parts, value, expected)):
                finding = self.array(got, want, f"The `{name}` you returned ({ordinal(i)} element)")
                if finding:
                    return finding
            return None
        if items is None:
            what = "None" if value is None else f"a {type_name(value)}"
            extra = " Did you forget the `return` statement?" if value is None else ""
            return Finding(f"Your function returned {what}, but a list of {n} arrays is expected "
                           f"(one for each input array).{extra}")
        value = items
        if len(value) != n:
            expected_arrays = "1 is" if n == 1 else f"{n} are"
            return Finding(f"Your function returned {_count(value)} arrays, but {expected_arrays} expected "
                           "(one for each input array, in the same order).")
        for i, (got, want) in enumerate(zip(value, expected)):
            finding = self.array(got, want, f"The {ordinal(i)} array of your result")
            if finding:
                return finding
        return None

    # --------------------------------------------------------------------------------- mistakes

    def same(self, plain, value) -> bool:
        """Whether the learner's plain output equals a known mistake's output (same shape, same nan)."""
        if plain is None or value is None:
            return False
        if isinstance(value, (tuple, list)):
            return isinstance(plain, (tuple, list)) and len(plain) == len(value) and \
                all(self.same(p, v) for p, v in zip(plain, value))
        if isinstance(plain, (tuple, list)):
            return False
        a = np.asarray(plain, dtype=float)
        b = np.asarray(value, dtype=float)
        return a.shape == b.shape and bool(np.isfinite(b).any() or b.size == 0) and \
            bool(np.allclose(a, b, rtol=max(self.rtol, 1e-6), atol=max(self.atol, 1e-9), equal_nan=True))


def _count(items: tuple) -> str:
    return f"more than {READ_ITEMS}" if len(items) > READ_ITEMS else str(len(items))


def _as_float_array(value):
    arr = np.asarray(value)
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "biuf":
        return arr.view(np.ndarray).astype(float)
    return None
