"""Answer checks for compute and choice problems: plain Python, so they work before NumPy loads."""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

from .budget import repr_within as safe_repr
from .result import Result, type_name

DEFAULT_SIGFIGS = 3
"""Real answers are right to this many significant figures by default: a value passes when it lies
within half a unit in the last of these figures of the expected value (0.995 accepts 0.9953, not 0.990)."""
DEFAULT_ATOL = 1e-8
"""Absolute tolerance where the expected value is 0 (it has no significant figures), and the default
`atol` when only `rtol` is given."""

NOT_ANSWERED = ("Not answered yet: replace the `...` with your answer, then run the cell again.")


class _Invalid(Exception):
    """A submitted value that cannot be read as the kind of answer expected."""


def _is_unanswered(value) -> bool:
    return value is None or value is Ellipsis


def _from_numpy(value):
    """numpy scalars and arrays as Python numbers and nested lists, without importing numpy."""
    module = getattr(type(value), "__module__", "") or ""
    if module.split(".")[0] == "numpy" and callable(getattr(value, "tolist", None)):
        return value.tolist()
    return value


# ---------------------------------------------------------------------------------------------
# Numbers, vectors and matrices


def _to_number(value, where: str) -> float:
    if isinstance(value, bool):
        raise _Invalid(f"{where} is {value}, a True/False value; a number is expected")
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, numbers.Complex):
        raise _Invalid(f"{where} is the complex number {safe_repr(value)}; a real number is expected")
    if isinstance(value, str):
        text = value.strip().replace("−", "-")
        try:
            return float(Fraction(text)) if "/" in text else float(text)
        except (ValueError, ZeroDivisionError):
            raise _Invalid(f"{where} is the text {safe_repr(value, 60)}, which is not a number; "
                           "write the number itself, without quotes") from None
    raise _Invalid(f"{where} is {_describe_value(value)}; a number is expected")


def _to_nested(value, where: str = "your answer", depth: int = 0):
    """Read a number or a (nested) list/tuple of numbers as floats and nested lists."""
    value = _from_numpy(value)
    if _is_unanswered(value):
        raise _Invalid(f"{where} is still {safe_repr(value)}")
    if isinstance(value, (list, tuple)):
        if depth > 8:
            raise _Invalid("your answer is nested too deeply")
        return [_to_nested(v, f"{where}[{i}]" if depth else f"entry [{i}]", depth + 1)
                for i, v in enumerate(value)]
    if isinstance(value, str) or not isinstance(value, (set, dict, frozenset)):
        return _to_number(value, where)
    raise _Invalid(f"{where} is {_describe_value(value)}; use a number or a list of numbers")


def _shape(value) -> tuple[int, ...] | None:
    """The rectangular shape of a nested list, or None if it is ragged."""
    if not isinstance(value, list):
        return ()
    shapes = {_shape(v) for v in value}
    if not value:
        return (0,)
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(value),) + shapes.pop()


def _describe_shape(shape: tuple[int, ...]) -> str:
    if shape == ():
        return "a single number"
    if len(shape) == 1:
        return f"a vector of {shape[0]} number{'s' if shape[0] != 1 else ''}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix ({shape[0]} rows of {shape[1]})"
    return f"an array of shape {shape}"


def _flatten(value, index=()):
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(v, index + (i,))
    else:
        yield index, value


def _transpose(value):
    return [list(row) for row in zip(*value)]


def _index_text(index: tuple[int, ...]) -> str:
    return "".join(f"[{i}]" for i in index)


