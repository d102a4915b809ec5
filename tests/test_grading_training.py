"""The training checks: XOR (and XNOR) with a small MLP, and a softmax classifier on interleaved blobs."""

from __future__ import annotations

import numpy as np
import pytest

from workbook import reference as R
from workbook.grading import check
from workbook.grading.training import LOSSES_TIP, SOFTMAX_THRESHOLD, blobs

# --------------------------------------------------------------------------------- XOR learners


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train_gd_tanh(X, y, epochs=3000, seed=0):
    """Plain gradient descent, tanh hidden layer, losses exposed on predict."""
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(2, 8)), np.zeros(8)
    W2, b2 = rng.normal(size=(8,)), 0.0
    losses = []
    for _ in range(epochs):
        h = np.tanh(X @ W1 + b1)
        p = _sigmoid(h @ W2 + b2)
        losses.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
        d = (p - y) / len(y)
        dW2, db2 = h.T @ d, d.sum()
        dh = np.outer(d, W2) * (1 - h**2)
        W1 -= 1.0 * (X.T @ dh)
        b1 -= 1.0 * dh.sum(axis=0)
        W2 -= 1.0 * dW2
        b2 -= 1.0 * db2

    def predict(X):
        return _sigmoid(np.tanh(X @ W1 + b1) @ W2 + b2)
    predict.losses = losses
    return predict


