"""Backward passes of layers: dense (dx, dW, db), batch normalisation through its statistics, dropout."""

from __future__ import annotations

from typing import Callable

from ..lazy import R, np
from ..spec import ArraySpec, Case, Gradient, Mistake
from .common import F, rng_for, sign_flipped
from .layers import dropout_cases, dropout_scaling_mistakes, ignores_mask


def _with_part(reference: str, index: int, fn: Callable) -> Callable:
    """A mistake that gets one element of a tuple output wrong and the others right."""
    def mistake(*args):
        out = list(getattr(R, reference)(*args))
        out[index] = fn(*args)
        return tuple(out)
    return mistake


def _dense_backward_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    x = F([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [-1.0, 0.5, 2.0], [2.0, 2.0, 2.0]])
    W = F([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    dout = F([[0.1, -0.2], [0.3, 0.0], [-0.1, 0.4], [0.2, 0.2]])
    cases = [
        Case("batch of 4, in = 3, out = 2", (dout, x, W)),
        Case("square weights (in = out = 3)", (F([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]]),
                                               F([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                                               F([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])),
             frozenset({"square"})),
        Case("a batch of one example", (F([[0.5, -1.0]]), F([[1.0, -1.0, 2.0]]), W)),
        Case("dout all zeros (every gradient is 0)", (np.zeros((4, 2)), x, W)),
        Case("one output unit (out = 1)", (F([[1.0], [-2.0], [0.5]]), F([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]),
                                           F([[0.5, -1.5]]))),
    ]
    for n, d_in, d_out in [(5, 4, 3), (3, 2, 6), (6, 3, 3)]:
        cases.append(Case(f"random: dout {n}×{d_out}, x {n}×{d_in}, W {d_out}×{d_in}",
                          (rng.normal(0.0, 1.0, (n, d_out)), rng.normal(0.0, 1.0, (n, d_in)),
                           rng.normal(0.0, 1.0, (d_out, d_in))), frozenset({"random"})))
    return cases


def _batchnorm_backward_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    x = F([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, 2.5, 1.0], [2.0, -2.0, 0.0]])
    dout = F([[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [0.2, 0.1, 0.0], [-0.3, 0.2, 0.4]])
    cases = [
        Case("batch of 4, 3 features, gamma = 1", (dout, x, np.ones(3))),
        Case("with gamma", (dout, x, F([2.0, 0.5, -1.0]))),
        Case("the same dout in every row (dx is 0)", (np.tile(F([0.3, -0.1, 0.2]), (4, 1)), x, F([1.0, 2.0, 0.5]))),
        Case("a constant column (zero variance)", (dout[:3], F([[1.0, 5.0, 2.0], [1.0, 3.0, 2.0], [1.0, 0.0, 2.0]]),
                                                   F([1.5, 1.0, 2.0])), frozenset({"constant"})),
        Case("non-square: 5 examples, 2 features", (F([[0.1, 0.2], [-0.3, 0.0], [0.2, 0.2], [0.0, -0.1], [0.4, 0.1]]),
                                                    F([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0], [4.0, 1.0], [1.0, 1.0]]),
                                                    F([1.0, 2.0]))),
        Case("small variance with eps = 0.1", (dout[:2], F([[0.2, 0.1, 0.15], [0.1, 0.2, 0.1]]), np.ones(3), 0.1),
             frozenset({"eps"})),
    ]
    for n, d in [(6, 4), (3, 5), (8, 2)]:
        cases.append(Case(f"random: {n} examples, {d} features",
                          (rng.normal(0.0, 1.0, (n, d)), rng.normal(1.0, 2.0, (n, d)), rng.normal(1.0, 0.5, d)),
                          frozenset({"random"})))
    return cases


def _bn_parts(dout, x, gamma, eps=1e-5, ddof=0):
    inv_std = 1.0 / np.sqrt(x.var(axis=0, ddof=ddof) + eps)
    return x.shape[0], inv_std, (x - x.mean(axis=0)) * inv_std, dout * gamma


def _bn_dx(*, mean_path=True, var_path=True, gamma=True, ddof=0):
    """dx of batch norm with some of its paths left out (the known mistakes)."""
    def dx(dout, x, g, eps=1e-5):
        n, inv_std, x_hat, dx_hat = _bn_parts(dout, x, g if gamma else 1.0, eps, ddof)
        out = n * dx_hat
        if mean_path:
            out = out - dx_hat.sum(axis=0)
        if var_path:
            out = out - x_hat * np.sum(dx_hat * x_hat, axis=0)
        return inv_std / n * out
    return dx


def _bn_mistake(dx=None, dgamma=None, dbeta=None):
    def mistake(dout, x, g, eps=1e-5):
        right = R.batchnorm_backward(dout, x, g, eps)
        _, _, x_hat, _ = _bn_parts(dout, x, g, eps)
        return (dx(dout, x, g, eps) if dx else right[0],
                dgamma(dout, x, x_hat) if dgamma else right[1],
                dbeta(dout, x, x_hat) if dbeta else right[2])
    return mistake


SPECS = [
    ArraySpec(
        "dense_backward", lambda: _dense_backward_cases("dense_backward"), output="tuple", parts=("dx", "dW", "db"),
        summary="returns (dx, dW, db) for out = x @ W.T + b; dout already holds the 1/n of a mean loss.",
        mistakes=[
            Mistake("W has shape (out, in): going back from the outputs to the inputs is dx = dout @ W, "
                    "not dout @ W.T.", fn=_with_part("dense_backward", 0, lambda dout, x, W: dout @ W.T)),
            Mistake("dW has the shape of W, (out, in): dW = dout.T @ x, not x.T @ dout.",
                    fn=_with_part("dense_backward", 1, lambda dout, x, W: x.T @ dout)),
            Mistake("dout already holds the 1/n of a mean loss: dW = dout.T @ x, without dividing by n again.",
                    fn=_with_part("dense_backward", 1, lambda dout, x, W: dout.T @ x / x.shape[0])),
            Mistake("db adds up dout over the batch: np.sum(dout, axis=0), not the mean.",
                    fn=_with_part("dense_backward", 2, lambda dout, x, W: dout.mean(axis=0))),
            Mistake("db has one entry per output unit: sum dout over the batch only, np.sum(dout, axis=0).",
                    fn=_with_part("dense_backward", 2, lambda dout, x, W: np.sum(dout))),
            Mistake("db has one entry per output unit: sum dout over the batch only, np.sum(dout, axis=0).",
                    fn=_with_part("dense_backward", 2, lambda dout, x, W: np.sum(dout, axis=1))),
            Mistake("Return (dx, dW, db) in this order.",
                    fn=lambda *a: (lambda dx, dW, db: (dW, dx, db))(*R.dense_backward(*a))),
            sign_flipped("dense_backward", "every gradient"),
        ],
        exception_hints=[
            ("ValueError", "matmul", "Check the shapes: dx = dout @ W is (n, in) and dW = dout.T @ x is (out, in)."),
        ],
        gradient=(Gradient(lambda args, v: float(np.sum(args[0] * (v @ args[2].T))), 1, "dense_forward", part=0),
                  Gradient(lambda args, v: float(np.sum(args[0] * (args[1] @ v.T))), 2, "dense_forward", part=1),
                  Gradient(lambda args, v: float(np.sum(args[0] * v)), 0, "dense_forward", part=2,
                           at=lambda args: np.zeros(args[2].shape[0])))),
    ArraySpec(
        "batchnorm_backward", lambda: _batchnorm_backward_cases("batchnorm_backward"), output="tuple",
        parts=("dx", "dgamma", "dbeta"),
        summary="returns (dx, dgamma, dbeta); dx goes through the batch mean and variance as well.",
        mistakes=[
            Mistake("The batch mean and variance depend on every x as well: dx is not just dout * gamma / std. "
                    "Subtract the column mean of dx_hat and x_hat times the column mean of dx_hat * x_hat "
                    "(each column of dx then sums to 0).",
                    fn=_bn_mistake(dx=_bn_dx(mean_path=False, var_path=False))),
            Mistake("Include the path through the variance: subtract x_hat * np.sum(dx_hat * x_hat, axis=0) / n "
                    "as well.", fn=_bn_mistake(dx=_bn_dx(var_path=False))),
            Mistake("Include the path through the mean: subtract np.sum(dx_hat, axis=0) / n as well.",
                    fn=_bn_mistake(dx=_bn_dx(mean_path=False))),
            Mistake("Scale by gamma first: dx_hat = dout * gamma, since the output is gamma * x_hat + beta.",
                    fn=_bn_mistake(dx=_bn_dx(gamma=False))),
            Mistake("Use the biased variance (ddof=0), as the forward pass does.", fn=_bn_mistake(dx=_bn_dx(ddof=1))),
            Mistake("dgamma = np.sum(dout * x_hat, axis=0) and dbeta = np.sum(dout, axis=0), not the other way "
                    "round.", fn=_bn_mistake(dgamma=lambda dout, x, x_hat: dout.sum(axis=0),
                                             dbeta=lambda dout, x, x_hat: np.sum(dout * x_hat, axis=0))),
            Mistake("dgamma multiplies dout by the normalised x_hat, not by the raw x.",
                    fn=_bn_mistake(dgamma=lambda dout, x, x_hat: np.sum(dout * x, axis=0))),
            Mistake("gamma and beta have one entry per feature: sum over the batch, axis=0.",
                    fn=_bn_mistake(dgamma=lambda dout, x, x_hat: np.sum(dout * x_hat, axis=1),
                                   dbeta=lambda dout, x, x_hat: dout.sum(axis=1))),
        ],
        gradient=(Gradient(lambda args, v: float(np.sum(args[0] * R.batchnorm_forward(v, args[2], 0.0, *args[3:]))),
                           1, "batchnorm_forward", part=0),
                  Gradient(lambda args, v: float(np.sum(args[0] * R.batchnorm_forward(args[1], v, 0.0, *args[3:]))),
                           2, "batchnorm_forward", part=1))),
    ArraySpec(
        "dropout_backward", lambda: dropout_cases("dropout_backward"),
        summary="dout * mask / keep_prob: the gradient flows only through the units kept.",
        mistakes=[
            *dropout_scaling_mistakes(
                "The forward pass divided by keep_prob, so the backward pass divides by keep_prob too.",
                "The mask marks the units kept (1 = keep): the gradient flows through mask, not 1 - mask."),
            Mistake("Multiply the upstream gradient dout by mask / keep_prob: mask / keep_prob alone is only the "
                    "local derivative.", fn=lambda dout, mask, p: np.asarray(mask, dtype=float) / p),
            Mistake("Use the forward pass's mask; a new random mask sends the gradient to units that were dropped.",
                    test=ignores_mask),
        ],
        gradient=Gradient(lambda args, v: float(np.sum(args[0] * R.dropout_forward(v, args[1], args[2]))), 0,
                          "dropout_forward", at=lambda args: np.ones(np.shape(args[0])))),
]
