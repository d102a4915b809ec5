"""Labels and losses: one-hot encoding, MSE, cross-entropy (from probabilities and from logits), its gradient, L2."""

from __future__ import annotations

from ..lazy import R, np
from ..spec import ArraySpec, Case, Gradient, Mistake
from .activations import softmax_axis0
from .common import F, finite, overflow, rng_for


def _one_hot_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("three labels, three classes", (np.array([0, 2, 1]), 3)),
        Case("more classes than the largest label", (np.array([1, 1, 0, 3]), 5), frozenset({"wide"})),
        Case("a single label", (np.array([2]), 4), frozenset({"wide"})),
        Case("repeated labels", (np.array([0, 0, 0]), 2), frozenset({"wide"})),
    ]
    for n, k in [(7, 6), (10, 10), (5, 3)]:
        cases.append(Case(f"random labels: n = {n}, n_classes = {k}", (rng.integers(0, k, n), k),
                          frozenset({"random"})))
    return cases


def _one_hot_by_max(y, n_classes):
    return np.eye(int(np.max(y)) + 1)[y]


def _mse_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("1-D vectors", (F([1.0, 2.0, 3.0]), F([1.5, 2.0, 2.0]))),
        Case("identical inputs (zero loss)", (F([0.5, -1.0, 2.0]), F([0.5, -1.0, 2.0]))),
        Case("2-D arrays of shape (3, 2)", (F([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]]),
                                            F([[1.0, 1.0], [2.0, 5.0], [0.5, 0.0]]))),
        Case("column vectors of shape (4, 1)", (F([[0.0], [1.0], [2.0], [3.0]]), F([[1.0], [1.0], [1.0], [1.0]]))),
        Case("large values", (F([1000.0, -2000.0]), F([1001.0, -1990.0])), frozenset({"large"})),
    ]
    for shape in [(8,), (4, 3), (2, 5)]:
        cases.append(Case(f"random arrays of shape {shape}",
                          (rng.normal(0.0, 2.0, shape), rng.normal(0.0, 2.0, shape)), frozenset({"random"})))
    return cases


def _probs(rng, n, k):
    p = rng.uniform(0.05, 1.0, (n, k))
    return p / p.sum(axis=1, keepdims=True)


def _onehot(rng, n, k):
    return R.one_hot(rng.integers(0, k, n), k)


def _cross_entropy_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("three examples, three classes", (F([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]),
                                               F([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))),
        Case("two classes, four examples", (F([[0.9, 0.1], [0.4, 0.6], [0.5, 0.5], [0.2, 0.8]]),
                                            F([[1, 0], [1, 0], [0, 1], [0, 1]]))),
        Case("a single example of shape (1, 3)", (F([[0.2, 0.5, 0.3]]), F([[0, 0, 1]]))),
        Case("confident and very unlikely probabilities", (F([[1 - 2e-9, 1e-9, 1e-9], [1e-9, 1e-9, 1 - 2e-9]]),
                                                           F([[1, 0, 0], [1, 0, 0]])), frozenset({"large"})),
    ]
    for n, k in [(5, 4), (6, 3), (3, 6)]:
        cases.append(Case(f"random probabilities: n = {n}, k = {k}", (_probs(rng, n, k), _onehot(rng, n, k)),
                          frozenset({"random"})))
    return cases


def _sce_backward_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("three examples, three classes", (F([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [-1.0, 0.0, 1.0]]),
                                               F([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))),
        Case("two examples, four classes", (F([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]]),
                                            F([[0, 0, 0, 1], [1, 0, 0, 0]]))),
        Case("a single example of shape (1, 3)", (F([[0.2, -0.5, 1.3]]), F([[0, 1, 0]]))),
        Case("logits near 1000", (F([[1000.0, 1001.0, 1002.0], [1000.0, 999.0, 998.0]]),
                                  F([[0, 0, 1], [0, 1, 0]])), frozenset({"large"})),
    ]
    for n, k in [(5, 3), (4, 5), (6, 2)]:
        cases.append(Case(f"random logits: n = {n}, k = {k}", (rng.normal(0.0, 2.0, (n, k)), _onehot(rng, n, k)),
                          frozenset({"random"})))
    return cases


def _sce_loss(args, logits):
    return R.cross_entropy(R.softmax(logits), args[1])


