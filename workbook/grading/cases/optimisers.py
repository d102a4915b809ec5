"""Optimiser steps: plain SGD, momentum, RMSProp, Adam, clipping by the global norm."""

from __future__ import annotations

import math

from ..lazy import R, np
from ..spec import ArraySpec, Case, Mistake
from .common import F, copies, finite, rng_for


def _sgd_cases(name: str) -> list[Case]:
    rng = rng_for(name)
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
    rng = rng_for(name)
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
    w, m, v = R.adam_step(*copies(case.args))
    return not finite(plain[0]) and bool(np.allclose(plain[1], m) and np.allclose(plain[2], v))


def _adam_mistake(**options):
    return lambda *args: _adam_variant(*args, **options)


def _clip_cases(name: str) -> list[Case]:
    rng = rng_for(name)
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


SPECS = [
    ArraySpec(
        "sgd_step", lambda: _sgd_cases("sgd_step"),
        summary="returns w - lr * grad, w unchanged.",
        mistakes=[
            Mistake("Step against the gradient: w - lr * grad, not w + lr * grad.", fn=lambda w, g, lr: w + lr * g),
            Mistake("Scale the gradient by the learning rate: w - lr * grad.", fn=lambda w, g, lr: w - g),
            Mistake("You return the step lr * grad; return the updated weights w - lr * grad.",
                    fn=lambda w, g, lr: -lr * g),
            Mistake("You return the step lr * grad; return the updated weights w - lr * grad.",
                    fn=lambda w, g, lr: lr * g),
        ],
        mutation_hint="`w -= lr * grad` changes the caller's array; write `return w - lr * grad` instead."),
    ArraySpec(
        "adam_step", lambda: _adam_cases("adam_step"), output="tuple", parts=("w", "m", "v"),
        summary="returns (w, m, v); t from 1; bias-corrected; eps outside the sqrt.",
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
                      "write `m = beta1 * m + (1 - beta1) * grad` and so on instead."),
    ArraySpec(
        "clip_by_global_norm", lambda: _clip_cases("clip_by_global_norm"), output="list",
        summary="list in, list out, joint L2 norm <= max_norm.",
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
        mutation_hint="`g *= scale` changes the caller's arrays: build a new list, e.g. [g * scale for g in grads]."),
]


# Momentum and RMSProp (issue 10).

def _momentum_cases(name: str) -> list[Case]:
    rng = rng_for(name)
    w, g = F([0.5, -1.0, 2.0]), F([0.1, -0.2, 0.3])
    cases = [
        Case("first step from velocity 0, lr = 0.1", (w, g, np.zeros(3), 0.1)),
        Case("non-zero velocity, lr = 0.1", (w, g, F([0.5, 0.5, -1.0]), 0.1)),
        Case("beta = 0.5", (w, g, F([1.0, -2.0, 0.0]), 0.01, 0.5), frozenset({"beta"})),
        Case("beta = 0 (plain SGD)", (w, g, F([3.0, 3.0, 3.0]), 0.1, 0.0), frozenset({"beta"})),
        Case("lr = 0 (w stays, the velocity still updates)", (w, g, F([0.2, 0.0, -0.2]), 0.0)),
        Case("2-D weights of shape (2, 3)", (F([[1.0, 0.0, -1.0], [2.0, 3.0, 4.0]]),
                                             F([[1.0, -1.0, 0.0], [0.5, 0.5, 2.0]]),
                                             F([[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]]), 0.05)),
    ]
    for shape in [(5,), (3, 4)]:
        cases.append(Case(f"random arrays of shape {shape}, lr = 0.01",
                          (rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, shape), rng.normal(0.0, 1.0, shape),
                           0.01), frozenset({"random"})))
    return cases


def _momentum_variant(w, grad, velocity, lr, beta=0.9, *, damp=False, old=False, lr_inside=False):
    if lr_inside:
        v = beta * velocity - lr * grad
        return w + v, v
    v = beta * velocity + ((1 - beta) * grad if damp else grad)
    return w - lr * (velocity if old else v), v


def _rmsprop_cases(name: str) -> list[Case]:
    rng = rng_for(name)
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


def _ignores_beta(case, plain):
    return ("beta" in case.tags and plain is not None and len(plain) == 2
            and all(np.allclose(p, e) for p, e in zip(plain, R.momentum_step(*case.args[:4]))))


SPECS += [
    ArraySpec(
        "momentum_step", lambda: _momentum_cases("momentum_step"), output="tuple", parts=("w", "velocity"),
        summary="velocity = beta * velocity + grad; returns (w - lr * velocity, velocity).",
        mistakes=[
            Mistake("Update the velocity first, then step with the new velocity: w - lr * velocity_new.",
                    fn=lambda *a: _momentum_variant(*a, old=True)),
            Mistake("In this convention the velocity adds the whole gradient: velocity = beta * velocity + grad "
                    "(no factor 1 - beta).", fn=lambda *a: _momentum_variant(*a, damp=True)),
            Mistake("Keep the learning rate out of the velocity: velocity = beta * velocity + grad, then "
                    "w - lr * velocity.", fn=lambda *a: _momentum_variant(*a, lr_inside=True)),
            Mistake("Use the beta argument instead of a fixed 0.9.", test=_ignores_beta),
            Mistake("Step against the velocity: w - lr * velocity.",
                    fn=lambda *a: (lambda w, v: (2 * a[0] - w, v))(*R.momentum_step(*a))),
            Mistake("Return (w, velocity) in this order.", fn=lambda *a: R.momentum_step(*a)[::-1]),
        ],
        mutation_hint="`velocity *= beta` or `w -= ...` changes the caller's arrays: write "
                      "`velocity = beta * velocity + grad` and return new arrays."),
    ArraySpec(
        "rmsprop_step", lambda: _rmsprop_cases("rmsprop_step"), output="tuple", parts=("w", "s"),
        summary="s = beta * s + (1 - beta) * grad**2; returns (w - lr * grad / (sqrt(s) + eps), s).",
        mistakes=[
            Mistake("Add eps outside the square root: sqrt(s) + eps.",
                    fn=lambda *a: _rmsprop_variant(*a, eps_inside=True)),
            Mistake("s averages the squared gradient: s = beta * s + (1 - beta) * grad**2.",
                    fn=lambda *a: _rmsprop_variant(*a, square=False)),
            Mistake("Update s first, then divide by the square root of the new s.",
                    fn=lambda *a: _rmsprop_variant(*a, old=True)),
            Mistake("Divide by the square root of s (a root-mean-square), not by s itself.",
                    fn=lambda *a: _rmsprop_variant(*a, no_sqrt=True)),
            Mistake("The old s keeps the weight beta and the new squared gradient gets 1 - beta, not the other "
                    "way round.", fn=lambda *a: _rmsprop_variant(*a, swap=True)),
            Mistake("s is a moving average: the new squared gradient enters with weight 1 - beta.",
                    fn=lambda *a: _rmsprop_variant(*a, no_damp=True)),
            Mistake("Step against the gradient: w - lr * grad / (sqrt(s) + eps).",
                    fn=lambda *a: (lambda w, s: (2 * a[0] - w, s))(*R.rmsprop_step(*a))),
            Mistake("Return (w, s) in this order.", fn=lambda *a: R.rmsprop_step(*a)[::-1]),
        ],
        mutation_hint="`s *= beta` or `w -= ...` changes the caller's arrays: compute new arrays and return them."),
]
