"""The array checks: hand-picked edge cases, seeded random cases and known mistakes for each function.

Each `ArraySpec` names a reference function in `workbook.reference` (same name as the check), the
cases to run, and the mistakes learners typically make, each as a function that reproduces the
mistake's output and a one-line hint. When a case fails, the learner's output is compared with each
mistake's output on that case; the first that matches gives the hint.
"""

from __future__ import annotations

import inspect
import math
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import reference as R
from .compare import Comparer, Finding
from .gradcheck import first_difference, numerical_gradient
from .harness import Call, Harness, format_index, format_number
from .result import Block, Result, safe_str, type_name


@dataclass
class Case:
    """One set of inputs for the function under test."""

    label: str
    """What the case exercises, shown to the learner when it fails."""
    args: tuple
    """Positional arguments, in the order of the reference signature."""
    tags: frozenset = frozenset()
    """Properties mistakes can key on: 'large' (overflow-prone), 'boundary', 'constant', 'random'."""


@dataclass
class Mistake:
    """A known mistake: reproduced by `fn(*args)`, or recognised by `test(case, plain)`."""

    hint: str
    fn: Callable | None = None
    test: Callable | None = None


@dataclass
class Gradient:
    """How to check a backward function against central differences of its forward."""

    loss: Callable
    """loss(args, x) -> float whose gradient in x the learner's function should return."""
    wrt: int
    """Position of x among the arguments."""
    forward: str
    """Name of the forward function, for the feedback."""
    kink: Callable | None = None
    """kink(args) -> boolean mask of entries where finite differences are not meaningful."""
    kink_note: str = ""
    """What to say when the only differences are at the kink."""
    part: int | None = None
    """For a tuple output, which element is this gradient (None: the output is one array)."""
    at: Callable | None = None
    """at(args) -> the point x, when x is not itself an argument (then args are left as they are)."""


@dataclass
class ArraySpec:
    """Everything needed to check one learner function against its reference."""

    name: str
    cases: Callable[[], list[Case]]
    mistakes: list[Mistake] = field(default_factory=list)
    output: str = "array"
    """'array', 'scalar' (one number), 'tuple' (named arrays, see parts) or 'list' (of arrays)."""
    parts: tuple[str, ...] = ()
    exception_hints: list[tuple[str, str, str]] = field(default_factory=list)
    """(exception type name, text in its message, hint)."""
    rtol: float = 1e-5
    atol: float = 1e-8
    gradient: Gradient | tuple[Gradient, ...] | None = None
    """One gradient check, or one per returned array (each with its `part`)."""
    accept: Callable | None = None
    """accept(args, expected, plain) -> expected, for conventions where more than one answer is right."""
    mutation_hint: str | None = None
    """The hint when the function changes an input in place."""


def F(x) -> np.ndarray:
    """A float array from nested lists."""
    return np.array(x, dtype=float)


RANDOM_SHAPES = [(6,), (3, 4), (4, 3), (2, 5), (1, 7)]


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _finite(plain) -> bool:
    if plain is None:
        return True
    if isinstance(plain, tuple):
        return all(_finite(p) for p in plain)
    return bool(np.isfinite(np.asarray(plain, dtype=float)).all())


def _overflow(hint: str) -> Mistake:
    return Mistake(hint, test=lambda case, plain: "large" in case.tags and not _finite(plain))


def _no_dz(derivative: Callable) -> Mistake:
    return Mistake("Multiply by the upstream gradient dz: the backward pass returns dz times the local "
                   "derivative, not the derivative alone.", fn=lambda dz, z, *a: derivative(z, *a))


def _sign(reference: Callable, what: str = "the gradient") -> Mistake:
    return Mistake(f"Check the sign: you return minus {what}.",
                   fn=lambda *args: _neg(reference(*args)))


def _neg(value):
    if isinstance(value, (tuple, list)):
        return type(value)(-v for v in value)
    return -value


# --------------------------------------------------------------------------- elementwise cases

def _unary_cases(name: str, scale: float = 2.0) -> list[Case]:
    rng = _rng(name)
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
    rng = _rng(name)
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
    rng = _rng(name + "/alpha")
    cases = list(base)
    cases.insert(2, Case("alpha = 0.2", (F([-2.0, -0.5, 0.0, 0.5, 2.0]), 0.2), frozenset({"alpha"})))
    cases.append(Case("random 2-D input with alpha = 0.1", (rng.normal(0.0, 2.0, (3, 4)), 0.1),
                      frozenset({"alpha", "random"})))
    return cases


def _leaky_backward_cases(name: str) -> list[Case]:
    cases = _backward_cases(name)
    rng = _rng(name + "/alpha")
    cases.insert(2, Case("alpha = 0.2", (F([1.5, -2.0, 0.7, 3.0, -1.0]), F([-2.0, -0.5, 1.0, 0.5, 2.0]), 0.2),
                         frozenset({"alpha"})))
    cases.append(Case("random 2-D input with alpha = 0.1",
                      (rng.normal(0.0, 1.0, (3, 4)), rng.normal(0.0, 2.0, (3, 4)), 0.1),
                      frozenset({"alpha", "random"})))
    return cases


def _kink_at_zero(args):
    return np.abs(args[1]) < 1e-7


def _elementwise_loss(forward):
    return lambda args, x: float(np.sum(args[0] * forward(x, *args[2:])))


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


def _sigmoid_naive_ratio(z):
    return np.exp(z) / (1.0 + np.exp(z))


# ---------------------------------------------------------------------------- softmax, labels

def _softmax_cases(name: str) -> list[Case]:
    rng = _rng(name)
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


def _softmax_axis0(z):
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


def _one_hot_cases(name: str) -> list[Case]:
    rng = _rng(name)
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


# ------------------------------------------------------------------------------------- losses

def _mse_cases(name: str) -> list[Case]:
    rng = _rng(name)
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
    rng = _rng(name)
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
    rng = _rng(name)
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
    rng = _rng(name)
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


# --------------------------------------------------------------------------------- optimizers

def _sgd_cases(name: str) -> list[Case]:
    rng = _rng(name)
    cases = [
        Case("1-D weights, lr = 0.1", (F([1.0, -2.0, 3.0]), F([0.5, 0.5, -1.0]), 0.1)),
        Case("2-D weights of shape (2, 3), lr = 0.5", (F([[1.0, 0.0, -1.0], [2.0, 3.0, 4.0]]),
                                                       F([[1.0, -1.0, 0.0], [0.5, 0.5, 2.0]]), 0.5)),
        Case("lr = 0 (nothing moves)", (F([1.0, 2.0]), F([3.0, 4.0]), 0.0)),
        Case("lr = 1", (F([1.0, 2.0]), F([3.0, -4.0]), 1.0)),
    ]
    for shape in [(5,), (3, 4), (4, 2)]:
        cases.append(Case(f"random weights and gradient of shape {shape}, lr = 0.01",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, shape), 0.01), frozenset({"random"})))
    return cases


