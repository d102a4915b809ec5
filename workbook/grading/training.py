"""The training checks: a learner's `train` must really learn, not return a table of answers.

`xor_mlp`: `train(X, y)` is called on the four XOR points (X float (4, 2), y integer labels 0/1 of
shape (4,)), then on the same points labelled as XNOR; each time the returned `predict(X)` must give
probabilities of shape (4,) that round to the labels.

`softmax_classifier`: `train_softmax_classifier(X, y, n_classes)` is called on a 2-D data set that a
linear model cannot separate (six blobs on a circle, opposite blobs in the same class); the returned
`predict(X)` must give class probabilities (n, n_classes) reaching a held-out accuracy threshold.

Loss curves: if the returned `predict` function has an attribute `losses` (a sequence of numbers,
one per epoch, set by `predict.losses = losses` before returning), the feedback draws it.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from .harness import Call, Harness, learner_repr
from .lazy import R
from .result import Block, Result, safe_str, type_name
from .runner import GENERIC_EXCEPTION_HINTS
from .spec import TrainingSpec

LOSSES_TIP = ("To see your loss curve here, set `predict.losses = losses` (one loss per epoch) "
              "before `return predict`.")

XOR_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TASKS = (("XOR", (0, 1, 1, 0)), ("XNOR", (1, 0, 0, 1)))

SOFTMAX_THRESHOLD = 0.9
SOFTMAX_CLASSES = 3


def blobs(seed: int, n_per_blob: int = 30, classes: int = SOFTMAX_CLASSES):
    """Six Gaussian blobs on a circle of radius 2; blob j has class j % classes (opposite blobs match)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for j in range(2 * classes):
        angle = math.pi * j / classes
        centre = 2.0 * np.array([math.cos(angle), math.sin(angle)])
        xs.append(centre + 0.4 * rng.standard_normal((n_per_blob, 2)))
        ys.append(np.full(n_per_blob, j % classes))
    order = rng.permutation(2 * classes * n_per_blob)
    return np.vstack(xs)[order], np.concatenate(ys)[order]


def _bce(p, y) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _read_losses(harness: Harness, predict) -> tuple[tuple[float, ...] | None, str | None]:
    """The learner's `predict.losses` as floats, or (None, a note saying why it could not be read)."""
    call = harness.run(getattr, predict, "losses", None)
    if call.error is not None or call.timed_out or call.value is None:
        return None, None
    values = harness.run(lambda v: [float(x) for x in v], call.value)
    if values.error is not None or values.timed_out or not values.value:
        return None, (f"predict.losses is {learner_repr(harness, call.value, 60)}, which could not be read "
                      "as a list of numbers, so no loss curve is shown.")
    return tuple(values.value), None


def _call_failure(harness: Harness, call: Call, what: str) -> str:
    if call.timed_out:
        return harness.timeout_sentence(call)
    if call.error is not None:
        return call.error.replace("Your function", what, 1)
    return call.mutated.replace("Your function", what, 1)


def _signature(spec: TrainingSpec) -> str:
    return f"{spec.entry}{inspect.signature(getattr(R, spec.entry))}"


def _exception_hint(call: Call, signature: str) -> str | None:
    kind, message = type_name(call.exception), safe_str(call.exception, 1000)
    if kind == "TypeError" and "argument" in message:
        return f"Check the signature: `{signature}`, with default values for the optional arguments."
    for name, text, hint in GENERIC_EXCEPTION_HINTS:
        if kind == name and text in message:
            return hint
    return None


def _as_probabilities(harness: Harness, value):
    call = harness.run(np.asarray, value)
    if call.error is not None or call.timed_out or not isinstance(call.value, np.ndarray) \
            or call.value.dtype.kind not in "biuf":
        return None
    return call.value.view(np.ndarray).astype(float)


def _curve_hint(losses) -> str | None:
    if not losses:
        return None
    if not all(math.isfinite(x) for x in losses):
        return ("Your loss became nan or inf: the training diverged. Lower the learning rate, and compute the "
                "sigmoid/softmax and the log stably.")
    if len(losses) > 1 and losses[-1] > losses[0]:
        return ("Your loss went up during training: check the sign of the update (w = w - lr * grad) and try a "
                "smaller learning rate.")
    return None


# ------------------------------------------------------------------------------------------ XOR

