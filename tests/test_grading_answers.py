"""Compute and choice answers: tolerances, shapes, labels, true/false, and answers not given yet."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from workbook.grading import DEFAULT_ATOL, DEFAULT_SIGFIGS, check_answer, check_choice

# ------------------------------------------------------------------------------------- numbers


def test_default_tolerances_accept_three_significant_figures():
    assert DEFAULT_SIGFIGS == 3 and DEFAULT_ATOL == 1e-8
    assert check_answer(0.105, 0.10499).passed
    assert check_answer(3.14, 3.14159).passed
    assert not check_answer(3.1, 3.14159).passed


@pytest.mark.parametrize("expected", [0.99517, 0.99551, 1.4699, 123.45, 2.5e-5, -0.0731, 96.04])
def test_real_answers_are_right_to_three_significant_figures(expected):
    rounded = float(f"{expected:.3g}")
    assert check_answer(rounded, expected).passed
    unit = 10 ** (math.floor(math.log10(abs(expected))) - 2)
    assert not check_answer(expected + unit, expected).passed
    assert not check_answer(expected - unit, expected).passed


def test_three_significant_figures_is_tighter_than_half_a_percent():
    assert not check_answer(0.990, 0.995).passed  # rtol 5e-3 used to accept this
    assert check_answer(0.9953, 0.995).passed


def test_sigfigs_changes_the_figures_required():
    assert check_answer(0.99, 0.995, sigfigs=2).passed
    assert not check_answer(0.9953, 0.995, sigfigs=4).passed
    assert check_answer(0.9952, 0.99517, sigfigs=4).passed


def test_integer_answers_are_exact():
    assert check_answer(469, 469).passed and check_answer(469.0, 469).passed
    assert not check_answer(468, 469).passed
    assert not check_answer(469.4, 469).passed
    assert check_answer([1, 2, 3], [1, 2, 3]).passed
    assert not check_answer([1, 2, 4], [1, 2, 3]).passed
    assert "exactly" in str(check_answer(468, 469))


@pytest.mark.parametrize("submitted", [0.25, 1 / 4, "0.25", " 1/4 ", Fraction(1, 4), np.float64(0.25),
                                       np.float32(0.25), np.array(0.25), [0.25], np.array([0.25])])
def test_equivalent_ways_of_giving_a_number(submitted):
    result = check_answer(submitted, 0.25)
    assert result.passed, str(result)
    assert str(result).startswith("✅ Correct: 0.25")


def test_one_element_list_is_read_as_the_number_with_a_note():
    result = check_answer([0.25], 0.25)
    assert "read as the single number inside" in str(result)


def test_integers_and_exact_zero():
    assert check_answer(3, 3.0).passed
    assert check_answer(3.0, 3).passed
    assert check_answer(0, 0.0).passed
    assert check_answer(1e-9, 0.0).passed
    assert not check_answer(1e-3, 0.0).passed


def test_custom_tolerances():
    assert not check_answer(1.01, 1.0).passed
    assert check_answer(1.01, 1.0, rtol=0.02).passed
    assert check_answer(0.05, 0.0, atol=0.1).passed


def test_wrong_number_does_not_reveal_the_expected_value():
    result = check_answer(0.2, 0.25)
    text = str(result)
    assert text.startswith("❌ Not quite: 0.2 is not the expected value (compared to 3 significant figures).")
    assert "0.25" not in text


@pytest.mark.parametrize("submitted, expected, hint", [
    (-0.25, 0.25, "opposite sign"),
    (25, 0.25, "100 times too large"),
    (0.0025, 0.25, "100 times too small"),
    (0.3, 0.2549, "keep more digits"),
    ([[1, 3], [2, 4]], [[1, 2], [3, 4]], "transpose"),
    ([-1.0, -2.0], [1.0, 2.0], "opposite sign"),
])
def test_hints_for_common_slips(submitted, expected, hint):
    result = check_answer(submitted, expected)
    assert not result.passed
    assert result.hint and hint in result.hint


@pytest.mark.parametrize("submitted", [None, ...])
def test_not_answered_yet(submitted):
    result = check_answer(submitted, 1.0)
    assert not result.passed
    assert "Not answered yet: replace the `...` with your answer" in str(result)


@pytest.mark.parametrize("submitted, words", [
    (True, "a True/False value"),
    ("abc", "not a number"),
    (1 + 2j, "complex number"),
    ({1, 2}, "a set"),
    ({"a": 1}, "a dict"),
    (print, "a function"),
])
def test_values_that_are_not_numbers(submitted, words):
    result = check_answer(submitted, 1.0)
    assert not result.passed
    assert "Your answer could not be read" in str(result) and words in str(result)


# --------------------------------------------------------------------------- vectors, matrices


def test_vector_and_matrix_answers():
    assert check_answer([0.1, 0.2, 0.7], [0.1, 0.2, 0.7]).passed
    assert check_answer((1, 2), [1.0, 2.0]).passed
    assert check_answer(np.eye(2), [[1.0, 0.0], [0.0, 1.0]]).passed
    assert check_answer([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])).passed


def test_vector_mismatch_names_the_entry():
    result = check_answer([0.1, 0.3, 0.7], [0.1, 0.2, 0.7])
    assert "1 of 3 entries differ from the expected values" in str(result)
    assert "the first is the 2nd entry, where you gave 0.3" in str(result)


def test_matrix_mismatch_names_the_entry():
    result = check_answer([[1, 2], [3, 5]], [[1, 2], [3, 4]])
    assert "the first is row 2, column 2, where you gave 5" in str(result)


@pytest.mark.parametrize("submitted, expected, message", [
    ([1, 2], [1, 2, 3], "Your answer is a vector of 2 numbers, but a vector of 3 numbers is expected."),
    (1.0, [1, 2], "Your answer is a single number, but a vector of 2 numbers is expected."),
    ([[1, 2, 3]], [[1], [2], [3]], "Your answer is a 1×3 matrix (1 rows of 3), but a 3×1 matrix (3 rows of 1) is "
                                   "expected."),
    ([1, 2], 3.0, "Your answer is a vector of 2 numbers, but a single number is expected."),
    ([[1, 2], [3]], [[1, 2], [3, 4]], "ragged list"),
])
def test_shape_mismatch_is_explained(submitted, expected, message):
    result = check_answer(submitted, expected)
    assert not result.passed
    assert message in str(result)


def test_nan_is_never_right():
    assert not check_answer(float("nan"), 1.0).passed
    assert not check_answer([1.0, float("nan")], [1.0, 2.0]).passed


# -------------------------------------------------------------------------------------- choices


@pytest.mark.parametrize("submitted", ["b", "B", " b ", "(b)", ["b"], ("B",), np.str_("b")])
def test_single_label(submitted):
    result = check_choice(submitted, ["b"])
    assert result.passed, str(result)


@pytest.mark.parametrize("submitted", ["b, c", "c,b", "B C", "(b) (c)", ["c", "b"], {"b", "c"}, "b;c"])
def test_several_labels_in_any_order_and_case(submitted):
    assert check_choice(submitted, ["b", "c"]).passed


def test_incomplete_choice():
    result = check_choice("b", ["b", "c"])
    assert not result.passed
    assert "right but incomplete" in str(result) and "2 correct answers" in str(result)


def test_wrong_choice_does_not_reveal_the_answer():
    result = check_choice("a, b", ["b", "c"])
    assert not result.passed
    assert "Some of your choices are not correct." in str(result)
    assert "c" not in str(result).split("chose")[1].split(".")[0]


@pytest.mark.parametrize("submitted", [True, "true", "True", " TRUE ", "t", "yes", np.bool_(True)])
def test_true_accepts_bools_and_strings(submitted):
    assert check_choice(submitted, True).passed


@pytest.mark.parametrize("submitted", [False, "false", "F", "no", np.bool_(False)])
def test_false_accepts_bools_and_strings(submitted):
    assert check_choice(submitted, False).passed


def test_true_false_wrong_and_unreadable():
    assert str(check_choice(True, False)) == "❌ Not quite: the statement is not true."
    assert "answer True or False" in str(check_choice("maybe", True))
    assert "answer True or False" in str(check_choice(1, True))


def test_true_false_answer_to_a_labels_question():
    assert "option labels" in str(check_choice(True, ["a"]))
    assert "option labels" in str(check_choice("true", ["a"]))


@pytest.mark.parametrize("submitted", [None, ...])
def test_choice_not_answered_yet(submitted):
    assert "Not answered yet" in str(check_choice(submitted, ["a"]))
    assert "Not answered yet" in str(check_choice(submitted, True))


def test_empty_and_unreadable_choices():
    assert "empty" in str(check_choice("  ", ["a"]))
    assert "could not be read" in str(check_choice(3, ["a"]))
    assert "could not be read" in str(check_choice([1, 2], ["a"]))


def test_expected_labels_are_normalised_too():
    assert check_choice("b", ["B "]).passed
    assert check_choice("b, c", "b, c").passed


# ------------------------------------------------------------------------- lenient choices


OPTIONS = ["a", "b", "c", "d"]


@pytest.mark.parametrize("submitted", ["(c)", "c.", "C", "c)", "option c", "Option C.", " [c] ", ["(c)"]])
def test_typed_forms_of_one_label(submitted):
    result = check_choice(submitted, ["c"], OPTIONS)
    assert result.passed and result.checked, str(result)


@pytest.mark.parametrize("submitted", ["b and d", "(b), (d)", ["b", "d"], "options b and d", "B & D", "b/d"])
def test_typed_forms_of_several_labels(submitted):
    result = check_choice(submitted, ["b", "d"], OPTIONS)
    assert result.passed, str(result)


@pytest.mark.parametrize("submitted", ["(iii)", "iii", "III.", "option iii"])
def test_roman_numeral_labels(submitted):
    roman = ["i", "ii", "iii", "iv"]
    assert check_choice(submitted, ["iii"], roman).passed
    assert not check_choice("ii", ["iii"], roman).passed
    assert check_choice("(ii) and (iv)", ["ii", "iv"], roman).passed


@pytest.mark.parametrize("submitted, named", [("e", "'e' is not an option"), ("(iii)", "'iii' is not an option"),
                                              ("b, e", "'e' is not an option"), ("none", "'none' is not")])
def test_a_label_that_is_no_option_is_not_checked_and_lists_the_options(submitted, named):
    result = check_choice(submitted, ["b"], OPTIONS)
    assert not result.checked and not result.passed
    assert str(result).startswith("⚠️ Not checked: ") and named in str(result)
    assert str(result).endswith("of this question; its options are a, b, c, d.")


def test_wrong_and_unreadable_choices_are_told_apart():
    wrong = check_choice("a", ["b"], OPTIONS)
    assert wrong.checked and not wrong.passed
    assert not check_choice("", ["b"], OPTIONS).checked
    assert not check_choice(True, ["b"], OPTIONS).checked
    assert not check_choice("maybe", True).checked
    assert check_choice("False", True).checked


@pytest.mark.parametrize("submitted, value", [(True, True), ("true", True), ("T", True), ("yes", True),
                                              ("(True)", True), ("True.", True), (False, False), ("false", False),
                                              ("F", False), ("no", False), ("N", False)])
def test_true_false_forms(submitted, value):
    assert check_choice(submitted, value).passed
    assert not check_choice(submitted, not value).passed


# ------------------------------------------------------------- hints only where they apply


@pytest.mark.parametrize("submitted, expected, hint", [
    (14.7, 1.47, "10 times too large"),
    (0.0147, 1.47, "100 times too small"),
    (1470, 1.47, "1,000 times too large"),
    (2.94, 1.47, "twice the expected value"),
    (0.735, 1.47, "half the expected value"),
    ([2.0, 4.0], [1.0, 2.0], "twice the expected value"),
    (1.5, 1.47, "keep more digits"),
    ("1.5", 1.47, "keep more digits"),
])
def test_more_targeted_hints(submitted, expected, hint):
    result = check_answer(submitted, expected)
    assert not result.passed and result.hint and hint in result.hint, str(result)


@pytest.mark.parametrize("submitted, expected", [
    (1.53, 1.47),     # a sign slip inside the sum, not a rounding one: 1.47 at 2 decimals is 1.47
    (0.26, 0.25),
    (1.4, 1.47),      # cut off, and 1.47 to one decimal is 1.5
    ([1.0, 2.1], [1.0, 2.0]),
    ([-1.0, 2.0], [1.0, 2.0]),  # one sign only: not "the opposite sign"
    ([2.0, 2.0], [1.0, 2.0]),   # one entry doubled only
    (0.5, 0.0),
])
def test_no_targeted_hint_for_plain_wrong_answers(submitted, expected):
    result = check_answer(submitted, expected)
    assert not result.passed and result.hint is None, result.hint


def _explained(got: float, want: float) -> bool:
    """Whether a named slip could explain `got` (the hint's own rules, restated independently)."""
    def near(a, b):
        return abs(a - b) <= 0.5 * 10 ** (math.floor(math.log10(abs(b))) - 2) * (1 + 1e-9)
    candidates = [-want, 2 * want, want / 2] + [want * 10.0 ** k for k in (1, 2, 3, 6, -1, -2, -3, -6)]
    text = repr(got)
    digits = len(text.split(".")[1]) if "." in text and "e" not in text else None
    rounding = digits is not None and abs(got - want) <= 0.5 * 10.0 ** -digits * (1 + 1e-9)
    return rounding or any(near(got, c) for c in candidates)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(want=st.floats(min_value=0.01, max_value=1000).map(lambda x: float(f"{x:.4g}")),
       factor=st.floats(min_value=-20, max_value=20).filter(lambda f: abs(f) > 1e-3))
def test_a_hint_fires_only_where_its_slip_explains_the_answer(want, factor):
    got = float(f"{want * factor:.6g}")
    result = check_answer(got, want)
    if result.passed:
        return
    if result.hint is not None:
        assert _explained(got, want), (got, want, result.hint)
    else:
        assert not (abs(got + want) < 1e-12 or got == 2 * want or got == want / 2), (got, want)


@pytest.mark.parametrize("n, word", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                     (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")])
def test_positions_are_counted_from_one_in_words(n, word):
    submitted = [0.0] * n
    submitted[n - 1] = 7.0
    result = check_answer(submitted, [0.0] * n)
    assert f"the first is the {word} entry, where you gave 7" in str(result)