def _adam_cases(name: str) -> list[Case]:
    rng = _rng(name)
    w, g = F([0.5, -1.0, 2.0]), F([0.1, -0.2, 0.3])
    cases = [
        Case("first step (t = 1) from m = v = 0, default hyper-parameters", (w, g, np.zeros(3), np.zeros(3), 1)),
        Case("step t = 10 with non-zero m and v", (w, g, F([0.05, -0.1, 0.2]), F([0.01, 0.02, 0.05]), 10)),
        Case("tiny gradients, where eps matters (t = 1)", (w, F([1e-6, -2e-6, 5e-7]), np.zeros(3), np.zeros(3), 1),
             frozenset({"tiny"})),
        Case("late step t = 1000", (w, g, F([0.01, 0.02, -0.01]), F([0.001, 0.004, 0.002]), 1000)),
        Case("custom lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6",
             (w, g, F([0.02, 0.0, -0.1]), F([0.001, 0.0, 0.01]), 3, 0.01, 0.8, 0.99, 1e-6)),
        Case("2-D weights of shape (3, 2), t = 2", (F([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                                     F([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]),
                                                     F([[0.01, 0.02], [-0.03, 0.04], [0.05, -0.06]]),
                                                     F([[1e-4, 4e-4], [9e-4, 1.6e-3], [2.5e-3, 3.6e-3]]), 2)),
    ]
    for shape, t in [((4,), 5), ((2, 3), 50)]:
        cases.append(Case(f"random arrays of shape {shape}, t = {t}",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 0.5, shape), rng.normal(0.0, 0.1, shape),
                           rng.uniform(0.0, 0.05, shape), t), frozenset({"random"})))
    return cases


def _adam_variant(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, correct=True,
                  eps_inside=False, t_shift=0, square=True, old_moments=False, swap_betas=False,
                  return_hat=False):
    b1, b2 = (beta2, beta1) if swap_betas else (beta1, beta2)
    m_new = b1 * m + (1 - b1) * grad
    v_new = b2 * v + (1 - b2) * (grad**2 if square else grad)
    mm, vv = (m, v) if old_moments else (m_new, v_new)
    tt = t + t_shift
    m_hat = mm / (1 - b1**tt) if correct else mm
    v_hat = vv / (1 - b2**tt) if correct else vv
    denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    w_new = w - lr * m_hat / denom
    if return_hat:
        return w_new, m_new / (1 - b1**t), v_new / (1 - b2**t)
    return w_new, m_new, v_new


def _adam_t_minus_one(case, plain):
    """At t = 1, using t - 1 divides by 1 - beta**0 = 0: w is not finite while m and v are right."""
    if case.args[4] != 1 or plain is None or len(plain) != 3:
        return False
    w, m, v = R.adam_step(*_copies(case.args))
    return not _finite(plain[0]) and bool(np.allclose(plain[1], m) and np.allclose(plain[2], v))


def _adam_mistake(**options):
    return lambda *args: _adam_variant(*args, **options)


def _clip_cases(name: str) -> list[Case]:
    rng = _rng(name)
    cases = [
        Case("one array with norm 5 clipped to 1", ([F([3.0, 4.0])], 1.0)),
        Case("two arrays with joint norm 5 clipped to 2.5", ([F([3.0]), F([[0.0, 4.0]])], 2.5)),
        Case("norm already below max_norm (unchanged)", ([F([0.3, -0.4]), F([[0.1], [0.2]])], 5.0)),
        Case("norm exactly max_norm", ([F([3.0, 4.0])], 5.0)),
        Case("all-zero gradients", ([np.zeros(3), np.zeros((2, 2))], 1.0)),
        Case("three arrays, each below max_norm but jointly above",
             ([F([0.6, 0.8]), F([0.6, 0.8]), F([0.6, 0.8])], 1.5)),
    ]
    for max_norm in (1.0, 0.1):
        grads = [rng.normal(0.0, 1.0, (3,)), rng.normal(0.0, 1.0, (2, 3)), rng.normal(0.0, 1.0, (4,))]
        cases.append(Case(f"random arrays of shapes (3,), (2, 3), (4,), max_norm = {max_norm}", (grads, max_norm),
                          frozenset({"random"})))
    return cases


def _clip_each(grads, max_norm):
    out = []
    for g in grads:
        norm = np.sqrt(np.sum(g**2))
        out.append(g * (max_norm / norm) if norm > max_norm else g * 1.0)
    return out


def _clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * (max_norm / norm) for g in grads] if norm > 0 else None


def _clip_by(norm_fn):
    def clip(grads, max_norm):
        norm = norm_fn(grads)
        return [g * (max_norm / norm) if norm > max_norm else g * 1.0 for g in grads]
    return clip


# ------------------------------------------------------------------------------------- layers

def _dense_cases(name: str) -> list[Case]:
    rng = _rng(name)
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
    rng = _rng(name)
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


def _dropout_cases(name: str) -> list[Case]:
    rng = _rng(name)
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


def _ignores_mask(case, plain):
    if plain is None or isinstance(plain, tuple):
        return False
    x, mask = case.args[0], np.asarray(case.args[1], dtype=float)
    plain = np.asarray(plain)
    if plain.shape != x.shape:
        return False
    dropped = (plain == 0) & (x != 0)
    return bool((dropped != (mask == 0)).any())


# ------------------------------------------------------------------------------------ registry

TANH_HINT_Z = ("The second argument is the input z, not tanh(z): the derivative is 1 - np.tanh(z)**2.")

SPECS: dict[str, ArraySpec] = {}


def _spec(spec: ArraySpec) -> None:
    SPECS[spec.name] = spec


_spec(ArraySpec(
    "relu", lambda: _unary_cases("relu"),
    mistakes=[
        Mistake("Return the values max(0, z), not the mask z > 0.", fn=lambda z: (z > 0).astype(float)),
        Mistake("np.max reduces an array to its largest value(s); np.maximum(z, 0) compares elementwise.",
                fn=lambda z: np.max(z, axis=0)),
        Mistake("np.max reduces an array to its largest value(s); np.maximum(z, 0) compares elementwise.",
                fn=lambda z: np.max(z)),
        Mistake("That keeps the negative part: ReLU keeps the positive part, max(0, z).",
                fn=lambda z: np.minimum(z, 0.0)),
        Mistake("ReLU sets negative inputs to 0; it does not flip their sign.", fn=np.abs),
    ]))

_spec(ArraySpec(
    "relu_backward", lambda: _backward_cases("relu_backward"),
    mistakes=[
        Mistake("At z = 0 the gradient is 0 by convention: use z > 0, not z >= 0.",
                fn=lambda dz, z: np.where(z >= 0, dz, 0.0)),
        _no_dz(lambda z: (z > 0).astype(float)),
        Mistake("The gate depends on the input z, not on the upstream gradient: use np.where(z > 0, dz, 0).",
                fn=lambda dz, z: np.where(dz > 0, dz, 0.0)),
        Mistake("The arguments come in the order (dz, z): the upstream gradient first, then the input.",
                fn=lambda dz, z: np.where(dz > 0, z, 0.0)),
        Mistake("You return relu(z), the forward pass; the backward pass returns dz where z > 0, else 0.",
                fn=lambda dz, z: np.maximum(z, 0.0)),
        _sign(R.relu_backward),
    ],
    gradient=Gradient(_elementwise_loss(R.relu), 1, "relu", _kink_at_zero,
                      "Away from z = 0 your gradient agrees with central differences of relu, so only the "
                      "value at z = 0 is off: relu has a kink there, and its gradient is taken as 0.")))

_spec(ArraySpec(
    "leaky_relu", lambda: _leaky_cases("leaky_relu"),
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
    ]))

