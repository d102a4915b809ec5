"""A grader that cannot be fooled: predict is judged on points it has not seen, learner code cannot
change the grader or its reference results, and what the grader reads from learner objects is bounded."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import workbook.reference
from workbook import reference as R
from workbook.grading import check
from workbook.grading.compare import Comparer
from workbook.grading.harness import READ_ITEMS
from workbook.grading.training import PREDICT_HINT

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------- predict judged on its argument


def train_lookup(X, y, epochs=1000, seed=0):
    table = {tuple(x): float(t) for x, t in zip(X, y)}
    return lambda X: np.array([table[tuple(x)] for x in X])


def train_cached(X, y, epochs=1000, seed=0):
    predict = R.train(X, y, epochs, seed)
    seen = predict(X)

    def replay(X):
        return seen
    replay.losses = predict.losses
    return replay


def test_lookup_table_predict_is_rejected():
    result = check("xor_mlp", train_lookup)
    assert not result.passed
    assert result.summary == "predict raised on four points it has not seen (after training on XOR)."
    assert "KeyError" in str(result)
    assert result.hint == PREDICT_HINT


def test_cached_output_predict_is_rejected():
    result = check("xor_mlp", train_cached)
    assert not result.passed
    assert result.summary == ("predict is right on the training points but not on the same four points in another "
                              "order (after training on XOR: 2/4 right).")
    assert "it does not compute its output from the X it is given" in str(result)
    assert result.hint == PREDICT_HINT


def test_a_nearest_neighbour_predict_is_judged_by_its_answers():
    # Not a lookup: it computes from X, so the unseen points are answered (and rightly).
    def train(X, y, epochs=1000, seed=0):
        def predict(Z):
            nearest = np.argmin(((Z[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=1)
            return 0.05 + 0.9 * y[nearest]
        return predict
    assert check("xor_mlp", train).passed


def classifier_cached(X, y, n_classes, epochs=500, seed=0):
    predict = R.train_softmax_classifier(X, y, n_classes, epochs, seed)
    seen = predict(X)
    return lambda X: seen


def classifier_lookup(X, y, n_classes, epochs=500, seed=0):
    table = {tuple(x): np.eye(n_classes)[t] for x, t in zip(X, y)}
    return lambda X: np.array([table[tuple(x)] for x in X])


def test_classifier_ignoring_X_gets_the_predict_hint_not_overfitting_advice():
    result = check("softmax_classifier", classifier_cached)
    assert not result.passed
    assert result.summary == "predict gives other answers for the same training points in another order."
    assert result.hint == PREDICT_HINT
    assert "fewer hidden units" not in str(result)


def test_classifier_lookup_table_is_rejected_on_fresh_samples():
    result = check("softmax_classifier", classifier_lookup)
    assert not result.passed
    assert result.summary == "predict(X) failed on the held-out points."
    assert "KeyError" in str(result) and result.hint == PREDICT_HINT


# ---------------------------------------------------------------------------- private grader state


def wrong_relu(z):
    return np.asarray(z, dtype=float)


def test_patching_the_reference_during_a_check_changes_no_verdict():
    original = workbook.reference.relu

    def relu(z):
        workbook.reference.relu = lambda z: np.asarray(z, dtype=float)  # make the reference agree
        return np.asarray(z, dtype=float)
    first = check("relu", relu)
    later = check("relu", wrong_relu)
    assert not first.passed and not later.passed
    assert workbook.reference.relu is original
    assert any("workbook.reference.relu" in note and "put back" in note for note in first.notes)
    assert check("relu", R.relu).passed


def test_patching_the_reference_between_checks_changes_no_verdict():
    original = workbook.reference.relu
    workbook.reference.relu = wrong_relu
    try:
        result = check("relu", wrong_relu)
    finally:
        changed_back = workbook.reference.relu is original
        workbook.reference.relu = original
    assert not result.passed
    assert changed_back
    assert any("workbook.reference.relu" in note for note in result.notes)


def test_patching_the_comparer_changes_no_verdict():
    original = Comparer.compare

    def relu(z):
        Comparer.compare = lambda self, *args, **kwargs: None  # "every output is right"
        return -np.asarray(z, dtype=float)
    first = check("relu", relu)
    later = check("relu", wrong_relu)
    assert not first.passed, str(first)
    assert not later.passed, str(later)
    assert Comparer.compare is original
    assert any("workbook.grading.compare.Comparer.compare" in note for note in first.notes)
    assert not any("changed" in note for note in later.notes)


def test_the_seal_itself_cannot_be_switched_off():
    from workbook.grading.integrity import Seal
    original, compare = Seal.restore, Comparer.compare

    def relu(z):
        Seal.restore = lambda self: []
        Comparer.compare = lambda self, *args, **kwargs: None
        return -np.asarray(z, dtype=float)
    assert not check("relu", relu).passed
    assert Seal.restore is original and Comparer.compare is compare
    assert not check("relu", wrong_relu).passed


def test_an_added_method_is_removed():
    def relu(z):
        Comparer.__getattribute__ = lambda self, name: (lambda *a, **k: None)
        return -np.asarray(z, dtype=float)
    result = check("relu", relu)
    assert "__getattribute__" not in vars(Comparer)
    assert not result.passed
    assert check("relu", R.relu).passed


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_reference_patched_before_the_first_check_is_put_back():
    proc = _run("""
        import numpy as np
        import workbook.reference as ref
        ref.relu = lambda z: np.asarray(z, dtype=float)
        from workbook.grading import check
        result = check("relu", lambda z: np.asarray(z, dtype=float))
        assert not result.passed, str(result)
        assert ref.relu(np.array([-1.0]))[0] == 0.0
        print(result.notes)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "workbook.reference.relu" in proc.stdout


