"""Issue 10's checks: correct variants pass, each known mistake fails with its hint, odd returns are handled."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbook import reference as R
from workbook.grading import CHECKS, check
from workbook.grading.behaviour import tape_gradients, _forward, _hand_graphs, _random_graphs

ARRAY_CHECKS = ("dense_backward", "batchnorm_backward", "dropout_backward", "momentum_step", "rmsprop_step",
                "log_softmax", "cross_entropy_from_logits", "conv2d_forward")
BEHAVIOUR_CHECKS = ("numerical_gradient", "init_weights", "autograd_value")
NEW_CHECKS = ARRAY_CHECKS + BEHAVIOUR_CHECKS


# ------------------------------------------------------------------------------ learner variants


def bn_backward_steps(dout, x, gamma, eps=1e-5):
    """The step-by-step version through mean and variance, as many learners write it."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc**2).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * xc * -0.5 * std**-3, axis=0)
    dmu = np.sum(-dx_hat / std, axis=0) + dvar * np.mean(-2 * xc, axis=0)
    dx = dx_hat / std + dvar * 2 * xc / n + dmu / n
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def log_softmax_logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def conv_loops(x, kernel, bias=0.0, stride=1, padding=0):
    x = np.pad(x, padding)
    kh, kw = kernel.shape
    H = (x.shape[0] - kh) // stride + 1
    W = (x.shape[1] - kw) // stride + 1
    out = np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            for a in range(kh):
                for b in range(kw):
                    out[i, j] += x[i * stride + a, j * stride + b] * kernel[a, b]
    return out + bias


def conv_strided_view(x, kernel, bias=0.0, stride=1, padding=0):
    x = np.pad(x, padding)
    windows = np.lib.stride_tricks.sliding_window_view(x, kernel.shape)[::stride, ::stride]
    return np.einsum("ijab,ab->ij", windows, kernel) + bias