_spec(ArraySpec(
    "leaky_relu_backward", lambda: _leaky_backward_cases("leaky_relu_backward"),
    mistakes=[
        Mistake("For z < 0 the gradient is alpha * dz, not 0 (that would be plain ReLU).",
                fn=lambda dz, z, alpha=0.01: np.where(z > 0, dz, 0.0)),
        Mistake("For z < 0 multiply dz by alpha: return alpha * dz, not alpha.",
                fn=lambda dz, z, alpha=0.01: np.where(z > 0, dz, alpha)),
        _no_dz(lambda z, alpha=0.01: np.where(z > 0, 1.0, alpha)),
        Mistake("You return leaky_relu(z), the forward pass; the backward pass returns dz times its derivative.",
                fn=lambda dz, z, alpha=0.01: np.where(z > 0, z, alpha * z)),
        Mistake("Use the alpha argument instead of a fixed 0.01.",
                test=lambda case, plain: "alpha" in case.tags and plain is not None
                and np.shape(plain) == case.args[0].shape
                and bool(np.allclose(plain, np.where(case.args[1] > 0, case.args[0], 0.01 * case.args[0])))),
        Mistake("The arguments come in the order (dz, z, alpha): the upstream gradient first, then the input.",
                fn=lambda dz, z, alpha=0.01: np.where(dz > 0, z, alpha * z)),
        _sign(R.leaky_relu_backward),
    ],
    gradient=Gradient(_elementwise_loss(R.leaky_relu), 1, "leaky_relu", _kink_at_zero,
                      "Away from z = 0 your gradient agrees with central differences of leaky_relu, so only "
                      "the value at z = 0 is off."),
    accept=_accept_leaky_boundary))

_SIGMOID_OVERFLOW = ("For large |z|, exp overflows to inf and inf / inf is nan: compute 1 / (1 + exp(-z)) for "
                     "z >= 0 and exp(z) / (1 + exp(z)) for z < 0 (e.g. with np.where on exp(-|z|)).")

_spec(ArraySpec(
    "sigmoid", lambda: _unary_cases("sigmoid"),
    mistakes=[
        _overflow(_SIGMOID_OVERFLOW),
        Mistake("sigmoid(z) = 1 / (1 + exp(-z)): check the sign in the exponent.", fn=lambda z: 1 / (1 + np.exp(z))),
        Mistake("You return tanh(z); sigmoid(z) = 1 / (1 + exp(-z)).", fn=np.tanh),
        Mistake("sigmoid(z) = 1 / (1 + exp(-z)): you are missing the 1 + in the denominator.",
                fn=lambda z: 1 / np.exp(-z)),
    ]))

_spec(ArraySpec(
    "sigmoid_backward", lambda: _backward_cases("sigmoid_backward"),
    mistakes=[
        _overflow("For large |z| your sigmoid overflows (exp(1000) is inf): compute it stably, e.g. with "
                  "np.where(z >= 0, 1 / (1 + exp(-z)), exp(z) / (1 + exp(z))) on exp(-|z|)."),
        _no_dz(lambda z: R.sigmoid(z) * (1 - R.sigmoid(z))),
        Mistake("The second argument is the input z, not sigmoid(z): compute s = sigmoid(z) first, "
                "then dz * s * (1 - s).", fn=lambda dz, z: dz * z * (1 - z)),
        Mistake("That is dz * sigmoid(z); the derivative of sigmoid is s * (1 - s) with s = sigmoid(z).",
                fn=lambda dz, z: dz * R.sigmoid(z)),
        _sign(R.sigmoid_backward),
    ],
    gradient=Gradient(_elementwise_loss(R.sigmoid), 1, "sigmoid")))

_spec(ArraySpec(
    "tanh_backward", lambda: _backward_cases("tanh_backward"),
    mistakes=[
        Mistake(TANH_HINT_Z, fn=lambda dz, z: dz * (1 - z**2)),
        Mistake("Square the tanh: the derivative is 1 - tanh(z)**2, not 1 - tanh(z).",
                fn=lambda dz, z: dz * (1 - np.tanh(z))),
        _no_dz(lambda z: 1 - np.tanh(z) ** 2),
        _sign(R.tanh_backward),
    ],
    gradient=Gradient(_elementwise_loss(np.tanh), 1, "tanh")))

_spec(ArraySpec(
    "gelu", lambda: _unary_cases("gelu"),
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
    ]))

_spec(ArraySpec(
    "softmax", lambda: _softmax_cases("softmax"),
    mistakes=[
        Mistake("Subtract each row's own maximum (z.max(axis=-1, keepdims=True)), not the maximum of the "
                "whole array: a row far below the global maximum underflows to 0 / 0.",
                test=lambda case, plain: "mixed" in case.tags and not _finite(plain)),
        _overflow("Subtract the maximum of each row before exponentiating, z - z.max(axis=-1, keepdims=True): "
                  "exp(1000) overflows to inf (and exp(-1000) underflows to 0), giving nan."),
        Mistake("Normalise each row separately: sum along the last axis with keepdims=True, not over the "
                "whole array.", fn=_softmax_global),
        Mistake("Softmax runs along the last axis (each row sums to 1), not down the columns (axis=0).",
                fn=_softmax_axis0),
        Mistake("Keep the summed axis (keepdims=True) so that each row is divided by its own sum.",
                fn=_softmax_no_keepdims),
    ],
    exception_hints=[
        ("AxisError", "out of bounds", "Use axis=-1, the last axis, so that both 1-D and 2-D inputs work."),
        ("ValueError", "broadcast", "Keep the summed axis (keepdims=True) so that each row is divided by its own sum."),
    ]))

_spec(ArraySpec(
    "one_hot", lambda: _one_hot_cases("one_hot"),
    mistakes=[
        Mistake("Your array is transposed: rows are examples and columns are classes, shape (n, n_classes).",
                fn=lambda y, k: R.one_hot(y, k).T),
        Mistake("Use n_classes for the number of columns, not y.max() + 1: a batch need not contain every class.",
                fn=_one_hot_by_max),
    ],
    exception_hints=[
        ("IndexError", "out of bounds", "Each label must have a column: make the array n_classes wide "
                                        "(labels run from 0 to n_classes - 1), with one row per label."),
    ]))

_spec(ArraySpec(
    "mse", lambda: _mse_cases("mse"), output="scalar",
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
    ]))

_spec(ArraySpec(
    "cross_entropy", lambda: _cross_entropy_cases("cross_entropy"), output="scalar",
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
    ]))

_spec(ArraySpec(
    "softmax_cross_entropy_backward", lambda: _sce_backward_cases("softmax_cross_entropy_backward"),
    mistakes=[
        _overflow("Compute the softmax stably (subtract each row's maximum first): exp(1000) overflows to inf."),
        Mistake("Divide by the batch size n: the loss is a mean over rows.", fn=lambda z, Y: R.softmax(z) - Y),
        Mistake("Divide by n, the number of rows, not by the number of entries n * k.",
                fn=lambda z, Y: (R.softmax(z) - Y) / z.size),
        Mistake("The gradient is softmax(logits) - Y, not Y - softmax(logits): check the sign.",
                fn=lambda z, Y: (Y - R.softmax(z)) / z.shape[0]),
        Mistake("Apply softmax to the logits first: (softmax(logits) - Y) / n.", fn=lambda z, Y: (z - Y) / z.shape[0]),
        Mistake("Softmax runs along each row (axis=-1), not down the columns.",
                fn=lambda z, Y: (_softmax_axis0(z) - Y) / z.shape[0] if z.shape[0] > 1 else None),
    ],
    gradient=Gradient(_sce_loss, 0, "the mean cross-entropy of softmax")))

