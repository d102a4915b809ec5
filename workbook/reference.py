"""Reference NumPy implementations: one function per grading check, named as the learner names it.

Problem statements, the grader and worked answers rely on these names, signatures and conventions.
Inputs may be arrays or Python numbers (`float(sigmoid_backward(1.0, 0.0))` works); outputs are
float arrays, except the losses (`mse`, `cross_entropy`, `l2_penalty`), which return a float.

The two training checks have entry points named as the learner's: `train` (check `xor_mlp`, also
available as `xor_mlp`) and `train_softmax_classifier` (check `softmax_classifier`). Both return a
`predict` function carrying the training loss curve as `predict.losses`.
"""

from __future__ import annotations

import math

import numpy as np

GELU_C = math.sqrt(2.0 / math.pi)


def _f(x):
    return np.asarray(x, dtype=float)


# --------------------------------------------------------------------------------- activations


def relu(z):
    """Return max(0, z) elementwise."""
    return np.maximum(_f(z), 0.0)


def relu_backward(dz, z):
    """Return dz where z > 0, else 0 (the gradient at z = 0 is taken as 0)."""
    return np.where(_f(z) > 0, _f(dz), 0.0)


def leaky_relu(z, alpha=0.01):
    """Return z where z > 0, else alpha * z."""
    z = _f(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_backward(dz, z, alpha=0.01):
    """Return dz where z > 0, else alpha * dz (at exactly z = 0 either is accepted by the check)."""
    dz = _f(dz)
    return np.where(_f(z) > 0, dz, alpha * dz)


def sigmoid(z):
    """Return 1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = _f(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(dz, z):
    """Return dz * s * (1 - s) with s = sigmoid(z)."""
    s = sigmoid(z)
    return _f(dz) * s * (1.0 - s)


def tanh_backward(dz, z):
    """Return dz * (1 - tanh(z)**2)."""
    return _f(dz) * (1.0 - np.tanh(_f(z)) ** 2)


def gelu(z):
    """Return the tanh approximation 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))."""
    z = _f(z)
    return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))


def softmax(z):
    """Return exp(z) / sum(exp(z)) along the last axis, shifted by the maximum so it cannot overflow."""
    z = _f(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


# ------------------------------------------------------------------------------ labels, losses


def one_hot(y, n_classes):
    """Return a float array (n, n_classes) with a 1 in column y[i] of row i."""
    y = np.asarray(y, dtype=int).reshape(-1)
    out = np.zeros((y.size, int(n_classes)))
    out[np.arange(y.size), y] = 1.0
    return out


def mse(y_pred, y_true):
    """Return the mean over all elements of (y_pred - y_true)**2."""
    return float(np.mean((_f(y_pred) - _f(y_true)) ** 2))


def cross_entropy(probs, Y):
    """Return the mean over rows of -sum(Y * log(probs)), for one-hot Y (n, k) and probs in (0, 1)."""
    probs, Y = _f(probs), _f(Y)
    return float(np.mean(-np.sum(Y * np.log(probs), axis=-1)))


def softmax_cross_entropy_backward(logits, Y):
    """Return the gradient of the mean cross-entropy of softmax(logits): (softmax(logits) - Y) / n."""
    logits = _f(logits)
    n = logits.shape[0] if logits.ndim == 2 else 1
    return (softmax(logits) - _f(Y)) / n


def l2_penalty(w, lam):
    """Return lam / 2 * sum(w**2)."""
    return float(lam / 2.0 * np.sum(_f(w) ** 2))


# ---------------------------------------------------------------------------------- optimizers


def sgd_step(w, grad, lr):
    """Return w - lr * grad (a new array; w is not modified)."""
    return _f(w) - lr * _f(grad)


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Return the new (w, m, v) after one Adam step; t counts steps from 1; eps outside the sqrt."""
    grad = _f(grad)
    m = beta1 * _f(m) + (1.0 - beta1) * grad
    v = beta2 * _f(v) + (1.0 - beta2) * grad**2
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    w = _f(w) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v


def clip_by_global_norm(grads, max_norm):
    """Return the arrays scaled by one common factor so that their joint L2 norm is <= max_norm."""
    grads = [_f(g) for g in grads]
    norm = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads]


# -------------------------------------------------------------------------------------- layers


