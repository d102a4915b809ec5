"""Activation functions and their backward passes: ReLU, leaky ReLU, sigmoid, tanh, GELU, softmax, log-softmax."""

from __future__ import annotations

import math

from ..lazy import R, np
from ..spec import ArraySpec, Case, Gradient, Mistake
from .common import F, RANDOM_SHAPES, finite, no_dz, overflow, rng_for, sign_flipped


def _unary_cases(name: str, scale: float = 2.0) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("all zeros", (np.zeros(4),), frozenset({"boundary"})),
        Case("boundary: exact zeros between negative and positive values",
             (F([-2.0, -0.5, 0.0, 0.5, 2.0]),), frozenset({"boundary"})),
        Case("negative values only", (F([-3.0, -1.0, -0.25]),)),
        Case("large magnitudes", (F([-1000.0, -50.0, 50.0, 1000.0]),), frozenset({"large"})),
        Case("2-D input of shape (2, 3)", (F([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]]),), frozenset({"boundary"})),
    ]
    for shape in RANDOM_SHAPES:
        cases.append(Case(f"random input of shape {shape}", (rng.normal(0.0, scale, shape),),
                          frozenset({"random"})))
    return cases


def _backward_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("z all zeros", (F([1.0, -2.0, 3.0, 0.5]), np.zeros(4)), frozenset({"boundary"})),
        Case("boundary: z has exact zeros between negative and positive values",
             (F([1.5, -2.0, 0.7, 3.0, -1.0]), F([-2.0, -0.5, 0.0, 0.5, 2.0])), frozenset({"boundary"})),
        Case("negative z only", (F([0.5, -1.5, 2.0]), F([-3.0, -1.0, -0.25]))),
        Case("large magnitudes of z", (F([1.0, 2.0, -1.0, 0.5]), F([-1000.0, -50.0, 50.0, 1000.0])),
             frozenset({"large"})),
        Case("2-D input of shape (2, 3)", (F([[0.5, -1.0, 2.0], [1.5, 2.0, -0.5]]),
                                           F([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])), frozenset({"boundary"})),
    ]
    for shape in RANDOM_SHAPES:
        cases.append(Case(f"random dz and z of shape {shape}",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 2.0, shape)), frozenset({"random"})))
    return cases


def _leaky_cases(name: str) -> list[Case]:
    base = _unary_cases(name)
    rng = rng_for(name + "/alpha")
    cases = list(base)
    cases.insert(2, Case("alpha = 0.2", (F([-2.0, -0.5, 0.0, 0.5, 2.0]), 0.2), frozenset({"alpha"})))
    cases.append(Case("random 2-D input with alpha = 0.1", (rng.normal(0.0, 2.0, (3, 4)), 0.1),
                      frozenset({"alpha", "random"})))
    return cases


def _leaky_backward_cases(name: str) -> list[Case]:
    cases = _backward_cases(name)
    rng = rng_for(name + "/alpha")
    cases.insert(2, Case("alpha = 0.2", (F([1.5, -2.0, 0.7, 3.0, -1.0]), F([-2.0, -0.5, 1.0, 0.5, 2.0]), 0.2),
                         frozenset({"alpha"})))
    cases.append(Case("random 2-D input with alpha = 0.1",
                      (rng.normal(0.0, 1.0, (3, 4)), rng.normal(0.0, 2.0, (3, 4)), 0.1),
                      frozenset({"alpha", "random"})))
    return cases


def _kink_at_zero(args):
    return np.abs(args[1]) < 1e-7


def _elementwise_loss(forward):
    """sum(dz * forward(x, ...)), the loss a backward function differentiates; forward names a reference."""
    return lambda args, x: float(np.sum(args[0] * getattr(R, forward)(x, *args[2:])))


def _tanh_loss(args, x):
    return float(np.sum(args[0] * np.tanh(x)))


def _accept_leaky_boundary(args, expected, plain):
    """At exactly z = 0 either alpha * dz (the reference) or dz is accepted."""
    if plain is None or isinstance(plain, tuple) or np.shape(plain) != expected.shape:
        return expected
    dz, z = args[0], args[1]
    use_dz = (z == 0) & np.isclose(plain, dz, rtol=1e-5, atol=1e-8)
    return np.where(use_dz, dz, expected)


def _implied_default_alpha(case, plain):
    z = case.args[0]
    if len(case.args) > 1 or plain is None or np.shape(plain) != z.shape:
        return False
    neg = z < 0
    if not neg.any():
        return False
    ratios = np.asarray(plain)[neg] / z[neg]
    return bool(np.allclose(ratios, ratios.flat[0])) and not np.isclose(ratios.flat[0], 0.01)


def _erf(z):
    return np.vectorize(math.erf, otypes=[float])(z)