_spec(ArraySpec(
    "l2_penalty", lambda: _l2_cases("l2_penalty"), output="scalar",
    mistakes=[
        Mistake("Include the factor 1/2: lam / 2 * sum(w**2).", fn=lambda w, lam: lam * np.sum(w**2)),
        Mistake("Sum over all weights; don't average.", fn=lambda w, lam: lam / 2 * np.mean(w**2)),
        Mistake("Square the weights: sum(|w|) is the L1 penalty.", fn=lambda w, lam: lam / 2 * np.sum(np.abs(w))),
        Mistake("Use the sum of squares, not the norm (no square root).",
                fn=lambda w, lam: lam / 2 * np.sqrt(np.sum(w**2))),
        Mistake("Multiply by lam / 2, don't divide by it.",
                fn=lambda w, lam: np.sum(w**2) / (lam / 2) if lam else None),
    ]))

_spec(ArraySpec(
    "sgd_step", lambda: _sgd_cases("sgd_step"),
    mistakes=[
        Mistake("Step against the gradient: w - lr * grad, not w + lr * grad.", fn=lambda w, g, lr: w + lr * g),
        Mistake("Scale the gradient by the learning rate: w - lr * grad.", fn=lambda w, g, lr: w - g),
        Mistake("You return the step lr * grad; return the updated weights w - lr * grad.",
                fn=lambda w, g, lr: -lr * g),
        Mistake("You return the step lr * grad; return the updated weights w - lr * grad.",
                fn=lambda w, g, lr: lr * g),
    ],
    mutation_hint="`w -= lr * grad` changes the caller's array; write `return w - lr * grad` instead."))

_spec(ArraySpec(
    "adam_step", lambda: _adam_cases("adam_step"), output="tuple", parts=("w", "m", "v"),
    mistakes=[
        Mistake("Correct the bias of both moments before the step: m_hat = m / (1 - beta1**t) and "
                "v_hat = v / (1 - beta2**t), with t counted from 1.", fn=_adam_mistake(correct=False)),
        Mistake("Add eps outside the square root: sqrt(v_hat) + eps, not sqrt(v_hat + eps).",
                fn=_adam_mistake(eps_inside=True)),
        Mistake("t counts steps from 1: use beta1**t and beta2**t as given, without shifting t.",
                fn=_adam_mistake(t_shift=1)),
        Mistake("t counts steps from 1: use beta1**t and beta2**t as given, without shifting t.",
                test=_adam_t_minus_one),
        Mistake("v averages the squared gradient: v = beta2 * v + (1 - beta2) * grad**2.",
                fn=_adam_mistake(square=False)),
        Mistake("Update m and v first, then use the new values in the step.", fn=_adam_mistake(old_moments=True)),
        Mistake("m uses beta1 and v uses beta2, not the other way round.", fn=_adam_mistake(swap_betas=True)),
        Mistake("Return the moving averages m and v themselves, not the bias-corrected m_hat and v_hat.",
                fn=_adam_mistake(return_hat=True)),
        Mistake("Return (w, m, v) in this order.",
                fn=lambda *args: (lambda w, m, v: (w, v, m))(*R.adam_step(*args))),
        Mistake("Step against the gradient: w - lr * m_hat / (sqrt(v_hat) + eps).",
                fn=lambda *args: (lambda w, m, v: (2 * args[0] - w, m, v))(*R.adam_step(*args))),
    ],
    mutation_hint="Augmented assignments such as `m *= beta1` or `w -= ...` change the caller's arrays: "
                  "write `m = beta1 * m + (1 - beta1) * grad` and so on instead."))

_spec(ArraySpec(
    "clip_by_global_norm", lambda: _clip_cases("clip_by_global_norm"), output="list",
    mistakes=[
        Mistake("Clip by the joint norm of all arrays together (one common scale for all), not each array "
                "separately.", fn=_clip_each),
        Mistake("Only scale when the global norm exceeds max_norm; smaller gradients stay unchanged.",
                fn=_clip_always),
        Mistake("The global norm is the square root of the sum of all squares.",
                fn=_clip_by(lambda gs: sum(float(np.sum(g**2)) for g in gs))),
        Mistake("Use the L2 norm (square root of the sum of squares), not the sum of absolute values.",
                fn=_clip_by(lambda gs: sum(float(np.sum(np.abs(g))) for g in gs))),
        Mistake("The scale factor is max_norm / norm, not norm / max_norm.",
                fn=lambda gs, c: (lambda n: [g * (n / c) if n > c else g * 1.0 for g in gs])(
                    math.sqrt(sum(float(np.sum(g**2)) for g in gs)))),
    ],
    mutation_hint="`g *= scale` changes the caller's arrays: build a new list, e.g. [g * scale for g in grads]."))

_spec(ArraySpec(
    "dense_forward", lambda: _dense_cases("dense_forward"),
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
    ]))

_spec(ArraySpec(
    "batchnorm_forward", lambda: _norm_cases("batchnorm_forward", per_row=False),
    mistakes=[
        Mistake("Add eps inside the square root, sqrt(var + eps), so that a constant feature does not divide "
                "by zero.", test=lambda case, plain: "constant" in case.tags and not _finite(plain)),
        Mistake("Batch norm normalises each feature over the batch: mean and variance along axis=0 (down the "
                "columns), not along each row.", fn=_norm_mistake(axis=-1)),
        Mistake("Use the biased variance (np.var's default ddof=0), not ddof=1.", fn=_norm_mistake(ddof=1)),
        Mistake("Add eps inside the square root: sqrt(var + eps).", fn=_norm_mistake(eps_outside=True)),
        Mistake("Add eps inside the square root, sqrt(var + eps), so that a constant feature does not divide "
                "by zero.", fn=_norm_mistake(no_eps=True)),
        Mistake("Scale by gamma and shift by beta after normalising: gamma * x_hat + beta.",
                fn=_norm_mistake(affine=False)),
        Mistake("Divide by the standard deviation sqrt(var + eps), not by the variance.",
                fn=_norm_mistake(divide_var=True)),
    ]))

_spec(ArraySpec(
    "layernorm_forward", lambda: _norm_cases("layernorm_forward", per_row=True),
    mistakes=[
        Mistake("Add eps inside the square root, sqrt(var + eps), so that a constant row does not divide by "
                "zero.", test=lambda case, plain: "constant" in case.tags and not _finite(plain)),
        Mistake("Layer norm normalises each row (example) over its features: mean and variance along the last "
                "axis with keepdims=True, not down the columns.", fn=_norm_mistake(axis=0)),
        Mistake("Use the biased variance (np.var's default ddof=0), not ddof=1.", fn=_norm_mistake(axis=-1, ddof=1)),
        Mistake("Add eps inside the square root: sqrt(var + eps).", fn=_norm_mistake(axis=-1, eps_outside=True)),
        Mistake("Add eps inside the square root, sqrt(var + eps), so that a constant row does not divide by "
                "zero.", fn=_norm_mistake(axis=-1, no_eps=True)),
        Mistake("Scale by gamma and shift by beta after normalising: gamma * x_hat + beta.",
                fn=_norm_mistake(axis=-1, affine=False)),
        Mistake("Divide by the standard deviation sqrt(var + eps), not by the variance.",
                fn=_norm_mistake(axis=-1, divide_var=True)),
        Mistake("Keep the reduced axis (keepdims=True) so that each row is centred by its own mean.",
                fn=lambda x, g, b, eps=1e-5: (g * (x - x.mean(axis=-1)) / np.sqrt(x.var(axis=-1) + eps) + b)
                if x.shape[0] == x.shape[1] else None),
    ],
    exception_hints=[
        ("ValueError", "broadcast", "Keep the reduced axis (keepdims=True) so that each row is centred and "
                                    "scaled by its own mean and variance."),
    ]))

