"""Checks judged by behaviour rather than by one expected array.

`numerical_gradient`: the learner's `numerical_gradient(f, x, h=1e-5)` runs on several scalar
functions (1-D and 2-D x, separable and not, one with a large step h) and must return central
differences: the true gradient to about six figures, which one-sided differences miss.

`init_weights`: `init_weights(fan_in, fan_out, scheme, rng)` must return an array of shape
(fan_out, fan_in) drawn from the given generator. Normal and uniform draws are both right, so the
check judges statistics: the sample mean and variance of a large layer must lie within five standard
errors of 0 and of the scheme's variance (2/fan_in for "he", 2/(fan_in + fan_out) for "xavier"),
which a correct draw misses a few times in a million. With the fixed seeds used here a correct
draw gives the same verdict every time.

`autograd_value`: the learner's class `Value` builds expression graphs with `+`, `*`, `.tanh()` and
`.relu()`; after `out.backward()` every leaf's `.grad` must equal the derivative of the output,
including values used more than once. Graphs are hand-picked and seeded random ones; the expected
gradients come from a tape evaluated here, independently of any `Value` class.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from .format import format_number
from .harness import Harness, learner_repr
from .lazy import R
from .result import Block, Result, type_name
from .runner import exception_hint


def _as_array(harness: Harness, value):
    call = harness.run(lambda v: np.asarray(v, dtype=float).copy(), value)
    return call.value if call.error is None and not call.timed_out and isinstance(call.value, np.ndarray) else None


# ------------------------------------------------------------------------------ numerical gradient

@dataclass(frozen=True)
class Probe:
    """One scalar function and a point at which the learner's numerical gradient is asked for."""

    label: str
    f: object
    x: np.ndarray
    gradient: object
    """gradient(x) -> the exact gradient."""
    h: float | None = None
    """A step to pass as h, large enough that the answer is central differences at h, not the exact
    gradient; None uses the learner's default and expects the exact gradient."""


_B = np.array([[1.0, -0.5], [0.3, 2.0], [-1.0, 0.7]])


def _probes() -> list[Probe]:
    return [
        Probe("f(x) = sum(x**3) on a 1-D x", lambda x: float(np.sum(x**3)), np.array([0.5, -1.0, 2.0]),
              lambda x: 3 * x**2),
        Probe("f(x) = sum(exp(3 x)) on a 2×2 x (curved: one-sided differences are off)",
              lambda x: float(np.sum(np.exp(3 * x))), np.array([[0.2, 1.0], [-0.5, 0.8]]),
              lambda x: 3 * np.exp(3 * x)),
        Probe("f(x) = x0 * x1 * x2 (every entry affects the others' derivatives)",
              lambda x: float(np.prod(x)), np.array([1.5, -2.0, 0.5]), lambda x: np.prod(x) / x),
        Probe("f(X) = sum(tanh(X @ B)) on a 2×3 X", lambda x: float(np.sum(np.tanh(x @ _B))),
              np.array([[0.1, -0.4, 0.7], [1.0, 0.2, -0.3]]), lambda x: (1 - np.tanh(x @ _B) ** 2) @ _B.T),
        Probe("f(x) = log(sum(exp(x))) on a 1-D x", lambda x: float(np.log(np.sum(np.exp(x)))),
              np.array([0.5, -1.0, 2.0, 0.0]), lambda x: np.exp(x) / np.sum(np.exp(x))),
        Probe("f(x) = sum(x**3) with h = 0.1 given (central differences give 3 x**2 + h**2)",
              lambda x: float(np.sum(x**3)), np.array([[1.0, -2.0], [0.5, 3.0]]), lambda x: 3 * x**2, h=0.1),
    ]