def _l2_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    cases = [
        Case("1-D weights", (F([1.0, -2.0, 3.0]), 0.1)),
        Case("2-D weights of shape (2, 3)", (F([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]), 0.01)),
        Case("zero weights", (np.zeros((2, 2)), 0.5)),
        Case("lam = 0", (F([4.0, 5.0]), 0.0)),
        Case("lam = 2", (F([1.0, -1.0, 0.5]), 2.0)),
    ]
    for shape, lam in [((6,), 0.3), ((3, 4), 1e-3), ((4, 2), 0.05)]:
        cases.append(Case(f"random weights of shape {shape}, lam = {lam}", (rng.normal(0.0, 1.0, shape), lam),
                          frozenset({"random"})))
    return cases


SPECS = [
    ArraySpec(
        "one_hot", lambda: _one_hot_cases("one_hot"),
        summary="float array of shape (n, n_classes).",
        mistakes=[
            Mistake("Your array is transposed: rows are examples and columns are classes, shape (n, n_classes).",
                    fn=lambda y, k: R.one_hot(y, k).T),
            Mistake("Use n_classes for the number of columns, not y.max() + 1: a batch need not contain every class.",
                    fn=_one_hot_by_max),
        ],
        exception_hints=[
            ("IndexError", "out of bounds", "Each label must have a column: make the array n_classes wide "
                                            "(labels run from 0 to n_classes - 1), with one row per label."),
        ]),
    ArraySpec(
        "mse", lambda: _mse_cases("mse"), output="scalar",
        summary="mean over all elements of the squared error.",
        mistakes=[
            Mistake("Average over all elements (np.mean), not the sum.", fn=lambda p, t: np.sum((p - t) ** 2)),
            Mistake("Square the errors: mean((y_pred - y_true)**2).", fn=lambda p, t: np.mean(p - t)),
            Mistake("Square the differences: the mean absolute error is a different loss.",
                    fn=lambda p, t: np.mean(np.abs(p - t))),
            Mistake("There is no factor 1/2 in this definition: mean((y_pred - y_true)**2).",
                    fn=lambda p, t: 0.5 * np.mean((p - t) ** 2)),
            Mistake("Don't take the square root: that is the RMSE.", fn=lambda p, t: np.sqrt(np.mean((p - t) ** 2))),
            Mistake("Average over all elements, not only over rows (sum each row, then average gives a larger value).",
                    fn=lambda p, t: np.mean(np.sum((p - t) ** 2, axis=-1)) if p.ndim == 2 and p.shape[1] > 1 else None),
            Mistake("Return one number, the mean of all squared errors, not one per element or row.",
                    test=lambda case, plain: plain is not None and not isinstance(plain, tuple) and np.ndim(plain) > 0),
        ]),
    ArraySpec(
        "cross_entropy", lambda: _cross_entropy_cases("cross_entropy"), output="scalar",
        summary="mean over rows of -sum(Y log probs), Y one-hot (n, k).",
        mistakes=[
            Mistake("Average over the examples (rows): divide the total by n.",
                    fn=lambda p, Y: -np.sum(Y * np.log(p))),
            Mistake("Average over rows only: sum -Y log(probs) within each row, then take the mean over rows "
                    "(np.mean over all n*k entries divides by k too).", fn=lambda p, Y: -np.mean(Y * np.log(p))),
            Mistake("Cross-entropy is -sum(Y log p): you are missing the minus sign.",
                    fn=lambda p, Y: np.mean(np.sum(Y * np.log(p), axis=-1))),
            Mistake("Use the natural logarithm np.log.", fn=lambda p, Y: np.mean(-np.sum(Y * np.log10(p), axis=-1))),
            Mistake("Use the natural logarithm np.log.", fn=lambda p, Y: np.mean(-np.sum(Y * np.log2(p), axis=-1))),
            Mistake("For one-hot targets only the -Y log(p) term is needed; (1 - Y) log(1 - p) belongs to binary "
                    "cross-entropy.", fn=lambda p, Y: np.mean(-np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=-1))),
            Mistake("Return one number: the mean over rows of the per-example losses.",
                    test=lambda case, plain: plain is not None and not isinstance(plain, tuple) and np.ndim(plain) > 0),
        ]),
    ArraySpec(
        "softmax_cross_entropy_backward", lambda: _sce_backward_cases("softmax_cross_entropy_backward"),
        summary="(softmax(logits) - Y) / n.",
        mistakes=[
            overflow("Compute the softmax stably (subtract each row's maximum first): exp(1000) overflows to inf."),
            Mistake("Divide by the batch size n: the loss is a mean over rows.", fn=lambda z, Y: R.softmax(z) - Y),
            Mistake("Divide by n, the number of rows, not by the number of entries n * k.",
                    fn=lambda z, Y: (R.softmax(z) - Y) / z.size),
            Mistake("The gradient is softmax(logits) - Y, not Y - softmax(logits): check the sign.",
                    fn=lambda z, Y: (Y - R.softmax(z)) / z.shape[0]),
            Mistake("Apply softmax to the logits first: (softmax(logits) - Y) / n.", fn=lambda z, Y: (z - Y) / z.shape[0]),
            Mistake("Softmax runs along each row (axis=-1), not down the columns.",
                    fn=lambda z, Y: (softmax_axis0(z) - Y) / z.shape[0] if z.shape[0] > 1 else None),
        ],
        gradient=Gradient(_sce_loss, 0, "the mean cross-entropy of softmax")),
    ArraySpec(
        "l2_penalty", lambda: _l2_cases("l2_penalty"), output="scalar",
        summary="lam / 2 * sum(w**2).",
        mistakes=[
            Mistake("Include the factor 1/2: lam / 2 * sum(w**2).", fn=lambda w, lam: lam * np.sum(w**2)),
            Mistake("Sum over all weights; don't average.", fn=lambda w, lam: lam / 2 * np.mean(w**2)),
            Mistake("Square the weights: sum(|w|) is the L1 penalty.", fn=lambda w, lam: lam / 2 * np.sum(np.abs(w))),
            Mistake("Use the sum of squares, not the norm (no square root).",
                    fn=lambda w, lam: lam / 2 * np.sqrt(np.sum(w**2))),
            Mistake("Multiply by lam / 2, don't divide by it.",
                    fn=lambda w, lam: np.sum(w**2) / (lam / 2) if lam else None),
        ]),
]


