"""The training checks: a learner's `train` must really learn, not return a table of answers.

`xor_mlp`: `train(X, y)` is called on the four XOR points (X float (4, 2), y integer labels 0/1 of
shape (4,)), then on the same points labelled as XNOR; each time the returned `predict(X)` must give
probabilities of shape (4,) that round to the labels, on the training points, on the same points in
another order, and on four points it has not seen (each moved by at most PROBE_SHIFT).

`softmax_classifier`: `train_softmax_classifier(X, y, n_classes)` is called on a 2-D data set that a
linear model cannot separate (six blobs on a circle, opposite blobs in the same class); the returned
`predict(X)` must give class probabilities (n, n_classes), the same classes for the training points
in another order, and reach a held-out accuracy threshold on fresh samples.

Asking about reordered and unseen points is what tells a model from a recording: a table of the
training pairs has no entry for a moved point, and an output cached during training does not follow
the order of the X it is given.

Loss curves: if the returned `predict` function has an attribute `losses` (a sequence of numbers,
one per epoch, set by `predict.losses = losses` before returning), the feedback draws it; at most
READ_ITEMS values are read, within the cap for reading learner objects.
"""

from __future__ import annotations

import inspect
import itertools
import math
from dataclasses import dataclass

import numpy as np

from .harness import READ_ITEMS, Call, Harness, learner_repr
from .lazy import R
from .result import Block, Result, type_name
from .runner import GENERIC_EXCEPTION_HINTS
from .spec import TrainingSpec

LOSSES_TIP = ("To see your loss curve here, set `predict.losses = losses` (one loss per epoch) "
              "before `return predict`.")

XOR_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TASKS = (("XOR", (0, 1, 1, 0)), ("XNOR", (1, 0, 0, 1)))

PROBE_ORDER = (3, 0, 2, 1)
"""The order in which predict is asked about the points again: every XOR label moves."""
PROBE_SEED = 20240603
PROBE_SHIFT = 0.05
"""How far (per coordinate) the unseen points lie from the training points: a trained network's
decision does not change that close to the points it fits, a table of the training points has no entry."""
PREDICT_HINT = ("predict must compute its output from its argument X with the trained weights (a forward pass "
                "through the network), not look up or replay the outputs seen during training.")

SOFTMAX_THRESHOLD = 0.9
HELD_OUT_PER_BLOB = 25
"""Fresh points per blob for the held-out set: a different count from training's, so an output of the
training set's shape is noticed."""
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
    """The learner's `predict.losses` as floats, or (None, a note saying why it could not be read).

    Read under the cap for learner objects and at most READ_ITEMS values: an endless iterator
    (`itertools.count()`, a generator) is C code or learner code the budget alone cannot bound.
    """
    call = harness.read(getattr, predict, "losses", None)
    if call.error is not None or call.timed_out or call.value is None:
        return None, None
    values = harness.read(_first_floats, call.value, READ_ITEMS + 1)
    if values.error is not None or values.timed_out or not values.value:
        why = "did not finish in time" if values.timed_out else "could not be read as a list of numbers"
        return None, (f"predict.losses is {learner_repr(harness, call.value, 60)}, which {why}, so no loss "
                      "curve is shown.")
    if len(values.value) > READ_ITEMS:
        return tuple(values.value[:READ_ITEMS]), (f"predict.losses holds more than {READ_ITEMS} values (one per "
                                                  f"epoch is expected); the first {READ_ITEMS} are drawn.")
    return tuple(values.value), None


def _first_floats(values, limit: int) -> list[float]:
    return [float(x) for x in itertools.islice(values, limit)]


def _call_failure(harness: Harness, call: Call, what: str) -> str:
    if call.timed_out:
        return harness.timeout_sentence(call)
    if call.error is not None:
        return call.error.replace("Your function", what, 1)
    return call.mutated.replace("Your function", what, 1)


def _signature(spec: TrainingSpec) -> str:
    return f"{spec.entry}{inspect.signature(getattr(R, spec.entry))}"


def _exception_hint(call: Call, signature: str) -> str | None:
    kind, message = type_name(call.exception), call.message
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
    """Train on XOR and XNOR; predict must round to the labels, also on moved and reordered points."""
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
        probs, failure = _xor_predict(harness, predict, X)
        if failure is not None:
            return Result(False, f"predict{'(X) failed' if failure.raised else ' failed'} after training on "
                                 f"{task}.", name=label, blocks=(failure.block, data), losses=losses,
                          hint=None if failure.raised else _curve_hint(losses), notes=harness.warning_notes())
        predicted = (probs >= 0.5).astype(float)
        runs.append(XorRun(task, y, probs, predicted, _bce(probs, y), losses, losses_note, predict))
    return _xor_result(runs, label, harness)