_spec(ArraySpec(
    "dropout_forward", lambda: _dropout_cases("dropout_forward"),
    mistakes=[
        Mistake("Inverted dropout divides by keep_prob, so that the expected activation stays the same.",
                fn=lambda x, mask, p: x * mask),
        Mistake("Divide by keep_prob, don't multiply by it.", fn=lambda x, mask, p: x * mask * p),
        Mistake("keep_prob is the probability of keeping a unit: divide by keep_prob, not by 1 - keep_prob.",
                fn=lambda x, mask, p: x * mask / (1 - p) if p < 1 else None),
        Mistake("The mask marks the units to keep (1 = keep): multiply by mask, not by 1 - mask.",
                fn=lambda x, mask, p: x * (1 - np.asarray(mask, dtype=float)) / p),
        Mistake("Use the mask you are given; don't draw a new random one.", test=_ignores_mask),
    ]))


# -------------------------------------------------------------------------------------- runner

GENERIC_EXCEPTION_HINTS = [
    ("ValueError", "truth value of an array", "`if z > 0:` and Python's max() or min() work on single "
     "numbers, not arrays: use np.where(condition, a, b), np.maximum or np.minimum, which work elementwise."),
    ("NameError", "'np' is not defined", "Import NumPy in your cell: `import numpy as np`."),
    ("NameError", "", "Your function uses a name that is not defined: check its spelling, and run the cell "
                      "that defines it."),
    ("NotImplementedError", "", "Replace the `raise NotImplementedError` with your implementation."),
    ("RecursionError", "", "Your function keeps calling itself: check that it does not call its own name."),
    ("ValueError", "broadcast", "Two arrays with incompatible shapes were combined: print their .shape to "
                                "find which."),
    ("ValueError", "matmul", "The inner dimensions of a matrix product do not match: print the shapes."),
    ("ZeroDivisionError", "", "A Python division by zero: NumPy arrays give inf or nan instead; check which "
                              "quantity can be 0."),
]


def signature_text(name: str, entry: str | None = None) -> str:
    """'relu_backward(dz, z)', from the reference function."""
    fn = getattr(R, name)
    return f"{entry or name}{inspect.signature(fn)}"


def arg_names(name: str) -> tuple[str, ...]:
    """The reference function's parameter names."""
    return tuple(inspect.signature(getattr(R, name)).parameters)


def show_value(value, indent: int) -> str:
    """A compact, readable repr of an input value (arrays at 6 significant digits)."""
    with np.printoptions(precision=6, threshold=60, linewidth=88, suppress=False):
        if isinstance(value, list):
            text = "[" + ",\n".join(repr(v) for v in value) + "]"
        else:
            text = repr(value)
    return text.replace("\n", "\n" + " " * indent)


def show_inputs(names: tuple[str, ...], args: tuple) -> str:
    """One `name = value` line per argument."""
    width = max(len(n) for n in names[: len(args)])
    lines = []
    for name, value in zip(names, args):
        lines.append(f"{name.ljust(width)} = {show_value(value, width + 3)}")
    return "\n".join(lines)


def exception_hint(spec: ArraySpec, exc: BaseException | None, signature: str) -> str | None:
    """The hint for a known exception, if any."""
    if exc is None:
        return None
    kind = type_name(exc)
    message = safe_str(exc, 1000) if isinstance(exc, Exception) else ""
    if kind == "TypeError" and ("positional argument" in message or "unexpected keyword" in message):
        return f"Check your function's signature: it should be `{signature}`."
    for name, text, hint in spec.exception_hints + GENERIC_EXCEPTION_HINTS:
        if kind == name and text in message:
            return hint
    return None


def _matches(mistake: Mistake, comparer: Comparer, case: Case, plain, expected) -> bool:
    try:
        if mistake.test is not None:
            return bool(mistake.test(case, plain))
        wrong = mistake.fn(*_copies(case.args))
        # A mistake explains a case only if it gives a wrong answer there.
        return comparer.same(plain, wrong) and not comparer.same(expected, wrong)
    except Exception:  # a mistake that does not apply to this case's shapes
        return False


def mistake_hint(spec: ArraySpec, comparer: Comparer, failures: list[tuple[Case, object, object]]) -> str | None:
    """The hint of the known mistake that best reproduces the learner's outputs on the failing cases.

    `failures` holds (case, the learner's output as plain arrays, the expected output). Mistakes
    matching the first failing case (the one shown) come first; among them, the one matching the
    most failing cases wins, so that a case where two mistakes coincide does not decide alone.
    """
    best, best_score = None, (False, 0)
    for mistake in spec.mistakes:
        matched = [_matches(mistake, comparer, case, plain, expected) for case, plain, expected in failures]
        score = (matched[0], sum(matched))
        if score[1] and score > best_score:
            best, best_score = mistake, score
    return best.hint if best else None


def gradient_note(spec: ArraySpec, case: Case, plain) -> str | None:
    """Compare the learner's gradient(s) with central differences of the forward, for the feedback."""
    grads = spec.gradient if isinstance(spec.gradient, tuple) else (spec.gradient,)
    for grad in grads:
        note = _gradient_note(grad, case, plain) if grad is not None else None
        if note:
            return note
    return None


def _gradient_note(grad: Gradient, case: Case, plain) -> str | None:
    if plain is None or isinstance(plain, tuple) != (grad.part is not None):
        return None
    if grad.part is not None:
        if len(plain) <= grad.part:
            return None
        plain = plain[grad.part]
    x = case.args[grad.wrt] if grad.at is None else grad.at(case.args)
    analytic = np.asarray(plain, dtype=float)
    if analytic.shape != np.shape(x):
        return None
    args = list(_copies(case.args))

    def loss(value):
        if grad.at is None:
            args[grad.wrt] = value
        return grad.loss(tuple(args), value)

    numeric = numerical_gradient(np, loss, x)
    kink = grad.kink(case.args) if grad.kink else None
    away = None if kink is None else ~kink
    found = first_difference(np, numeric, analytic, 1e-4, 1e-6, away)
    if found is not None:
        index, count = found
        return (f"your gradient differs from the numerical gradient (central differences of {grad.forward}) "
                f"at index {format_index(index)}: numerical {format_number(numeric[index])}, yours "
                f"{format_number(analytic[index])}" + (f" ({count} entries differ)." if count > 1 else "."))
    if kink is not None and kink.any() and first_difference(np, numeric, analytic, 1e-4, 1e-6) is not None:
        return grad.kink_note
    return None


def _copies(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else [x.copy() for x in a] if isinstance(a, list) else a
                 for a in args)


