"""Layers: dense, batch norm, layer norm, inverted dropout."""

from __future__ import annotations

from ..lazy import np
from ..spec import ArraySpec, Case, Mistake
from .common import F, finite, rng_for


def _dense_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    W = F([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = F([0.1, -0.2])
    cases = [
        Case("batch of 4, in = 3, out = 2",
             (F([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [-1.0, 0.5, 2.0], [2.0, 2.0, 2.0]]), W, b)),
        Case("square weights (in = out = 3)", (F([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                                               F([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]]),
                                               F([1.0, 0.0, -1.0])), frozenset({"square"})),
        Case("a batch of one example, shape (1, 3)", (F([[1.0, -1.0, 2.0]]), W, b)),
        Case("a single example as a 1-D vector of shape (3,)", (F([1.0, -1.0, 2.0]), W, b), frozenset({"1-D"})),
        Case("zero input (output is the bias)", (np.zeros((2, 3)), W, b)),
    ]
    for n, d_in, d_out in [(5, 4, 3), (3, 2, 6)]:
        cases.append(Case(f"random: x {n}×{d_in}, W {d_out}×{d_in}",
                          (rng.normal(0.0, 1.0, (n, d_in)), rng.normal(0.0, 1.0, (d_out, d_in)),
                           rng.normal(0.0, 1.0, d_out)), frozenset({"random"})))
    return cases


def _norm_cases(name: str, per_row: bool) -> list[Case]:
    rng = rng_for(name)
    x = F([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, 2.5, 1.0], [2.0, -2.0, 0.0]])
    ones, zeros = np.ones(3), np.zeros(3)
    const = F([[1.0, 5.0, 2.0], [1.0, 3.0, 2.0], [1.0, 0.0, 2.0]]) if not per_row else \
        F([[2.0, 2.0, 2.0], [1.0, 3.0, 0.0], [-1.0, -1.0, -1.0]])
    constant = "a constant column (zero variance)" if not per_row else "a constant row (zero variance)"
    small = F([[0.2, 0.1, 0.15], [0.1, 0.2, 0.1]])
    small = small if per_row else small.T
    cases = [
        Case("batch of 4, 3 features, gamma = 1, beta = 0", (x, ones, zeros)),
        Case("with gamma and beta", (x, F([2.0, 0.5, -1.0]), F([0.1, 0.0, 3.0]))),
        Case(constant, (const, F([1.5, 1.0, 2.0]), F([-1.0, 0.5, 0.0])), frozenset({"constant"})),
        Case("large values", (x * 1000.0 + 5000.0, ones, zeros), frozenset({"large"})),
        Case("non-square: 5 examples, 2 features", (F([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0], [4.0, 1.0], [1.0, 1.0]]),
                                                     F([1.0, 2.0]), F([0.0, -1.0]))),
        Case("small variance with eps = 0.1", (small, np.ones(small.shape[1]), np.zeros(small.shape[1]), 0.1),
             frozenset({"eps"})),
    ]
    for n, d in [(6, 4), (3, 5)]:
        cases.append(Case(f"random: {n} examples, {d} features",
                          (rng.normal(1.0, 2.0, (n, d)), rng.normal(1.0, 0.5, d), rng.normal(0.0, 0.5, d)),
                          frozenset({"random"})))
    return cases


def _normalize(x, gamma, beta, eps=1e-5, *, axis=0, ddof=0, eps_outside=False, no_eps=False,
               affine=True, divide_var=False):
    keep = axis != 0
    mu = x.mean(axis=axis, keepdims=keep)
    var = x.var(axis=axis, ddof=ddof, keepdims=keep)
    if divide_var:
        xhat = (x - mu) / (var + eps)
    elif no_eps:
        xhat = (x - mu) / np.sqrt(var)
    elif eps_outside:
        xhat = (x - mu) / (np.sqrt(var) + eps)
    else:
        xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta if affine else xhat


def _norm_mistake(**options):
    return lambda *args: _normalize(*args, **options)


def _norm_mistakes(unit: str, axis: int, wrong_axis: str) -> list[Mistake]:
    """The mistakes of batch norm (per feature, axis 0) or layer norm (per row, axis -1), most telling first."""
    no_eps = (f"Add eps inside the square root, sqrt(var + eps), so that a constant {unit} does not divide by "
              "zero.")
    return [
        Mistake(no_eps, test=lambda case, plain: "constant" in case.tags and not finite(plain)),
        Mistake(wrong_axis, fn=_norm_mistake(axis=-1 - axis)),
        Mistake("Use the biased variance (np.var's default ddof=0), not ddof=1.", fn=_norm_mistake(axis=axis, ddof=1)),
        Mistake("Add eps inside the square root: sqrt(var + eps).", fn=_norm_mistake(axis=axis, eps_outside=True)),
        Mistake(no_eps, fn=_norm_mistake(axis=axis, no_eps=True)),
        Mistake("Scale by gamma and shift by beta after normalising: gamma * x_hat + beta.",
                fn=_norm_mistake(axis=axis, affine=False)),
        Mistake("Divide by the standard deviation sqrt(var + eps), not by the variance.",
                fn=_norm_mistake(axis=axis, divide_var=True)),
    ]


def dropout_cases(name: str) -> list[Case]:
    """Cases (x, mask, keep_prob), shared with dropout_backward, whose (dout, mask, keep_prob) look the same."""
    rng = rng_for(name)
    x = F([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    cases = [
        Case("keep_prob = 0.5", (x, F([[1, 0, 1], [0, 1, 1]]), 0.5)),
        Case("keep_prob = 0.8, 1-D", (F([1.0, 2.0, 3.0, 4.0, 5.0]), F([1, 1, 0, 1, 1]), 0.8)),
        Case("keep_prob = 1 (keep everything)", (x, np.ones((2, 3)), 1.0)),
        Case("a boolean mask", (x, np.array([[True, False, True], [True, True, False]]), 0.75)),
        Case("a mask of zeros", (x, np.zeros((2, 3)), 0.5)),
    ]
    for shape, p in [((4, 5), 0.6), ((7,), 0.9)]:
        cases.append(Case(f"random input of shape {shape}, keep_prob = {p}",
                          (rng.normal(0.0, 1.0, shape), (rng.uniform(size=shape) < p).astype(float), p),
                          frozenset({"random"})))
    return cases


def ignores_mask(case, plain):
    """Whether the output zeroes other entries than the mask does (a new random mask was drawn)."""
    if plain is None or isinstance(plain, tuple):
        return False
    x, mask = case.args[0], np.asarray(case.args[1], dtype=float)
    plain = np.asarray(plain)
    if plain.shape != x.shape:
        return False
    dropped = (plain == 0) & (x != 0)
    return bool((dropped != (mask == 0)).any())


def dropout_scaling_mistakes(no_division: str, mask_flipped: str) -> list[Mistake]:
    """The slips in inverted dropout's mask and keep_prob scaling, shared by the forward and the
    backward pass (the backward pass is the forward one applied to the upstream gradient)."""
    return [
        Mistake(no_division, fn=lambda a, mask, p: a * mask),
        Mistake("Divide by keep_prob, don't multiply by it.", fn=lambda a, mask, p: a * mask * p),
        Mistake("keep_prob is the probability of keeping a unit: divide by keep_prob, not by 1 - keep_prob.",
                fn=lambda a, mask, p: a * mask / (1 - p) if p < 1 else None),
        Mistake(mask_flipped, fn=lambda a, mask, p: a * (1 - np.asarray(mask, dtype=float)) / p),
    ]


SPECS = [
    ArraySpec(
        "dense_forward", lambda: _dense_cases("dense_forward"),
        summary="x @ W.T + b, W of shape (out, in).",
        mistakes=[
            Mistake("W has shape (out, in): compute x @ W.T + b.", fn=lambda x, W, b: x @ W + b),
            Mistake("Add the bias b.", fn=lambda x, W, b: x @ W.T),
            Mistake("With x of shape (n, in), x @ W.T + b has shape (n, out): one row per example.",
                    fn=lambda x, W, b: W @ x.T + b[:, None] if x.ndim == 2 else None),
            Mistake("Add the bias b; don't subtract it.", fn=lambda x, W, b: x @ W.T - b),
        ],
        exception_hints=[
            ("ValueError", "matmul", "W has shape (out, in), so the product is x @ W.T: print x.shape and W.shape."),
            ("ValueError", "aligned", "W has shape (out, in), so the product is x @ W.T: print x.shape and W.shape."),
        ]),
    ArraySpec(
        "batchnorm_forward", lambda: _norm_cases("batchnorm_forward", per_row=False),
        summary="per feature over the batch, biased variance.",
        mistakes=[
            *_norm_mistakes("feature", 0, "Batch norm normalises each feature over the batch: mean and variance "
                                           "along axis=0 (down the columns), not along each row."),
        ]),
    ArraySpec(
        "layernorm_forward", lambda: _norm_cases("layernorm_forward", per_row=True),
        summary="per row over its features, biased variance.",
        mistakes=[
            *_norm_mistakes("row", -1, "Layer norm normalises each row (example) over its features: mean and "
                                       "variance along the last axis with keepdims=True, not down the columns."),
            Mistake("Keep the reduced axis (keepdims=True) so that each row is centred by its own mean.",
                    fn=lambda x, g, b, eps=1e-5: (g * (x - x.mean(axis=-1)) / np.sqrt(x.var(axis=-1) + eps) + b)
                    if x.shape[0] == x.shape[1] else None),
        ],
        exception_hints=[
            ("ValueError", "broadcast", "Keep the reduced axis (keepdims=True) so that each row is centred and "
                                        "scaled by its own mean and variance."),
        ]),
    ArraySpec(
        "dropout_forward", lambda: dropout_cases("dropout_forward"),
        summary="inverted dropout, x * mask / keep_prob.",
        mistakes=[
            *dropout_scaling_mistakes(
                "Inverted dropout divides by keep_prob, so that the expected activation stays the same.",
                "The mask marks the units to keep (1 = keep): multiply by mask, not by 1 - mask."),
            Mistake("Use the mask you are given; don't draw a new random one.", test=ignores_mask),
        ]),
]
