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
    (0.26, 0.25, "keep more digits"),
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
    assert "the first is entry [1], where you gave 0.3" in str(result)


def test_matrix_mismatch_names_the_entry():
    result = check_answer([[1, 2], [3, 5]], [[1, 2], [3, 4]])
    assert "entry [1][1], where you gave 5" in str(result)


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
