"""Answer checks for compute and choice problems: plain Python, so they work before NumPy loads."""

from __future__ import annotations

import decimal
import math
import numbers
import re
from fractions import Fraction

from .budget import repr_within as safe_repr
from .result import Result, nth, type_name

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
        return [_to_nested(v, f"{nth(i + 1)} entry of {where}" if depth else f"the {nth(i + 1)} entry",
                           depth + 1)
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


def _position_text(index: tuple[int, ...]) -> str:
    """Say a 0-based index as a learner counts: 'the 2nd entry', 'row 1, column 3'."""
    if len(index) == 1:
        return f"the {nth(index[0] + 1)} entry"
    if len(index) == 2:
        return f"row {index[0] + 1}, column {index[1] + 1}"
    return "the entry at position (" + ", ".join(str(i + 1) for i in index) + ")"


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


def _answer_hint(got, want, tol: Tolerance, written=None) -> str | None:
    """Name a common slip only where it explains every entry: a flipped sign, a power of ten, a
    factor of 2, or too few digits (`written` is the submitted text, when it was typed as text).

    Each slip is judged at the precision of the value it predicts (2 * want, want * 10**k), the
    precision at which the learner wrote their answer."""
    pairs = [(g, w) for (_, g), (_, w) in zip(_flatten(got), _flatten(want))]
    if not any(w != 0 and not tol.close(g, w) for g, w in pairs):
        return None  # every wrong entry should be 0: no rescaling can explain that
    if all(tol.close(-g, w) for g, w in pairs):
        return "Your answer has the opposite sign: check the sign of each term."
    for k in (1, 2, 3, 6, -1, -2, -3, -6):
        if all(tol.close(g, w * 10.0 ** k) for g, w in pairs):
            if k == 2:
                return "Your answer looks 100 times too large: give a fraction (0.25), not a percentage (25)."
            if k == -2:
                return "Your answer looks 100 times too small: is the expected value a percentage?"
            size = "large" if k > 0 else "small"
            return f"Your answer looks {10 ** abs(k):,} times too {size}: check the powers of ten and the units."
    if all(tol.close(g, 2 * w) for g, w in pairs):
        return "Your answer is twice the expected value: look for a factor of 2 (such as the 1/2 in front of a squared error)."
    if all(tol.close(g, w / 2) for g, w in pairs):
        return "Your answer is half the expected value: look for a missing factor of 2."
    if not tol.exact and all(_rounding_explains(g, w, written) for g, w in pairs):
        return "Close, but rounded too early: keep more digits (at least 3 significant figures) " \
               "and avoid rounding intermediate results."
    return None


def _rounding_explains(got: float, want: float, written=None) -> bool:
    """Tell whether `want` rounded to the digits the learner wrote gives `got`: |got - want| is at
    most half a unit in the learner's last digit."""
    if not (math.isfinite(got) and math.isfinite(want)):
        return False
    text = written if isinstance(written, str) else repr(got)
    try:
        exponent = decimal.Decimal(text.strip().replace("−", "-")).as_tuple().exponent
    except (decimal.InvalidOperation, ValueError):
        return False
    if not isinstance(exponent, int):
        return False
    return abs(got - want) <= 0.5 * 10.0 ** exponent * (1 + 1e-9)


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
        return Result(False, NOT_ANSWERED, checked=False)
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
    hint = _answer_hint(got, want, tol, submitted if want_shape == () else None)
    if len(want_shape) == 2 and want_shape[0] == want_shape[1] and tol.all_close(_transpose(got), want):
        hint = "Your matrix is the transpose of the expected one: swap rows and columns."
    if want_shape == ():
        return Result(False, f"Not quite: {_fmt(got)} is not the expected value "
                             f"({tolerance}).", hint=hint, notes=notes)
    total = len(list(_flatten(want)))
    first = wrong[0][0]
    return Result(False, f"Not quite: {len(wrong)} of {total} entries differ from the expected values "
                         f"({tolerance}); the first is {_position_text(first)}, "
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
_FILLER = {"option", "options", "answer", "answers", "choice", "choices", "and", "or", "is", "are", "both"}
"""Words a learner may write around labels ("option c", "b and d"); never labels themselves."""


def _tokens(text: str) -> list[str]:
    """Split '(b), (d)', 'b and d', 'option c.' into labels: every run of letters or digits but filler words."""
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _FILLER]


def _read_labels(submitted) -> list[str]:
    if isinstance(submitted, str):
        return _tokens(submitted)
    if isinstance(submitted, (list, tuple, set, frozenset)):
        tokens = []
        for item in submitted:
            item = _from_numpy(item)
            if not isinstance(item, str):
                raise _Invalid(f"{safe_repr(item, 40)} is not a label; give labels as text, like 'b'")
            tokens += _tokens(item)
        return tokens
    raise _Invalid(f"{_describe_value(submitted)} is not a label; give the label as text, like 'b', "
                   "or several as 'b, d'")


def _unreadable(message: str) -> Result:
    """Report an answer that cannot be judged: said so, and not counted as an attempt."""
    return Result(False, f"Not checked: {message}", checked=False)


def check_choice(submitted, expected, labels=None) -> Result:
    """Compare a choice: expected is a bool (true/false question) or the list of correct labels.

    Typed answers are read leniently ('(c)', 'C.', 'option c', 'b and d', ['b', 'd']); `labels`, the
    question's options, lets an answer that names none of them be reported, not marked wrong.
    """
    try:
        return _check_choice(submitted, expected, labels)
    except BaseException as exc:  # never let a learner's object crash the notebook cell
        return Result(False, f"Your answer could not be checked ({type_name(exc)}). "
                             "Give the label(s) of your choice as text, like 'b' or 'b, d'.")


def _check_choice(submitted, expected, labels) -> Result:
    submitted = _from_numpy(submitted)
    if _is_unanswered(submitted):
        return Result(False, NOT_ANSWERED, checked=False)
    if isinstance(expected, bool):
        return _check_true_false(submitted, expected)
    if isinstance(expected, str):
        expected = [expected]
    want = {t for item in expected for t in _tokens(str(item))}
    options = [t for label in (labels or []) for t in _tokens(str(label))]
    listed = ", ".join(options)
    if isinstance(submitted, bool):
        return _unreadable(f"this question is answered with option labels ({listed or 'like b'}), not True/False.")
    try:
        got = _read_labels(submitted)
    except _Invalid as exc:
        return _unreadable(f"your answer could not be read: {exc}.")
    if not got:
        return _unreadable(f"your answer is empty or names no option: give the label of your choice "
                           f"({'one of ' + listed if listed else 'like b'}).")
    valid = set(options) | want
    if set(got) & {"true", "false"} and not valid & {"true", "false"}:
        return _unreadable(f"this question is answered with option labels ({listed or 'like b'}), not True/False.")
    unknown = [t for t in dict.fromkeys(got) if t not in valid]
    if unknown and options:
        names = ", ".join(f"'{t}'" for t in unknown)
        return _unreadable(f"{names} {'is not an option' if len(unknown) == 1 else 'are not options'} "
                           f"of this question; its options are {listed}.")
    chosen = set(got)
    shown = ", ".join(sorted(chosen))
    if chosen == want:
        return Result(True, f"Correct: {shown}.")
    if chosen - want:
        several = "Some of your choices are" if len(chosen) > 1 else "Your choice is"
        return Result(False, f"Not quite: you chose {shown}. {several} not correct.")
    count = "one more correct option" if len(want) - len(chosen) == 1 else "more correct options"
    return Result(False, f"Not quite: you chose {shown}, which is right but incomplete: "
                         f"there is {count} (this question has {len(want)} correct answers).")


def _check_true_false(submitted, expected: bool) -> Result:
    if isinstance(submitted, bool):
        got = submitted
    else:
        words = _tokens(submitted) if isinstance(submitted, str) else []
        if len(words) != 1 or words[0] not in _TRUE | _FALSE:
            return _unreadable(f"this is a true/false question: answer True or False "
                               f"(you gave {_describe_value(submitted)}).")
        got = words[0] in _TRUE
    if got == expected:
        return Result(True, f"Correct: {got}.")
    return Result(False, f"Not quite: the statement is not {str(got).lower()}.")