def _softmax_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("1-D logits", (F([1.0, 2.0, 3.0]),)),
        Case("all zeros (uniform output)", (np.zeros((2, 4)),)),
        Case("2-D logits of shape (2, 3)", (F([[1.0, 2.0, 3.0], [1.0, -1.0, 0.0]]),)),
        Case("square logits of shape (3, 3)", (F([[2.0, 1.0, 0.1], [0.0, 0.5, -1.0], [3.0, 3.0, 1.0]]),)),
        Case("logits near 1000", (F([1000.0, 1001.0, 1002.0]),), frozenset({"large"})),
        Case("logits near -1000", (F([-1000.0, -1001.0, -1002.0]),), frozenset({"large"})),
        Case("rows on very different scales", (F([[1000.0, 999.0, 1001.0], [0.0, 1.0, 2.0]]),),
             frozenset({"large", "mixed"})),
        Case("single row of shape (1, 4)", (F([[0.5, -0.5, 2.0, 0.0]]),)),
        Case("single column of shape (3, 1)", (F([[1.0], [-2.0], [5.0]]),)),
    ]
    for shape in [(5,), (3, 5), (4, 2), (2, 6)]:
        cases.append(Case(f"random logits of shape {shape}", (rng.normal(0.0, 3.0, shape),),
                          frozenset({"random"})))
    return cases