def run_array_check(spec: ArraySpec, candidate, harness: Harness, entry: str) -> Result:
    """Run every case of spec against candidate and describe the first failure."""
    reference = getattr(R, spec.name)
    names = arg_names(spec.name)
    signature = signature_text(spec.name, entry)
    comparer = Comparer(np, harness, spec.rtol, spec.atol)
    cases = spec.cases()
    failed: list[tuple[Case, Call, Finding | None, object]] = []
    ran = 0
    for case in cases:
        expected = reference(*_copies(case.args))
        call = harness.call(candidate, case.args, names[: len(case.args)])
        ran += 1
        if call.timed_out:
            failed.append((case, call, None, expected))
            break
        if not call.ok:
            failed.append((case, call, None, expected))
            continue
        if spec.accept is not None:
            expected = spec.accept(case.args, expected, comparer.to_plain(call.value, spec.output))
        finding = comparer.compare(spec.output, call.value, expected, spec.parts)
        if finding is not None:
            failed.append((case, call, finding, expected))
    random_count = sum("random" in c.tags for c in cases)
    notes = harness.warning_notes()
    if not failed:
        return Result(True, f"passed all {len(cases)} cases ({len(cases) - random_count} hand-picked, "
                            f"{random_count} random).", name=entry, notes=notes)
    return _failure_result(spec, entry, signature, names, comparer, harness, failed, ran, len(cases), notes)


def _failure_result(spec, entry, signature, names, comparer, harness, failed, ran, total, notes) -> Result:
    case, call, finding, _ = failed[0]
    inputs = Block("Failing case", f"{case.label}\n{show_inputs(names, case.args)}")
    blocks = []
    hint = None
    summary = _count(failed, total)
    if failed[-1][1].timed_out and len(failed) > 1:
        summary = summary[:-1] + f" (the check stopped at case {ran}, out of time)."
    if call.timed_out:
        summary = f"ran out of time on case {ran} of {total}."
        blocks += [Block("What went wrong", harness.timeout_sentence(call), code=False), inputs]
    elif call.error is not None:
        blocks += [Block("What went wrong", call.error, code=False), inputs]
        hint = exception_hint(spec, call.exception, signature)
    elif call.mutated is not None:
        blocks += [Block("What went wrong", call.mutated, code=False), inputs]
        hint = spec.mutation_hint
    else:
        blocks += [Block("What went wrong", finding.sentence, code=False), inputs]
        if finding.report:
            blocks.append(Block("Comparison (numpy.testing.assert_allclose)", finding.report))
        plain = comparer.to_plain(call.value, spec.output)
        compared = [(c, comparer.to_plain(k.value, spec.output), e) for c, k, f, e in failed if f is not None]
        hint = finding.hint or mistake_hint(spec, comparer, compared)
        note = gradient_note(spec, case, plain)
        if note:
            blocks.append(Block("Gradient check", note, code=False))
    return Result(False, summary, name=entry, blocks=tuple(blocks), hint=hint, notes=notes)


def _count(failed, total) -> str:
    n = len(failed)
    return f"{n} of {total} cases failed; the first is shown below." if n > 1 else \
        f"1 of {total} cases failed."


# ============================================================================================
# Issue 10's checks. One block, kept together so that it can move as a unit into the grading
# package's per-topic layout: cases, known mistakes and gradient checks for eight new functions.
# ============================================================================================

def _with_part(reference: Callable, index: int, fn: Callable) -> Callable:
    """A mistake that gets one element of a tuple output wrong and the others right."""
    def mistake(*args):
        out = list(reference(*args))
        out[index] = fn(*args)
        return tuple(out)
    return mistake


def _dense_backward_cases(name: str) -> list[Case]:
    rng = _rng(name)
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
    rng = _rng(name)
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


def _momentum_cases(name: str) -> list[Case]:
    rng = _rng(name)
    w, g = F([0.5, -1.0, 2.0]), F([0.1, -0.2, 0.3])
    cases = [
        Case("first step from velocity 0, lr = 0.1", (w, g, np.zeros(3), 0.1)),
        Case("non-zero velocity, lr = 0.1", (w, g, F([0.5, 0.5, -1.0]), 0.1)),
        Case("beta = 0.5", (w, g, F([1.0, -2.0, 0.0]), 0.01, 0.5), frozenset({"beta"})),
        Case("beta = 0 (plain SGD)", (w, g, F([3.0, 3.0, 3.0]), 0.1, 0.0), frozenset({"beta"})),
        Case("lr = 0 (w stays, the velocity still updates)", (w, g, F([0.2, 0.0, -0.2]), 0.0)),
        Case("2-D weights of shape (2, 3)", (F([[1.0, 0.0, -1.0], [2.0, 3.0, 4.0]]), F([[1.0, -1.0, 0.0], [0.5, 0.5, 2.0]]),
                                             F([[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]]), 0.05)),
    ]
    for shape in [(5,), (3, 4)]:
        cases.append(Case(f"random arrays of shape {shape}, lr = 0.01",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, shape), 0.01),
                          frozenset({"random"})))
    return cases


def _momentum_variant(w, grad, velocity, lr, beta=0.9, *, damp=False, old=False, lr_inside=False):
    v = beta * velocity + ((1 - beta) * grad if damp else grad)
    if lr_inside:
        v = beta * velocity - lr * grad
        return w + v, v
    return w - lr * (velocity if old else v), v


def _rmsprop_cases(name: str) -> list[Case]:
    rng = _rng(name)
    w, g = F([0.5, -1.0, 2.0]), F([0.1, -0.2, 0.3])
    cases = [
        Case("first step from s = 0, default hyper-parameters", (w, g, np.zeros(3))),
        Case("non-zero s", (w, g, F([0.01, 0.02, 0.05]))),
        Case("two very different gradients (0.1 and 10)", (F([1.0, 1.0]), F([0.1, 10.0]), np.zeros(2), 0.01)),
        Case("tiny gradients, where eps matters", (w, F([1e-6, -2e-6, 5e-7]), np.zeros(3)), frozenset({"tiny"})),
        Case("custom lr = 0.01, beta = 0.5, eps = 1e-6", (w, g, F([0.02, 0.0, 0.1]), 0.01, 0.5, 1e-6),
             frozenset({"beta"})),
        Case("2-D weights of shape (3, 2)", (F([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                             F([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]),
                                             F([[1e-4, 4e-4], [9e-4, 1.6e-3], [2.5e-3, 3.6e-3]]))),
    ]
    for shape in [(4,), (2, 3)]:
        cases.append(Case(f"random arrays of shape {shape}",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 0.5, shape), rng.uniform(0.0, 0.05, shape)),
                          frozenset({"random"})))
    return cases


def _rmsprop_variant(w, grad, s, lr=1e-3, beta=0.9, eps=1e-8, *, eps_inside=False, square=True, old=False,
                     no_sqrt=False, swap=False, no_damp=False):
    g2 = grad**2 if square else grad
    s_new = (1 - beta) * s + beta * g2 if swap else beta * s + (g2 if no_damp else (1 - beta) * g2)
    ss = s if old else s_new
    denom = np.sqrt(ss + eps) if eps_inside else (ss + eps if no_sqrt else np.sqrt(ss) + eps)
    return w - lr * grad / denom, s_new


def _log_softmax_cases(name: str) -> list[Case]:
    cases = _softmax_cases(name)
    cases.insert(5, Case("one logit 800 below the others (its probability underflows to 0)",
                         (F([[0.0, -800.0, 1.0], [2.0, 0.0, -1.0]]),), frozenset({"far"})))
    return cases


def _log_softmax_axis(z, axis):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def _cross_entropy_logits_cases(name: str) -> list[Case]:
    cases = _sce_backward_cases(name)
    cases.insert(4, Case("a wrong class 1000 above the right one (softmax gives it all the mass)",
                         (F([[0.0, 1000.0], [2.0, 1.0]]), F([[1, 0], [1, 0]])), frozenset({"far", "large"})))
    return cases