def numgrad_flat(f, x, h=1e-5):
    x = x.astype(float)
    grad = np.zeros(x.size)
    flat = x.reshape(-1)  # a view: changing flat changes x
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + h
        up = f(x)
        flat[i] = old - h
        down = f(x)
        flat[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad.reshape(x.shape)


def numgrad_plus_minus(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        x[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad


def init_uniform(fan_in, fan_out, scheme, rng):
    var = 2 / fan_in if scheme == "he" else 2 / (fan_in + fan_out)
    limit = math.sqrt(3 * var)
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def init_standard_normal(fan_in, fan_out, scheme, rng):
    std = math.sqrt(2 / fan_in) if scheme == "he" else math.sqrt(2 / (fan_in + fan_out))
    return rng.standard_normal((fan_out, fan_in)) * std


def engine(**bugs):
    """A learner's Value written the usual way (closures, a recursive topological sort), with known bugs on demand.

    bugs: overwrite (= instead of +=), mul_self (each factor gets its own value), tanh_of_input
    (1 - x**2), recursive (push gradients without a topological order), no_seed (out.grad never set).
    """
    def add_to(v, amount):
        v.grad = amount if bugs.get("overwrite") else v.grad + amount

    class Value:
        def __init__(self, data, _children=()):
            self.data, self.grad = data, 0.0
            self._prev, self._backward = set(_children), lambda: None

        def __add__(self, other):
            out = Value(self.data + other.data, (self, other))

            def _backward():
                add_to(self, out.grad)
                add_to(other, out.grad)
            out._backward = _backward
            return out

        def __mul__(self, other):
            out = Value(self.data * other.data, (self, other))
            mine, theirs = (self.data, other.data) if bugs.get("mul_self") else (other.data, self.data)

            def _backward():
                add_to(self, mine * out.grad)
                add_to(other, theirs * out.grad)
            out._backward = _backward
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,))
            slope = 1 - self.data**2 if bugs.get("tanh_of_input") else 1 - t**2

            def _backward():
                add_to(self, slope * out.grad)
            out._backward = _backward
            return out

        def relu(self):
            out = Value(self.data if self.data > 0 else 0.0, (self,))

            def _backward():
                add_to(self, (out.data > 0) * out.grad)
            out._backward = _backward
            return out

        def backward(self):
            if not bugs.get("no_seed"):
                self.grad = 1.0
            if bugs.get("recursive"):
                self._push()
                return
            topo, seen = [], set()

            def build(v):
                if v not in seen:
                    seen.add(v)
                    for child in v._prev:
                        build(child)
                    topo.append(v)
            build(self)
            for v in reversed(topo):
                v._backward()

        def _push(self):
            self._backward()
            for child in self._prev:
                child._push()
    return Value


CORRECT = {
    "dense_backward": [R.dense_backward,
                       lambda dout, x, W: (dout @ W, (x.T @ dout).T, dout.sum(0)),
                       lambda dout, x, W: (np.einsum("no,oi->ni", dout, W), np.einsum("no,ni->oi", dout, x),
                                           np.ones(len(dout)) @ dout)],
    "batchnorm_backward": [R.batchnorm_backward, bn_backward_steps],
    "dropout_backward": [lambda dout, mask, p: dout * mask / p, lambda dout, mask, p: np.where(mask, dout / p, 0.0)],
    "momentum_step": [R.momentum_step,
                      lambda w, g, v, lr, beta=0.9: (lambda nv: (w - lr * nv, nv))(beta * v + g)],
    "rmsprop_step": [R.rmsprop_step,
                     lambda w, g, s, lr=1e-3, beta=0.9, eps=1e-8: (
                         lambda ns: (w - lr * g / (np.sqrt(ns) + eps), ns))(beta * s + (1 - beta) * g * g)],
    "log_softmax": [R.log_softmax, log_softmax_logsumexp],
    "cross_entropy_from_logits": [R.cross_entropy_from_logits,
                                  lambda z, Y: -np.mean(np.sum(Y * log_softmax_logsumexp(z), axis=1)),
                                  lambda z, Y: float(-log_softmax_logsumexp(z)[np.arange(len(z)), Y.argmax(1)].mean())],
    "conv2d_forward": [R.conv2d_forward, conv_loops, conv_strided_view],
    "numerical_gradient": [R.numerical_gradient, numgrad_flat, numgrad_plus_minus],
    "init_weights": [R.init_weights, init_uniform, init_standard_normal],
    "autograd_value": [R.Value, engine()],
}


@pytest.mark.parametrize("name, index, fn", [(n, i, f) for n, fns in CORRECT.items() for i, f in enumerate(fns)])
def test_correct_variant_passes(name, index, fn):
    result = check(name, fn)
    assert result.passed, str(result)


def test_every_new_check_is_registered_and_has_variants_and_mistakes():
    assert set(NEW_CHECKS) <= set(CHECKS)
    assert set(CORRECT) == set(MISTAKES) == set(NEW_CHECKS)
    assert all(len(v) >= 2 for v in CORRECT.values()) and all(len(v) >= 3 for v in MISTAKES.values())


# --------------------------------------------------------------------------------------- mistakes


def _bn_dx_only_direct(dout, x, gamma, eps=1e-5):
    dx, dg, db = R.batchnorm_backward(dout, x, gamma, eps)
    return dout * gamma / np.sqrt(x.var(0) + eps), dg, db


def _bn_no_var_path(dout, x, gamma, eps=1e-5):
    _, dg, db = R.batchnorm_backward(dout, x, gamma, eps)
    dxh = dout * gamma
    return (dxh - dxh.mean(0)) / np.sqrt(x.var(0) + eps), dg, db


def _numgrad_forward(f, x, h=1e-5):
    x = x.copy()
    g = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        g[i] = (f(x) - base) / h
        x[i] -= h
    return g


def _numgrad_no_two(f, x, h=1e-5):
    return 2 * R.numerical_gradient(f, x, h)


def _numgrad_1d_only(f, x, h=1e-5):
    x = x.copy()
    g = np.zeros(len(x))
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def _numgrad_no_restore(f, x, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        g[i] = (up - f(x)) / (2 * h)
    return g


def _numgrad_fixed_h(f, x, h=1e-5):
    return R.numerical_gradient(f, x)


def _init_fan_out(fan_in, fan_out, scheme, rng):
    n = fan_out if scheme == "he" else fan_in + fan_out
    return rng.normal(0, math.sqrt(2 / n), (fan_out, fan_in))


def _init_variance_as_std(fan_in, fan_out, scheme, rng):
    return rng.normal(0, R.init_variance(fan_in, fan_out, scheme), (fan_out, fan_in))


def _init_global_rng(fan_in, fan_out, scheme, rng):
    return np.random.normal(0, math.sqrt(R.init_variance(fan_in, fan_out, scheme)), (fan_out, fan_in))


def _init_uniform_limit(fan_in, fan_out, scheme, rng):
    a = math.sqrt(R.init_variance(fan_in, fan_out, scheme))
    return rng.uniform(-a, a, (fan_out, fan_in))


def _init_xavier_fan_in(fan_in, fan_out, scheme, rng):
    var = 2 / fan_in if scheme == "he" else 1 / fan_in
    return rng.normal(0, math.sqrt(var), (fan_out, fan_in))


def _conv_flipped(x, kernel, bias=0.0, stride=1, padding=0):
    return R.conv2d_forward(x, np.flip(kernel), bias, stride, padding)


def _conv_no_padding(x, kernel, bias=0.0, stride=1, padding=0):
    return R.conv2d_forward(x, kernel, bias, stride, 0)


def _conv_no_stride(x, kernel, bias=0.0, stride=1, padding=0):
    return R.conv2d_forward(x, kernel, bias, 1, padding)


MISTAKES = {
    "dense_backward": [
        (lambda dout, x, W: (dout @ W.T, dout.T @ x, dout.sum(0)), "dx = dout @ W"),
        (lambda dout, x, W: (dout @ W, x.T @ dout, dout.sum(0)), "transposed"),
        (lambda dout, x, W: (dout @ W, dout.T @ x / len(x), dout.sum(0)), "without dividing by n again"),
        (lambda dout, x, W: (dout @ W, dout.T @ x, dout.mean(0)), "not the mean"),
        (lambda dout, x, W: (dout @ W, dout.T @ x, dout.sum()), "one entry per output unit"),
        (lambda dout, x, W: (dout.T @ x, dout @ W, dout.sum(0)), "in this order"),
    ],
    "batchnorm_backward": [
        (_bn_dx_only_direct, "depend on every x"),
        (_bn_no_var_path, "path through the variance"),
        (lambda dout, x, g, eps=1e-5: R.batchnorm_backward(dout, x, np.ones_like(g), eps)[:1]
         + R.batchnorm_backward(dout, x, g, eps)[1:], "dx_hat = dout * gamma"),
        (lambda dout, x, g, eps=1e-5: (lambda dx, dg, db: (dx, db, dg))(*R.batchnorm_backward(dout, x, g, eps)),
         "not the other way round"),
    ],
    "dropout_backward": [
        (lambda dout, mask, p: dout * mask, "divides by keep_prob too"),
        (lambda dout, mask, p: dout * mask * p, "don't multiply"),
        (lambda dout, mask, p: mask / p, "upstream gradient dout"),
        (lambda dout, mask, p: dout * (1 - mask) / p, "1 = keep"),
    ],
    "momentum_step": [
        (lambda w, g, v, lr, beta=0.9: (w - lr * v, beta * v + g), "Update the velocity first"),
        (lambda w, g, v, lr, beta=0.9: (lambda nv: (w - lr * nv, nv))(beta * v + (1 - beta) * g), "no factor 1 - beta"),
        (lambda w, g, v, lr, beta=0.9: (lambda nv: (w + nv, nv))(beta * v - lr * g), "learning rate out of"),
        (lambda w, g, v, lr, beta=0.9: R.momentum_step(w, g, v, lr), "beta argument"),
        (lambda w, g, v, lr, beta=0.9: R.momentum_step(w, g, v, lr, beta)[::-1], "in this order"),
    ],
    "rmsprop_step": [
        (lambda w, g, s, lr=1e-3, beta=0.9, eps=1e-8: (lambda ns: (w - lr * g / np.sqrt(ns + eps), ns))(
            beta * s + (1 - beta) * g**2), "eps outside the square root"),
        (lambda w, g, s, lr=1e-3, beta=0.9, eps=1e-8: (lambda ns: (w - lr * g / (np.sqrt(s) + eps), ns))(
            beta * s + (1 - beta) * g**2), "Update s first"),
        (lambda w, g, s, lr=1e-3, beta=0.9, eps=1e-8: (lambda ns: (w - lr * g / (ns + eps), ns))(
            beta * s + (1 - beta) * g**2), "not by s itself"),
        (lambda w, g, s, lr=1e-3, beta=0.9, eps=1e-8: (lambda ns: (w - lr * g / (np.sqrt(ns) + eps), ns))(
            beta * s + g**2), "weight 1 - beta"),
    ],
    "log_softmax": [
        (lambda z: np.log(R.softmax(z)), "-inf where a probability underflows"),
        (lambda z: z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True)), "overflows"),
        (lambda z: z - z.max(axis=-1, keepdims=True), "only half of it"),
        (R.softmax, "not the probabilities"),
    ],
    "cross_entropy_from_logits": [
        (lambda z, Y: R.cross_entropy(R.softmax(z), Y), "never take the log of a probability"),
        (lambda z, Y: -np.sum(Y * R.log_softmax(z)), "divide the total by n"),
        (lambda z, Y: -np.mean(np.sum(Y * z, axis=-1)), "log-sum-exp term"),
        (lambda z, Y: np.mean(np.sum(Y * R.log_softmax(z), axis=-1)), "check the sign"),
        (lambda z, Y: -np.sum(Y * R.log_softmax(z), axis=-1), "Return one number"),
    ],
    "conv2d_forward": [
        (_conv_flipped, "without flipping it"),
        (_conv_no_stride, "`stride` positions at a time"),
        (_conv_no_padding, "Pad the input"),
        (lambda x, k, bias=0.0, stride=1, padding=0: R.conv2d_forward(x, k, 0.0, stride, padding), "Add the bias"),
    ],
    "numerical_gradient": [
        (_numgrad_forward, "Use central differences"),
        (_numgrad_no_two, "divide f(x + h) - f(x - h) by 2 * h"),
        (_numgrad_1d_only, "any shape"),
        (_numgrad_no_restore, "Put every entry back"),
        (_numgrad_fixed_h, "Use the step h you are given"),
    ],
    "init_weights": [
        (_init_fan_out, "divides by fan_in"),
        (_init_variance_as_std, "standard deviation, its square root"),
        (_init_global_rng, "Draw from the generator you are given"),
        (_init_uniform_limit, "a = sqrt(3 v)"),
        (_init_xavier_fan_in, "averages both fans"),
        (lambda i, o, s, rng: rng.normal(0, math.sqrt(R.init_variance(i, o, s)), (i, o)), "shape (fan_out, fan_in)"),
        (lambda i, o, s, rng: rng.random((o, i)) * math.sqrt(R.init_variance(i, o, s)), "rng.random()"),
        (lambda i, o, s, rng: np.full((o, i), 0.01), None),
    ],
    "autograd_value": [
        (engine(overwrite=True), "add to .grad (+=)"),
        (engine(recursive=True), "reverse topological order"),
        (engine(tanh_of_input=True), "1 - tanh(x)**2"),
        (engine(mul_self=True), "the other one's value"),
        (engine(no_seed=True), "setting the output's own gradient to 1"),
    ],
}