class Net:
    """An object-style learner: sigmoid hidden layer, Adam via the reference, no loss curve."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.params = [rng.normal(size=(6, 2)), np.zeros(6), rng.normal(size=(1, 6)), np.zeros(1)]

    def forward(self, X):
        W1, b1, W2, b2 = self.params
        h = _sigmoid(X @ W1.T + b1)
        return h, _sigmoid(h @ W2.T + b2)[:, 0]


def train_adam_object(X, y, epochs=1000, seed=0):
    net = Net(seed)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in net.params]
    for t in range(1, epochs + 1):
        W1, b1, W2, b2 = net.params
        h, p = net.forward(X)
        d = ((p - y) / len(y))[:, None]
        dh = (d @ W2) * h * (1 - h)
        grads = [dh.T @ X, dh.sum(0), d.T @ h, d.sum(0)]
        for i, g in enumerate(grads):
            net.params[i], m, v = R.adam_step(net.params[i], g, *state[i], t, lr=0.05)
            state[i] = (m, v)
    return lambda X: net.forward(X)[1]


def test_reference_train_passes_and_shows_its_curve():
    result = check("xor_mlp", R.train)
    assert result.passed, str(result)
    assert str(result).startswith("✅ train (xor_mlp): learned XOR and XNOR (XOR accuracy 4/4, final loss")
    assert result.losses is not None and len(result.losses) == 1000
    assert "Loss curve:" in str(result) and "<svg" in result._repr_html_()


@pytest.mark.parametrize("train", [train_gd_tanh, train_adam_object])
def test_other_correct_learners_pass(train):
    result = check("xor_mlp", train)
    assert result.passed, str(result)


def test_without_a_loss_curve_the_tip_explains_the_convention():
    result = check("xor_mlp", train_adam_object)
    assert result.losses is None
    assert LOSSES_TIP in result.notes
    assert "predict.losses = losses" in str(result)


def train_table(X, y, epochs=1000, seed=0):
    table = {(0, 0): 0.0, (0, 1): 1.0, (1, 0): 1.0, (1, 1): 0.0}
    return lambda X: np.array([table[tuple(int(v) for v in row)] for row in X])


def train_linear(X, y, epochs=1000, seed=0):
    w, b = np.zeros(2), 0.0
    for _ in range(epochs):
        p = _sigmoid(X @ w + b)
        w -= 0.5 * X.T @ (p - y) / len(y)
        b -= 0.5 * np.mean(p - y)
    return lambda X: _sigmoid(X @ w + b)


def train_ascent(X, y, epochs=300, seed=0):
    rng = np.random.default_rng(seed)
    W1, W2 = rng.normal(size=(2, 4)), rng.normal(size=4)
    losses = []
    for _ in range(epochs):
        h = np.tanh(X @ W1)
        p = np.clip(_sigmoid(h @ W2), 1e-9, 1 - 1e-9)
        losses.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
        d = (p - y) / len(y)
        W1 += 0.5 * X.T @ (np.outer(d, W2) * (1 - h**2))   # the bug: += climbs the loss
        W2 += 0.5 * h.T @ d

    def predict(X):
        return _sigmoid(np.tanh(X @ W1) @ W2)
    predict.losses = losses
    return predict


def train_zero_init(X, y, epochs=500, seed=0):
    W1, b1, W2, b2 = np.zeros((2, 4)), np.zeros(4), np.zeros(4), 0.0
    for _ in range(epochs):
        h = np.tanh(X @ W1 + b1)
        p = _sigmoid(h @ W2 + b2)
        d = (p - y) / len(y)
        dh = np.outer(d, W2) * (1 - h**2)
        W1 -= X.T @ dh
        b1 -= dh.sum(0)
        W2 -= h.T @ d
        b2 -= d.sum()
    return lambda X: _sigmoid(np.tanh(X @ W1 + b1) @ W2 + b2)


@pytest.mark.parametrize("train, summary, hint", [
    (train_table, "did not learn XNOR", "same probabilities for XNOR as for XOR"),
    (train_linear, "did not learn XOR", "All four predictions are the same"),
    (train_ascent, "did not learn XOR", "loss went up"),
    (train_zero_init, "did not learn XOR", "Initialise the weights randomly"),
])
def test_typical_mistakes_fail_with_a_hint(train, summary, hint):
    result = check("xor_mlp", train)
    assert not result.passed
    assert summary in result.summary
    assert result.hint and hint in result.hint, str(result)
    assert "Your predictions" in str(result) and "<- wrong" in str(result)


def test_xor_feedback_table():
    text = str(check("xor_mlp", train_table))
    assert "after training on XNOR" in text
    assert "x1  x2  target  probability  predicted" in text
    assert " 0   0       1       0.0000          0   <- wrong" in text


def test_returning_predictions_instead_of_predict():
    result = check("xor_mlp", lambda X, y, epochs=1000, seed=0: np.array([0.0, 1.0, 1.0, 0.0]))
    assert "train must return a function predict(X); yours returned a ndarray." in str(result)
    assert "return the function itself" in result.hint


def test_missing_return():
    def train(X, y, epochs=1000, seed=0):
        pass
    assert "yours returned None. Did you forget `return predict`?" in str(check("xor_mlp", train))


def test_predict_with_a_column_shape():
    def train(X, y, epochs=1000, seed=0):
        return lambda X: y.reshape(-1, 1)
    result = check("xor_mlp", train)
    assert "predict(X) returned an array of shape (4, 1), but shape (4,) is expected" in str(result)
    assert ".reshape(-1)" in str(result)


def test_predict_must_give_probabilities():
    result = check("xor_mlp", lambda X, y, epochs=1000, seed=0: (lambda X: 5 * y - 2))
    assert "not probabilities in [0, 1]" in str(result)


def test_signature_without_defaults():
    def train(X, y, epochs, seed):
        return R.train(X, y, epochs, seed)
    result = check("xor_mlp", train)
    assert "TypeError" in str(result)
    assert "train(X, y, epochs=1000, seed=0)" in result.hint


def test_predict_raising_is_reported_as_predict():
    def train(X, y, epochs=1000, seed=0):
        def predict(X):
            return X @ np.ones(3)
        return predict
    assert "Your predict raised ValueError" in str(check("xor_mlp", train))


def test_training_that_never_ends_hits_the_budget():
    def train(X, y, epochs=1000, seed=0):
        while True:
            X = X + 0
    result = check("xor_mlp", train, budget=0.3)
    assert not result.passed
    assert "time budget of 0.3 s ran out" in str(result)


def test_training_must_not_modify_X():
    def train(X, y, epochs=1000, seed=0):
        X -= X.mean(axis=0)
        return R.train(X, y, epochs, seed)
    assert "changed its input `X` in place" in str(check("xor_mlp", train))


def test_unreadable_losses_are_a_note_not_a_failure():
    def train(X, y, epochs=1000, seed=0):
        predict = R.train(X, y, epochs, seed)
        predict.losses = "decreasing"
        return predict
    result = check("xor_mlp", train)
    assert result.passed
    assert "could not be read as a list of numbers" in str(result)


# ------------------------------------------------------------------------ softmax classifier


def train_adam_tanh(X, y, n_classes, epochs=500, seed=0):
    rng = np.random.default_rng(seed)
    Y = np.eye(n_classes)[y]
    params = [rng.normal(0, 0.5, (2, 16)), np.zeros(16), rng.normal(0, 0.5, (16, n_classes)), np.zeros(n_classes)]
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for t in range(1, epochs + 1):
        W1, b1, W2, b2 = params
        h = np.tanh(X @ W1 + b1)
        P = R.softmax(h @ W2 + b2)
        G = (P - Y) / len(X)
        dh = G @ W2.T * (1 - h**2)
        grads = [X.T @ dh, dh.sum(0), h.T @ G, G.sum(0)]
        for i, g in enumerate(grads):
            params[i], m, v = R.adam_step(params[i], g, *state[i], t, lr=0.01)
            state[i] = (m, v)
    W1, b1, W2, b2 = params
    return lambda X: R.softmax(np.tanh(X @ W1 + b1) @ W2 + b2)


def train_linear_softmax(X, y, n_classes, epochs=500, seed=0):
    Y = np.eye(n_classes)[y]
    W, b = np.zeros((2, n_classes)), np.zeros(n_classes)
    for _ in range(epochs):
        G = (R.softmax(X @ W + b) - Y) / len(X)
        W -= 0.5 * X.T @ G
        b -= 0.5 * G.sum(0)
    return lambda X: R.softmax(X @ W + b)


def test_blobs_are_not_linearly_separable_but_learnable():
    X, y = blobs(seed=1)
    assert X.shape == (180, 2) and set(y) == {0, 1, 2}
    linear = train_linear_softmax(X, y, 3)
    assert np.mean(linear(X).argmax(1) == y) < 0.6


def test_reference_classifier_passes():
    result = check("softmax_classifier", R.train_softmax_classifier)
    assert result.passed, str(result)
    assert "held-out accuracy" in result.summary and result.losses


def test_another_classifier_passes():
    assert check("softmax_classifier", train_adam_tanh).passed


def test_linear_classifier_fails_with_the_hidden_layer_hint():
    result = check("softmax_classifier", train_linear_softmax)
    assert not result.passed
    assert f"(needs {SOFTMAX_THRESHOLD:.0%})" in result.summary
    assert "not linearly separable" in result.hint


def test_classifier_returning_logits():
    def train(X, y, n_classes, epochs=500, seed=0):
        predict = R.train_softmax_classifier(X, y, n_classes, epochs, seed)
        return lambda X: np.log(predict(X)) + 3.0
    assert "sum to 1: apply softmax" in str(check("softmax_classifier", train))


def test_classifier_returning_labels():
    def train(X, y, n_classes, epochs=500, seed=0):
        predict = R.train_softmax_classifier(X, y, n_classes, epochs, seed)
        return lambda X: predict(X).argmax(axis=1)
    assert "returned an array of shape (180,), but (180, 3) is expected" in str(check("softmax_classifier", train))