def _conv_cases(name: str) -> list[Case]:
    rng = _rng(name)
    x5 = F([[1, 2, 0, 1, 3], [0, 1, 2, 3, 1], [2, 0, 1, 0, 2], [1, 3, 0, 2, 1], [0, 1, 1, 0, 2]])
    k3 = F([[1, 0, -1], [2, 1, 0], [0, -1, 3]])
    x4 = F([[1, 2, 0, 1], [3, 1, 1, 0], [0, 2, 4, 1], [1, 0, 2, 3]])
    cases = [
        Case("a 3×3 kernel on a 5×5 input, stride 1, no padding", (x5, k3)),
        Case("stride 2, the windows do not overlap", (x4, F([[1, -1], [0, 2]]), 0.0, 2), frozenset({"stride"})),
        Case("padding 1 keeps the size", (x4, k3, 0.0, 1, 1), frozenset({"padding"})),
        Case("a bias of 0.5", (x5, k3, 0.5)),
        Case("stride 3 where the last window does not fit", (np.arange(64.0).reshape(8, 8) % 5, k3, 0.0, 3),
             frozenset({"stride"})),
        Case("a 2×3 kernel on a 6×4 input, stride 2, padding 1",
             (np.arange(24.0).reshape(6, 4) % 7 - 3, F([[1, 0, 2], [-1, 1, 0]]), -1.0, 2, 1),
             frozenset({"stride", "padding"})),
        Case("a 1×1 kernel", (x4, F([[2.0]]), 1.0)),
    ]
    for shape, k, stride, padding in [((6, 6), (3, 3), 1, 0), ((9, 7), (3, 3), 2, 1), ((5, 8), (2, 2), 1, 2)]:
        cases.append(Case(f"random {shape[0]}×{shape[1]} input, {k[0]}×{k[1]} kernel, stride {stride}, "
                          f"padding {padding}", (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, k),
                                                 float(rng.normal()), stride, padding), frozenset({"random"})))
    return cases


def _conv_variant(x, kernel, bias=0.0, stride=1, padding=0, *, flip=False, no_stride=False, no_plus_one=False,
                  no_padding=False, one_side=False, no_bias=False):
    kernel = np.flip(kernel) if flip else kernel
    if not no_padding:
        x = np.pad(x, ((padding, 0), (padding, 0)) if one_side else padding)
    s = 1 if no_stride else stride
    kh, kw = kernel.shape
    rows, cols = (x.shape[0] - kh) // s + (0 if no_plus_one else 1), (x.shape[1] - kw) // s + (0 if no_plus_one else 1)
    if rows <= 0 or cols <= 0:
        return None
    out = np.array([[np.sum(x[i * s:i * s + kh, j * s:j * s + kw] * kernel) for j in range(cols)]
                    for i in range(rows)])
    return out if no_bias else out + bias


_spec(ArraySpec(
    "dense_backward", lambda: _dense_backward_cases("dense_backward"), output="tuple", parts=("dx", "dW", "db"),
    mistakes=[
        Mistake("W has shape (out, in): going back from the outputs to the inputs is dx = dout @ W, not dout @ W.T.",
                fn=_with_part(R.dense_backward, 0, lambda dout, x, W: dout @ W.T)),
        Mistake("dW has the shape of W, (out, in): dW = dout.T @ x, not x.T @ dout.",
                fn=_with_part(R.dense_backward, 1, lambda dout, x, W: x.T @ dout)),
        Mistake("dout already holds the 1/n of a mean loss: dW = dout.T @ x, without dividing by n again.",
                fn=_with_part(R.dense_backward, 1, lambda dout, x, W: dout.T @ x / x.shape[0])),
        Mistake("db adds up dout over the batch: np.sum(dout, axis=0), not the mean.",
                fn=_with_part(R.dense_backward, 2, lambda dout, x, W: dout.mean(axis=0))),
        Mistake("db has one entry per output unit: sum dout over the batch only, np.sum(dout, axis=0).",
                fn=_with_part(R.dense_backward, 2, lambda dout, x, W: np.sum(dout))),
        Mistake("db has one entry per output unit: sum dout over the batch only, np.sum(dout, axis=0).",
                fn=_with_part(R.dense_backward, 2, lambda dout, x, W: np.sum(dout, axis=1))),
        Mistake("Return (dx, dW, db) in this order.", fn=lambda *a: (lambda dx, dW, db: (dW, dx, db))(*R.dense_backward(*a))),
        _sign(R.dense_backward, "every gradient"),
    ],
    exception_hints=[
        ("ValueError", "matmul", "Check the shapes: dx = dout @ W is (n, in) and dW = dout.T @ x is (out, in)."),
    ],
    gradient=(Gradient(lambda args, v: float(np.sum(args[0] * (v @ args[2].T))), 1, "dense_forward", part=0),
              Gradient(lambda args, v: float(np.sum(args[0] * (args[1] @ v.T))), 2, "dense_forward", part=1),
              Gradient(lambda args, v: float(np.sum(args[0] * v)), 0, "dense_forward", part=2,
                       at=lambda args: np.zeros(args[2].shape[0])))))