def softmax_axis0(z):
    if z.ndim < 2:
        return None
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_global(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _softmax_no_keepdims(z):
    if z.ndim < 2 or z.shape[0] != z.shape[1]:
        return None
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


TANH_HINT_Z = ("The second argument is the input z, not tanh(z): the derivative is 1 - np.tanh(z)**2.")

_SIGMOID_OVERFLOW = ("For large |z|, exp overflows to inf and inf / inf is nan: compute 1 / (1 + exp(-z)) for "
                     "z >= 0 and exp(z) / (1 + exp(z)) for z < 0 (e.g. with np.where on exp(-|z|)).")


SPECS = [
    ArraySpec(
        "relu", lambda: _unary_cases("relu"),
        summary="elementwise max(0, z).",
        mistakes=[
            Mistake("Return the values max(0, z), not the mask z > 0.", fn=lambda z: (z > 0).astype(float)),
            Mistake("np.max reduces an array to its largest value(s); np.maximum(z, 0) compares elementwise.",
                    fn=lambda z: np.max(z, axis=0)),
            Mistake("np.max reduces an array to its largest value(s); np.maximum(z, 0) compares elementwise.",
                    fn=lambda z: np.max(z)),
            Mistake("That keeps the negative part: ReLU keeps the positive part, max(0, z).",
                    fn=lambda z: np.minimum(z, 0.0)),
            Mistake("ReLU sets negative inputs to 0; it does not flip their sign.", fn=lambda z: np.abs(z)),
        ]),
    ArraySpec(
        "relu_backward", lambda: _backward_cases("relu_backward"),
        summary="dz where z > 0, else 0 (0 at z = 0).",
        mistakes=[
            Mistake("At z = 0 the gradient is 0 by convention: use z > 0, not z >= 0.",
                    fn=lambda dz, z: np.where(z >= 0, dz, 0.0)),
            no_dz(lambda z: (z > 0).astype(float)),
            Mistake("The gate depends on the input z, not on the upstream gradient: use np.where(z > 0, dz, 0).",
                    fn=lambda dz, z: np.where(dz > 0, dz, 0.0)),
            Mistake("The arguments come in the order (dz, z): the upstream gradient first, then the input.",
                    fn=lambda dz, z: np.where(dz > 0, z, 0.0)),
            Mistake("You return relu(z), the forward pass; the backward pass returns dz where z > 0, else 0.",
                    fn=lambda dz, z: np.maximum(z, 0.0)),
            sign_flipped("relu_backward"),
        ],
        gradient=Gradient(_elementwise_loss("relu"), 1, "relu", _kink_at_zero,
                          "Away from z = 0 your gradient agrees with central differences of relu, so only the "
                          "value at z = 0 is off: relu has a kink there, and its gradient is taken as 0.")),
    ArraySpec(
        "leaky_relu", lambda: _leaky_cases("leaky_relu"),
        summary="z if z > 0 else alpha * z.",
        mistakes=[
            Mistake("Negative inputs are scaled by alpha, not set to 0: return alpha * z where z <= 0.",
                    fn=lambda z, alpha=0.01: np.maximum(z, 0.0)),
            Mistake("For z < 0 return alpha * z, not alpha.", fn=lambda z, alpha=0.01: np.where(z > 0, z, alpha)),
            Mistake("Use the alpha argument instead of a fixed 0.01.",
                    test=lambda case, plain: "alpha" in case.tags and plain is not None
                    and np.shape(plain) == case.args[0].shape
                    and bool(np.allclose(plain, np.where(case.args[0] > 0, case.args[0], 0.01 * case.args[0])))),
            Mistake("The default value of alpha should be 0.01: def leaky_relu(z, alpha=0.01).",
                    test=_implied_default_alpha),
            Mistake("ReLU-style functions keep positive inputs unchanged; only negative inputs are scaled by alpha.",
                    fn=lambda z, alpha=0.01: alpha * z),
        ]),
    ArraySpec(
        "leaky_relu_backward", lambda: _leaky_backward_cases("leaky_relu_backward"),
        summary="dz for z > 0, alpha * dz for z < 0 (either at z = 0).",
        mistakes=[
            Mistake("For z < 0 the gradient is alpha * dz, not 0 (that would be plain ReLU).",
                    fn=lambda dz, z, alpha=0.01: np.where(z > 0, dz, 0.0)),
            Mistake("For z < 0 multiply dz by alpha: return alpha * dz, not alpha.",
                    fn=lambda dz, z, alpha=0.01: np.where(z > 0, dz, alpha)),
            no_dz(lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha)),
            Mistake("You return leaky_relu(z), the forward pass; the backward pass returns dz times its derivative.",
                    fn=lambda dz, z, alpha=0.01: np.where(z > 0, z, alpha * z)),
            Mistake("Use the alpha argument instead of a fixed 0.01.",
                    test=lambda case, plain: "alpha" in case.tags and plain is not None
                    and np.shape(plain) == case.args[0].shape
                    and bool(np.allclose(plain, np.where(case.args[1] > 0, case.args[0], 0.01 * case.args[0])))),
            Mistake("The arguments come in the order (dz, z, alpha): the upstream gradient first, then the input.",
                    fn=lambda dz, z, alpha=0.01: np.where(dz > 0, z, alpha * z)),
            sign_flipped("leaky_relu_backward"),
        ],
        gradient=Gradient(_elementwise_loss("leaky_relu"), 1, "leaky_relu", _kink_at_zero,
                          "Away from z = 0 your gradient agrees with central differences of leaky_relu, so only "
                          "the value at z = 0 is off."),
        accept=_accept_leaky_boundary),
    ArraySpec(
        "sigmoid", lambda: _unary_cases("sigmoid"),
        summary="1 / (1 + exp(-z)), without nan for large |z|.",
        mistakes=[
            overflow(_SIGMOID_OVERFLOW),
            Mistake("sigmoid(z) = 1 / (1 + exp(-z)): check the sign in the exponent.", fn=lambda z: 1 / (1 + np.exp(z))),
            Mistake("You return tanh(z); sigmoid(z) = 1 / (1 + exp(-z)).", fn=lambda z: np.tanh(z)),
            Mistake("sigmoid(z) = 1 / (1 + exp(-z)): you are missing the 1 + in the denominator.",
                    fn=lambda z: 1 / np.exp(-z)),
        ]),
    ArraySpec(
        "sigmoid_backward", lambda: _backward_cases("sigmoid_backward"),
        summary="dz * s * (1 - s) with s = sigmoid(z).",
        mistakes=[
            overflow("For large |z| your sigmoid overflows (exp(1000) is inf): compute it stably, e.g. with "
                      "np.where(z >= 0, 1 / (1 + exp(-z)), exp(z) / (1 + exp(z))) on exp(-|z|)."),
            no_dz(lambda z: R.sigmoid(z) * (1 - R.sigmoid(z))),
            Mistake("The second argument is the input z, not sigmoid(z): compute s = sigmoid(z) first, "
                    "then dz * s * (1 - s).", fn=lambda dz, z: dz * z * (1 - z)),
            Mistake("That is dz * sigmoid(z); the derivative of sigmoid is s * (1 - s) with s = sigmoid(z).",
                    fn=lambda dz, z: dz * R.sigmoid(z)),
            sign_flipped("sigmoid_backward"),
        ],
        gradient=Gradient(_elementwise_loss("sigmoid"), 1, "sigmoid")),
    ArraySpec(
        "tanh_backward", lambda: _backward_cases("tanh_backward"),
        summary="dz * (1 - tanh(z)**2).",
        mistakes=[
            Mistake(TANH_HINT_Z, fn=lambda dz, z: dz * (1 - z**2)),
            Mistake("Square the tanh: the derivative is 1 - tanh(z)**2, not 1 - tanh(z).",
                    fn=lambda dz, z: dz * (1 - np.tanh(z))),
            no_dz(lambda z: 1 - np.tanh(z) ** 2),
            sign_flipped("tanh_backward"),
        ],
        gradient=Gradient(_tanh_loss, 1, "tanh")),
    ArraySpec(
        "gelu", lambda: _unary_cases("gelu"),
        summary="tanh approximation 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))).",
        mistakes=[
            Mistake("Use the tanh approximation 0.5 z (1 + tanh(sqrt(2/π) (z + 0.044715 z³))), not the exact "
                    "erf form.", fn=lambda z: 0.5 * z * (1 + _erf(z / math.sqrt(2)))),
            Mistake("That is the sigmoid approximation z * sigmoid(1.702 z); use the tanh approximation.",
                    fn=lambda z: z * R.sigmoid(1.702 * z)),
            Mistake("Include the cubic term: tanh(sqrt(2/π) (z + 0.044715 z³)).",
                    fn=lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * z))),
            Mistake("Don't forget the factor 0.5 in front: 0.5 z (1 + tanh(...)).",
                    fn=lambda z: z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))),
            Mistake("The constant is sqrt(2/π) ≈ 0.798.",
                    fn=lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 * math.pi) * (z + 0.044715 * z**3)))),
            Mistake("The constant is sqrt(2/π) ≈ 0.798, the square root of 2/π.",
                    fn=lambda z: 0.5 * z * (1 + np.tanh(2 / math.pi * (z + 0.044715 * z**3)))),
        ]),
    ArraySpec(
        "softmax", lambda: _softmax_cases("softmax"),
        summary="along the last axis, 1-D or 2-D, stable for logits near 1000.",
        mistakes=[
            Mistake("Subtract each row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the "
                    "whole array: a row far below the global maximum underflows to 0 / 0.",
                    test=lambda case, plain: "mixed" in case.tags and not finite(plain)),
            overflow("Subtract the maximum of each row before exponentiating, z - z.max(axis=-1, keepdims=True): "
                      "exp(1000) overflows to inf (and exp(-1000) underflows to 0), giving nan."),
            Mistake("Normalise each row separately: sum along the last axis with keepdims=True, not over the "
                    "whole array.", fn=_softmax_global),
            Mistake("Softmax runs along the last axis (each row sums to 1), not down the columns (axis=0).",
                    fn=softmax_axis0),
            Mistake("Keep the summed axis (keepdims=True) so that each row is divided by its own sum.",
                    fn=_softmax_no_keepdims),
        ],
        exception_hints=[
            ("AxisError", "out of bounds", "Use axis=-1, the last axis, so that both 1-D and 2-D inputs work."),
            ("ValueError", "broadcast", "Keep the summed axis (keepdims=True) so that each row is divided by its own sum."),
        ]),
]