@dataclass
class XorRun:
    """What one training run gave on the four training points, in training order."""

    task: str
    y: np.ndarray
    probs: np.ndarray
    predicted: np.ndarray
    loss: float
    losses: tuple[float, ...] | None
    losses_note: str | None
    predict: object


@dataclass
class PredictFailure:
    """Why predict's output on some points could not be judged."""

    block: Block
    raised: bool
    """Whether predict itself raised or ran out of time (rather than returning something unusable)."""


def _ask(harness: Harness, predict, points, expected: str, problem_of):
    """predict(points) as a float array, or (None, why not); problem_of(probs) names what is wrong with it."""
    pcall = harness.call(predict, (points,), ("X",))
    if not pcall.ok:
        return None, PredictFailure(Block("What went wrong", _call_failure(harness, pcall, "Your predict"),
                                          code=False), raised=True)
    probs = _as_probabilities(harness, pcall.value)
    if probs is None:
        problem = (f"predict(X) returned {learner_repr(harness, pcall.value, 80)} (of type "
                   f"{type_name(pcall.value)}); {expected} is expected.")
    else:
        problem = problem_of(probs)
    if problem:
        return None, PredictFailure(Block("What went wrong", problem, code=False), raised=False)
    return probs, None


def _xor_predict(harness: Harness, predict, points):
    """predict(points) as probabilities of shape (n,), or (None, why not)."""
    n = len(points)

    def problem_of(probs) -> str | None:
        if probs.shape != (n,):
            return (f"predict(X) returned an array of shape {probs.shape}, but shape ({n},) is expected, one "
                    "probability per point" + (": flatten it with .reshape(-1)." if probs.size == n else "."))
        if not np.isfinite(probs).all():
            return f"predict(X) returned non-finite values: {np.array2string(probs, precision=4)}."
        if (probs < -1e-9).any() or (probs > 1 + 1e-9).any():
            return (f"predict(X) returned {np.array2string(probs, precision=4)}, which are not probabilities "
                    "in [0, 1]: apply the sigmoid to the output.")
        return None
    return _ask(harness, predict, points, f"an array of {n} probabilities", problem_of)


def xor_probes(X):
    """(what, how, points, order) to ask predict about: the training points reordered, then moved."""
    order = np.array(PROBE_ORDER)
    moved = X + np.random.default_rng(PROBE_SEED).uniform(-PROBE_SHIFT, PROBE_SHIFT, X.shape)
    return (("the same four points in another order", "the training points, reordered", X[order], order),
            ("four points it has not seen", f"each training point with its coordinates moved by at most "
             f"{PROBE_SHIFT}, reordered", moved[order], order))


def _probe_xor(run: XorRun, harness: Harness, label: str) -> Result | None:
    """Ask the trained predict about reordered and unseen points: a lookup or a cached output fails here."""
    for what, how, points, order in xor_probes(np.array(XOR_X)):
        y = run.y[order]
        shown = ", ".join(f"({a:.2f}, {b:.2f})" for a, b in points)
        data = Block("Points asked about", f"after training on {run.task}, {how}: {shown}.", code=False)
        probs, failure = _xor_predict(harness, run.predict, points)
        if failure is not None:
            verb = "raised" if failure.raised else "gave no usable answer"
            return Result(False, f"predict {verb} on {what} (after training on {run.task}).", name=label,
                          blocks=(failure.block, data), hint=PREDICT_HINT, losses=run.losses,
                          notes=harness.warning_notes())
        predicted = (probs >= 0.5).astype(float)
        if np.array_equal(predicted, y):
            continue
        blocks = [data, Block("Your predictions", _xor_table(y, probs, predicted, points))]
        if np.allclose(probs, run.probs, atol=1e-6) and not np.allclose(probs, run.probs[order], atol=1e-6):
            blocks.insert(0, Block("What went wrong", "predict returned the same probabilities as for the training "
                                                      "points in their training order: it does not compute its "
                                                      "output from the X it is given.", code=False))
        return Result(False, f"predict is right on the training points but not on {what} (after training on "
                             f"{run.task}: {int((predicted == y).sum())}/4 right).", name=label, blocks=tuple(blocks),
                      hint=PREDICT_HINT, losses=run.losses, notes=harness.warning_notes())
    return None


def _xor_table(y, probs, predicted, points=XOR_X) -> str:
    whole = all(float(v).is_integer() for row in points for v in row)
    lines = ["x1  x2  target  probability  predicted" if whole else
             "   x1     x2  target  probability  predicted"]
    for (x1, x2), t, p, c in zip(points, y, probs, predicted):
        mark = "" if c == t else "   <- wrong"
        xs = f"{int(x1):>2}  {int(x2):>2}" if whole else f"{x1:>5.2f}  {x2:>5.2f}"
        lines.append(f"{xs}  {int(t):>6}  {p:>11.4f}  {int(c):>9}{mark}")
    return "\n".join(lines)