class Tolerance:
    """How close a submitted number must be to an expected one, and how to say so.

    One of three rules: `exact` (integer answers), `sigfigs` (within half a unit in the last stated
    figure of the expected value) or `rtol`/`atol` (|got - want| <= atol + rtol |want|, an explicit
    override).
    """

    def __init__(self, *, exact: bool = False, sigfigs: int | None = None,
                 rtol: float = 0.0, atol: float = DEFAULT_ATOL):
        self.exact, self.sigfigs, self.rtol, self.atol = exact, sigfigs, rtol, atol

    @classmethod
    def for_expected(cls, expected, *, rtol=None, atol=None, sigfigs=None) -> "Tolerance":
        """The rule for `expected`: explicit rtol/atol, else exact for integers, else significant figures."""
        if rtol is not None or atol is not None:
            return cls(rtol=float(rtol or 0.0), atol=DEFAULT_ATOL if atol is None else float(atol))
        if sigfigs is None and _all_integers(expected):
            return cls(exact=True)
        return cls(sigfigs=int(sigfigs or DEFAULT_SIGFIGS))

    def allowance(self, want: float) -> float:
        """The largest |got - want| accepted."""
        if self.exact:
            return 0.0
        if self.sigfigs is None:
            return self.atol + self.rtol * abs(want)
        if want == 0:
            return DEFAULT_ATOL
        unit = 10.0 ** (math.floor(math.log10(abs(want))) - self.sigfigs + 1)
        return 0.5 * unit * (1 + 1e-9)  # half a unit, and no less through float rounding

    def close(self, got: float, want: float) -> bool:
        if math.isnan(got) or math.isnan(want):
            return math.isnan(got) and math.isnan(want)
        if math.isinf(got) or math.isinf(want):
            return got == want
        return abs(got - want) <= self.allowance(want)

    def all_close(self, got, want) -> bool:
        return all(self.close(g, w) for (_, g), (_, w) in zip(_flatten(got), _flatten(want)))

    def describe(self) -> str:
        if self.exact:
            return "compared exactly: the answer is a whole number"
        if self.sigfigs is not None:
            return f"compared to {self.sigfigs} significant figures"
        return f"compared with relative tolerance {self.rtol:g}" + (
            f", absolute {self.atol:g}" if self.atol >= 1e-6 else "")


def _all_integers(value) -> bool:
    """Whether every leaf of a number or nested list is a Python int (not a bool, not a float)."""
    value = _from_numpy(value)
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_all_integers(v) for v in value)
    return isinstance(value, int) and not isinstance(value, bool)


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def _answer_hint(got, want, tol: Tolerance) -> str | None:
    """Name a common slip: flipped sign, percent instead of fraction, too few digits."""
    pairs = [(g, w) for (_, g), (_, w) in zip(_flatten(got), _flatten(want))]
    if all(tol.close(-g, w) for g, w in pairs):
        return "Your answer has the opposite sign: check the sign of each term."
    if all(tol.close(g / 100, w) for g, w in pairs):
        return "Your answer looks 100 times too large: give a fraction (0.25), not a percentage (25)."
    if all(tol.close(g * 100, w) for g, w in pairs):
        return "Your answer looks 100 times too small: is the expected value a percentage?"
    if not tol.exact and all(abs(g - w) <= 0.05 * abs(w) for g, w in pairs):
        return "Close, but not within the tolerance: keep more digits (at least 3 significant figures) " \
               "and avoid rounding intermediate results."
    return None


def check_answer(submitted, expected, *, rtol: float | None = None, atol: float | None = None,
                 sigfigs: int | None = None) -> Result:
    """Compare a submitted number, vector or matrix with the expected one.

    Integers in `expected` are matched exactly; real values to `sigfigs` significant figures
    (default 3); `rtol`/`atol`, when given, replace both rules (see `Tolerance`).
    """
    try:
        tol = Tolerance.for_expected(expected, rtol=rtol, atol=atol, sigfigs=sigfigs)
        return _check_answer(submitted, expected, tol)
    except BaseException as exc:  # never let a learner's object crash the notebook cell
        return Result(False, f"Your answer could not be checked ({type_name(exc)}). "
                             "Give a number or a list of numbers.")


def _check_answer(submitted, expected, tol: Tolerance) -> Result:
    submitted = _from_numpy(submitted)
    if _is_unanswered(submitted):
        return Result(False, NOT_ANSWERED)
    want = _to_nested(_from_numpy(expected), "the expected value")
    try:
        got = _to_nested(submitted)
    except _Invalid as exc:
        return Result(False, f"Your answer could not be read: {exc}.")
    want_shape, got_shape = _shape(want), _shape(got)
    if got_shape is None:
        return Result(False, "Your answer is a ragged list (its rows have different lengths); "
                             f"{_describe_shape(want_shape)} is expected.")
    notes: tuple[str, ...] = ()
    if want_shape == () and got_shape != () and len(list(_flatten(got))) == 1:
        got = next(_flatten(got))[1]
        notes = ("Your answer was a one-element list; it was read as the single number inside.",)
    elif got_shape != want_shape:
        hint = None
        if len(want_shape) == 2 and got_shape == want_shape[::-1] and \
                tol.all_close(_transpose(got), want):
            hint = "Your matrix is the transpose of the expected one: swap rows and columns."
        return Result(False, f"Your answer is {_describe_shape(got_shape)}, but "
                             f"{_describe_shape(want_shape)} is expected.", hint=hint)
    wrong = [(i, g, w) for (i, g), (_, w) in zip(_flatten(got), _flatten(want))
             if not tol.close(g, w)]
    tolerance = tol.describe()
    if not wrong:
        return Result(True, f"Correct: {_fmt(got) if want_shape == () else _short_list(got)}.",
                      notes=notes)
    hint = _answer_hint(got, want, tol)
    if len(want_shape) == 2 and want_shape[0] == want_shape[1] and tol.all_close(_transpose(got), want):
        hint = "Your matrix is the transpose of the expected one: swap rows and columns."
    if want_shape == ():
        return Result(False, f"Not quite: {_fmt(got)} is not the expected value "
                             f"({tolerance}).", hint=hint, notes=notes)
    total = len(list(_flatten(want)))
    first = wrong[0][0]
    return Result(False, f"Not quite: {len(wrong)} of {total} entries differ from the expected values "
                         f"({tolerance}); the first is entry {_index_text(first)}, "
                         f"where you gave {_fmt(wrong[0][1])}.", hint=hint, notes=notes)