# Log-softmax (issue 10): the softmax cases plus one where a probability underflows to 0.

def _log_softmax_cases(name: str) -> list[Case]:
    cases = _softmax_cases(name)
    cases.insert(5, Case("one logit 800 below the others (its probability underflows to 0)",
                         (F([[0.0, -800.0, 1.0], [2.0, 0.0, -1.0]]),), frozenset({"far"})))
    return cases


def _log_softmax_axis(z, axis):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


SPECS += [
    ArraySpec(
        "log_softmax", lambda: _log_softmax_cases("log_softmax"),
        summary="along the last axis, finite for logits near ±1000 and for probabilities that underflow.",
        mistakes=[
            Mistake("np.log(softmax(z)) is -inf where a probability underflows to 0: compute the log directly, "
                    "z - m - log(sum(exp(z - m))) with m the row's maximum.",
                    test=lambda case, plain: "far" in case.tags and not finite(plain)),
            Mistake("Subtract each row's own maximum (keepdims=True), not the maximum of the whole array.",
                    test=lambda case, plain: "mixed" in case.tags and not finite(plain)),
            overflow("exp(1000) overflows to inf: subtract each row's maximum m first and use "
                     "z - m - log(sum(exp(z - m)))."),
            Mistake("z - max(z) is only half of it: subtract log(sum(exp(z - max(z)))) as well.",
                    fn=lambda z: z - z.max(axis=-1, keepdims=True)),
            Mistake("Return the log-probabilities, not the probabilities.", fn=lambda z: R.softmax(z)),
            Mistake("Normalise along the last axis (each row), not down the columns.",
                    fn=lambda z: _log_softmax_axis(z, 0) if z.ndim == 2 else None),
            Mistake("Normalise each row separately, not over the whole array.",
                    fn=lambda z: z - z.max() - np.log(np.sum(np.exp(z - z.max())))),
        ],
        exception_hints=[
            ("AxisError", "out of bounds", "Use axis=-1, the last axis, so that both 1-D and 2-D inputs work."),
            ("ValueError", "broadcast", "Keep the reduced axis (keepdims=True) so that each row uses its own "
                                        "maximum and sum."),
        ]),
]
