"""Every array check: correct learner variants pass, typical mistakes fail with the expected hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbook.grading import CHECKS, check

# ------------------------------------------------------------------------------ learner helpers


def _sig(z):
    return 0.5 * (1.0 + np.tanh(z / 2.0))


def _stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _naive_softmax(z):
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


# -------------------------------------------------------------------------------- correct code


def relu_copy(z):
    out = z.copy()
    out[out < 0] = 0
    return out


def relu_backward_copy(dz, z):
    g = dz.copy()
    g[z <= 0] = 0
    return g


def sigmoid_stable(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def softmax_rows(z):
    z2 = np.atleast_2d(z)
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).reshape(np.shape(z))


def softmax_logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))


def one_hot_loop(y, n_classes):
    out = np.zeros((len(y), n_classes))
    for i, label in enumerate(y):
        out[i, label] = 1.0
    return out


def one_hot_index(y, n_classes):
    Y = np.zeros((y.shape[0], n_classes))
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def adam_plain(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_inplace_on_copies(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m.copy()
    m *= beta1
    m += (1 - beta1) * grad
    v = v.copy()
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    step = lr * np.divide(m / (1 - beta1**t), np.sqrt(v / (1 - beta2**t)) + eps)
    return (w - step, m, v)


def clip_concat(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    if norm <= max_norm:
        return [g.copy() for g in grads]
    return [g * (max_norm / norm) for g in grads]


def clip_min(grads, max_norm):
    norm = math.sqrt(sum(np.sum(g * g) for g in grads))
    scale = min(1.0, max_norm / (norm + 1e-12))
    return [scale * g for g in grads]


def batchnorm_manual(x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    mu = x.sum(axis=0) / n
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * ((x - mu) / np.sqrt(var + eps)) + beta


def batchnorm_keepdims(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0, keepdims=True)
    std = np.sqrt(x.var(axis=0, keepdims=True) + eps)
    return (x - mu) / std * gamma + beta


def layernorm_transpose(x, gamma, beta, eps=1e-5):
    xt = x.T
    xhat = ((xt - xt.mean(axis=0)) / np.sqrt(xt.var(axis=0) + eps)).T
    return xhat * gamma + beta


def layernorm_plain(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


CORRECT = {
    "relu": [lambda z: np.maximum(z, 0), lambda z: z * (z > 0), lambda z: np.where(z > 0, z, 0.0),
             lambda z: np.clip(z, 0, None), relu_copy],
    "relu_backward": [lambda dz, z: np.where(z > 0, dz, 0), lambda dz, z: dz * (z > 0), relu_backward_copy,
                      lambda dz, z: dz * np.heaviside(z, 0.0)],
    "leaky_relu": [lambda z, alpha=0.01: np.where(z > 0, z, alpha * z),
                   lambda z, alpha=0.01: np.maximum(alpha * z, z),
                   lambda z, alpha=0.01: z * np.where(z > 0, 1.0, alpha),
                   lambda z, alpha=0.01: np.maximum(z, 0) + alpha * np.minimum(z, 0)],
    "leaky_relu_backward": [lambda dz, z, alpha=0.01: np.where(z > 0, dz, alpha * dz),
                            lambda dz, z, alpha=0.01: np.where(z >= 0, dz, alpha * dz),
                            lambda dz, z, alpha=0.01: dz * np.where(z > 0, 1.0, alpha)],
    "sigmoid": [sigmoid_stable, lambda z: 1 / (1 + np.exp(-z)), _sig,
                lambda z: np.exp(-np.logaddexp(0, -z))],
    "sigmoid_backward": [lambda dz, z: dz * _sig(z) * (1 - _sig(z)),
                         lambda dz, z: dz / (2 + 2 * np.cosh(z)),
                         lambda dz, z: (lambda s: dz * s * (1 - s))(1 / (1 + np.exp(-z)))],
    "tanh_backward": [lambda dz, z: dz * (1 - np.tanh(z) ** 2), lambda dz, z: dz / np.cosh(z) ** 2,
                      lambda dz, z: (lambda t: dz - dz * t * t)(np.tanh(z))],
    "gelu": [lambda z: z * 0.5 * (1 + np.tanh(0.7978845608028654 * (z + 0.044715 * z**3))),
             lambda z: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * np.power(z, 3)))),
             lambda z: z * _sig(2 * np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))],
    "softmax": [_stable_softmax, softmax_rows, softmax_logsumexp],
    "one_hot": [lambda y, k: np.eye(k)[y], one_hot_loop, one_hot_index,
                lambda y, k: (y[:, None] == np.arange(k)).astype(float)],
    "mse": [lambda a, b: np.mean((a - b) ** 2), lambda a, b: ((a - b) ** 2).sum() / a.size,
            lambda a, b: float(np.square(np.subtract(a, b)).mean())],
    "cross_entropy": [lambda p, Y: -np.mean(np.sum(Y * np.log(p), axis=1)),
                      lambda p, Y: -np.sum(Y * np.log(p)) / p.shape[0],
                      lambda p, Y: float(-np.log(p[np.arange(len(p)), Y.argmax(axis=1)]).mean())],
    "softmax_cross_entropy_backward": [lambda z, Y: (_stable_softmax(z) - Y) / z.shape[0],
                                       lambda z, Y: (softmax_logsumexp(z) - Y) / len(z)],
    "l2_penalty": [lambda w, lam: lam / 2 * np.sum(w**2),
                   lambda w, lam: 0.5 * lam * np.dot(w.ravel(), w.ravel()),
                   lambda w, lam: lam * np.linalg.norm(w) ** 2 / 2],
    "sgd_step": [lambda w, g, lr: w - lr * g, lambda w, g, lr: np.subtract(w, lr * g),
                 lambda w, g, lr: w + (-lr) * g],
    "adam_step": [adam_plain, adam_inplace_on_copies],
    "clip_by_global_norm": [clip_concat, clip_min],
    "dense_forward": [lambda x, W, b: x @ W.T + b, lambda x, W, b: np.dot(x, W.T) + b,
                      lambda x, W, b: np.einsum("...i,oi->...o", x, W) + b,
                      lambda x, W, b: (W @ x.T).T + b],
    "batchnorm_forward": [batchnorm_manual, batchnorm_keepdims],
    "layernorm_forward": [layernorm_transpose, layernorm_plain],
    "dropout_forward": [lambda x, mask, p: x * mask / p, lambda x, mask, p: np.where(mask, x / p, 0.0),
                        lambda x, mask, p: x * np.asarray(mask, dtype=float) * (1 / p)],
}


@pytest.mark.parametrize("name, index, fn", [(n, i, f) for n, fns in CORRECT.items() for i, f in enumerate(fns)])
def test_correct_variant_passes(name, index, fn):
    result = check(name, fn)
    assert result.passed, str(result)
    assert str(result).startswith("✅")


def test_every_array_check_has_variants_and_mistakes():
    from test_grading_new_checks import NEW_CHECKS  # issue 10's checks are tested in that file

    array_checks = {n for n in CHECKS if n not in ("xor_mlp", "softmax_classifier") and n not in NEW_CHECKS}
    assert set(CORRECT) == array_checks
    assert set(MISTAKES) == array_checks
    assert all(len(v) >= 2 for v in CORRECT.values())
    assert all(len(v) >= 2 for v in MISTAKES.values())


# ------------------------------------------------------------------------------------- mistakes


def relu_inplace(z):
    z[z < 0] = 0
    return z


def sgd_inplace(w, grad, lr):
    w -= lr * grad
    return w


def adam_inplace(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_variant(correct=True, eps_inside=False, t_shift=0, square=True, old=False, hats=False, order="wmv"):
    def adam(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m2 = beta1 * m + (1 - beta1) * grad
        v2 = beta2 * v + (1 - beta2) * (grad**2 if square else grad)
        mm, vv = (m, v) if old else (m2, v2)
        tt = t + t_shift
        mh = mm / (1 - beta1**tt) if correct else mm
        vh = vv / (1 - beta2**tt) if correct else vv
        w2 = w - lr * mh / (np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps)
        if hats:
            m2, v2 = m2 / (1 - beta1**t), v2 / (1 - beta2**t)
        out = {"w": w2, "m": m2, "v": v2}
        return tuple(out[c] for c in order)
    return adam


def clip_each(grads, max_norm):
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * max_norm / n if n > max_norm else g)
    return out


def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * max_norm / norm for g in grads]


def clip_no_sqrt(grads, max_norm):
    norm = sum(np.sum(g**2) for g in grads)
    return [g * (max_norm / norm) if norm > max_norm else g for g in grads]


def clip_inplace(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return grads


def norm_variant(axis=0, ddof=0, eps_outside=False, affine=True, no_eps=False, keepdims=True):
    def norm(x, gamma, beta, eps=1e-5):
        mu = x.mean(axis=axis, keepdims=keepdims)
        var = x.var(axis=axis, ddof=ddof, keepdims=keepdims)
        if no_eps:
            xhat = (x - mu) / np.sqrt(var)
        elif eps_outside:
            xhat = (x - mu) / (np.sqrt(var) + eps)
        else:
            xhat = (x - mu) / np.sqrt(var + eps)
        return gamma * xhat + beta if affine else xhat
    return norm


def dropout_new_mask(x, mask, keep_prob):
    rng = np.random.default_rng(1)
    fresh = rng.uniform(size=x.shape) < keep_prob
    return x * fresh / keep_prob


def _erf_gelu(z):
    return 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


SIGN = "Check the sign"
DZ = "upstream gradient dz"

MISTAKES = {
    "relu": [
        (lambda z: z > 0, "not the mask"),
        (lambda z: (z > 0) * 1.0, "not the mask"),
        (lambda z: np.max(z, 0), "np.maximum(z, 0) compares elementwise"),
        (lambda z: np.minimum(z, 0), "keeps the negative part"),
        (lambda z: np.abs(z), "does not flip their sign"),
    ],
    "relu_backward": [
        (lambda dz, z: np.where(z >= 0, dz, 0), "use z > 0, not z >= 0"),
        (lambda dz, z: (z > 0).astype(float), DZ),
        (lambda dz, z: np.where(dz > 0, dz, 0), "depends on the input z"),
        (lambda dz, z: np.where(dz > 0, z, 0), "order (dz, z)"),
        (lambda dz, z: -np.where(z > 0, dz, 0), SIGN),
        (lambda dz, z: np.maximum(z, 0), "forward pass"),
    ],
    "leaky_relu": [
        (lambda z, alpha=0.01: np.maximum(z, 0), "not set to 0"),
        (lambda z, alpha=0.01: np.where(z > 0, z, alpha), "not alpha"),
        (lambda z, alpha=0.01: np.where(z > 0, z, 0.01 * z), "Use the alpha argument"),
        (lambda z, alpha=0.1: np.where(z > 0, z, alpha * z), "default value of alpha should be 0.01"),
        (lambda z, alpha=0.01: alpha * z, "keep positive inputs unchanged"),
    ],
    "leaky_relu_backward": [
        (lambda dz, z, alpha=0.01: np.where(z > 0, dz, 0), "not 0"),
        (lambda dz, z, alpha=0.01: np.where(z > 0, dz, alpha), "not alpha"),
        (lambda dz, z, alpha=0.01: np.where(z > 0, 1.0, alpha), DZ),
        (lambda dz, z, alpha=0.01: np.where(z > 0, dz, 0.01 * dz), "Use the alpha argument"),
        (lambda dz, z, alpha=0.01: -np.where(z > 0, dz, alpha * dz), SIGN),
    ],
    "sigmoid": [
        (lambda z: np.exp(z) / (1 + np.exp(z)), "exp overflows"),
        (lambda z: 1 / (1 + np.exp(z)), "sign in the exponent"),
        (np.tanh, "tanh"),
    ],
    "sigmoid_backward": [
        (lambda dz, z: _sig(z) * (1 - _sig(z)), DZ),
        (lambda dz, z: dz * z * (1 - z), "not sigmoid(z)"),
        (lambda dz, z: dz * _sig(z), "That is dz * sigmoid(z)"),
        (lambda dz, z: dz * (np.exp(z) / (1 + np.exp(z))) * (1 - np.exp(z) / (1 + np.exp(z))), "overflows"),
        (lambda dz, z: -dz * _sig(z) * (1 - _sig(z)), SIGN),
    ],
    "tanh_backward": [
        (lambda dz, z: dz * (1 - z**2), "not tanh(z)"),
        (lambda dz, z: dz * (1 - np.tanh(z)), "Square the tanh"),
        (lambda dz, z: 1 - np.tanh(z) ** 2, DZ),
        (lambda dz, z: dz * (np.tanh(z) ** 2 - 1), SIGN),
    ],
    "gelu": [
        (_erf_gelu, "tanh approximation"),
        (lambda z: z * _sig(1.702 * z), "sigmoid approximation"),
        (lambda z: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * z)), "cubic term"),
        (lambda z: z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))), "factor 0.5"),
    ],
    "softmax": [
        (_naive_softmax, "Subtract the maximum of each row"),
        (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True), "each row's own maximum"),
        (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(), "Normalise each row separately"),
        (lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0), "not down the columns"),
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)) / np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1),
         "keepdims=True"),
        (lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(
            axis=1, keepdims=True), "axis=-1"),
    ],
    "one_hot": [
        (lambda y, k: np.eye(k)[y].T, "transposed"),
        (lambda y, k: np.eye(y.max() + 1)[y], "not y.max() + 1"),
        (lambda y, k: np.eye(k, dtype=int)[y], None),
    ],
    "mse": [
        (lambda a, b: np.sum((a - b) ** 2), "np.mean"),
        (lambda a, b: np.mean(a - b), "Square the errors"),
        (lambda a, b: np.mean(np.abs(a - b)), "mean absolute error"),
        (lambda a, b: 0.5 * np.mean((a - b) ** 2), "no factor 1/2"),
        (lambda a, b: np.sqrt(np.mean((a - b) ** 2)), "RMSE"),
        (lambda a, b: (a - b) ** 2, "Return one number"),
    ],
    "cross_entropy": [
        (lambda p, Y: -np.sum(Y * np.log(p)), "Average over the examples"),
        (lambda p, Y: -np.mean(Y * np.log(p)), "Average over rows only"),
        (lambda p, Y: np.mean(np.sum(Y * np.log(p), axis=1)), "minus sign"),
        (lambda p, Y: -np.mean(np.sum(Y * np.log10(p), axis=1)), "natural logarithm"),
        (lambda p, Y: -np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1)), "binary"),
        (lambda p, Y: -np.sum(Y * np.log(p), axis=1), "Return one number"),
    ],
    "softmax_cross_entropy_backward": [
        (lambda z, Y: _stable_softmax(z) - Y, "batch size n"),
        (lambda z, Y: (Y - _stable_softmax(z)) / len(z), "check the sign"),
        (lambda z, Y: (z - Y) / len(z), "Apply softmax"),
        (lambda z, Y: (_naive_softmax(z) - Y) / len(z), "stably"),
        (lambda z, Y: (_stable_softmax(z) - Y) / z.size, "not by the number of entries"),
    ],
    "l2_penalty": [
        (lambda w, lam: lam * np.sum(w**2), "factor 1/2"),
        (lambda w, lam: lam / 2 * np.mean(w**2), "don't average"),
        (lambda w, lam: lam / 2 * np.sum(np.abs(w)), "L1"),
        (lambda w, lam: lam / 2 * np.linalg.norm(w), "not the norm"),
    ],
    "sgd_step": [
        (lambda w, g, lr: w + lr * g, "Step against the gradient"),
        (lambda w, g, lr: w - g, "learning rate"),
        (sgd_inplace, "return w - lr * grad"),
    ],
    "adam_step": [
        (adam_variant(correct=False), "Correct the bias"),
        (adam_variant(eps_inside=True), "eps outside the square root"),
        (adam_variant(t_shift=1), "counts steps from 1"),
        (adam_variant(t_shift=-1), "counts steps from 1"),
        (adam_variant(square=False), "squared gradient"),
        (adam_variant(old=True), "Update m and v first"),
        (adam_variant(hats=True), "not the bias-corrected"),
        (adam_variant(order="wvm"), "in this order"),
        (adam_inplace, "m *= beta1"),
    ],
    "clip_by_global_norm": [
        (clip_each, "joint norm"),
        (clip_always, "Only scale when"),
        (clip_no_sqrt, "square root of the sum"),
        (clip_inplace, "new list"),
    ],
    "dense_forward": [
        (lambda x, W, b: x @ W + b, "x @ W.T"),
        (lambda x, W, b: x @ W.T, "Add the bias b"),
        (lambda x, W, b: W @ x.T + b[:, None] if x.ndim == 2 else W @ x + b, "transpose"),
    ],
    "batchnorm_forward": [
        (norm_variant(axis=1), "along axis=0"),
        (norm_variant(ddof=1), "biased variance"),
        (norm_variant(eps_outside=True), "eps inside the square root"),
        (norm_variant(affine=False), "Scale by gamma"),
        (norm_variant(no_eps=True), "does not divide by zero"),
    ],
    "layernorm_forward": [
        (norm_variant(axis=0, keepdims=False), "each row"),
        (norm_variant(axis=-1, ddof=1), "biased variance"),
        (norm_variant(axis=-1, eps_outside=True), "eps inside the square root"),
        (norm_variant(axis=-1, keepdims=False), "keepdims=True"),
        (norm_variant(axis=-1, no_eps=True), "does not divide by zero"),
    ],
    "dropout_forward": [
        (lambda x, mask, p: x * mask, "divides by keep_prob"),
        (lambda x, mask, p: x * mask * p, "don't multiply"),
        (lambda x, mask, p: x * mask / (1 - p), "not by 1 - keep_prob"),
        (dropout_new_mask, "Use the mask you are given"),
        (lambda x, mask, p: x * (1 - mask) / p, "1 = keep"),
    ],
}


@pytest.mark.parametrize("name, fn, hint", [(n, f, h) for n, items in MISTAKES.items() for f, h in items],
                         ids=[f"{n}-{i}" for n, items in MISTAKES.items() for i in range(len(items))])
def test_mistake_fails_with_hint(name, fn, hint):
    result = check(name, fn)
    assert not result.passed
    text = str(result)
    assert text.startswith("❌")
    assert "Failing case" in text
    if hint is not None:
        assert result.hint is not None and hint in result.hint, text


# --------------------------------------------------------------------------- feedback content


def test_relu_boundary_feedback_names_index_values_and_kink():
    result = check("relu_backward", lambda dz, z: np.where(z >= 0, dz, 0.0))
    text = str(result)
    assert "dz = array([ 1. , -2. ,  3. ,  0.5])" in text
    assert "z  = array([0., 0., 0., 0.])" in text
    assert "at 4 of 4 positions; the first is index (0,): expected 0.0, got 1.0." in text
    assert "Mismatched elements: 4 / 4 (100%)" in text          # numpy.testing's report
    assert "(yours)" in text and "(expected)" in text
    assert "Away from z = 0 your gradient agrees with central differences" in text
    assert "Hint: At z = 0 the gradient is 0 by convention: use z > 0, not z >= 0." in text


def test_backward_sign_feedback_uses_the_numerical_gradient():
    result = check("sigmoid_backward", lambda dz, z: -dz * _sig(z) * (1 - _sig(z)))
    text = str(result)
    assert "your gradient differs from the numerical gradient (central differences of sigmoid) at index (0,): " \
           "numerical 0.25, yours -0.25" in text


def test_softmax_cross_entropy_gradient_check_in_feedback():
    result = check("softmax_cross_entropy_backward", lambda z, Y: _stable_softmax(z) - Y)
    block = next(b for b in result.blocks if b.title == "Gradient check")
    assert "differs from the numerical gradient (central differences of the mean cross-entropy" in block.text


def test_softmax_overflow_feedback():
    result = check("softmax", _naive_softmax)
    text = str(result)
    assert "logits near 1000" in text
    assert "contains nan at index (0,), where the expected value is 0.0900306." in text
    assert "nan location mismatch" in text
    assert "RuntimeWarning: overflow encountered in exp" in text     # a note, not the reason for failing


def test_one_hot_transposed_shape_sentence():
    result = check("one_hot", lambda y, k: np.eye(k)[y].T)
    assert "has shape (5, 4), but the expected shape is (4, 5). It is the transpose" in str(result)


def test_one_hot_integer_dtype_sentence():
    result = check("one_hot", lambda y, k: np.eye(k, dtype=int)[y])
    assert "has dtype int64 (integer), but a float array is expected. Its values are right" in str(result)
    assert result.hint is None      # the values are right: no mistake to name


def test_adam_feedback_names_the_element_and_case():
    result = check("adam_step", adam_variant(correct=False))
    text = str(result)
    assert "first step (t = 1) from m = v = 0" in text
    assert "The `w` you returned (first element) differs from the expected one" in text
    assert "t    = 1" in text


def test_adam_eps_case_is_the_tiny_gradient_one():
    text = str(check("adam_step", adam_variant(eps_inside=True)))
    assert "tiny gradients, where eps matters" in text


def test_scalar_feedback_gives_both_numbers():
    result = check("mse", lambda a, b: np.sum((a - b) ** 2))
    assert "Your result is 1.25, but the expected value is 0.416667" in str(result)


def test_leaky_backward_either_value_accepted_at_zero_but_not_elsewhere():
    assert check("leaky_relu_backward", lambda dz, z, alpha=0.01: np.where(z >= 0, dz, alpha * dz)).passed
    wrong = check("leaky_relu_backward", lambda dz, z, alpha=0.01: np.where(z >= 0, dz, 0.5 * dz))
    assert not wrong.passed


def test_dense_forward_shape_error_hint():
    result = check("dense_forward", lambda x, W, b: x @ W + b)
    text = str(result)
    assert "Your function raised ValueError: matmul" in text
    assert "x @ W.T" in result.hint


def test_case_counts_in_summary():
    result = check("relu", lambda z: np.maximum(z, 0))
    assert result.summary == "passed all 10 cases (5 hand-picked, 5 random)."
    failing = check("relu", lambda z: np.abs(z))
    assert "of 10 cases failed" in failing.summary