# Cross-entropy straight from logits (issue 10).

def _cross_entropy_logits_cases(name: str) -> list[Case]:
    cases = _sce_backward_cases(name)
    cases.insert(4, Case("a wrong class 1000 above the right one (softmax gives it all the mass)",
                         (F([[0.0, 1000.0], [2.0, 1.0]]), F([[1, 0], [1, 0]])), frozenset({"far", "large"})))
    return cases


SPECS += [
    ArraySpec(
        "cross_entropy_from_logits", lambda: _cross_entropy_logits_cases("cross_entropy_from_logits"),
        output="scalar", summary="mean over rows of -sum(Y * log_softmax(logits)), Y one-hot, stable.",
        mistakes=[
            Mistake("log(softmax(logits)) is -inf when a probability underflows to 0: use log_softmax, "
                    "z - m - log(sum(exp(z - m))), and never take the log of a probability.",
                    test=lambda case, plain: "far" in case.tags and not finite(plain)),
            overflow("exp(1000) overflows to inf: subtract each row's maximum before exponentiating."),
            Mistake("Average over the examples (rows): divide the total by n.",
                    fn=lambda z, Y: -np.sum(Y * R.log_softmax(z))),
            Mistake("Average over rows only (np.mean over all n * k entries divides by k too).",
                    fn=lambda z, Y: -np.mean(Y * R.log_softmax(z))),
            Mistake("Cross-entropy is minus the mean log-probability of the right class: check the sign.",
                    fn=lambda z, Y: np.mean(np.sum(Y * R.log_softmax(z), axis=-1))),
            Mistake("The log-probability is z - logsumexp(z): you left out the log-sum-exp term.",
                    fn=lambda z, Y: -np.mean(np.sum(Y * z, axis=-1))),
            Mistake("Take the log of the probabilities: -sum(Y * log_softmax(logits)).",
                    fn=lambda z, Y: -np.mean(np.sum(Y * R.softmax(z), axis=-1))),
            Mistake("Return one number: the mean over rows of the per-example losses.",
                    test=lambda case, plain: plain is not None and not isinstance(plain, tuple)
                    and np.ndim(plain) > 0),
        ]),
]