_spec(ArraySpec(
    "batchnorm_backward", lambda: _batchnorm_backward_cases("batchnorm_backward"), output="tuple",
    parts=("dx", "dgamma", "dbeta"),
    mistakes=[
        Mistake("The batch mean and variance depend on every x as well: dx is not just dout * gamma / std. "
                "Subtract the column mean of dx_hat and x_hat times the column mean of dx_hat * x_hat "
                "(each column of dx then sums to 0).", fn=_bn_mistake(dx=_bn_dx(mean_path=False, var_path=False))),
        Mistake("Include the path through the variance: subtract x_hat * np.sum(dx_hat * x_hat, axis=0) / n as well.",
                fn=_bn_mistake(dx=_bn_dx(var_path=False))),
        Mistake("Include the path through the mean: subtract np.sum(dx_hat, axis=0) / n as well.",
                fn=_bn_mistake(dx=_bn_dx(mean_path=False))),
        Mistake("Scale by gamma first: dx_hat = dout * gamma, since the output is gamma * x_hat + beta.",
                fn=_bn_mistake(dx=_bn_dx(gamma=False))),
        Mistake("Use the biased variance (ddof=0), as the forward pass does.", fn=_bn_mistake(dx=_bn_dx(ddof=1))),
        Mistake("dgamma = np.sum(dout * x_hat, axis=0) and dbeta = np.sum(dout, axis=0), not the other way round.",
                fn=_bn_mistake(dgamma=lambda dout, x, x_hat: dout.sum(axis=0),
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
                       2, "batchnorm_forward", part=1))))

_spec(ArraySpec(
    "dropout_backward", lambda: _dropout_cases("dropout_backward"),
    mistakes=[
        Mistake("The forward pass divided by keep_prob, so the backward pass divides by keep_prob too.",
                fn=lambda dout, mask, p: dout * mask),
        Mistake("Divide by keep_prob, don't multiply by it.", fn=lambda dout, mask, p: dout * mask * p),
        Mistake("keep_prob is the probability of keeping a unit: divide by keep_prob, not by 1 - keep_prob.",
                fn=lambda dout, mask, p: dout * mask / (1 - p) if p < 1 else None),
        Mistake("The mask marks the units kept (1 = keep): the gradient flows through mask, not 1 - mask.",
                fn=lambda dout, mask, p: dout * (1 - np.asarray(mask, dtype=float)) / p),
        Mistake("Multiply the upstream gradient dout by mask / keep_prob: mask / keep_prob alone is only the local "
                "derivative.", fn=lambda dout, mask, p: np.asarray(mask, dtype=float) / p),
        Mistake("Use the forward pass's mask; a new random mask sends the gradient to units that were dropped.",
                test=_ignores_mask),
    ],
    gradient=Gradient(lambda args, v: float(np.sum(args[0] * R.dropout_forward(v, args[1], args[2]))), 0,
                      "dropout_forward", at=lambda args: np.ones(np.shape(args[0])))))

_spec(ArraySpec(
    "momentum_step", lambda: _momentum_cases("momentum_step"), output="tuple", parts=("w", "velocity"),
    mistakes=[
        Mistake("Update the velocity first, then step with the new velocity: w - lr * velocity_new.",
                fn=lambda *a: _momentum_variant(*a, old=True)),
        Mistake("In this convention the velocity adds the whole gradient: velocity = beta * velocity + grad "
                "(no factor 1 - beta).", fn=lambda *a: _momentum_variant(*a, damp=True)),
        Mistake("Keep the learning rate out of the velocity: velocity = beta * velocity + grad, then "
                "w - lr * velocity.", fn=lambda *a: _momentum_variant(*a, lr_inside=True)),
        Mistake("Use the beta argument instead of a fixed 0.9.",
                test=lambda case, plain: "beta" in case.tags and plain is not None and len(plain) == 2
                and all(np.allclose(p, e) for p, e in zip(plain, R.momentum_step(*case.args[:4])))),
        Mistake("Step against the velocity: w - lr * velocity.",
                fn=lambda *a: (lambda w, v: (2 * a[0] - w, v))(*R.momentum_step(*a))),
        Mistake("Return (w, velocity) in this order.", fn=lambda *a: R.momentum_step(*a)[::-1]),
    ],
    mutation_hint="`velocity *= beta` or `w -= ...` changes the caller's arrays: write "
                  "`velocity = beta * velocity + grad` and return new arrays."))

_spec(ArraySpec(
    "rmsprop_step", lambda: _rmsprop_cases("rmsprop_step"), output="tuple", parts=("w", "s"),
    mistakes=[
        Mistake("Add eps outside the square root: sqrt(s) + eps.", fn=lambda *a: _rmsprop_variant(*a, eps_inside=True)),
        Mistake("s averages the squared gradient: s = beta * s + (1 - beta) * grad**2.",
                fn=lambda *a: _rmsprop_variant(*a, square=False)),
        Mistake("Update s first, then divide by the square root of the new s.", fn=lambda *a: _rmsprop_variant(*a, old=True)),
        Mistake("Divide by the square root of s (a root-mean-square), not by s itself.",
                fn=lambda *a: _rmsprop_variant(*a, no_sqrt=True)),
        Mistake("The old s keeps the weight beta and the new squared gradient gets 1 - beta, not the other way round.",
                fn=lambda *a: _rmsprop_variant(*a, swap=True)),
        Mistake("s is a moving average: the new squared gradient enters with weight 1 - beta.",
                fn=lambda *a: _rmsprop_variant(*a, no_damp=True)),
        Mistake("Step against the gradient: w - lr * grad / (sqrt(s) + eps).",
                fn=lambda *a: (lambda w, s: (2 * a[0] - w, s))(*R.rmsprop_step(*a))),
        Mistake("Return (w, s) in this order.", fn=lambda *a: R.rmsprop_step(*a)[::-1]),
    ],
    mutation_hint="`s *= beta` or `w -= ...` changes the caller's arrays: compute new arrays and return them."))

_spec(ArraySpec(
    "log_softmax", lambda: _log_softmax_cases("log_softmax"),
    mistakes=[
        Mistake("np.log(softmax(z)) is -inf where a probability underflows to 0: compute the log directly, "
                "z - m - log(sum(exp(z - m))) with m the row's maximum.",
                test=lambda case, plain: "far" in case.tags and not _finite(plain)),
        Mistake("Subtract each row's own maximum (keepdims=True), not the maximum of the whole array.",
                test=lambda case, plain: "mixed" in case.tags and not _finite(plain)),
        _overflow("exp(1000) overflows to inf: subtract each row's maximum m first and use "
                  "z - m - log(sum(exp(z - m)))."),
        Mistake("z - max(z) is only half of it: subtract log(sum(exp(z - max(z)))) as well.",
                fn=lambda z: z - z.max(axis=-1, keepdims=True)),
        Mistake("Return the log-probabilities, not the probabilities.", fn=R.softmax),
        Mistake("Normalise along the last axis (each row), not down the columns.",
                fn=lambda z: _log_softmax_axis(z, 0) if z.ndim == 2 else None),
        Mistake("Normalise each row separately, not over the whole array.",
                fn=lambda z: z - z.max() - np.log(np.sum(np.exp(z - z.max())))),
    ],
    exception_hints=[
        ("AxisError", "out of bounds", "Use axis=-1, the last axis, so that both 1-D and 2-D inputs work."),
        ("ValueError", "broadcast", "Keep the reduced axis (keepdims=True) so that each row uses its own maximum "
                                    "and sum."),
    ]))

_spec(ArraySpec(
    "cross_entropy_from_logits", lambda: _cross_entropy_logits_cases("cross_entropy_from_logits"), output="scalar",
    mistakes=[
        Mistake("log(softmax(logits)) is -inf when a probability underflows to 0: use log_softmax, "
                "z - m - log(sum(exp(z - m))), and never take the log of a probability.",
                test=lambda case, plain: "far" in case.tags and not _finite(plain)),
        _overflow("exp(1000) overflows to inf: subtract each row's maximum before exponentiating."),
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
                test=lambda case, plain: plain is not None and not isinstance(plain, tuple) and np.ndim(plain) > 0),
    ]))

_spec(ArraySpec(
    "conv2d_forward", lambda: _conv_cases("conv2d_forward"),
    mistakes=[
        Mistake("Slide the kernel as given (cross-correlation), without flipping it: np.flip makes it a "
                "mathematical convolution.", fn=lambda *a: _conv_variant(*a, flip=True)),
        Mistake("Move the window `stride` positions at a time: window (i, j) starts at row i * stride and "
                "column j * stride.", fn=lambda *a: _conv_variant(*a, no_stride=True)),
        Mistake("The output has (H + 2 * padding - k) // stride + 1 rows: count the window at position 0 too.",
                fn=lambda *a: _conv_variant(*a, no_plus_one=True)),
        Mistake("Pad the input with `padding` zeros on every side first, e.g. np.pad(x, padding).",
                fn=lambda *a: _conv_variant(*a, no_padding=True)),
        Mistake("Pad both sides: `padding` zeros above and below, left and right.",
                fn=lambda *a: _conv_variant(*a, one_side=True)),
        Mistake("Add the bias to every output entry.", fn=lambda *a: _conv_variant(*a, no_bias=True)),
    ],
    exception_hints=[
        ("ValueError", "broadcast", "A window ran past the edge of the input: compute the output size "
                                    "(H + 2 * padding - k) // stride + 1 first and loop only over it."),
        ("ValueError", "could not broadcast", "A window ran past the edge of the input: compute the output size "
                                              "first and loop only over it."),
    ]))