def _one_sided(f, x, h):
    x = x.copy()
    grad = np.zeros_like(x)
    base = f(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        grad[index] = (f(x) - base) / h
        x[index] = old
    return grad


NUMGRAD_MISTAKES = [
    ("Use central differences, (f(x + h) - f(x - h)) / (2 h): the one-sided (f(x + h) - f(x)) / h is only "
     "accurate to about h.", lambda p, h: _one_sided(p.f, p.x, h)),
    ("Use central differences, (f(x + h) - f(x - h)) / (2 h): the one-sided (f(x + h) - f(x)) / h is only "
     "accurate to about h.", lambda p, h: -_one_sided(p.f, p.x, -h)),
    ("The two points are 2 h apart: divide f(x + h) - f(x - h) by 2 * h, not by h.",
     lambda p, h: 2 * R.numerical_gradient(p.f, p.x, h)),
    ("Check the order: (f(x + h) - f(x - h)) / (2 h), the value above minus the value below.",
     lambda p, h: -R.numerical_gradient(p.f, p.x, h)),
]


def run_numerical_gradient(spec, candidate, harness: Harness, label: str) -> Result:
    """Ask for the gradient of several functions; each must match central differences."""
    signature = "numerical_gradient(f, x, h=1e-5)"
    probes = _probes()
    for number, probe in enumerate(probes, 1):
        x = probe.x.copy()
        kwargs = {} if probe.h is None else {"h": probe.h}
        call = harness.run(candidate, probe.f, x, **kwargs)
        inputs = Block("Failing case", f"{probe.label}\nx = {np.array2string(probe.x, separator=', ')}"
                                       + ("" if probe.h is None else f"\nh = {probe.h}"))
        expected = probe.gradient(probe.x) if probe.h is None else R.numerical_gradient(probe.f, probe.x, probe.h)
        summary = f"case {number} of {len(probes)} failed."
        if call.timed_out:
            return Result(False, summary, name=label, notes=harness.warning_notes(),
                          blocks=(Block("What went wrong", harness.timeout_sentence(call), code=False), inputs))
        if call.error is not None:
            hint = exception_hint(spec, call, signature)
            if type_name(call.exception) in ("IndexError", "TypeError", "ValueError") and probe.x.ndim == 2:
                hint = hint or ("x can have any shape: loop over every entry with `for i in np.ndindex(x.shape):` "
                                "and perturb x[i].")
            return Result(False, summary, name=label, hint=hint, notes=harness.warning_notes(),
                          blocks=(Block("What went wrong", call.error, code=False), inputs))
        got = _as_array(harness, call.value)
        problem, hint = _judge_gradient(got, expected, call.value, harness, probe)
        if problem is None and not np.allclose(x, probe.x, rtol=1e-12, atol=1e-12):
            problem = "Your function left x changed after it returned."
            hint = ("Put every entry back after perturbing it: save old = x[i], evaluate at old + h and old - h, "
                    "then set x[i] = old.")
        if problem is not None:
            return Result(False, summary, name=label, hint=hint, notes=harness.warning_notes(),
                          blocks=(Block("What went wrong", problem, code=False), inputs))
    return Result(True, f"passed all {len(probes)} functions (central differences to about six figures).",
                  name=label, notes=harness.warning_notes())


def _judge_gradient(got, expected, value, harness, probe) -> tuple[str | None, str | None]:
    if value is None:
        return ("Your function returned None. Did you forget the `return` statement?", None)
    if got is None:
        return (f"Your function returned {learner_repr(harness, value, 80)}, which is not an array of numbers.", None)
    if got.shape != expected.shape:
        hint = ("x can have any shape: loop over every entry with `for i in np.ndindex(x.shape):`, and return an "
                "array shaped like x (np.zeros_like(x)).")
        return (f"Your result has shape {got.shape}, but the gradient has the shape of x, {expected.shape}.", hint)
    if np.allclose(got, expected, rtol=2e-6, atol=1e-7):
        return (None, None)
    index = tuple(int(i) for i in np.argwhere(~np.isclose(got, expected, rtol=2e-6, atol=1e-7))[0])
    text = (f"At index {index} your gradient is {format_number(got[index])}, but the derivative is "
            f"{format_number(expected[index])}.")
    if probe.h is not None and np.allclose(got, probe.gradient(probe.x), rtol=1e-4):
        return (text, "Use the step h you are given (the h argument), not a fixed one.")
    h = probe.h if probe.h is not None else 1e-5
    for hint, mistake in NUMGRAD_MISTAKES:
        for step in {h, 1e-4, 1e-5, 1e-6, 1e-7}:
            wrong = mistake(probe, step)
            if np.allclose(got, wrong, rtol=1e-4, atol=1e-7) and not np.allclose(wrong, expected, rtol=2e-6, atol=1e-7):
                return (text, hint)
    return (text, None)


# ---------------------------------------------------------------------------------- initialisers

LAYERS = [("he", 512, 256), ("he", 100, 400), ("xavier", 300, 700), ("xavier", 256, 256), ("he", 3, 2)]

INIT_MISTAKES = [
    ("He initialisation divides by fan_in, the number of inputs to a unit: variance 2 / fan_in.",
     lambda s, i, o: 2 / o if s == "he" else None),
    ("He initialisation has variance 2 / fan_in; 1 / fan_in is LeCun's, meant for units without ReLU.",
     lambda s, i, o: 1 / i if s == "he" else None),
    ("Xavier (Glorot) initialisation averages both fans: variance 2 / (fan_in + fan_out).",
     lambda s, i, o: 1 / i if s == "xavier" else None),
    ("Xavier (Glorot) initialisation averages both fans: variance 2 / (fan_in + fan_out).",
     lambda s, i, o: 1 / (i + o) if s == "xavier" else None),
    ("Xavier (Glorot) initialisation averages both fans: variance 2 / (fan_in + fan_out).",
     lambda s, i, o: 2 / i if s == "xavier" else None),
    ("The formula gives the variance; rng.normal takes the standard deviation, its square root.",
     lambda s, i, o: R.init_variance(i, o, s) ** 2),
    ("A uniform draw on [-a, a] has variance a**2 / 3: for the right variance v, use a = sqrt(3 v).",
     lambda s, i, o: R.init_variance(i, o, s) / 3),
]


def run_init_weights(spec, candidate, harness: Harness, label: str) -> Result:
    """Draw each layer twice from seeded generators; judge shape, reproducibility, mean and variance."""
    signature = "init_weights(fan_in, fan_out, scheme, rng)"
    for number, (scheme, fan_in, fan_out) in enumerate(LAYERS, 1):
        seed = zlib.crc32(f"{scheme}{fan_in}{fan_out}".encode())
        inputs = Block("Failing case", f"init_weights(fan_in={fan_in}, fan_out={fan_out}, scheme={scheme!r}, "
                                       f"rng=np.random.default_rng({seed}))")
        summary = f"layer {number} of {len(LAYERS)} failed."

        def fail(text, hint=None):
            return Result(False, summary, name=label, hint=hint, notes=harness.warning_notes(),
                          blocks=(Block("What went wrong", text, code=False), inputs))

        calls = [harness.run(candidate, fan_in, fan_out, scheme, np.random.default_rng(s)) for s in (seed, seed, seed + 1)]
        for call in calls:
            if call.timed_out:
                return fail(harness.timeout_sentence(call))
            if call.error is not None:
                return fail(call.error, exception_hint(spec, call, signature))
        first, again, other = (_as_array(harness, c.value) for c in calls)
        if first is None:
            what = "None" if calls[0].value is None else learner_repr(harness, calls[0].value, 80)
            return fail(f"Your function returned {what}, not an array of weights.")
        if first.shape != (fan_out, fan_in):
            hint = ("W has one row per output unit: shape (fan_out, fan_in), so that x @ W.T works."
                    if first.shape == (fan_in, fan_out) else None)
            return fail(f"Your array has shape {first.shape}, but a layer from {fan_in} inputs to {fan_out} outputs "
                        f"needs shape ({fan_out}, {fan_in}).", hint)
        if not np.isfinite(first).all():
            return fail("Your array contains nan or inf.")
        if again is None or not np.array_equal(first, again) or other is None or np.array_equal(first, other):
            return fail("Two calls with generators seeded alike gave different weights (or differently seeded "
                        "ones gave the same).", "Draw from the generator you are given, e.g. rng.normal(0, std, "
                        "shape): np.random.* ignores it, so runs cannot be reproduced.")
        if first.size < 100:
            continue
        if np.all(first == first.flat[0]):
            return fail("Every weight has the same value.", "Equal weights give every unit the same gradient, so "
                        "they never become different: draw them at random.")
        target = R.init_variance(fan_in, fan_out, scheme)
        n = first.size
        mean, var = float(first.mean()), float(first.var())
        if abs(mean) > 5 * math.sqrt(target / n):
            return fail(f"The mean of your {n} weights is {mean:.4g}; weights should be centred at 0 "
                        f"(within ±{5 * math.sqrt(target / n):.2g} for this many draws).",
                        "Draw symmetric around 0: rng.random() gives values in [0, 1), all positive.")
        if abs(var / target - 1) > 5 * math.sqrt(2 / n):
            hint = None
            for text, formula in INIT_MISTAKES:
                wrong = formula(scheme, fan_in, fan_out)
                if wrong is not None and abs(var / wrong - 1) < 5 * math.sqrt(2 / n) and \
                        abs(wrong / target - 1) > 10 * math.sqrt(2 / n):
                    hint = text
                    break
            return fail(f"The variance of your {n} weights is {var:.4g}, but the {scheme} scheme asks for "
                        f"{target:.4g} (within ±{5 * math.sqrt(2 / n) * 100:.1f}% for this many draws).", hint)
    return Result(True, f"passed all {len(LAYERS)} layers (shape, seeded generator, mean and variance within "
                        "five standard errors).", name=label, notes=harness.warning_notes())


# --------------------------------------------------------------------------------- autograd Value

@dataclass(frozen=True)
class Graph:
    """An expression as a tape: leaves first, then operations on earlier entries."""

    label: str
    tape: tuple
    """('leaf', value), ('add', i, j), ('mul', i, j), ('tanh', i) or ('relu', i)."""


def _names(n: int) -> list[str]:
    return [chr(ord("a") + i) if i < 26 else f"v{i}" for i in range(n)]


def show_graph(graph: Graph) -> str:
    """The graph as the Python a learner would write."""
    names, lines = _names(len(graph.tape)), []
    for k, op in enumerate(graph.tape):
        if op[0] == "leaf":
            lines.append(f"{names[k]} = Value({op[1]!r})")
        elif op[0] in ("add", "mul"):
            lines.append(f"{names[k]} = {names[op[1]]} {'+' if op[0] == 'add' else '*'} {names[op[2]]}")
        else:
            lines.append(f"{names[k]} = {names[op[1]]}.{op[0]}()")
    lines.append(f"{names[-1]}.backward()")
    return "\n".join(lines)


def _hand_graphs() -> list[Graph]:
    return [
        Graph("a sum", (("leaf", 2.0), ("leaf", -3.0), ("add", 0, 1))),
        Graph("a product", (("leaf", 2.0), ("leaf", -3.0), ("mul", 0, 1))),
        Graph("a value used twice: a * a", (("leaf", 1.5), ("mul", 0, 0))),
        Graph("a value used twice: a + a", (("leaf", -0.5), ("add", 0, 0))),
        Graph("tanh of a product", (("leaf", 0.5), ("leaf", -1.2), ("mul", 0, 1), ("tanh", 2))),
        Graph("relu of a negative and of a positive value",
              (("leaf", -1.0), ("leaf", 2.0), ("relu", 0), ("relu", 1), ("add", 2, 3), ("mul", 4, 1))),
        Graph("a shared middle node: c = a * b feeds both tanh(c) and c * a",
              (("leaf", 0.7), ("leaf", -0.4), ("mul", 0, 1), ("tanh", 2), ("mul", 2, 0), ("add", 3, 4))),
        Graph("a diamond: b = tanh(a) reaches the output by two paths",
              (("leaf", 0.3), ("tanh", 0), ("mul", 1, 1), ("relu", 1), ("add", 2, 3), ("mul", 4, 0))),
    ]


def _random_graphs(count: int = 6) -> list[Graph]:
    rng = np.random.default_rng(zlib.crc32(b"autograd_value"))
    graphs = []
    for g in range(count):
        leaves = int(rng.integers(2, 5))
        tape = [("leaf", round(float(rng.uniform(-2, 2)), 2) or 0.5) for _ in range(leaves)]
        for _ in range(int(rng.integers(6, 14))):
            op = ("add", "mul", "mul", "tanh", "relu")[int(rng.integers(0, 5))]
            # Lean on recent nodes so that the output depends on most of the graph and nodes are reused.
            pick = lambda: int(max(0, len(tape) - 1 - rng.integers(0, min(len(tape), 4))))  # noqa: E731
            tape.append((op, pick(), pick()) if op in ("add", "mul") else (op, pick()))
        if not any(op[0] in ("add", "mul") for op in tape):
            tape.append(("mul", len(tape) - 1, 0))
        graphs.append(Graph(f"random graph {g + 1} ({len(tape)} nodes)", tuple(tape)))
    return graphs


def _forward(tape) -> list[float]:
    data = []
    for op in tape:
        if op[0] == "leaf":
            data.append(float(op[1]))
        elif op[0] == "add":
            data.append(data[op[1]] + data[op[2]])
        elif op[0] == "mul":
            data.append(data[op[1]] * data[op[2]])
        elif op[0] == "tanh":
            data.append(math.tanh(data[op[1]]))
        else:
            data.append(max(data[op[1]], 0.0))
    return data


def _locals(op, data, k, *, tanh_of_input=False, mul_self=False):
    """(parent, d node / d parent) pairs for node k."""
    if op[0] == "add":
        return [(op[1], 1.0), (op[2], 1.0)]
    if op[0] == "mul":
        a, b = data[op[1]], data[op[2]]
        return [(op[1], a if mul_self else b), (op[2], b if mul_self else a)]
    if op[0] == "tanh":
        t = data[op[1]] if tanh_of_input else data[k]
        return [(op[1], 1.0 - t * t)]
    if op[0] == "relu":
        return [(op[1], 1.0 if data[op[1]] > 0 else 0.0)]
    return []


def tape_gradients(tape, *, overwrite=False, order="reverse", tanh_of_input=False, mul_self=False,
                   seed=1.0, flips=frozenset()) -> list[float]:
    """d output / d node for every node; the keyword options reproduce known mistakes.

    order="recursive" pushes a node's current gradient to its parents each time it is reached, without
    waiting for all its uses; the result depends on the order of the parents, which `flips` reverses
    for the nodes it names (a learner's engine may keep its parents in a set, in any order).
    """
    data = _forward(tape)
    grad = [0.0] * len(tape)
    grad[-1] = seed
    last = len(tape) - 1
    if order == "recursive":
        def visit(k):
            pairs = _locals(tape[k], data, k, tanh_of_input=tanh_of_input, mul_self=mul_self)
            for parent, local in (reversed(pairs) if k in flips else pairs):
                grad[parent] += local * grad[k]
                visit(parent)
        visit(last)
        return grad
    needed = _reachable(tape)
    ks = [k for k in range(len(tape)) if k in needed]
    for k in (reversed(ks) if order == "reverse" else ks):
        for parent, local in _locals(tape[k], data, k, tanh_of_input=tanh_of_input, mul_self=mul_self):
            if overwrite:
                grad[parent] = local * grad[k]
            else:
                grad[parent] += local * grad[k]
    return grad


def _reachable(tape) -> set[int]:
    seen, stack = set(), [len(tape) - 1]
    while stack:
        k = stack.pop()
        if k not in seen:
            seen.add(k)
            stack.extend(p for p in tape[k][1:] if tape[k][0] != "leaf")
    return seen


VALUE_MISTAKES = [
    ("A value used more than once collects a gradient from every use: add to .grad (+=), don't overwrite it.",
     {"overwrite": True}),
    ("Visit the nodes in reverse topological order, so that a node passes its gradient on only after every use of "
     "it has added its share (build the order with a depth-first search, then go through it backwards).",
     {"order": "recursive"}),
    ("Visit the nodes in reverse topological order: from the output back to the leaves, not from the leaves.",
     {"order": "forward"}),
    ("The slope of tanh at x is 1 - tanh(x)**2, the square of the output, not 1 - x**2.", {"tanh_of_input": True}),
    ("For out = a * b, a's local derivative is b (and b's is a): each factor gets the other one's value.",
     {"mul_self": True}),
    ("backward() must start by setting the output's own gradient to 1 (d out / d out).", {"seed": 0.0}),
]


def _build(cls, tape):
    """Run in the learner's world: build the graph with their Value, call backward, read data and grads."""
    nodes = []
    for op in tape:
        if op[0] == "leaf":
            nodes.append(cls(op[1]))
        elif op[0] == "add":
            nodes.append(nodes[op[1]] + nodes[op[2]])
        elif op[0] == "mul":
            nodes.append(nodes[op[1]] * nodes[op[2]])
        else:
            nodes.append(getattr(nodes[op[1]], op[0])())
    data = [float(n.data) for n in nodes]
    nodes[-1].backward()
    return data, [float(n.grad) for n in nodes]


def run_autograd_value(spec, candidate, harness: Harness, label: str) -> Result:
    """Build every graph with the learner's Value and compare values and leaf gradients with the tape's."""
    first = harness.run(lambda: (lambda v: (float(v.data), float(v.grad)))(candidate(2.0)))
    if first.timed_out or first.error is not None or first.value != (2.0, 0.0):
        text = first.error or (harness.timeout_sentence(first) if first.timed_out else
                               f"Value(2.0) has (data, grad) = {first.value}, expected (2.0, 0.0).")
        return Result(False, "Value(2.0) does not work yet.", name=label, notes=harness.warning_notes(),
                      blocks=(Block("What went wrong", text, code=False), Block("Failing case", "v = Value(2.0)")),
                      hint="Start with __init__(self, data): store self.data = data and self.grad = 0.0.")
    graphs = _hand_graphs() + _random_graphs()
    for number, graph in enumerate(graphs, 1):
        result = _judge_graph(spec, candidate, harness, graph, label, f"graph {number} of {len(graphs)} failed.")
        if result is not None:
            return result
    return Result(True, f"passed all {len(graphs)} graphs ({len(_hand_graphs())} hand-picked, "
                        f"{len(graphs) - len(_hand_graphs())} random): values and every leaf's gradient.",
                  name=label, notes=harness.warning_notes())


def _judge_graph(spec, candidate, harness, graph, label, summary) -> Result | None:
    tape, names = graph.tape, _names(len(graph.tape))
    inputs = Block("Failing case", f"{graph.label}\n{show_graph(graph)}")
    call = harness.run(_build, candidate, tape)

    def fail(text, hint=None):
        return Result(False, summary, name=label, hint=hint, notes=harness.warning_notes(),
                      blocks=(Block("What went wrong", text, code=False), inputs))

    if call.timed_out:
        return fail(harness.timeout_sentence(call))
    if call.error is not None:
        kind = type_name(call.exception)
        hint = exception_hint(spec, call, "class Value")
        if kind in ("TypeError", "AttributeError"):
            hint = ("The check uses Value + Value, Value * Value, .tanh(), .relu(), .backward(), .data and .grad: "
                    "each + and * must return a new Value that remembers its two operands.")
        return fail(call.error, hint)
    data, grads = call.value
    want = _forward(tape)
    for k, (got, exp) in enumerate(zip(data, want)):
        if not math.isclose(got, exp, rel_tol=1e-9, abs_tol=1e-12):
            op = tape[k][0]
            return fail(f"{names[k]}.data is {format_number(got)}, but {show_graph(graph).splitlines()[k]} gives "
                        f"{format_number(exp)}.", f"Check the forward computation of `{op}`.")
    expected = tape_gradients(tape)
    leaves = [k for k, op in enumerate(tape) if op[0] == "leaf"]
    bad = [k for k in leaves if not math.isclose(grads[k], expected[k], rel_tol=1e-6, abs_tol=1e-9)]
    if not bad:
        return None
    k = bad[0]
    text = (f"After {names[-1]}.backward(), {names[k]}.grad is {format_number(grads[k])}, but d{names[-1]}/d{names[k]} = "
            f"{format_number(expected[k])} (central differences agree: {format_number(_numeric(tape, k))}).")
    hint = next((mistake_hint for mistake_hint, options in VALUE_MISTAKES
                 if any(all(math.isclose(grads[j], wrong[j], rel_tol=1e-6, abs_tol=1e-9) for j in leaves)
                        for wrong in _variants(tape, options))), None)
    return fail(text, hint)


def _variants(tape, options):
    """The gradients a mistake can give: one, or one per order of the parents for the recursive push."""
    if options.get("order") != "recursive":
        yield tape_gradients(tape, **options)
        return
    pairs = [k for k in sorted(_reachable(tape)) if tape[k][0] in ("add", "mul") and tape[k][1] != tape[k][2]]
    for bits in range(2 ** min(len(pairs), 10)):
        yield tape_gradients(tape, **options, flips=frozenset(k for i, k in enumerate(pairs) if bits >> i & 1))


def _numeric(tape, k, h=1e-6) -> float:
    up = list(tape)
    up[k] = ("leaf", tape[k][1] + h)
    down = list(tape)
    down[k] = ("leaf", tape[k][1] - h)
    return (_forward(up)[-1] - _forward(down)[-1]) / (2 * h)
