"""Whatever the learner's code does, `check` returns a Result with a sentence a learner can act on."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook import reference as R
from workbook.grading import CHECKS, CheckInfo, Result, check, failure, gradcheck
from workbook.grading.budget import Budget, BudgetExceeded
from workbook.grading.harness import canonical_namespaces

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------- registry


def test_registry_lists_every_check_with_entry_budget_summary():
    assert list(CHECKS)[:3] == ["relu", "relu_backward", "leaky_relu"]
    assert len(CHECKS) == 34  # 23, and issue 10's 11
    for name, info in CHECKS.items():
        assert isinstance(info, CheckInfo) and info.name == name
        assert info.summary and "\n" not in info.summary
        assert info.signature.startswith(info.entry + "(")
        assert hasattr(R, info.entry), f"reference.{info.entry} is missing"
    assert CHECKS["xor_mlp"].entry == "train"
    assert CHECKS["softmax_classifier"].entry == "train_softmax_classifier"
    assert CHECKS["xor_mlp"].budget > CHECKS["relu"].budget >= 1


def test_unknown_check_suggests_the_closest_name():
    result = check("relu_bakward", R.relu_backward)
    assert not result.passed
    assert "did you mean 'relu_backward'?" in str(result)


@pytest.mark.parametrize("candidate", [None, ...])
def test_missing_function_is_not_answered_yet(candidate):
    result = check("relu", candidate)
    assert "There is no function to check yet: define `relu(z)`" in str(result)


def test_a_value_instead_of_a_function():
    result = check("relu", np.zeros(3))
    assert "Expected the function `relu` itself, but got a ndarray" in str(result)
    assert "`relu`, not `relu(...)`" in str(result)


# ---------------------------------------------------------------------------------- exceptions


def _helper(z):
    return z / undefined_scale  # noqa: F821 - the learner's bug


def relu_with_buggy_helper(z):
    return np.maximum(_helper(z), 0)


def relu_raising_value_error(z):
    raise ValueError("learner says no")


def test_exception_names_type_message_and_learner_line():
    result = check("relu", relu_with_buggy_helper)
    text = str(result)
    assert "Your function raised NameError: name 'undefined_scale' is not defined" in text
    assert "in _helper, line" in text and "`return z / undefined_scale" in text
    assert "workbook/grading" not in text and "Traceback" not in text
    assert "not defined" in result.hint


def test_exception_feedback_shows_the_failing_inputs():
    text = str(check("relu", relu_raising_value_error))
    assert "Your function raised ValueError: learner says no (in relu_raising_value_error, line" in text
    assert "z = array([0., 0., 0., 0.])" in text


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")

    def __repr__(self):
        raise RuntimeError("no repr either")


def test_exception_with_broken_str_and_repr():
    def bad(z):
        raise Unprintable()
    result = check("relu", bad)
    assert not result.passed
    assert "Your function raised Unprintable" in str(result)


@pytest.mark.parametrize("exc", [SystemExit(3), KeyboardInterrupt(), GeneratorExit()])
def test_base_exceptions_become_feedback(exc):
    def bad(z):
        raise exc
    result = check("relu", bad)
    assert not result.passed
    assert f"Your function raised {type(exc).__name__}" in str(result)


def test_signature_mismatch_hint():
    result = check("relu_backward", lambda z: z)
    assert "TypeError" in str(result)
    assert result.hint == "Check your function's signature: it should be `relu_backward(dz, z)`."


def test_python_if_on_arrays_hint():
    def relu(z):
        return z if z > 0 else 0 * z
    result = check("relu", relu)
    assert "np.where" in result.hint


def test_not_implemented_starter_hint():
    def relu(z):
        raise NotImplementedError
    assert "Replace the `raise NotImplementedError`" in check("relu", relu).hint


# ------------------------------------------------------------------------------- wrong outputs


def test_returning_none_asks_about_return():
    def relu(z):
        ...
    result = check("relu", relu)
    assert "Your function returned None. Did you forget the `return` statement?" in str(result)


def test_returning_a_list():
    result = check("relu", lambda z: [max(v, 0.0) for v in z])
    assert "is a Python list, not a NumPy array" in str(result)


def test_returning_a_string():
    result = check("relu", lambda z: "relu")
    assert "Your result is 'relu' (of type str), but a NumPy array is expected." in str(result)


class BrokenRepr:
    def __repr__(self):
        raise ValueError("broken repr")


def test_broken_repr_of_a_returned_object_does_not_crash_the_report():
    result = check("relu", lambda z: BrokenRepr())
    text = str(result)
    assert "BrokenRepr object (its repr() raised ValueError)" in text
    assert "<" in result._repr_html_() and "&lt;BrokenRepr object" in result._repr_html_()


def test_broken_repr_for_scalar_checks_and_answers():
    from workbook.grading import check_answer
    assert "BrokenRepr object" in str(check("mse", lambda a, b: BrokenRepr()))
    assert not check_answer(BrokenRepr(), 1.0).passed


def test_complex_output_is_a_type_error():
    result = check("relu", lambda z: np.maximum(z, 0) + 0j)
    assert "has dtype complex128, but a real-valued float array is expected." in str(result)


def test_scalar_instead_of_array():
    result = check("relu", lambda z: 0.0)
    assert "is a single number (0.0), but an array of shape (4,) is expected." in str(result)


def test_array_instead_of_scalar():
    result = check("l2_penalty", lambda w, lam: lam / 2 * w**2)
    assert "returned an array of shape (3,), but a single number is expected" in str(result)


def test_nan_output_is_named_with_its_index():
    def relu(z):
        out = np.maximum(z, 0)
        out[..., -1] = np.nan
        return out
    result = check("relu", relu)
    assert "contains nan at index (3,), where the expected value is 0.0." in str(result)


def test_inf_output():
    result = check("relu", lambda z: np.maximum(z, 0) / (z != 0))
    assert "contains inf at index" in str(result) or "contains nan at index" in str(result)


def test_masked_array_cannot_hide_wrong_values():
    result = check("relu", lambda z: np.ma.masked_all(z.shape))
    assert not result.passed


def test_wrong_length_tuple_for_adam():
    result = check("adam_step", lambda w, g, m, v, t, *rest: (w, m))
    assert "returned 2 values, but the 3 values (w, m, v) are expected" in str(result)


def test_clip_must_return_one_array_per_input():
    result = check("clip_by_global_norm", lambda grads, c: grads[0])
    assert "but a list of" in str(result) and "arrays is expected" in str(result)


# ------------------------------------------------------------------------------------ mutation


def test_mutating_an_input_fails_with_a_sentence():
    def relu(z):
        z[z < 0] = 0
        return z
    result = check("relu", relu)
    text = str(result)
    assert "Your function changed its input `z` in place (at index (0,) it was -2.0 before the call and is 0.0 " \
           "after it)." in text


def test_mutating_a_list_of_arrays():
    def clip(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        for g in grads:
            g *= min(1.0, max_norm / max(norm, 1e-12))
        return grads
    result = check("clip_by_global_norm", clip)
    assert "changed its input `grads` in place (item 0:" in str(result)


def test_grader_inputs_are_not_shared_between_cases():
    seen = []

    def relu(z):
        seen.append(z)
        z[...] = 99.0            # mutate every time: later cases must still get fresh inputs
        return np.zeros_like(z)
    check("relu", relu)
    assert len(seen) == 10
    assert check("relu", R.relu).passed


# -------------------------------------------------------------------------- NumPy reassignments


@pytest.fixture
def restore_numpy():
    saved = {name: getattr(np, name) for name in ("exp", "maximum", "where", "sum", "tanh")}
    saved_err = np.geterr()
    yield
    for name, value in saved.items():
        setattr(np, name, value)
    np.seterr(**saved_err)


def test_reassigned_exp_cannot_change_the_expected_values(restore_numpy):
    fake_exp = lambda x: np.zeros_like(x)      # noqa: E731 - a learner's global reassignment
    np.exp = fake_exp

    def sigmoid_with_exp(z):
        return 1 / (1 + np.exp(-z))
    broken = check("sigmoid", sigmoid_with_exp)
    assert not broken.passed                   # the learner's code uses the broken exp
    assert "You have reassigned numpy.exp" in str(broken)
    assert check("sigmoid", lambda z: 0.5 * (1 + np.tanh(z / 2))).passed
    assert np.exp is fake_exp                  # the learner's world is left as it was


def test_cheating_by_reassigning_numpy_does_not_pass(restore_numpy):
    np.maximum = lambda a, b: np.zeros_like(a)
    np.exp = lambda x: np.zeros_like(x)
    assert not check("relu", lambda z: np.zeros_like(z)).passed
    assert not check("softmax", lambda z: np.zeros_like(z)).passed


def test_reassignment_inside_the_learner_function(restore_numpy):
    original = np.where

    def relu(z):
        np.where = lambda *a: 0                # sabotage during the call
        return original(z > 0, z, 0.0)
    assert check("relu", relu).passed
    assert np.where is not original            # the learner's assignment survives the check


def test_seterr_raise_does_not_break_the_grader(restore_numpy):
    np.seterr(all="raise")
    assert check("sigmoid", lambda z: 0.5 * (1 + np.tanh(z / 2))).passed
    naive = check("sigmoid", lambda z: np.exp(z) / (1 + np.exp(z)))
    assert "FloatingPointError" in str(naive)
    assert np.geterr()["over"] == "raise"


def test_canonical_numpy_names_match_a_clean_numpy():
    for module_name, table in canonical_namespaces().items():
        module = sys.modules[module_name]
        assert len(table) > 50
        wrong = [name for name, value in table.items() if getattr(module, name) is not value]
        assert not wrong, f"{module_name}: {wrong}"
    assert canonical_namespaces()["numpy"]["exp"] is np.exp


# -------------------------------------------------------------------------------------- warnings


def test_warnings_are_notes_not_failures():
    def relu(z):
        warnings.warn("just so you know", UserWarning, stacklevel=2)
        return np.maximum(z, 0)
    result = check("relu", relu)
    assert result.passed
    assert "UserWarning: just so you know" in str(result)
    assert "Warnings do not count as failures" in str(result)


def test_overflow_warning_with_right_values_passes():
    result = check("sigmoid", lambda z: 1 / (1 + np.exp(-z)))
    assert result.passed
    assert "RuntimeWarning: overflow encountered in exp" in str(result)


def test_learner_warnings_do_not_escape_the_check():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check("sigmoid", lambda z: 1 / (1 + np.exp(-z)))
    assert not caught


# ---------------------------------------------------------------------------------------- budget


def spin(z):
    while True:
        pass


def test_infinite_loop_hits_the_budget():
    start = time.perf_counter()
    result = check("relu", spin, budget=0.2)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    text = str(result)
    assert result.summary == "ran out of time on case 1 of 10."
    assert "time budget of 0.2 s ran out. It was stopped in spin, line" in text
    assert "`while True:`" in text or "`pass`" in text


def spin_one_line(z):
    while True: pass  # noqa: E701 - one line: CPython 3.11 emits no line events for this loop


def spin_forgotten_increment(z):
    i, total = 0, 0.0
    while i < len(z): total += 1.0  # noqa: E701
    return total


@pytest.mark.parametrize("fn", [spin_one_line, spin_forgotten_increment])
def test_one_line_loops_hit_the_budget(fn):
    start = time.perf_counter()
    result = check("relu", fn, budget=0.2)
    assert time.perf_counter() - start < 2.0
    assert "ran out of time" in result.summary


def test_timeout_after_earlier_failures_is_in_the_summary():
    def relu(z):
        if z.ndim == 2:
            while True:
                pass
        return np.abs(z)
    result = check("relu", relu, budget=0.2)
    assert result.summary.endswith("(the check stopped at case 5, out of time).")
    assert "does not flip their sign" in result.hint


def test_budget_counts_over_all_cases():
    def slow_relu(z):
        deadline = time.perf_counter() + 0.05
        while time.perf_counter() < deadline:
            pass
        return np.maximum(z, 0)
    result = check("relu", slow_relu, budget=0.22)
    assert not result.passed and "ran out of time on case" in result.summary


def test_a_long_c_call_is_judged_when_it_returns():
    def relu(z):
        time.sleep(0.3)          # cannot be interrupted; the check fails once it returns
        return np.maximum(z, 0)
    result = check("relu", relu, budget=0.1)
    assert not result.passed and "time budget" in str(result)


def test_swallowing_exception_in_learner_still_times_out():
    def relu(z):
        try:
            while True:
                pass
        except Exception:        # does not catch BudgetExceeded (a BaseException)
            return np.maximum(z, 0)
    assert not check("relu", relu, budget=0.1).passed


def test_budget_restores_an_existing_tracer():
    def tracer(frame, event, arg):
        return None
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        check("relu", spin, budget=0.05)
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_budget_object():
    budget = Budget(0.05)
    with pytest.raises(BudgetExceeded):
        budget.run(spin, None)
    assert budget.exhausted


@pytest.mark.parametrize("budget", ["soon", -1, 0])
def test_odd_budgets_do_not_raise(budget):
    result = check("relu", R.relu, budget=budget)
    assert isinstance(result, Result)


# ------------------------------------------------------------------------------ never raises


WEIRD = [
    lambda *a: None, lambda *a: 1 / 0, lambda *a: a, lambda *a: "x", lambda *a: BrokenRepr(),
    lambda *a: np.array(["a"]), lambda *a: [np.zeros(2)], lambda *a: np.full((2, 2), np.nan),
    lambda *a: (np.zeros(1),) * 3, lambda *a: {"w": 1}, lambda *a: object(), lambda *a: np.float64("inf"),
    lambda *a: [BrokenRepr()], lambda *a: (lambda: None), lambda *a: np.array([[1, 2], [3]], dtype=object),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([n for n in CHECKS]), st.sampled_from(WEIRD))
def test_check_never_raises(name, candidate):
    result = check(name, candidate, budget=2.0)
    assert isinstance(result, Result)
    assert not result.passed
    assert isinstance(str(result), str) and isinstance(result._repr_html_(), str)
    assert "The grader itself failed" not in str(result)


# ------------------------------------------------------------------------------------- Result


def test_result_text_and_html():
    result = check("relu", relu_raising_value_error)
    assert repr(result) == str(result)
    html = result._repr_html_()
    assert html.startswith('<div class="workbook-result failed"')
    assert "✘ relu: 10 of 10 cases failed" in html and "❌" not in html  # drawn by text fonts, no emoji font needed
    passed = check("relu", R.relu)
    assert passed._repr_html_().startswith('<div class="workbook-result passed"')
    assert str(passed).startswith("✅ relu: passed")


def test_html_escapes_learner_text():
    def relu(z):
        raise ValueError("<script>alert(1)</script>")
    html = check("relu", relu)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_failure_helper():
    result = failure("There is no checkable problem 'X9'.")
    assert not result.passed and str(result) == "❌ There is no checkable problem 'X9'."


def test_loss_curve_rendering():
    result = Result(True, "trained.", losses=(1.0, 0.5, 0.25, float("nan")))
    assert "Loss curve: " in str(result) and "×" in str(result)
    assert "<svg" in result._repr_html_() and "polyline" in result._repr_html_()


# ------------------------------------------------------------------------------------ gradcheck


def test_gradcheck_passes_for_a_right_gradient():
    z = np.array([-1.5, -0.2, 0.3, 2.0])
    dz = np.array([1.0, 2.0, -1.0, 0.5])
    result = gradcheck(lambda x: np.sum(dz * R.sigmoid(x)), lambda x: R.sigmoid_backward(dz, x), z)
    assert result.passed, str(result)


def test_gradcheck_reports_the_first_differing_index():
    z = np.array([-1.5, -0.2, 0.3, 2.0])
    dz = np.ones(4)
    result = gradcheck(lambda x: np.sum(dz * R.relu(x)), -R.relu_backward(dz, z), z)
    assert not result.passed
    assert "your gradient differs from the numerical gradient at index (2,): numerical 1.0, yours -1.0 " \
           "(2 of 4 entries differ)" in str(result)


def test_gradcheck_where_skips_kinks():
    z = np.array([-1.0, 0.0, 1.0])
    dz = np.ones(3)
    f = lambda x: np.sum(dz * R.relu(x))          # noqa: E731
    assert not gradcheck(f, R.relu_backward(dz, z), z).passed  # central differences give 0.5 at 0
    assert gradcheck(f, R.relu_backward(dz, z), z, where=z != 0).passed


def test_gradcheck_never_raises():
    assert not gradcheck(lambda x: 1 / 0, np.zeros(2), np.zeros(2)).passed
    assert "shape" in str(gradcheck(lambda x: 0.0, np.zeros(3), np.zeros(2)))


# ------------------------------------------------------------------------------ import hygiene


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_importing_grading_does_not_import_numpy():
    proc = _run("import sys, workbook.grading as g\n"
                "assert 'numpy' not in sys.modules, 'numpy imported'\n"
                "assert g.check_answer(0.25, 0.25).passed and g.check_choice('b', ['b']).passed\n"
                "assert g.CHECKS['relu'].entry == 'relu'\n"
                "assert 'numpy' not in sys.modules, 'numpy imported by answer checks'\n")
    assert proc.returncode == 0, proc.stderr


def test_without_numpy_array_checks_fail_with_a_sentence():
    proc = _run("import sys\nsys.modules['numpy'] = None\n"
                "from workbook.grading import check\n"
                "r = check('relu', lambda z: z)\n"
                "print(r)\nassert not r.passed\n")
    assert proc.returncode == 0, proc.stderr
    assert "NumPy could not be loaded in this browser" in proc.stdout