def test_a_grader_changed_before_its_first_use_asks_for_a_restart():
    proc = _run("""
        import numpy as np
        from workbook.grading.compare import Comparer
        Comparer.compare = lambda self, *args, **kwargs: None
        from workbook.grading import check
        result = check("relu", lambda z: -np.asarray(z, dtype=float))
        assert not result.passed
        print(result)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "workbook.grading.compare.Comparer.compare" in proc.stdout and "Restart the kernel" in proc.stdout


# ------------------------------------------------------------------ bounded reads of learner objects


def _with_losses(losses):
    def train(X, y, epochs=1000, seed=0):
        predict = R.train(X, y, epochs, seed)
        predict.losses = losses()
        return predict
    return train


def endless_generator():
    x = 1.0
    while True:
        yield x
        x *= 0.999


@pytest.mark.parametrize("losses", [itertools.count, endless_generator])
def test_endless_losses_are_read_up_to_a_limit(losses):
    result = check("xor_mlp", _with_losses(losses))
    assert result.passed, str(result)
    assert len(result.losses) == READ_ITEMS
    assert any(f"more than {READ_ITEMS} values" in note for note in result.notes)


def test_endless_losses_end_within_the_budget_in_bounded_memory():
    # In a child process limited to 2 GB, so that a reader that never stops fails instead of
    # exhausting this machine; the parent's timeout ends one that never stops and never allocates.
    proc = _run("""
        import itertools, resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from workbook import reference as R
        from workbook.grading import check

        def train(X, y, epochs=1000, seed=0):
            predict = R.train(X, y, epochs, seed)
            predict.losses = itertools.count()
            return predict
        result = check("xor_mlp", train, budget=5)
        print(result.passed, len(result.losses))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", str(READ_ITEMS)]


def test_a_sequence_whose_iteration_never_ends_is_cut_off():
    class Endless(list):
        def __iter__(self):
            return itertools.count()

        def __len__(self):
            while True:
                pass

    def clip(grads, max_norm):
        return Endless(R.clip_by_global_norm(grads, max_norm))
    result = check("clip_by_global_norm", clip, budget=2)
    assert not result.passed
    assert f"Your function returned more than {READ_ITEMS} arrays, but 1 is expected" in str(result)


def test_an_exception_whose_message_never_ends_is_reported():
    class Stubborn(Exception):
        def __str__(self):
            while True:
                pass

    def relu(z):
        raise Stubborn
    result = check("relu", relu, budget=3)
    assert not result.passed
    assert "Your function raised Stubborn" in str(result)