def dense_forward(x, W, b):
    """Return x @ W.T + b, with W of shape (out, in) and b of shape (out,)."""
    return _f(x) @ _f(W).T + _f(b)


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Normalize each feature (column) over the batch with its biased variance, then scale and shift."""
    x = _f(x)
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    return _f(gamma) * (x - mu) / np.sqrt(var + eps) + _f(beta)


def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Normalize each row over its features with the biased variance, then scale and shift."""
    x = _f(x)
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)
    return _f(gamma) * (x - mu) / np.sqrt(var + eps) + _f(beta)


def dropout_forward(x, mask, keep_prob):
    """Return x * mask / keep_prob (inverted dropout: the expected activation is unchanged)."""
    return _f(x) * _f(mask) / keep_prob


# ---------------------------------------------------------------------------------- training


def _binary_cross_entropy(p, y):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def train(X, y, epochs=1000, seed=0):
    """Train a 2-8-1 tanh/sigmoid network with Adam on (X, y); return predict(X) -> probabilities (n,)."""
    X = _f(X)
    y = _f(y).reshape(-1)
    n, d = X.shape
    rng = np.random.default_rng(seed)
    hidden = 8
    params = [rng.normal(0.0, 1.0, (hidden, d)), np.zeros(hidden),
              rng.normal(0.0, 1.0, (1, hidden)), np.zeros(1)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    losses = []
    for t in range(1, epochs + 1):
        W1, b1, W2, b2 = params
        z1 = dense_forward(X, W1, b1)
        h = np.tanh(z1)
        p = sigmoid(dense_forward(h, W2, b2)).reshape(-1)
        losses.append(_binary_cross_entropy(p, y))
        dlogits = ((p - y) / n).reshape(-1, 1)  # sigmoid + binary cross-entropy
        dh = dlogits @ W2
        dz1 = tanh_backward(dh, z1)
        grads = [dz1.T @ X, dz1.sum(axis=0), dlogits.T @ h, dlogits.sum(axis=0)]
        for i, (param, grad) in enumerate(zip(params, grads)):
            m, v = moments[i]
            params[i], m, v = adam_step(param, grad, m, v, t, lr=0.05)
            moments[i] = (m, v)
    W1, b1, W2, b2 = [p.copy() for p in params]

    def predict(X):
        h = np.tanh(dense_forward(X, W1, b1))
        return sigmoid(dense_forward(h, W2, b2)).reshape(-1)

    predict.losses = losses
    return predict


xor_mlp = train


def train_softmax_classifier(X, y, n_classes, epochs=500, seed=0):
    """Train a two-layer ReLU network by gradient descent; return predict(X) -> probabilities (n, k)."""
    X = _f(X)
    y = np.asarray(y, dtype=int).reshape(-1)
    n, d = X.shape
    Y = one_hot(y, n_classes)
    rng = np.random.default_rng(seed)
    hidden = 32
    W1 = rng.normal(0.0, math.sqrt(2.0 / d), (hidden, d))
    b1 = np.zeros(hidden)
    W2 = rng.normal(0.0, math.sqrt(2.0 / hidden), (n_classes, hidden))
    b2 = np.zeros(n_classes)
    lr = 0.5
    losses = []
    for _ in range(epochs):
        z1 = dense_forward(X, W1, b1)
        h = relu(z1)
        logits = dense_forward(h, W2, b2)
        losses.append(cross_entropy(np.clip(softmax(logits), 1e-12, 1.0), Y))
        dlogits = softmax_cross_entropy_backward(logits, Y)
        dz1 = relu_backward(dlogits @ W2, z1)
        W2 = sgd_step(W2, dlogits.T @ h, lr)
        b2 = sgd_step(b2, dlogits.sum(axis=0), lr)
        W1 = sgd_step(W1, dz1.T @ X, lr)
        b1 = sgd_step(b1, dz1.sum(axis=0), lr)

    def predict(X):
        return softmax(dense_forward(relu(dense_forward(X, W1, b1)), W2, b2))

    predict.losses = losses
    return predict


softmax_classifier = train_softmax_classifier


# ---------------------------------------------------------------- issue 10: backward passes


def dense_backward(dout, x, W):
    """Return (dx, dW, db) for out = x @ W.T + b, given dout = dL/dout of shape (n, out)."""
    dout, x, W = _f(dout), _f(x), _f(W)
    return dout @ W, dout.T @ x, np.sum(dout, axis=0)


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Return (dx, dgamma, dbeta) of batchnorm_forward, with the batch mean and variance depending on x."""
    dout, x, gamma = _f(dout), _f(x), _f(gamma)
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(np.var(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / n * (n * dx_hat - np.sum(dx_hat, axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def dropout_backward(dout, mask, keep_prob):
    """Return dout * mask / keep_prob: the gradient flows only through the units kept in the forward pass."""
    return _f(dout) * _f(mask) / keep_prob


# ------------------------------------------------------------ issue 10: optimisers, initialisers


def momentum_step(w, grad, velocity, lr, beta=0.9):
    """Return the new (w, velocity): velocity = beta * velocity + grad, then w - lr * velocity."""
    velocity = beta * _f(velocity) + _f(grad)
    return _f(w) - lr * velocity, velocity


def rmsprop_step(w, grad, s, lr=1e-3, beta=0.9, eps=1e-8):
    """Return the new (w, s): s = beta * s + (1 - beta) * grad**2, then w - lr * grad / (sqrt(s) + eps)."""
    grad = _f(grad)
    s = beta * _f(s) + (1.0 - beta) * grad**2
    return _f(w) - lr * grad / (np.sqrt(s) + eps), s


INIT_SCHEMES = ("he", "xavier")


def init_weights(fan_in, fan_out, scheme, rng):
    """Return W of shape (fan_out, fan_in) drawn from rng with variance 2/fan_in (he) or 2/(fan_in + fan_out) (xavier)."""
    variance = 2.0 / fan_in if scheme == "he" else 2.0 / (fan_in + fan_out)
    return rng.normal(0.0, math.sqrt(variance), (fan_out, fan_in))


def init_variance(fan_in, fan_out, scheme):
    """Return the variance init_weights aims for: 2/fan_in (he) or 2/(fan_in + fan_out) (xavier)."""
    return 2.0 / fan_in if scheme == "he" else 2.0 / (fan_in + fan_out)


# ----------------------------------------------------- issue 10: stable losses, convolution


def log_softmax(z):
    """Return z - logsumexp(z) along the last axis, shifted by the maximum so it neither overflows nor gives -inf."""
    z = _f(z)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def cross_entropy_from_logits(logits, Y):
    """Return the mean over rows of -sum(Y * log_softmax(logits)), for one-hot Y (n, k)."""
    return float(np.mean(-np.sum(_f(Y) * log_softmax(logits), axis=-1)))


def conv2d_forward(x, kernel, bias=0.0, stride=1, padding=0):
    """Return the cross-correlation of one 2-D input with one kernel (no flip), zero-padded, strided, plus bias."""
    x, kernel = np.pad(_f(x), int(padding)), _f(kernel)
    kh, kw = kernel.shape
    rows = (x.shape[0] - kh) // stride + 1
    cols = (x.shape[1] - kw) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(window * kernel)
    return out + bias


def numerical_gradient(f, x, h=1e-5):
    """Return the central-difference gradient (f(x + h e_i) - f(x - h e_i)) / 2h of scalar f at array x."""
    x = _f(x).copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = float(f(x))
        x[index] = old - h
        down = float(f(x))
        x[index] = old
        grad[index] = (up - down) / (2.0 * h)
    return grad


# ---------------------------------------------------------- issue 10: a scalar autograd engine


class Value:
    """A scalar that records the operations that made it, so that backward() can fill in every .grad."""

    def __init__(self, data):
        self.data = float(data)
        self.grad = 0.0
        self._parents: tuple = ()
        self._local: tuple = ()
        """d(self)/d(parent) for each parent, fixed at the forward pass."""

    @staticmethod
    def _node(data, parents, local):
        """Return a Value made by an operation on parents, with its local derivatives."""
        out = Value(data)
        out._parents, out._local = parents, local
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def tanh(self):
        """Return tanh(self), whose local derivative is 1 - tanh**2."""
        t = math.tanh(self.data)
        return Value._node(t, (self,), (1.0 - t * t,))

    def relu(self):
        """Return max(self, 0), whose local derivative is 1 for positive inputs, else 0."""
        return Value._node(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def backward(self):
        """Set self.grad to 1 and add every node's share to its parents, in reverse topological order."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative depth-first search: deep graphs must not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node._parents, node._local):
                parent.grad += local * node.grad


autograd_value = Value