def _short_list(value, limit: int = 80) -> str:
    text = repr(_round_nested(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _round_nested(value):
    if isinstance(value, list):
        return [_round_nested(v) for v in value]
    return float(_fmt(value))


def _describe_value(value) -> str:
    if isinstance(value, (set, frozenset)):
        return f"a set ({safe_repr(value, 60)})"
    if isinstance(value, dict):
        return f"a dict ({safe_repr(value, 60)})"
    if callable(value):
        return f"a function or other callable ({safe_repr(value, 60)})"
    return f"{safe_repr(value, 60)} (of type {type_name(value)})"


# ---------------------------------------------------------------------------------------------
# Choices

_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}


def _label(text: str) -> str:
    return text.strip().strip("()[]").strip().lower()


def _read_labels(submitted) -> list[str]:
    if isinstance(submitted, str):
        tokens = re.split(r"[,;\s]+", submitted.strip())
    elif isinstance(submitted, (list, tuple, set, frozenset)):
        tokens = []
        for item in submitted:
            item = _from_numpy(item)
            if not isinstance(item, str):
                raise _Invalid(f"{safe_repr(item, 40)} is not a label; give labels as text, like 'b'")
            tokens += re.split(r"[,;\s]+", item.strip())
    else:
        raise _Invalid(f"{_describe_value(submitted)} is not a label; give the label as text, like 'b', "
                       "or several as 'b, c'")
    labels = [_label(t) for t in tokens]
    return [label for label in labels if label]


def check_choice(submitted, expected) -> Result:
    """Compare a choice: expected is a bool (true/false question) or the list of correct labels."""
    try:
        return _check_choice(submitted, expected)
    except BaseException as exc:  # never let a learner's object crash the notebook cell
        return Result(False, f"Your answer could not be checked ({type_name(exc)}). "
                             "Give the label(s) of your choice as text, like 'b' or 'b, c'.")


def _check_choice(submitted, expected) -> Result:
    submitted = _from_numpy(submitted)
    if _is_unanswered(submitted):
        return Result(False, NOT_ANSWERED)
    if isinstance(expected, bool):
        return _check_true_false(submitted, expected)
    if isinstance(expected, str):
        expected = [expected]
    want = {_label(label) for item in expected for label in re.split(r"[,;\s]+", str(item)) if _label(label)}
    if isinstance(submitted, bool):
        return Result(False, "This question is answered with option labels (like 'b'), not True/False.")
    try:
        got = _read_labels(submitted)
    except _Invalid as exc:
        return Result(False, f"Your answer could not be read: {exc}.")
    if not got:
        return Result(False, "Your answer is empty: give the label of your choice, like 'b'.")
    chosen = set(got)
    shown = ", ".join(sorted(chosen))
    if chosen == want:
        return Result(True, f"Correct: {shown}.")
    if chosen & {"true", "false"} and not want & {"true", "false"}:
        return Result(False, "This question is answered with option labels (like 'b'), not True/False.")
    if chosen - want:
        several = "Some of your choices are" if len(chosen) > 1 else "Your choice is"
        return Result(False, f"Not quite: you chose {shown}. {several} not correct.")
    count = "one more correct option" if len(want) - len(chosen) == 1 else "more correct options"
    return Result(False, f"Not quite: you chose {shown}, which is right but incomplete: "
                         f"there is {count} (this question has {len(want)} correct answers).")


def _check_true_false(submitted, expected: bool) -> Result:
    if isinstance(submitted, bool):
        got = submitted
    elif isinstance(submitted, str) and submitted.strip().lower() in _TRUE | _FALSE:
        got = submitted.strip().lower() in _TRUE
    else:
        return Result(False, f"This is a true/false question: answer True or False "
                             f"(you gave {_describe_value(submitted)}).")
    if got == expected:
        return Result(True, f"Correct: {got}.")
    return Result(False, f"Not quite: the statement is not {str(got).lower()}.")