def _xor_result(runs: list[XorRun], label: str, harness: Harness) -> Result:
    summaries = [f"{run.task} accuracy {int((run.predicted == run.y).sum())}/4, final loss {run.loss:.3g}"
                 for run in runs]
    failed = [run for run in runs if not np.array_equal(run.predicted, run.y)]
    if not failed:
        for run in runs:
            probed = _probe_xor(run, harness, label)
            if probed is not None:
                return probed
        return Result(True, f"learned XOR and XNOR ({'; '.join(summaries)}).", name=label,
                      losses=runs[0].losses, notes=_xor_notes(runs, harness))
    task, y, probs, predicted, losses = failed[0].task, failed[0].y, failed[0].probs, failed[0].predicted, \
        failed[0].losses
    blocks = [Block("Your predictions", f"after training on {task}\n{_xor_table(y, probs, predicted)}")]
    hint = _curve_hint(losses)
    if hint is None:
        if task == "XNOR" and np.allclose(runs[0].probs, probs, atol=1e-6):
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
                  hint=hint, losses=losses, notes=_xor_notes(runs, harness))


def _xor_notes(runs: list[XorRun], harness: Harness) -> tuple[str, ...]:
    notes = list(harness.warning_notes())
    for run in runs:
        if run.losses_note and run.losses_note not in notes:
            notes.append(run.losses_note)
    if runs[0].losses is None and not any(run.losses_note for run in runs):
        notes.append(LOSSES_TIP)
    return tuple(notes)


# ---------------------------------------------------------------------------- softmax classifier

def _classifier_predict(harness: Harness, predict, points, k: int):
    """predict(points) as class probabilities of shape (n, k), or (None, why not)."""
    n = len(points)

    def problem_of(probs) -> str | None:
        if probs.shape != (n, k):
            return (f"predict(X) returned an array of shape {probs.shape}, but ({n}, {k}) is expected: one row "
                    "of class probabilities per point.")
        if not np.isfinite(probs).all():
            return "predict(X) returned nan or inf values."
        if (probs < -1e-9).any() or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
            return "The rows of predict(X) are not probabilities that sum to 1: apply softmax to the output scores."
        return None
    return _ask(harness, predict, points, f"an array of class probabilities of shape ({n}, {k})", problem_of)


def _ignores_order(probs, reordered, order) -> str | None:
    """Why predict's answers for reordered points are not its answers reordered, or None if they are."""
    expected = np.argmax(probs, axis=1)[order]
    got = np.argmax(reordered, axis=1)
    if np.mean(got != expected) <= 0.01:
        return None
    if np.allclose(reordered, probs, atol=1e-6):
        return ("Asked about the training points in another order, predict returned exactly what it returned for "
                "them in training order: it does not compute its output from the X it is given.")
    return (f"Asked about the training points in another order, predict changed its class for "
            f"{int(np.sum(got != expected))} of {len(order)} points.")


def run_softmax_classifier(spec: TrainingSpec, candidate, harness: Harness, label: str) -> Result:
    """Train on six interleaved blobs in three classes; held-out accuracy must reach the threshold."""
    signature = _signature(spec)
    X, y = blobs(seed=20240601)
    X_test, y_test = blobs(seed=20240602, n_per_blob=HELD_OUT_PER_BLOB)
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
    order = np.random.default_rng(PROBE_SEED).permutation(len(X))
    accuracies, outputs = {}, {}
    for name, points, labels in (("training", X, y), ("reordered training", X[order], y[order]),
                                 ("held-out", X_test, y_test)):
        probs, failure = _classifier_predict(harness, predict, points, k)
        if failure is not None:
            # predict worked on the training points: failing on others means it does not use its argument.
            hint = PREDICT_HINT if name != "training" else None if failure.raised else _curve_hint(losses)
            return Result(False, f"predict(X) {'failed' if failure.raised else 'is not usable'} on the {name} "
                                 "points.", name=label, blocks=(failure.block, data), losses=losses, hint=hint,
                          notes=harness.warning_notes())
        outputs[name] = probs
        accuracies[name] = float(np.mean(np.argmax(probs, axis=1) == labels))
        if name == "reordered training":
            ignored = _ignores_order(outputs["training"], probs, order)
            if ignored:
                return Result(False, "predict gives other answers for the same training points in another order.",
                              name=label, blocks=(Block("What went wrong", ignored, code=False), data),
                              hint=PREDICT_HINT, losses=losses, notes=harness.warning_notes())
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

