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
    "dense_backward": "(dout, x, W)", "batchnorm_backward": "(dout, x, gamma, eps=1e-05)",
    "dropout_backward": "(dout, mask, keep_prob)", "momentum_step": "(w, grad, velocity, lr, beta=0.9)",
    "rmsprop_step": "(w, grad, s, lr=0.001, beta=0.9, eps=1e-08)", "init_weights": "(fan_in, fan_out, scheme, rng)",
    "log_softmax": "(z)", "cross_entropy_from_logits": "(logits, Y)",
    "conv2d_forward": "(x, kernel, bias=0.0, stride=1, padding=0)", "numerical_gradient": "(f, x, h=1e-05)", "Value": "(data)",
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


# ------------------------------------------------------------------- issue 10's new references


def _grad_of(f, x):
    """Central differences of f at x with a step small enough for float64 and these smooth functions."""
    return R.numerical_gradient(f, x, 1e-6)


def test_dense_backward_matches_central_differences_and_shapes():
    rng = np.random.default_rng(0)
    x, W, b, dout = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(5, 2))
    dx, dW, db = R.dense_backward(dout, x, W)
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)
    np.testing.assert_allclose(dx, _grad_of(lambda v: np.sum(dout * R.dense_forward(v, W, b)), x), rtol=1e-6)
    np.testing.assert_allclose(dW, _grad_of(lambda v: np.sum(dout * R.dense_forward(x, v, b)), W), rtol=1e-6)
    np.testing.assert_allclose(db, _grad_of(lambda v: np.sum(dout * R.dense_forward(x, W, v)), b), rtol=1e-6)


def test_batchnorm_backward_matches_central_differences_through_the_batch_statistics():
    rng = np.random.default_rng(1)
    x, gamma, beta, dout = rng.normal(1, 2, (6, 4)), rng.normal(1, .5, 4), rng.normal(size=4), rng.normal(size=(6, 4))
    dx, dgamma, dbeta = R.batchnorm_backward(dout, x, gamma)
    loss = lambda x_, g_, b_: float(np.sum(dout * R.batchnorm_forward(x_, g_, b_)))  # noqa: E731
    np.testing.assert_allclose(dx, _grad_of(lambda v: loss(v, gamma, beta), x), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dgamma, _grad_of(lambda v: loss(x, v, beta), gamma), rtol=1e-6)
    np.testing.assert_allclose(dbeta, _grad_of(lambda v: loss(x, gamma, v), beta), rtol=1e-6)
    # The mean and the variance depend on x, so each column of dx sums to zero.
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-10)


def test_dropout_backward_is_the_forward_scaling_applied_to_dout():
    dout, mask = np.array([[1.0, -2.0], [3.0, 4.0]]), np.array([[1, 0], [0, 1]])
    assert R.dropout_backward(dout, mask, 0.5).tolist() == [[2.0, 0.0], [0.0, 8.0]]
    x = np.array([[0.3, 0.1], [-1.0, 2.0]])
    np.testing.assert_allclose(R.dropout_backward(dout, mask, 0.8),
                               _grad_of(lambda v: np.sum(dout * R.dropout_forward(v, mask, 0.8)), x), rtol=1e-6)


def test_momentum_and_rmsprop_follow_set_27s_numbers():
    w, v, ws = np.array([1.0]), np.zeros(1), []
    for _ in range(3):  # 27:O1, gradient 3w, lr 0.1, beta 0.9
        w, v = R.momentum_step(w, 3 * w, v, 0.1)
        ws.append(float(w[0]))
    np.testing.assert_allclose(ws, [0.7, 0.22, -0.278])
    w, s = np.ones(2), np.zeros(2)
    for _ in range(2):  # 27:R1: both parameters move by the same amount whatever the gradient's size
        w, s = R.rmsprop_step(w, np.array([0.1, 10.0]), s, lr=0.01)
    np.testing.assert_allclose(w[0], w[1], rtol=1e-6)
    np.testing.assert_allclose(1 - w[0], 0.01 / np.sqrt(0.1) + 0.01 / np.sqrt(0.19), rtol=1e-6)