@pytest.mark.parametrize("name, fn, hint", [(n, f, h) for n, items in MISTAKES.items() for f, h in items],
                         ids=[f"{n}-{i}" for n, items in MISTAKES.items() for i in range(len(items))])
def test_mistake_fails_with_hint(name, fn, hint):
    result = check(name, fn)
    text = str(result)
    assert not result.passed and text.startswith("❌")
    assert "Failing case" in text
    if hint is not None:
        assert result.hint is not None and hint in result.hint, text


# ------------------------------------------------------------------ odd returns, NaN, wrong types


@pytest.mark.parametrize("name", NEW_CHECKS)
def test_a_stub_fails_politely(name):
    def stub(*args, **kwargs):
        raise NotImplementedError
    result = check(name, stub)
    assert not result.passed and "❌" in str(result)
    assert "The grader itself failed" not in str(result)


@pytest.mark.parametrize("name", ARRAY_CHECKS)
@pytest.mark.parametrize("value", [None, "text", float("nan"), [[1, 2], [3]]])
def test_odd_return_values_fail_without_crashing(name, value):
    result = check(name, lambda *args, **kwargs: value)
    assert not result.passed and "The grader itself failed" not in str(result)


def test_nan_gradients_and_wrong_types_in_numerical_gradient():
    for fn in (lambda f, x, h=1e-5: np.full_like(x, np.nan), lambda f, x, h=1e-5: "grad",
               lambda f, x, h=1e-5: None, lambda f, x, h=1e-5: 0.0):
        result = check("numerical_gradient", fn)
        assert not result.passed and "The grader itself failed" not in str(result)