def run_xor(spec: TrainingSpec, candidate, harness: Harness, label: str) -> Result:
    """Train on XOR and XNOR; each predict must round to the labels."""
    signature = _signature(spec)
    X = np.array(XOR_X)
    runs = []
    for task, labels in XOR_TASKS:
        y = np.array(labels)
        data = Block("Training data", f"{task} of the four points: X = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]], "
                                      f"y = {list(labels)}")
        call = harness.call(candidate, (X, y), ("X", "y"))
        if not call.ok:
            failed = Block("What went wrong", _call_failure(harness, call, "Your train"), code=False)
            return Result(False, f"training on {task} failed.", name=label, blocks=(failed, data),
                          hint=_exception_hint(call, signature), notes=harness.warning_notes())
        predict = call.value
        if not callable(predict):
            returned = "None" if predict is None else f"a {type_name(predict)}"
            hint = ("Define predict inside train and return the function itself (return predict), "
                    "not its predictions." if isinstance(predict, (np.ndarray, list, tuple)) else None)
            extra = " Did you forget `return predict`?" if predict is None else ""
            return Result(False, f"train must return a function predict(X); yours returned {returned}.{extra}",
                          name=label, blocks=(data,), hint=hint, notes=harness.warning_notes())
        losses, losses_note = _read_losses(harness, predict)
        pcall = harness.call(predict, (X,), ("X",))
        if not pcall.ok:
            return Result(False, f"predict(X) failed after training on {task}.", name=label,
                          blocks=(Block("What went wrong", _call_failure(harness, pcall, "Your predict"),
                                              code=False), data), losses=losses, notes=harness.warning_notes())
        probs = _as_probabilities(harness, pcall.value)
        problem = None
        if probs is None:
            problem = (f"predict(X) returned {learner_repr(harness, pcall.value, 80)} "
                       f"(of type {type_name(pcall.value)}); an array of 4 probabilities is expected.")
        elif probs.shape != (4,):
            problem = (f"predict(X) returned an array of shape {probs.shape}, but shape (4,) is expected, one "
                       "probability per point" + (": flatten it with .reshape(-1)." if probs.size == 4 else "."))
        elif not np.isfinite(probs).all():
            problem = f"predict(X) returned non-finite values: {np.array2string(probs, precision=4)}."
        elif (probs < -1e-9).any() or (probs > 1 + 1e-9).any():
            problem = (f"predict(X) returned {np.array2string(probs, precision=4)}, which are not probabilities "
                       "in [0, 1]: apply the sigmoid to the output.")
        if problem:
            return Result(False, f"predict failed after training on {task}.", name=label,
                          blocks=(Block("What went wrong", problem, code=False), data), losses=losses,
                          hint=_curve_hint(losses), notes=harness.warning_notes())
        predicted = (probs >= 0.5).astype(float)
        runs.append((task, y, probs, predicted, _bce(probs, y), losses, losses_note))
    return _xor_result(runs, label, harness)


def _xor_table(y, probs, predicted) -> str:
    lines = ["x1  x2  target  probability  predicted"]
    for (x1, x2), t, p, c in zip(XOR_X, y, probs, predicted):
        mark = "" if c == t else "   <- wrong"
        lines.append(f"{int(x1):>2}  {int(x2):>2}  {int(t):>6}  {p:>11.4f}  {int(c):>9}{mark}")
    return "\n".join(lines)


def _xor_result(runs, label: str, harness: Harness) -> Result:
    notes = list(harness.warning_notes())
    summaries = [f"{task} accuracy {int((pred == y).sum())}/4, final loss {loss:.3g}"
                 for task, y, probs, pred, loss, _, _ in runs]
    curve = runs[0][5]
    for *_, note in runs:
        if note and note not in notes:
            notes.append(note)
    if curve is None and not any(run[6] for run in runs):
        notes.append(LOSSES_TIP)
    failed = [run for run in runs if not np.array_equal(run[3], run[1])]
    if not failed:
        return Result(True, f"learned XOR and XNOR ({'; '.join(summaries)}).", name=label,
                      losses=curve, notes=tuple(notes))
    task, y, probs, predicted, loss, losses, _ = failed[0]
    blocks = [Block("Your predictions", f"after training on {task}\n{_xor_table(y, probs, predicted)}")]
    hint = _curve_hint(losses)
    if hint is None:
        if task == "XNOR" and np.allclose(runs[0][2], probs, atol=1e-6):
            hint = ("Your predict gives the same probabilities for XNOR as for XOR: train on the labels y you are "
                    "given instead of hard-coding the answers.")
        elif np.ptp(probs) < 1e-3:
            hint = ("All four predictions are the same: the network has not broken the symmetry. Initialise the "
                    "weights randomly (not all zero), and use a non-linear hidden layer; a linear model cannot fit "
                    f"{task}.")
        elif np.all(np.abs(probs - 0.5) < 0.1):
            hint = ("Your network stays near 0.5 everywhere: it has not learned yet. Check the gradient signs, "
                    "train for more epochs or with a larger learning rate (Adam with lr ≈ 0.01–0.1 works well).")
        else:
            hint = ("Some points are still on the wrong side of 0.5: check the backward pass (compare it with the "
                    "numerical gradient using workbook.grading.gradcheck) and the learning rate.")
    return Result(False, f"did not learn {task}: {'; '.join(summaries)}.", name=label, blocks=tuple(blocks),
                  hint=hint, losses=losses, notes=tuple(notes))


