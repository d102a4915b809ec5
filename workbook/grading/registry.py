"""The registry of checks and `check(name, candidate)`, which runs one and never raises.

This module does not import NumPy: the registry is plain data, and NumPy (with the modules that
need it) is imported the first time a check runs.
"""

from __future__ import annotations

import difflib
import importlib
import types
from dataclasses import dataclass

from .budget import repr_within
from .result import Result, safe_str, type_name

ARRAY_BUDGET = 3.0
"""Seconds of learner run time for an array check (all its cases together)."""
TRAINING_BUDGET = 30.0
"""Seconds of learner run time for a training check (XOR, softmax classifier)."""
BEHAVIOUR_BUDGET = 10.0
"""Seconds of learner run time for a check judged by behaviour (numerical gradient, initialiser, Value)."""
BEHAVIOUR_CHECKS = {"numerical_gradient": "run_numerical_gradient", "init_weights": "run_init_weights",
                    "autograd_value": "run_autograd_value"}
"""The checks in `behaviour.py`, each with its runner."""


@dataclass(frozen=True)
class CheckInfo:
    """One registered check."""

    name: str
    """The registry name, used in `:check:` and in `check(name, ...)`."""
    entry: str
    """The function the learner defines and passes in (e.g. 'relu_backward', or 'train' for xor_mlp)."""
    budget: float
    """Default time budget in seconds for the learner's code."""
    summary: str
    """One line: the signature and the convention checked."""
    signature: str
    """The learner's function signature, e.g. 'relu_backward(dz, z)'."""


def _array(name: str, signature: str, summary: str) -> CheckInfo:
    return CheckInfo(name, name, ARRAY_BUDGET, summary, signature)


_ALL = [
    _array("relu", "relu(z)", "relu(z): elementwise max(0, z)."),
    _array("relu_backward", "relu_backward(dz, z)", "relu_backward(dz, z): dz where z > 0, else 0 (0 at z = 0)."),
    _array("leaky_relu", "leaky_relu(z, alpha=0.01)", "leaky_relu(z, alpha=0.01): z if z > 0 else alpha * z."),
    _array("leaky_relu_backward", "leaky_relu_backward(dz, z, alpha=0.01)",
           "leaky_relu_backward(dz, z, alpha=0.01): dz for z > 0, alpha * dz for z < 0 (either at z = 0)."),
    _array("sigmoid", "sigmoid(z)", "sigmoid(z): 1 / (1 + exp(-z)), without nan for large |z|."),
    _array("sigmoid_backward", "sigmoid_backward(dz, z)",
           "sigmoid_backward(dz, z): dz * s * (1 - s) with s = sigmoid(z)."),
    _array("tanh_backward", "tanh_backward(dz, z)", "tanh_backward(dz, z): dz * (1 - tanh(z)**2)."),
    _array("gelu", "gelu(z)", "gelu(z): tanh approximation 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))."),
    _array("softmax", "softmax(z)", "softmax(z): along the last axis, 1-D or 2-D, stable for logits near 1000."),
    _array("one_hot", "one_hot(y, n_classes)", "one_hot(y, n_classes): float array of shape (n, n_classes)."),
    _array("mse", "mse(y_pred, y_true)", "mse(y_pred, y_true): mean over all elements of the squared error."),
    _array("cross_entropy", "cross_entropy(probs, Y)",
           "cross_entropy(probs, Y): mean over rows of -sum(Y log probs), Y one-hot (n, k)."),
    _array("softmax_cross_entropy_backward", "softmax_cross_entropy_backward(logits, Y)",
           "softmax_cross_entropy_backward(logits, Y): (softmax(logits) - Y) / n."),
    _array("l2_penalty", "l2_penalty(w, lam)", "l2_penalty(w, lam): lam / 2 * sum(w**2)."),
    _array("sgd_step", "sgd_step(w, grad, lr)", "sgd_step(w, grad, lr): returns w - lr * grad, w unchanged."),
    _array("adam_step", "adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)",
           "adam_step(w, grad, m, v, t, ...): returns (w, m, v); t from 1; bias-corrected; eps outside the sqrt."),
    _array("clip_by_global_norm", "clip_by_global_norm(grads, max_norm)",
           "clip_by_global_norm(grads, max_norm): list in, list out, joint L2 norm <= max_norm."),
    _array("dense_forward", "dense_forward(x, W, b)", "dense_forward(x, W, b): x @ W.T + b, W of shape (out, in)."),
    _array("batchnorm_forward", "batchnorm_forward(x, gamma, beta, eps=1e-5)",
           "batchnorm_forward(x, gamma, beta, eps=1e-5): per feature over the batch, biased variance."),
    _array("layernorm_forward", "layernorm_forward(x, gamma, beta, eps=1e-5)",
           "layernorm_forward(x, gamma, beta, eps=1e-5): per row over its features, biased variance."),
    _array("dropout_forward", "dropout_forward(x, mask, keep_prob)",
           "dropout_forward(x, mask, keep_prob): inverted dropout, x * mask / keep_prob."),
    # Issue 10's checks: eight array checks (specs in arrays.py) and three judged by behaviour (behaviour.py).
    _array("dense_backward", "dense_backward(dout, x, W)",
           "dense_backward(dout, x, W): returns (dx, dW, db) for out = x @ W.T + b; dout already holds the 1/n."),
    _array("batchnorm_backward", "batchnorm_backward(dout, x, gamma, eps=1e-5)",
           "batchnorm_backward(dout, x, gamma, eps=1e-5): returns (dx, dgamma, dbeta), through the batch statistics."),
    _array("dropout_backward", "dropout_backward(dout, mask, keep_prob)",
           "dropout_backward(dout, mask, keep_prob): dout * mask / keep_prob."),
    _array("momentum_step", "momentum_step(w, grad, velocity, lr, beta=0.9)",
           "momentum_step(w, grad, velocity, lr, beta=0.9): velocity = beta * velocity + grad; returns "
           "(w - lr * velocity, velocity)."),
    _array("rmsprop_step", "rmsprop_step(w, grad, s, lr=1e-3, beta=0.9, eps=1e-8)",
           "rmsprop_step(w, grad, s, ...): s = beta * s + (1 - beta) * grad**2; returns "
           "(w - lr * grad / (sqrt(s) + eps), s)."),
    _array("log_softmax", "log_softmax(z)", "log_softmax(z): along the last axis, finite for logits near ±1000."),
    _array("cross_entropy_from_logits", "cross_entropy_from_logits(logits, Y)",
           "cross_entropy_from_logits(logits, Y): mean over rows of -sum(Y * log_softmax(logits)), stable."),
    _array("conv2d_forward", "conv2d_forward(x, kernel, bias=0.0, stride=1, padding=0)",
           "conv2d_forward(x, kernel, bias=0.0, stride=1, padding=0): one channel, cross-correlation, zero padding."),
    CheckInfo("numerical_gradient", "numerical_gradient", BEHAVIOUR_BUDGET,
              "numerical_gradient(f, x, h=1e-5): central differences of a scalar f at an array x of any shape.",
              "numerical_gradient(f, x, h=1e-5)"),
    CheckInfo("init_weights", "init_weights", BEHAVIOUR_BUDGET,
              "init_weights(fan_in, fan_out, scheme, rng): (fan_out, fan_in) weights from rng, variance 2/fan_in "
              "('he') or 2/(fan_in + fan_out) ('xavier'), judged statistically.",
              "init_weights(fan_in, fan_out, scheme, rng)"),
    CheckInfo("autograd_value", "Value", BEHAVIOUR_BUDGET,
              "class Value: +, *, .tanh(), .relu(), .backward(), .data, .grad; judged on hand-picked and random "
              "expression graphs, values used twice included.",
              "class Value(data)"),
    CheckInfo("xor_mlp", "train", TRAINING_BUDGET,
              "train(X, y, epochs=1000, seed=0) -> predict: learns XOR and XNOR on the four points "
              "(predict(X) gives probabilities of shape (4,); predict.losses shows a loss curve).",
              "train(X, y, epochs=1000, seed=0)"),
    CheckInfo("softmax_classifier", "train_softmax_classifier", TRAINING_BUDGET,
              "train_softmax_classifier(X, y, n_classes, epochs=500, seed=0) -> predict: held-out accuracy "
              ">= 90% on six interleaved blobs in 3 classes (predict(X) gives probabilities (n, n_classes)).",
              "train_softmax_classifier(X, y, n_classes, epochs=500, seed=0)"),
]