def test_nan_and_wrong_types_in_init_weights():
    for fn in (lambda i, o, s, rng: np.full((o, i), np.nan), lambda i, o, s, rng: "W", lambda i, o, s, rng: None):
        result = check("init_weights", fn)
        assert not result.passed and "The grader itself failed" not in str(result)


def test_value_without_operators_gets_the_interface_hint():
    class Bare:
        def __init__(self, data):
            self.data, self.grad = data, 0.0
    result = check("autograd_value", Bare)
    assert not result.passed and "each + and * must return a new Value" in result.hint
    result = check("autograd_value", lambda data: None)
    assert not result.passed and "self.grad = 0.0" in result.hint


def test_value_feedback_shows_the_graph_and_the_numerical_gradient():
    text = str(check("autograd_value", engine(overwrite=True)))
    assert "a = Value(1.5)" in text and "b = a * a" in text and "b.backward()" in text
    assert "a.grad is 1.5, but db/da = 3.0 (central differences agree: 3.0)" in text


def test_dense_backward_gradient_check_names_the_part_that_is_off():
    text = str(check("dense_backward", lambda dout, x, W: (dout @ W, dout.T @ x, 2 * dout.sum(0))))
    assert "Gradient check" in text and "central differences of dense_forward" in text


def test_dropout_backward_gradient_check_uses_the_forward():
    text = str(check("dropout_backward", lambda dout, mask, p: -dout * mask / p))
    assert "central differences of dropout_forward" in text


