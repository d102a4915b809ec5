"""The reference implementations: each passes its own check and follows the documented conventions."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest

from workbook import reference as R
from workbook.grading import CHECKS, check
from workbook.grading.registry import SPECS
from workbook.grading.spec import ArraySpec
from workbook.grading.training import blobs

SIGNATURES = {
    "relu": "(z)", "relu_backward": "(dz, z)", "leaky_relu": "(z, alpha=0.01)",
    "leaky_relu_backward": "(dz, z, alpha=0.01)", "sigmoid": "(z)", "sigmoid_backward": "(dz, z)",
    "tanh_backward": "(dz, z)", "gelu": "(z)", "softmax": "(z)", "one_hot": "(y, n_classes)",
    "mse": "(y_pred, y_true)", "cross_entropy": "(probs, Y)", "softmax_cross_entropy_backward": "(logits, Y)",
    "l2_penalty": "(w, lam)", "sgd_step": "(w, grad, lr)",
    "adam_step": "(w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)",
    "clip_by_global_norm": "(grads, max_norm)", "dense_forward": "(x, W, b)",
    "batchnorm_forward": "(x, gamma, beta, eps=1e-05)", "layernorm_forward": "(x, gamma, beta, eps=1e-05)",
    "dropout_forward": "(x, mask, keep_prob)", "train": "(X, y, epochs=1000, seed=0)",
    "train_softmax_classifier": "(X, y, n_classes, epochs=500, seed=0)",
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_reference_passes_its_own_check(name):
    result = check(name, getattr(R, CHECKS[name].entry))
    assert result.passed, str(result)


@pytest.mark.parametrize("entry, signature", SIGNATURES.items())
def test_signatures_are_exactly_as_documented(entry, signature):
    assert str(inspect.signature(getattr(R, entry))) == signature


def test_check_aliases():
    assert R.xor_mlp is R.train and R.softmax_classifier is R.train_softmax_classifier


@pytest.mark.parametrize("name", [name for name, spec in SPECS.items() if isinstance(spec, ArraySpec)])
def test_references_do_not_modify_their_inputs(name):
    for case in SPECS[name].cases():
        before = [np.copy(a) if isinstance(a, np.ndarray) else [np.copy(x) for x in a] if isinstance(a, list) else a
                  for a in case.args]
        getattr(R, name)(*case.args)
        for a, b in zip(case.args, before):
            if isinstance(a, np.ndarray):
                assert np.array_equal(a, b)
            elif isinstance(a, list):
                assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_references_accept_python_numbers():
    assert float(R.sigmoid_backward(1.0, 0.0)) == 0.25
    assert float(R.relu_backward(1.0, 0.0)) == 0.0
    assert float(R.relu(-2)) == 0.0
    assert float(R.leaky_relu(-2.0)) == pytest.approx(-0.02)
    assert float(R.tanh_backward(2.0, 0.0)) == 2.0
    assert R.mse([1, 2], [1, 4]) == 2.0


def test_activation_conventions():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    assert np.array_equal(R.relu_backward(np.ones(5), z), [0, 0, 0, 1, 1])
    assert np.allclose(R.leaky_relu_backward(np.ones(5), z, 0.1), [0.1, 0.1, 0.1, 1, 1])
    s = R.sigmoid(z)
    assert np.isfinite(s).all() and s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert R.gelu(np.array([0.0]))[0] == 0.0
    assert R.gelu(np.array([1.0]))[0] == pytest.approx(0.8411919906)


def test_softmax_is_stable_and_sums_to_one_per_row():
    out = R.softmax(np.array([[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0]]))
    assert np.isfinite(out).all()
    assert np.allclose(out.sum(axis=1), 1.0)
    assert np.allclose(out[1], 1 / 3)
    assert np.allclose(R.softmax(np.array([1.0, 2.0, 3.0])), [0.09003057, 0.24472847, 0.66524096])


def test_one_hot_is_float_with_n_classes_columns():
    Y = R.one_hot(np.array([1, 0]), 4)
    assert Y.dtype == float and Y.shape == (2, 4)
    assert np.array_equal(Y, [[0, 1, 0, 0], [1, 0, 0, 0]])


def test_losses():
    probs = np.array([[0.5, 0.5], [0.25, 0.75]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert R.cross_entropy(probs, Y) == pytest.approx(-(np.log(0.5) + np.log(0.75)) / 2)
    assert np.allclose(R.softmax_cross_entropy_backward(np.zeros((2, 2)), Y), [[-0.25, 0.25], [0.25, -0.25]])
    assert R.l2_penalty(np.array([1.0, 2.0]), 0.1) == pytest.approx(0.25)
    assert isinstance(R.mse(np.ones(2), np.zeros(2)), float)


def test_optimizers():
    w = np.array([1.0, -1.0])
    assert np.array_equal(R.sgd_step(w, np.array([1.0, 1.0]), 0.5), [0.5, -1.5])
    w2, m, v = R.adam_step(w, np.array([0.3, -2.0]), np.zeros(2), np.zeros(2), 1, lr=0.01)
    assert np.allclose(w2 - w, [-0.01, 0.01])      # bias-corrected: the first step has size lr
    assert np.allclose(m, [0.03, -0.2]) and np.allclose(v, [0.001 * 0.09, 0.001 * 4])


def test_clip_by_global_norm():
    out = R.clip_by_global_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
    assert np.allclose(out[0], [0.6]) and np.allclose(out[1], [[0.8]])
    small = [np.array([0.1, 0.2])]
    same = R.clip_by_global_norm(small, 1.0)
    assert np.array_equal(same[0], small[0]) and same[0] is not small[0]
    assert np.array_equal(R.clip_by_global_norm([np.zeros(2)], 1.0)[0], [0, 0])


def test_layers():
    x = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]])
    W, b = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]), np.array([0.5, -0.5])
    assert np.allclose(R.dense_forward(x, W, b), [[1.5, 4.5], [3.5, 14.5]])
    bn = R.batchnorm_forward(x, np.ones(3), np.zeros(3))
    assert np.allclose(bn.mean(axis=0), 0) and np.allclose(bn.var(axis=0), 1, atol=1e-4)
    ln = R.layernorm_forward(x, np.ones(3), np.zeros(3))
    assert np.allclose(ln.mean(axis=1), 0) and np.allclose(ln.var(axis=1), 1, atol=1e-4)
    assert np.allclose(R.dropout_forward(x, np.array([[1, 0, 1], [0, 1, 1]]), 0.5), [[2, 0, 6], [0, 12, 18]])


@pytest.mark.parametrize("labels", list(itertools.product([0.0, 1.0], repeat=4)))
def test_train_fits_every_labelling_of_the_four_points(labels):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    predict = R.train(X, np.array(labels))
    probs = predict(X)
    assert probs.shape == (4,)
    assert np.array_equal(np.round(probs), labels)
    assert len(predict.losses) == 1000 and predict.losses[-1] < predict.losses[0]


def test_train_softmax_classifier_generalises():
    X, y = blobs(seed=5)
    X_test, y_test = blobs(seed=6)
    predict = R.train_softmax_classifier(X, y, 3)
    probs = predict(X_test)
    assert probs.shape == (len(X_test), 3) and np.allclose(probs.sum(axis=1), 1)
    assert np.mean(probs.argmax(axis=1) == y_test) > 0.95
    assert predict.losses[-1] < 0.1 < predict.losses[0]