CHECKS: types.MappingProxyType = types.MappingProxyType({info.name: info for info in _ALL})
"""Every check by name, in teaching order."""


def check(name: str, candidate, *, budget: float | None = None) -> Result:
    """Check the learner's function against the reference for `name`; never raises."""
    try:
        return _check(name, candidate, budget)
    except KeyboardInterrupt:
        return Result(False, "The check was interrupted.", name=safe_str(name, 60))
    except BaseException as exc:  # the grader must not crash the learner's notebook
        return Result(False, f"The grader itself failed ({type_name(exc)}: {safe_str(exc, 200)}). This is a bug "
                             "in the workbook, not in your code: please report it.", name=safe_str(name, 60))


def _check(name, candidate, budget) -> Result:
    info = CHECKS.get(name) if isinstance(name, str) else None
    if info is None:
        close = difflib.get_close_matches(str(name), list(CHECKS), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        return Result(False, f"Unknown check {repr_within(name, 60)}{suggestion}. Known checks: {', '.join(CHECKS)}.")
    label = info.entry if info.entry == info.name else f"{info.entry} ({info.name})"
    if candidate is None or candidate is Ellipsis:
        return Result(False, f"There is no function to check yet: define `{info.signature}` in the cell above, "
                             "run it, then submit the function.", name=label)
    if not callable(candidate):
        return Result(False, f"Expected the function `{info.entry}` itself, but got a {type_name(candidate)} "
                             f"({repr_within(candidate, 80)}). Pass the function without calling it: "
                             f"`{info.entry}`, not `{info.entry}(...)`.", name=label)
    seconds = info.budget
    if budget is not None:
        try:
            seconds = float(budget)
        except (TypeError, ValueError):
            seconds = info.budget
    try:
        import numpy as np
        if info.name in ("xor_mlp", "softmax_classifier"):
            module = importlib.import_module(".training", __package__)
        elif info.name in BEHAVIOUR_CHECKS:
            module = importlib.import_module(".behaviour", __package__)
        else:
            module = importlib.import_module(".arrays", __package__)
    except ImportError as exc:
        return Result(False, f"NumPy could not be loaded in this browser: {safe_str(exc, 200)}. Reload the page; "
                             "if this persists, your browser may be blocking the Python packages.", name=label)
    from .budget import Budget
    from .harness import Harness, NumpyGuard

    with NumpyGuard(np) as guard:
        harness = Harness(np, guard, Budget(seconds), info.entry)
        if info.name == "xor_mlp":
            return module.run_xor(candidate, harness, label)
        if info.name == "softmax_classifier":
            return module.run_softmax_classifier(candidate, harness, label)
        if info.name in BEHAVIOUR_CHECKS:
            return getattr(module, BEHAVIOUR_CHECKS[info.name])(candidate, harness, label)
        return module.run_array_check(module.SPECS[info.name], candidate, harness, info.entry)