def test_tape_gradients_match_central_differences_on_every_graph():
    for graph in _hand_graphs() + _random_graphs():
        grads = tape_gradients(graph.tape)
        for k, op in enumerate(graph.tape):
            if op[0] != "leaf":
                continue
            up, down = list(graph.tape), list(graph.tape)
            up[k], down[k] = ("leaf", op[1] + 1e-6), ("leaf", op[1] - 1e-6)
            numeric = (_forward(up)[-1] - _forward(down)[-1]) / 2e-6
            assert grads[k] == pytest.approx(numeric, rel=1e-5, abs=1e-7), graph.label


def test_random_graphs_reuse_values_and_each_mistake_changes_some_gradient():
    graphs = _hand_graphs() + _random_graphs()
    reused = [g for g in graphs if any(sum(k in op[1:] for op in g.tape if op[0] != "leaf") > 1
                                       for k in range(len(g.tape)))]
    assert len(reused) >= 6
    for options in ({"overwrite": True}, {"order": "recursive"}, {"tanh_of_input": True}, {"mul_self": True}):
        assert any(tape_gradients(g.tape, **options) != tape_gradients(g.tape) for g in graphs), options


def test_case_counts():
    from workbook.grading.registry import SPECS
    counts = {name: len(SPECS[name].cases()) for name in ARRAY_CHECKS}
    assert all(n >= 7 for n in counts.values()), counts