def test_init_weights_has_the_shape_and_variance_of_each_scheme():
    for scheme, fan_in, fan_out in [("he", 400, 200), ("xavier", 300, 500)]:
        W = R.init_weights(fan_in, fan_out, scheme, np.random.default_rng(3))
        assert W.shape == (fan_out, fan_in)
        target = R.init_variance(fan_in, fan_out, scheme)
        assert abs(W.var() / target - 1) < 5 * np.sqrt(2 / W.size)
        assert abs(W.mean()) < 5 * np.sqrt(target / W.size)
    assert np.array_equal(R.init_weights(3, 2, "he", np.random.default_rng(7)),
                          R.init_weights(3, 2, "he", np.random.default_rng(7)))
    assert R.init_variance(100, 300, "he") == 0.02 and R.init_variance(100, 300, "xavier") == 0.005


def test_log_softmax_is_stable_and_exponentiates_to_softmax():
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    out = R.log_softmax(z)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[0], [0.0, -1000.0, -2000.0])
    np.testing.assert_allclose(np.exp(out[1]), R.softmax(z[1]))
    np.testing.assert_allclose(R.log_softmax([1.0, 2.0, 3.0]), np.log(R.softmax([1.0, 2.0, 3.0])))


def test_cross_entropy_from_logits_matches_the_two_step_loss_and_its_gradient():
    rng = np.random.default_rng(4)
    z, Y = rng.normal(0, 2, (5, 3)), R.one_hot(rng.integers(0, 3, 5), 3)
    assert R.cross_entropy_from_logits(z, Y) == pytest.approx(R.cross_entropy(R.softmax(z), Y))
    np.testing.assert_allclose(_grad_of(lambda v: R.cross_entropy_from_logits(v, Y), z),
                               R.softmax_cross_entropy_backward(z, Y), rtol=1e-5, atol=1e-9)
    assert R.cross_entropy_from_logits([[0.0, -2000.0]], [[0, 1]]) == pytest.approx(2000.0)


def test_conv2d_forward_matches_set_28s_strided_example_and_a_padded_one():
    X = np.array([[1, 2, 0, 1], [3, 1, 1, 0], [0, 2, 4, 1], [1, 0, 2, 3]])
    K = np.array([[1, -1], [0, 2]])
    assert R.conv2d_forward(X, K, stride=2).tolist() == [[1.0, -1.0], [-2.0, 9.0]]
    out = R.conv2d_forward(np.ones((3, 3)), np.ones((3, 3)), bias=1.0, padding=1)
    assert out.tolist() == [[5.0, 7.0, 5.0], [7.0, 10.0, 7.0], [5.0, 7.0, 5.0]]
    assert R.conv2d_forward(np.zeros((7, 5)), np.ones((3, 2)), stride=2, padding=1).shape == (4, 3)


def test_numerical_gradient_is_central_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    before = x.copy()
    g = R.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    assert np.array_equal(x, before)
    # Central differences are exact for a quadratic, whatever h.
    np.testing.assert_allclose(R.numerical_gradient(lambda v: float(v @ v), np.array([1.0, -3.0]), h=0.5),
                               [2.0, -6.0])


def test_value_engine_adds_gradients_of_a_value_used_twice():
    a, b = R.Value(3.0), R.Value(-2.0)
    c = a * a + a * b      # dc/da = 2a + b = 4, dc/db = a = 3
    d = c.tanh() + c.relu()
    d.backward()
    t = np.tanh(c.data)
    assert c.data == 3.0 and d.data == pytest.approx(np.tanh(3.0) + 3.0)
    assert a.grad == pytest.approx((1 - t * t + 1) * 4) and b.grad == pytest.approx((1 - t * t + 1) * 3)
    x = R.Value(-1.5)
    y = x.relu() * x + 2.0 * x
    y.backward()
    assert x.grad == 2.0 and y.data == -3.0


def test_value_engine_handles_a_deep_chain_without_recursion():
    x = R.Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