# ---------------------------------------------------------------------------- softmax classifier

def run_softmax_classifier(spec: TrainingSpec, candidate, harness: Harness, label: str) -> Result:
    """Train on six interleaved blobs in three classes; held-out accuracy must reach the threshold."""
    signature = _signature(spec)
    X, y = blobs(seed=20240601)
    X_test, y_test = blobs(seed=20240602)
    k = SOFTMAX_CLASSES
    data = Block("Training data", f"{len(X)} points in the plane, {k} classes: six blobs on a circle, where "
                                  f"opposite blobs share a class (not linearly separable). X has shape {X.shape}, "
                                  f"y holds integer labels 0..{k - 1}; {len(X_test)} more points are held out.")
    call = harness.call(candidate, (X, y, k), ("X", "y", "n_classes"))
    if not call.ok:
        failed = Block("What went wrong", _call_failure(harness, call, "Your function"), code=False)
        return Result(False, "training failed.", name=label, blocks=(failed, data),
                      hint=_exception_hint(call, signature), notes=harness.warning_notes())
    predict = call.value
    if not callable(predict):
        returned = "None" if predict is None else f"a {type_name(predict)}"
        return Result(False, f"{spec.entry} must return a function predict(X); yours returned "
                             f"{returned}.", name=label, blocks=(data,), notes=harness.warning_notes())
    losses, losses_note = _read_losses(harness, predict)
    accuracies = {}
    for name, points, labels in (("training", X, y), ("held-out", X_test, y_test)):
        pcall = harness.call(predict, (points,), ("X",))
        if not pcall.ok:
            return Result(False, f"predict(X) failed on the {name} points.", name=label,
                          blocks=(Block("What went wrong", _call_failure(harness, pcall, "Your predict"),
                                              code=False), data), losses=losses, notes=harness.warning_notes())
        probs = _as_probabilities(harness, pcall.value)
        n = len(points)
        problem = None
        if probs is None:
            problem = (f"predict(X) returned {learner_repr(harness, pcall.value, 80)} (of type "
                       f"{type_name(pcall.value)}); an array of class probabilities of shape ({n}, {k}) is expected.")
        elif probs.shape != (n, k):
            problem = (f"predict(X) returned an array of shape {probs.shape}, but ({n}, {k}) is expected: one row "
                       "of class probabilities per point.")
        elif not np.isfinite(probs).all():
            problem = "predict(X) returned nan or inf values."
        elif (probs < -1e-9).any() or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
            problem = ("The rows of predict(X) are not probabilities that sum to 1: apply softmax to the output "
                       "scores.")
        if problem:
            return Result(False, f"predict(X) on the {name} points is not usable.", name=label,
                          blocks=(Block("What went wrong", problem, code=False), data), losses=losses,
                          hint=_curve_hint(losses), notes=harness.warning_notes())
        accuracies[name] = float(np.mean(np.argmax(probs, axis=1) == labels))
    notes = list(harness.warning_notes())
    if losses_note:
        notes.append(losses_note)
    elif losses is None:
        notes.append(LOSSES_TIP)
    final = f", final loss {losses[-1]:.3g}" if losses else ""
    scores = (f"training accuracy {accuracies['training']:.1%}, held-out accuracy {accuracies['held-out']:.1%} "
              f"(needs {SOFTMAX_THRESHOLD:.0%}){final}")
    if accuracies["held-out"] >= SOFTMAX_THRESHOLD:
        return Result(True, f"learned the three classes: {scores}.", name=label, losses=losses, notes=tuple(notes))
    hint = _curve_hint(losses)
    if hint is None:
        if accuracies["training"] < 0.7:
            hint = ("Your model does not fit even the training points: these classes are not linearly separable, "
                    "so it needs a hidden layer with a non-linearity (ReLU), trained long enough with a suitable "
                    "learning rate (0.1–1 for plain gradient descent).")
        else:
            hint = ("It fits the training points better than the held-out ones: use fewer hidden units or a little "
                    "weight decay, and make sure predict uses the trained weights.")
    return Result(False, f"held-out accuracy too low: {scores}.", name=label, blocks=(data,), hint=hint,
                  losses=losses, notes=tuple(notes))

